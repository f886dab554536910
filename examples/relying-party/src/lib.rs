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
/// The cookie of a signed-in visitor.
const SESSION_COOKIE: &str = "rp_session";

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

/// A signed-in visitor: the page of what was received, and the ID token for
/// signing out at the provider.
struct SignedIn {
    html: String,
    id_token: String,
}

struct Rp {
    client: Client,
    http: reqwest::Client,
    /// Where the provider ends its session (from its discovery document).
    end_session: Option<String>,
    base_url: String,
    started: Mutex<HashMap<String, Started>>,
    signed_in: Mutex<HashMap<String, SignedIn>>,
}

/// The most sign-ins kept waiting, or visitors kept signed in, at once: an
/// example keeps them in memory, and a flood of visits must not grow it forever.
const MAX_KEPT: usize = 1000;

/// Inserts into a bounded map: when full, one entry makes room.
fn keep<V>(map: &Mutex<HashMap<String, V>>, key: String, value: V) {
    if let Ok(mut map) = map.lock() {
        if map.len() >= MAX_KEPT
            && let Some(old) = map.keys().next().cloned()
        {
            map.remove(&old);
        }
        map.insert(key, value);
    }
}

/// The value of the cookie `name` in the request.
fn cookie_of(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(header::COOKIE)?
        .to_str()
        .ok()?
        .split(';')
        .find_map(|c| {
            c.trim()
                .strip_prefix(&format!("{name}="))
                .map(str::to_owned)
        })
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
    // The end-session endpoint is not in the library's core metadata.
    let end_session = http
        .get(format!(
            "{}/.well-known/openid-configuration",
            config.issuer.trim_end_matches('/')
        ))
        .send()
        .await?
        .bytes()
        .await
        .ok()
        .and_then(|body| serde_json::from_slice::<serde_json::Value>(&body).ok())
        .unwrap_or_default()
        .get("end_session_endpoint")
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    let rp = Arc::new(Rp {
        client,
        http,
        end_session,
        base_url: config.base_url.trim_end_matches('/').to_owned(),
        started: Mutex::new(HashMap::new()),
        signed_in: Mutex::new(HashMap::new()),
    });
    Ok(Router::new()
        .route("/", get(home))
        .route("/login", get(login))
        .route("/callback", get(callback))
        .route("/welcome", get(welcome))
        .route("/logout", get(logout))
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
    keep(
        &rp.started,
        state.secret().clone(),
        Started {
            verifier: verifier.secret().clone(),
            nonce,
        },
    );
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
        tracing::info!(error, description = ?q.error_description, "sign-in refused");
        let why = if error == "access_denied" {
            "Non hai dato il consenso, oppure la tua identità digitale non può accedere a questo servizio (sospesa, revocata o di livello troppo basso): il servizio non ha ricevuto i tuoi dati.".to_owned()
        } else {
            format!("L'identity provider ha risposto: {error}.")
        };
        return failed(StatusCode::FORBIDDEN, &why);
    }
    let Some(code) = q.code else {
        // Back from signing out at the provider.
        return Redirect::to("/").into_response();
    };
    let Some(state) = q.state else {
        return failed(StatusCode::BAD_REQUEST, "La risposta non ha lo state.");
    };
    // The state must be this browser's (login CSRF).
    let bound = cookie_of(&headers, STATE_COOKIE).is_some_and(|c| c == state);
    let started = rp.started.lock().ok().and_then(|mut s| s.remove(&state));
    let (true, Some(started)) = (bound, started) else {
        return failed(
            StatusCode::BAD_REQUEST,
            "Questa risposta non appartiene a un accesso avviato da questo browser, o è già stata usata.",
        );
    };
    match finish(&rp, code, started).await {
        Ok(signed_in) => {
            // Post/redirect/get: a reload of the next page does not replay the code.
            let session = CsrfToken::new_random().secret().clone();
            keep(&rp.signed_in, session.clone(), signed_in);
            let cookie = format!("{SESSION_COOKIE}={session}; Path=/; HttpOnly; SameSite=Lax");
            ([(header::SET_COOKIE, cookie)], Redirect::to("/welcome")).into_response()
        }
        Err(e) => failed(StatusCode::BAD_GATEWAY, &format!("{e:#}")),
    }
}

async fn welcome(State(rp): State<Arc<Rp>>, headers: HeaderMap) -> Response {
    let page_html = cookie_of(&headers, SESSION_COOKIE)
        .and_then(|s| rp.signed_in.lock().ok()?.get(&s).map(|v| v.html.clone()));
    match page_html {
        Some(html) => Html(html).into_response(),
        None => Redirect::to("/").into_response(),
    }
}

/// Signs out here and at the provider (RP-initiated logout), coming back to
/// the registered callback.
async fn logout(State(rp): State<Arc<Rp>>, headers: HeaderMap) -> Response {
    let ended =
        cookie_of(&headers, SESSION_COOKIE).and_then(|s| rp.signed_in.lock().ok()?.remove(&s));
    let clear = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    let to = match (ended, &rp.end_session) {
        (Some(s), Some(endpoint)) => {
            let mut url = match reqwest::Url::parse(endpoint) {
                Ok(u) => u,
                Err(_) => return Redirect::to("/").into_response(),
            };
            url.query_pairs_mut()
                .append_pair("id_token_hint", &s.id_token)
                .append_pair(
                    "post_logout_redirect_uri",
                    &format!("{}/callback", rp.base_url),
                )
                .append_pair("state", "signed-out");
            url.to_string()
        }
        _ => "/".to_owned(),
    };
    ([(header::SET_COOKIE, clear)], Redirect::to(&to)).into_response()
}

/// The code exchanged, the ID token verified, the attributes fetched.
async fn finish(rp: &Rp, code: String, started: Started) -> anyhow::Result<SignedIn> {
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
    let html = page(
        "Accesso riuscito",
        &format!(
            "<p>Livello: <span id=\"acr\">{}</span></p><table id=\"attributes\">{table}</table>\
             <p><a id=\"logout\" href=\"/logout\">Esci</a></p>",
            esc(&acr)
        ),
    );
    Ok(SignedIn {
        html: html.0,
        id_token: id_token.to_string(),
    })
}
