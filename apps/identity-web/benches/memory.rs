//! Resident memory of the real `identity-web` binary, idle and through a flood
//! of password sign-ins at full rate, at several flood concurrencies
//! (`cargo bench -p identity-web --bench memory`; `BENCH_SECS` sets the flood's
//! length, default 60; `BENCH_CONCURRENCY` the concurrencies, default
//! `8,64,256`; `BENCH_AFTER_SECS` the wait before the last reading, default 10).
//! For each concurrency, on a fresh database and server: resident memory
//! (`VmRSS`) once started, its peak during the flood (sampled every 100 ms), and
//! after it; the sign-ins done and the ones answered 503 at
//! once because the hashing queue was full, and the ones refused (401).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

mod support;

use support::{Conn, SignInForm, start_server};

/// Resident memory of process `pid`, in MiB.
fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    kib / 1024.0
}

fn setting<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Row {
    concurrency: usize,
    started: f64,
    peak: f64,
    after: f64,
    signed_in: u64,
    shed: u64,
    refused: u64,
}

fn flood(concurrency: usize, run: Duration) -> Row {
    // One login and one client address per connection, as from many people:
    // concurrent attempts on one login, or from one address, meet its throttle.
    let (server, logins) = start_server(
        concurrency,
        &[("IDENTITY_CLIENT_IP_HEADER", "x-forwarded-for")],
    );
    let pid = server.child.id();
    let form = SignInForm::fetch(&server.addr);
    std::thread::sleep(Duration::from_secs(2));
    let started = rss_mib(pid);

    let stop = Arc::new(AtomicBool::new(false));
    let counter = || Arc::new(AtomicU64::new(0));
    let (signed_in, shed, refused) = (counter(), counter(), counter());
    let load: Vec<_> = logins
        .iter()
        .enumerate()
        .map(|(i, login)| {
            let client = format!("10.0.{}.{}", i / 250, i % 250 + 1);
            let (addr, request) = (server.addr.clone(), form.request_from(login, Some(&client)));
            let (stop, signed_in, shed, refused) = (
                stop.clone(),
                signed_in.clone(),
                shed.clone(),
                refused.clone(),
            );
            std::thread::spawn(move || {
                let mut c = Conn::open(&addr);
                while !stop.load(Ordering::Relaxed) {
                    match c.call(&request).0 {
                        303 => signed_in.fetch_add(1, Ordering::Relaxed),
                        503 => shed.fetch_add(1, Ordering::Relaxed),
                        // The login throttled: its attempts shed with 503 counted
                        // as failures (a finding of this benchmark, see
                        // docs/benchmarks.md).
                        401 => refused.fetch_add(1, Ordering::Relaxed),
                        other => panic!("sign-in answered {other}"),
                    };
                }
            })
        })
        .collect();
    let until = Instant::now() + run;
    let mut peak = started;
    while Instant::now() < until {
        peak = peak.max(rss_mib(pid));
        std::thread::sleep(Duration::from_millis(100));
    }
    stop.store(true, Ordering::Relaxed);
    for l in load {
        l.join().unwrap();
    }
    std::thread::sleep(Duration::from_secs(setting("BENCH_AFTER_SECS", 10)));
    Row {
        concurrency,
        started,
        peak,
        after: rss_mib(pid),
        signed_in: signed_in.load(Ordering::Relaxed),
        shed: shed.load(Ordering::Relaxed),
        refused: refused.load(Ordering::Relaxed),
    }
}

fn main() {
    let run = Duration::from_secs(setting("BENCH_SECS", 60));
    let concurrencies: Vec<usize> = setting("BENCH_CONCURRENCY", "8,64,256".to_owned())
        .split(',')
        .filter_map(|c| c.trim().parse().ok())
        .collect();
    println!(
        "flood of {} s at each concurrency; resident memory in MiB",
        run.as_secs()
    );
    let after: u64 = setting("BENCH_AFTER_SECS", 10);
    println!(
        "| connections | started | peak during | {after} s after | sign-ins/s | shed (503) | refused (401) |"
    );
    println!("|---|---|---|---|---|---|---|");
    for c in concurrencies {
        let r = flood(c, run);
        println!(
            "| {} | {:.1} | {:.1} | {:.1} | {:.1} | {} | {} |",
            r.concurrency,
            r.started,
            r.peak,
            r.after,
            r.signed_in as f64 / run.as_secs_f64(),
            r.shed,
            r.refused
        );
    }
}
