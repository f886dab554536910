//! The delivery worker: drains the durable outbox through a transport, with
//! retries and exponential backoff.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::Duration;
use identity_service::{Clock, Store, StoreError};

use identity_service::SmsSender;

use crate::render;
use crate::sms::{is_sms, render_sms};
use crate::transport::MailTransport;

/// What one pass over the outbox did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Handed to the transport.
    pub sent: u32,
    /// Failed, to be tried again later.
    pub retried: u32,
    /// Failed for good (unrenderable, or too many attempts).
    pub failed: u32,
}

/// The wait before attempt `attempts + 1`: 30 s, 1 min, 2 min, ... capped at one hour.
#[must_use]
pub fn backoff(attempts: u32) -> Duration {
    let exponent = attempts.saturating_sub(1).min(10);
    (Duration::seconds(30) * (1 << exponent)).min(Duration::hours(1))
}

/// How much of a lease must be left before a send: more than one SMTP attempt
/// can take (its timeout is 20 seconds), so a lease never ends mid-send.
pub const RENEW_MARGIN: Duration = Duration::seconds(30);

/// Delivers queued mail. Clones share the store and the transports.
#[derive(Clone)]
pub struct Delivery {
    store: Arc<dyn Store>,
    transport: Arc<dyn MailTransport>,
    sms: Option<Arc<dyn SmsSender>>,
    clock: Arc<dyn Clock>,
    /// Messages claimed per pass.
    pub batch: u32,
    /// How long a claimed message is reserved for this worker: what a crashed
    /// worker's messages wait before another worker retries them. Renewed while
    /// the batch is being sent (see [`RENEW_MARGIN`]).
    pub lease: Duration,
    /// Attempts before a message is marked failed (about two days with the backoff).
    pub max_attempts: u32,
}

impl std::fmt::Debug for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Delivery")
            .field("batch", &self.batch)
            .field("lease", &self.lease)
            .field("max_attempts", &self.max_attempts)
            .field("sends_sms", &self.sms.is_some())
            .finish_non_exhaustive()
    }
}

impl Delivery {
    /// A worker with the default batch (50), lease (45 seconds) and attempts (50).
    #[must_use]
    pub fn new(
        store: Arc<dyn Store>,
        transport: Arc<dyn MailTransport>,
        clock: Arc<dyn Clock>,
    ) -> Delivery {
        Delivery {
            store,
            transport,
            sms: None,
            clock,
            batch: 50,
            lease: Duration::seconds(45),
            max_attempts: 50,
        }
    }

    /// The same worker, also sending the outbox's text messages (`sms_*`
    /// templates) through `sms`. Without it they fail for good.
    #[must_use]
    pub fn with_sms(mut self, sms: Arc<dyn SmsSender>) -> Delivery {
        self.sms = Some(sms);
        self
    }

    /// Renders and hands over one message: `Err((error, retryable))`.
    async fn send_one(
        &self,
        message: &identity_service::OutboxMessage,
    ) -> Result<(), (String, bool)> {
        if is_sms(&message.template) {
            let text = render_sms(message).map_err(|e| (e.to_string(), false))?;
            let sms = self
                .sms
                .as_ref()
                .ok_or_else(|| ("no SMS transport is configured".to_owned(), false))?;
            return sms
                .send(message.id, &message.to, &text)
                .await
                .map_err(|e| (e.to_string(), true));
        }
        match render(message) {
            Ok(mail) => self
                .transport
                .send(&mail)
                .await
                .map_err(|e| (e.to_string(), true)),
            Err(e) => Err((e.to_string(), false)),
        }
    }

    /// One pass: claims the due messages, sends each, and records the outcome of
    /// each in its own transaction (so one failure does not undo another's success).
    /// The lease is renewed for the rest of the batch before any send that could
    /// outlast it; a message whose lease was lost meanwhile is left to the worker
    /// that holds it now, never sent twice by two live workers.
    pub async fn deliver_due(&self) -> Result<DeliveryReport, StoreError> {
        let now = self.clock.now();
        let mut held_until = now + self.lease;
        let mut tx = self.store.begin().await?;
        let due = tx.claim_due_mail(now, held_until, self.batch).await?;
        tx.commit().await?;
        let mut held: Vec<uuid::Uuid> = due.iter().map(|m| m.id).collect();
        let mut report = DeliveryReport::default();
        for (i, message) in due.iter().enumerate() {
            if held_until - self.clock.now() < RENEW_MARGIN {
                let rest: Vec<uuid::Uuid> = due[i..].iter().map(|m| m.id).collect();
                let until = self.clock.now() + self.lease;
                let mut tx = self.store.begin().await?;
                held = tx.renew_mail_lease(&rest, held_until, until).await?;
                tx.commit().await?;
                held_until = until;
            }
            if !held.contains(&message.id) {
                tracing::warn!(id = %message.id, "mail lease lost before sending; left to its new holder");
                continue;
            }
            let outcome = self.send_one(message).await;
            let mut tx = self.store.begin().await?;
            match outcome {
                Ok(()) => {
                    tx.mark_mail_sent(message.id, self.clock.now()).await?;
                    report.sent += 1;
                }
                Err((error, retryable)) => {
                    let attempts = message.attempts + 1;
                    let retry_at = (retryable && attempts < self.max_attempts)
                        .then(|| self.clock.now() + backoff(attempts));
                    tracing::warn!(id = %message.id, attempts, %error, will_retry = retry_at.is_some(), "mail delivery failed");
                    tx.mark_mail_attempt_failed(message.id, &error, retry_at)
                        .await?;
                    if retry_at.is_some() {
                        report.retried += 1;
                    } else {
                        report.failed += 1;
                    }
                }
            }
            tx.commit().await?;
        }
        Ok(report)
    }

    /// Runs passes every `interval` until `shutdown` completes.
    pub async fn run(self, interval: StdDuration, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            match self.deliver_due().await {
                Ok(r) if r != DeliveryReport::default() => {
                    tracing::info!(
                        sent = r.sent,
                        retried = r.retried,
                        failed = r.failed,
                        "mail delivery pass"
                    );
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "mail delivery pass failed"),
            }
            tokio::select! {
                () = &mut shutdown => break,
                () = tokio::time::sleep(interval) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::minutes(1));
        assert_eq!(backoff(5), Duration::minutes(8));
        assert_eq!(backoff(20), Duration::hours(1));
    }
}
