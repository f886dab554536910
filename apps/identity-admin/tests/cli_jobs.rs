//! `identity-admin jobs run|status` against a real SQLite database: as of a
//! later date, dry and for real, audited under the operator.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use support::*;

#[tokio::test]
async fn jobs_run_as_of_a_later_date_dry_and_for_real() {
    let db = db();
    let service = service(&db).await;
    let (_, id) = pending_identity(&service).await;
    assert_eq!(code(&admin(&db, &verify_args(&id))), 0);
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
