//! Bearer tokens of API clients: the `Authorization: Bearer idk_...` header is
//! looked up (by its hash), the client must not be revoked, and each operation
//! names the scope it needs.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use identity_core::Lang;
use identity_service::{ApiClient, ApiScope};
use identity_words::L;

use super::error::ApiError;
use crate::AppState;
use crate::web::accept_language;

/// The caller's language for messages: `Accept-Language`, else Italian.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ApiLang(pub Lang);

impl FromRequestParts<AppState> for ApiLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        Ok(ApiLang(accept_language(&parts.headers)))
    }
}

/// An authenticated API client.
#[derive(Debug, Clone)]
pub(crate) struct Client(pub ApiClient);

impl Client {
    /// Refuses with 403 unless the client holds `scope`.
    pub(crate) fn require(&self, scope: ApiScope, lang: Lang) -> Result<(), ApiError> {
        if self.0.scopes.contains(&scope) {
            return Ok(());
        }
        let m = L(
            format!("Questo client non ha l'ambito {}.", scope.code()),
            format!("This client lacks the scope {}.", scope.code()),
        )
        .get(lang);
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            m,
        ))
    }
}

impl FromRequestParts<AppState> for Client {
    type Rejection = ApiError;

    /// The client the audit layer authenticated for this request.
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        let lang = accept_language(&parts.headers);
        parts
            .extensions
            .get::<Client>()
            .cloned()
            .ok_or_else(|| unauthorized(lang))
    }
}

/// 401 with the `WWW-Authenticate` challenge.
pub(crate) fn unauthorized(lang: Lang) -> ApiError {
    let m = L(
        "Serve un token di accesso valido (Authorization: Bearer ...).",
        "A valid access token is required (Authorization: Bearer ...).",
    )
    .get(lang);
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", m)
}

/// The client a request's bearer token belongs to, if any.
pub(crate) async fn authenticate(
    state: &AppState,
    headers: &axum::http::HeaderMap,
) -> Result<Option<Client>, ApiError> {
    let lang = accept_language(headers);
    let Some(token) = crate::web::bearer_token(headers) else {
        return Ok(None);
    };
    match state.service.authenticate_api_client(token).await {
        Ok(found) => Ok(found.map(Client)),
        Err(e) => Err(ApiError::failed(&e.into(), lang)),
    }
}
