//! Password sign-in over HTTP against raw argon2id, driven by an external load
//! generator, `wrk` (`cargo bench -p identity-web --bench external_sign_in`;
//! installs Debian's `wrk` with apt-get when it is missing).
//!
//! For each argon2id cost and round, and on each backend (SQLite; PostgreSQL too
//! when `BENCH_POSTGRES_URL` or `TEST_POSTGRES_URL` is set: a fresh database on
//! that server, dropped afterwards):
//! 1. raw: one thread per core verifying a hash of that cost with the argon2
//!    memory kept per thread (what the server's hashing workers do), for
//!    `BENCH_SECS`: verifications per second;
//! 2. the real `identity-web` binary (release) on a fresh database with logins
//!    whose passwords have that cost, the server configured with it, and wrk
//!    signing in for `BENCH_SECS` through `benches/wrk/sign_in.lua`: only
//!    `303` to `/account` counts, anything else is an error.
//!
//! CPU time, from the kernel's accounting over the wrk run: the server's
//! (`/proc/<pid>/stat`), wrk's (this process's waited-for children,
//! `/proc/self/stat`), the PostgreSQL backends' serving the bench database, and
//! the rest of the machine's (`/proc/stat`, others' work on a shared machine).
//! The ratio "wrk accounted" compares the sign-in rate with the raw rate scaled
//! to the CPU wrk left: `raw * (cores*secs - wrk) / (cores*secs)`; "wrk + DB
//! accounted" also takes away the PostgreSQL backends' CPU. The "CPU ratio" is
//! the raw CPU per verification over the server's CPU per sign-in (and over the
//! server's plus the database's): what the rate ratio is on a machine with
//! nothing else to do, and far steadier than it on a shared one, where the
//! scheduler shares the cores out by thread and the raw phase's two threads and
//! the server's many meet other work differently (run the bench under
//! `nice -n -10` there).
//!
//! Settings: `BENCH_SECS` (default 15), `BENCH_ROUNDS` (2), `BENCH_CONNECTIONS`
//! (8), `BENCH_WRK_THREADS` (1), `BENCH_COSTS` (`19456:2:1,8192:2:1`, memory KiB:
//! iterations:lanes), `BENCH_BACKENDS` (`sqlite,postgres`).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

mod support;

use support::{HashCost, PASSWORD, SignInForm, cpu_of, start_server_with};

fn setting<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// `wrk`, installed with apt-get when it is not on the path.
fn ensure_wrk() {
    let found = || {
        Command::new("wrk")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok()
    };
    if found() {
        return;
    }
    eprintln!("wrk not found: apt-get install -y wrk");
    let installed = Command::new("apt-get")
        .args(["install", "-y", "wrk"])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        installed && found(),
        "wrk is needed: install it (Debian: apt-get install -y wrk)"
    );
}

fn ticks(t: &str) -> Duration {
    // USER_HZ is 100 on Linux.
    Duration::from_millis(t.parse::<u64>().unwrap() * 10)
}

/// CPU time of this process's waited-for children (cutime + cstime).
fn children_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    ticks(f[13]) + ticks(f[14])
}

/// CPU time the whole machine spent busy (every core; not idle nor waiting for I/O).
fn machine_busy() -> Duration {
    let stat = std::fs::read_to_string("/proc/stat").unwrap();
    let f: Vec<&str> = stat.lines().next().unwrap().split_whitespace().collect();
    // user nice system idle iowait irq softirq steal
    [1, 2, 3, 6, 7, 8].iter().map(|&i| ticks(f[i])).sum()
}

fn argon(cost: HashCost) -> Argon2<'static> {
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None).unwrap(),
    )
}

struct Raw {
    rate: f64,
    cpu_per_verify: Duration,
    /// CPU the rest of the machine used meanwhile.
    other: Duration,
}

/// Verifications per second with one thread per core, each keeping its memory.
fn raw(cost: HashCost, run: Duration) -> Raw {
    let hash = argon(cost)
        .hash_password(
            PASSWORD.as_bytes(),
            &SaltString::encode_b64(b"bench-salt-16byt").unwrap(),
        )
        .unwrap()
        .to_string();
    let count = Arc::new(AtomicU64::new(0));
    let (cpu_before, busy_before) = (cpu_of("self"), machine_busy());
    let started = Instant::now();
    let handles: Vec<_> = (0..cores())
        .map(|_| {
            let (count, hash) = (count.clone(), hash.clone());
            std::thread::spawn(move || {
                let argon = argon(cost);
                let parsed = PasswordHash::new(&hash).unwrap();
                let params = Params::try_from(&parsed).unwrap();
                let mut salt = [0u8; 64];
                let salt = parsed.salt.unwrap().decode_b64(&mut salt).unwrap().to_vec();
                let expected = parsed.hash.unwrap();
                let mut memory = vec![argon2::Block::default(); params.block_count()];
                let mut out = vec![0u8; expected.len()];
                while started.elapsed() < run {
                    argon
                        .hash_password_into_with_memory(
                            PASSWORD.as_bytes(),
                            &salt,
                            &mut out,
                            &mut memory,
                        )
                        .unwrap();
                    assert_eq!(out, expected.as_bytes());
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
    Raw {
        rate: n as f64 / elapsed.as_secs_f64(),
        cpu_per_verify: cpu / u32::try_from(n).unwrap(),
        other: (machine_busy() - busy_before).saturating_sub(cpu),
    }
}

/// The PostgreSQL backends serving database `name` (from `pg_stat_activity`).
fn postgres_backends(admin_url: &str, name: &str) -> Vec<String> {
    let out = Command::new("psql")
        .args([
            admin_url,
            "-Atc",
            &format!("SELECT pid FROM pg_stat_activity WHERE datname = '{name}'"),
        ])
        .output()
        .expect("psql, to find the PostgreSQL backends");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

fn cpu_of_each(pids: &[String]) -> Vec<(String, Duration)> {
    pids.iter()
        .filter(|p| std::path::Path::new(&format!("/proc/{p}/stat")).exists())
        .map(|p| (p.clone(), cpu_of(p)))
        .collect()
}

/// What wrk printed on its `RESULT` line.
#[derive(Default)]
struct WrkResult {
    duration: Duration,
    signed_in: u64,
    failed: u64,
    socket_errors: u64,
    p50: Duration,
    p99: Duration,
    statuses: String,
}

fn parse_result(out: &str) -> WrkResult {
    let line = out
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .unwrap_or_else(|| panic!("no RESULT line from wrk:\n{out}"));
    let mut r = WrkResult::default();
    for field in line.split_whitespace() {
        let (k, v) = field.split_once('=').unwrap();
        let n = || v.parse::<u64>().unwrap();
        match k {
            "duration_us" => r.duration = Duration::from_micros(n()),
            "signed_in" => r.signed_in = n(),
            "failed" => r.failed = n(),
            "socket_errors" => r.socket_errors = n(),
            "p50_us" => r.p50 = Duration::from_micros(n()),
            "p99_us" => r.p99 = Duration::from_micros(n()),
            "statuses" => r.statuses = v.to_owned(),
            _ => {}
        }
    }
    r
}

/// Logins per wrk connection. A login meets its throttle with three attempts in
/// flight at once, so it must come round again less often than the slowest
/// answer: with 16, a login comes back every 128 sign-ins (0.6 s at 200/s).
const LOGINS_PER_CONNECTION: usize = 16;

struct Load {
    connections: usize,
    threads: usize,
    secs: u64,
}

fn wrk(addr: &str, data: &std::path::Path, load: &Load, secs: u64) -> (String, Duration) {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/wrk/sign_in.lua");
    let started = Instant::now();
    let out = Command::new("wrk")
        .arg(format!("-t{}", load.threads))
        .arg(format!("-c{}", load.connections))
        .arg(format!("-d{secs}s"))
        .arg("-s")
        .arg(&script)
        .arg(format!("http://{addr}"))
        .arg("--")
        .arg(data)
        .arg(PASSWORD)
        .arg(load.threads.to_string())
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    assert!(
        out.status.success(),
        "wrk failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (String::from_utf8_lossy(&out.stdout).into_owned(), elapsed)
}

/// The CPU time of each of the server's hashing threads (named `argon2-N`), by
/// thread id: what the verifications cost inside the server, beside everything
/// else it runs.
fn hashing_threads_cpu(pid: &str) -> Vec<(String, Duration)> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    tasks
        .filter_map(Result::ok)
        .filter_map(|t| {
            let tid = t.file_name().to_string_lossy().into_owned();
            let comm = std::fs::read_to_string(t.path().join("comm")).ok()?;
            comm.starts_with("argon2")
                .then(|| (tid.clone(), cpu_of(&format!("{pid}/task/{tid}"))))
        })
        .collect()
}

/// One wrk run against the server, and the CPU time spent meanwhile.
struct Measured {
    wrk: WrkResult,
    /// Wall time of the wrk run, over which CPU is counted.
    window: Duration,
    server_cpu: Duration,
    /// Of `server_cpu`, the hashing threads'.
    hashing_cpu: Duration,
    wrk_cpu: Duration,
    db_cpu: Option<Duration>,
    other_cpu: Duration,
}

struct Row {
    cost: HashCost,
    backend: &'static str,
    round: usize,
    raw: Raw,
    m: Measured,
}

impl std::ops::Deref for Row {
    type Target = Measured;
    fn deref(&self) -> &Measured {
        &self.m
    }
}

impl Row {
    fn rate(&self) -> f64 {
        self.wrk.signed_in as f64 / self.wrk.duration.as_secs_f64()
    }
    fn capacity(&self) -> f64 {
        cores() as f64 * self.window.as_secs_f64()
    }
    fn ratio(&self) -> f64 {
        self.rate() / self.raw.rate
    }
    /// The rate against the raw rate scaled to the CPU `taken` left over.
    fn ratio_leaving(&self, taken: Duration) -> f64 {
        let left = (self.capacity() - taken.as_secs_f64()) / self.capacity();
        self.rate() / (self.raw.rate * left)
    }
    fn server_ms_per_sign_in(&self) -> f64 {
        self.server_cpu.as_secs_f64() * 1e3 / self.wrk.signed_in as f64
    }
    /// The server's hashing threads' CPU per sign-in (a verification inside the
    /// server), and the rest of the server's.
    fn hashing_and_rest_ms(&self) -> (f64, f64) {
        let hashing = self.hashing_cpu.as_secs_f64() * 1e3 / self.wrk.signed_in as f64;
        (hashing, self.server_ms_per_sign_in() - hashing)
    }
    /// Raw CPU per verification over the server's (and the database's, with
    /// `with_db`) CPU per sign-in: the rate ratio on a machine with nothing else
    /// to run, and much less moved by other work on a shared one.
    fn cpu_ratio(&self, with_db: bool) -> f64 {
        let db = if with_db {
            self.db_cpu.unwrap_or_default()
        } else {
            Duration::ZERO
        };
        let per = (self.server_cpu + db).as_secs_f64() / self.wrk.signed_in as f64;
        self.raw.cpu_per_verify.as_secs_f64() / per
    }
}

/// One run of the real server, on PostgreSQL when `postgres` names a server
/// (else SQLite), for `load.secs`.
fn measure(cost: HashCost, postgres: Option<&str>, load: &Load) -> Measured {
    let database = postgres.map(support::fresh_postgres);
    let logins_n = load.connections * LOGINS_PER_CONNECTION;
    let (server, logins) = start_server_with(
        database.as_deref(),
        cost,
        logins_n,
        &[("IDENTITY_CLIENT_IP_HEADER", "x-forwarded-for")],
    );
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("sign_in.data");
    let mut lines = String::new();
    for _ in 0..load.threads {
        lines.push_str(&format!(
            "csrf {}\n",
            SignInForm::fetch(&server.addr).csrf_cookie
        ));
    }
    for (i, login) in logins.iter().enumerate() {
        lines.push_str(&format!("login {login} 10.1.{}.{}\n", i / 250, i % 250 + 1));
    }
    std::fs::write(&data, lines).unwrap();
    // A warm-up: the hashing workers' memory, the database pool's connections.
    let (out, _) = wrk(&server.addr, &data, load, 2);
    assert!(
        parse_result(&out).signed_in > 0,
        "no sign-in in the warm-up:\n{out}"
    );

    let pid = server.child.id().to_string();
    let db_name = database
        .as_deref()
        .map(|u| u.rsplit('/').next().unwrap().to_owned());
    let db_before = postgres
        .zip(db_name.as_deref())
        .map(|(admin, name)| cpu_of_each(&postgres_backends(admin, name)));
    let hashing_before = hashing_threads_cpu(&pid);
    let (server_before, wrk_before, busy_before) = (cpu_of(&pid), children_cpu(), machine_busy());
    let (out, window) = wrk(&server.addr, &data, load, load.secs);
    let (server_cpu, wrk_cpu, busy) = (
        cpu_of(&pid) - server_before,
        children_cpu() - wrk_before,
        machine_busy() - busy_before,
    );
    // Threads that lived through the whole run (the workers stay while busy).
    let hashing_cpu = hashing_threads_cpu(&pid)
        .into_iter()
        .filter_map(|(tid, after)| {
            hashing_before
                .iter()
                .find(|(t, _)| *t == tid)
                .map(|(_, before)| after.saturating_sub(*before))
        })
        .sum::<Duration>();
    let db_cpu = postgres
        .zip(db_name.as_deref())
        .zip(db_before)
        .map(|((admin, name), before)| {
            cpu_of_each(&postgres_backends(admin, name))
                .into_iter()
                .map(|(p, after)| {
                    let b = before
                        .iter()
                        .find(|(q, _)| *q == p)
                        .map_or(Duration::ZERO, |(_, b)| *b);
                    after.saturating_sub(b)
                })
                .sum::<Duration>()
        });
    drop(server);
    if let (Some(admin), Some(url)) = (postgres, &database) {
        support::drop_postgres(admin, url);
    }
    let other = busy.saturating_sub(server_cpu + wrk_cpu + db_cpu.unwrap_or_default());
    Measured {
        wrk: parse_result(&out),
        window,
        server_cpu,
        hashing_cpu,
        wrk_cpu,
        db_cpu,
        other_cpu: other,
    }
}

fn parse_costs(s: &str) -> Vec<HashCost> {
    s.split(',')
        .map(|c| {
            let n: Vec<u32> = c.split(':').map(|x| x.trim().parse().unwrap()).collect();
            HashCost {
                memory_kib: n[0],
                iterations: n[1],
                parallelism: n[2],
            }
        })
        .collect()
}

fn cost_name(c: HashCost) -> String {
    format!(
        "m={} KiB t={} p={}",
        c.memory_kib, c.iterations, c.parallelism
    )
}

fn main() {
    ensure_wrk();
    let load = Load {
        connections: setting("BENCH_CONNECTIONS", 8),
        threads: setting("BENCH_WRK_THREADS", 1),
        secs: setting("BENCH_SECS", 15),
    };
    let rounds: usize = setting("BENCH_ROUNDS", 2);
    let costs = parse_costs(&setting("BENCH_COSTS", "19456:2:1,8192:2:1".to_owned()));
    let postgres = std::env::var("BENCH_POSTGRES_URL")
        .or_else(|_| std::env::var("TEST_POSTGRES_URL"))
        .ok();
    let wanted: String = setting("BENCH_BACKENDS", "sqlite,postgres".to_owned());
    let mut backends: Vec<&'static str> = Vec::new();
    if wanted.contains("sqlite") {
        backends.push("sqlite");
    }
    if wanted.contains("postgres") {
        if postgres.is_some() {
            backends.push("postgres");
        } else {
            eprintln!("neither BENCH_POSTGRES_URL nor TEST_POSTGRES_URL set: PostgreSQL skipped");
        }
    }
    println!(
        "{} cores; wrk -t{} -c{}, {} s a run, {} logins; raw argon2id: {} threads with kept memory, {} s before each run",
        cores(),
        load.threads,
        load.connections,
        load.secs,
        load.connections * LOGINS_PER_CONNECTION,
        cores(),
        load.secs
    );
    let mut rows = Vec::new();
    for &cost in &costs {
        for round in 1..=rounds {
            for &backend in &backends {
                let raw = raw(cost, Duration::from_secs(load.secs));
                let pg = (backend == "postgres").then(|| postgres.as_deref().unwrap());
                let m = measure(cost, pg, &load);
                let row = Row {
                    cost,
                    backend,
                    round,
                    raw,
                    m,
                };
                println!(
                    "{} {backend} round {round}: {:.1} sign-ins/s ({} failed: {}; socket errors {}), raw {:.1}/s (other CPU meanwhile {:.2} s): {:.1}%, wrk accounted {:.1}%, wrk+DB {:.1}%; CPU ratio {:.1}% (+DB {:.1}%); server {:.2} ms CPU/sign-in, raw {:.2} ms/verify; CPU over {:.1} s: server {:.2} s, wrk {:.2} s, DB {:.2} s, other {:.2} s; p50 {:.1} ms, p99 {:.1} ms",
                    cost_name(cost),
                    row.rate(),
                    row.wrk.failed,
                    row.wrk.statuses,
                    row.wrk.socket_errors,
                    row.raw.rate,
                    row.raw.other.as_secs_f64(),
                    row.ratio() * 100.0,
                    row.ratio_leaving(row.wrk_cpu) * 100.0,
                    row.ratio_leaving(row.wrk_cpu + row.db_cpu.unwrap_or_default()) * 100.0,
                    row.cpu_ratio(false) * 100.0,
                    row.cpu_ratio(true) * 100.0,
                    row.server_ms_per_sign_in(),
                    row.raw.cpu_per_verify.as_secs_f64() * 1e3,
                    row.window.as_secs_f64(),
                    row.server_cpu.as_secs_f64(),
                    row.wrk_cpu.as_secs_f64(),
                    row.db_cpu.unwrap_or_default().as_secs_f64(),
                    row.other_cpu.as_secs_f64(),
                    row.wrk.p50.as_secs_f64() * 1e3,
                    row.wrk.p99.as_secs_f64() * 1e3,
                );
                rows.push(row);
            }
        }
    }
    println!();
    println!(
        "| cost | backend | round | sign-ins/s | raw/s | ratio | wrk CPU (s) | ratio, wrk accounted | DB CPU (s) | ratio, wrk + DB accounted | server CPU/sign-in | of which hashing / rest | raw CPU/verify | CPU ratio (+ DB) | other CPU (s), run / raw | errors | p50 / p99 |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for r in &rows {
        println!(
            "| {} | {} | {} | {:.1} | {:.1} | {:.1}% | {:.2} | {:.1}% | {} | {:.1}% | {:.2} ms | {:.2} / {:.2} ms | {:.2} ms | {:.1}% ({:.1}%) | {:.2} / {:.2} | {} | {:.0} / {:.0} ms |",
            cost_name(r.cost),
            r.backend,
            r.round,
            r.rate(),
            r.raw.rate,
            r.ratio() * 100.0,
            r.wrk_cpu.as_secs_f64(),
            r.ratio_leaving(r.wrk_cpu) * 100.0,
            r.db_cpu
                .map_or_else(|| "—".to_owned(), |d| format!("{:.2}", d.as_secs_f64())),
            r.ratio_leaving(r.wrk_cpu + r.db_cpu.unwrap_or_default()) * 100.0,
            r.server_ms_per_sign_in(),
            r.hashing_and_rest_ms().0,
            r.hashing_and_rest_ms().1,
            r.raw.cpu_per_verify.as_secs_f64() * 1e3,
            r.cpu_ratio(false) * 100.0,
            r.cpu_ratio(true) * 100.0,
            r.other_cpu.as_secs_f64(),
            r.raw.other.as_secs_f64(),
            r.wrk.failed + r.wrk.socket_errors,
            r.wrk.p50.as_secs_f64() * 1e3,
            r.wrk.p99.as_secs_f64() * 1e3,
        );
    }
}
