//! The port through which trust-chain resolution reads other entities'
//! statements over the network. The shipped adapter
//! ([`crate::usecases::federation::fetch::HttpEntityFetcher`]) enforces the
//! bounds of [`crate::usecases::federation::settings::FetchLimits`].

use async_trait::async_trait;

/// Why a fetch failed; the text is for the logs and the relying party's developers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// The URL is not one the provider may fetch (scheme, private address).
    #[error("refused to fetch {url}: {why}")]
    Refused {
        /// The URL.
        url: String,
        /// Why.
        why: String,
    },
    /// It took too long, or the answer was too big.
    #[error("fetching {url} exceeded a limit: {why}")]
    Limit {
        /// The URL.
        url: String,
        /// Which limit.
        why: String,
    },
    /// The server could not be reached or answered with an error.
    #[error("fetching {url} failed: {why}")]
    Failed {
        /// The URL.
        url: String,
        /// Why.
        why: String,
    },
}

/// Reads one statement (a signed JWT, as text) from a URL.
#[async_trait]
pub trait EntityFetcher: Send + Sync + 'static {
    /// The body at `url`, within the fetcher's bounds.
    async fn fetch(&self, url: &str) -> Result<String, FetchError>;
}
