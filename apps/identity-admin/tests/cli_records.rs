//! The remaining operator commands against a real SQLite database: identity
//! records, logins, orders, service providers, approvals rejected, the schema,
//! completions and the man page.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use support::*;

#[tokio::test]
async fn identities_logins_orders_and_service_providers_from_the_cli() {
    let db = db();
    let service = service(&db).await;
    let (registered, id) = pending_identity(&service).await;
    // The request opened an order, which verification completes.
    let open = json_of(&admin(&db, &["--json", "order", "list"]));
    assert_eq!(open[0]["kind"], "digital_identity");
    let order = open[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(code(&admin(&db, &verify_args(&id))), 0);
    let shown = json_of(&admin(&db, &["--json", "order", "show", &order]));
    assert_eq!(shown["state"], "completed");
    assert_eq!(
        code(&admin(&db, &["order", "set-state", &order, "cancelled"])),
        1,
        "final"
    );

    // A police report needs a suspended identity; with it the deadline revokes.
    assert_eq!(
        code(&admin(
            &db,
            &[
                "identity",
                "record-report",
                &id,
                "--reference",
                "Questura 12/2026"
            ]
        )),
        1
    );
    assert_eq!(
        code(&admin(
            &db,
            &["identity", "suspend", &id, "--reason", "suspected-fraud"]
        )),
        0
    );
    assert_eq!(
        code(&admin(
            &db,
            &["identity", "record-report", &id, "--reference", " "]
        )),
        2
    );
    assert_eq!(
        code(&admin(
            &db,
            &[
                "identity",
                "record-report",
                &id,
                "--reference",
                "Questura 12/2026"
            ]
        )),
        0
    );
    // A new document: an expired one is a usage error.
    let doc = |expires: &str| {
        admin(
            &db,
            &[
                "identity",
                "record-document",
                &id,
                "--document-type",
                "passport",
                "--document-number",
                "YA1234567",
                "--issuer",
                "Questura di Roma",
                "--expires",
                expires,
            ],
        )
    };
    assert_eq!(code(&doc("2001-01-01")), 2);
    assert_eq!(code(&doc("2036-01-01")), 0);

    // The identity's username cannot be reset by an operator; another login can.
    let reset = admin(
        &db,
        &["login", "reset-password", &registered.login_id.to_string()],
    );
    assert_eq!(code(&reset), 1);
    assert!(
        stderr(&reset).contains("emergency code"),
        "{}",
        stderr(&reset)
    );
    assert_eq!(
        code(&admin(&db, &["login", "reset-password", "not a login"])),
        2
    );

    // Service providers.
    let dir = tempfile::tempdir().unwrap();
    let jwks = dir.path().join("jwks.json");
    std::fs::write(
        &jwks,
        r#"{"keys":[{"kty":"RSA","n":"sXch","e":"AQAB","kid":"k1"}]}"#,
    )
    .unwrap();
    let added = json_of(&admin(
        &db,
        &[
            "--json",
            "sp",
            "add",
            "--client-id",
            "https://sp.example.it",
            "--name",
            "Comune di Esempio",
            "--redirect-uri",
            "https://sp.example.it/callback",
            "--jwks-file",
            jwks.to_str().unwrap(),
            "--attribute",
            "given_name",
            "--attribute",
            "fiscal_number",
        ],
    ));
    assert_eq!(added["service_provider"]["auth_method"], "private_key_jwt");
    assert!(added["client_secret"].is_null());
    let insecure = admin(
        &db,
        &[
            "sp",
            "add",
            "--client-id",
            "x",
            "--name",
            "X",
            "--redirect-uri",
            "http://sp.example.it/cb",
            "--client-secret",
        ],
    );
    assert_eq!(code(&insecure), 2, "plain http only on localhost");
    let dev = json_of(&admin(
        &db,
        &[
            "--json",
            "sp",
            "add",
            "--client-id",
            "dev-app",
            "--name",
            "Dev",
            "--redirect-uri",
            "http://localhost:3000/cb",
            "--client-secret",
        ],
    ));
    assert!(dev["client_secret"].as_str().unwrap().starts_with("idsp_"));
    let dup = admin(
        &db,
        &[
            "sp",
            "add",
            "--client-id",
            "dev-app",
            "--name",
            "Dev",
            "--redirect-uri",
            "http://localhost:3000/cb",
            "--client-secret",
        ],
    );
    assert_eq!(code(&dup), 1);
    assert_eq!(
        json_of(&admin(&db, &["--json", "sp", "list"]))
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(code(&admin(&db, &["sp", "disable", "dev-app"])), 0);
    assert_eq!(
        code(&admin(&db, &["sp", "disable", "dev-app"])),
        1,
        "already disabled"
    );
    let events = audit_events(&service).await;
    for event in [
        "identity.police_report_recorded",
        "identity.document_recorded",
        "service_provider.added",
        "service_provider.disabled",
    ] {
        assert!(
            events.contains(&(event.into(), "operator:anna".into())),
            "{event}"
        );
    }
}

#[tokio::test]
async fn the_remaining_success_paths_reset_codes_orders_rejections_and_schema() {
    let db = db();
    let service = service(&db).await;
    // An imported holder's login has no password: an operator sends a reset code.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("one.csv");
    std::fs::write(&file, identity_testkit::people_csv::csv(1, &[])).unwrap();
    let imported = json_of(&admin(
        &db,
        &["--json", "import", "holders", file.to_str().unwrap()],
    ));
    assert_eq!(imported["imported"], 1);
    let holder = json_of(&admin(
        &db,
        &["--json", "holder", "search", "person0@example.it"],
    ));
    let login = holder[0]["logins"][0]["login_id"]
        .as_str()
        .or_else(|| holder[0]["logins"][0].as_str())
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("a login in {holder}"));
    let reset = json_of(&admin(&db, &["--json", "login", "reset-password", &login]));
    assert_eq!(reset["reset_code_sent"], true);
    let outbox = json_of(&admin(&db, &["--json", "outbox", "list"]));
    assert!(
        outbox
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["template"] == "password_reset_code" && m["to"] == "person0@example.it")
    );

    // An open order is completed by an operator; a rejected approval stays undone.
    let registered = register(&service).await;
    let identity = service
        .request_identity(registered.holder_id, registered.login_id.number())
        .await
        .unwrap();
    let open = json_of(&admin(&db, &["--json", "order", "list", "--state", "open"]));
    let order = open[0]["id"].as_str().unwrap().to_owned();
    let done = json_of(&admin(
        &db,
        &["--json", "order", "set-state", &order, "completed"],
    ));
    assert_eq!(done["state"], "completed");
    let two = [("IDENTITY_TWO_PERSON_APPROVAL", "true")];
    let target = identity.id().to_string();
    let mut args = vec!["--json"];
    args.extend(verify_args(&target));
    let asked = json_of(&admin_with(&db, Some("anna"), &two, &args));
    let approval = asked["id"].as_str().unwrap().to_owned();
    let rejected = json_of(&admin_with(
        &db,
        Some("bruno"),
        &two,
        &[
            "--json",
            "approval",
            "reject",
            &approval,
            "--reason",
            "the document photo is unreadable",
        ],
    ));
    assert_eq!(rejected["state"], "rejected");
    assert_eq!(
        service.identities_of(registered.holder_id).await.unwrap()[0]
            .state()
            .code(),
        "pending"
    );
    let all = json_of(&admin(
        &db,
        &["--json", "approval", "list", "--state", "all"],
    ));
    assert_eq!(all[0]["note"], "the document photo is unreadable");

    // A service provider is shown by client id, with its levels; secrets rotate
    // and keys are added.
    admin(
        &db,
        &[
            "sp",
            "add",
            "--client-id",
            "dev-app",
            "--name",
            "Dev",
            "--redirect-uri",
            "http://localhost:3000/cb",
            "--client-secret",
            "--level",
            "1",
            "--level",
            "2",
        ],
    );
    let shown = admin(&db, &["sp", "show", "dev-app"]);
    assert!(
        stdout(&shown).contains("client_secret_basic"),
        "{}",
        stdout(&shown)
    );
    assert!(stdout(&shown).contains("1, 2"), "{}", stdout(&shown));
    assert_eq!(code(&admin(&db, &["sp", "show", "nobody"])), 1);
    // The transaction log: nothing yet (the web app writes it), and a bad limit
    // is a usage error.
    let log = admin(&db, &["sp", "log", "dev-app"]);
    assert_eq!(code(&log), 0);
    assert!(stdout(&log).contains("no requests logged"));
    assert_eq!(
        json_of(&admin(&db, &["--json", "sp", "log"])),
        serde_json::json!([])
    );
    assert_eq!(code(&admin(&db, &["sp", "log", "--limit", "0"])), 2);
    assert_eq!(
        code(&admin(
            &db,
            &[
                "sp",
                "add",
                "--client-id",
                "x",
                "--name",
                "X",
                "--redirect-uri",
                "https://x.example/cb",
                "--client-secret",
                "--level",
                "4"
            ],
        )),
        2
    );
    let first = json_of(&admin(&db, &["--json", "sp", "rotate-secret", "dev-app"]));
    let second = json_of(&admin(&db, &["--json", "sp", "rotate-secret", "dev-app"]));
    assert_ne!(first["client_secret"], second["client_secret"]);
    let jwks = dir.path().join("sp.json");
    std::fs::write(
        &jwks,
        r#"{"keys":[{"kty":"EC","crv":"P-256","x":"a","y":"b","kid":"k1"}]}"#,
    )
    .unwrap();
    let jwks = jwks.to_str().unwrap();
    admin(
        &db,
        &[
            "sp",
            "add",
            "--client-id",
            "https://sp.example.it",
            "--name",
            "Comune",
            "--redirect-uri",
            "https://sp.example.it/cb",
            "--jwks-file",
            jwks,
        ],
    );
    assert_eq!(
        code(&admin(
            &db,
            &["sp", "rotate-secret", "https://sp.example.it"]
        )),
        1,
        "no secret to rotate"
    );
    assert_eq!(
        code(&admin(
            &db,
            &[
                "sp",
                "add-key",
                "https://sp.example.it",
                "--jwks-file",
                jwks
            ]
        )),
        1,
        "k1 is there"
    );
    let next = dir.path().join("next.json");
    std::fs::write(
        &next,
        r#"{"keys":[{"kty":"EC","crv":"P-256","x":"c","y":"d","kid":"k2"}]}"#,
    )
    .unwrap();
    let added = json_of(&admin(
        &db,
        &[
            "--json",
            "sp",
            "add-key",
            "https://sp.example.it",
            "--jwks-file",
            next.to_str().unwrap(),
        ],
    ));
    assert_eq!(added["jwks"]["keys"].as_array().unwrap().len(), 2);
    let private = dir.path().join("private.json");
    std::fs::write(&private, r#"{"keys":[{"kty":"EC","d":"secret"}]}"#).unwrap();
    assert_eq!(
        code(&admin(
            &db,
            &[
                "sp",
                "add-key",
                "https://sp.example.it",
                "--jwks-file",
                private.to_str().unwrap()
            ]
        )),
        2
    );

    // Once the database has operators, migrating is an admin's act.
    let viewer = json_of(&admin(
        &db,
        &["--json", "operator", "add", "vera", "--role", "viewer"],
    ));
    let vera = viewer["token"].as_str().unwrap().to_owned();
    assert_eq!(code(&with_token(&db, Some(&vera), &["db", "migrate"])), 1);
    assert_eq!(code(&with_token(&db, None, &["db", "migrate"])), 2);
    assert_eq!(code(&admin(&db, &["db", "migrate"])), 0);
}

#[test]
fn completions_and_the_man_page_need_no_database() {
    let db = db();
    for shell in ["bash", "zsh", "fish"] {
        let out = anonymous(&db, &["completions", shell]);
        assert_eq!(code(&out), 0);
        assert!(stdout(&out).contains("identity-admin"));
        assert!(stdout(&out).contains("import"));
    }
    let bad_listen = admin_with(
        &db,
        None,
        &[("IDENTITY_LISTEN", "nonsense")],
        &["config", "check"],
    );
    assert_eq!(code(&bad_listen), 2);
    assert!(stderr(&bad_listen).contains("listen"));
    let pages = tempfile::tempdir().unwrap();
    assert_eq!(
        code(&anonymous(
            &db,
            &["man", "--dir", pages.path().to_str().unwrap()]
        )),
        0
    );
    assert!(pages.path().join("identity-admin-jobs-run.1").exists());
    let man = anonymous(&db, &["man"]);
    assert_eq!(code(&man), 0);
    assert!(stdout(&man).starts_with(".ie") || stdout(&man).contains(".TH identity-admin"));
    assert_eq!(code(&anonymous(&db, &["completions", "powershell"])), 2);
    assert!(!db.exists());
}
