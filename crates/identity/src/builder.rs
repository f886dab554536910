//! [`IdentityBuilder`]: what to open and with which parts; every part not given
//! is made from the settings exactly as `identity-web` makes it.

use std::path::PathBuf;
use std::sync::Arc;

use identity_config::{Settings, SettingsError};
use identity_mail::MailTransport;
use identity_service::{Clock, Service, SmsSender, StoreError, SystemClock};
use identity_store::{ConnectOptions, SqlStore};

use crate::running::{Identity, Workers};

/// Why [`IdentityBuilder::open`] failed.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// A setting is invalid (password policy, keys, mail, Argon2 cost).
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// The database could not be opened or migrated.
    #[error("opening the database: {0}")]
    Store(#[from] StoreError),
}

/// Builds an [`Identity`]. Start from [`Identity::builder`] (the defaults:
/// `./data`, SQLite in it, mail written as `.eml` files, SMS appended to a file)
/// or from [`IdentityBuilder::from_settings`] with the web app's configuration.
#[must_use]
pub struct IdentityBuilder {
    settings: Settings,
    clock: Option<Arc<dyn Clock>>,
    mail: Option<Arc<dyn MailTransport>>,
    sms: Option<Arc<dyn SmsSender>>,
    workers: bool,
}

impl std::fmt::Debug for IdentityBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentityBuilder")
            .field("database_url", &self.settings.database_url())
            .field("workers", &self.workers)
            .finish_non_exhaustive()
    }
}

impl IdentityBuilder {
    /// A builder with the given settings (as the web app loads them with
    /// [`Settings::load`]).
    pub fn from_settings(settings: Settings) -> IdentityBuilder {
        IdentityBuilder {
            settings,
            clock: None,
            mail: None,
            sms: None,
            workers: true,
        }
    }

    /// The folder of the default SQLite file, the TOTP key file, and the mail and
    /// SMS files.
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> IdentityBuilder {
        self.settings.data_dir = dir.into();
        self
    }

    /// The database: `sqlite://FILE` or `postgres://...` (with the `postgres`
    /// feature). Without it, `identity.db` in the data folder.
    pub fn database_url(mut self, url: impl Into<String>) -> IdentityBuilder {
        self.settings.database_url = Some(url.into());
        self
    }

    /// The clock (a [`identity_service::ManualClock`] lets tests move through
    /// months); the system clock otherwise.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> IdentityBuilder {
        self.clock = Some(clock);
        self
    }

    /// Where mail goes, instead of the configured transport.
    pub fn mail_transport(mut self, transport: Arc<dyn MailTransport>) -> IdentityBuilder {
        self.mail = Some(transport);
        self
    }

    /// Where text messages go (an SMS gateway), instead of the file.
    pub fn sms_sender(mut self, sms: Arc<dyn SmsSender>) -> IdentityBuilder {
        self.sms = Some(sms);
        self
    }

    /// Without the background workers (mail and SMS delivery, calendar jobs):
    /// the embedder calls [`Identity::deliver_mail`] and the jobs itself.
    pub fn without_workers(mut self) -> IdentityBuilder {
        self.workers = false;
        self
    }

    /// Opens (and migrates) the database, wires the service and starts the
    /// workers.
    ///
    /// # Errors
    ///
    /// [`OpenError::Settings`] for an invalid setting, [`OpenError::Store`] when
    /// the database cannot be opened or migrated.
    pub async fn open(self) -> Result<Identity, OpenError> {
        let settings = self.settings;
        let options = ConnectOptions {
            max_connections: settings.database_max_connections,
            ..ConnectOptions::default()
        };
        let store = SqlStore::connect(&settings.database_url(), &options).await?;
        let backend = store.backend();
        let store: Arc<dyn identity_service::Store> = Arc::new(store);
        let clock = self.clock.unwrap_or_else(|| Arc::new(SystemClock));
        let service = Service::new(
            store.clone(),
            clock.clone(),
            settings.password_hasher()?,
            settings.service_config()?,
        );
        let mail = match self.mail {
            Some(mail) => mail,
            None => settings.mail_transport()?,
        };
        let sms = self.sms.unwrap_or_else(|| settings.sms_sender());
        let delivery = identity_mail::Delivery::new(store, mail, clock).with_sms(sms);
        let workers = self
            .workers
            .then(|| Workers::start(&service, delivery.clone(), &settings));
        Ok(Identity::new(service, backend, delivery, workers))
    }
}
