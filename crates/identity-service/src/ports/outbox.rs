//! The durable outbox of mail and SMS: queued in the transaction of the change that causes them, then claimed under a lease, delivered and recorded.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::model::{OutboxMessage, OutboxStatus};

use super::StoreError;

/// Part of [`super::StoreTx`]: methods work inside the transaction.
#[async_trait]
pub trait OutboxTx: Send {
    /// Queues a mail for delivery. MUST return `Duplicate("outbox")` if the id exists.
    async fn enqueue_mail(&mut self, message: &OutboxMessage) -> Result<(), StoreError>;
    /// Claims up to `limit` pending messages due at `now` for one delivery worker,
    /// oldest first: each is leased until `lease_until` (its next attempt moves
    /// there), so other workers, on this node or another, pass it by. MUST skip
    /// messages another transaction holds. A worker that dies mid-send leaves the
    /// message to be retried when the lease ends.
    async fn claim_due_mail(
        &mut self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>, StoreError>;
    /// Extends this worker's lease on the messages of `ids` it still holds (still
    /// pending, leased until exactly `held_until`) to `lease_until`, and returns
    /// those ids. A message whose lease ran out and that another worker claimed
    /// is not returned: the caller MUST NOT send it.
    async fn renew_mail_lease(
        &mut self,
        ids: &[Uuid],
        held_until: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Vec<Uuid>, StoreError>;
    /// Marks a message delivered and blanks its secret parameters (see
    /// [`crate::model::SECRET_PARAMS`]). MUST return `NotFound` if there is none
    /// with this id.
    async fn mark_mail_sent(&mut self, id: Uuid, at: DateTime<Utc>) -> Result<(), StoreError>;
    /// Records a failed delivery attempt: one more attempt, the error, and the next
    /// attempt at `retry_at`, or `failed` for good when `retry_at` is `None`.
    /// MUST return `NotFound` if there is none with this id.
    async fn mark_mail_attempt_failed(
        &mut self,
        id: Uuid,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError>;
    /// Puts a message back in the queue, due at `at`, whatever its state (an
    /// operator's retry after fixing the mail server). MUST return `NotFound` if
    /// there is none with this id.
    async fn retry_mail(&mut self, id: Uuid, at: DateTime<Utc>) -> Result<(), StoreError>;
    /// One message of the outbox. MUST return `NotFound` if there is none with this id.
    async fn outbox_message(&mut self, id: Uuid) -> Result<OutboxMessage, StoreError>;
    /// How many messages of the outbox are in `status`.
    async fn outbox_count(&mut self, status: OutboxStatus) -> Result<u64, StoreError>;
    /// Mail in the outbox, oldest first, optionally only those in `status`.
    async fn outbox(
        &mut self,
        status: Option<OutboxStatus>,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>, StoreError>;
}
