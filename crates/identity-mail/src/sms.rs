//! Text messages: the short texts of the `sms_*` outbox templates, and the SMS
//! transports shipped with the project (a file/log one, the default, and an
//! in-memory one for tests). A gateway to a real SMS provider implements
//! [`SmsSender`] the same way.

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use identity_service::{OutboxMessage, SmsError, SmsSender};
use identity_words::L;

use crate::RenderError;

/// The outbox templates that are text messages.
pub const SMS_TEMPLATES: [&str; 3] = ["sms_code", "sms_emergency_half", "sms_phone_changed"];

/// Whether an outbox message is a text message rather than a mail.
#[must_use]
pub fn is_sms(template: &str) -> bool {
    template.starts_with("sms_")
}

/// The text of an `sms_*` outbox message, in its language.
///
/// # Errors
///
/// [`RenderError::UnknownTemplate`] for another template, and
/// [`RenderError::MissingParam`] without its `code`.
pub fn render_sms(message: &OutboxMessage) -> Result<String, RenderError> {
    let param = |name: &str| {
        message
            .params
            .get(name)
            .and_then(|c| c.as_str())
            .ok_or_else(|| RenderError::MissingParam {
                template: message.template.clone(),
                param: name.into(),
            })
    };
    let text = match message.template.as_str() {
        "sms_phone_changed" => {
            let phone = param("phone")?;
            L(
                format!(
                    "Identità digitale: il cellulare della tua identità è ora {phone}. Se non sei stato tu, esegui subito il blocco d'emergenza dal Selfcare."
                ),
                format!(
                    "Digital identity: your identity's mobile number is now {phone}. If this was not you, use the emergency block in the Selfcare at once."
                ),
            )
        }
        "sms_code" => {
            let code = param("code")?;
            L(
                format!(
                    "Identità digitale: il tuo codice di verifica è {code}. Vale 15 minuti. Non comunicarlo a nessuno."
                ),
                format!(
                    "Digital identity: your verification code is {code}. Valid for 15 minutes. Do not share it."
                ),
            )
        }
        "sms_emergency_half" => {
            let code = param("code")?;
            L(
                format!(
                    "Identità digitale: seconda metà del tuo codice di emergenza: {code}. La prima metà ti è arrivata per email. Conservalo in un luogo sicuro."
                ),
                format!(
                    "Digital identity: second half of your emergency code: {code}. The first half reached you by email. Keep it somewhere safe."
                ),
            )
        }
        other => return Err(RenderError::UnknownTemplate(other.to_owned())),
    };
    Ok(text.get(message.lang))
}

/// Appends each text message as one line (`<phone>\t<text>`) to a file, and logs
/// that one was sent (without its text): the default, so a fresh machine works
/// without an SMS provider and a developer can read the codes.
#[derive(Debug, Clone)]
pub struct FileSms {
    path: PathBuf,
    lock: Arc<Mutex<()>>,
}

impl FileSms {
    /// Messages are appended to `path` (its folder is created if missing).
    #[must_use]
    pub fn new(path: impl Into<PathBuf>) -> FileSms {
        FileSms {
            path: path.into(),
            lock: Arc::new(Mutex::new(())),
        }
    }
}

#[async_trait]
impl SmsSender for FileSms {
    async fn send(&self, _key: uuid::Uuid, to: &str, text: &str) -> Result<(), SmsError> {
        let _guard = self
            .lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| SmsError(e.to_string()))?;
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(|e| SmsError(format!("{}: {e}", self.path.display())))?;
        writeln!(file, "{to}\t{}", text.replace(['\n', '\t'], " "))
            .map_err(|e| SmsError(e.to_string()))?;
        tracing::info!(file = %self.path.display(), "text message written");
        Ok(())
    }
}

/// Keeps text messages in memory, for tests.
#[derive(Debug, Clone, Default)]
pub struct MemorySms {
    sent: Arc<Mutex<Vec<(String, String)>>>,
}

impl MemorySms {
    /// An empty inbox.
    #[must_use]
    pub fn new() -> MemorySms {
        MemorySms::default()
    }

    /// Every `(phone, text)` sent so far, oldest first.
    #[must_use]
    pub fn sent(&self) -> Vec<(String, String)> {
        self.sent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

#[async_trait]
impl SmsSender for MemorySms {
    async fn send(&self, _key: uuid::Uuid, to: &str, text: &str) -> Result<(), SmsError> {
        self.sent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((to.to_owned(), text.to_owned()));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use identity_core::Lang;
    use identity_service::OutboxStatus;
    use serde_json::json;

    fn message(template: &str, lang: Lang) -> OutboxMessage {
        OutboxMessage {
            id: uuid::Uuid::nil(),
            created_at: chrono::Utc::now(),
            to: "+393331234567".into(),
            lang,
            template: template.into(),
            params: json!({ "code": "ABCD-EFGH", "phone": "+393331234567" }),
            status: OutboxStatus::Pending,
            attempts: 0,
            last_error: None,
        }
    }

    #[test]
    fn every_sms_template_renders_short_in_both_languages() {
        for t in SMS_TEMPLATES {
            assert!(is_sms(t));
            for lang in [Lang::It, Lang::En] {
                let text = render_sms(&message(t, lang)).expect("renders");
                assert!(text.contains("ABCD-EFGH") || text.contains("+393331234567"));
                assert!(text.chars().count() <= 160, "{t} {lang}: {}", text.len());
            }
        }
        assert!(render_sms(&message("sms_other", Lang::It)).is_err());
    }

    #[tokio::test]
    async fn the_file_transport_appends_one_line_per_message() {
        let dir = tempfile::tempdir().expect("tempdir");
        let sms = FileSms::new(dir.path().join("sms/sms.log"));
        sms.send(uuid::Uuid::nil(), "+39333", "one\ntwo")
            .await
            .expect("sent");
        sms.send(uuid::Uuid::nil(), "+39334", "three")
            .await
            .expect("sent");
        let log = std::fs::read_to_string(dir.path().join("sms/sms.log")).expect("log");
        assert_eq!(log, "+39333\tone two\n+39334\tthree\n");
    }
}
