//! One request's context for the pages ([`Ctx`]): the user's language, the cookies,
//! the headers, the client's address and the path; and what a request's headers
//! say (`Accept-Language`, a bearer token, a trusted proxy's client address).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{CookieJar, SameSite};
use identity_core::{Lang, Session, SessionArea};
use identity_service::Service;
use identity_service::usecases::sessions::SessionToken;

use super::cookies::{LANG_COOKIE, SESSION_COOKIE, cookie, csrf_ok};
use crate::AppState;

/// The language: the cookie if set, else the browser's `Accept-Language`, else Italian.
pub(crate) fn language(jar: &CookieJar, headers: &HeaderMap) -> Lang {
    match jar.get(LANG_COOKIE).and_then(|c| Lang::from_tag(c.value())) {
        Some(lang) => lang,
        None => accept_language(headers),
    }
}

/// The first language of `Accept-Language` we speak, else Italian (for the API,
/// which has no language cookie).
pub(crate) fn accept_language(headers: &HeaderMap) -> Lang {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(',')
                .find_map(|tag| Lang::from_tag(tag.split(';').next().unwrap_or("")))
        })
        .unwrap_or_default()
}

/// The token of an `Authorization: Bearer` header (RFC 6750), if any.
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
}

/// The client's address from a trusted proxy's header: the last address in it
/// (the one the proxy itself appended), if it parses as an IP address.
pub(crate) fn client_ip(headers: &HeaderMap, header_name: Option<&str>) -> Option<String> {
    let value = headers.get(header_name?)?.to_str().ok()?;
    let last = value.rsplit(',').next()?.trim();
    last.parse::<std::net::IpAddr>()
        .ok()
        .map(|ip| ip.to_string())
}

/// One request's context: language, cookies (with the CSRF cookie added when
/// missing), headers, client address and path.
pub(crate) struct Ctx {
    pub state: AppState,
    pub lang: Lang,
    pub jar: CookieJar,
    pub headers: HeaderMap,
    pub ip: String,
    pub path: String,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let lang = language(&jar, &parts.headers);
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string());
        let ip = client_ip(&parts.headers, state.client_ip_header.as_deref()).unwrap_or(peer);
        Ok(Ctx {
            state: state.clone(),
            lang,
            jar,
            headers: parts.headers.clone(),
            ip,
            path: parts
                .uri
                .path_and_query()
                .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned()),
        })
    }
}

impl Ctx {
    /// The use cases.
    pub(crate) fn service(&self) -> &Service {
        &self.state.service
    }

    /// Whether a submitted form carries our CSRF token (and came from our site).
    pub(crate) fn csrf_ok(&self, submitted: &str) -> bool {
        csrf_ok(&self.jar, &self.headers, submitted)
    }

    /// The live customer-area session, if any.
    pub(crate) async fn session(&self) -> Option<(Session, SessionToken)> {
        let token = SessionToken::from_client(self.jar.get(SESSION_COOKIE)?.value());
        match self.service().session(&token).await {
            Ok(Some(s)) if s.area == SessionArea::Customer => Some((s, token)),
            Ok(_) => None,
            Err(e) => {
                tracing::error!(error = %e, "session look-up failed");
                None
            }
        }
    }

    /// response redirects to.
    pub(crate) fn set_flash(&mut self, name: &'static str, code: &str) {
        let secure = self.state.secure();
        self.jar =
            std::mem::take(&mut self.jar).add(cookie(name, code.to_owned(), secure, SameSite::Lax));
    }

    /// Takes the message code left in the cookie `name` (it is shown once).
    pub(crate) fn take_flash(&mut self, name: &'static str) -> Option<String> {
        let code = self.jar.get(name)?.value().to_owned();
        let secure = self.state.secure();
        self.jar = std::mem::take(&mut self.jar).remove(cookie(
            name,
            String::new(),
            secure,
            SameSite::Lax,
        ));
        Some(code)
    }

    /// The response with this context's cookies.
    pub(crate) fn respond(self, response: impl IntoResponse) -> Response {
        (self.jar, response).into_response()
    }
}
