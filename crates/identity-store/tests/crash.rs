//! A registration killed mid-transaction leaves nothing behind: a child process
//! writes a whole registration without committing, signals, and is killed with
//! SIGKILL; the database must then hold no trace of it. Runs on SQLite always and
//! on PostgreSQL when `TEST_POSTGRES_URL` is set.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use identity_service::{AuditQuery, Store};
use identity_store::{ConnectOptions, SqlStore};

const CHILD: &str = "child_registration_that_never_commits";

async fn kill_mid_registration(h: identity_testkit::TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("written");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([CHILD, "--exact", "--ignored", "--nocapture"])
        .env("CRASH_DB_URL", &h.url)
        .env("CRASH_MARKER", &marker)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !marker.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the child never wrote its registration"
        );
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the child exited early: {status}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let mut tx = h.store.begin().await.unwrap();
    assert!(
        tx.holders_by_fiscal_code("RSSMRA85T10A562S", false)
            .await
            .unwrap()
            .is_empty(),
        "no holder"
    );
    assert!(
        tx.audit(&AuditQuery::default()).await.unwrap().is_empty(),
        "no audit record"
    );
    assert!(
        tx.outbox(None, 10).await.unwrap().is_empty(),
        "no queued mail"
    );
    // The database is healthy afterwards: a real registration goes through.
    drop(tx);
    h.service
        .register(identity_testkit::person_registration("mario@example.it"))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_registration_killed_mid_transaction_leaves_nothing() {
    kill_mid_registration(identity_testkit::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_registration_killed_mid_transaction_leaves_nothing() {
    if let Some(h) = identity_testkit::postgres().await {
        kill_mid_registration(h).await;
    }
}

/// The child side: started by the tests above, never on its own.
#[tokio::test]
#[ignore = "run in a child process by the crash tests"]
async fn child_registration_that_never_commits() {
    let (Ok(url), Ok(marker)) = (std::env::var("CRASH_DB_URL"), std::env::var("CRASH_MARKER"))
    else {
        return;
    };
    let store = SqlStore::connect(&url, &ConnectOptions::default())
        .await
        .unwrap();
    let mut tx = store.begin().await.unwrap();
    identity_testkit::write_prepared_registration(
        tx.as_mut(),
        "mario@example.it",
        identity_testkit::start_time(),
    )
    .await
    .unwrap();
    std::fs::write(marker, b"written").unwrap();
    // Wait to be killed with the transaction open.
    tokio::time::sleep(Duration::from_secs(600)).await;
}
