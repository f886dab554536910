//! Every statement the hot requests and the calendar jobs run uses an index on
//! the large tables: the statements are caught as sqlx runs them (its
//! `sqlx::query` events), on a database of 5,000 generated holders with 50,000
//! access records and 50,000 audit entries, then explained: `EXPLAIN QUERY PLAN`
//! on SQLite (as production runs it, without `ANALYZE`), a generic-plan `EXPLAIN`
//! on PostgreSQL after `ANALYZE` (as autovacuum keeps it). A statement that reads
//! a large table from end to end fails the test with its plan.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use identity_core::LoginId;
use identity_scale::{people, populate};
use identity_service::model::AuditQuery;
use identity_service::usecases::jobs::JobOptions;
use identity_store::BulkRows;
use identity_testkit::Backend;
use identity_testkit::TestApp;
use sqlx::Row as _;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt as _};

const HOLDERS: u64 = 5_000;

/// The tables that grow with the holders: reading one whole is a bug.
const LARGE: [&str; 10] = [
    "holders",
    "logins",
    "passwords",
    "identities",
    "identity_credentials",
    "sessions",
    "access_records",
    "audit_log",
    "orders",
    "outbox",
];

/// Statements that read a large table whole on purpose, with the reason.
const WHOLE_READS: [(&str, &str); 2] = [
    (
        "GROUP BY k.email_normalized",
        "contact data shared by two identities: one pass over the live identities, \
         grouped by email and by phone, is the job (linear, hourly)",
    ),
    (
        "FROM passwords p JOIN logins l",
        "password expiry: the passwords of one week (found by their index) joined \
         to their logins; PostgreSQL hashes the logins when the week is a few per \
         cent of them, cheaper than as many look-ups (hourly job)",
    ),
];

/// Collects the text of every statement sqlx runs, and the plans PostgreSQL's
/// `auto_explain` sends back as notices.
#[derive(Clone, Default)]
struct Statements {
    sql: Arc<Mutex<BTreeSet<String>>>,
    plans: Arc<Mutex<Vec<String>>>,
}

struct Fields {
    summary: String,
    statement: String,
    message: String,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "summary" => value.clone_into(&mut self.summary),
            "db.statement" => value.clone_into(&mut self.statement),
            "message" => value.clone_into(&mut self.message),
            _ => {}
        }
    }
    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Statements {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let target = event.metadata().target();
        let mut f = Fields {
            summary: String::new(),
            statement: String::new(),
            message: String::new(),
        };
        event.record(&mut f);
        if target == "sqlx::postgres::notice" && f.message.contains("Query Text:") {
            self.plans.lock().unwrap().push(f.message);
            return;
        }
        if target != "sqlx::query" {
            return;
        }
        // sqlx gives a short statement whole as its summary.
        let sql = if f.statement.trim().is_empty() {
            f.summary
        } else {
            f.statement
        };
        self.sql.lock().unwrap().insert(sql.trim().to_owned());
    }
}

async fn populate(h: &TestApp) {
    let plan = populate::Plan {
        now: h.service.now(),
        password_hash: h
            .service
            .hasher()
            .hash(identity_testkit::PASSWORD.to_owned())
            .await
            .unwrap(),
        accesses_per_holder: 10,
        audit_per_holder: 10,
    };
    for start in (0..HOLDERS).step_by(1_000) {
        let mut rows = BulkRows::default();
        populate::holders(&plan, start, start + 1_000, &mut rows);
        h.store.insert_bulk(&rows).await.unwrap();
    }
    let mut rows = BulkRows::default();
    populate::heavy_accesses(&plan, 0, 2_000, &mut rows);
    h.store.insert_bulk(&rows).await.unwrap();
}

/// The hot requests and the jobs, on holders across the range.
async fn run_hot_requests(s: &identity_service::Service) {
    for k in 0..3u64 {
        let i = (k * 1_777 + 3) % HOLDERS;
        let holder = people::holder_id(i);
        let login = LoginId::new(populate::login_number(i, 0), "test.example.it");
        s.sign_in_password(&login, identity_testkit::PASSWORD, Some("10.1.1.1"))
            .await
            .unwrap();
        s.holder_overview(holder).await.unwrap();
        s.accesses(holder, None, None, 0, 20).await.unwrap();
        s.accesses(
            holder,
            Some(s.now() - chrono::Duration::days(90)),
            None,
            1,
            20,
        )
        .await
        .unwrap();
        s.accesses_csv(holder, None, None)
            .into_string()
            .await
            .unwrap();
        s.remind_login_ids(
            &people::person_tax_code(i),
            &people::email(i),
            Some("10.1.1.2"),
        )
        .await
        .unwrap();
        s.find_holders(&people::email(i)).await.unwrap();
        s.find_holders(&people::person_tax_code(i)).await.unwrap();
        s.audit_trail(&AuditQuery {
            holder_id: Some(holder),
            limit: 50,
            latest: true,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    }
    s.accesses_csv(people::holder_id(populate::HEAVY_HOLDER), None, None)
        .into_string()
        .await
        .unwrap();
    s.register(identity_testkit::person_registration("plans@example.it"))
        .await
        .unwrap();
    // Every job, for real, so the purges' batches run too.
    let runs = s
        .run_jobs(&JobOptions {
            as_of: None,
            dry_run: false,
            only: None,
            node: "plans".into(),
        })
        .await;
    for run in runs {
        assert!(run.error.is_none(), "{} failed: {:?}", run.job, run.error);
    }
}

fn explained(sql: &str) -> bool {
    let head = sql.trim_start().to_ascii_uppercase();
    (head.starts_with("SELECT") || head.starts_with("UPDATE") || head.starts_with("DELETE"))
        && !head.contains("_SQLX_MIGRATIONS")
}

/// The names `table` goes by in `sql`: its own and the aliases it is given
/// (`FROM identities i`), which is what SQLite's plans print.
fn names_in(table: &str, sql: &str) -> Vec<String> {
    const NOT_ALIASES: [&str; 12] = [
        "WHERE", "JOIN", "ON", "SET", "VALUES", "ORDER", "GROUP", "LIMIT", "AS", "INNER", "LEFT",
        "USING",
    ];
    let words: Vec<&str> = sql
        .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .collect();
    let mut names = vec![table.to_owned()];
    for pair in words.windows(2) {
        let alias = pair[1];
        if pair[0] == table
            && alias.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !NOT_ALIASES.contains(&alias.to_ascii_uppercase().as_str())
            && !names.iter().any(|n| n == alias)
        {
            names.push(alias.to_owned());
        }
    }
    names
}

/// The large tables `plan` (of `sql`) reads from end to end.
fn whole_reads(backend: Backend, sql: &str, plan: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in plan.lines() {
        for table in LARGE {
            let whole = match backend {
                // `SCAN t` without an index (`SCAN t USING INDEX` walks one in order).
                Backend::Sqlite => {
                    !line.contains("USING INDEX")
                        && !line.contains("USING COVERING INDEX")
                        && names_in(table, sql).iter().any(|name| {
                            line.trim_end().ends_with(&format!("SCAN {name}"))
                                || line.contains(&format!("SCAN {name} "))
                        })
                }
                Backend::Postgres => line.contains(&format!("Seq Scan on {table}")),
            };
            if whole {
                found.push(table.to_owned());
            }
        }
    }
    found
}

async fn sqlite_plan(url: &str, sql: &str) -> String {
    use sqlx::Connection as _;
    let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")))
        .fetch_all(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("explaining {sql}: {e}"));
    rows.iter()
        .map(|r| r.get::<String, _>(3))
        .collect::<Vec<_>>()
        .join("\n")
}

fn subscriber(statements: &Statements) -> impl tracing::Subscriber + Send + Sync {
    tracing_subscriber::registry()
        .with(statements.clone())
        .with(
            tracing_subscriber::filter::Targets::new()
                .with_target("sqlx::query", tracing::Level::TRACE)
                .with_target("sqlx::postgres::notice", tracing::Level::TRACE),
        )
}

fn report(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} statements read a large table whole:\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hot_statements_use_indexes_on_sqlite() {
    let h = identity_testkit::sqlite().await;
    populate(&h).await;
    let statements = Statements::default();
    tracing::subscriber::set_global_default(subscriber(&statements)).unwrap();
    run_hot_requests(&h.service).await;
    let caught: Vec<String> = statements.sql.lock().unwrap().iter().cloned().collect();
    let explained_ones: Vec<&String> = caught.iter().filter(|s| explained(s)).collect();
    assert!(
        explained_ones.len() >= 30,
        "only {} statements caught: {caught:#?}",
        explained_ones.len()
    );
    let mut failures = Vec::new();
    for sql in explained_ones {
        let plan = sqlite_plan(&h.url, sql).await;
        let whole = whole_reads(Backend::Sqlite, sql, &plan);
        if !whole.is_empty() && !allowed(sql) {
            failures.push(format!("{sql}\n  reads whole: {whole:?}\n{plan}\n"));
        }
    }
    report(&failures);
}

fn allowed(sql: &str) -> bool {
    WHOLE_READS.iter().any(|(s, _)| sql.contains(s))
}

/// On PostgreSQL the plans are the ones of the real executions, with their
/// values: `auto_explain` on every statement of the database, its plans sent
/// to the client as notices.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hot_statements_use_indexes_on_postgres() {
    let Some(h) = identity_testkit::postgres().await else {
        assert!(
            std::env::var_os("REQUIRE_POSTGRES").is_none(),
            "REQUIRE_POSTGRES is set but TEST_POSTGRES_URL is not"
        );
        eprintln!("skipped: TEST_POSTGRES_URL is not set");
        return;
    };
    populate(&h).await;
    h.store.execute_raw("ANALYZE").await.unwrap();
    let database = h.url.rsplit('/').next().unwrap().to_owned();
    for setting in [
        "session_preload_libraries = 'auto_explain'",
        "auto_explain.log_min_duration = 0",
        "auto_explain.log_level = 'notice'",
    ] {
        h.store
            .execute_raw(&format!("ALTER DATABASE \"{database}\" SET {setting}"))
            .await
            .unwrap();
    }
    // A pool of its own, whose connections start with those settings.
    let store =
        identity_store::SqlStore::connect(&h.url, &identity_store::ConnectOptions::default())
            .await
            .unwrap();
    let service = identity_service::Service::new(
        Arc::new(store),
        h.clock.clone(),
        identity_service::PasswordHasher::new(identity_service::HashCost::default(), 1).unwrap(),
        identity_service::ServiceConfig {
            login_domain: "test.example.it".into(),
            ..identity_service::ServiceConfig::default()
        },
    );
    let statements = Statements::default();
    tracing::subscriber::set_global_default(subscriber(&statements)).unwrap();
    run_hot_requests(&service).await;
    let plans = statements.plans.lock().unwrap().clone();
    assert!(plans.len() >= 100, "only {} plans caught", plans.len());
    let mut failures = BTreeSet::new();
    for plan in &plans {
        let sql = plan
            .split("Query Text:")
            .nth(1)
            .and_then(|rest| rest.lines().next())
            .unwrap_or_default()
            .trim()
            .to_owned();
        let whole = whole_reads(Backend::Postgres, &sql, plan);
        if !whole.is_empty() && !allowed(&sql) {
            failures.insert(format!("{sql}\n  reads whole: {whole:?}\n{plan}\n"));
        }
    }
    report(&failures.into_iter().collect::<Vec<_>>());
}

#[test]
fn a_whole_read_is_found_under_the_table_s_alias_too() {
    let sql =
        "SELECT i.id FROM identities i JOIN holders h ON h.id = i.holder_id WHERE h.email = $1";
    assert_eq!(
        whole_reads(
            Backend::Sqlite,
            sql,
            "SCAN i\nSEARCH h USING INDEX sqlite_autoindex_holders_1 (id=?)"
        ),
        vec!["identities".to_owned()]
    );
    assert!(
        whole_reads(
            Backend::Sqlite,
            sql,
            "SEARCH i USING INDEX identities_holder (holder_id=?)"
        )
        .is_empty()
    );
    assert_eq!(
        whole_reads(
            Backend::Sqlite,
            "DELETE FROM sessions WHERE created_at < $1",
            "SCAN sessions"
        ),
        vec!["sessions".to_owned()]
    );
}
