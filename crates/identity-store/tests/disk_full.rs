//! SQLite's disk full: a write is refused as `Unavailable` (answered "try again
//! shortly"), nothing of it stays, and once there is room again the same pool
//! writes, even with a single connection that the failure could have left inside
//! its transaction. The full disk is simulated with `PRAGMA max_page_count`,
//! which makes SQLite answer exactly as a full disk does (SQLITE_FULL).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use identity_service::{Store, StoreError};
use identity_store::{ConnectOptions, SqlStore};

async fn register(store: &SqlStore, email: &str) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    identity_testkit::write_prepared_registration(
        tx.as_mut(),
        email,
        identity_testkit::start_time(),
    )
    .await?;
    tx.commit().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_writes_as_unavailable_and_the_pool_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("identity.db").display());
    let options = ConnectOptions {
        max_connections: 1,
        ..ConnectOptions::default()
    };
    let store = SqlStore::connect(&url, &options).await.unwrap();
    register(&store, "first@example.it").await.unwrap();

    // No page more than the file has now (on this connection, the pool's only
    // one): the pages have some room left, so write until it runs out.
    store
        .execute_raw("PRAGMA max_page_count = 1")
        .await
        .unwrap();
    let mut stored = 0;
    loop {
        match register(&store, &format!("full{stored}@example.it")).await {
            Ok(()) => stored += 1,
            Err(StoreError::Unavailable(_)) => break,
            Err(other) => panic!("a full disk must be Unavailable, got {other:?}"),
        }
        assert!(stored < 1000, "the writes were never refused");
    }

    // SQLite rolled the transaction back itself, so sqlx's ROLLBACK failed and
    // the connection still counted one level of transaction: the pool must not
    // hand it out again (a connection opened anew has no page limit: room again).
    for n in 0..5 {
        register(&store, &format!("after{n}@example.it"))
            .await
            .expect("writes go through once there is room");
    }
    let mut tx = store.begin().await.unwrap();
    let found = tx
        .holders_by_fiscal_code("RSSMRA85T10A562S", false)
        .await
        .unwrap();
    assert_eq!(
        found.len(),
        1 + stored + 5,
        "the first, those that found room, the five after; none of the refused"
    );
    drop(tx);
    store.execute_raw("PRAGMA integrity_check").await.unwrap();
}
