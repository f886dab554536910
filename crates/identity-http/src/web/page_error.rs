//! Why a page handler stopped before its page ([`PageError`]), so a handler reads
//! as the steps it takes, each with `?`:
//!
//! ```text
//! async fn show(ctx: Ctx) -> Page {
//!     let s = Signed::from(ctx).await?;      // not signed in: the sign-in page
//!     let holder = s.holder().await?;        // storage failed: the error page
//!     Ok(s.ctx.page(&OverviewPage::new(&holder)))
//! }
//! ```
//!
//! A failure of the machinery renders itself: the handler's response is marked,
//! and [`failure_pages`] (a layer on the page routers) turns the mark into the
//! "temporary error" page (500), the "busy" page (503 with `Retry-After`) or,
//! while the database is out of reach, the "temporarily unavailable" page (503
//! with `Retry-After`), in the request's language. The detail is logged, never
//! shown.

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use identity_service::{InfraError, StoreError, error_chain};
use identity_words::{BUSY, L, TEMPORARY};

use super::frame_texts::texts;
use super::pages::{Chrome, MessagePage, page};
use super::request::language;

/// What a page handler answers.
pub(crate) type Page = Result<Response, PageError>;

/// Why a page handler stopped early. Both parts are boxed: the early stop is
/// the rare path, and a handler's result stays one pointer wide.
pub(crate) enum PageError {
    /// A response to give instead: a redirect to the sign-in page, the "form
    /// expired" page, a form sent back with its errors.
    Respond(Box<Response>),
    /// The machinery failed: nothing the user can fix.
    Failed(Box<InfraError>),
}

impl From<Response> for PageError {
    fn from(response: Response) -> PageError {
        PageError::Respond(Box::new(response))
    }
}

impl From<InfraError> for PageError {
    fn from(e: InfraError) -> PageError {
        PageError::Failed(Box::new(e))
    }
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> PageError {
        PageError::Failed(Box::new(e.into()))
    }
}

/// The mark of a failed page, for [`failure_pages`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FailurePage {
    /// The password hasher at capacity.
    Busy,
    /// The database out of reach for now.
    Unavailable,
    /// Anything else.
    Failed,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::Respond(response) => *response,
            PageError::Failed(e) => {
                let (status, failure) = if e.is_busy() {
                    // A flood of sign-ins: counted in the hasher's metrics, not an error.
                    tracing::warn!("password hashing at capacity: answered busy");
                    (StatusCode::SERVICE_UNAVAILABLE, FailurePage::Busy)
                } else if e.is_unavailable() {
                    tracing::error!(error = %error_chain(&e), "database unavailable: answered 503");
                    (StatusCode::SERVICE_UNAVAILABLE, FailurePage::Unavailable)
                } else {
                    tracing::error!(error = %error_chain(&e), "request failed");
                    (StatusCode::INTERNAL_SERVER_ERROR, FailurePage::Failed)
                };
                let mut response = status.into_response();
                response.extensions_mut().insert(failure);
                response
            }
        }
    }
}

/// Turns a failed page's mark into its page, in the request's language.
pub(crate) async fn failure_pages(request: Request, next: Next) -> Response {
    let jar = CookieJar::from_headers(request.headers());
    let lang = language(&jar, request.headers());
    let back = request
        .uri()
        .path_and_query()
        .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    let Some(failure) = response.extensions().get::<FailurePage>().copied() else {
        return response;
    };
    let c = Chrome {
        t: texts(lang),
        back,
        csrf: String::new(),
        signed_in: false,
        sign_out: "/account/sign-out",
    };
    let (title, message) = match failure {
        FailurePage::Busy => (L("Servizio occupato", "Service busy"), BUSY),
        FailurePage::Unavailable => (
            L(
                "Servizio momentaneamente non disponibile",
                "Service temporarily unavailable",
            ),
            TEMPORARY,
        ),
        FailurePage::Failed => (L("Errore temporaneo", "Temporary error"), TEMPORARY),
    };
    let mut page = page(&MessagePage {
        c,
        title: title.text(lang),
        message: message.text(lang),
        link: None,
    });
    *page.status_mut() = response.status();
    let retry_after = match failure {
        FailurePage::Busy => Some("2"),
        FailurePage::Unavailable => Some("5"),
        FailurePage::Failed => None,
    };
    if let Some(seconds) = retry_after {
        page.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static(seconds));
    }
    page
}
