//! What every page needs: the user's language, the CSRF token, cookies, the
//! client address, the signed-in session, HTML responses.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use identity_core::credentials::{constant_time_eq, random_token};
use identity_core::{Lang, Session, SessionArea};
use identity_service::usecases::sessions::SessionToken;

use crate::AppState;
use crate::form::Fieldset;
use crate::i18n::L;
use crate::texts::{Texts, texts};

/// Cookie holding the chosen language.
pub(crate) const LANG_COOKIE: &str = "lang";
/// Cookie holding the CSRF secret (double-submit: every form echoes it).
pub(crate) const CSRF_COOKIE: &str = "csrf";
/// Cookie holding the session token.
pub(crate) const SESSION_COOKIE: &str = "sid";

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

/// A cookie with the flags every cookie of ours carries.
pub(crate) fn cookie(
    name: &'static str,
    value: String,
    secure: bool,
    same_site: SameSite,
) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(same_site)
        .build()
}

/// The CSRF token for the forms of this page, creating the cookie when missing.
pub(crate) fn csrf_token(jar: CookieJar, secure: bool) -> (CookieJar, String) {
    if let Some(existing) = jar.get(CSRF_COOKIE).map(|c| c.value().to_owned())
        && existing.len() >= 32
    {
        return (jar, existing);
    }
    let token = random_token(&mut rand::rng());
    (
        jar.add(cookie(CSRF_COOKIE, token.clone(), secure, SameSite::Strict)),
        token,
    )
}

/// Whether a submitted form is ours: the field echoes the cookie, and the browser
/// (when it says) sent it from our own site.
pub(crate) fn csrf_ok(jar: &CookieJar, headers: &HeaderMap, submitted: &str) -> bool {
    let same_site = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v == "same-origin" || v == "none");
    let matches = jar.get(CSRF_COOKIE).is_some_and(|c| {
        !submitted.is_empty() && constant_time_eq(c.value().as_bytes(), submitted.as_bytes())
    });
    same_site && matches
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

/// The frame every page template gets as `c`.
pub(crate) struct Chrome {
    pub t: &'static Texts,
    /// This page's path, for the language switch to come back to.
    pub back: String,
    /// The CSRF token for this page's forms.
    pub csrf: String,
    /// Whether to show the sign-out button.
    pub signed_in: bool,
    /// Where the sign-out button posts (the customer area's or the selfcare's).
    pub sign_out: &'static str,
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
    /// The frame for a page, creating the CSRF cookie if needed.
    pub(crate) fn chrome(&mut self, signed_in: bool) -> Chrome {
        let (jar, csrf) = csrf_token(std::mem::take(&mut self.jar), self.state.secure());
        self.jar = jar;
        Chrome {
            t: texts(self.lang),
            back: self.path.clone(),
            csrf,
            signed_in,
            sign_out: "/account/sign-out",
        }
    }

    /// The frame for a selfcare page: its sign-out button ends the selfcare session.
    pub(crate) fn selfcare_chrome(&mut self, signed_in: bool) -> Chrome {
        Chrome {
            sign_out: "/selfcare/sign-out",
            ..self.chrome(signed_in)
        }
    }

    /// Whether a submitted form carries our CSRF token (and came from our site).
    pub(crate) fn csrf_ok(&self, submitted: &str) -> bool {
        csrf_ok(&self.jar, &self.headers, submitted)
    }

    /// The live customer-area session, if any.
    pub(crate) async fn session(&self) -> Option<(Session, SessionToken)> {
        let token = SessionToken::from_client(self.jar.get(SESSION_COOKIE)?.value());
        match self.state.service.session(&token).await {
            Ok(Some(s)) if s.area == SessionArea::Customer => Some((s, token)),
            Ok(_) => None,
            Err(e) => {
                tracing::error!(error = %e, "session look-up failed");
                None
            }
        }
    }

    /// Leaves the message code `code` in the cookie `name`, for the page the
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

    /// A rendered page with this context's cookies.
    pub(crate) fn page(self, template: &impl askama::Template) -> Response {
        let body = page(template);
        self.respond(body)
    }

    /// A rendered page: 422 when the form on it was sent back with errors.
    pub(crate) fn form_page(self, template: &impl askama::Template, failed: bool) -> Response {
        let mut resp = self.page(template);
        if failed && resp.status().is_success() {
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        }
        resp
    }

    /// A page with a heading, one message and an optional link onwards, all in
    /// this request's language, inside the frame `c`.
    pub(crate) fn message(
        self,
        c: Chrome,
        title: L,
        message: L,
        link: Option<(&str, L)>,
    ) -> Response {
        let lang = self.lang;
        let body = MessagePage {
            c,
            title: title.get(lang).to_owned(),
            message: message.get(lang).to_owned(),
            link: link.map(|(href, text)| (href.to_owned(), text.get(lang).to_owned())),
        };
        self.page(&body)
    }

    /// A page saying the form expired (stale or forged CSRF token).
    pub(crate) fn form_expired(mut self) -> Response {
        let c = self.chrome(false);
        let mut resp = self.message(
            c,
            L("Modulo scaduto", "Form expired"),
            L(
                "Il modulo è scaduto o non proviene da questo sito. Torna indietro, ricarica la pagina e riprova.",
                "The form expired or did not come from this site. Go back, reload the page and try again.",
            ),
            Some(("/", L("Torna alla home", "Back to the home page"))),
        );
        *resp.status_mut() = StatusCode::FORBIDDEN;
        resp
    }

    /// 503 with `Retry-After`: password checking is at capacity (a flood of
    /// sign-ins); answered at once instead of queueing without bound.
    pub(crate) fn busy(mut self) -> Response {
        let c = self.chrome(false);
        let mut resp = self.message(
            c,
            L("Servizio occupato", "Service busy"),
            L(
                "Il servizio è molto richiesto in questo momento: riprova tra qualche secondo.",
                "The service is very busy right now: try again in a few seconds.",
            ),
            None,
        );
        *resp.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        resp.headers_mut().insert(
            header::RETRY_AFTER,
            axum::http::HeaderValue::from_static("2"),
        );
        resp
    }

    /// A page for a failure the user cannot fix; the detail is logged, not shown.
    pub(crate) fn failure(mut self, detail: &dyn std::fmt::Display) -> Response {
        tracing::error!(error = %detail, path = %self.path, "request failed");
        let c = self.chrome(false);
        let body = MessagePage {
            c,
            title: crate::i18n::L("Errore temporaneo", "Temporary error")
                .get(self.lang)
                .to_owned(),
            message: identity_core::Localized::message(
                &identity_service::forms::TEMPORARY,
                self.lang,
            ),
            link: None,
        };
        let mut resp = self.page(&body);
        *resp.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        resp
    }
}

/// A page with a heading, one message and an optional link onwards.
#[derive(askama::Template)]
#[template(path = "message.html")]
pub(crate) struct MessagePage {
    pub c: Chrome,
    pub title: String,
    pub message: String,
    pub link: Option<(String, String)>,
}

/// A page with one form: heading, introduction, fields, submit, links after.
#[derive(askama::Template)]
#[template(path = "simple_form.html")]
pub(crate) struct SimpleForm {
    pub c: Chrome,
    pub title: String,
    pub intro: String,
    pub action: &'static str,
    pub submit: String,
    pub sets: Vec<Fieldset>,
    pub summary: Vec<(String, String)>,
    pub notices: Vec<String>,
    pub after: Vec<(String, String)>,
}

/// Renders a template into an HTML response; a template error is a 500 with detail logged.
pub(crate) fn page(template: &impl askama::Template) -> Response {
    match template.render() {
        Ok(html) => ([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "internal error",
            )
                .into_response()
        }
    }
}

/// A redirect after a form post (303, so the browser follows with GET).
pub(crate) fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// Only same-site paths (`/x`, never `//host` or a full URL) may be redirect targets.
pub(crate) fn safe_path(path: Option<&str>) -> &str {
    match path {
        // Browsers drop tabs and newlines from URLs, so `/\t/evil` would become
        // `//evil`: any control character or space disqualifies the path.
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.contains('\\')
                && !p.chars().any(|c| c.is_control() || c.is_whitespace()) =>
        {
            p
        }
        _ => "/",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_from_cookie_then_header() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_LANGUAGE,
            "de-DE,en-GB;q=0.8".parse().unwrap(),
        );
        assert_eq!(language(&CookieJar::new(), &headers), Lang::En);
        let jar = CookieJar::new().add(Cookie::new(LANG_COOKIE, "it"));
        assert_eq!(language(&jar, &headers), Lang::It);
        assert_eq!(language(&CookieJar::new(), &HeaderMap::new()), Lang::It);
    }

    #[test]
    fn a_trusted_proxy_names_the_client() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.4".parse().unwrap(),
        );
        assert_eq!(
            client_ip(&headers, Some("x-forwarded-for")).as_deref(),
            Some("198.51.100.4"),
            "the address the proxy appended, not what the client claimed"
        );
        assert_eq!(client_ip(&headers, None), None, "not configured: the peer");
        headers.insert("x-real-ip", "nonsense".parse().unwrap());
        assert_eq!(client_ip(&headers, Some("x-real-ip")), None);
    }

    #[test]
    fn redirects_stay_on_site() {
        assert_eq!(safe_path(Some("/account")), "/account");
        assert_eq!(safe_path(Some("//evil.example")), "/");
        assert_eq!(safe_path(Some("https://evil.example")), "/");
        assert_eq!(safe_path(Some("/\\evil")), "/");
        assert_eq!(safe_path(Some("/\t/evil.example")), "/");
        assert_eq!(safe_path(Some("/\n/evil.example")), "/");
        assert_eq!(safe_path(None), "/");
    }
}
