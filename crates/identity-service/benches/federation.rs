//! The provider in an OpenID Federation (docs/federation.md), against the test
//! kit's local federation (a trust anchor, an intermediate and a relying party
//! over plain http on 127.0.0.1):
//! - a trust-chain resolution from cold (the relying party's, the
//!   intermediate's and the anchor's configurations, the two statements from
//!   the superiors' fetch endpoints, their signatures, the trust mark, the
//!   policies of two levels), and the same five fetches alone;
//! - what every later authorization of a registered relying party pays
//!   (`register_federation_client` finding its registration fresh), and what
//!   the first one after the chain expired pays (resolved again, renewed);
//! - the userinfo answer for a provider registered by hand (JSON) beside the
//!   one for the federation relying party (signed RS256, then encrypted
//!   RSA-OAEP / A128CBC-HS256 to its 2048-bit key), and its two steps alone.
//!
//! SQLite always; PostgreSQL too when `TEST_POSTGRES_URL` is set.
//! `cargo bench -p identity-service --bench federation`

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use criterion::{Criterion, criterion_group, criterion_main};
use identity_core::CredentialLevel;
use identity_core::oidc::authorize::AuthorizationRequest;
use identity_service::ports::EntityFetcher as _;
use identity_service::usecases::federation::encrypted::UserinfoAnswer;
use identity_service::usecases::federation::fetch::HttpEntityFetcher;
use identity_service::usecases::oidc::jwe::encrypt_jwt;
use identity_service::usecases::oidc::keys::SigningAlg;
use identity_service::usecases::oidc::provider::PendingAuthorization;
use identity_service::usecases::service_providers::NewServiceProvider;
use identity_testkit::federation::{Entity, INT_ON_RP_LIFETIME, LocalFederation};
use sha2::{Digest, Sha256};

/// The provider registered by hand, for the plain userinfo answer.
const STATIC_CLIENT: &str = "https://sp.example.it";
const STATIC_REDIRECT: &str = "https://sp.example.it/cb";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
/// What both providers ask for, so the two userinfo answers carry the same
/// claims.
const ATTRIBUTES: [&str; 3] = ["given_name", "family_name", "fiscal_number"];

/// An access token of `client_id` for the signed-in holder, the way the
/// provider issues one: the holder's consent, then the code exchange.
async fn access_token(
    h: &identity_testkit::TestApp,
    session: &identity_core::Session,
    client_id: &str,
    redirect_uri: &str,
    name: &str,
) -> String {
    let pending = PendingAuthorization {
        id: format!("request-{name}"),
        request: AuthorizationRequest {
            client_id: client_id.into(),
            redirect_uri: redirect_uri.into(),
            state: "st".into(),
            nonce: "n".into(),
            code_challenge: B64.encode(Sha256::digest(VERIFIER.as_bytes())),
            level: CredentialLevel::L1,
            levels: vec![CredentialLevel::L1],
            prompt_login: false,
            prompt_consent: false,
            attributes: ATTRIBUTES.iter().map(|a| (*a).to_owned()).collect(),
            offline_access: false,
        },
        service_name: name.into(),
        started_at: session.created_at + chrono::Duration::seconds(1),
    };
    let code = h
        .service
        .oidc_decide(session, &pending, true, None)
        .await
        .unwrap();
    h.service
        .oidc_exchange_code(&code, client_id, redirect_uri, VERIFIER)
        .await
        .unwrap()
        .0
        .access_token
}

fn bench_backend(
    c: &mut Criterion,
    name: &str,
    app: identity_testkit::TestApp,
    rt: &tokio::runtime::Runtime,
) {
    let fed = rt.block_on(LocalFederation::start());
    let h = fed.app(&app);
    let service = h.service.clone();
    let rp = fed.rp_id();
    let anchors = rt.block_on(service.trust_anchors()).unwrap();
    // The five URLs a resolution fetches, for the fetches alone.
    let urls = [
        format!("{}/.well-known/openid-federation", fed.rp_id()),
        format!("{}/.well-known/openid-federation", fed.int_id()),
        format!("{}{}?sub={}", fed.base(), fed.fetch_path(Entity::Int), rp),
        format!("{}/.well-known/openid-federation", fed.ta_id()),
        format!(
            "{}{}?sub={}",
            fed.base(),
            fed.fetch_path(Entity::Ta),
            fed.int_id()
        ),
    ];
    let fetcher = HttpEntityFetcher::new(&service.config().federation.fetch);

    let (static_token, rp_token) = rt.block_on(async {
        let anna = service.bootstrap_operator("anna").await.unwrap().0;
        service
            .add_service_provider(
                &NewServiceProvider {
                    client_id: STATIC_CLIENT.into(),
                    name: "Comune".into(),
                    redirect_uris: vec![STATIC_REDIRECT.into()],
                    client_secret: true,
                    attributes: ATTRIBUTES.iter().map(|a| (*a).to_owned()).collect(),
                    ..NewServiceProvider::default()
                },
                &anna,
            )
            .await
            .unwrap();
        service
            .register_federation_client(&rp, None)
            .await
            .unwrap()
            .expect("the relying party registers through its chain");
        let a = identity_testkit::active_identity(&h).await;
        let session = identity_testkit::sign_in_l1(&h, &a).await.session;
        (
            access_token(&h, &session, STATIC_CLIENT, STATIC_REDIRECT, "Comune").await,
            access_token(&h, &session, &rp, &fed.rp_redirect_uri(), "Comune di Prova").await,
        )
    });
    // A typical signed userinfo JWS (the claims above, with iss, aud, iat,
    // exp, sub), as the provider signs it for the relying party, and what it
    // is encrypted with.
    let (userinfo_claims, userinfo_jws, encryption) = rt.block_on(async {
        let UserinfoAnswer::Json(plain) =
            service.oidc_userinfo_answer(&static_token).await.unwrap().0
        else {
            panic!("JSON for the provider registered by hand");
        };
        let UserinfoAnswer::Jose(jwe) = service.oidc_userinfo_answer(&rp_token).await.unwrap().0
        else {
            panic!("a JWE for the federation relying party");
        };
        let jws = fed.decrypt(&jwe);
        let claims = jsonwebtoken::dangerous::insecure_decode::<serde_json::Value>(&jws)
            .unwrap()
            .claims;
        assert_eq!(claims["aud"], rp);
        // The same claims in both answers (and sub, pairwise per provider).
        assert_eq!(plain.len(), ATTRIBUTES.len() + 1, "{plain:?}");
        for (name, value) in &plain {
            if name != "sub" {
                assert_eq!(&claims[name], value, "{name}");
            }
        }
        let encryption = service.encryption_for(&rp).await.unwrap().unwrap();
        (claims, jws, encryption)
    });

    let mut group = c.benchmark_group(format!("federation/{name}"));
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(10));
    group.bench_function(
        "resolve_trust_chain, cold (5 fetches, RP -> intermediate -> anchor)",
        |b| {
            b.to_async(rt)
                .iter(|| async { service.resolve_trust_chain(&rp, &anchors).await.unwrap() });
        },
    );
    group.bench_function("the 5 fetches alone (the fixture signs each anew)", |b| {
        b.to_async(rt).iter(|| async {
            for url in &urls {
                fetcher.fetch(url).await.unwrap();
            }
        });
    });
    group.bench_function(
        "register_federation_client, registered and fresh (cached)",
        |b| {
            b.to_async(rt).iter(|| async {
                assert!(
                    service
                        .register_federation_client(&rp, None)
                        .await
                        .unwrap()
                        .is_none()
                );
            });
        },
    );
    group.bench_function("userinfo, provider registered by hand (JSON)", |b| {
        b.to_async(rt)
            .iter(|| async { service.oidc_userinfo_answer(&static_token).await.unwrap() });
    });
    group.bench_function(
        "userinfo, federation RP (RS256 JWS + JWE RSA-OAEP/A128CBC-HS256)",
        |b| {
            b.to_async(rt)
                .iter(|| async { service.oidc_userinfo_answer(&rp_token).await.unwrap() });
        },
    );
    group.bench_function("sign_jws RS256 of the userinfo claims alone", |b| {
        b.to_async(rt).iter(|| async {
            service
                .sign_jws(SigningAlg::Rs256, &userinfo_claims)
                .await
                .unwrap()
        });
    });
    group.bench_function("encrypt_jwt of the userinfo JWS alone", |b| {
        b.iter(|| encrypt_jwt(&userinfo_jws, &encryption.jwks, &encryption.userinfo).unwrap());
    });
    group.bench_function(
        "encryption_for (the RP's encryption, read and checked)",
        |b| {
            b.to_async(rt)
                .iter(|| async { service.encryption_for(&rp).await.unwrap().unwrap() });
        },
    );
    // Last, since it moves the clock on (the access tokens above expire):
    // each iteration finds the registration expired, resolves the chain again
    // on statements issued at the new time, and renews the registration (the
    // provider row, the federation row, the audit record: one transaction).
    group.bench_function(
        "register_federation_client, expired: resolved again and renewed",
        |b| {
            b.to_async(rt).iter(|| async {
                h.clock
                    .advance(chrono::Duration::seconds(INT_ON_RP_LIFETIME + 1));
                assert!(
                    service
                        .register_federation_client(&rp, None)
                        .await
                        .unwrap()
                        .is_some()
                );
            });
        },
    );
    group.finish();
}

fn federation(c: &mut Criterion) {
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

criterion_group!(benches, federation);
criterion_main!(benches);
