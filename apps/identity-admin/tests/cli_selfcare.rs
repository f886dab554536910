//! The operator CLI on selfcare matters: `identity show` and `history`,
//! `credential unblock` after 5 wrong codes, `access list`.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use identity_core::credentials::totp::{step_at, totp_code};
use identity_core::identity::Actor;
use identity_core::{CredentialLevel, LevelState, TotpSecret};
use identity_service::usecases::selfcare::sign_in::{Client, PasswordStep};
use support::*;

const CLIENT: Client<'static> = Client {
    ip: Some("192.0.2.20"),
    agent: None,
    service: None,
};

#[tokio::test]
async fn an_operator_reads_an_identity_unblocks_level_2_and_lists_accesses() {
    let db = db();
    let service = service(&db).await;
    let registered = register(&service).await;
    let identity = service
        .request_identity(registered.holder_id, registered.login_id.number())
        .await
        .unwrap();
    let id = identity.id().to_string();
    let doc = identity_core::identity::IdentityDocument::new(
        identity_core::identity::DocumentKind::Passport,
        "YA1234567",
        "Questura di Roma",
        chrono::NaiveDate::from_ymd_opt(2035, 1, 1).unwrap(),
        identity_core::calendar::rome_date(chrono::Utc::now()),
    )
    .unwrap();
    let proofing = identity_core::identity::Proofing {
        method: identity_core::identity::ProofingMethod::Video,
        document: doc,
        evidence_ref: "video-7".into(),
    };
    service
        .verify_identity(identity.id(), proofing, Actor::Operator("anna".into()))
        .await
        .unwrap();

    // Level 2 enrolled, then blocked by 5 wrong codes.
    let PasswordStep::SignedIn(s) = service
        .selfcare_sign_in_password(&registered.login_id, identity_testkit::PASSWORD, CLIENT)
        .await
        .unwrap()
    else {
        panic!("level 1 sign-in")
    };
    let key = service
        .start_totp_enrolment(&s.session)
        .await
        .unwrap()
        .manual_key;
    let secret = TotpSecret::from_base32(&key).unwrap();
    let now = format!("{:06}", totp_code(&secret, step_at(chrono::Utc::now())));
    service
        .confirm_totp_enrolment(&s.session, &now)
        .await
        .unwrap();
    let PasswordStep::SecondFactor { pending, .. } = service
        .selfcare_sign_in_password(&registered.login_id, identity_testkit::PASSWORD, CLIENT)
        .await
        .unwrap()
    else {
        panic!("a second factor is due")
    };
    let wrong = format!("{:06}", (now.parse::<u32>().unwrap() + 500_000) % 1_000_000);
    for _ in 0..5 {
        let _ = service
            .selfcare_sign_in_totp(&pending, &wrong, CLIENT)
            .await;
    }

    let show = admin(&db, &["identity", "show", &id]);
    assert_eq!(code(&show), 0, "{}", stderr(&show));
    let text = stdout(&show);
    assert!(
        text.contains("active") && text.contains("blocked") && text.contains("video"),
        "{text}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&admin(&db, &["--json", "identity", "show", &id]))).unwrap();
    assert_eq!(json["levels"][1]["state"], "blocked");
    assert_eq!(json["proofing"]["evidence_ref"], "video-7");
    assert!(json["emergency_code_issued_at"].is_string());

    // Unblocking needs an operator; then level 2 is active again and the holder told.
    assert_eq!(code(&anonymous(&db, &["credential", "unblock", &id])), 2);
    assert_eq!(
        code(&admin(
            &db,
            &[
                "--operator",
                "anna",
                "credential",
                "unblock",
                &id,
                "--level",
                "1"
            ]
        )),
        2
    );
    let unblock = admin(&db, &["--operator", "anna", "credential", "unblock", &id]);
    assert_eq!(code(&unblock), 0, "{}", stderr(&unblock));
    let (_, creds) = service
        .identity_with_credentials(identity.id())
        .await
        .unwrap()
        .expect("the identity is on file");
    assert_eq!(creds.levels.state(CredentialLevel::L2), LevelState::Active);
    let again = admin(&db, &["--operator", "anna", "credential", "unblock", &id]);
    assert_eq!(code(&again), 1, "not blocked any more");
    assert!(stderr(&again).contains("not blocked"));
    assert!(
        audit_events(&service)
            .await
            .contains(&("credential.level2_unblocked".into(), "operator:anna".into()))
    );

    let history = admin(&db, &["identity", "history", &id]);
    assert_eq!(code(&history), 0);
    let text = stdout(&history);
    for event in [
        "identity.requested",
        "identity.verified",
        "credential.emergency_code_issued",
        "credential.level2_enrolled",
        "credential.level2_blocked",
        "credential.level2_unblocked",
    ] {
        assert!(text.contains(event), "{event} in {text}");
    }
    assert_eq!(
        code(&admin(
            &db,
            &["identity", "show", "0190a0a0-0000-7000-8000-000000000000"]
        )),
        1
    );

    // Access list: the level-1 sign-ins and the 5 failed codes, newest first.
    let list = admin(&db, &["--json", "access", "list", "RSSMRA85T10A562S"]);
    assert_eq!(code(&list), 0, "{}", stderr(&list));
    let records: serde_json::Value = serde_json::from_str(&stdout(&list)).unwrap();
    let records = records.as_array().unwrap();
    assert_eq!(
        records.iter().filter(|r| r["outcome"] == "failed").count(),
        5
    );
    assert_eq!(records[0]["credential"], "totp");
    assert_eq!(records.last().unwrap()["outcome"], "ok");
    let table = stdout(&admin(
        &db,
        &["access", "list", &registered.login_id.to_string()],
    ));
    assert!(
        table.contains("selfcare") && table.contains("192.0.2.20"),
        "{table}"
    );
    let bad_range = admin(
        &db,
        &[
            "access",
            "list",
            "RSSMRA85T10A562S",
            "--from",
            "2026-02-01",
            "--to",
            "2026-01-01",
        ],
    );
    assert_eq!(code(&bad_range), 2);
    assert!(
        !std::path::Path::new("data/totp.key").exists(),
        "the CLI creates no key file"
    );
}

#[tokio::test]
async fn healthcheck_and_config_check_say_what_is_wrong() {
    let db = db();
    // No database yet: the check fails (and creates nothing).
    let missing = admin(&db, &["healthcheck"]);
    assert_eq!(code(&missing), 1, "{}", stderr(&missing));
    let _service = service(&db).await;
    let ok = admin(&db, &["--json", "healthcheck"]);
    assert_eq!(code(&ok), 0, "{}", stderr(&ok));
    let json: serde_json::Value = serde_json::from_str(&stdout(&ok)).unwrap();
    assert_eq!(json["pending_migrations"], 0);

    let check = admin(&db, &["config", "check"]);
    assert_eq!(code(&check), 0, "{}", stderr(&check));
    assert!(stdout(&check).contains("configuration ok"));
    assert!(
        !stdout(&check).contains(&db.url),
        "the database URL is not printed"
    );
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&admin(&db, &["--json", "config", "check"]))).unwrap();
    assert_eq!(json["database"], "sqlite");
    // A malformed setting is a usage error.
    let mut bad = std::process::Command::new(env!("CARGO_BIN_EXE_identity-admin"));
    let bad = bad
        .args(["config", "check"])
        .env("IDENTITY_DATABASE_URL", &db.url)
        .env("IDENTITY_PASSWORD__MIN_LENGTH", "3")
        .env_remove("IDENTITY_CONFIG")
        .output()
        .unwrap();
    assert_eq!(code(&bad), 2);
    assert!(stderr(&bad).contains("min_length"));
}
