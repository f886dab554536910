//! The retention job for real (it deletes what is past its time: about half the
//! generated access records), with customer-area sign-ins running beside it: how
//! long a sign-in waits while the purge runs, against the same sign-ins before.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use identity_core::LoginId;
use identity_scale::populate;
use identity_service::Service;
use identity_service::usecases::jobs::{Job, JobOptions};

/// What the sign-ins beside (or before) the purge met.
#[derive(Default)]
struct SignIns {
    /// The time of each successful sign-in.
    samples: Vec<Duration>,
    /// Each failed one: when it started (since the task began), how long it
    /// took, and the error; a failure is recorded, not fatal, so the run still
    /// shows the latencies and whether the failure waited (a busy timeout) or not.
    failures: Vec<(Duration, Duration, String)>,
}

/// Signs holders in one after the other until `stop`.
async fn sign_ins(service: Service, holders: u64, stop: Arc<AtomicBool>, offset: usize) -> SignIns {
    let mut seen = SignIns::default();
    let began = Instant::now();
    let mut k = offset;
    while !stop.load(Ordering::Relaxed) {
        let i = super::pick(k, holders);
        let login = LoginId::new(populate::login_number(i, 0), super::DOMAIN);
        let started = Instant::now();
        match service
            .sign_in_password(&login, identity_testkit::PASSWORD, Some("10.9.9.7"))
            .await
        {
            Ok(_) => seen.samples.push(started.elapsed()),
            Err(e) => {
                seen.failures
                    .push((started - began, started.elapsed(), format!("{e} ({e:?})")))
            }
        }
        k += 1;
    }
    seen
}

fn print_failures(what: &str, seen: &SignIns) {
    for (at, took, error) in &seen.failures {
        println!(
            "| {what}: a sign-in failed | at {:.1} s, after {:.1} ms | {error} |",
            at.as_secs_f64(),
            took.as_secs_f64() * 1000.0
        );
    }
}

fn max_ms(samples: &[Duration]) -> f64 {
    samples
        .iter()
        .max()
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

pub async fn measure(service: &Service, holders: u64) -> anyhow::Result<()> {
    // Sign-ins alone for 10 s.
    let stop = Arc::new(AtomicBool::new(false));
    let alone = tokio::spawn(sign_ins(service.clone(), holders, stop.clone(), 5_000));
    tokio::time::sleep(Duration::from_secs(10)).await;
    stop.store(true, Ordering::Relaxed);
    let alone = alone.await?;
    // The same with the retention job running.
    let stop = Arc::new(AtomicBool::new(false));
    let beside = tokio::spawn(sign_ins(service.clone(), holders, stop.clone(), 50_000));
    let before = super::memory();
    let started = Instant::now();
    let runs = service
        .run_jobs(&JobOptions {
            as_of: None,
            dry_run: false,
            only: Some(Job::Retention),
            node: "scale-measure".into(),
        })
        .await;
    let secs = started.elapsed().as_secs_f64();
    let after = super::memory();
    stop.store(true, Ordering::Relaxed);
    let beside = beside.await?;
    print_failures("alone", &alone);
    print_failures("beside the purge", &beside);
    let (alone, beside) = (alone.samples, beside.samples);
    let run = runs.first();
    println!(
        "| retention job, for real | {secs:.1} s | resident {:.0} -> {:.0} MiB, peak {:.0}; {}{} |",
        before.0,
        after.0,
        after.1,
        run.map(|r| serde_json::to_string(&r.counts).unwrap_or_default())
            .unwrap_or_default(),
        run.and_then(|r| r.error.clone())
            .map(|e| format!(" ERROR {e}"))
            .unwrap_or_default()
    );
    let (alone_max, beside_max) = (max_ms(&alone), max_ms(&beside));
    let (a50, a99) = super::summary(alone);
    let n = beside.len();
    let (b50, b99) = super::summary(beside);
    println!(
        "| sign-in alone (10 s) | median {a50:.1} ms | p99 {a99:.1} ms, max {alone_max:.1} ms |"
    );
    println!(
        "| sign-in beside the purge ({n}) | median {b50:.1} ms | p99 {b99:.1} ms, max {beside_max:.1} ms |"
    );
    Ok(())
}
