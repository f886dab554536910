//! Service providers authenticating at the token endpoint, on both backends:
//! `private_key_jwt` assertions built with an independent library (jsonwebtoken)
//! are accepted once, and refused when signed by another key, addressed to
//! another audience, expired, too long-lived, replayed or from a disabled
//! provider; `client_secret_basic` for development.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::Duration;
use identity_service::Operator;
use identity_service::usecases::oidc::client_auth::JWT_BEARER;
use identity_service::usecases::service_providers::NewServiceProvider;
use identity_testkit::TestApp;
use jsonwebtoken::{Algorithm, EncodingKey, Header};

identity_testkit::both_backends!(
    a_signed_assertion_authenticates_once_and_bad_ones_never,
    a_development_client_authenticates_with_its_secret,
    an_rs256_assertion_authenticates,
);

const TOKEN_ENDPOINT: &str = "http://localhost:8080/oidc/token";
const CLIENT: &str = "https://sp.example.it";

/// An ES256 key pair: the PKCS#8 private key and its public JWK with `kid`.
fn key(kid: &str) -> (Vec<u8>, serde_json::Value) {
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(
        &ECDSA_P256_SHA256_FIXED_SIGNING,
        &aws_lc_rs::rand::SystemRandom::new(),
    )
    .unwrap();
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref()).unwrap();
    let point = pair.public_key().as_ref();
    let jwk = serde_json::json!({
        "kty": "EC", "crv": "P-256", "kid": kid, "use": "sig", "alg": "ES256",
        "x": B64.encode(&point[1..33]), "y": B64.encode(&point[33..65]),
    });
    (pkcs8.as_ref().to_vec(), jwk)
}

async fn admin(h: &TestApp) -> Operator {
    h.service.bootstrap_operator("anna").await.unwrap().0
}

/// Registers the service provider with its public `jwk`.
async fn register_keys(h: &TestApp, by: &Operator, jwk: serde_json::Value) {
    h.service
        .add_service_provider(
            &NewServiceProvider {
                client_id: CLIENT.into(),
                name: "Comune".into(),
                redirect_uris: vec![format!("{CLIENT}/cb")],
                jwks: Some(serde_json::json!({ "keys": [jwk] })),
                ..NewServiceProvider::default()
            },
            by,
        )
        .await
        .unwrap();
}

fn assertion(h: &TestApp, private: &[u8], kid: &str, claims: serde_json::Value) -> String {
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(kid.to_owned());
    let now = h.service.now().timestamp();
    let mut all = serde_json::json!({
        "iss": CLIENT, "sub": CLIENT, "aud": TOKEN_ENDPOINT,
        "iat": now, "exp": now + 60, "jti": uuid::Uuid::new_v4().to_string(),
    });
    for (k, v) in claims.as_object().unwrap() {
        // A null leaves the claim out.
        if v.is_null() {
            all.as_object_mut().unwrap().remove(k);
        } else {
            all[k] = v.clone();
        }
    }
    jsonwebtoken::encode(&header, &all, &EncodingKey::from_ec_der(private)).unwrap()
}

async fn a_signed_assertion_authenticates_once_and_bad_ones_never(h: TestApp) {
    let anna = admin(&h).await;
    let (private, jwk) = key("k1");
    let (stranger, _) = key("k1");
    register_keys(&h, &anna, jwk).await;
    let auth = |token: String| {
        let service = h.service.clone();
        async move {
            service
                .authenticate_client_assertion(JWT_BEARER, &token, TOKEN_ENDPOINT)
                .await
        }
    };
    let good = assertion(&h, &private, "k1", serde_json::json!({}));
    assert_eq!(auth(good.clone()).await.unwrap().client_id, CLIENT);
    assert!(auth(good).await.is_err(), "a replay is refused");
    let now = h.service.now().timestamp();
    let refused = [
        (
            "another key",
            assertion(&h, &stranger, "k1", serde_json::json!({})),
        ),
        (
            "another audience",
            assertion(
                &h,
                &private,
                "k1",
                serde_json::json!({ "aud": "https://evil.example/token" }),
            ),
        ),
        (
            "expired",
            assertion(&h, &private, "k1", serde_json::json!({ "exp": now - 120 })),
        ),
        (
            "no audience",
            assertion(&h, &private, "k1", serde_json::json!({ "aud": null })),
        ),
        (
            "too long-lived",
            assertion(&h, &private, "k1", serde_json::json!({ "exp": now + 7200 })),
        ),
        (
            "no jti",
            assertion(&h, &private, "k1", serde_json::json!({ "jti": "" })),
        ),
        (
            "sub is another",
            assertion(
                &h,
                &private,
                "k1",
                serde_json::json!({ "sub": "https://other.example" }),
            ),
        ),
        (
            "unknown issuer",
            assertion(
                &h,
                &private,
                "k1",
                serde_json::json!({ "iss": "https://other.example", "sub": "https://other.example" }),
            ),
        ),
        (
            "unknown kid",
            assertion(&h, &private, "k9", serde_json::json!({})),
        ),
    ];
    for (why, token) in refused {
        assert!(auth(token).await.is_err(), "{why}");
    }
    assert!(
        h.service
            .authenticate_client_assertion(
                "urn:other",
                &assertion(&h, &private, "k1", serde_json::json!({})),
                TOKEN_ENDPOINT
            )
            .await
            .is_err()
    );
    // A disabled provider authenticates no more.
    h.service
        .disable_service_provider(CLIENT, &anna)
        .await
        .unwrap();
    assert!(
        auth(assertion(&h, &private, "k1", serde_json::json!({})))
            .await
            .is_err()
    );
    // Spent assertion ids are forgotten by the retention job once expired.
    h.clock.advance(Duration::minutes(5));
    let run = h
        .run_job(identity_service::usecases::jobs::Job::Retention)
        .await;
    assert_eq!(run.counts.get("client_assertion_ids"), Some(&1));
}

async fn a_development_client_authenticates_with_its_secret(h: TestApp) {
    let anna = admin(&h).await;
    let (_, secret) = h
        .service
        .add_service_provider(
            &NewServiceProvider {
                client_id: "dev-app".into(),
                name: "Dev".into(),
                redirect_uris: vec!["http://localhost:3000/cb".into()],
                client_secret: true,
                ..NewServiceProvider::default()
            },
            &anna,
        )
        .await
        .unwrap();
    let secret = secret.unwrap();
    assert!(
        h.service
            .authenticate_client_secret("dev-app", &secret)
            .await
            .is_ok()
    );
    assert!(
        h.service
            .authenticate_client_secret("dev-app", "idsp_wrong")
            .await
            .is_err()
    );
    assert!(
        h.service
            .authenticate_client_secret("nobody", &secret)
            .await
            .is_err()
    );
    let rotated = h
        .service
        .rotate_service_provider_secret("dev-app", &anna)
        .await
        .unwrap();
    assert!(
        h.service
            .authenticate_client_secret("dev-app", &secret)
            .await
            .is_err(),
        "the old secret stops"
    );
    assert!(
        h.service
            .authenticate_client_secret("dev-app", &rotated)
            .await
            .is_ok()
    );
}

/// An RS256 assertion signed with a fresh 2048-bit key, built by hand (header,
/// claims, RSASSA-PKCS1-v1_5 signature by aws-lc-rs); the provider verifies it
/// with jsonwebtoken against the registered JWK.
async fn an_rs256_assertion_authenticates(h: TestApp) {
    use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKeyComponents};
    let anna = admin(&h).await;
    let pair = KeyPair::generate(KeySize::Rsa2048).unwrap();
    let public: PublicKeyComponents<Vec<u8>> = pair.public_key().into();
    let jwk = serde_json::json!({
        "kty": "RSA", "kid": "r1", "use": "sig", "alg": "RS256",
        "n": B64.encode(&public.n), "e": B64.encode(&public.e),
    });
    register_keys(&h, &anna, jwk).await;
    let now = h.service.now().timestamp();
    let header = serde_json::json!({ "alg": "RS256", "kid": "r1", "typ": "JWT" });
    let claims = serde_json::json!({
        "iss": CLIENT, "sub": CLIENT, "aud": TOKEN_ENDPOINT,
        "iat": now, "exp": now + 60, "jti": "rs-1",
    });
    let input = format!(
        "{}.{}",
        B64.encode(header.to_string()),
        B64.encode(claims.to_string())
    );
    let mut signature = vec![0; pair.public_modulus_len()];
    pair.sign(
        &aws_lc_rs::signature::RSA_PKCS1_SHA256,
        &aws_lc_rs::rand::SystemRandom::new(),
        input.as_bytes(),
        &mut signature,
    )
    .unwrap();
    let assertion = format!("{input}.{}", B64.encode(&signature));
    let sp = h
        .service
        .authenticate_client_assertion(JWT_BEARER, &assertion, TOKEN_ENDPOINT)
        .await
        .unwrap();
    assert_eq!(sp.client_id, CLIENT);
    // Another assertion (a new jti) under the first one's signature is refused.
    let other = serde_json::json!({
        "iss": CLIENT, "sub": CLIENT, "aud": TOKEN_ENDPOINT,
        "iat": now, "exp": now + 60, "jti": "rs-2",
    });
    let forged = format!(
        "{}.{}.{}",
        B64.encode(header.to_string()),
        B64.encode(other.to_string()),
        B64.encode(&signature)
    );
    assert!(
        h.service
            .authenticate_client_assertion(JWT_BEARER, &forged, TOKEN_ENDPOINT)
            .await
            .is_err()
    );
}
