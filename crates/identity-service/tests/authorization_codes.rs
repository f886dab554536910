//! Authorization codes on both backends: redeemed once, by the client they were
//! issued to, with the same redirect URI and the PKCE verifier, before they expire.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::Duration;
use identity_core::CredentialLevel;
use identity_service::usecases::oidc::authorization_codes::{AuthorizationGrant, GrantError};
use identity_testkit::TestApp;

identity_testkit::both_backends!(
    a_code_is_redeemed_once_by_its_client_with_its_verifier,
    a_code_expires_and_retention_removes_it,
);

// RFC 7636 appendix B.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const CLIENT: &str = "https://sp.example.it";
const REDIRECT: &str = "https://sp.example.it/cb";

async fn grant(h: &TestApp) -> AuthorizationGrant {
    let a = identity_testkit::active_identity(h).await;
    AuthorizationGrant {
        client_id: CLIENT.into(),
        holder_id: a.holder,
        identity_id: a.identity.id(),
        redirect_uri: REDIRECT.into(),
        nonce: "n-1".into(),
        code_challenge: CHALLENGE.into(),
        level: CredentialLevel::L2,
        attributes: vec!["fiscal_number".into()],
        offline_access: false,
        auth_time: h.service.now(),
    }
}

fn invalid(r: Result<AuthorizationGrant, GrantError>) -> bool {
    matches!(r, Err(GrantError::InvalidGrant(_) | GrantError::Revoked(_)))
}

async fn a_code_is_redeemed_once_by_its_client_with_its_verifier(h: TestApp) {
    let g = grant(&h).await;
    let code = h.service.issue_authorization_code(&g).await.unwrap();
    let s = &h.service;
    assert!(invalid(
        s.redeem_authorization_code(&code, "https://other.example", REDIRECT, VERIFIER)
            .await
    ));
    assert!(invalid(
        s.redeem_authorization_code(&code, CLIENT, "https://sp.example.it/other", VERIFIER)
            .await
    ));
    assert!(invalid(
        s.redeem_authorization_code(
            &code,
            CLIENT,
            REDIRECT,
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXX"
        )
        .await
    ));
    assert!(invalid(
        s.redeem_authorization_code("not-a-code", CLIENT, REDIRECT, VERIFIER)
            .await
    ));
    // The failed attempts did not spend it; the right one does, once.
    assert_eq!(
        s.redeem_authorization_code(&code, CLIENT, REDIRECT, VERIFIER)
            .await
            .unwrap(),
        g
    );
    assert!(
        invalid(
            s.redeem_authorization_code(&code, CLIENT, REDIRECT, VERIFIER)
                .await
        ),
        "a replay"
    );
    // Two redemptions at once: exactly one wins.
    let code = s.issue_authorization_code(&g).await.unwrap();
    let (a, b) = tokio::join!(
        s.redeem_authorization_code(&code, CLIENT, REDIRECT, VERIFIER),
        s.redeem_authorization_code(&code, CLIENT, REDIRECT, VERIFIER)
    );
    assert_eq!(usize::from(a.is_ok()) + usize::from(b.is_ok()), 1);
}

async fn a_code_expires_and_retention_removes_it(h: TestApp) {
    let g = grant(&h).await;
    let code = h.service.issue_authorization_code(&g).await.unwrap();
    h.clock.advance(Duration::minutes(3));
    assert!(invalid(
        h.service
            .redeem_authorization_code(&code, CLIENT, REDIRECT, VERIFIER)
            .await
    ));
    let run = h
        .run_job(identity_service::usecases::jobs::Job::Retention)
        .await;
    assert_eq!(run.counts.get("authorization_codes"), Some(&1));
}
