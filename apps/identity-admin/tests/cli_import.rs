//! `import holders` against a real SQLite database: a thousand rows with bad
//! ones, re-runs, missing columns.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use serde_json::Value;
use support::*;

#[tokio::test]
async fn a_thousand_holders_are_imported_and_bad_rows_reported() {
    let db = db();
    let _service = service(&db).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("holders.csv");
    let bad = [3, 100, 501, 998];
    std::fs::write(&path, identity_testkit::people_csv::csv(1000, &bad)).unwrap();
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
    std::fs::write(path, identity_testkit::people_csv::csv(1000, &[])).unwrap();
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
    let bad_kind =
        identity_testkit::people_csv::row(7000).replacen("persona_fisica", "persona fisica", 1);
    std::fs::write(
        &kind,
        format!("{}\n{bad_kind}\n", identity_testkit::people_csv::HEADER),
    )
    .unwrap();
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
    let row = identity_testkit::people_csv::row(5000);
    std::fs::write(
        &twice,
        format!("{}\n{row}\n{row}\n", identity_testkit::people_csv::HEADER),
    )
    .unwrap();
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
