//! An old build on a database a newer build migrated (a rolling upgrade, a
//! rolled-back binary): migrations applied above this build's newest are
//! tolerated, an unknown one below it still stops the start. On SQLite always and
//! on PostgreSQL when `TEST_POSTGRES_URL` is set.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use identity_service::Store;
use identity_store::{ConnectOptions, SqlStore};
use identity_testkit::{Backend, TestApp};

/// Records `version` as applied, as sqlx does after running a migration.
async fn record_applied(h: &TestApp, version: i64) {
    let checksum = match h.backend {
        Backend::Sqlite => "X'00'",
        Backend::Postgres => "'\\x00'::bytea",
    };
    h.store
        .execute_raw(&format!(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES ({version}, 'applied by another build', TRUE, {checksum}, 0)"
        ))
        .await
        .unwrap();
}

async fn a_newer_build_s_migration_does_not_stop_an_old_one(h: TestApp) {
    record_applied(&h, 99_991_231_000_000).await;
    let store = SqlStore::connect(&h.url, &ConnectOptions::default())
        .await
        .expect("an old build starts on a database a newer build migrated");
    assert_eq!(
        store.pending_migrations().await.unwrap(),
        0,
        "ready: nothing this build carries is missing"
    );
    store
        .migrate()
        .await
        .expect("and migrating again changes nothing");
    store.close().await;
}

async fn an_unknown_migration_below_the_newest_still_stops_it(h: TestApp) {
    record_applied(&h, 0).await;
    let refused = SqlStore::connect(&h.url, &ConnectOptions::default())
        .await
        .expect_err("another line of migrations is not this build's schema");
    assert!(
        refused
            .to_string()
            .contains("migration 0 was previously applied"),
        "{refused}"
    );
}

identity_testkit::both_backends!(
    a_newer_build_s_migration_does_not_stop_an_old_one,
    an_unknown_migration_below_the_newest_still_stops_it,
);
