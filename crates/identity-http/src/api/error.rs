//! The API's one error document: `{"error": {"code", "message", "fields": [...]}}`,
//! with messages in the caller's language (`Accept-Language`, Italian by default).
//! Server failures are logged with detail and shown without it.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use identity_core::Lang;
use identity_service::InfraError;
use identity_service::forms::FieldErrors;
use identity_words::{L, Words};
use utoipa::ToSchema;

/// One field's error.
#[derive(Debug, serde::Serialize, ToSchema)]
pub(crate) struct FieldProblem {
    /// The field's name, as in the request body.
    pub field: String,
    /// What is wrong, in the caller's language.
    pub message: String,
}

/// The body of an error.
#[derive(Debug, serde::Serialize, ToSchema)]
pub(crate) struct Problem {
    /// Stable machine-readable code: `invalid_input`, `invalid_request`,
    /// `unauthorized`, `insufficient_scope`, `not_found`, `conflict`,
    /// `reauthentication_required`, `rate_limited`, `busy`, `unavailable`,
    /// `server_error`.
    pub code: &'static str,
    /// A sentence for people, in the caller's language.
    pub message: String,
    /// Field errors, when the input was refused field by field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldProblem>,
}

/// The error document.
#[derive(Debug, serde::Serialize, ToSchema)]
pub(crate) struct ErrorDocument {
    /// The error.
    pub error: Problem,
}

/// Marks an answer given because the database is out of reach, so the per-call
/// audit record (which would wait for the database again) is logged instead.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DatabaseUnavailable;

/// An API error: status plus document.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub problem: Problem,
    /// Seconds to ask the client to wait before retrying (`Retry-After`).
    pub retry_after: Option<&'static str>,
    /// Whether it is the database out of reach ([`DatabaseUnavailable`]).
    pub database_unavailable: bool,
}

impl ApiError {
    pub(crate) fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            retry_after: None,
            database_unavailable: false,
            problem: Problem {
                code,
                message: message.into(),
                fields: Vec::new(),
            },
        }
    }

    /// 422 with every field's message.
    pub(crate) fn fields(errors: &FieldErrors, lang: Lang) -> ApiError {
        let message = L(
            "Alcuni campi non sono validi.",
            "Some fields are not valid.",
        )
        .get(lang);
        let mut e = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", message);
        e.problem.fields = errors
            .iter()
            .map(|f| FieldProblem {
                field: f.field.to_owned(),
                message: f.problem.words(lang),
            })
            .collect();
        e
    }

    /// 422 for one field.
    pub(crate) fn field(field: &str, error: &dyn Words, lang: Lang) -> ApiError {
        let mut e = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            error.words(lang),
        );
        e.problem.fields = vec![FieldProblem {
            field: field.to_owned(),
            message: error.words(lang),
        }];
        e
    }

    /// 404.
    pub(crate) fn not_found(lang: Lang) -> ApiError {
        let m = L("Risorsa non trovata.", "Not found.").get(lang);
        ApiError::new(StatusCode::NOT_FOUND, "not_found", m)
    }

    /// 400 for a body or path that is not what the operation takes.
    pub(crate) fn bad_request(detail: impl std::fmt::Display, lang: Lang) -> ApiError {
        let m = L(
            format!("Richiesta non valida: {detail}"),
            format!("Invalid request: {detail}"),
        )
        .get(lang);
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", m)
    }

    /// 409 or 422 for a rule the request breaks, with the rule's message.
    pub(crate) fn refused(
        status: StatusCode,
        code: &'static str,
        error: &dyn Words,
        lang: Lang,
    ) -> ApiError {
        ApiError::new(status, code, error.words(lang))
    }

    /// 500, or 503 with `Retry-After` when the password hasher is at capacity or
    /// the database is out of reach: logged with detail, shown without.
    pub(crate) fn failed(e: &InfraError, lang: Lang) -> ApiError {
        if e.is_busy() {
            tracing::warn!("password hashing at capacity: answered busy");
            let mut busy = ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                identity_words::BUSY.text(lang),
            );
            busy.retry_after = Some("2");
            return busy;
        }
        if e.is_unavailable() {
            tracing::error!(error = %identity_service::error_chain(e), "database unavailable: answered 503");
            let mut unavailable = ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                identity_words::TEMPORARY.text(lang),
            );
            unavailable.retry_after = Some("5");
            unavailable.database_unavailable = true;
            return unavailable;
        }
        tracing::error!(error = %identity_service::error_chain(e), "API request failed");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            identity_words::TEMPORARY.text(lang),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (
            self.status,
            Json(ErrorDocument {
                error: self.problem,
            }),
        )
            .into_response();
        if self.database_unavailable {
            resp.extensions_mut().insert(DatabaseUnavailable);
        }
        if let Some(seconds) = self.retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static(seconds));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"api\""),
            );
        }
        resp
    }
}
