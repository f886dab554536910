//! `audit query|export` and `holder export` against a real SQLite database.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use serde_json::Value;
use support::*;

#[tokio::test]
async fn the_audit_trail_of_one_holder_is_exported_as_json_lines() {
    let db = db();
    let service = service(&db).await;
    let registered = register(&service).await;
    let other = service
        .register(identity_testkit::company_registration())
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
    // The CLI's days are Rome's: at 23:30 UTC it is already tomorrow there.
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Rome)
        .format("%Y-%m-%d")
        .to_string();
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
