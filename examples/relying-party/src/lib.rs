//! An example service provider ("relying party"): how a service signs its users
//! in through this identity provider with a standard OpenID Connect client (the
//! `openidconnect` crate), on the SPID profile: discovery, the authorization
//! code flow with PKCE S256, `state` and `nonce`, SPID level 2 by `acr_values`,
//! the attributes asked for in the `claims` parameter, the ID token verified
//! (signature, issuer, audience, nonce, `at_hash`, `acr`), then the userinfo
//! endpoint. It authenticates with `client_secret_basic`, the development
//! method; a production provider uses `private_key_jwt` (see the README).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreProviderMetadata,
};
use openidconnect::{
    AccessTokenHash, AdditionalClaims, AuthenticationContextClass, AuthorizationCode, ClientId,
    ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
    UserInfoClaims,
};
use serde::{Deserialize, Serialize};

/// The SPID level 2 `acr` value.
pub const SPID_L2: &str = "https://www.spid.gov.it/SpidL2";
/// The cookie binding a sign-in to the browser that started it.
const STATE_COOKIE: &str = "rp_state";

/// How the example is set up.
#[derive(Debug, Clone)]
pub struct RpConfig {
    /// The identity provider's issuer (its public URL).
    pub issuer: String,
    /// This service's client id, as registered with `identity-admin sp add`.
    pub client_id: String,
    /// Its development client secret.
    pub client_secret: String,
    /// This service's own base URL; the callback is `<base>/callback`.
    pub base_url: String,
}

/// Every attribute the userinfo endpoint sent, by claim name.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AllClaims {
    #[serde(flatten)]
    claims: HashMap<String, serde_json::Value>,
}

impl AdditionalClaims for AllClaims {}

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// A sign-in under way: what the callback checks.
struct Started {
    verifier: String,
    nonce: Nonce,
}

struct Rp {
    client: Client,
    http: reqwest::Client,
    started: Mutex<HashMap<String, Started>>,
}

/// The example's routes, after reading the provider's metadata (discovery).
pub async fn app(config: RpConfig) -> anyhow::Result<Router> {
    let http = reqwest::ClientBuilder::new()
        // Never follow redirects from the provider (SSRF hardening).
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let metadata =
        CoreProviderMetadata::discover_async(IssuerUrl::new(config.issuer.clone())?, &http)
            .await
            .context("reading the provider's discovery document")?;
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(config.client_id.clone()),
        Some(ClientSecret::new(config.client_secret.clone())),
    )
    .set_redirect_uri(RedirectUrl::new(format!(
        "{}/callback",
        config.base_url.trim_end_matches('/')
    ))?);
    let rp = Arc::new(Rp {
        client,
        http,
        started: Mutex::new(HashMap::new()),
    });
    Ok(Router::new()
        .route("/", get(home))
        .route("/login", get(login))
        .route("/callback", get(callback))
        .with_state(rp))
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"it\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body><h1>{title}</h1>{body}</body></html>"
    ))
}

/// Escapes text for HTML.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn home() -> Html<String> {
    page(
        "Servizio di esempio",
        "<p>Questo servizio ti fa accedere con la tua identità digitale (livello 2).</p>\
         <p><a id=\"login\" href=\"/login\">Entra con la tua identità digitale</a></p>",
    )
}

async fn login(State(rp): State<Arc<Rp>>) -> Response {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let claims = serde_json::json!({ "userinfo": {
        "given_name": null, "family_name": null, "email": null,
        "https://attributes.eid.gov.it/fiscal_number": { "essential": true },
    }});
    let (url, state, nonce) = rp
        .client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".into()))
        .add_auth_context_value(AuthenticationContextClass::new(SPID_L2.into()))
        .add_extra_param("claims", claims.to_string())
        .set_pkce_challenge(challenge)
        .url();
    if let Ok(mut started) = rp.started.lock() {
        started.insert(
            state.secret().clone(),
            Started {
                verifier: verifier.secret().clone(),
                nonce,
            },
        );
    }
    let cookie = format!(
        "{STATE_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax",
        state.secret()
    );
    ([(header::SET_COOKIE, cookie)], Redirect::to(url.as_str())).into_response()
}

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

fn failed(status: StatusCode, why: &str) -> Response {
    (
        status,
        page(
            "Accesso non riuscito",
            &format!(
                "<p id=\"error\">{}</p><p><a href=\"/\">Riprova</a></p>",
                esc(why)
            ),
        ),
    )
        .into_response()
}

async fn callback(
    State(rp): State<Arc<Rp>>,
    headers: HeaderMap,
    Query(q): Query<CallbackQuery>,
) -> Response {
    if let Some(error) = q.error {
        let why = format!("{error}: {}", q.error_description.unwrap_or_default());
        return failed(StatusCode::FORBIDDEN, &why);
    }
    let (Some(code), Some(state)) = (q.code, q.state) else {
        return failed(StatusCode::BAD_REQUEST, "code and state are missing");
    };
    // The state must be this browser's (login CSRF).
    let bound = headers
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|cookies| {
            cookies
                .split(';')
                .any(|c| c.trim() == format!("{STATE_COOKIE}={state}"))
        });
    let started = rp.started.lock().ok().and_then(|mut s| s.remove(&state));
    let (true, Some(started)) = (bound, started) else {
        return failed(StatusCode::BAD_REQUEST, "unknown or foreign state");
    };
    match finish(&rp, code, started).await {
        Ok(html) => html.into_response(),
        Err(e) => failed(StatusCode::BAD_GATEWAY, &format!("{e:#}")),
    }
}

/// The code exchanged, the ID token verified, the attributes fetched.
async fn finish(rp: &Rp, code: String, started: Started) -> anyhow::Result<Html<String>> {
    let tokens = rp
        .client
        .exchange_code(AuthorizationCode::new(code))?
        .set_pkce_verifier(PkceCodeVerifier::new(started.verifier))
        .request_async(&rp.http)
        .await
        .context("exchanging the code")?;
    let id_token = tokens.id_token().context("no ID token")?;
    let verifier = rp.client.id_token_verifier();
    let claims = id_token
        .claims(&verifier, &started.nonce)
        .context("verifying the ID token")?;
    let expected = claims.access_token_hash().context("no at_hash")?;
    let actual = AccessTokenHash::from_token(
        tokens.access_token(),
        id_token.signing_alg()?,
        id_token.signing_key(&verifier)?,
    )?;
    anyhow::ensure!(
        actual == *expected,
        "at_hash does not match the access token"
    );
    let acr = claims
        .auth_context_ref()
        .map(|a| a.to_string())
        .unwrap_or_default();
    anyhow::ensure!(
        acr == SPID_L2 || acr == "https://www.spid.gov.it/SpidL3",
        "signed in below level 2: {acr}"
    );
    let userinfo: UserInfoClaims<AllClaims, CoreGenderClaim> = rp
        .client
        .user_info(
            tokens.access_token().to_owned(),
            Some(claims.subject().clone()),
        )?
        .request_async(&rp.http)
        .await
        .context("reading the userinfo")?;
    // The standard claims the library knows, then every other one it received.
    let standard = [
        (
            "given_name",
            userinfo
                .given_name()
                .and_then(|n| n.get(None))
                .map(|v| v.to_string()),
        ),
        (
            "family_name",
            userinfo
                .family_name()
                .and_then(|n| n.get(None))
                .map(|v| v.to_string()),
        ),
        ("email", userinfo.email().map(|v| v.to_string())),
        (
            "phone_number",
            userinfo.phone_number().map(|v| v.to_string()),
        ),
    ];
    let mut rows: Vec<(String, String)> = standard
        .into_iter()
        .filter_map(|(name, value)| Some((name.to_owned(), value?)))
        .chain(userinfo.additional_claims().claims.iter().map(|(k, v)| {
            (
                k.clone(),
                v.as_str().map_or_else(|| v.to_string(), str::to_owned),
            )
        }))
        .collect();
    rows.sort();
    let table: String = rows
        .iter()
        .map(|(k, v)| format!("<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(v)))
        .collect();
    Ok(page(
        "Accesso riuscito",
        &format!(
            "<p>Livello: <span id=\"acr\">{}</span></p><table id=\"attributes\">{table}</table>",
            esc(&acr)
        ),
    ))
}
