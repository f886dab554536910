//! The OpenID Connect provider's signing keys on both backends: what it signs
//! verifies with the published JWKS in an independent library (jsonwebtoken),
//! keys rotate after 90 days, and a retired key stays published a day, then goes.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::Duration;
use identity_service::Store as _;
use identity_service::ports::KeyPurpose;
use identity_service::usecases::jobs::{Job, JobOptions};
use identity_service::usecases::oidc::keys::SigningAlg;
use identity_testkit::TestApp;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};

identity_testkit::both_backends!(
    signatures_verify_with_the_published_keys_in_an_independent_library,
    keys_rotate_and_a_retired_key_stays_published_for_a_day,
    another_key_store_takes_the_place_of_the_sealed_one,
    requests_arriving_together_make_one_key_per_algorithm,
    federation_keys_stay_apart_and_are_published_before_they_sign,
);

async fn jwks(h: &TestApp) -> JwkSet {
    serde_json::from_value(h.service.jwks().await.unwrap()).unwrap()
}

fn kid_of(token: &str) -> String {
    jsonwebtoken::decode_header(token).unwrap().kid.unwrap()
}

/// Verifies `token` with the key of its kid in `set`, as a relying party would.
fn verify(set: &JwkSet, token: &str, alg: Algorithm) -> Result<serde_json::Value, String> {
    let kid = kid_of(token);
    let jwk: &Jwk = set.find(&kid).ok_or("kid not published")?;
    let key = DecodingKey::from_jwk(jwk).map_err(|e| e.to_string())?;
    let mut validation = Validation::new(alg);
    validation.validate_aud = false;
    // The harness's clock is not the library's: only the signature is checked here.
    validation.validate_exp = false;
    validation.required_spec_claims.clear();
    jsonwebtoken::decode::<serde_json::Value>(token, &key, &validation)
        .map(|t| t.claims)
        .map_err(|e| e.to_string())
}

fn claims(h: &TestApp) -> serde_json::Value {
    serde_json::json!({
        "iss": "http://localhost:8080",
        "sub": "pairwise-subject",
        "exp": (h.service.now() + Duration::hours(1)).timestamp(),
        "acr": "https://www.spid.gov.it/SpidL2",
    })
}

async fn signatures_verify_with_the_published_keys_in_an_independent_library(h: TestApp) {
    for (alg, jose) in [
        (SigningAlg::Rs256, Algorithm::RS256),
        (SigningAlg::Es256, Algorithm::ES256),
    ] {
        let token = h.service.sign_jws(alg, &claims(&h)).await.unwrap();
        let set = jwks(&h).await;
        let verified = verify(&set, &token, jose).unwrap();
        assert_eq!(verified["acr"], "https://www.spid.gov.it/SpidL2");
        // One changed character of the payload breaks the signature.
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let tampered = parts[1].replace('a', "b");
        parts[1] = if tampered == parts[1] {
            parts[1].replace('e', "f")
        } else {
            tampered
        };
        assert!(verify(&set, &parts.join("."), jose).is_err(), "{alg:?}");
    }
    let set = jwks(&h).await;
    assert_eq!(set.keys.len(), 2, "one RS256 and one ES256 key");
    // The private parts are sealed in the database, never published.
    let published = h.service.jwks().await.unwrap().to_string();
    assert!(!published.contains("\"d\""), "{published}");
}

/// Runs the signing-keys job now (the test's clock); its report.
async fn run_key_job(h: &TestApp) -> identity_service::JobRun {
    h.service
        .run_jobs(&JobOptions {
            as_of: None,
            dry_run: false,
            only: Some(Job::SigningKeys),
            node: "test".into(),
        })
        .await
        .remove(0)
}

async fn keys_rotate_and_a_retired_key_stays_published_for_a_day(h: TestApp) {
    let first = h
        .service
        .sign_jws(SigningAlg::Rs256, &claims(&h))
        .await
        .unwrap();
    h.clock.advance(Duration::days(89));
    assert!(run_key_job(&h).await.counts.is_empty(), "not yet");
    h.clock.advance(Duration::days(2));
    let rotated = run_key_job(&h).await;
    assert_eq!(
        rotated.counts.get("keys_created"),
        Some(&1),
        "{:?}",
        rotated.counts
    );
    assert_eq!(rotated.counts.get("keys_retired"), Some(&1));
    assert!(run_key_job(&h).await.counts.is_empty(), "idempotent");
    let second = h
        .service
        .sign_jws(SigningAlg::Rs256, &claims(&h))
        .await
        .unwrap();
    assert_ne!(kid_of(&first), kid_of(&second), "the new key signs");
    let set = jwks(&h).await;
    assert!(
        set.find(&kid_of(&first)).is_some(),
        "the old key is still published"
    );
    h.clock.advance(Duration::days(2));
    let cleaned = run_key_job(&h).await;
    assert_eq!(cleaned.counts.get("keys_deleted"), Some(&1));
    let set = jwks(&h).await;
    assert!(set.find(&kid_of(&first)).is_none(), "gone after its day");
    assert!(set.find(&kid_of(&second)).is_some());
}

/// A key store of the test's own (as an HSM adapter would be): it keeps the
/// private keys in memory and hands out opaque handles.
#[derive(Default)]
struct MemoryKeyStore {
    inner: identity_service::usecases::oidc::keystore::SealedKeyStore,
    keys: std::sync::Mutex<Vec<(String, String)>>,
    signed: std::sync::atomic::AtomicUsize,
}

impl identity_service::ports::KeyStore for MemoryKeyStore {
    fn create(
        &self,
        alg: SigningAlg,
    ) -> Result<(serde_json::Value, String), identity_service::usecases::oidc::keys::SigningKeyError>
    {
        let (jwk, sealed) = self.inner.create(alg)?;
        let mut keys = self.keys.lock().unwrap();
        let handle = format!("mem:{}", keys.len());
        keys.push((handle.clone(), sealed));
        Ok((jwk, handle))
    }

    fn sign(
        &self,
        kid: &str,
        private_ref: &str,
        alg: SigningAlg,
        message: &[u8],
    ) -> Result<Vec<u8>, identity_service::usecases::oidc::keys::SigningKeyError> {
        self.signed
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let keys = self.keys.lock().unwrap();
        let sealed = &keys.iter().find(|(h, _)| h == private_ref).unwrap().1;
        self.inner.sign(kid, sealed, alg, message)
    }
}

async fn another_key_store_takes_the_place_of_the_sealed_one(h: TestApp) {
    let store = std::sync::Arc::new(MemoryKeyStore::default());
    let service = h.service.clone().with_key_store(store.clone());
    let token = service
        .sign_jws(SigningAlg::Rs256, &serde_json::json!({ "sub": "x" }))
        .await
        .unwrap();
    let set: JwkSet = serde_json::from_value(service.jwks().await.unwrap()).unwrap();
    assert!(verify(&set, &token, Algorithm::RS256).is_ok());
    assert_eq!(store.signed.load(std::sync::atomic::Ordering::SeqCst), 1);
    // The database holds the handle, not the key.
    let stored = h
        .store
        .begin_read()
        .await
        .unwrap()
        .signing_keys()
        .await
        .unwrap();
    assert!(stored.iter().all(|k| k.sealed_private.starts_with("mem:")));
}

async fn requests_arriving_together_make_one_key_per_algorithm(h: TestApp) {
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let service = h.service.clone();
            tokio::spawn(async move { service.jwks().await.unwrap() })
        })
        .collect();
    for call in calls {
        call.await.unwrap();
    }
    let stored = h
        .store
        .begin_read()
        .await
        .unwrap()
        .signing_keys()
        .await
        .unwrap();
    assert_eq!(stored.len(), 2, "one RS256 and one ES256 key");
}

async fn federation_kid(h: &TestApp) -> String {
    let statement = h
        .service
        .sign_jwt(
            KeyPurpose::Federation,
            SigningAlg::Rs256,
            "entity-statement+jwt",
            &claims(h),
        )
        .await
        .unwrap();
    kid_of(&statement)
}

fn kids(set: &serde_json::Value) -> Vec<String> {
    set["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

async fn federation_keys_stay_apart_and_are_published_before_they_sign(h: TestApp) {
    let first = federation_kid(&h).await;
    let federation = kids(
        &h.service
            .published_keys(KeyPurpose::Federation)
            .await
            .unwrap(),
    );
    let oidc = kids(&h.service.jwks().await.unwrap());
    assert_eq!(federation, vec![first.clone()], "one RS256 federation key");
    assert!(
        federation.iter().all(|k| !oidc.contains(k)),
        "the federation's keys are not the provider's token keys: {federation:?} {oidc:?}"
    );
    // After 90 days a new federation key is made and published at once, but
    // the old one goes on signing through the notice, so the superiors can
    // take the new key into their statements.
    h.clock.advance(Duration::days(91));
    run_key_job(&h).await;
    let published = kids(
        &h.service
            .published_keys(KeyPurpose::Federation)
            .await
            .unwrap(),
    );
    assert_eq!(published.len(), 2, "{published:?}");
    assert_eq!(federation_kid(&h).await, first, "the old key still signs");
    h.clock.advance(Duration::days(7));
    run_key_job(&h).await;
    assert_eq!(federation_kid(&h).await, first, "still within the notice");
    // Past the notice the new key signs, and the job retires the old one,
    // which stays published for a day.
    h.clock.advance(Duration::days(8));
    let second = federation_kid(&h).await;
    assert_ne!(second, first, "the new key signs after the notice");
    let retired = run_key_job(&h).await;
    assert!(
        retired.counts.contains_key("keys_retired"),
        "{:?}",
        retired.counts
    );
    let published = kids(
        &h.service
            .published_keys(KeyPurpose::Federation)
            .await
            .unwrap(),
    );
    assert!(published.contains(&first) && published.contains(&second));
    h.clock.advance(Duration::days(2));
    run_key_job(&h).await;
    let published = kids(
        &h.service
            .published_keys(KeyPurpose::Federation)
            .await
            .unwrap(),
    );
    assert_eq!(published, vec![second], "the old key is gone after its day");
}
