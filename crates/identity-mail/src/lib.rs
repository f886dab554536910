//! # identity-mail
//!
//! Turns the messages the use cases queue in the outbox (a template name plus
//! parameters, never rendered text) into the mail the holder reads, in the
//! holder's language, and delivers it: through SMTP ([`SmtpTransport`]), as `.eml`
//! files ([`FileTransport`], the default on a fresh machine) or into memory
//! ([`MemoryTransport`]). [`Delivery`] is the worker that drains the durable outbox
//! with retries and backoff; a message is leased while it is being sent, so two
//! workers (or two nodes) never send it twice in normal operation.

#![deny(missing_docs)]

mod delivery;
mod engine;
mod sms;
mod template_texts;
mod templates;
mod transport;

pub use delivery::{Delivery, DeliveryReport, RENEW_MARGIN, backoff};
pub use sms::{FileSms, MemorySms, SMS_TEMPLATES, is_sms, render_sms};
pub use transport::{
    FileTransport, MailTransport, MemoryTransport, SmtpSecurity, SmtpTransport, TransportError,
    build_message, message_id,
};

use identity_core::Lang;
use identity_service::OutboxMessage;

pub use templates::TEMPLATES;

/// A mail ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedMail {
    /// The outbox message's id.
    pub id: uuid::Uuid,
    /// Recipient.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body: the template's `body.html` in the shared layout, a small
    /// self-contained document with the parameters escaped.
    pub html: String,
}

/// Why a message could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// No template has this name.
    #[error("unknown mail template {0:?}")]
    UnknownTemplate(String),
    /// A parameter the template needs is missing.
    #[error("mail template {template:?} needs the parameter {param:?}")]
    MissingParam {
        /// Template.
        template: String,
        /// Parameter.
        param: String,
    },
}

/// Renders an outbox message in its language from the template's files
/// (`templates/<template>/<lang>/subject.txt`, `body.txt`, `body.html`), the
/// bodies wrapped in the layout (`templates/_layout/`).
///
/// # Errors
///
/// [`RenderError::UnknownTemplate`] when no template has the message's name (see
/// [`TEMPLATES`]); [`RenderError::MissingParam`] when a parameter the template
/// requires is absent or `null`. Optional parameters may be left out.
pub fn render(message: &OutboxMessage) -> Result<RenderedMail, RenderError> {
    let rendered = templates::render(&message.template, message.lang, &message.params)?;
    Ok(RenderedMail {
        id: message.id,
        to: message.to.clone(),
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
    })
}

/// The languages every template exists in.
pub const LANGUAGES: [Lang; 2] = [Lang::It, Lang::En];
