//! The stylesheet, the script of the security keys, the logo and the language switch.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_extra::extract::cookie::{CookieJar, SameSite};
use identity_core::Lang;

use crate::AppState;
use crate::web::{LANG_COOKIE, cookie, safe_path, see_other};

const STYLE: &str = include_str!("../static/style.css");
const WEBAUTHN_JS: &str = include_str!("../static/webauthn.js");
/// The provider's logo, which its federation metadata names (the rules want SVG).
const LOGO: &str = include_str!("../static/logo.svg");

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/static/style.css", get(style))
        .route("/static/webauthn.js", get(webauthn_js))
        .route("/static/logo.svg", get(logo))
        .route("/lang/{code}", get(switch_language))
}

async fn style() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE,
    )
}

async fn logo() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        LOGO,
    )
}

async fn webauthn_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        WEBAUTHN_JS,
    )
}

#[derive(serde::Deserialize)]
struct Back {
    back: Option<String>,
}

/// Remembers the chosen language in a cookie and goes back to the page.
async fn switch_language(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(back): Query<Back>,
    jar: CookieJar,
) -> Response {
    let lang = Lang::from_tag(&code).unwrap_or_default();
    let jar = jar.add(cookie(
        LANG_COOKIE,
        lang.code().to_owned(),
        state.secure(),
        SameSite::Lax,
    ));
    (jar, see_other(safe_path(back.back.as_deref()))).into_response()
}
