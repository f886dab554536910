//! The OpenID Connect provider's use cases end to end on both backends: the
//! holder consents, the code is exchanged, the ID token verifies with an
//! independent library against the published keys, userinfo releases the
//! consented attributes, refresh and revocation work, a replayed code revokes
//! what it gave; a denied consent, a suspended identity and a level too low are
//! refused and recorded; the transaction log is written and purged after 24
//! months.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::Duration;
use identity_core::AccessOutcome;
use identity_core::identity::{Actor, SuspensionReason};
use identity_core::oidc::authorize::AuthorizationRequest;
use identity_core::{CredentialLevel, Session};
use identity_service::usecases::jobs::Job;
use identity_service::usecases::oidc::provider::{AuthorizationRefused, PendingAuthorization};
use identity_service::usecases::oidc::tokens::at_hash;
use identity_service::usecases::service_providers::NewServiceProvider;
use identity_testkit::TestApp;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation};
use sha2::{Digest, Sha256};

identity_testkit::both_backends!(
    a_consented_sign_in_gives_verified_tokens_and_the_consented_attributes,
    refresh_rotates_and_revocation_ends_tokens,
    refusals_are_access_denied_and_recorded,
    the_transaction_log_is_kept_24_months,
);

const CLIENT: &str = "https://sp.example.it";
const REDIRECT: &str = "https://sp.example.it/cb";
const NAME: &str = "Comune di Esempio";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const IP: Option<&str> = Some("192.0.2.7");

async fn register(h: &TestApp) {
    let anna = h.service.bootstrap_operator("anna").await.unwrap().0;
    h.service
        .add_service_provider(
            &NewServiceProvider {
                client_id: CLIENT.into(),
                name: NAME.into(),
                redirect_uris: vec![REDIRECT.into()],
                client_secret: true,
                levels: vec![1, 2],
                attributes: vec![
                    "given_name".into(),
                    "family_name".into(),
                    "fiscal_number".into(),
                ],
                ..NewServiceProvider::default()
            },
            &anna,
        )
        .await
        .unwrap();
}

fn pending(level: CredentialLevel, offline: bool, started: &Session) -> PendingAuthorization {
    PendingAuthorization {
        id: "request-1".into(),
        request: AuthorizationRequest {
            client_id: CLIENT.into(),
            redirect_uri: REDIRECT.into(),
            state: "st".into(),
            nonce: "n-0S6_WzA2Mj".into(),
            code_challenge: B64.encode(Sha256::digest(VERIFIER.as_bytes())),
            level,
            levels: vec![level],
            prompt_login: false,
            prompt_consent: false,
            attributes: vec!["given_name".into(), "fiscal_number".into()],
            offline_access: offline,
        },
        service_name: NAME.into(),
        // After the sign-in: the session is reused, so the consent records the
        // access (a sign-in made for the request records it itself).
        started_at: started.created_at + Duration::seconds(1),
    }
}

/// A level-2 identity signed in at level 2.
async fn signed_in_l2(h: &TestApp) -> (identity_testkit::Active, Session) {
    let a = identity_testkit::active_identity(h).await;
    let secret = identity_testkit::enrol(h, &a).await;
    let s = identity_testkit::sign_in_l2(h, &a, &secret).await;
    (a, s.session)
}

async fn latest_access(h: &TestApp, a: &identity_testkit::Active) -> identity_core::AccessRecord {
    h.service
        .accesses(a.holder, None, None, 0, 1)
        .await
        .unwrap()
        .records
        .remove(0)
}

async fn a_consented_sign_in_gives_verified_tokens_and_the_consented_attributes(h: TestApp) {
    register(&h).await;
    let (a, session) = signed_in_l2(&h).await;
    let p = pending(CredentialLevel::L1, true, &session);
    let code = h.service.oidc_decide(&session, &p, true, IP).await.unwrap();
    let access = latest_access(&h, &a).await;
    assert_eq!(access.service, NAME);
    assert_eq!(access.outcome, AccessOutcome::Ok);
    assert_eq!(access.level, CredentialLevel::L2, "the level performed");

    // A wrong verifier does not spend the code; the right one does.
    assert!(
        h.service
            .oidc_exchange_code(&code, CLIENT, REDIRECT, &"x".repeat(43))
            .await
            .is_err()
    );
    let (tokens, _) = h
        .service
        .oidc_exchange_code(&code, CLIENT, REDIRECT, VERIFIER)
        .await
        .unwrap();
    let id_token = tokens.id_token.clone().unwrap();
    assert!(
        tokens.refresh_token.is_some(),
        "offline_access was consented"
    );

    // The ID token verifies with the published keys (jsonwebtoken, not ours).
    let jwks: JwkSet = serde_json::from_value(h.service.jwks().await.unwrap()).unwrap();
    let header = jsonwebtoken::decode_header(&id_token).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
    let key = DecodingKey::from_jwk(jwks.find(&header.kid.unwrap()).unwrap()).unwrap();
    let mut validation = Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[CLIENT]);
    validation.set_issuer(&["http://localhost:8080"]);
    validation.validate_exp = false;
    let claims = jsonwebtoken::decode::<serde_json::Value>(&id_token, &key, &validation)
        .unwrap()
        .claims;
    assert_eq!(claims["acr"], "https://www.spid.gov.it/SpidL2");
    assert_eq!(claims["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(claims["at_hash"], at_hash(&tokens.access_token));
    let sub = h.service.pairwise_subject(CLIENT, a.holder).await.unwrap();
    assert_eq!(claims["sub"], sub);
    assert_ne!(
        sub,
        h.service
            .pairwise_subject("https://other.example.it", a.holder)
            .await
            .unwrap(),
        "pairwise"
    );
    assert_eq!(
        h.service.client_of_id_token(&id_token).await,
        Some((CLIENT.to_owned(), sub.clone()))
    );

    // Userinfo: exactly the consented attributes, and sub.
    let (info, _) = h.service.oidc_userinfo(&tokens.access_token).await.unwrap();
    let mut names: Vec<&str> = info.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "given_name",
            "https://attributes.eid.gov.it/fiscal_number",
            "sub"
        ]
    );
    assert!(
        info["https://attributes.eid.gov.it/fiscal_number"]
            .as_str()
            .unwrap()
            .starts_with("TINIT-")
    );

    // The code again: refused, and what it gave stops working.
    assert!(
        h.service
            .oidc_exchange_code(&code, CLIENT, REDIRECT, VERIFIER)
            .await
            .is_err()
    );
    assert!(h.service.oidc_userinfo(&tokens.access_token).await.is_err());
    assert!(
        h.service
            .oidc_refresh(tokens.refresh_token.as_ref().unwrap(), CLIENT)
            .await
            .is_err()
    );
}

async fn refresh_rotates_and_revocation_ends_tokens(h: TestApp) {
    register(&h).await;
    let (_, session) = signed_in_l2(&h).await;
    let code = h
        .service
        .oidc_decide(
            &session,
            &pending(CredentialLevel::L2, true, &session),
            true,
            IP,
        )
        .await
        .unwrap();
    let (first, _) = h
        .service
        .oidc_exchange_code(&code, CLIENT, REDIRECT, VERIFIER)
        .await
        .unwrap();
    let (second, _) = h
        .service
        .oidc_refresh(first.refresh_token.as_ref().unwrap(), CLIENT)
        .await
        .unwrap();
    assert!(second.id_token.is_none());
    assert!(h.service.oidc_userinfo(&second.access_token).await.is_ok());
    // Another client's revocation is ignored; the owner's works.
    h.service
        .oidc_revoke(&second.access_token, "https://other.example.it")
        .await
        .unwrap();
    assert!(h.service.oidc_userinfo(&second.access_token).await.is_ok());
    h.service
        .oidc_revoke(&second.access_token, CLIENT)
        .await
        .unwrap();
    assert!(h.service.oidc_userinfo(&second.access_token).await.is_err());
    let next = second.refresh_token.unwrap();
    h.service.oidc_revoke(&next, CLIENT).await.unwrap();
    assert!(h.service.oidc_refresh(&next, CLIENT).await.is_err());
    // Access tokens end after 10 minutes.
    h.clock.advance(Duration::minutes(11));
    assert!(h.service.oidc_userinfo(&first.access_token).await.is_err());
}

async fn refusals_are_access_denied_and_recorded(h: TestApp) {
    register(&h).await;
    let a = identity_testkit::active_identity(&h).await;
    // A level-1 identity cannot meet level 2.
    let l1 = identity_testkit::sign_in_l1(&h, &a).await.session;
    let refused = h
        .service
        .oidc_check_identity(&l1, &pending(CredentialLevel::L2, false, &l1), IP)
        .await;
    assert!(matches!(
        refused,
        Err(AuthorizationRefused::AccessDenied(_))
    ));
    let record = latest_access(&h, &a).await;
    assert_eq!(
        (record.service.as_str(), record.outcome),
        (NAME, AccessOutcome::Failed)
    );
    // Consent denied.
    let p = pending(CredentialLevel::L1, false, &l1);
    assert!(matches!(
        h.service.oidc_decide(&l1, &p, false, IP).await,
        Err(AuthorizationRefused::AccessDenied(_))
    ));
    assert_eq!(
        latest_access(&h, &a).await.outcome,
        AccessOutcome::ConsentDenied
    );
    // Without offline_access, no refresh token.
    let code = h.service.oidc_decide(&l1, &p, true, IP).await.unwrap();
    let (tokens, _) = h
        .service
        .oidc_exchange_code(&code, CLIENT, REDIRECT, VERIFIER)
        .await
        .unwrap();
    assert!(tokens.refresh_token.is_none());
    // A suspended identity.
    h.service
        .suspend_identity(
            a.identity.id(),
            SuspensionReason::HolderRequest,
            Actor::Holder(a.holder),
        )
        .await
        .unwrap();
    assert!(h.service.oidc_userinfo(&tokens.access_token).await.is_err());
    assert!(matches!(
        h.service.oidc_decide(&l1, &p, true, IP).await,
        Err(AuthorizationRefused::AccessDenied(_))
    ));
    assert_eq!(latest_access(&h, &a).await.outcome, AccessOutcome::Failed);
}

async fn the_transaction_log_is_kept_24_months(h: TestApp) {
    register(&h).await;
    let (_, session) = signed_in_l2(&h).await;
    let p = pending(CredentialLevel::L2, false, &session);
    let code = h.service.oidc_decide(&session, &p, true, IP).await.unwrap();
    h.service
        .oidc_exchange_code(&code, CLIENT, REDIRECT, VERIFIER)
        .await
        .unwrap();
    let log = h.service.oidc_transactions(Some(CLIENT), 10).await.unwrap();
    assert_eq!(log.len(), 1, "the consent (the endpoints log the rest)");
    assert_eq!(
        (log[0].endpoint.as_str(), log[0].outcome.as_str()),
        ("consent", "ok")
    );
    assert_eq!(log[0].client_ip.as_deref(), IP);
    h.clock.advance(Duration::days(700));
    let run = h.run_job(Job::Retention).await;
    assert_eq!(run.counts.get("oidc_transactions").copied().unwrap_or(0), 0);
    assert_eq!(run.counts.get("access_tokens").copied(), Some(1));
    h.clock.advance(Duration::days(40));
    let run = h.run_job(Job::Retention).await;
    assert_eq!(run.counts.get("oidc_transactions").copied(), Some(1));
    assert!(
        h.service
            .oidc_transactions(None, 10)
            .await
            .unwrap()
            .is_empty()
    );
}
