//! Running the operator CLI against a real SQLite database, for the CLI tests.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::process::{Command, Output};
use std::sync::Arc;

use identity_service::{AuditQuery, HashCost, PasswordHasher, Service, ServiceConfig, SystemClock};
use identity_store::{ConnectOptions, SqlStore};

pub struct Db {
    _dir: tempfile::TempDir,
    pub url: String,
}

pub fn db() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/identity.db", dir.path().display());
    Db { _dir: dir, url }
}

pub fn admin(db: &Db, args: &[&str]) -> Output {
    admin_as(db, None, args)
}

/// Runs the CLI with `IDENTITY_OPERATOR` set to `operator`, or unset.
pub fn admin_as(db: &Db, operator: Option<&str>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_identity-admin"));
    match operator {
        Some(name) => command.env("IDENTITY_OPERATOR", name),
        None => command.env_remove("IDENTITY_OPERATOR"),
    };
    command
        .args(args)
        .env("IDENTITY_DATABASE_URL", &db.url)
        .env("IDENTITY_LOGIN_DOMAIN", "test.example.it")
        .env("IDENTITY_ARGON2__MEMORY_KIB", "64")
        .env("IDENTITY_ARGON2__ITERATIONS", "1")
        .env_remove("IDENTITY_CONFIG")
        .output()
        .unwrap()
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub async fn service(db: &Db) -> Service {
    let store = SqlStore::connect(&db.url, &ConnectOptions::default())
        .await
        .unwrap();
    let hasher = PasswordHasher::new(HashCost::cheap_for_tests(), 1).unwrap();
    let config = ServiceConfig {
        login_domain: "test.example.it".into(),
        ..ServiceConfig::default()
    };
    Service::new(Arc::new(store), Arc::new(SystemClock), hasher, config)
}

pub async fn register(service: &Service) -> identity_service::usecases::register::Registered {
    service
        .register(crate::common::person_registration("mario@example.it"))
        .await
        .unwrap()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The audit log as `(event, actor)` pairs.
pub async fn audit_events(service: &Service) -> Vec<(String, String)> {
    let mut tx = service.store().begin_read().await.unwrap();
    tx.audit(&AuditQuery::default())
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.event, a.actor))
        .collect()
}
