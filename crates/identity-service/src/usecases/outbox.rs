//! Operators' view of the mail outbox: list it, and put a message back in the queue.

use identity_core::identity::Actor;
use serde_json::json;
use uuid::Uuid;

use crate::ports::StoreError;
use crate::records::{OutboxMessage, OutboxStatus};
use crate::service::{Service, audit};

impl Service {
    /// The outbox, oldest first, optionally only messages in `status`.
    pub async fn outbox(
        &self,
        status: Option<OutboxStatus>,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let mut tx = self.store.begin_read().await?;
        tx.outbox(status, limit).await
    }

    /// Queues a message again, due now (after its failures were fixed), with an
    /// audit record under `operator`. `NotFound` if there is no such message.
    pub async fn retry_mail(&self, id: Uuid, operator: &Actor) -> Result<(), StoreError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        tx.retry_mail(id, now).await?;
        audit(
            tx.as_mut(),
            now,
            &operator.to_audit_string(),
            "outbox.retried",
            None,
            json!({ "message": id }),
        )
        .await?;
        tx.commit().await
    }
}
