//! What the use cases queued in the outbox (mail and SMS), read back by template,
//! with the parameters each message carries.

use identity_service::{OutboxMessage, Store};

use crate::app::TestApp;

/// Every queued message (mail or SMS) of `template`, oldest first.
pub async fn outbox(h: &TestApp, template: &str) -> Vec<OutboxMessage> {
    let mut tx = h.store.begin_read().await.unwrap();
    tx.outbox(None, 500)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.template == template)
        .collect()
}

/// The `code` parameter of the last queued message of `template`.
pub async fn last_code(h: &TestApp, template: &str) -> String {
    outbox(h, template)
        .await
        .last()
        .expect("a message")
        .p("code")
}

/// A string parameter of a queued message.
pub trait Param {
    /// The parameter `name` as a string (empty when absent or not a string).
    fn p(&self, name: &str) -> String;
}

impl Param for OutboxMessage {
    fn p(&self, name: &str) -> String {
        self.params[name].as_str().unwrap_or_default().to_owned()
    }
}
