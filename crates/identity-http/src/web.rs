//! What every page needs: the user's language, the CSRF token, cookies, HTML responses.

use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use identity_core::Lang;
use identity_core::credentials::{constant_time_eq, random_token};

/// Cookie holding the chosen language.
pub(crate) const LANG_COOKIE: &str = "lang";
/// Cookie holding the CSRF secret (double-submit: every form echoes it).
pub(crate) const CSRF_COOKIE: &str = "csrf";
/// Cookie holding the session token.
pub(crate) const SESSION_COOKIE: &str = "sid";

/// The language: the cookie if set, else the browser's `Accept-Language`, else Italian.
pub(crate) fn language(jar: &CookieJar, headers: &HeaderMap) -> Lang {
    if let Some(lang) = jar.get(LANG_COOKIE).and_then(|c| Lang::from_tag(c.value())) {
        return lang;
    }
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(',')
                .find_map(|tag| Lang::from_tag(tag.split(';').next().unwrap_or("")))
        })
        .unwrap_or_default()
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
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p,
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
    fn redirects_stay_on_site() {
        assert_eq!(safe_path(Some("/account")), "/account");
        assert_eq!(safe_path(Some("//evil.example")), "/");
        assert_eq!(safe_path(Some("https://evil.example")), "/");
        assert_eq!(safe_path(Some("/\\evil")), "/");
        assert_eq!(safe_path(None), "/");
    }
}
