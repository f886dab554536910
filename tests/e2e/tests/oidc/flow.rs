//! The whole flow with the `openidconnect` crate as the service provider.

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreIdToken, CoreProviderMetadata,
};
use openidconnect::{
    AccessTokenHash, AuthenticationContextClass, AuthorizationCode, ClientId, ClientSecret,
    CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, RefreshToken, Scope, TokenResponse, UserInfoClaims,
};

use crate::{CLIENT, L1, L2, NAME, Provider, REDIRECT, query_of};
use identity_testkit::Param as _;

pub type Client = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
pub struct Spid {
    #[serde(rename = "https://attributes.eid.gov.it/fiscal_number")]
    pub fiscal_number: Option<String>,
}
impl openidconnect::AdditionalClaims for Spid {}

pub fn http() -> reqwest::Client {
    reqwest::ClientBuilder::new()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// An authorization URL at `acr` with PKCE; its verifier.
pub fn request(client: &Client, acr: &str) -> (String, PkceCodeVerifier) {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, _, _) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_auth_context_value(AuthenticationContextClass::new(acr.into()))
        .set_pkce_challenge(challenge)
        .url();
    (url.to_string(), verifier)
}

/// A client of the provider from its discovery document.
pub async fn client(p: &Provider, secret: &str) -> Client {
    let metadata = CoreProviderMetadata::discover_async(
        IssuerUrl::new(p.server.base.clone()).unwrap(),
        &http(),
    )
    .await
    .unwrap();
    CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(CLIENT.into()),
        Some(ClientSecret::new(secret.into())),
    )
    .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_standard_client_signs_in_at_level_2_and_reads_the_attributes() {
    let p = Provider::start().await;
    let secret = p.register(None).await.unwrap();
    // The holder wants to know of every level-2 sign-in.
    let s = selfcare_session_of(&p).await;
    p.h.service
        .set_access_notification(&s, identity_core::CredentialLevel::L2, true)
        .await
        .unwrap();
    let client = client(&p, &secret).await;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("offline_access".into()))
        .add_auth_context_value(AuthenticationContextClass::new(L2.into()))
        .add_extra_param(
            "claims",
            r#"{"userinfo":{"given_name":null,"family_name":null,"https://attributes.eid.gov.it/fiscal_number":null}}"#,
        )
        .set_pkce_challenge(challenge)
        .url();
    let mut b = p.browser();
    let back = p.authorize(&mut b, url.as_str(), "accept").await;
    let location = back.location.expect("back to the service provider");
    assert!(location.starts_with(REDIRECT), "{location}");
    let q = query_of(&location);
    assert_eq!(q["state"], *state.secret());
    assert_eq!(q["iss"], p.server.base);

    let tokens = client
        .exchange_code(AuthorizationCode::new(q["code"].clone()))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http())
        .await
        .unwrap();
    let id_token = tokens.id_token().unwrap();
    let verifier = client.id_token_verifier();
    let claims = id_token.claims(&verifier, &nonce).unwrap();
    assert_eq!(claims.auth_context_ref().unwrap().as_str(), L2);
    let expected = AccessTokenHash::from_token(
        tokens.access_token(),
        id_token.signing_alg().unwrap(),
        id_token.signing_key(&verifier).unwrap(),
    )
    .unwrap();
    assert_eq!(claims.access_token_hash(), Some(&expected));
    assert!(claims.auth_time().is_some());

    // A tampered ID token is rejected by the client.
    let text = id_token.to_string();
    let mut parts: Vec<String> = text.split('.').map(str::to_owned).collect();
    let flipped = if parts[2].starts_with('A') { "B" } else { "A" };
    parts[2].replace_range(0..1, flipped);
    let tampered: CoreIdToken = parts.join(".").parse().unwrap();
    assert!(tampered.claims(&verifier, &nonce).is_err());

    let info: UserInfoClaims<Spid, CoreGenderClaim> = client
        .user_info(
            tokens.access_token().to_owned(),
            Some(claims.subject().clone()),
        )
        .unwrap()
        .request_async(&http())
        .await
        .unwrap();
    assert_eq!(
        info.given_name().unwrap().get(None).unwrap().as_str(),
        "Mario"
    );
    assert!(info.email().is_none(), "not asked for");
    assert!(
        info.additional_claims()
            .fiscal_number
            .as_deref()
            .unwrap()
            .starts_with("TINIT-")
    );

    // Refresh: a new pair; the old refresh token no longer works.
    let first = tokens.refresh_token().unwrap().clone();
    let refreshed = client
        .exchange_refresh_token(&first)
        .unwrap()
        .request_async(&http())
        .await
        .unwrap();
    assert_ne!(refreshed.refresh_token().unwrap().secret(), first.secret());
    assert!(
        client
            .exchange_refresh_token(&RefreshToken::new(first.secret().clone()))
            .unwrap()
            .request_async(&http())
            .await
            .is_err()
    );

    // The access is in the holder's history under the provider's name, and
    // the notification mail went out.
    let access =
        p.h.service
            .accesses(p.holder.holder, None, None, 0, 1)
            .await
            .unwrap();
    assert_eq!(access.records[0].service, NAME);
    assert_eq!(access.records[0].level, identity_core::CredentialLevel::L2);
    let mail = identity_testkit::outbox(&p.h, "access_notification").await;
    assert_eq!(mail.last().expect("a notification").p("service"), NAME);
    // Every endpoint is in the transaction log.
    let log =
        p.h.service
            .oidc_transactions(Some(CLIENT), 50)
            .await
            .unwrap();
    let mut endpoints: Vec<&str> = log.iter().map(|e| e.endpoint.as_str()).collect();
    endpoints.sort_unstable();
    endpoints.dedup();
    assert_eq!(endpoints, ["authorize", "consent", "token", "userinfo"]);

    // Level 1 reuses the session: straight to the consent page.
    let (url, _) = request(&client, L1);
    let page = p.follow(&mut b, &p.path_of(&url)).await;
    assert!(page.body.contains("id=\"consent\""), "{}", page.body);
    // Level 2 again asks for a fresh sign-in (a moment later).
    p.h.clock.advance(chrono::Duration::seconds(1));
    let (url, _) = request(&client, L2);
    let page = p.follow(&mut b, &p.path_of(&url)).await;
    assert!(page.body.contains("name=\"password\""));
    assert!(
        page.body.contains(&format!("Accedi a {NAME}")),
        "the sign-in page names the service"
    );

    // End-session: without an ID token of ours the holder confirms first...
    let ask = b
        .send(
            "GET",
            "/oidc/logout?post_logout_redirect_uri=https%3A%2F%2Fevil.example%2F",
            &[],
        )
        .await;
    assert_eq!(ask.status, 200);
    assert!(ask.location.is_none() && ask.body.contains("Vuoi uscire?"));
    // ...with one, the session ends and the browser goes back to a registered URI.
    let out = b
        .send(
            "GET",
            &format!(
                "/oidc/logout?id_token_hint={}&post_logout_redirect_uri={}&state=bye",
                id_token,
                identity_testkit::encode(REDIRECT)
            ),
            &[],
        )
        .await;
    let back = out.location.expect("back to the service provider");
    assert!(
        back.starts_with(REDIRECT) && query_of(&back)["state"] == "bye",
        "{back}"
    );
    // The same hint with nobody signed in here proves nothing: the page asks.
    let again = b
        .send(
            "GET",
            &format!("/oidc/logout?id_token_hint={id_token}"),
            &[],
        )
        .await;
    assert!(again.location.is_none() && again.body.contains("Vuoi uscire?"));
    let (url, _) = request(&client, L1);
    let page = p.follow(&mut b, &p.path_of(&url)).await;
    assert!(
        page.body.contains("name=\"password\""),
        "signed out: no reuse"
    );
    p.server.stop().await;
}

/// A level-2 selfcare session of the holder (for settings).
async fn selfcare_session_of(p: &Provider) -> identity_core::Session {
    let step = identity_testkit::password_step(&p.h, &p.holder).await;
    p.h.service
        .selfcare_sign_in_totp(
            &identity_testkit::pending_of(&step),
            &p.code(),
            identity_testkit::client(),
        )
        .await
        .unwrap()
        .session
}
