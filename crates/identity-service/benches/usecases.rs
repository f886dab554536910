//! Use cases end to end on a real database: registration and sign-in with the
//! production argon2id cost, and a read-only look-up. SQLite always; PostgreSQL
//! too when `TEST_POSTGRES_URL` is set.
//! `cargo bench -p identity-service --bench usecases`

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use identity_service::{HashCost, PasswordHasher, Service, ServiceConfig};

fn production_cost(h: &identity_testkit::TestApp) -> Service {
    let hasher = PasswordHasher::new(HashCost::default(), 2).unwrap();
    let config = ServiceConfig {
        login_domain: "test.example.it".into(),
        ..ServiceConfig::default()
    };
    Service::new(h.store.clone(), h.clock.clone(), hasher, config)
}

fn bench_backend(
    c: &mut Criterion,
    name: &str,
    h: identity_testkit::TestApp,
    rt: &tokio::runtime::Runtime,
) {
    let service = production_cost(&h);
    let counter = Arc::new(AtomicU64::new(0));
    let mut group = c.benchmark_group(name);
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(8));
    group.bench_function("argon2id hash alone (19 MiB, t=2)", |b| {
        b.to_async(rt).iter(|| async {
            service
                .hasher()
                .hash(identity_testkit::PASSWORD.into())
                .await
                .unwrap()
        });
    });
    group.bench_function("register (argon2id 19 MiB, t=2)", |b| {
        b.to_async(rt).iter(|| {
            let n = counter.fetch_add(1, Ordering::Relaxed);
            let service = service.clone();
            async move {
                service
                    .register(identity_testkit::person_registration(&format!(
                        "u{n}@example.it"
                    )))
                    .await
                    .unwrap()
            }
        });
    });
    let registered = rt
        .block_on(service.register(identity_testkit::person_registration("bench@example.it")))
        .unwrap();
    group.bench_function("sign_in_password (argon2id 19 MiB, t=2)", |b| {
        b.to_async(rt).iter(|| async {
            service
                .sign_in_password(&registered.login_id, identity_testkit::PASSWORD, None)
                .await
                .unwrap()
        });
    });
    group.bench_function("holder_overview", |b| {
        b.to_async(rt)
            .iter(|| async { service.holder_overview(registered.holder_id).await.unwrap() });
    });
    group.finish();
}

fn usecases(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let sqlite = rt.block_on(identity_testkit::sqlite());
    bench_backend(c, "sqlite", sqlite, &rt);
    if let Some(pg) = rt.block_on(identity_testkit::postgres()) {
        bench_backend(c, "postgres", pg, &rt);
    }
}

criterion_group!(benches, usecases);
criterion_main!(benches);
