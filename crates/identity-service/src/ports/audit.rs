//! The append-only audit log.

use crate::model::{AuditQuery, AuditRecord};
use async_trait::async_trait;

use super::StoreError;

/// Part of [`super::StoreTx`]: methods work inside the transaction.
#[async_trait]
pub trait AuditTx: Send {
    /// Appends to the audit log (append-only: there is no update or delete).
    async fn append_audit(&mut self, record: &AuditRecord) -> Result<(), StoreError>;
    /// Reads the audit log, oldest first.
    async fn audit(&mut self, query: &AuditQuery) -> Result<Vec<AuditRecord>, StoreError>;
}
