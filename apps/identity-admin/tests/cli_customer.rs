//! The operator CLI's customer-area commands (API clients, correction requests)
//! against a real SQLite database.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use support::*;

#[tokio::test]
async fn an_operator_adds_lists_and_revokes_api_clients() {
    // A wrong scope is a usage error, found before any database is created.
    let untouched = db();
    let bad_scope = unchecked_token(
        &untouched,
        &["api-client", "add", "crm", "--scope", "holders:delete"],
    );
    assert_eq!(code(&bad_scope), 2, "{}", stderr(&bad_scope));
    assert!(
        stderr(&bad_scope).contains("holders:read"),
        "lists the scopes"
    );
    let no_scope = unchecked_token(&untouched, &["api-client", "add", "crm"]);
    assert_eq!(code(&no_scope), 2);
    let anonymous = anonymous(
        &untouched,
        &["api-client", "add", "crm", "--scope", "holders:read"],
    );
    assert_eq!(code(&anonymous), 2);
    assert!(stderr(&anonymous).contains("IDENTITY_OPERATOR_TOKEN"));
    assert!(
        !std::path::Path::new(&untouched.url["sqlite://".len()..]).exists(),
        "no database was created"
    );

    let db = db();
    let service = service(&db).await;
    let add = admin_as(
        &db,
        Some("anna"),
        &[
            "api-client",
            "add",
            "crm",
            "--scope",
            "holders:read",
            "--scope",
            "holders:write",
        ],
    );
    assert_eq!(code(&add), 0, "{}", stderr(&add));
    let out = stdout(&add);
    let token = out
        .split_whitespace()
        .find(|w| w.starts_with("idk_"))
        .expect("a token is printed")
        .to_owned();
    assert_eq!(out.matches(&token).count(), 1, "printed once: {out}");
    assert!(out.contains("cannot be shown again"), "{out}");
    assert!(out.contains("holders:read, holders:write"), "{out}");
    let client = service
        .authenticate_api_client(&token)
        .await
        .unwrap()
        .expect("the printed token authenticates");
    assert_eq!(client.name, "crm");
    assert_eq!(client.created_by, "operator:anna");

    let duplicate = admin_as(
        &db,
        Some("anna"),
        &["api-client", "add", "crm", "--scope", "holders:read"],
    );
    assert_eq!(code(&duplicate), 1);
    assert!(stderr(&duplicate).contains("exists"));
    let bad_name = admin_as(
        &db,
        Some("anna"),
        &["api-client", "add", "no spaces", "--scope", "holders:read"],
    );
    assert_eq!(code(&bad_name), 2);

    let json_add = admin_as(
        &db,
        Some("bruno"),
        &[
            "--json",
            "api-client",
            "add",
            "batch",
            "--scope",
            "holders:read",
        ],
    );
    assert_eq!(code(&json_add), 0, "{}", stderr(&json_add));
    let added: serde_json::Value = serde_json::from_str(&stdout(&json_add)).unwrap();
    assert_eq!(added["name"], "batch");
    assert_eq!(added["scopes"], serde_json::json!(["holders:read"]));
    assert_eq!(added["created_by"], "operator:bruno");
    let batch_token = added["token"].as_str().unwrap().to_owned();
    assert!(stderr(&json_add).contains("cannot be shown again"));
    assert!(
        service
            .authenticate_api_client(&batch_token)
            .await
            .unwrap()
            .is_some()
    );

    // Listing never shows a token.
    let list = admin(&db, &["api-client", "list"]);
    assert_eq!(code(&list), 0);
    let listed = stdout(&list);
    assert!(
        listed.contains("crm") && listed.contains("batch"),
        "{listed}"
    );
    assert!(listed.contains("operator:anna"), "{listed}");
    assert!(!listed.contains("idk_"), "{listed}");
    let list = admin(&db, &["--json", "api-client", "list"]);
    assert!(!stdout(&list).contains("idk_"));
    let clients: serde_json::Value = serde_json::from_str(&stdout(&list)).unwrap();
    assert_eq!(clients.as_array().unwrap().len(), 2);
    assert!(clients[0].get("token").is_none());
    assert!(
        clients[0]["last_used_at"].is_string(),
        "used above: {clients}"
    );

    // Revoking stops the token at once; a second revocation is refused.
    let revoke = ["api-client", "revoke", "crm"];
    assert_eq!(
        code(&support::anonymous(&db, &revoke)),
        2,
        "no operator named"
    );
    let done = admin_as(&db, Some("anna"), &revoke);
    assert_eq!(code(&done), 0, "{}", stderr(&done));
    assert!(
        service
            .authenticate_api_client(&token)
            .await
            .unwrap()
            .is_none()
    );
    let again = admin_as(&db, Some("anna"), &revoke);
    assert_eq!(code(&again), 1);
    assert!(stderr(&again).contains("crm"));
    let ghost = admin_as(&db, Some("anna"), &["api-client", "revoke", "ghost"]);
    assert_eq!(code(&ghost), 1);
    let list = admin(&db, &["--json", "api-client", "list"]);
    let clients: serde_json::Value = serde_json::from_str(&stdout(&list)).unwrap();
    assert!(clients[0]["revoked_at"].is_string());
    assert!(clients[1]["revoked_at"].is_null());

    let events = audit_events(&service).await;
    assert!(events.contains(&("api_client.added".into(), "operator:anna".into())));
    assert!(events.contains(&("api_client.added".into(), "operator:bruno".into())));
    assert!(events.contains(&("api_client.revoked".into(), "operator:anna".into())));
}

#[tokio::test]
async fn an_operator_decides_correction_requests() {
    use identity_core::identity::Actor;

    let db = db();
    let service = service(&db).await;
    let registered = register(&service).await;
    let holder = registered.holder_id;
    let open = |field: &'static str, value: &'static str, reason: &'static str| {
        let service = &service;
        async move {
            service
                .open_correction(holder, field, value, reason, &Actor::Holder(holder))
                .await
                .unwrap()
        }
    };
    let accent = open("family_name", "Rossì", "accent missing").await;
    let given = open("given_name", "Marco", "my name is Marco").await;
    let mismatch = open("family_name", "Bianchi", "I married").await;
    let accent_id = accent.id.to_string();

    let list = admin(&db, &["correction", "list"]);
    assert_eq!(code(&list), 0, "{}", stderr(&list));
    let listed = stdout(&list);
    assert!(
        listed.contains(&accent_id) && listed.contains("Rossì"),
        "{listed}"
    );
    assert!(listed.contains("family_name") && listed.contains("accent missing"));
    assert!(listed.contains(&holder.to_string()));
    let list = admin(&db, &["--json", "correction", "list", "--limit", "2"]);
    let open_now: serde_json::Value = serde_json::from_str(&stdout(&list)).unwrap();
    assert_eq!(open_now.as_array().unwrap().len(), 2);
    assert_eq!(open_now[0]["id"], accent_id.as_str());
    assert_eq!(open_now[0]["current_value"], "Rossi");
    assert_eq!(open_now[0]["requested_value"], "Rossì");
    assert_eq!(open_now[0]["reason"], "accent missing");
    assert_eq!(open_now[0]["state"], "open");

    // Usage errors: no operator, malformed id, empty rejection reason.
    let anonymous = anonymous(&db, &["correction", "approve", &accent_id]);
    assert_eq!(code(&anonymous), 2);
    assert!(stderr(&anonymous).contains("IDENTITY_OPERATOR_TOKEN"));
    let malformed = admin_as(&db, Some("anna"), &["correction", "approve", "42"]);
    assert_eq!(code(&malformed), 2);
    let no_reason = admin_as(
        &db,
        Some("anna"),
        &[
            "correction",
            "reject",
            &given.id.to_string(),
            "--reason",
            " ",
        ],
    );
    assert_eq!(code(&no_reason), 2);

    // Approval corrects the holder, is audited under the operator, mails the holder.
    let approve = admin_as(&db, Some("anna"), &["correction", "approve", &accent_id]);
    assert_eq!(code(&approve), 0, "{}", stderr(&approve));
    assert!(stdout(&approve).contains("approved"));
    let overview = service.holder_overview(holder).await.unwrap();
    assert_eq!(overview.holder.person().unwrap().family_name(), "Rossì");
    let events = audit_events(&service).await;
    assert!(events.contains(&("correction.approved".into(), "operator:anna".into())));
    let mail = service.outbox(None, 100).await.unwrap();
    assert!(mail.iter().any(|m| m.template == "correction_decided"));
    let again = admin_as(&db, Some("anna"), &["correction", "approve", &accent_id]);
    assert_eq!(code(&again), 1);
    assert!(
        stderr(&again).contains("already decided"),
        "{}",
        stderr(&again)
    );

    // A value that would not agree with the tax code is refused; the request stays open.
    let refused = admin_as(
        &db,
        Some("anna"),
        &["correction", "approve", &mismatch.id.to_string()],
    );
    assert_eq!(code(&refused), 1);
    assert!(
        stderr(&refused).contains("does not match the tax code"),
        "{}",
        stderr(&refused)
    );
    let unknown = admin_as(
        &db,
        Some("anna"),
        &[
            "correction",
            "approve",
            "0190a0a0-0000-7000-8000-000000000000",
        ],
    );
    assert_eq!(code(&unknown), 1);
    assert!(
        stderr(&unknown).contains("not found"),
        "{}",
        stderr(&unknown)
    );

    let reject = admin_as(
        &db,
        Some("bruno"),
        &[
            "--json",
            "correction",
            "reject",
            &given.id.to_string(),
            "--reason",
            "the documents say Mario",
        ],
    );
    assert_eq!(code(&reject), 0, "{}", stderr(&reject));
    let rejected: serde_json::Value = serde_json::from_str(&stdout(&reject)).unwrap();
    assert_eq!(rejected["state"], "rejected");
    assert_eq!(rejected["decided_by"], "operator:bruno");
    assert_eq!(rejected["rejection_reason"], "the documents say Mario");
    let events = audit_events(&service).await;
    assert!(events.contains(&("correction.rejected".into(), "operator:bruno".into())));

    let all = admin(&db, &["--json", "correction", "list", "--state", "all"]);
    let all: serde_json::Value = serde_json::from_str(&stdout(&all)).unwrap();
    let states: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["approved", "rejected", "open"]);
    assert_eq!(all[0]["decided_by"], "operator:anna");
    let approved = admin(&db, &["correction", "list", "--state", "approved"]);
    assert!(stdout(&approved).contains("operator:anna"));
    assert!(!stdout(&approved).contains("Bianchi"));
    assert_eq!(
        code(&admin(&db, &["correction", "list", "--state", "maybe"])),
        2
    );

    // `holder show` has the whole picture, as text and as JSON.
    let show = admin(&db, &["holder", "show", &holder.to_string()]);
    assert_eq!(code(&show), 0, "{}", stderr(&show));
    let text = stdout(&show);
    for expected in [
        "Rossì",
        "not verified",
        &registered.login_id.to_string(),
        "active",
        "marketing",
        "Bianchi",
        "correction.approved",
        "operator:anna",
        "No orders.",
    ] {
        assert!(text.contains(expected), "{expected:?} missing in:\n{text}");
    }
    let show = admin(&db, &["--json", "holder", "show", &holder.to_string()]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&show)).unwrap();
    let h = &json[0];
    assert_eq!(h["family_name"], "Rossì");
    assert_eq!(h["email_verified"], false);
    assert_eq!(h["logins"][0]["status"], "active");
    assert_eq!(h["correction_requests"].as_array().unwrap().len(), 3);
    assert!(
        h["correction_requests"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["rejection_reason"] == "the documents say Mario")
    );
    assert_eq!(h["consents"][0]["kind"], "marketing");
    assert_eq!(h["consents"][0]["given"], true);
    assert!(h["orders"].is_array());
    assert!(
        h["audit_trail"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["event"] == "correction.approved" && a["actor"] == "operator:anna")
    );
    // The trail can be cut to the most recent entries.
    let short = admin(
        &db,
        &[
            "--json",
            "holder",
            "show",
            &holder.to_string(),
            "--audit",
            "1",
        ],
    );
    let short: serde_json::Value = serde_json::from_str(&stdout(&short)).unwrap();
    assert_eq!(short[0]["audit_trail"].as_array().unwrap().len(), 1);
    assert_eq!(short[0]["audit_trail"][0]["event"], "correction.rejected");
    assert!(short[0]["audit_entries_omitted"].as_u64().unwrap() > 0);
}
