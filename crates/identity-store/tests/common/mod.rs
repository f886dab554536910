//! The harness of the contract suite: a fresh database per test, on SQLite always
//! and on PostgreSQL when `TEST_POSTGRES_URL` is set.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use identity_core::holder::{BusinessIdentity, PersonIdentity};
use identity_core::{
    Address, CompanyHolder, Contacts, EmailAddress, HolderKind, InvoicingChannel, Lang,
    PersonHolder, PersonalTaxCode, PhoneNumber, PostalCode, ProvinceCode, Sex, SubjectKind,
    TaxCode, VatNumber,
};
use identity_service::usecases::register::Registration;
use identity_service::{HashCost, ManualClock, PasswordHasher, Service, ServiceConfig};
use identity_store::{ConnectOptions, SqlStore};

/// A service on a fresh database, with a manual clock. A clone shares the
/// database (swap its `service` to see the same data through other settings).
#[derive(Clone)]
pub struct Harness {
    pub service: Service,
    pub store: Arc<SqlStore>,
    pub clock: Arc<ManualClock>,
    pub url: String,
    _guard: Arc<Guard>,
}

impl Harness {
    /// The same database and clock seen through `service`.
    pub fn with_service(&self, service: Service) -> Harness {
        Harness {
            service,
            ..self.clone()
        }
    }
}

enum Guard {
    Dir(tempfile::TempDir),
    Postgres,
}

/// The seed of the harness's source of randomness.
pub const SEED: u64 = 20_261_124;

pub fn start_time() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 15, 9, 30, 0)
        .single()
        .unwrap()
}

async fn harness(url: String, guard: Guard) -> Harness {
    let store = Arc::new(
        SqlStore::connect(&url, &ConnectOptions::default())
            .await
            .expect("connects and migrates"),
    );
    let clock = Arc::new(ManualClock::new(start_time()));
    let hasher = PasswordHasher::new(HashCost::cheap_for_tests(), 4).unwrap();
    let config = ServiceConfig {
        login_domain: "test.example.it".into(),
        ..ServiceConfig::default()
    };
    // A seeded source: every run draws the same codes, secrets and tokens.
    let service = Service::new(store.clone(), clock.clone(), hasher, config).with_randomness(
        Arc::new(identity_service::ports::SeededRandomness::new(SEED)),
    );
    Harness {
        service,
        store,
        clock,
        url,
        _guard: Arc::new(guard),
    }
}

pub async fn sqlite() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/identity.db", dir.path().display());
    harness(url, Guard::Dir(dir)).await
}

/// A fresh database on the server named by `TEST_POSTGRES_URL`, or `None` (the
/// test is skipped) when it is not set. With `REQUIRE_POSTGRES=1` (set by CI) a
/// missing URL fails the test instead, so a skipped suite cannot pass unnoticed.
pub async fn postgres() -> Option<Harness> {
    let Ok(base) = std::env::var("TEST_POSTGRES_URL") else {
        assert!(
            std::env::var("REQUIRE_POSTGRES").is_err(),
            "REQUIRE_POSTGRES is set but TEST_POSTGRES_URL is not: the PostgreSQL suite would be skipped"
        );
        eprintln!("TEST_POSTGRES_URL not set: PostgreSQL contract test skipped");
        return None;
    };
    // Named after the run's database, so a run can find and drop its own.
    let (server, base_db) = base.rsplit_once('/').expect("URL with a database path");
    let base_db = base_db.split('?').next().unwrap_or(base_db);
    let suffix = &uuid::Uuid::new_v4().simple().to_string()[..16];
    let name = format!("{base_db}_t_{suffix}");
    let admin = SqlStore::connect_without_migrating(&base, &ConnectOptions::default())
        .await
        .expect("admin connection");
    admin
        .execute_raw(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("create test database");
    admin.close().await;
    Some(harness(format!("{server}/{name}"), Guard::Postgres).await)
}

/// Defines each listed contract test twice: `sqlite::NAME` and `postgres::NAME`.
#[macro_export]
macro_rules! contract_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::common::sqlite().await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(h) = super::common::postgres().await {
                        super::$name(h).await;
                    }
                }
            )*
        }
    };
}

// ---- test data ------------------------------------------------------------

pub const PASSWORD: &str = "Ver0-Sicura!x";

pub fn mario() -> PersonIdentity {
    PersonIdentity::new(
        "Mario",
        "Rossi",
        PersonalTaxCode::parse("RSSMRA85T10A562S").unwrap(),
        NaiveDate::from_ymd_opt(1985, 12, 10).unwrap(),
        "A562",
        Sex::Male,
    )
    .unwrap()
}

pub fn address() -> Address {
    Address::new(
        "Via Roma 1",
        Some(PostalCode::parse("00184").unwrap()),
        "Roma",
        ProvinceCode::parse("RM").unwrap(),
        "",
    )
    .unwrap()
}

pub fn contacts(email: &str) -> Contacts {
    Contacts {
        email: EmailAddress::parse(email).unwrap(),
        phone: PhoneNumber::parse("333 123 4567").unwrap(),
        pec: None,
    }
}

pub fn person_registration(email: &str) -> Registration {
    Registration {
        kind: HolderKind::Person(PersonHolder { person: mario() }),
        address: address(),
        contacts: contacts(email),
        lang: Lang::It,
        password: PASSWORD.into(),
        consents: vec![(identity_core::ConsentKind::Marketing, true)],
        accept_tax_code_mismatch: false,
    }
}

pub fn company_registration() -> Registration {
    let business = BusinessIdentity::new(
        "Esempio S.r.l.",
        Some(VatNumber::parse("12345670017").unwrap()),
        Some(TaxCode::parse("12345670017").unwrap()),
    )
    .unwrap();
    let company = CompanyHolder::new(
        SubjectKind::Azienda,
        business,
        Some(InvoicingChannel::sdi("ABC1234").unwrap()),
    )
    .unwrap();
    Registration {
        kind: HolderKind::Company(company),
        address: address(),
        contacts: contacts("amministrazione@esempio.it"),
        lang: Lang::En,
        password: PASSWORD.into(),
        consents: Vec::new(),
        accept_tax_code_mismatch: false,
    }
}

/// Mario's registration prepared for `write_registration`, as the use case would.
pub fn prepared_registration(
    email: &str,
    at: chrono::DateTime<Utc>,
) -> identity_service::usecases::register::PreparedRegistration {
    identity_service::usecases::register::PreparedRegistration {
        holder: identity_core::Holder::new(
            identity_core::HolderId::from_uuid(uuid::Uuid::now_v7()),
            HolderKind::Person(PersonHolder { person: mario() }),
            address(),
            contacts(email),
            Lang::It,
            at,
        ),
        password_hash: "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaA".into(),
        consents: Vec::new(),
    }
}

/// Registers Mario (the usual test person); his holder id and login number.
pub async fn register_mario(h: &Harness) -> (identity_core::HolderId, identity_core::LoginNumber) {
    let r = registered_mario(h).await;
    (r.holder_id, r.login_id.number())
}

/// Registers Mario with `mario.rossi@example.it`; the whole result.
pub async fn registered_mario(h: &Harness) -> identity_service::usecases::register::Registered {
    h.service
        .register(person_registration("mario.rossi@example.it"))
        .await
        .unwrap()
}

/// An in-person proofing with an identity card valid until 2031.
pub fn proofing(h: &Harness) -> identity_core::identity::Proofing {
    use identity_core::identity::{DocumentKind, IdentityDocument, Proofing, ProofingMethod};
    Proofing {
        method: ProofingMethod::InPerson,
        document: IdentityDocument::new(
            DocumentKind::IdentityCard,
            "CA12345AB",
            "Comune di Roma",
            NaiveDate::from_ymd_opt(2031, 5, 1).unwrap(),
            identity_core::calendar::rome_date(h.service.now()),
        )
        .unwrap(),
        evidence_ref: "sportello-42/2026".into(),
    }
}

/// Waits (up to 20 s) until something listens on `127.0.0.1:port`; for test
/// servers started as child processes (an SMTP server, chromedriver).
pub async fn wait_for_port(port: u16, what: &str) {
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{what} did not start"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// A free TCP port on loopback (free when asked; the caller binds it soon after).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
