//! Password sign-in throughput against raw argon2id, in one run on one machine
//! (`cargo bench -p identity-web --bench sign_in`; `BENCH_SECS` sets each phase's
//! length, default 10).
//!
//! 1. Raw: one thread per core verifying an argon2id hash of the default cost
//!    (m=19456 KiB, t=2, p=1) with the argon2 crate, allocating its memory each
//!    time as the library does: verifications per second and CPU time per one.
//! 2. The same with the memory kept per thread (what the app does).
//! 3. The real `identity-web` binary on a fresh SQLite database, driven over HTTP
//!    by a deliberately light load generator (plain keep-alive sockets, requests
//!    prepared once, a few bytes parsed per answer): successful password sign-ins
//!    per second, and the server's CPU time per sign-in from the server process's
//!    own accounting (`/proc/<pid>/stat`), while a second client measures the
//!    latency of an authenticated page (p50, p99).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

mod support;

use support::{Conn, PASSWORD, SignInForm, cookie_of, cpu_of, start_server};

fn secs() -> Duration {
    Duration::from_secs(
        std::env::var("BENCH_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(10),
    )
}

fn default_argon() -> Argon2<'static> {
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19 * 1024, 2, 1, None).unwrap(),
    )
}

/// Verifications per second and CPU per verification, on every core.
fn raw(kept_memory: bool, hash: &str, run: Duration) -> (f64, Duration) {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let count = Arc::new(AtomicU64::new(0));
    let cpu_before = cpu_of("self");
    let started = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let count = count.clone();
            let hash = hash.to_owned();
            std::thread::spawn(move || {
                let argon = default_argon();
                let parsed = PasswordHash::new(&hash).unwrap();
                let params = Params::try_from(&parsed).unwrap();
                let mut salt = [0u8; 64];
                let salt = parsed.salt.unwrap().decode_b64(&mut salt).unwrap().to_vec();
                let expected = parsed.hash.unwrap();
                let mut memory = vec![argon2::Block::default(); params.block_count()];
                let mut out = vec![0u8; expected.len()];
                while started.elapsed() < run {
                    let ok = if kept_memory {
                        argon
                            .hash_password_into_with_memory(
                                PASSWORD.as_bytes(),
                                &salt,
                                &mut out,
                                &mut memory,
                            )
                            .is_ok()
                            && out == expected.as_bytes()
                    } else {
                        argon.verify_password(PASSWORD.as_bytes(), &parsed).is_ok()
                    };
                    assert!(ok);
                    count.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let elapsed = started.elapsed();
    let n = count.load(Ordering::Relaxed);
    let cpu = cpu_of("self") - cpu_before;
    (
        n as f64 / elapsed.as_secs_f64(),
        cpu / u32::try_from(n).unwrap(),
    )
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() {
    let run = secs();
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let hash = default_argon()
        .hash_password(
            PASSWORD.as_bytes(),
            &SaltString::encode_b64(b"bench-salt-16byt").unwrap(),
        )
        .unwrap()
        .to_string();
    println!("cores: {cores}; each phase runs {} s", run.as_secs());
    let (raw_rate, raw_cpu) = raw(false, &hash, run);
    println!(
        "raw argon2id verify (library, allocating):   {raw_rate:7.1}/s  CPU {:6.2} ms/verify",
        raw_cpu.as_secs_f64() * 1e3
    );
    let (kept_rate, kept_cpu) = raw(true, &hash, run);
    println!(
        "raw argon2id verify (memory kept per thread): {kept_rate:7.1}/s  CPU {:6.2} ms/verify",
        kept_cpu.as_secs_f64() * 1e3
    );

    // Enough connections to keep every hashing worker busy, no more; one login
    // each, since concurrent attempts on one login meet its throttle.
    let clients = cores * 2;
    let (server, logins) = start_server(clients + 1, &[]);
    let pid = server.child.id().to_string();
    let form = SignInForm::fetch(&server.addr);
    let sign_in_as = |login: &str| form.request(login);
    let csrf_cookie = &form.csrf_cookie;
    // One session for the page whose latency is watched.
    let mut c = Conn::open(&server.addr);
    let (status, headers, _) = c.call(&sign_in_as(&logins[clients]));
    assert_eq!(status, 303, "the sign-in works");
    let sid = cookie_of(&headers, "sid").unwrap();
    let page_request = format!(
        "GET /account HTTP/1.1\r\nHost: localhost\r\nCookie: sid={sid}; csrf={csrf_cookie}\r\n\r\n"
    )
    .into_bytes();

    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let other = Arc::new(AtomicU64::new(0));
    let cpu_before = cpu_of(&pid);
    let started = Instant::now();
    let load: Vec<_> = (0..clients)
        .map(|i| {
            let (addr, req) = (server.addr.clone(), sign_in_as(&logins[i]));
            let (stop, done, other) = (stop.clone(), done.clone(), other.clone());
            std::thread::spawn(move || {
                let mut c = Conn::open(&addr);
                while !stop.load(Ordering::Relaxed) {
                    let (status, _, _) = c.call(&req);
                    if status == 303 {
                        done.fetch_add(1, Ordering::Relaxed);
                    } else {
                        other.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    let watcher = {
        let (addr, stop) = (server.addr.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut c = Conn::open(&addr);
            let mut latencies = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                let (status, _, _) = c.call(&page_request);
                assert_eq!(status, 200);
                latencies.push(t.elapsed());
                std::thread::sleep(Duration::from_millis(20));
            }
            latencies
        })
    };
    std::thread::sleep(run);
    let elapsed = started.elapsed();
    let cpu = cpu_of(&pid) - cpu_before;
    stop.store(true, Ordering::Relaxed);
    for l in load {
        l.join().unwrap();
    }
    let mut latencies = watcher.join().unwrap();
    latencies.sort();
    let n = done.load(Ordering::Relaxed);
    let rate = n as f64 / elapsed.as_secs_f64();
    let per = cpu.as_secs_f64() * 1e3 / n as f64;
    println!(
        "HTTP password sign-in ({clients} connections):   {rate:7.1}/s  server CPU {per:6.2} ms/sign-in  ({} other answers)",
        other.load(Ordering::Relaxed)
    );
    println!(
        "authenticated page during the flood: p50 {:.1} ms, p99 {:.1} ms ({} requests)",
        percentile(&latencies, 0.5).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        latencies.len()
    );
    println!(
        "sign-in rate / raw rate: {:.1}% (allocating) {:.1}% (kept memory); server CPU above raw: {:+.2} ms (allocating) {:+.2} ms (kept memory)",
        rate / raw_rate * 100.0,
        rate / kept_rate * 100.0,
        per - raw_cpu.as_secs_f64() * 1e3,
        per - kept_cpu.as_secs_f64() * 1e3
    );
}
