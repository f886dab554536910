//! Timing of the pages that take an identifier without its credential: for each,
//! the answer time to an identifier on file (Mario, with a live digital identity)
//! against one that is not, with the Mann-Whitney U test (two-sided, normal
//! approximation with ties). `cargo bench -p identity-http --bench enumeration`;
//! `ENUM_SAMPLES` sets the answers per class for the pages with a fixed floor
//! (default 40, 600 ms each); the fast pages (the sign-ins) get ten times more.
//! The test kit's password hashing is cheap, so the sign-ins' database work is a
//! larger share of their time than in production: a stricter comparison.
//!
//! The real HTTP stack in this process (the test kit's server and client); the
//! two classes alternate, each answer from a fresh browser. The service's clock
//! moves two hours before each answer, so the hourly per-address and
//! per-identifier limits never answer in place of the page's own work.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::{Duration, Instant};

use identity_testkit::enumeration::probes;
use identity_testkit::{TestServer, active_identity};

fn samples() -> usize {
    std::env::var("ENUM_SAMPLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40)
}

fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// The complementary error function (Numerical Recipes' `erfcc`, relative error
/// below 1.2e-7): enough for a p-value.
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87
                                        + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// Two-sided p-value of the Mann-Whitney U test of `a` against `b`.
fn mann_whitney_p(a: &[f64], b: &[f64]) -> f64 {
    let mut all: Vec<(f64, bool)> = a
        .iter()
        .map(|&x| (x, true))
        .chain(b.iter().map(|&x| (x, false)))
        .collect();
    all.sort_by(|x, y| x.0.total_cmp(&y.0));
    let n = all.len();
    let (mut rank_a, mut ties, mut i) = (0.0, 0.0, 0);
    while i < n {
        let mut j = i;
        while j + 1 < n && all[j + 1].0 == all[i].0 {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        let t = (j - i + 1) as f64;
        ties += t * t * t - t;
        rank_a += all[i..=j].iter().filter(|(_, in_a)| *in_a).count() as f64 * rank;
        i = j + 1;
    }
    let (n1, n2, nf) = (a.len() as f64, b.len() as f64, n as f64);
    let u = rank_a - n1 * (n1 + 1.0) / 2.0;
    let mean = n1 * n2 / 2.0;
    let var = n1 * n2 / 12.0 * ((nf + 1.0) - ties / (nf * (nf - 1.0)));
    if var <= 0.0 {
        return 1.0;
    }
    let z = (u - mean) / var.sqrt();
    erfc(z.abs() / std::f64::consts::SQRT_2)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let per_class = samples();
    println!(
        "{per_class} answers per class and page with a floor, {} without; times in ms (medians)",
        10 * per_class
    );
    println!(
        "| page | on file | not on file | difference | Mann-Whitney p |\n|---|---|---|---|---|"
    );
    let pages = probes(&active_identity(&identity_testkit::sqlite().await).await).len();
    for i in 0..pages {
        // A fresh service per page, like the test: no page's limits touch another.
        let h = identity_testkit::sqlite().await;
        let mario = active_identity(&h).await;
        let server = TestServer::start(h.service.clone()).await;
        let probe = &probes(&mario)[i];
        let (mut known, mut unknown) = (Vec::new(), Vec::new());
        let mut answers = 2 * per_class + 2;
        let mut n = 0;
        while n < answers {
            let is_known = n % 2 == 0;
            let mut ready = probe.prepare(server.addr, is_known).await;
            h.clock.advance(chrono::Duration::hours(2));
            let started = Instant::now();
            let reply = ready.post().await;
            let took = started.elapsed();
            assert!(reply.status < 500, "{}: {}", probe.path, reply.status);
            // The first pair warms the page up, and tells a fast page.
            if n >= 2 {
                let ms = took.as_secs_f64() * 1e3;
                if is_known { &mut known } else { &mut unknown }.push(ms);
            } else if n == 1 && took < Duration::from_millis(100) {
                answers = 20 * per_class + 2;
            }
            n += 1;
        }
        known.sort_by(f64::total_cmp);
        unknown.sort_by(f64::total_cmp);
        let (mk, mu) = (median(&known), median(&unknown));
        let p = mann_whitney_p(&known, &unknown);
        println!(
            "| `{}` | {mk:.2} | {mu:.2} | {:+.2}% | {p:.3} |",
            probe.path,
            (mk - mu) / mu * 100.0
        );
        server.stop().await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
