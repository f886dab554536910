//! Captured mail and SMS: the real outbox worker delivering into memory, where a
//! test reads what a person would find in their inbox or on their phone.

use std::sync::Arc;

use identity_mail::{Delivery, MemorySms, MemoryTransport, RenderedMail};

use crate::app::TestApp;

/// The delivered mail and text messages of a [`TestApp`].
pub struct Mailbox {
    mail: MemoryTransport,
    sms: MemorySms,
    delivery: Delivery,
}

impl Mailbox {
    /// A delivery worker for `app`'s outbox, into memory.
    #[must_use]
    pub fn of(app: &TestApp) -> Mailbox {
        let mail = MemoryTransport::default();
        let sms = MemorySms::new();
        let store: Arc<dyn identity_service::Store> = app.store.clone();
        let delivery = Delivery::new(store, Arc::new(mail.clone()), app.clock.clone())
            .with_sms(Arc::new(sms.clone()));
        Mailbox {
            mail,
            sms,
            delivery,
        }
    }

    /// Delivers what the outbox holds, then every mail delivered so far, oldest first.
    pub async fn delivered(&self) -> Vec<RenderedMail> {
        self.delivery.deliver_due().await.unwrap();
        self.mail.sent()
    }

    /// Delivers what the outbox holds, then the mail `to` received, oldest first.
    pub async fn inbox(&self, to: &str) -> Vec<RenderedMail> {
        let mut all = self.delivered().await;
        all.retain(|m| m.to == to);
        all
    }

    /// Delivers what the outbox holds, then the text messages `phone` received.
    pub async fn texts(&self, phone: &str) -> Vec<String> {
        self.delivery.deliver_due().await.unwrap();
        self.sms
            .sent()
            .into_iter()
            .filter(|(to, _)| to == phone)
            .map(|(_, text)| text)
            .collect()
    }
}
