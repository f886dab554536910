//! The service handle the adapters hold: storage, clock, hasher and settings.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use identity_core::identity::DeadlinePolicy;
use identity_core::password_policy::PasswordPolicy;
use identity_core::{Holder, HolderId, Lang, SessionPolicy};
use serde_json::json;
use uuid::Uuid;

use crate::model::{AuditRecord, OutboxMessage, OutboxStatus};
use crate::passwords::PasswordHasher;
use crate::ports::{Clock, OsRandomness, Randomness, Store, StoreError, StoreTx};
use crate::sealing::Keyring;

/// Settings of the use cases.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// The domain of login ids (`123456@<domain>`).
    pub login_domain: String,
    /// The password rules.
    pub password_policy: PasswordPolicy,
    /// What happens at a suspension's 30-day deadline.
    pub deadline_policy: DeadlinePolicy,
    /// Idle and absolute session lifetimes.
    pub session_policy: SessionPolicy,
    /// The external base URL, for links in mail (`https://id.example.it`).
    pub public_url: String,
    /// The keys that seal the authenticators' secrets.
    pub keyring: Keyring,
    /// The provider's place in its OpenID Federation.
    pub federation: crate::usecases::federation::settings::FederationConfig,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        ServiceConfig {
            login_domain: "identita.example.it".into(),
            password_policy: PasswordPolicy::default(),
            deadline_policy: DeadlinePolicy::default(),
            session_policy: SessionPolicy::default(),
            public_url: "http://localhost:8080".into(),
            keyring: Keyring::ephemeral(),
            federation: crate::usecases::federation::settings::FederationConfig::default(),
        }
    }
}

/// Entry point to every use case. Cheap to clone.
#[derive(Clone)]
pub struct Service {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) hasher: PasswordHasher,
    pub(crate) config: Arc<ServiceConfig>,
    pub(crate) random: Arc<dyn Randomness>,
    pub(crate) metrics: Arc<crate::metrics::Metrics>,
    pub(crate) pressure: Arc<crate::pressure::SignInPressure>,
    pub(crate) key_store: Arc<dyn crate::ports::KeyStore>,
    pub(crate) oidc_cache: Arc<crate::usecases::oidc::keys::OidcCache>,
    pub(crate) fetcher: Arc<dyn crate::ports::EntityFetcher>,
    pub(crate) resolving: Arc<crate::usecases::federation::registration::InFlight>,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Service {
    /// A new bearer value of 256 random bits from the service's source, after
    /// `prefix` (`idk_`, `idop_`, ...; empty for codes and refresh tokens), so a
    /// leaked one is easy to recognise.
    pub(crate) fn new_token(&self, prefix: &str) -> String {
        format!(
            "{prefix}{}",
            identity_core::credentials::random_token(&mut crate::ports::RngOf(
                self.random.as_ref()
            ))
        )
    }

    /// Wires the service.
    #[must_use]
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        hasher: PasswordHasher,
        config: ServiceConfig,
    ) -> Service {
        let key_store = Arc::new(crate::usecases::oidc::keystore::SealedKeyStore::new(
            config.keyring.clone(),
        ));
        let fetcher = Arc::new(crate::usecases::federation::fetch::HttpEntityFetcher::new(
            &config.federation.fetch,
        ));
        Service {
            store,
            clock,
            hasher,
            config: Arc::new(config),
            random: Arc::new(OsRandomness),
            metrics: Arc::new(crate::metrics::Metrics::default()),
            pressure: Arc::default(),
            key_store,
            oidc_cache: Arc::default(),
            fetcher,
            resolving: Arc::default(),
        }
    }

    /// The same service reading other entities' statements through `fetcher`
    /// (tests count or script fetches with it).
    #[must_use]
    pub fn with_entity_fetcher(mut self, fetcher: Arc<dyn crate::ports::EntityFetcher>) -> Service {
        self.fetcher = fetcher;
        self
    }

    /// The same service with its OpenID Connect signing keys in `key_store` (an
    /// HSM or KMS) instead of sealed in the database.
    #[must_use]
    pub fn with_key_store(mut self, key_store: Arc<dyn crate::ports::KeyStore>) -> Service {
        self.key_store = key_store;
        // Keys made by another store are not this one's.
        self.oidc_cache = Arc::default();
        self
    }

    /// The counters and histograms of this service (rendered by `/metrics`).
    #[must_use]
    pub fn metrics(&self) -> &crate::metrics::Metrics {
        &self.metrics
    }

    /// The same service drawing its codes, secrets and tokens from `random` (a
    /// seeded source in tests; the operating system's by default).
    #[must_use]
    pub fn with_randomness(mut self, random: Arc<dyn Randomness>) -> Service {
        self.random = random;
        self
    }

    /// The same service with links in mail built on `public_url` (known only once
    /// the web app has bound its port).
    #[must_use]
    pub fn with_public_url(mut self, public_url: &str) -> Service {
        let mut config = (*self.config).clone();
        config.public_url = public_url.trim_end_matches('/').to_owned();
        self.config = Arc::new(config);
        self
    }

    /// The settings.
    #[must_use]
    pub fn config(&self) -> &ServiceConfig {
        &self.config
    }

    /// The storage port, for read-only screens and for adapters' own tests.
    #[must_use]
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The current time according to the injected clock.
    #[must_use]
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The password hasher.
    #[must_use]
    pub fn hasher(&self) -> &PasswordHasher {
        &self.hasher
    }
}

/// Appends an audit record inside `tx`.
pub(crate) async fn audit(
    tx: &mut dyn StoreTx,
    at: DateTime<Utc>,
    actor: &str,
    event: &str,
    holder_id: Option<HolderId>,
    details: serde_json::Value,
) -> Result<(), StoreError> {
    let record = AuditRecord {
        id: Uuid::now_v7(),
        at,
        actor: actor.to_owned(),
        event: event.to_owned(),
        holder_id,
        details,
        request_id: crate::request_id::current(),
    };
    tx.append_audit(&record).await
}

/// Queues a mail to the holder's reference address inside `tx`.
pub(crate) async fn mail_holder(
    tx: &mut dyn StoreTx,
    holder: &Holder,
    at: DateTime<Utc>,
    template: &str,
    params: serde_json::Value,
) -> Result<(), StoreError> {
    mail_to(
        tx,
        &holder.contacts().email.to_string(),
        holder.lang(),
        at,
        template,
        params,
        holder,
    )
    .await
}

/// Queues a mail to `to` inside `tx`; the holder's name is added to the parameters.
pub(crate) async fn mail_to(
    tx: &mut dyn StoreTx,
    to: &str,
    lang: Lang,
    at: DateTime<Utc>,
    template: &str,
    mut params: serde_json::Value,
    holder: &Holder,
) -> Result<(), StoreError> {
    if let Some(map) = params.as_object_mut() {
        map.insert("name".into(), json!(holder.display_name()));
    }
    enqueue(tx, to, lang, at, template, params).await
}

/// Queues a message (mail, or a text message for an `sms_*` template) to `to`
/// inside `tx`, with its parameters as they are.
pub(crate) async fn enqueue(
    tx: &mut dyn StoreTx,
    to: &str,
    lang: Lang,
    at: DateTime<Utc>,
    template: &str,
    params: serde_json::Value,
) -> Result<(), StoreError> {
    let message = OutboxMessage {
        id: Uuid::now_v7(),
        created_at: at,
        to: to.to_owned(),
        lang,
        template: template.to_owned(),
        params,
        status: OutboxStatus::Pending,
        attempts: 0,
        last_error: None,
    };
    tx.enqueue_mail(&message).await
}
