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

use crate::web::Failure;

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

/// An API error: status plus document.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub problem: Problem,
    /// The machinery's failure it answers, if any: its `Retry-After`, and the
    /// mark the audit layer reads (a call answered because the database is out
    /// of reach is logged, not audited).
    pub failure: Option<Failure>,
}

impl ApiError {
    pub(crate) fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            failure: None,
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
        let failure = Failure::of(e);
        let (code, words) = match failure {
            Failure::Busy => ("busy", identity_words::BUSY),
            Failure::Unavailable => ("unavailable", identity_words::TEMPORARY),
            Failure::Failed => ("server_error", identity_words::TEMPORARY),
        };
        let mut error = ApiError::new(failure.status(), code, words.text(lang));
        error.failure = Some(failure);
        error
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
        if let Some(failure) = self.failure {
            if let Some(seconds) = failure.retry_after() {
                resp.headers_mut().insert(header::RETRY_AFTER, seconds);
            }
            resp.extensions_mut().insert(failure);
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
