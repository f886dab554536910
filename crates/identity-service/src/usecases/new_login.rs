//! Creating an additional login for a holder ("Crea nuova login"): a new random
//! number and the password the holder chose; the login id is mailed to the
//! reference address. All logins of a holder share its one holder record.

use identity_core::identity::Actor;
use identity_core::{HolderId, Login, LoginId};
use serde_json::json;

use crate::error::{Found, InfraError, infra_error};
use crate::forms::{FieldErrors, new_password_errors};
use crate::ports::StoreError;
use crate::service::{Service, audit, mail_holder};
use crate::usecases::register::password_context;

/// Most logins a holder may hold (active or disabled), so a stolen session cannot
/// mint logins without end.
pub const MAX_LOGINS: usize = 20;

/// Why no login was created.
#[derive(Debug, thiserror::Error)]
pub enum CreateLoginError {
    /// The password fields to fix.
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// The reference email is not verified yet.
    #[error("email not verified")]
    EmailNotVerified,
    /// The holder already has [`MAX_LOGINS`] logins.
    #[error("too many logins")]
    TooMany,
    /// No such holder.
    #[error("holder not found")]
    NotFound,
    /// The machinery failed (storage, hashing, sealing): nothing the user can fix.
    #[error(transparent)]
    Infra(#[from] InfraError),
}

infra_error!(CreateLoginError);

impl Service {
    /// Creates a new login with no password yet (for integrating systems, which
    /// must never choose a holder's password): the holder receives its id and a
    /// single-use link to choose the password, at the reference address.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %holder_id))]
    pub async fn create_login_for_holder_to_set(
        &self,
        holder_id: HolderId,
        actor: &Actor,
    ) -> Result<LoginId, CreateLoginError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let holder = tx
            .holder_for_update(holder_id)
            .await
            .or_missing(CreateLoginError::NotFound)?;
        let existing = tx.logins_of(holder_id).await?;
        if existing
            .iter()
            .filter(|l| l.status() != identity_core::LoginStatus::Deleted)
            .count()
            >= MAX_LOGINS
        {
            return Err(CreateLoginError::TooMany);
        }
        let login = insert_new_login(tx.as_mut(), self.random.clone(), holder_id, "", now).await?;
        let login_id = LoginId::new(login.number(), &self.config.login_domain);
        let (_, link) = crate::usecases::email_codes::issue_reset_code(
            tx.as_mut(),
            self.random.as_ref(),
            crate::model::CodePurpose::ResetPassword,
            holder_id,
            login.number(),
            &self.config.public_url,
            now,
        )
        .await?;
        audit(
            tx.as_mut(),
            now,
            &actor.to_audit_string(),
            "login.created",
            Some(holder_id),
            json!({ "login": login_id.to_string(), "password": "chosen by the holder" }),
        )
        .await?;
        mail_holder(
            tx.as_mut(),
            &holder,
            now,
            "login_created",
            json!({ "login_id": login_id.to_string(), "link": link }),
        )
        .await?;
        tx.commit().await?;
        Ok(login_id)
    }

    /// Creates a new login for the holder with the chosen password (typed twice),
    /// and mails its id to the reference address.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %holder_id))]
    pub async fn create_login(
        &self,
        holder_id: HolderId,
        password: &str,
        password_confirm: &str,
        actor: &Actor,
    ) -> Result<LoginId, CreateLoginError> {
        let (holder, existing) = {
            let mut tx = self.store.begin_read().await?;
            (tx.holder(holder_id).await?, tx.logins_of(holder_id).await?)
        };
        if !holder.email_verified() && matches!(actor, Actor::Holder(_)) {
            return Err(CreateLoginError::EmailNotVerified);
        }
        if existing
            .iter()
            .filter(|l| l.is_active() || l.status() == identity_core::LoginStatus::Disabled)
            .count()
            >= MAX_LOGINS
        {
            return Err(CreateLoginError::TooMany);
        }
        let numbers: Vec<String> = existing.iter().map(|l| l.number().to_string()).collect();
        let tax = holder.tax_code();
        let ctx = password_context(&holder, tax.as_ref(), &numbers);
        let errors = new_password_errors(
            &self.config.password_policy,
            password,
            password_confirm,
            &ctx,
        );
        if !errors.is_empty() {
            return Err(CreateLoginError::Invalid(errors));
        }
        let hash = self.hasher.hash(password.to_owned()).await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let holder = tx
            .holder_for_update(holder_id)
            .await
            .or_missing(CreateLoginError::NotFound)?;
        // Counted again under the holder's lock: two requests at once cannot both
        // take the last place.
        let count = tx
            .logins_of(holder_id)
            .await?
            .iter()
            .filter(|l| l.status() != identity_core::LoginStatus::Deleted)
            .count();
        if count >= MAX_LOGINS {
            return Err(CreateLoginError::TooMany);
        }
        let login =
            insert_new_login(tx.as_mut(), self.random.clone(), holder_id, password, now).await?;
        tx.set_password(login.number(), &hash, now).await?;
        let login_id = LoginId::new(login.number(), &self.config.login_domain);
        audit(
            tx.as_mut(),
            now,
            &actor.to_audit_string(),
            "login.created",
            Some(holder_id),
            json!({ "login": login_id.to_string() }),
        )
        .await?;
        mail_holder(
            tx.as_mut(),
            &holder,
            now,
            "login_created",
            json!({ "login_id": login_id.to_string() }),
        )
        .await?;
        tx.commit().await?;
        Ok(login_id)
    }
}

/// Inserts a login with a fresh random number for `holder` (one the chosen
/// password does not contain), drawing again on the rare collision.
async fn insert_new_login(
    tx: &mut dyn crate::ports::StoreTx,
    random: std::sync::Arc<dyn crate::ports::Randomness>,
    holder: HolderId,
    password: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Login, StoreError> {
    for number in crate::usecases::register::login_numbers_from(random)
        .filter(|n| password.is_empty() || !password.contains(&n.to_string()))
        .take(10)
    {
        let candidate = Login::new(number, holder, now);
        match tx.insert_login(&candidate).await {
            Ok(()) => return Ok(candidate),
            Err(StoreError::Duplicate(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::Duplicate("login_number"))
}
