//! # identity-config
//!
//! One typed settings struct for both apps, so `identity-admin` acts on the same
//! database as `identity-web`. Layers, later ones winning: built-in defaults, a
//! TOML file (`--config FILE` or `IDENTITY_CONFIG`), then environment variables
//! with the `IDENTITY_` prefix where `__` separates nested keys
//! (`IDENTITY_PASSWORD__MIN_LENGTH=10`).

#![deny(missing_docs)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use identity_core::identity::DeadlinePolicy;
use identity_core::password_policy::PasswordPolicy;
use identity_service::usecases::federation::settings::FederationConfig;
use identity_service::{HashCost, Keyring, PasswordHasher, ServiceConfig};

mod keyfile;
use serde::{Deserialize, Serialize};

/// `IDENTITY_*` variables that belong to the apps' command lines, not to the settings.
const NOT_SETTINGS: [&str; 3] = ["operator", "operator_token", "log_json"];

/// Every setting, with its default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Address the web app binds; port 0 picks a free port (printed at start).
    pub listen: String,
    /// Where the default SQLite file and file-transport mail live.
    pub data_dir: PathBuf,
    /// `sqlite://...` or `postgres://...`; default `sqlite://<data_dir>/identity.db`.
    pub database_url: Option<String>,
    /// External base URL for links, cookies, WebAuthn and the OIDC issuer;
    /// default `http://localhost:<bound port>`.
    pub public_url: Option<String>,
    /// The domain of login ids (`123456@<domain>`).
    pub login_domain: String,
    /// Largest number of pooled database connections.
    pub database_max_connections: u32,
    /// argon2id cost (the default is OWASP's; lower it only in tests).
    pub argon2: HashCost,
    /// How many password hashes may run at once; 0 (the default): one per core,
    /// since argon2 is memory-bound and more workers than cores only thrash the cache.
    pub hash_concurrency: usize,
    /// How many password checks may wait for a worker; more are answered 503 at
    /// once. 0 (the default): 8 per worker.
    pub hash_queue: usize,
    /// Behind a reverse proxy: the header it sets with the client's address
    /// (`x-forwarded-for`, `x-real-ip`); the last address in it is the client's.
    /// Unset (the default), the address of the TCP peer is the client's. Set it
    /// only when every request passes through that proxy, or clients could claim
    /// any address.
    pub client_ip_header: Option<String>,
    /// Password length bounds.
    pub password: PasswordSettings,
    /// At a suspension's 30-day deadline without a police report:
    /// `keep_suspended` (default) or `auto_restore`.
    pub suspension_deadline_policy: DeadlinePolicy,
    /// Outgoing mail.
    pub mail: MailSettings,
    /// How often identity-web runs the calendar jobs (deadlines, inactivity,
    /// expiry warnings, retention), in seconds; 0 turns them off in this node
    /// (when `identity-admin jobs run` runs them from cron instead). Several nodes
    /// may run them: they never do the same thing twice.
    pub jobs_interval_secs: u64,
    /// Whether identity verification and correction decisions need a second
    /// operator's confirmation (two-person rule). On by default.
    pub two_person_approval: bool,
    /// The keys that seal the authenticators' TOTP secrets, each `<id>:<base64 of
    /// 32 bytes>`; the first seals, the others only open (keep an old key here
    /// until every secret sealed with it was used once and re-sealed). Empty (the
    /// default): one key is generated in `<data_dir>/totp.key` at first use.
    #[serde(skip_serializing)]
    pub totp_keys: TotpKeys,
    /// Where the file SMS transport appends text messages; default
    /// `<data_dir>/sms.log`.
    pub sms_file: Option<PathBuf>,
    /// The provider's place in its OpenID Federation: entity id, organization,
    /// authority hints, trust anchors and marks, the trust marks asked of
    /// relying parties, and the bounds on fetching (docs/federation.md).
    pub federation: FederationConfig,
    /// The `IDENTITY_CONFIG` variable names the file; accepted here so that the
    /// environment layer does not reject it as unknown.
    #[serde(skip_serializing)]
    pub config: Option<PathBuf>,
}

/// Where outgoing mail goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailTransportKind {
    /// One `.eml` file per message under `<data_dir>/mail/` (the default: works
    /// on a fresh machine without a mail server).
    #[default]
    File,
    /// An SMTP server (`mail.smtp.*`).
    Smtp,
}

/// Outgoing mail settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailSettings {
    /// `file` (default) or `smtp`.
    pub transport: MailTransportKind,
    /// The sender, e.g. `Identità digitale <noreply@identita.example.it>`.
    pub from: String,
    /// Seconds between delivery passes of the outbox worker.
    pub delivery_interval_secs: u64,
    /// SMTP server, used when `transport = "smtp"`.
    pub smtp: SmtpSettings,
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings {
            transport: MailTransportKind::File,
            from: "Identità digitale <noreply@identita.example.it>".into(),
            delivery_interval_secs: 5,
            smtp: SmtpSettings::default(),
        }
    }
}

/// SMTP server settings (`IDENTITY_MAIL__SMTP__HOST`, ...).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmtpSettings {
    /// Host name.
    pub host: String,
    /// Port (587 for STARTTLS, 465 for TLS).
    pub port: u16,
    /// `starttls` (default), `tls`, or `none` (local relays and tests only).
    pub security: identity_mail::SmtpSecurity,
    /// User name, when the server wants credentials.
    pub username: Option<String>,
    /// Password; never printed or logged.
    #[serde(skip_serializing)]
    pub password: Option<secrecy::SecretString>,
}

impl Default for SmtpSettings {
    fn default() -> Self {
        SmtpSettings {
            host: "localhost".into(),
            port: 587,
            security: identity_mail::SmtpSecurity::Starttls,
            username: None,
            password: None,
        }
    }
}

impl PartialEq for SmtpSettings {
    fn eq(&self, other: &Self) -> bool {
        use secrecy::ExposeSecret as _;
        self.host == other.host
            && self.port == other.port
            && self.security == other.security
            && self.username == other.username
            && self.password.as_ref().map(|p| p.expose_secret().to_owned())
                == other
                    .password
                    .as_ref()
                    .map(|p| p.expose_secret().to_owned())
    }
}

/// The TOTP sealing keys (`<id>:<base64>`), secrets: never printed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct TotpKeys(pub Vec<secrecy::SecretString>);

impl PartialEq for TotpKeys {
    fn eq(&self, other: &Self) -> bool {
        use secrecy::ExposeSecret as _;
        self.0.len() == other.0.len()
            && self
                .0
                .iter()
                .zip(&other.0)
                .all(|(a, b)| a.expose_secret() == b.expose_secret())
    }
}

/// Configurable bounds of the password policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PasswordSettings {
    /// Shortest accepted password (at least 8).
    pub min_length: usize,
    /// Longest accepted password (at most 64... or more, if you must).
    pub max_length: usize,
}

impl Default for PasswordSettings {
    fn default() -> Self {
        PasswordSettings {
            min_length: 8,
            max_length: 64,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            public_url: None,
            login_domain: ServiceConfig::default().login_domain,
            database_max_connections: 10,
            argon2: HashCost::default(),
            hash_concurrency: 0,
            hash_queue: 0,
            client_ip_header: None,
            password: PasswordSettings::default(),
            suspension_deadline_policy: DeadlinePolicy::default(),
            mail: MailSettings::default(),
            jobs_interval_secs: 3600,
            two_person_approval: true,
            totp_keys: TotpKeys::default(),
            sms_file: None,
            federation: FederationConfig::default(),
            config: None,
        }
    }
}

/// Why the settings could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The file is missing, malformed, or a value has the wrong type or name.
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

impl Settings {
    /// Loads defaults, then `file` (or the file named by `IDENTITY_CONFIG`), then
    /// the `IDENTITY_*` environment.
    pub fn load(file: Option<&Path>) -> Result<Settings, SettingsError> {
        let env_file = std::env::var_os("IDENTITY_CONFIG").map(PathBuf::from);
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(path) = file.map(Path::to_path_buf).or(env_file) {
            if !path.exists() {
                return Err(SettingsError::Invalid(format!(
                    "configuration file {} not found",
                    path.display()
                )));
            }
            figment = figment.merge(Toml::file(path));
        }
        // Variables with the prefix that are not settings: the CLI's operator name and token.
        figment = figment.merge(Env::prefixed("IDENTITY_").split("__").filter(|k| {
            !NOT_SETTINGS
                .iter()
                .any(|n| k.as_str().eq_ignore_ascii_case(n))
        }));
        let settings: Settings = figment
            .extract()
            .map_err(|e| SettingsError::Invalid(e.to_string()))?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), SettingsError> {
        if self.password.min_length < 8 || self.password.max_length < self.password.min_length {
            return Err(SettingsError::Invalid(
                "password.min_length must be at least 8 and not above password.max_length".into(),
            ));
        }
        if let Some(url) = &self.database_url
            && !(url.starts_with("sqlite:")
                || url.starts_with("postgres:")
                || url.starts_with("postgresql:"))
        {
            return Err(SettingsError::Invalid(
                "database_url must start with sqlite:// or postgres://".into(),
            ));
        }
        Ok(())
    }

    /// The use cases' settings for a program that never seals or opens TOTP
    /// secrets (the operator CLI): the configured keys or the key file when there
    /// is one, else a throw-away key; no key file is created.
    pub fn service_config_without_new_keys(&self) -> Result<ServiceConfig, SettingsError> {
        let keyring = if self.totp_keys.0.is_empty() && !self.data_dir.join("totp.key").exists() {
            Keyring::ephemeral()
        } else {
            self.keyring()?
        };
        Ok(ServiceConfig {
            keyring,
            ..self.service_config_with(Keyring::ephemeral())?
        })
    }

    /// The use cases' settings: login domain, password policy, deadline policy,
    /// and the TOTP keys (the key file is generated when none is configured).
    pub fn service_config(&self) -> Result<ServiceConfig, SettingsError> {
        self.service_config_with(self.keyring()?)
    }

    fn service_config_with(&self, keyring: Keyring) -> Result<ServiceConfig, SettingsError> {
        let password_policy =
            PasswordPolicy::new(self.password.min_length, self.password.max_length)
                .map_err(|e| SettingsError::Invalid(format!("password: {e}")))?;
        Ok(ServiceConfig {
            login_domain: self.login_domain.clone(),
            password_policy,
            deadline_policy: self.suspension_deadline_policy,
            keyring,
            federation: self.federation.clone(),
            ..ServiceConfig::default()
        })
    }

    /// The keyring of `totp_keys`, or of the key file in the data folder
    /// (generated, readable by the owner only, when missing).
    pub fn keyring(&self) -> Result<Keyring, SettingsError> {
        use secrecy::ExposeSecret as _;
        let entries: Vec<String> = if self.totp_keys.0.is_empty() {
            vec![keyfile::load_or_create(&self.data_dir.join("totp.key"))?]
        } else {
            self.totp_keys
                .0
                .iter()
                .map(|k| k.expose_secret().to_owned())
                .collect()
        };
        let mut keys = Vec::new();
        for entry in &entries {
            keys.push(keyfile::parse_key(entry)?);
        }
        let active = keys.first().map(|(id, _)| id.clone()).unwrap_or_default();
        Keyring::new(&active, keys).map_err(|e| SettingsError::Invalid(format!("totp_keys: {e}")))
    }

    /// The SMS transport: the file one, under `sms_file`.
    #[must_use]
    pub fn sms_sender(&self) -> Arc<dyn identity_service::SmsSender> {
        let path = self
            .sms_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("sms.log"));
        Arc::new(identity_mail::FileSms::new(path))
    }

    /// The argon2id hasher with the configured cost and concurrency.
    pub fn password_hasher(&self) -> Result<PasswordHasher, SettingsError> {
        let workers = match self.hash_concurrency {
            0 => std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get),
            n => n,
        };
        let queue = match self.hash_queue {
            0 => workers * identity_service::passwords::DEFAULT_QUEUE_PER_WORKER,
            n => n,
        };
        PasswordHasher::with_queue(self.argon2, workers, queue)
            .map_err(|e| SettingsError::Invalid(format!("argon2: {e}")))
    }

    /// The folder the file mail transport writes to.
    #[must_use]
    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("mail")
    }

    /// The configured mail transport.
    pub fn mail_transport(&self) -> Result<Arc<dyn identity_mail::MailTransport>, SettingsError> {
        use secrecy::ExposeSecret as _;
        let from =
            self.mail.from.parse().map_err(|e| {
                SettingsError::Invalid(format!("mail.from {:?}: {e}", self.mail.from))
            })?;
        Ok(match self.mail.transport {
            MailTransportKind::File => {
                Arc::new(identity_mail::FileTransport::new(from, self.mail_dir()))
            }
            MailTransportKind::Smtp => {
                let smtp = &self.mail.smtp;
                let credentials = match (&smtp.username, &smtp.password) {
                    (Some(user), Some(password)) => {
                        Some((user.clone(), password.expose_secret().to_owned()))
                    }
                    (None, None) => None,
                    _ => {
                        return Err(SettingsError::Invalid(
                            "mail.smtp.username and mail.smtp.password go together".into(),
                        ));
                    }
                };
                let transport = identity_mail::SmtpTransport::new(
                    from,
                    &smtp.host,
                    smtp.port,
                    smtp.security,
                    credentials,
                )
                .map_err(|e| SettingsError::Invalid(format!("mail.smtp: {e}")))?;
                Arc::new(transport)
            }
        })
    }

    /// The database URL, defaulting to the SQLite file in the data directory.
    #[must_use]
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("identity.db").display()))
    }
}

#[cfg(test)]
#[expect(
    clippy::result_large_err,
    reason = "figment::Jail's closure type is fixed by figment"
)]
mod tests {
    use super::*;

    #[test]
    fn layers_apply_in_order() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "identity.toml",
                "login_domain = \"file.example.it\"\nlisten = \"0.0.0.0:9000\"",
            )?;
            jail.set_env("IDENTITY_LISTEN", "127.0.0.1:0");
            jail.set_env("IDENTITY_PASSWORD__MIN_LENGTH", "12");
            jail.set_env("IDENTITY_OPERATOR", "anna");
            jail.set_env("IDENTITY_OPERATOR_TOKEN", "secret");
            jail.set_env("IDENTITY_MAIL__SMTP__PORT", "2525");
            jail.set_env("IDENTITY_MAIL__SMTP__PASSWORD", "hunter2");
            let s = Settings::load(Some(Path::new("identity.toml"))).map_err(|e| e.to_string())?;
            assert_eq!(s.login_domain, "file.example.it");
            assert_eq!(s.listen, "127.0.0.1:0");
            assert_eq!(s.password.min_length, 12);
            assert_eq!(s.mail.smtp.port, 2525);
            assert!(
                !format!("{s:?}").contains("hunter2"),
                "secrets never appear in Debug output"
            );
            assert_eq!(s.database_url(), "sqlite://./data/identity.db");
            Ok(())
        });
    }

    #[test]
    fn bad_values_are_reported() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("IDENTITY_DATABASE_URL", "mysql://x");
            assert!(Settings::load(None).is_err());
            jail.set_env("IDENTITY_DATABASE_URL", "sqlite://x.db");
            jail.set_env("IDENTITY_NO_SUCH_SETTING", "1");
            assert!(
                Settings::load(None).is_err(),
                "unknown keys are refused, so typos are caught"
            );
            Ok(())
        });
    }
}
