//! Bulk-import rate: `identity-admin import holders` on a file of N made-up
//! people (default 100,000; `IMPORT_ROWS` to change it) into a fresh SQLite
//! database, or a fresh PostgreSQL database when `BENCH_POSTGRES_URL` names a
//! server database (`postgres://postgres@127.0.0.1:5432/postgres`). Runs the
//! release binary as an operator would and prints rows per second.
//!
//! `cargo bench -p identity-admin --bench import`

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::process::Command;
use std::time::Instant;

fn cli(url: &str, token: Option<&str>, args: &[&str]) -> std::process::Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_identity-admin"));
    c.args(args)
        .env("IDENTITY_DATABASE_URL", url)
        .env("IDENTITY_LOGIN_DOMAIN", "bench.example.it")
        .env_remove("IDENTITY_CONFIG")
        .env_remove("IDENTITY_OPERATOR_TOKEN");
    if let Some(t) = token {
        c.env("IDENTITY_OPERATOR_TOKEN", t);
    }
    c.output().unwrap()
}

fn database(dir: &std::path::Path) -> String {
    match std::env::var("BENCH_POSTGRES_URL") {
        Err(_) => format!("sqlite://{}/identity.db", dir.display()),
        Ok(base) => {
            let name = format!("import_bench_{}", std::process::id());
            let admin = Command::new("psql")
                .args([&base, "-c", &format!("CREATE DATABASE {name}")])
                .output()
                .expect("psql");
            assert!(
                admin.status.success(),
                "{}",
                String::from_utf8_lossy(&admin.stderr)
            );
            let (server, _) = base.rsplit_once('/').unwrap();
            format!("{server}/{name}")
        }
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` would pass nothing.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let rows: usize = std::env::var("IMPORT_ROWS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("holders.csv");
    std::fs::write(&file, identity_testkit::people_csv::csv(rows, &[])).unwrap();
    let url = database(dir.path());
    let added = cli(
        &url,
        None,
        &["--json", "operator", "add", "bench", "--role", "admin"],
    );
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let token: serde_json::Value = serde_json::from_slice(&added.stdout).unwrap();
    let token = token["token"].as_str().unwrap().to_owned();
    let started = Instant::now();
    let out = cli(
        &url,
        Some(&token),
        &["--json", "import", "holders", file.to_str().unwrap()],
    );
    let seconds = started.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["imported"].as_u64(), Some(rows as u64));
    let backend = if url.starts_with("postgres") {
        "postgresql"
    } else {
        "sqlite"
    };
    println!(
        "import holders: {rows} rows into {backend} in {seconds:.1} s = {:.0} rows/s (whole command, start to exit)",
        rows as f64 / seconds
    );
}
