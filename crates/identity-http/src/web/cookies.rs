//! The cookies of the pages: their names and flags, the double-submit CSRF token,
//! and the one-shot messages left for the page after a redirect.

use axum::http::HeaderMap;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use identity_core::credentials::{constant_time_eq, random_token};

/// Cookie holding the chosen language.
pub(crate) const LANG_COOKIE: &str = "lang";
/// Cookie holding the CSRF secret (double-submit: every form echoes it).
pub(crate) const CSRF_COOKIE: &str = "csrf";
/// Cookie holding the session token.
pub(crate) const SESSION_COOKIE: &str = "sid";

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
