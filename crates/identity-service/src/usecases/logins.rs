//! Disabling and enabling logins. A holder may disable its extra logins but never
//! its last active one; an operator may disable any. Disabling ends the login's
//! sessions.

use identity_core::i18n::{Lang, Localized, pick};
use identity_core::identity::Actor;
use identity_core::login::LoginError;
use identity_core::{LoginNumber, LoginStatus};
use serde_json::json;

use crate::ports::{SessionFilter, StoreError};
use crate::service::{Service, audit};

/// Why a login could not change state. Nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum LoginChangeError {
    /// No such login (or, for a holder, not one of its own).
    #[error("login not found")]
    NotFound,
    /// The rule forbids it (last active login, already in that state).
    #[error(transparent)]
    Refused(#[from] LoginError),
    /// Storage failed.
    #[error("storage error: {0}")]
    Store(StoreError),
}

impl From<StoreError> for LoginChangeError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => LoginChangeError::NotFound,
            other => LoginChangeError::Store(other),
        }
    }
}

impl Localized for LoginChangeError {
    fn message(&self, lang: Lang) -> String {
        match self {
            LoginChangeError::NotFound => {
                pick(lang, "Login non trovata.".into(), "Login not found.".into())
            }
            LoginChangeError::Refused(e) => e.message(lang),
            LoginChangeError::Store(_) => pick(
                lang,
                "Si è verificato un errore temporaneo. Riprova tra poco.".into(),
                "A temporary error occurred. Please try again shortly.".into(),
            ),
        }
    }
}

impl Service {
    /// Disables a login. `Actor::Holder` may only disable its own logins, and
    /// never the last active one; operators may disable any. The login's sessions end.
    pub async fn disable_login(
        &self,
        number: LoginNumber,
        actor: &Actor,
    ) -> Result<(), LoginChangeError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut login = tx.login(number).await?;
        let holder = login.holder_id();
        match actor {
            Actor::Holder(h) if *h != holder => return Err(LoginChangeError::NotFound),
            Actor::Holder(_) => {
                let others = tx
                    .logins_of(holder)
                    .await?
                    .iter()
                    .filter(|l| l.number() != number && l.is_active())
                    .count();
                login.disable_by_holder(others)?;
            }
            Actor::Operator(_) | Actor::System(_) => login.disable_by_operator()?,
        }
        tx.set_login_status(number, LoginStatus::Disabled).await?;
        let sessions = SessionFilter {
            login: Some(number),
            ..SessionFilter::default()
        };
        tx.delete_sessions(holder, &sessions).await?;
        let details = json!({ "login": number.get() });
        audit(
            tx.as_mut(),
            now,
            &actor.to_audit_string(),
            "login.disabled",
            Some(holder),
            details,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Enables a disabled login (operators).
    pub async fn enable_login(
        &self,
        number: LoginNumber,
        actor: &Actor,
    ) -> Result<(), LoginChangeError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut login = tx.login(number).await?;
        login.enable()?;
        tx.set_login_status(number, LoginStatus::Active).await?;
        let details = json!({ "login": number.get() });
        audit(
            tx.as_mut(),
            now,
            &actor.to_audit_string(),
            "login.enabled",
            Some(login.holder_id()),
            details,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
