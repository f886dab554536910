//! What the provider refuses, seen by a standard client: an unregistered
//! redirect URI (never redirected to), a request without PKCE, a replayed or
//! expired code, a wrong client secret, a suspended identity, a level above the
//! identity's, a denied consent.

use identity_core::identity::{Actor, SuspensionReason};
use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{
    AuthenticationContextClass, AuthorizationCode, CsrfToken, Nonce, OAuth2TokenResponse,
    PkceCodeVerifier, RedirectUrl,
};

use crate::flow::{client, http, request};
use crate::{L2, Provider, REDIRECT, query_of};

fn error_of(location: Option<&String>) -> String {
    let q = query_of(location.expect("a redirect to the service provider"));
    assert!(q.contains_key("state"), "the state comes back");
    q["error"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_codes_and_clients_are_refused() {
    let p = Provider::start().await;
    let secret = p.register(None).await.unwrap();
    let client = client(&p, &secret).await;
    let mut b = p.browser();

    // An unregistered redirect URI: a page here, never a redirect there.
    let evil = client
        .clone()
        .set_redirect_uri(RedirectUrl::new("https://evil.example/cb".into()).unwrap());
    let (url, _) = request(&evil, L2);
    let page = p.follow(&mut b, &p.path_of(&url)).await;
    assert_eq!(page.status, 400);
    assert!(page.location.is_none());

    // No PKCE: invalid_request back to the provider, with the state.
    let (url, _, _) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_auth_context_value(AuthenticationContextClass::new(L2.into()))
        .url();
    let back = p.follow(&mut b, &p.path_of(url.as_str())).await;
    assert_eq!(error_of(back.location.as_ref()), "invalid_request");

    // A code used twice: the second use fails and revokes the first tokens.
    let (url, verifier) = request(&client, L2);
    let back = p.authorize(&mut b, &url, "accept").await;
    let code = query_of(back.location.as_ref().unwrap())["code"].clone();
    let tokens = client
        .exchange_code(AuthorizationCode::new(code.clone()))
        .unwrap()
        .set_pkce_verifier(PkceCodeVerifier::new(verifier.secret().clone()))
        .request_async(&http())
        .await
        .unwrap();
    let again = client
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http())
        .await;
    assert!(format!("{:?}", again.unwrap_err()).contains("invalid_grant"));
    assert!(
        p.h.service
            .oidc_userinfo(tokens.access_token().secret())
            .await
            .is_err(),
        "the first exchange's token is revoked"
    );

    // A code redeemed after its 2 minutes.
    let (url, verifier) = request(&client, L2);
    let back = p.authorize(&mut b, &url, "accept").await;
    let code = query_of(back.location.as_ref().unwrap())["code"].clone();
    p.h.clock.advance(chrono::Duration::minutes(3));
    let late = client
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http())
        .await;
    assert!(format!("{:?}", late.unwrap_err()).contains("invalid_grant"));

    // A wrong client secret.
    let (url, verifier) = request(&client, L2);
    let back = p.authorize(&mut b, &url, "accept").await;
    let code = query_of(back.location.as_ref().unwrap())["code"].clone();
    let impostor = crate::flow::client(&p, "not-the-secret").await;
    let refused = impostor
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http())
        .await;
    assert!(format!("{:?}", refused.unwrap_err()).contains("invalid_client"));

    // A token request that is not a form gets an OAuth error document.
    let json = http()
        .post(format!("{}/oidc/token", p.server.base))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(json.status(), 400);
    let body: serde_json::Value = serde_json::from_slice(&json.bytes().await.unwrap()).unwrap();
    assert_eq!(body["error"], "invalid_request");

    // A decision made on a page of another request (another tab started a new
    // one meanwhile) decides nothing: the current request is shown again.
    let (url, _) = request(&client, L2);
    let first = p.authorize_until_consent(&mut b, &url).await;
    let (url, _) = request(&client, "https://www.spid.gov.it/SpidL1");
    let second = p.follow(&mut b, &p.path_of(&url)).await;
    assert!(second.body.contains("id=\"consent\""));
    let stale = crate::hidden_of(&first.body, "request");
    let csrf = identity_testkit::csrf_of(&first.body);
    let reply = b
        .send(
            "POST",
            "/oidc/consent",
            &[("csrf", &csrf), ("decision", "accept"), ("request", &stale)],
        )
        .await;
    assert_eq!(reply.location.as_deref(), Some("/oidc/continue"));

    // Consent denied.
    let (url, _) = request(&client, L2);
    let back = p.authorize(&mut b, &url, "deny").await;
    assert_eq!(error_of(back.location.as_ref()), "access_denied");

    // A level above the identity's (it has level 2, level 3 is asked).
    let (url, _) = request(&client, "https://www.spid.gov.it/SpidL3");
    let back = p.authorize(&mut b, &url, "accept").await;
    assert_eq!(error_of(back.location.as_ref()), "access_denied");

    // A suspended identity.
    p.h.service
        .suspend_identity(
            p.holder.identity.id(),
            SuspensionReason::HolderRequest,
            Actor::Holder(p.holder.holder),
        )
        .await
        .unwrap();
    let (url, _) = request(&client, L2);
    let back = p.authorize(&mut b, &url, "accept").await;
    assert_eq!(error_of(back.location.as_ref()), "access_denied");
    assert!(back.location.unwrap().starts_with(REDIRECT));
    p.server.stop().await;
}
