//! The API's one error document: `{"error": {"code", "message", "fields": [...]}}`,
//! with messages in the caller's language (`Accept-Language`, Italian by default).
//! Server failures are logged with detail and shown without it.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use identity_core::Lang;
use identity_core::i18n::Localized;
use identity_service::forms::FieldErrors;
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
    /// `reauthentication_required`, `rate_limited`, `server_error`.
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
}

impl ApiError {
    pub(crate) fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            problem: Problem {
                code,
                message: message.into(),
                fields: Vec::new(),
            },
        }
    }

    /// 422 with every field's message.
    pub(crate) fn fields(errors: &FieldErrors, lang: Lang) -> ApiError {
        let message = match lang {
            Lang::It => "Alcuni campi non sono validi.",
            Lang::En => "Some fields are not valid.",
        };
        let mut e = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", message);
        e.problem.fields = errors
            .iter()
            .map(|f| FieldProblem {
                field: f.field.to_owned(),
                message: f.message(lang),
            })
            .collect();
        e
    }

    /// 422 for one field.
    pub(crate) fn field(field: &str, error: &dyn Localized, lang: Lang) -> ApiError {
        let mut e = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            error.message(lang),
        );
        e.problem.fields = vec![FieldProblem {
            field: field.to_owned(),
            message: error.message(lang),
        }];
        e
    }

    /// 404.
    pub(crate) fn not_found(lang: Lang) -> ApiError {
        let m = match lang {
            Lang::It => "Risorsa non trovata.",
            Lang::En => "Not found.",
        };
        ApiError::new(StatusCode::NOT_FOUND, "not_found", m)
    }

    /// 400 for a body or path that is not what the operation takes.
    pub(crate) fn bad_request(detail: impl std::fmt::Display, lang: Lang) -> ApiError {
        let m = match lang {
            Lang::It => format!("Richiesta non valida: {detail}"),
            Lang::En => format!("Invalid request: {detail}"),
        };
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", m)
    }

    /// 409 or 422 for a rule the request breaks, with the rule's message.
    pub(crate) fn refused(
        status: StatusCode,
        code: &'static str,
        error: &dyn Localized,
        lang: Lang,
    ) -> ApiError {
        ApiError::new(status, code, error.message(lang))
    }

    /// 500: logged with detail, shown without.
    pub(crate) fn server(detail: &dyn std::fmt::Display, lang: Lang) -> ApiError {
        tracing::error!(error = %detail, "API request failed");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            identity_service::forms::TEMPORARY.message(lang),
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
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"api\""),
            );
        }
        resp
    }
}
