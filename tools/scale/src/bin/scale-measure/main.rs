//! Times the hot requests and the calendar jobs on a database `scale-populate`
//! filled: `scale-measure --database-url URL --holders N`. Each request runs on
//! holders picked across the whole range; the median and the 99th percentile are
//! printed as a Markdown table row per request. `--jobs` also runs the calendar
//! jobs (as a dry run: every transaction rolled back) and, with `--purge`, the
//! retention job for real while sign-ins run beside it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use clap::Parser;
use identity_core::LoginId;
use identity_scale::{people, populate};
use identity_service::model::AuditQuery;
use identity_service::ports::SystemClock;
use identity_service::usecases::jobs::{Job, JobOptions};
use identity_service::{HashCost, PasswordHasher, Service, ServiceConfig};
use identity_store::{ConnectOptions, SqlStore};

/// Measures a populated database.
#[derive(Parser)]
struct Args {
    /// `sqlite://PATH` or `postgres://...`.
    #[arg(long)]
    database_url: String,
    /// How many holders `scale-populate` wrote.
    #[arg(long)]
    holders: u64,
    /// Calls per request (the slow ones take a tenth).
    #[arg(long, default_value_t = 200)]
    calls: usize,
    /// Also run the calendar jobs (dry run) and report time and memory.
    #[arg(long)]
    jobs: bool,
    /// Also run the retention job for real, with sign-ins beside it.
    #[arg(long)]
    purge: bool,
}

const DOMAIN: &str = "test.example.it";

/// Median and 99th percentile of `samples`, in milliseconds.
fn summary(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    let at = |q: f64| {
        let i = ((samples.len() as f64 - 1.0) * q).round() as usize;
        samples[i].as_secs_f64() * 1000.0
    };
    (at(0.5), at(0.99))
}

/// Holder number `k` of a run: spread over the whole range by a multiplier
/// coprime with it.
fn pick(k: usize, holders: u64) -> u64 {
    (k as u64 * 7_919 + 11) % holders
}

/// The next holder from `k` on that has an active identity.
fn active_holder(mut i: u64, holders: u64) -> u64 {
    loop {
        if populate::identity_id(i).is_some() && (i * 13) % 20 >= 4 {
            return i;
        }
        i = (i + 1) % holders;
    }
}

/// Resident memory now and at its peak, in MiB (Linux).
fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

async fn time<F, Fut>(calls: usize, mut f: F) -> anyhow::Result<(f64, f64)>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    // A few calls first, so the statements are prepared and the pages cached.
    for k in 0..calls.div_ceil(10) {
        f(k + 1_000_000).await?;
    }
    let mut samples = Vec::with_capacity(calls);
    for k in 0..calls {
        let started = Instant::now();
        f(k).await?;
        samples.push(started.elapsed());
    }
    Ok(summary(samples))
}

fn row(name: &str, (median, p99): (f64, f64)) {
    println!("| {name} | {median:.2} | {p99:.2} |");
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // Warnings (a slow purge batch, say) on stderr; RUST_LOG for more.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    if args.holders < 100 {
        bail!("--holders: measure a database of at least 100 holders");
    }
    let store = SqlStore::connect(&args.database_url, &ConnectOptions::default())
        .await
        .context("opening the database")?;
    let hasher = PasswordHasher::new(HashCost::default(), 2).context("the hasher")?;
    let service = Service::new(
        Arc::new(store),
        Arc::new(SystemClock),
        hasher,
        ServiceConfig {
            login_domain: DOMAIN.into(),
            // A fixed key (a benchmark's, never a provider's), so the signing keys
            // and the pairwise salt the first run seals open in the next runs.
            keyring: identity_service::Keyring::new("scale", vec![("scale".into(), [7; 32])])
                .context("the keyring")?,
            ..ServiceConfig::default()
        },
    );
    let n = args.holders;
    let calls = args.calls;
    let slow = (calls / 10).max(5);
    println!("| request | median (ms) | p99 (ms) |");
    println!("|---|---|---|");

    let hash = service
        .hasher()
        .hash(identity_testkit::PASSWORD.to_owned())
        .await?;
    row(
        "argon2id verify alone (19 MiB, t=2)",
        time(slow, |_| {
            let (service, hash) = (service.clone(), hash.clone());
            async move {
                service
                    .hasher()
                    .verify(identity_testkit::PASSWORD.to_owned(), hash)
                    .await?;
                Ok(())
            }
        })
        .await?,
    );
    row(
        "register (includes one argon2id hash)",
        time(slow, |k| {
            let service = service.clone();
            async move {
                let email = format!("scale-{}-{k}@example.it", uuid::Uuid::new_v4().simple());
                service
                    .register(identity_testkit::person_registration(&email))
                    .await?;
                Ok(())
            }
        })
        .await?,
    );
    row(
        "password sign-in, customer area (includes one argon2id verify)",
        time(slow, |k| {
            let service = service.clone();
            async move {
                let i = pick(k, n);
                let login = LoginId::new(populate::login_number(i, 0), DOMAIN);
                service
                    .sign_in_password(&login, identity_testkit::PASSWORD, Some("10.9.9.9"))
                    .await?;
                Ok(())
            }
        })
        .await?,
    );
    row(
        "customer area overview (/account)",
        time(calls, |k| {
            let service = service.clone();
            async move {
                service
                    .holder_overview(people::holder_id(pick(k, n)))
                    .await?;
                Ok(())
            }
        })
        .await?,
    );
    row(
        "last accesses, first page of 20",
        time(calls, |k| {
            let service = service.clone();
            async move {
                service
                    .accesses(people::holder_id(pick(k, n)), None, None, 0, 20)
                    .await?;
                Ok(())
            }
        })
        .await?,
    );
    row(
        "last accesses, last 90 days",
        time(calls, |k| {
            let service = service.clone();
            async move {
                let from = chrono::Utc::now() - chrono::Duration::days(90);
                service
                    .accesses(people::holder_id(pick(k, n)), Some(from), None, 0, 20)
                    .await?;
                Ok(())
            }
        })
        .await?,
    );
    let heavy = people::holder_id(populate::HEAVY_HOLDER);
    let before = memory();
    row(
        "last accesses as CSV, the holder with 100,000 records",
        time(5, |_| {
            let service = service.clone();
            async move {
                // Read as the page streams it: a part at a time, then dropped.
                let mut csv = service.accesses_csv(heavy, None, None);
                let mut lines = 0;
                while let Some(chunk) = csv.next_chunk().await? {
                    lines += chunk.matches('\n').count();
                }
                anyhow::ensure!(lines > 1_000, "the CSV has {lines} lines");
                Ok(())
            }
        })
        .await?,
    );
    let after = memory();
    println!(
        "<!-- CSV: resident {:.1} MiB before, {:.1} after, peak {:.1} -->",
        before.0, after.0, after.1
    );
    row(
        "lost account: login ids by tax code and email",
        time(calls, |k| {
            let service = service.clone();
            async move {
                let i = pick(k, n) / 100 * 100 + k as u64 % 85;
                let i = i.min(n - 1);
                // One client address per call: the page allows a few per address.
                let ip = format!("10.{}.{}.{}", k / 65_536 % 256, k / 256 % 256, k % 256);
                service
                    .remind_login_ids(&people::person_tax_code(i), &people::email(i), Some(&ip))
                    .await?;
                Ok(())
            }
        })
        .await?,
    );
    row(
        "holder search by email",
        time(calls, |k| {
            let service = service.clone();
            async move {
                let found = service.find_holders(&people::email(pick(k, n))).await?;
                anyhow::ensure!(found.len() == 1, "search by email found {}", found.len());
                Ok(())
            }
        })
        .await?,
    );
    row(
        "holder search by tax code",
        time(calls, |k| {
            let service = service.clone();
            async move {
                let i = (pick(k, n) / 100 * 100 + k as u64 % 85).min(n - 1);
                let found = service.find_holders(&people::person_tax_code(i)).await?;
                anyhow::ensure!(!found.is_empty(), "search by tax code found nothing");
                Ok(())
            }
        })
        .await?,
    );
    row(
        "audit query --holder (newest 50)",
        time(calls, |k| {
            let service = service.clone();
            async move {
                service
                    .audit_trail(&AuditQuery {
                        holder_id: Some(people::holder_id(pick(k, n))),
                        limit: 50,
                        latest: true,
                        ..AuditQuery::default()
                    })
                    .await?;
                Ok(())
            }
        })
        .await?,
    );
    crate::oidc::measure(&service, n, slow + 3).await?;

    if args.jobs {
        for job in Job::ALL {
            let before = memory();
            let started = Instant::now();
            let runs = service
                .run_jobs(&JobOptions {
                    as_of: None,
                    dry_run: true,
                    only: Some(job),
                    node: "scale-measure".into(),
                })
                .await;
            let secs = started.elapsed().as_secs_f64();
            let after = memory();
            let counts = runs
                .first()
                .map(|r| serde_json::to_string(&r.counts).unwrap_or_default())
                .unwrap_or_default();
            let error = runs.first().and_then(|r| r.error.clone());
            println!(
                "| job {} (dry run) | {secs:.1} s | resident {:.0} -> {:.0} MiB, peak {:.0}; {counts}{} |",
                job.name(),
                before.0,
                after.0,
                after.1,
                error.map(|e| format!(" ERROR {e}")).unwrap_or_default()
            );
        }
    }
    if args.purge {
        crate::purge::measure(&service, n).await?;
    }
    Ok(())
}

mod oidc;
mod purge;
