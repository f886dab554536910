//! Fills a database with generated holders: `scale-populate --database-url URL
//! --holders 1000000`. The schema is created first; the database should be empty.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use anyhow::Context as _;
use clap::Parser;
use identity_scale::populate::{self, Plan};
use identity_service::{HashCost, PasswordHasher};
use identity_store::{BulkRows, ConnectOptions, SqlStore};

/// Fills a database with a national provider's data.
#[derive(Parser)]
struct Args {
    /// `sqlite://PATH` or `postgres://...`.
    #[arg(long)]
    database_url: String,
    /// Holders to write.
    #[arg(long, default_value_t = 1_000_000)]
    holders: u64,
    /// Access records per holder.
    #[arg(long, default_value_t = 10)]
    accesses_per_holder: u64,
    /// Audit entries per holder.
    #[arg(long, default_value_t = 10)]
    audit_per_holder: u64,
    /// Extra access records of the heavy holder (the largest CSV download).
    #[arg(long, default_value_t = 100_000)]
    heavy_accesses: u64,
    /// Holders per transaction.
    #[arg(long, default_value_t = 1_000)]
    batch: u64,
    /// Transactions in flight at once (PostgreSQL gains from two; SQLite has one writer).
    #[arg(long, default_value_t = 1)]
    writers: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let store = SqlStore::connect(
        &args.database_url,
        &ConnectOptions {
            max_connections: u32::try_from(args.writers).unwrap_or(1).max(1) + 1,
            ..ConnectOptions::default()
        },
    )
    .await
    .context("opening the database")?;
    let hasher = PasswordHasher::new(HashCost::default(), 1).context("the hasher")?;
    let plan = Plan {
        now: chrono::Utc::now(),
        password_hash: hasher
            .hash(identity_testkit::PASSWORD.to_owned())
            .await
            .context("hashing the password")?,
        accesses_per_holder: args.accesses_per_holder,
        audit_per_holder: args.audit_per_holder,
    };
    let started = Instant::now();
    let mut in_flight = tokio::task::JoinSet::new();
    let written = Arc::new(AtomicU64::new(0));
    let mut start = 0;
    while start < args.holders {
        let end = (start + args.batch).min(args.holders);
        let (plan, store, written) = (plan.clone(), store.clone(), written.clone());
        if in_flight.len() >= args.writers.max(1) {
            in_flight.join_next().await.context("a writer")???;
        }
        in_flight.spawn(async move {
            let rows = tokio::task::spawn_blocking(move || {
                let mut rows = BulkRows::default();
                populate::holders(&plan, start, end, &mut rows);
                rows
            })
            .await?;
            store.insert_bulk(&rows).await.context("writing a batch")?;
            // Progress as batches are written, every 100,000 holders.
            let before = written.fetch_add(end - start, Ordering::Relaxed);
            let now = before + end - start;
            if now / 100_000 > before / 100_000 {
                let secs = started.elapsed().as_secs_f64();
                eprintln!(
                    "{now} holders written in {secs:.0} s ({:.0} holders/s)",
                    now as f64 / secs
                );
            }
            anyhow::Ok(())
        });
        start = end;
    }
    while let Some(done) = in_flight.join_next().await {
        done??;
    }
    let holders_secs = started.elapsed().as_secs_f64();
    let mut first = 0;
    while first < args.heavy_accesses {
        let n = (args.heavy_accesses - first).min(20_000);
        let mut rows = BulkRows::default();
        populate::heavy_accesses(&plan, first, n, &mut rows);
        store
            .insert_bulk(&rows)
            .await
            .context("the heavy holder's accesses")?;
        first += n;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{} holders ({} access records and {} audit entries each, {} more accesses for holder {}) \
         written in {secs:.0} s (holders {holders_secs:.0} s)",
        args.holders,
        args.accesses_per_holder,
        args.audit_per_holder,
        args.heavy_accesses,
        populate::HEAVY_HOLDER
    );
    Ok(())
}
