//! The OpenID Connect provider's hot paths on a real database: signing an ID
//! token (RS256, ES256), the consent with its code and the code exchange (the
//! whole back-channel of one sign-in), and a userinfo read. SQLite always;
//! PostgreSQL too when `TEST_POSTGRES_URL` is set.
//! `cargo bench -p identity-service --bench oidc`

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use criterion::{Criterion, criterion_group, criterion_main};
use identity_core::CredentialLevel;
use identity_core::oidc::authorize::AuthorizationRequest;
use identity_service::usecases::oidc::keys::SigningAlg;
use identity_service::usecases::oidc::provider::PendingAuthorization;
use identity_service::usecases::service_providers::NewServiceProvider;
use sha2::{Digest, Sha256};

const CLIENT: &str = "https://sp.example.it";
const REDIRECT: &str = "https://sp.example.it/cb";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

fn bench_backend(
    c: &mut Criterion,
    name: &str,
    h: identity_testkit::TestApp,
    rt: &tokio::runtime::Runtime,
) {
    let service = h.service.clone();
    let session = rt.block_on(async {
        let anna = service.bootstrap_operator("anna").await.unwrap().0;
        service
            .add_service_provider(
                &NewServiceProvider {
                    client_id: CLIENT.into(),
                    name: "Comune".into(),
                    redirect_uris: vec![REDIRECT.into()],
                    client_secret: true,
                    attributes: vec!["given_name".into(), "fiscal_number".into()],
                    ..NewServiceProvider::default()
                },
                &anna,
            )
            .await
            .unwrap();
        let a = identity_testkit::active_identity(&h).await;
        identity_testkit::sign_in_l1(&h, &a).await.session
    });
    let pending = PendingAuthorization {
        id: "request-1".into(),
        request: AuthorizationRequest {
            client_id: CLIENT.into(),
            redirect_uri: REDIRECT.into(),
            state: "st".into(),
            nonce: "n".into(),
            code_challenge: B64.encode(Sha256::digest(VERIFIER.as_bytes())),
            level: CredentialLevel::L1,
            levels: vec![CredentialLevel::L1],
            prompt_login: false,
            prompt_consent: false,
            attributes: vec!["given_name".into(), "fiscal_number".into()],
            offline_access: false,
        },
        service_name: "Comune".into(),
        started_at: session.created_at + chrono::Duration::seconds(1),
    };
    let claims = serde_json::json!({ "iss": "http://localhost:8080", "sub": "x", "aud": CLIENT });
    let mut group = c.benchmark_group(format!("oidc/{name}"));
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(8));
    for alg in SigningAlg::ALL {
        group.bench_function(format!("sign_jws {}", alg.name()), |b| {
            b.to_async(rt)
                .iter(|| async { service.sign_jws(alg, &claims).await.unwrap() });
        });
    }
    group.bench_function(
        "consent + code exchange (access token, RS256 ID token)",
        |b| {
            b.to_async(rt).iter(|| async {
                let code = service
                    .oidc_decide(&session, &pending, true, Some("192.0.2.1"))
                    .await
                    .unwrap();
                service
                    .oidc_exchange_code(&code, CLIENT, REDIRECT, VERIFIER)
                    .await
                    .unwrap()
            });
        },
    );
    let token = rt.block_on(async {
        let code = service
            .oidc_decide(&session, &pending, true, None)
            .await
            .unwrap();
        service
            .oidc_exchange_code(&code, CLIENT, REDIRECT, VERIFIER)
            .await
            .unwrap()
            .0
            .access_token
    });
    group.bench_function("userinfo", |b| {
        b.to_async(rt)
            .iter(|| async { service.oidc_userinfo(&token).await.unwrap() });
    });
    group.finish();
}

fn oidc(c: &mut Criterion) {
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

criterion_group!(benches, oidc);
criterion_main!(benches);
