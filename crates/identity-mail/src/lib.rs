//! # identity-mail
//!
//! Turns the messages the use cases queue in the outbox (a template name plus
//! parameters, never rendered text) into the mail the holder reads, in the
//! holder's language. Delivery transports (SMTP through lettre, a file transport
//! for development) and the retrying delivery loop build on [`render`].

mod templates;

use identity_core::Lang;
use identity_service::OutboxMessage;

pub use templates::TEMPLATES;

/// A mail ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedMail {
    /// Recipient.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
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

/// Renders an outbox message in its language.
pub fn render(message: &OutboxMessage) -> Result<RenderedMail, RenderError> {
    let (subject, text) = templates::render(&message.template, message.lang, &message.params)?;
    Ok(RenderedMail {
        to: message.to.clone(),
        subject,
        text,
    })
}

/// The languages every template exists in.
pub const LANGUAGES: [Lang; 2] = [Lang::It, Lang::En];
