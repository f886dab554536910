//! Signing in to the selfcare panel with the identity's **highest active
//! level**: the username's password first, then, when level 2 is active, a code
//! from the authenticator app. Between the two steps the sign-in waits server-side
//! (five minutes) under a token of its own; the session is opened, with a new
//! token, only when the last factor is right. Every attempt on a username lands
//! in the holder's access history.

use crate::error::{InfraError, infra_error};
use crate::forms::FieldErrors;
use chrono::{DateTime, Duration, Utc};
use identity_core::credentials::LevelTransitionError;
use identity_core::credentials::totp::{self, TotpSecret};
use identity_core::credentials::{CredentialLevel, SignInBlocked, TotpError};
use identity_core::identity::DigitalIdentity;
use identity_core::{AccessOutcome, AccessRecord};
use identity_core::{HolderId, LoginId, LoginNumber, Session, SessionArea};
use serde_json::json;

use super::access::{SELFCARE_SERVICE, record_access};
use super::identity_of_username;
use crate::ports::{IdentityCredentials, PendingSignIn, StoreError, StoreTx};
use crate::service::{Service, audit, mail_holder};
use crate::usecases::sessions::SessionToken;
use crate::usecases::sign_in::SignInError;

/// How long a sign-in waits for its second factor.
pub const SECOND_FACTOR_WINDOW: Duration = Duration::minutes(5);

/// Why a selfcare sign-in step failed (the password, the second factor, a
/// blocked level's unblocking, a lost phone's re-enrolment, a security key).
/// Nothing was changed, except that a wrong code or password is counted.
#[derive(Debug, thiserror::Error)]
pub enum SelfcareSignInError {
    /// Fields are missing or malformed; each error is beside its field.
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// Wrong login id, password, emergency code or single-use code: the caller is
    /// not told which.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Too many attempts from this address or for this identifier: try later.
    #[error("too many attempts")]
    RateLimited,
    /// The login is not the username of a digital identity.
    #[error("no digital identity")]
    NoIdentity,
    /// The identity was revoked: final.
    #[error("the identity is revoked")]
    Revoked,
    /// The sign-in waiting for a second factor expired, or never existed.
    #[error("the sign-in expired")]
    SignInExpired,
    /// A level cannot be used to sign in.
    #[error(transparent)]
    Blocked(#[from] SignInBlocked),
    /// A one-time code from the authenticator app was refused.
    #[error(transparent)]
    Totp(#[from] TotpError),
    /// The credential levels forbid the change.
    #[error(transparent)]
    Level(#[from] LevelTransitionError),
    /// The machinery failed (storage, hashing, sealing): nothing the user can fix.
    #[error(transparent)]
    Infra(#[from] InfraError),
}

infra_error!(SelfcareSignInError);

/// Who is signing in, as the web layer sees it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Client<'a> {
    /// Client address.
    pub ip: Option<&'a str>,
    /// Browser, shown in the list of sessions.
    pub agent: Option<&'a str>,
    /// The service provider the holder is signing in for (an OpenID Connect
    /// authorization), named in the access records instead of the selfcare.
    pub service: Option<&'a str>,
}

/// An opened selfcare session.
#[derive(Debug, Clone)]
pub struct SelfcareSession {
    /// The token for the session cookie.
    pub token: SessionToken,
    /// The session.
    pub session: Session,
}

/// What the password step leads to.
#[derive(Debug, Clone)]
pub enum PasswordStep {
    /// The identity has only level 1 (or is pending or suspended with only level
    /// 1): signed in.
    SignedIn(SelfcareSession),
    /// The second factor of `level` is due; keep `pending` in a cookie.
    SecondFactor {
        /// The waiting sign-in's token.
        pending: SessionToken,
        /// The level to reach.
        level: CredentialLevel,
    },
    /// Level 2 is blocked (5 wrong codes): it must be unblocked, with a code sent
    /// by email or with the emergency code, before the sign-in can go on.
    Level2Blocked {
        /// The waiting sign-in's token.
        pending: SessionToken,
    },
}

/// The access record of a sign-in attempt by `client`.
pub(crate) fn access(
    identity: &DigitalIdentity,
    at: DateTime<Utc>,
    level: CredentialLevel,
    credential: &str,
    outcome: AccessOutcome,
    client: Client<'_>,
) -> AccessRecord {
    AccessRecord {
        holder_id: identity.holder_id(),
        identity_id: Some(identity.id()),
        at,
        service: client.service.unwrap_or(SELFCARE_SERVICE).to_owned(),
        level,
        credential: credential.to_owned(),
        outcome,
        client_ip: client.ip.map(str::to_owned),
    }
}

impl Service {
    /// The first step: username and password (throttled like every sign-in);
    /// the second factor asked next is the one of the highest active level.
    pub async fn selfcare_sign_in_password(
        &self,
        login_id: &LoginId,
        password: &str,
        client: Client<'_>,
    ) -> Result<PasswordStep, SelfcareSignInError> {
        self.sign_in_password_for(login_id, password, client, None)
            .await
    }

    /// The first step of a sign-in for a service provider whose request lists
    /// `preferences` (its `acr_values`, in order): the first level the identity
    /// can satisfy is performed, so a request preferring level 1 signs in with
    /// the password alone even when level 2 is active. `None`: the selfcare's
    /// own rule (the highest active level).
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), login = %login_id.number()))]
    pub async fn sign_in_password_for(
        &self,
        login_id: &LoginId,
        password: &str,
        client: Client<'_>,
        preferences: Option<&[CredentialLevel]>,
    ) -> Result<PasswordStep, SelfcareSignInError> {
        let signed = match self.sign_in_password(login_id, password, client.ip).await {
            Ok(s) => s,
            Err(SignInError::InvalidCredentials) => {
                // Filed in the background, so that the answer takes the same time
                // whether or not the login is a username.
                let service = self.clone();
                let number = login_id.number();
                let ip = client.ip.map(str::to_owned);
                let for_service = client.service.map(str::to_owned);
                tokio::spawn(async move {
                    let client = Client {
                        ip: ip.as_deref(),
                        agent: None,
                        service: for_service.as_deref(),
                    };
                    if let Err(e) = service.record_failed_password(number, client).await {
                        tracing::warn!(error = %e, "recording a failed selfcare sign-in");
                    }
                });
                return Err(SelfcareSignInError::InvalidCredentials);
            }
            Err(SignInError::Infra(e)) => return Err(e.into()),
        };
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let identity = identity_of_username(tx.as_mut(), signed.holder_id, signed.login.number())
            .await?
            .ok_or(SelfcareSignInError::NoIdentity)?;
        if identity.state().is_revoked() {
            let record = access(
                &identity,
                now,
                CredentialLevel::L1,
                "password",
                AccessOutcome::Failed,
                client,
            );
            record_access(tx.as_mut(), &self.metrics, &record, None).await?;
            tx.commit().await?;
            return Err(SelfcareSignInError::Revoked);
        }
        let creds = tx.credentials(identity.id()).await?;
        let wanted = match preferences {
            Some(levels) if !levels.is_empty() => creds.levels.level_to_perform(levels),
            _ => creds.levels.required_sign_in_level(),
        };
        let level = match wanted {
            Ok(CredentialLevel::L1) => {
                drop(tx);
                return self
                    .complete_sign_in(&identity, CredentialLevel::L1, "password", client)
                    .await
                    .map(PasswordStep::SignedIn);
            }
            Ok(level) => level,
            Err(SignInBlocked::LevelBlocked(level)) => level,
            Err(SignInBlocked::Revoked) => return Err(SelfcareSignInError::Revoked),
            Err(other) => return Err(other.into()),
        };
        let pending = SessionToken::generate(self.random.as_ref());
        tx.insert_pending_sign_in(&PendingSignIn {
            token_hash: pending.hash(),
            identity_id: identity.id(),
            holder_id: identity.holder_id(),
            login: identity.username(),
            level,
            created_at: now,
            expires_at: now + SECOND_FACTOR_WINDOW,
        })
        .await?;
        tx.commit().await?;
        if creds.levels.state(level) == identity_core::LevelState::Blocked {
            Ok(PasswordStep::Level2Blocked { pending })
        } else {
            Ok(PasswordStep::SecondFactor { pending, level })
        }
    }

    /// Files a wrong password on a username in its holder's access history.
    async fn record_failed_password(
        &self,
        number: LoginNumber,
        client: Client<'_>,
    ) -> Result<(), StoreError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let login = match tx.login(number).await {
            Ok(l) => l,
            Err(StoreError::NotFound) => return Ok(()),
            Err(e) => return Err(e),
        };
        if let Some(identity) = identity_of_username(tx.as_mut(), login.holder_id(), number).await?
        {
            let record = access(
                &identity,
                now,
                CredentialLevel::L1,
                "password",
                AccessOutcome::Failed,
                client,
            );
            record_access(tx.as_mut(), &self.metrics, &record, None).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// The waiting sign-in of `pending`, locked inside `tx`, with its identity and
    /// credentials (locked too). `SignInExpired` if it is gone or too old.
    pub(crate) async fn pending_sign_in(
        &self,
        tx: &mut dyn StoreTx,
        pending: &SessionToken,
    ) -> Result<(PendingSignIn, DigitalIdentity, IdentityCredentials), SelfcareSignInError> {
        let now = self.clock.now();
        let p = match tx.pending_sign_in_for_update(&pending.hash()).await {
            Ok(p) if now < p.expires_at => p,
            Ok(_) | Err(StoreError::NotFound) => return Err(SelfcareSignInError::SignInExpired),
            Err(e) => return Err(e.into()),
        };
        let identity = tx.identity_for_update(p.identity_id).await?;
        if identity.state().is_revoked() {
            return Err(SelfcareSignInError::Revoked);
        }
        let creds = tx.credentials_for_update(p.identity_id).await?;
        // The level is checked again under the lock: credentials that changed
        // since the password step so that it can no longer be reached (removed,
        // or a level at or above it blocked) void the waiting sign-in; it is
        // then refused every time until it expires. The level need not be the
        // identity's highest (a SpidL2 request with a security key active):
        // the last step still asks the selfcare's own sign-ins for the highest.
        let still = match creds.levels.check_sign_in_at(p.level) {
            Ok(()) => true,
            // A blocked level is unblocked within this sign-in.
            Err(SignInBlocked::LevelBlocked(level)) => level == p.level,
            Err(_) => false,
        };
        if !still {
            return Err(SelfcareSignInError::SignInExpired);
        }
        Ok((p, identity, creds))
    }

    /// The level-2 step: a code from the authenticator app. A wrong code counts
    /// toward the block (5 in a row); a replayed one is refused without counting.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn selfcare_sign_in_totp(
        &self,
        pending: &SessionToken,
        code: &str,
        client: Client<'_>,
    ) -> Result<SelfcareSession, SelfcareSignInError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let (p, identity, mut creds) = self.pending_sign_in(tx.as_mut(), pending).await?;
        // A sign-in that must reach level 3 is never completed with a level-2 code.
        if p.level != CredentialLevel::L2 {
            return Err(SelfcareSignInError::SignInExpired);
        }
        creds.levels.check_sign_in_at(CredentialLevel::L2)?;
        let sealed = creds
            .totp_secret
            .clone()
            .ok_or(SelfcareSignInError::Blocked(SignInBlocked::LevelNotActive(
                CredentialLevel::L2,
            )))?;
        let context = identity.id().to_string();
        let secret =
            TotpSecret::from_bytes(&self.config.keyring.open(&sealed, context.as_bytes())?)
                .ok_or(InfraError::Corrupt("stored TOTP secret has a bad length"))?;
        let (state, outcome) = totp::verify(&secret, code, now, &creds.totp_state);
        creds.totp_state = state;
        match outcome {
            Ok(_) => {
                if self.config.keyring.is_stale(&sealed) {
                    creds.totp_secret = Some(
                        self.config
                            .keyring
                            .seal(secret.as_bytes(), context.as_bytes())?,
                    );
                }
                tx.update_credentials(&creds).await?;
                tx.delete_pending_sign_in(&p.token_hash).await?;
                tx.commit().await?;
                self.complete_sign_in(&identity, CredentialLevel::L2, "totp", client)
                    .await
            }
            Err(e @ (TotpError::Malformed | TotpError::Replayed)) => Err(e.into()),
            Err(e) => {
                let holder = identity.holder_id();
                if e == TotpError::Blocked
                    && creds.levels.state(CredentialLevel::L2) == identity_core::LevelState::Active
                {
                    creds.levels = creds.levels.block(CredentialLevel::L2)?;
                    self.metrics
                        .count("identity_lockouts_total", &[("level", "2")]);
                    self.level2_blocked(tx.as_mut(), &identity, holder, now)
                        .await?;
                }
                tx.update_credentials(&creds).await?;
                let record = access(
                    &identity,
                    now,
                    CredentialLevel::L2,
                    "totp",
                    AccessOutcome::Failed,
                    client,
                );
                record_access(tx.as_mut(), &self.metrics, &record, None).await?;
                tx.commit().await?;
                Err(e.into())
            }
        }
    }

    async fn level2_blocked(
        &self,
        tx: &mut dyn StoreTx,
        identity: &DigitalIdentity,
        holder: HolderId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        audit(
            tx,
            now,
            "system:sign_in",
            "credential.level2_blocked",
            Some(holder),
            json!({ "identity_id": identity.id() }),
        )
        .await?;
        let h = tx.holder(holder).await?;
        mail_holder(
            tx,
            &h,
            now,
            "credential_changed",
            json!({ "change": "level2_blocked", "at": now.to_rfc3339() }),
        )
        .await
    }

    /// The last factor was right: records the access (and its notification), the
    /// use of the identity, and opens the session at `level` with a new token.
    pub(crate) async fn complete_sign_in(
        &self,
        identity: &DigitalIdentity,
        level: CredentialLevel,
        credential: &str,
        client: Client<'_>,
    ) -> Result<SelfcareSession, SelfcareSignInError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut current = tx.identity_for_update(identity.id()).await?;
        let creds = tx.credentials_for_update(identity.id()).await?;
        // Never a session below the identity's highest level, unless signing in
        // for a service provider whose request asked for this level (a SpidL1
        // request with level 2 active): its credentials may have changed since
        // the factor was checked, so the level is checked again either way.
        let allowed = if client.service.is_some() {
            creds.levels.check_sign_in_at(level).is_ok()
        } else {
            creds.levels.required_sign_in_level() == Ok(level)
        };
        if current.state().is_revoked() || !allowed {
            return Err(SelfcareSignInError::SignInExpired);
        }
        if current.record_use(now).is_ok() {
            tx.update_identity(&current).await?;
        }
        // Signing in for a service provider is recorded (and notified) under
        // that provider's name.
        let record = access(identity, now, level, credential, AccessOutcome::Ok, client);
        record_access(tx.as_mut(), &self.metrics, &record, Some(&creds)).await?;
        tx.commit().await?;
        let (token, session) = self
            .open_session_for(
                identity.holder_id(),
                identity.username(),
                SessionArea::Selfcare,
                level,
                client.ip,
                client.agent,
            )
            .await?;
        Ok(SelfcareSession { token, session })
    }

    /// The level a waiting sign-in must reach and whether it is blocked; `None` if
    /// it expired.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn pending_sign_in_state(
        &self,
        pending: &SessionToken,
    ) -> Result<Option<(CredentialLevel, bool)>, StoreError> {
        let now = self.clock.now();
        let mut tx = self.store.begin_read().await?;
        let p = match tx.pending_sign_in(&pending.hash()).await {
            Ok(p) if now < p.expires_at => p,
            Ok(_) | Err(StoreError::NotFound) => return Ok(None),
            Err(e) => return Err(e),
        };
        let creds = tx.credentials(p.identity_id).await?;
        drop(tx);
        let blocked = creds.levels.state(p.level) == identity_core::LevelState::Blocked;
        Ok(Some((p.level, blocked)))
    }
}
