//! The operator CLI's operations commands against a real SQLite database:
//! operator accounts and roles, the two-person rule, the calendar jobs (as of a
//! date, dry runs), the audit export, bulk import, orders, service providers,
//! the remaining identity and login commands, completions and the man page.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../../../crates/identity-store/tests/common/mod.rs"]
mod common;

mod support;

use serde_json::Value;
use support::*;

fn json_of(o: &std::process::Output) -> Value {
    assert_eq!(code(o), 0, "{}", stderr(o));
    serde_json::from_str(&stdout(o)).unwrap()
}

/// Runs the CLI with `token` as the operator token (or none).
fn with_token(db: &Db, token: Option<&str>, args: &[&str]) -> std::process::Output {
    let env: Vec<(&str, &str)> = token
        .map(|t| vec![("IDENTITY_OPERATOR_TOKEN", t)])
        .unwrap_or_default();
    admin_with(db, None, &env, args)
}

fn verify_args(id: &str) -> Vec<String> {
    [
        "identity",
        "verify",
        id,
        "--method",
        "in-person",
        "--document-type",
        "identity-card",
        "--document-number",
        "CA12345AB",
        "--issuer",
        "Comune di Roma",
        "--expires",
        "2035-01-01",
        "--evidence",
        "desk-42",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[tokio::test]
async fn operators_authenticate_by_token_and_act_within_their_role() {
    let db = db();
    let service = service(&db).await;
    let registered = register(&service).await;
    let identity = service
        .request_identity(registered.holder_id, registered.login_id.number())
        .await
        .unwrap();
    let id = identity.id().to_string();

    // The first operator is added without a token, once, and must be an admin.
    let viewer_first = with_token(&db, None, &["operator", "add", "zoe", "--role", "viewer"]);
    assert_eq!(code(&viewer_first), 2, "{}", stderr(&viewer_first));
    let first = json_of(&with_token(
        &db,
        None,
        &["--json", "operator", "add", "anna", "--role", "admin"],
    ));
    let anna = first["token"].as_str().unwrap().to_owned();
    assert!(anna.starts_with("idop_"));
    let second = with_token(
        &db,
        None,
        &["operator", "add", "mallory", "--role", "admin"],
    );
    assert_eq!(
        code(&second),
        2,
        "no second bootstrap, an admin's token is needed: {}",
        stderr(&second)
    );
    assert!(stderr(&second).contains("IDENTITY_OPERATOR_TOKEN"));

    let viewer = json_of(&with_token(
        &db,
        Some(&anna),
        &["--json", "operator", "add", "vera", "--role", "viewer"],
    ));
    let vera = viewer["token"].as_str().unwrap().to_owned();
    // A viewer reads but does not change.
    assert_eq!(
        code(&with_token(
            &db,
            Some(&vera),
            &["holder", "show", "RSSMRA85T10A562S"]
        )),
        0
    );
    let refused = with_token(
        &db,
        Some(&vera),
        &["identity", "suspend", &id, "--reason", "suspected-fraud"],
    );
    assert_eq!(code(&refused), 1);
    assert!(
        stderr(&refused).contains("needs operator"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(
        code(&with_token(&db, Some(&vera), &["operator", "list"])),
        1,
        "admins only"
    );
    // A wrong token is refused; a disabled operator's token stops working.
    assert_eq!(
        code(&with_token(
            &db,
            Some("idop_wrong"),
            &["holder", "show", "x"]
        )),
        1
    );
    assert_eq!(
        code(&with_token(
            &db,
            Some(&anna),
            &["operator", "disable", "vera"]
        )),
        0
    );
    assert_eq!(
        code(&with_token(
            &db,
            Some(&vera),
            &["holder", "show", "RSSMRA85T10A562S"]
        )),
        1
    );
    // The last admin stays.
    let last = with_token(&db, Some(&anna), &["operator", "disable", "anna"]);
    assert_eq!(code(&last), 1);
    assert!(stderr(&last).contains("last enabled admin"));
    // A new token replaces the old one.
    let renewed = json_of(&with_token(
        &db,
        Some(&anna),
        &["--json", "operator", "token", "anna"],
    ));
    let anna2 = renewed["token"].as_str().unwrap().to_owned();
    assert_eq!(
        code(&with_token(&db, Some(&anna), &["operator", "list"])),
        1
    );
    let list = json_of(&with_token(
        &db,
        Some(&anna2),
        &["--json", "operator", "list"],
    ));
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert!(list[0].get("token_hash").is_none(), "no secret is listed");

    let events = audit_events(&service).await;
    assert!(events.contains(&("operator.added".into(), "bootstrap".into())));
    assert!(events.contains(&("operator.added".into(), "operator:anna".into())));
    assert!(events.contains(&("operator.disabled".into(), "operator:anna".into())));
}

#[tokio::test]
async fn the_two_person_rule_needs_a_second_operator_to_verify_an_identity() {
    let db = db();
    let service = service(&db).await;
    let registered = register(&service).await;
    let identity = service
        .request_identity(registered.holder_id, registered.login_id.number())
        .await
        .unwrap();
    let id = identity.id().to_string();
    let two = [("IDENTITY_TWO_PERSON_APPROVAL", "true")];
    let mut args = vec!["--json".to_owned()];
    args.extend(verify_args(&id));
    let asked = admin_with(&db, Some("anna"), &two, &strs(&args));
    let asked = json_of(&asked);
    assert_eq!(asked["state"], "pending");
    let approval = asked["id"].as_str().unwrap().to_owned();
    assert_eq!(
        service.identities_of(registered.holder_id).await.unwrap()[0]
            .state()
            .code(),
        "pending"
    );
    // Not by the one who asked.
    let own = admin_with(&db, Some("anna"), &two, &["approval", "confirm", &approval]);
    assert_eq!(code(&own), 1);
    assert!(stderr(&own).contains("second operator"));
    let pending = json_of(&admin_with(
        &db,
        Some("bruno"),
        &two,
        &["--json", "approval", "list"],
    ));
    assert_eq!(pending.as_array().unwrap().len(), 1);
    assert_eq!(
        code(&admin_with(
            &db,
            Some("bruno"),
            &two,
            &["approval", "confirm", &approval]
        )),
        0
    );
    assert_eq!(
        service.identities_of(registered.holder_id).await.unwrap()[0]
            .state()
            .code(),
        "active"
    );
    let again = admin_with(
        &db,
        Some("carla"),
        &two,
        &["approval", "confirm", &approval],
    );
    assert_eq!(code(&again), 1, "decided once");
    // A new identity document needs the second operator too.
    let document = json_of(&admin_with(
        &db,
        Some("anna"),
        &two,
        &[
            "--json",
            "identity",
            "record-document",
            &id,
            "--document-type",
            "passport",
            "--document-number",
            "YA7654321",
            "--issuer",
            "Questura di Roma",
            "--expires",
            "2036-01-01",
        ],
    ));
    assert_eq!(document["kind"], "identity.record_document");
    let doc_approval = document["id"].as_str().unwrap().to_owned();
    assert_eq!(
        code(&admin_with(
            &db,
            Some("bruno"),
            &two,
            &["approval", "confirm", &doc_approval]
        )),
        0
    );
    let shown = admin(&db, &["identity", "show", &id]);
    assert!(stdout(&shown).contains("YA7654321"), "{}", stdout(&shown));
    // Both halves of the decision are in the holder's trail.
    let trail = json_of(&admin(
        &db,
        &[
            "--json",
            "audit",
            "query",
            "--holder",
            "RSSMRA85T10A562S",
            "--event",
            "approval.",
        ],
    ));
    let trail: Vec<&str> = trail
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["event"].as_str().unwrap())
        .collect();
    assert!(
        trail.contains(&"approval.requested") && trail.contains(&"approval.confirmed"),
        "{trail:?}"
    );
    let events = audit_events(&service).await;
    assert!(events.contains(&("approval.requested".into(), "operator:anna".into())));
    assert!(events.contains(&("approval.confirmed".into(), "operator:bruno".into())));
    assert!(events.contains(&("identity.verified".into(), "operator:bruno".into())));
    // An empty rejection reason is a usage error.
    assert_eq!(
        code(&admin_with(
            &db,
            Some("bruno"),
            &two,
            &["approval", "reject", &approval, "--reason", " "]
        )),
        2
    );
}

#[tokio::test]
async fn jobs_run_as_of_a_later_date_dry_and_for_real() {
    let db = db();
    let service = service(&db).await;
    let registered = register(&service).await;
    let identity = service
        .request_identity(registered.holder_id, registered.login_id.number())
        .await
        .unwrap();
    let id = identity.id().to_string();
    assert_eq!(code(&admin(&db, &strs(&verify_args(&id)))), 0);
    assert_eq!(
        code(&admin(
            &db,
            &["identity", "suspend", &id, "--reason", "suspected-fraud"]
        )),
        0
    );
    assert_eq!(code(&admin(&db, &["jobs", "run", "--job", "nightly"])), 2);
    assert_eq!(
        code(&admin(&db, &["jobs", "run", "--as-of", "next tuesday"])),
        2
    );
    let later = (chrono::Utc::now() + chrono::Duration::days(45))
        .format("%Y-%m-%d")
        .to_string();
    let dry = admin(&db, &["jobs", "run", "--as-of", &later, "--dry-run"]);
    assert_eq!(code(&dry), 0, "{}", stderr(&dry));
    assert!(
        stdout(&dry).contains("kept_suspended=1"),
        "{}",
        stdout(&dry)
    );
    assert!(stdout(&dry).contains("dry run"));
    let shown = json_of(&admin(&db, &["--json", "identity", "show", &id]));
    assert!(shown["suspension_deadline"].is_string() || shown["state"] == "suspended");
    let status = admin(&db, &["jobs", "status"]);
    assert!(
        stdout(&status).contains("no job has run yet"),
        "dry runs are not recorded"
    );
    let refused = admin(&db, &["jobs", "run", "--as-of", &later]);
    assert_eq!(
        code(&refused),
        2,
        "a future date needs --dry-run or --allow-future"
    );
    let real = json_of(&admin(
        &db,
        &["--json", "jobs", "run", "--as-of", &later, "--allow-future"],
    ));
    let deadlines = real
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["job"] == "suspension_deadlines")
        .unwrap();
    assert_eq!(deadlines["counts"]["kept_suspended"], 1);
    let again = json_of(&admin(
        &db,
        &[
            "--json",
            "jobs",
            "run",
            "--as-of",
            &later,
            "--allow-future",
            "--job",
            "suspension_deadlines",
        ],
    ));
    assert_eq!(again[0]["counts"], serde_json::json!({}), "nothing twice");
    let status = json_of(&admin(&db, &["--json", "jobs", "status"]));
    assert_eq!(status.as_array().unwrap().len(), 7);
    let events = audit_events(&service).await;
    assert!(events.contains(&(
        "identity.deadline_passed".into(),
        "system:suspension_deadline".into()
    )));
    assert!(
        events.contains(&("jobs.run".into(), "operator:anna".into())),
        "who ran them"
    );
}

#[tokio::test]
async fn the_audit_trail_of_one_holder_is_exported_as_json_lines() {
    let db = db();
    let service = service(&db).await;
    let registered = register(&service).await;
    let other = service
        .register(common::company_registration())
        .await
        .unwrap();
    let _ = other;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("audit.jsonl");
    let file = file.to_str().unwrap();
    let holder = registered.login_id.to_string();
    assert_eq!(
        code(&admin(
            &db,
            &["audit", "export", "--holder", &holder, "--output", file]
        )),
        0
    );
    let text = std::fs::read_to_string(file).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!lines.is_empty());
    assert!(
        lines
            .iter()
            .all(|l| l["holder_id"] == registered.holder_id.to_string())
    );
    assert!(lines.iter().any(|l| l["event"] == "holder.registered"));
    // The file exists now: a second export refuses to overwrite it.
    assert_eq!(code(&admin(&db, &["audit", "export", "--output", file])), 2);
    // Filters: an event prefix, a day range, an actor.
    let prefix = json_of(&admin(
        &db,
        &["--json", "audit", "query", "--event", "holder."],
    ));
    assert!(
        prefix
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["event"].as_str().unwrap().starts_with("holder."))
    );
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let ranged = json_of(&admin(
        &db,
        &["--json", "audit", "query", "--from", &today, "--to", &today],
    ));
    assert!(!ranged.as_array().unwrap().is_empty());
    let none = json_of(&admin(
        &db,
        &[
            "--json",
            "audit",
            "query",
            "--from",
            "2001-01-01",
            "--to",
            "2001-01-02",
        ],
    ));
    assert!(none.as_array().unwrap().is_empty());
    assert_eq!(
        code(&admin(
            &db,
            &[
                "audit",
                "query",
                "--from",
                "2030-01-02",
                "--to",
                "2030-01-01"
            ]
        )),
        2
    );
    // The export itself is audited.
    let exported = json_of(&admin(
        &db,
        &["--json", "audit", "query", "--event", "operator.exported"],
    ));
    assert_eq!(exported[0]["actor"], "operator:anna");
    // The holder's whole record, too.
    let record = json_of(&admin(&db, &["holder", "export", &holder]));
    assert_eq!(record["holder"]["id"], registered.holder_id.to_string());
    assert!(!record["audit_trail"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_thousand_holders_are_imported_and_bad_rows_reported() {
    let db = db();
    let _service = service(&db).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("holders.csv");
    let bad = [3, 100, 501, 998];
    std::fs::write(&path, people::csv(1000, &bad)).unwrap();
    let path = path.to_str().unwrap();

    let dry = admin(&db, &["--json", "import", "holders", path, "--dry-run"]);
    assert_eq!(code(&dry), 1, "some rows are refused");
    let report: Value = serde_json::from_str(&stdout(&dry)).unwrap();
    assert_eq!(report["imported"], 996);
    assert_eq!(report["refused"], 4);
    let rows: Vec<u64> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["row"].as_u64().unwrap())
        .collect();
    assert_eq!(
        rows,
        [5, 102, 503, 1000],
        "row numbers as in a spreadsheet (header is row 1)"
    );
    let fields: Vec<&str> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["birth_date", "tax_code", "email", "postal_code"]);
    let holders = json_of(&admin(
        &db,
        &["--json", "audit", "query", "--event", "holder.imported"],
    ));
    assert!(
        holders.as_array().unwrap().is_empty(),
        "a dry run stores nothing"
    );

    let real = admin(&db, &["import", "holders", path]);
    assert_eq!(code(&real), 1);
    let out = stdout(&real);
    assert!(
        out.contains("996 holders imported, 0 rows already on file (skipped), 4 rows refused"),
        "{out}"
    );
    assert!(
        out.contains("ROW") && out.contains("not-an-email") || out.contains("email"),
        "{out}"
    );
    // Imported holders are found, with a login that has no password yet.
    let found = json_of(&admin(
        &db,
        &["--json", "holder", "search", "person7@example.it"],
    ));
    assert_eq!(found.as_array().unwrap().len(), 1);
    // The same file again imports nobody twice: the rows on file are skipped,
    // the bad ones refused again.
    let again = json_of_failed(&admin(&db, &["--json", "import", "holders", path]));
    assert_eq!(again["imported"], 0);
    assert_eq!(again["already_on_file"], 996);
    assert_eq!(again["refused"], 4);
    // With the bad rows fixed, a run ends well and imports just those.
    std::fs::write(path, people::csv(1000, &[])).unwrap();
    let fixed = json_of(&admin(&db, &["--json", "import", "holders", path]));
    assert_eq!(fixed["imported"], 4);
    assert_eq!(fixed["already_on_file"], 996);
    assert_eq!(fixed["holders"][0]["row"], 5);
    assert!(fixed["holders"][0]["login"].as_str().unwrap().contains('@'));
    // Missing columns and unknown subject kinds are named.
    let short = dir.path().join("short.csv");
    std::fs::write(
        &short,
        "given_name,family_name,tax_code\nMario,Rossi,RSSMRA85T10A562S\n",
    )
    .unwrap();
    let short = admin(&db, &["import", "holders", short.to_str().unwrap()]);
    assert_eq!(code(&short), 2);
    assert!(
        stderr(&short).contains("missing column(s) subject_kind"),
        "{}",
        stderr(&short)
    );
    let kind = dir.path().join("kind.csv");
    let bad_kind = people::row(7000).replacen("persona_fisica", "persona fisica", 1);
    std::fs::write(&kind, format!("{}\n{bad_kind}\n", people::HEADER)).unwrap();
    let kind = json_of_failed(&admin(
        &db,
        &["--json", "import", "holders", kind.to_str().unwrap()],
    ));
    assert!(
        kind["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("persona_fisica, azienda"),
        "{kind}"
    );
    // A holder twice in one file is imported once.
    let twice = dir.path().join("twice.csv");
    let row = people::row(5000);
    std::fs::write(&twice, format!("{}\n{row}\n{row}\n", people::HEADER)).unwrap();
    let twice = json_of_failed(&admin(
        &db,
        &["--json", "import", "holders", twice.to_str().unwrap()],
    ));
    assert_eq!(twice["imported"], 1);
    assert_eq!(twice["problems"][0]["row"], 3);
    assert!(
        twice["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("row 2")
    );
    // A file with an unknown column is refused before anything is read.
    let wrong = dir.path().join("wrong.csv");
    std::fs::write(&wrong, "given_name,shoe_size\nMario,43\n").unwrap();
    let wrong = admin(&db, &["import", "holders", wrong.to_str().unwrap()]);
    assert_eq!(code(&wrong), 2);
    assert!(stderr(&wrong).contains("shoe_size"));
    assert_eq!(
        code(&admin(&db, &["import", "holders", "/nonexistent.csv"])),
        2
    );
}

fn json_of_failed(o: &std::process::Output) -> Value {
    assert_eq!(code(o), 1, "{}", stderr(o));
    serde_json::from_str(&stdout(o)).unwrap()
}

#[tokio::test]
async fn identities_logins_orders_and_service_providers_from_the_cli() {
    let db = db();
    let service = service(&db).await;
    let registered = register(&service).await;
    let identity = service
        .request_identity(registered.holder_id, registered.login_id.number())
        .await
        .unwrap();
    let id = identity.id().to_string();
    // The request opened an order, which verification completes.
    let open = json_of(&admin(&db, &["--json", "order", "list"]));
    assert_eq!(open[0]["kind"], "digital_identity");
    let order = open[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(code(&admin(&db, &strs(&verify_args(&id)))), 0);
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

#[tokio::test]
async fn the_remaining_success_paths_reset_codes_orders_rejections_and_schema() {
    let db = db();
    let service = service(&db).await;
    // An imported holder's login has no password: an operator sends a reset code.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("one.csv");
    std::fs::write(&file, people::csv(1, &[])).unwrap();
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
    let mut args = vec!["--json".to_owned()];
    args.extend(verify_args(&identity.id().to_string()));
    let asked = json_of(&admin_with(&db, Some("anna"), &two, &strs(&args)));
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
