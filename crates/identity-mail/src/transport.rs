//! Where rendered mail goes: an SMTP server, `.eml` files in a folder, or memory.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::RenderedMail;

/// Why a mail could not be handed over. Delivery retries later.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TransportError(pub String);

/// Hands rendered mail to its next hop.
#[async_trait]
pub trait MailTransport: Send + Sync {
    /// Sends one mail; `Ok` means the next hop accepted it.
    async fn send(&self, mail: &RenderedMail) -> Result<(), TransportError>;
}

/// Builds the MIME message: plain text and HTML alternatives, UTF-8, with a
/// `Date` and a `Message-ID` fixed by the outbox message (see [`message_id`]).
pub fn build_message(from: &Mailbox, mail: &RenderedMail) -> Result<Message, TransportError> {
    let to: Mailbox = mail
        .to
        .parse()
        .map_err(|e| TransportError(format!("bad recipient {}: {e}", mail.to)))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .message_id(Some(message_id(from, mail)))
        .date_now()
        .subject(mail.subject.clone())
        .multipart(MultiPart::alternative_plain_html(
            mail.text.clone(),
            mail.html.clone(),
        ))
        .map_err(|e| TransportError(format!("cannot build the message: {e}")))
}

/// The `Message-ID` of a mail: its outbox message's id at the sender's domain.
/// The same on every attempt, so a message sent twice (a crash between the send
/// and its record) reaches the receiver as one message it can drop the copy of.
#[must_use]
pub fn message_id(from: &Mailbox, mail: &RenderedMail) -> String {
    format!("<{}@{}>", mail.id, from.email.domain())
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// Plain connection (only for a relay on the same host or in tests).
    None,
    /// Plain connection upgraded with STARTTLS (port 587); the default.
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

/// Delivers through an SMTP server (lettre, pooled connections).
pub struct SmtpTransport {
    from: Mailbox,
    inner: AsyncSmtpTransport<Tokio1Executor>,
}

impl SmtpTransport {
    /// A transport to `host:port`; `credentials` as (user, password) when the server needs them.
    pub fn new(
        from: Mailbox,
        host: &str,
        port: u16,
        security: SmtpSecurity,
        credentials: Option<(String, String)>,
    ) -> Result<SmtpTransport, TransportError> {
        let builder = match security {
            SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            SmtpSecurity::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                .map_err(|e| TransportError(e.to_string()))?,
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                .map_err(|e| TransportError(e.to_string()))?,
        };
        let mut builder = builder
            .port(port)
            .timeout(Some(std::time::Duration::from_secs(20)));
        if let Some((user, password)) = credentials {
            builder = builder.credentials(Credentials::new(user, password));
        }
        Ok(SmtpTransport {
            from,
            inner: builder.build(),
        })
    }
}

#[async_trait]
impl MailTransport for SmtpTransport {
    async fn send(&self, mail: &RenderedMail) -> Result<(), TransportError> {
        let message = build_message(&self.from, mail)?;
        self.inner
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| TransportError(e.to_string()))
    }
}

/// Writes each mail as an `.eml` file in a folder: the default on a fresh machine,
/// so registration works without a mail server and the mail can be read by hand.
pub struct FileTransport {
    from: Mailbox,
    dir: PathBuf,
}

impl FileTransport {
    /// A transport into `dir` (created when the first mail is written).
    #[must_use]
    pub fn new(from: Mailbox, dir: PathBuf) -> FileTransport {
        FileTransport { from, dir }
    }

    /// The folder mail is written to.
    #[must_use]
    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }
}

#[async_trait]
impl MailTransport for FileTransport {
    async fn send(&self, mail: &RenderedMail) -> Result<(), TransportError> {
        let bytes = build_message(&self.from, mail)?.formatted();
        tokio::fs::create_dir_all(&self.dir)
            .await
            .map_err(|e| TransportError(e.to_string()))?;
        // Named by time and id, so `ls` lists them in the order they were sent.
        let name = format!(
            "{}-{}.eml",
            chrono::Utc::now().format("%Y%m%dT%H%M%S%.6fZ"),
            mail.id
        );
        tokio::fs::write(self.dir.join(name), bytes)
            .await
            .map_err(|e| TransportError(e.to_string()))
    }
}

/// Keeps mail in memory; for tests and for embedding programs that read it back.
#[derive(Clone, Default)]
pub struct MemoryTransport {
    sent: Arc<Mutex<Vec<RenderedMail>>>,
}

impl MemoryTransport {
    /// Everything sent so far.
    #[must_use]
    pub fn sent(&self) -> Vec<RenderedMail> {
        self.sent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

#[async_trait]
impl MailTransport for MemoryTransport {
    async fn send(&self, mail: &RenderedMail) -> Result<(), TransportError> {
        self.sent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(mail.clone());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mail_carries_the_message_id_of_its_outbox_row_and_a_date() {
        let from: Mailbox = "SPID <noreply@spid.example>".parse().expect("from");
        let mail = RenderedMail {
            id: uuid::Uuid::parse_str("01890a5d-ac96-774b-bcce-b302099a8057").expect("id"),
            to: "mario.rossi@example.com".into(),
            subject: "Prova".into(),
            text: "testo".into(),
            html: "<p>testo</p>".into(),
        };
        let first = String::from_utf8(build_message(&from, &mail).expect("built").formatted())
            .expect("utf-8");
        let again = String::from_utf8(build_message(&from, &mail).expect("built").formatted())
            .expect("utf-8");
        let id_line = "Message-ID: <01890a5d-ac96-774b-bcce-b302099a8057@spid.example>";
        assert!(first.contains(id_line), "{first}");
        assert!(again.contains(id_line), "a retry keeps the id");
        assert!(first.contains("\r\nDate: "), "{first}");
    }
}
