//! Changing the holder's secondary attributes (email, phone, PEC, postal address)
//! from the customer area or the API. While the holder has a digital identity that
//! is not revoked, the recovery channels (email, phone, PEC) change only after a
//! fresh re-authentication with the identity's credentials: a stolen customer-area
//! password alone must never redirect them. A new email takes effect only once a
//! code sent to it comes back; the old address is told of every change.

use chrono::Duration;
use identity_core::{ContactChange, HolderId, LoginId, Session};
use serde_json::json;

use crate::error::{Found, InfraError, infra_error};
use crate::forms::FieldErrors;
use crate::ports::StoreError;
use crate::service::{Service, audit, mail_holder};
use crate::usecases::identity::live_identity;
use crate::usecases::register_input::RegistrationInput;
use crate::usecases::sessions::SessionToken;
use crate::usecases::sign_in::SignInError;

/// How recent a re-authentication must be for a change of the recovery channels.
pub const REAUTH_WINDOW: Duration = Duration::minutes(10);

/// The secondary attributes as typed; field names as on the registration form.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ContactsInput {
    /// Reference email.
    pub email: String,
    /// The same, typed again.
    pub email_confirm: String,
    /// Phone.
    pub phone: String,
    /// PEC, optional.
    pub pec: String,
    /// Street and number.
    pub street: String,
    /// CAP.
    pub postal_code: String,
    /// Municipality.
    pub municipality: String,
    /// Province code (`EE` abroad).
    pub province: String,
    /// Country, abroad.
    pub country: String,
}

/// Who asks for the change.
#[derive(Debug, Clone, Copy)]
pub enum ContactsAuth<'a> {
    /// The holder, signed in to the customer area.
    Session(&'a Session),
    /// An integrating system, by client name: it cannot re-authenticate, so it
    /// cannot change the recovery channels of a holder with a digital identity.
    Api(&'a str),
    /// The holder, signed in to the selfcare with the identity: a sign-in at the
    /// identity's highest level within the last 10 minutes allows every change.
    Selfcare(&'a Session),
}

/// What changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactsUpdated {
    /// Fields changed at once (`phone`, `pec`, `address`).
    pub changed: Vec<&'static str>,
    /// The new email waiting for its code to come back.
    pub email_pending: Option<String>,
    /// The new mobile phone waiting for its SMS code to come back (holders with
    /// a digital identity: the phone receives its recovery codes).
    pub phone_pending: Option<String>,
}

/// Why nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum ContactsError {
    /// Fields to fix.
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// The recovery channels need a fresh re-authentication first.
    #[error("re-authentication required")]
    ReauthRequired,
    /// Too many codes sent to the holder in the last hour (a new phone's SMS).
    #[error("too many codes sent")]
    RateLimited,
    /// The reference email must be verified before anything else changes.
    #[error("the reference email is not verified")]
    EmailNotVerified,
    /// No such holder.
    #[error("holder not found")]
    NotFound,
    /// The machinery failed (storage, hashing, sealing): nothing the user can fix.
    #[error(transparent)]
    Infra(#[from] InfraError),
}

infra_error!(ContactsError);

/// Why a re-authentication failed.
#[derive(Debug, thiserror::Error)]
pub enum ReauthError {
    /// Wrong password (or throttled: the same answer).
    #[error("invalid credentials")]
    Invalid,
    /// The session ended.
    #[error("no session")]
    NoSession,
    /// The machinery failed (storage, hashing, sealing): nothing the user can fix.
    #[error(transparent)]
    Infra(#[from] InfraError),
}

infra_error!(ReauthError);

impl ContactsInput {
    /// The input as the registration form's, to check it with the same rules.
    fn as_registration(&self) -> RegistrationInput {
        RegistrationInput {
            email: self.email.clone(),
            email_confirm: self.email_confirm.clone(),
            phone: self.phone.clone(),
            pec: self.pec.clone(),
            street: self.street.clone(),
            postal_code: self.postal_code.clone(),
            municipality: self.municipality.clone(),
            province: self.province.clone(),
            country: self.country.clone(),
            ..RegistrationInput::default()
        }
    }
}

impl Service {
    /// Whether the holder's live identity signs in with more than a password
    /// (level 2 or 3 active or blocked): then its recovery channels change only
    /// from the selfcare, after a sign-in at that level.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %holder))]
    pub async fn identity_needs_second_factor(&self, holder: HolderId) -> Result<bool, StoreError> {
        let mut tx = self.store.begin_read().await?;
        let Some(identity) = live_identity(tx.as_mut(), holder).await? else {
            return Ok(false);
        };
        let creds = tx.credentials(identity.id()).await?;
        Ok(creds.levels.required_sign_in_level() != Ok(identity_core::CredentialLevel::L1))
    }

    /// Whether the customer area may change the password of `login`: not when it
    /// is the username of an identity that signs in with a second factor (its
    /// level 1 then changes only from the selfcare, signed in at that level).
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %holder))]
    pub async fn customer_area_may_change_password(
        &self,
        holder: HolderId,
        login: identity_core::LoginNumber,
    ) -> Result<bool, StoreError> {
        if self.live_identity_username(holder).await? != Some(login) {
            return Ok(true);
        }
        Ok(!self.identity_needs_second_factor(holder).await?)
    }

    /// Whether the holder has a digital identity that is not revoked, and if so the
    /// login number of its username (whose credentials a re-authentication asks for).
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %holder))]
    pub async fn live_identity_username(
        &self,
        holder: HolderId,
    ) -> Result<Option<identity_core::LoginNumber>, StoreError> {
        let mut tx = self.store.begin_read().await?;
        Ok(live_identity(tx.as_mut(), holder)
            .await?
            .map(|i| i.username()))
    }

    /// Whether the holder re-entered the identity's credentials in `session`
    /// within [`REAUTH_WINDOW`]. Signing in is not enough: the session may have been
    /// opened with any login, and the re-authentication is what proves the
    /// identity's credentials (its highest level) right now.
    pub fn freshly_reauthenticated(&self, session: &Session) -> bool {
        let now = self.clock.now();
        session
            .reauthenticated_at
            .is_some_and(|at| now - at < REAUTH_WINDOW)
    }

    /// Re-enters the credentials in a session: the identity's username password when
    /// the holder has a live digital identity, else the session's own login. Counts
    /// against the same throttle as a sign-in.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn reauthenticate(
        &self,
        token: &SessionToken,
        password: &str,
        client_ip: Option<&str>,
    ) -> Result<(), ReauthError> {
        let session = self.session(token).await?.ok_or(ReauthError::NoSession)?;
        let login = self
            .live_identity_username(session.holder_id)
            .await?
            .unwrap_or(session.login);
        let id = LoginId::new(login, &self.config.login_domain);
        match self.sign_in_password(&id, password, client_ip).await {
            Ok(signed) if signed.holder_id == session.holder_id => {}
            Ok(_) | Err(SignInError::InvalidCredentials) => return Err(ReauthError::Invalid),
            Err(SignInError::Infra(e)) => return Err(ReauthError::Infra(e)),
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        tx.mark_session_reauthenticated(&token.hash(), now).await?;
        let actor = format!("holder:{}", session.holder_id);
        audit(
            tx.as_mut(),
            now,
            &actor,
            "session.reauthenticated",
            Some(session.holder_id),
            json!({ "login": id.to_string() }),
        )
        .await?;
        tx.commit().await.map_err(ReauthError::from)
    }

    /// Changes the secondary attributes. Phone, PEC and address change at once; a
    /// new email gets a code and changes when it comes back. Every change is
    /// audited and notified to the reference address.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %holder_id))]
    pub async fn update_contacts(
        &self,
        holder_id: HolderId,
        input: &ContactsInput,
        auth: ContactsAuth<'_>,
    ) -> Result<ContactsUpdated, ContactsError> {
        self.update_contacts_with(holder_id, auth, |_| input.clone())
            .await
    }

    /// [`Service::update_contacts`] with the input built from the holder as it is
    /// once locked: a partial change (the API's PATCH) fills what it does not
    /// carry from the current values, with no window for another change to slip
    /// in between.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %holder_id))]
    pub async fn update_contacts_with(
        &self,
        holder_id: HolderId,
        auth: ContactsAuth<'_>,
        build: impl FnOnce(&identity_core::Holder) -> ContactsInput + Send,
    ) -> Result<ContactsUpdated, ContactsError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut holder = tx
            .holder_for_update(holder_id)
            .await
            .or_missing(ContactsError::NotFound)?;
        let input = build(&holder);
        let mut errors = FieldErrors::new();
        let as_reg = input.as_registration();
        let address = as_reg.address(&mut errors);
        let contacts = as_reg.contacts(&mut errors);
        let (Some(address), Some(contacts)) = (address, contacts) else {
            return Err(ContactsError::Invalid(errors));
        };
        if !errors.is_empty() {
            return Err(ContactsError::Invalid(errors));
        }
        // Decided inside the transaction, under the holder's lock.
        let has_identity = live_identity(tx.as_mut(), holder_id).await?.is_some();
        let recovery_allowed = match live_identity(tx.as_mut(), holder_id).await? {
            None => true,
            Some(identity) => {
                let creds = tx.credentials(identity.id()).await?;
                match auth {
                    // A password re-entered in the customer area is enough only for
                    // an identity whose highest level is the password itself.
                    ContactsAuth::Session(s) => {
                        self.freshly_reauthenticated(s)
                            && creds.levels.required_sign_in_level()
                                == Ok(identity_core::CredentialLevel::L1)
                    }
                    ContactsAuth::Selfcare(s) => {
                        s.login == identity.username() && self.selfcare_session_is_fresh(s, &creds)
                    }
                    ContactsAuth::Api(_) => false,
                }
            }
        };
        if !holder.email_verified() && !matches!(auth, ContactsAuth::Api(_)) {
            return Err(ContactsError::EmailNotVerified);
        }
        let email_changes = contacts.email.normalized() != holder.contacts().email.normalized();
        let channel_changes = email_changes
            || contacts.phone != holder.contacts().phone
            || contacts.pec != holder.contacts().pec;
        if channel_changes && !recovery_allowed {
            return Err(ContactsError::ReauthRequired);
        }
        let mut changes = Vec::new();
        // An identity's phone takes its recovery codes: a new one must answer first.
        let phone_pending = (has_identity && contacts.phone != holder.contacts().phone)
            .then(|| contacts.phone.clone());
        if phone_pending.is_none() {
            changes.extend(holder.change_phone(contacts.phone));
        }
        changes.extend(holder.change_pec(contacts.pec));
        changes.extend(holder.change_address(address));
        let actor = match auth {
            ContactsAuth::Session(_) | ContactsAuth::Selfcare(_) => format!("holder:{holder_id}"),
            ContactsAuth::Api(name) => format!("api:{name}"),
        };
        let mut updated = ContactsUpdated::default();
        for change in &changes {
            let (field, old, new) = match change {
                ContactChange::Phone { old, new } => ("phone", old.to_string(), new.to_string()),
                ContactChange::Pec { old, new } => (
                    "pec",
                    old.as_ref().map(ToString::to_string).unwrap_or_default(),
                    new.as_ref().map(ToString::to_string).unwrap_or_default(),
                ),
                ContactChange::Address { old, new } => {
                    ("address", old.to_string(), new.to_string())
                }
                ContactChange::Email { .. } => continue,
            };
            updated.changed.push(field);
            let details = json!({ "field": field, "old": old, "new": new });
            audit(
                tx.as_mut(),
                now,
                &actor,
                "holder.contacts_changed",
                Some(holder_id),
                details,
            )
            .await?;
        }
        if !changes.is_empty() {
            tx.update_holder_contacts(&holder).await?;
            let params = json!({ "fields": updated.changed.join(", "), "at": now.to_rfc3339() });
            mail_holder(tx.as_mut(), &holder, now, "data_changed", params).await?;
        }
        if email_changes {
            self.send_email_change_code(tx.as_mut(), &holder, &contacts.email, now)
                .await?;
            let details = json!({ "field": "email", "new": contacts.email.to_string() });
            audit(
                tx.as_mut(),
                now,
                &actor,
                "holder.email_change_requested",
                Some(holder_id),
                details,
            )
            .await?;
            updated.email_pending = Some(contacts.email.to_string());
        }
        if let Some(phone) = phone_pending {
            if !crate::usecases::selfcare::send_phone_change_code(
                tx.as_mut(),
                self.random.as_ref(),
                &holder,
                &phone,
                now,
            )
            .await?
            {
                return Err(ContactsError::RateLimited);
            }
            audit(
                tx.as_mut(),
                now,
                &actor,
                "holder.phone_change_requested",
                Some(holder_id),
                json!({ "field": "phone", "new": phone.to_string() }),
            )
            .await?;
            updated.phone_pending = Some(phone.to_string());
        }
        tx.commit().await?;
        Ok(updated)
    }
}
