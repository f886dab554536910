//! The operator CLI against a real SQLite database: exit codes, output, audit.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use identity_service::AuditQuery;
use support::*;

#[test]
fn help_and_usage_errors() {
    let db = db();
    let help = admin(&db, &["--help"]);
    assert_eq!(code(&help), 0);
    assert!(stdout(&help).contains("identity"));
    // Unknown value: clap rejects it with exit code 2.
    let bad = admin(
        &db,
        &[
            "identity",
            "suspend",
            "0190a0a0-0000-7000-8000-000000000000",
            "--reason",
            "boredom",
        ],
    );
    assert_eq!(code(&bad), 2);
    // No operator named: rejected before touching the database.
    let anonymous = anonymous(
        &db,
        &[
            "identity",
            "reactivate",
            "0190a0a0-0000-7000-8000-000000000000",
        ],
    );
    assert_eq!(code(&anonymous), 2);
    assert!(String::from_utf8_lossy(&anonymous.stderr).contains("IDENTITY_OPERATOR_TOKEN"));
    assert!(
        !db.url.is_empty() && !std::path::Path::new(&db.url["sqlite://".len()..]).exists(),
        "no database was created"
    );
    // Looking at a database that does not exist does not create it.
    let status = admin(&db, &["db", "status"]);
    assert_eq!(
        code(&status),
        1,
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    assert!(
        !std::path::Path::new(&db.url["sqlite://".len()..]).exists(),
        "db status created no file"
    );
    // An expired document is a usage error too.
    let expired = admin(
        &db,
        &[
            "--operator",
            "anna",
            "identity",
            "verify",
            "0190a0a0-0000-7000-8000-000000000000",
            "--method",
            "in-person",
            "--document-type",
            "passport",
            "--document-number",
            "YA1234567",
            "--issuer",
            "Questura di Roma",
            "--expires",
            "2001-01-01",
            "--evidence",
            "desk-1",
        ],
    );
    assert_eq!(
        code(&expired),
        2,
        "{}",
        String::from_utf8_lossy(&expired.stderr)
    );
}

#[tokio::test]
async fn an_operator_takes_an_identity_through_its_lifecycle() {
    let db = db();
    let service = service(&db).await;
    let (registered, id) = pending_identity(&service).await;

    let missing = admin(&db, &["holder", "show", "BNCGNN80A01H501T"]);
    assert_eq!(code(&missing), 1);

    let show = admin(&db, &["holder", "show", "RSSMRA85T10A562S"]);
    assert_eq!(code(&show), 0);
    assert!(stdout(&show).contains(&registered.login_id.to_string()));
    assert!(stdout(&show).contains("pending"));
    let by_login = admin(
        &db,
        &["--json", "holder", "show", &registered.login_id.to_string()],
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&by_login)).unwrap();
    assert_eq!(json[0]["identities"][0]["state"], "pending");

    let mut verify = vec!["--operator", "anna"];
    verify.extend(verify_args(&id));
    assert_eq!(code(&admin(&db, &verify)), 0);
    let again = admin(&db, &verify);
    assert_eq!(code(&again), 1, "a second verification is refused");
    assert!(String::from_utf8_lossy(&again.stderr).contains("not waiting"));
    // The operator may come from IDENTITY_OPERATOR instead of --operator.
    let suspend = ["identity", "suspend", &id, "--reason", "suspected-fraud"];
    assert_eq!(code(&admin_as(&db, Some("anna"), &suspend)), 0);
    assert_eq!(
        code(&admin(
            &db,
            &["--operator", "anna", "identity", "reactivate", &id]
        )),
        0
    );
    let revoke = admin(
        &db,
        &[
            "--json",
            "--operator",
            "bruno",
            "identity",
            "revoke",
            &id,
            "--cause",
            "death",
        ],
    );
    assert_eq!(code(&revoke), 0);
    let json: serde_json::Value = serde_json::from_str(&stdout(&revoke)).unwrap();
    assert_eq!(json["state"], "revoked");
    let unknown = admin(
        &db,
        &[
            "--operator",
            "anna",
            "identity",
            "reactivate",
            "0190a0a0-0000-7000-8000-000000000000",
        ],
    );
    assert_eq!(code(&unknown), 1);

    // Every change is in the audit log under the operator who made it.
    let mut tx = service.store().begin().await.unwrap();
    let actors: Vec<(String, String)> = tx
        .audit(&AuditQuery::default())
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.event, a.actor))
        .collect();
    assert!(actors.contains(&("identity.verified".into(), "operator:anna".into())));
    assert!(actors.contains(&("identity.revoked".into(), "operator:bruno".into())));
    drop(tx);

    // The outbox holds the registration mail, one per identity change, and the
    // emergency code's two halves sent at activation (email and SMS, secrets redacted).
    let list = admin(&db, &["--json", "outbox", "list", "--status", "pending"]);
    assert_eq!(code(&list), 0);
    let queued: serde_json::Value = serde_json::from_str(&stdout(&list)).unwrap();
    assert_eq!(queued.as_array().unwrap().len(), 8, "{queued}");
    assert!(
        queued
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["template"] == "sms_emergency_half" && m["params"]["code"] == "[redacted]")
    );
    assert_eq!(queued[0]["template"], "registration_confirmed");
    let first = queued[0]["id"].as_str().unwrap().to_owned();
    assert!(stdout(&admin(&db, &["outbox", "list"])).contains("registration_confirmed"));
    assert_eq!(
        code(&anonymous(&db, &["outbox", "retry", &first])),
        2,
        "no operator named"
    );
    assert_eq!(
        code(&admin_as(&db, Some("anna"), &["outbox", "retry", &first])),
        0
    );
    let ghost = admin_as(
        &db,
        Some("anna"),
        &["outbox", "retry", "0190a0a0-0000-7000-8000-000000000000"],
    );
    assert_eq!(code(&ghost), 1);

    // Search by reference email; disable and enable the login.
    let search = admin(&db, &["holder", "search", "MARIO@example.it"]);
    assert_eq!(code(&search), 0);
    assert!(stdout(&search).contains("RSSMRA85T10A562S"));
    let login = registered.login_id.to_string();
    assert_eq!(
        code(&admin_as(&db, Some("anna"), &["login", "disable", &login])),
        0
    );
    let again = admin_as(&db, Some("anna"), &["login", "disable", &login]);
    assert_eq!(code(&again), 1, "already disabled");
    assert_eq!(
        code(&admin_as(&db, Some("anna"), &["login", "enable", &login])),
        0
    );
    assert_eq!(
        code(&admin_as(&db, Some("anna"), &["login", "enable", "12345"])),
        2,
        "not a login id"
    );
    assert_eq!(
        code(&admin_as(
            &db,
            Some("anna"),
            &["login", "enable", "999999999"]
        )),
        1,
        "no such login"
    );

    let status = admin(&db, &["db", "status"]);
    assert_eq!(code(&status), 0);
    assert!(stdout(&status).contains("applied"));
}
