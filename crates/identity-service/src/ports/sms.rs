//! The text-message port: how the emergency code's second half and phone
//! verification codes reach the holder's mobile phone.

use async_trait::async_trait;

/// Why a text message could not be handed over.
#[derive(Debug, thiserror::Error)]
#[error("sms delivery failed: {0}")]
pub struct SmsError(pub String);

/// Sends text messages. Implemented in `identity-mail` by a file/log transport
/// (the default) and an in-memory one for tests; a gateway to a real SMS
/// provider implements the same trait.
#[async_trait]
pub trait SmsSender: Send + Sync + 'static {
    /// Hands `text` over for delivery to the phone number `to` (as the holder gave
    /// it). `key` is the outbox message's id, the same on every attempt: a gateway
    /// that accepts an idempotency key (most SMS APIs over HTTP do) is given it, so
    /// a message retried after a crash between its send and its record is not
    /// delivered twice.
    async fn send(&self, key: uuid::Uuid, to: &str, text: &str) -> Result<(), SmsError>;
}
