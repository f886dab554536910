//! The provider's transaction log: one entry per authorization, consent,
//! token, userinfo, revocation and end-session request, with its outcome; kept
//! 24 months (the retention job).

use chrono::{DateTime, Utc};
use identity_core::HolderId;

use crate::ports::{OidcTransaction, StoreError, StoreTx};
use crate::service::Service;

/// Builds one log entry.
#[derive(Debug, Clone)]
pub struct TransactionEntry(OidcTransaction);

impl TransactionEntry {
    /// An entry of `endpoint` with `outcome` (`ok` or an OAuth error code).
    #[must_use]
    pub fn new(at: DateTime<Utc>, endpoint: &str, outcome: &str) -> TransactionEntry {
        TransactionEntry(OidcTransaction {
            at,
            endpoint: endpoint.to_owned(),
            client_id: None,
            holder_id: None,
            outcome: outcome.to_owned(),
            detail: None,
            client_ip: None,
        })
    }

    /// The service provider named.
    #[must_use]
    pub fn client(mut self, client_id: &str) -> TransactionEntry {
        self.0.client_id = Some(client_id.to_owned());
        self
    }

    /// The holder concerned.
    #[must_use]
    pub fn holder(mut self, holder: HolderId) -> TransactionEntry {
        self.0.holder_id = Some(holder);
        self
    }

    /// Another outcome.
    #[must_use]
    pub fn outcome(mut self, outcome: &str) -> TransactionEntry {
        outcome.clone_into(&mut self.0.outcome);
        self
    }

    /// Why (never a secret).
    #[must_use]
    pub fn detail(mut self, detail: &str) -> TransactionEntry {
        self.0.detail = Some(detail.to_owned());
        self
    }

    /// The caller's address.
    #[must_use]
    pub fn ip(mut self, ip: Option<&str>) -> TransactionEntry {
        self.0.client_ip = ip.map(str::to_owned);
        self
    }

    /// Writes the entry inside `tx`. What a caller chose (a client id, a
    /// reason quoting its input) is cut short: the log keeps 24 months of
    /// requests anyone may send.
    pub(crate) async fn write(mut self, tx: &mut dyn StoreTx) -> Result<(), StoreError> {
        let cut = |text: &mut String, max: usize| {
            if let Some((at, _)) = text.char_indices().nth(max) {
                text.truncate(at);
            }
        };
        if let Some(client) = self.0.client_id.as_mut() {
            cut(client, 255);
        }
        if let Some(detail) = self.0.detail.as_mut() {
            cut(detail, 500);
        }
        tx.insert_oidc_transaction(&self.0).await
    }
}

impl Service {
    /// Writes a log entry in a transaction of its own (requests that change
    /// nothing else, and refusals).
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn oidc_log(&self, entry: TransactionEntry) -> Result<(), StoreError> {
        let mut tx = self.store.begin().await?;
        entry.write(tx.as_mut()).await?;
        tx.commit().await
    }

    /// The latest `limit` entries of the log, newest first, of one service
    /// provider or of all.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn oidc_transactions(
        &self,
        client_id: Option<&str>,
        limit: u32,
    ) -> Result<Vec<OidcTransaction>, StoreError> {
        let mut tx = self.store.begin_read().await?;
        tx.oidc_transactions(client_id, limit.clamp(1, 1000)).await
    }
}
