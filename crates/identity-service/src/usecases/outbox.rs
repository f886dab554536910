//! Operators' view of the mail outbox: list it, and put a message back in the queue.

use identity_core::identity::Actor;
use serde_json::json;
use uuid::Uuid;

use crate::model::{OutboxMessage, OutboxStatus};
use crate::ports::StoreError;
use crate::service::{Service, audit};

impl Service {
    /// The outbox, oldest first, optionally only messages in `status`.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn outbox(
        &self,
        status: Option<OutboxStatus>,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let mut tx = self.store.begin_read().await?;
        tx.outbox(status, limit).await
    }

    /// Queues a message again, due now (after its failures were fixed), with an
    /// audit record under `operator`. `NotFound` if there is no such message;
    /// `Conflict` if its codes were blanked when it failed for good (sent again, it
    /// would carry `[redacted]` instead of a code: the holder asks for a new one).
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), id = %id))]
    pub async fn retry_mail(&self, id: Uuid, operator: &Actor) -> Result<(), StoreError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let message = tx.outbox_message(id).await?;
        let blanked = crate::model::SECRET_PARAMS
            .iter()
            .any(|k| message.params.get(*k).and_then(|v| v.as_str()) == Some("[redacted]"));
        if blanked && message.status != OutboxStatus::Sent {
            return Err(StoreError::Conflict);
        }
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
