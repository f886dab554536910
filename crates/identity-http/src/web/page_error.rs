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
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use identity_service::{InfraError, StoreError};
use identity_words::{BUSY, L, TEMPORARY};

use super::failure::Failure;
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

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::Respond(response) => *response,
            PageError::Failed(e) => {
                let failure = Failure::of(&e);
                let mut response = failure.status().into_response();
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
    let Some(failure) = response.extensions().get::<Failure>().copied() else {
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
        Failure::Busy => (L("Servizio occupato", "Service busy"), BUSY),
        Failure::Unavailable => (
            L(
                "Servizio momentaneamente non disponibile",
                "Service temporarily unavailable",
            ),
            TEMPORARY,
        ),
        Failure::Failed => (L("Errore temporaneo", "Temporary error"), TEMPORARY),
    };
    let mut page = page(&MessagePage {
        c,
        title: title.text(lang),
        message: message.text(lang),
        link: None,
    });
    *page.status_mut() = response.status();
    if let Some(seconds) = failure.retry_after() {
        page.headers_mut().insert(header::RETRY_AFTER, seconds);
    }
    page
}
