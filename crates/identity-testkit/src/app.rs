//! [`TestApp`]: the service on a fresh database, with a manual clock and a seeded
//! source of randomness, built by [`TestApp::builder`] (or the shortcuts
//! [`sqlite`] and [`postgres`]).

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use identity_service::ports::SeededRandomness;
use identity_service::{HashCost, JobRun, ManualClock, PasswordHasher, Service, ServiceConfig};
use identity_store::{ConnectOptions, SqlStore};

use crate::server::TestServer;

/// The seed of the test source of randomness: every run draws the same codes,
/// secrets and tokens.
pub const SEED: u64 = 20_261_124;

/// The login domain of every test service.
pub const LOGIN_DOMAIN: &str = "test.example.it";

/// Where the manual clock of a new [`TestApp`] starts.
///
/// # Panics
/// Never: the date is valid.
#[must_use]
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 15, 9, 30, 0)
        .single()
        .expect("a valid date")
}

/// The database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file in a temporary directory (always available).
    Sqlite,
    /// A database of its own on the server named by `TEST_POSTGRES_URL`.
    Postgres,
}

/// A service on a fresh database, with a manual clock. A clone shares the
/// database (swap its `service` to see the same data through other settings).
#[derive(Clone)]
pub struct TestApp {
    /// The use cases, wired to the store, the clock and the seeded randomness.
    pub service: Service,
    /// The store, for reading what the use cases wrote.
    pub store: Arc<SqlStore>,
    /// The clock every use case reads: move it to go through days and years.
    pub clock: Arc<ManualClock>,
    /// The database URL (for a second node or a child process on the same data).
    pub url: String,
    /// Which backend it is.
    pub backend: Backend,
    _guard: Arc<Guard>,
}

/// What keeps the database alive as long as the app.
enum Guard {
    Dir(
        #[expect(
            dead_code,
            reason = "kept for its Drop: the directory goes with the app"
        )]
        tempfile::TempDir,
    ),
    Postgres,
}

impl TestApp {
    /// A builder, for settings other than the defaults.
    #[must_use]
    pub fn builder() -> TestAppBuilder {
        TestAppBuilder {
            backend: Backend::Sqlite,
            config: ServiceConfig {
                login_domain: LOGIN_DOMAIN.into(),
                ..ServiceConfig::default()
            },
            hash_threads: 4,
        }
    }

    /// The same database and clock seen through `service`.
    #[must_use]
    pub fn with_service(&self, service: Service) -> TestApp {
        TestApp {
            service,
            ..self.clone()
        }
    }

    /// The real server on a free loopback port, serving this app; mail queued by
    /// the test's own calls links to it too.
    pub async fn serve(&mut self) -> TestServer {
        let server = TestServer::start(self.service.clone()).await;
        self.service = self.service.clone().with_public_url(&server.base);
        server
    }

    /// [`TestApp::serve`], with the public URL `http://<host>:<port>`.
    pub async fn serve_as(&mut self, host: &str) -> TestServer {
        let server = TestServer::start_as(self.service.clone(), host).await;
        self.service = self.service.clone().with_public_url(&server.base);
        server
    }

    /// A second node on the same database: another store and service with the
    /// same clock and settings (jobs and leases across nodes).
    ///
    /// # Panics
    /// When the database cannot be reached.
    pub async fn second_node(&self) -> TestApp {
        let store = Arc::new(
            SqlStore::connect(&self.url, &ConnectOptions::default())
                .await
                .expect("a second connection"),
        );
        let service = Service::new(
            store.clone(),
            self.clock.clone(),
            self.service.hasher().clone(),
            self.service.config().clone(),
        );
        TestApp {
            service,
            store,
            ..self.clone()
        }
    }

    /// Runs one calendar job for real, as of the test clock; its report.
    ///
    /// # Panics
    /// Never: a run of one job reports that job.
    pub async fn run_job(&self, job: identity_service::usecases::jobs::Job) -> JobRun {
        let mut runs = self
            .service
            .run_jobs(&identity_service::usecases::jobs::JobOptions {
                as_of: None,
                dry_run: false,
                only: Some(job),
                node: "test".into(),
            })
            .await;
        runs.remove(0)
    }
}

/// Builds a [`TestApp`].
pub struct TestAppBuilder {
    backend: Backend,
    config: ServiceConfig,
    hash_threads: usize,
}

impl TestAppBuilder {
    /// On `backend` (SQLite by default).
    #[must_use]
    pub fn backend(mut self, backend: Backend) -> TestAppBuilder {
        self.backend = backend;
        self
    }

    /// With other use-case settings (the login domain stays the tests' one unless
    /// `change` sets another).
    #[must_use]
    pub fn config(mut self, change: impl FnOnce(&mut ServiceConfig)) -> TestAppBuilder {
        change(&mut self.config);
        self
    }

    /// With `threads` password-hashing threads (4 by default).
    #[must_use]
    pub fn hash_threads(mut self, threads: usize) -> TestAppBuilder {
        self.hash_threads = threads;
        self
    }

    /// The app, or `None` when it asks for PostgreSQL and `TEST_POSTGRES_URL` is not
    /// set (the test is then skipped, and says so). With `REQUIRE_POSTGRES` set (CI)
    /// a missing URL fails instead, so a skipped suite cannot pass unnoticed.
    ///
    /// # Panics
    /// When the database cannot be created or migrated.
    pub async fn build(self) -> Option<TestApp> {
        let (url, guard) = match self.backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("a temporary directory");
                let url = format!("sqlite://{}/identity.db", dir.path().display());
                (url, Guard::Dir(dir))
            }
            Backend::Postgres => (fresh_postgres_database().await?, Guard::Postgres),
        };
        let store = Arc::new(
            SqlStore::connect(&url, &ConnectOptions::default())
                .await
                .expect("connects and migrates"),
        );
        let clock = Arc::new(ManualClock::new(start_time()));
        let hasher =
            PasswordHasher::new(HashCost::cheap_for_tests(), self.hash_threads).expect("a hasher");
        let service = Service::new(store.clone(), clock.clone(), hasher, self.config)
            .with_randomness(Arc::new(SeededRandomness::new(SEED)));
        Some(TestApp {
            service,
            store,
            clock,
            url,
            backend: self.backend,
            _guard: Arc::new(guard),
        })
    }
}

/// A service on a fresh SQLite database in a temporary directory.
///
/// # Panics
/// When the database cannot be created.
pub async fn sqlite() -> TestApp {
    TestApp::builder()
        .build()
        .await
        .expect("SQLite is always available")
}

/// A service on a fresh PostgreSQL database, or `None` when `TEST_POSTGRES_URL` is
/// not set (see [`TestAppBuilder::build`]).
pub async fn postgres() -> Option<TestApp> {
    TestApp::builder().backend(Backend::Postgres).build().await
}

/// Creates a database named after the one of `TEST_POSTGRES_URL`
/// (`<name>_t_<random>`, so a CI run can find and drop its own) and returns its URL.
async fn fresh_postgres_database() -> Option<String> {
    let Ok(base) = std::env::var("TEST_POSTGRES_URL") else {
        assert!(
            std::env::var("REQUIRE_POSTGRES").is_err(),
            "REQUIRE_POSTGRES is set but TEST_POSTGRES_URL is not: the PostgreSQL suite would be skipped"
        );
        eprintln!("TEST_POSTGRES_URL not set: PostgreSQL test skipped");
        return None;
    };
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
    Some(format!("{server}/{name}"))
}

/// Defines each listed test twice, `sqlite::NAME` and `postgres::NAME`: each is
/// an `async fn NAME(app: TestApp)` in the calling module.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::sqlite().await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(app) = $crate::postgres().await {
                        super::$name(app).await;
                    }
                }
            )*
        }
    };
}
