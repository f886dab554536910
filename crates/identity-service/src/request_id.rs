//! The id of the HTTP request a use case runs for, so the audit records it writes
//! name the request (and the log's request span can be matched to them). The HTTP
//! layer runs each request inside [`scope`]; outside one (the CLI, the calendar
//! jobs) there is none.

use std::future::Future;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// Runs `work` as part of the request `id`.
pub async fn scope<F: Future>(id: String, work: F) -> F::Output {
    REQUEST_ID.scope(id, work).await
}

/// The id of the request this task runs for, if any.
#[must_use]
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}
