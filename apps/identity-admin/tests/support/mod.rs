//! Running the operator CLI against a real SQLite database, for the CLI tests.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::BTreeMap;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use identity_service::{AuditQuery, HashCost, PasswordHasher, Service, ServiceConfig, SystemClock};
use identity_store::{ConnectOptions, SqlStore};

pub struct Db {
    _dir: tempfile::TempDir,
    pub url: String,
    /// Operator name -> token, for the operators the tests act as (all admins,
    /// the first added through the CLI's bootstrap, the others by it).
    tokens: Mutex<BTreeMap<String, String>>,
}

pub fn db() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/identity.db", dir.path().display());
    Db {
        _dir: dir,
        url,
        tokens: Mutex::new(BTreeMap::new()),
    }
}

impl Db {
    /// Whether the SQLite file was created.
    pub fn exists(&self) -> bool {
        std::path::Path::new(&self.url["sqlite://".len()..]).exists()
    }
}

/// The CLI on the test database, with no operator token and the two-person
/// rule off (tests of the rule turn it on).
fn command(db: &Db) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_identity-admin"));
    command
        .env("IDENTITY_DATABASE_URL", &db.url)
        .env("IDENTITY_LOGIN_DOMAIN", "test.example.it")
        .env("IDENTITY_ARGON2__MEMORY_KIB", "64")
        .env("IDENTITY_ARGON2__ITERATIONS", "1")
        .env("IDENTITY_TWO_PERSON_APPROVAL", "false")
        .env_remove("IDENTITY_OPERATOR_TOKEN")
        .env_remove("IDENTITY_CONFIG");
    command
}

/// The token of the admin operator `name`, added through the CLI when first asked.
pub fn token(db: &Db, name: &str) -> String {
    let mut tokens = db.tokens.lock().unwrap();
    if let Some(t) = tokens.get(name) {
        return t.clone();
    }
    let mut add = command(db);
    if let Some(first) = tokens.values().next() {
        add.env("IDENTITY_OPERATOR_TOKEN", first);
    }
    let out = add
        .args(["--json", "operator", "add", name, "--role", "admin"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let added: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let token = added["token"].as_str().unwrap().to_owned();
    tokens.insert(name.to_owned(), token.clone());
    token
}

/// Runs the CLI. `--operator NAME` in `args` is the tests' shorthand for acting
/// as the admin operator NAME: it is taken out and NAME's token is set instead.
pub fn admin(db: &Db, args: &[&str]) -> Output {
    match args.iter().position(|a| *a == "--operator") {
        Some(i) if i + 1 < args.len() => {
            let mut rest: Vec<&str> = args.to_vec();
            let name = rest.remove(i + 1);
            rest.remove(i);
            admin_as(db, Some(name), &rest)
        }
        // Without a name: the tests' default operator, anna, once the database
        // exists; before, anonymously, so that nothing creates the database.
        _ if db.exists() => admin_as(db, Some("anna"), args),
        _ => admin_as(db, None, args),
    }
}

/// Runs the CLI with no operator token at all.
pub fn anonymous(db: &Db, args: &[&str]) -> Output {
    admin_as(db, None, args)
}

/// Runs the CLI with a token that is never checked, for usage errors found
/// before the database is opened (which must then not be created).
pub fn unchecked_token(db: &Db, args: &[&str]) -> Output {
    admin_with(
        db,
        None,
        &[("IDENTITY_OPERATOR_TOKEN", "idop_unchecked")],
        args,
    )
}

/// Runs the CLI as the admin operator `operator`, or with no token.
pub fn admin_as(db: &Db, operator: Option<&str>, args: &[&str]) -> Output {
    admin_with(db, operator, &[], args)
}

/// [`admin_as`] with extra environment variables.
pub fn admin_with(db: &Db, operator: Option<&str>, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut command = command(db);
    if let Some(name) = operator {
        command.env("IDENTITY_OPERATOR_TOKEN", token(db, name));
    }
    command
        .envs(env.iter().copied())
        .args(args)
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
        .register(identity_testkit::person_registration("mario@example.it"))
        .await
        .unwrap()
}

/// Mario registered, with a digital identity requested (pending); its id.
pub async fn pending_identity(
    service: &Service,
) -> (identity_service::usecases::register::Registered, String) {
    let registered = register(service).await;
    let identity = service
        .request_identity(registered.holder_id, registered.login_id.number())
        .await
        .unwrap();
    (registered, identity.id().to_string())
}

/// `identity verify` of `id` with an in-person proofing and a valid card.
pub fn verify_args(id: &str) -> Vec<&str> {
    vec![
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
}

/// The JSON a command printed, which must have succeeded.
pub fn json_of(o: &Output) -> serde_json::Value {
    assert_eq!(code(o), 0, "{}", stderr(o));
    serde_json::from_str(&stdout(o)).unwrap()
}

/// The JSON a command printed, which must have been refused (exit code 1).
pub fn json_of_failed(o: &Output) -> serde_json::Value {
    assert_eq!(code(o), 1, "{}", stderr(o));
    serde_json::from_str(&stdout(o)).unwrap()
}

/// Runs the CLI with `token` as the operator token (or none).
pub fn with_token(db: &Db, token: Option<&str>, args: &[&str]) -> Output {
    let env: Vec<(&str, &str)> = token
        .map(|t| vec![("IDENTITY_OPERATOR_TOKEN", t)])
        .unwrap_or_default();
    admin_with(db, None, &env, args)
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
