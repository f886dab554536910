//! The emergency block, offered by the selfcare sign-in page without signing in:
//! tax code + emergency code, or tax code + a code sent to the reference email.
//! Its error, field checks and limits are shared with the recoveries next to it
//! (`recovery`). Every request is rate-limited per client address and per
//! identifier.

use crate::error::{InfraError, infra_error};
use identity_core::credentials::EmergencyCode;
use identity_core::identity::TransitionError;
use identity_core::identity::{Actor, DigitalIdentity, SuspensionReason};
use identity_core::{LoginId, TaxCode};
use serde_json::json;

use super::{emergency_matches, issue_emergency_code, send_security_code};
use crate::forms::{FieldErrors, InputRule};
use crate::model::CodePurpose;
use crate::service::{Service, audit};
use crate::usecases::email_codes::redeem_code;
use crate::usecases::identity::live_identity;
use crate::usecases::limits::{EMERGENCY_CODE_ATTEMPTS, RECOVERY, address_key, take_all};

/// Why an operation of the selfcare without signing in failed (the emergency
/// block, recovering the username, the password or the emergency code). Nothing
/// was changed, except that a wrong code is counted.
#[derive(Debug, thiserror::Error)]
pub enum EmergencyError {
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
    /// The identity is not active (pending or suspended) for this operation.
    #[error("the identity is not active")]
    NotActive,
    /// The lifecycle forbids the change.
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// The machinery failed (storage, hashing, sealing): nothing the user can fix.
    #[error(transparent)]
    Infra(#[from] InfraError),
}

infra_error!(EmergencyError);

pub(super) fn tax_code_field(input: &str, errors: &mut FieldErrors) -> Option<TaxCode> {
    let code = input.trim().to_ascii_uppercase().replace(' ', "");
    if code.is_empty() {
        errors.add("tax_code", InputRule::Required);
        return None;
    }
    match TaxCode::parse(&code) {
        Ok(t) if t.as_str().len() == 16 => Some(t),
        _ => {
            errors.add("tax_code", InputRule::PersonalTaxCode);
            None
        }
    }
}

pub(super) fn emergency_field(input: &str, errors: &mut FieldErrors) -> Option<EmergencyCode> {
    if input.trim().is_empty() {
        errors.add("emergency_code", InputRule::Required);
        return None;
    }
    let parsed = EmergencyCode::parse(input);
    if parsed.is_none() {
        errors.add("emergency_code", InputRule::EmergencyCodeFormat);
    }
    parsed
}

pub(super) fn code_field(input: &str, errors: &mut FieldErrors) {
    if input.trim().is_empty() {
        errors.add("code", InputRule::Required);
    }
}

/// The limits an emergency-code attempt counts against: the client address, and
/// the identifier *from that address*. Keyed by the identifier alone, anyone who
/// knows a tax code could use up its attempts and keep the holder from blocking
/// a stolen identity; the 80-bit code needs no global cap to resist guessing.
pub(super) fn emergency_keys(identifier: &str, client_ip: Option<&str>) -> [String; 2] {
    let address = address_key("emergency", client_ip);
    [address.clone(), format!("emergency:{identifier}:{address}")]
}

impl Service {
    pub(super) fn login_field(&self, input: &str, errors: &mut FieldErrors) -> Option<LoginId> {
        if input.trim().is_empty() {
            errors.add("login_id", InputRule::Required);
            return None;
        }
        let parsed = LoginId::parse(input, &self.config.login_domain).ok();
        if parsed.is_none() {
            errors.add("login_id", InputRule::Username);
        }
        parsed
    }

    pub(super) async fn take_emergency(&self, keys: &[String]) -> Result<(), EmergencyError> {
        let ok = take_all(
            self.store.as_ref(),
            keys,
            EMERGENCY_CODE_ATTEMPTS,
            self.clock.now(),
        )
        .await?;
        if ok {
            Ok(())
        } else {
            Err(EmergencyError::RateLimited)
        }
    }

    pub(super) async fn take_recovery_limit(&self, keys: &[String]) -> Result<(), EmergencyError> {
        let ok = take_all(self.store.as_ref(), keys, RECOVERY, self.clock.now()).await?;
        if ok {
            Ok(())
        } else {
            Err(EmergencyError::RateLimited)
        }
    }

    /// The live identity of the person with this tax code, if any.
    pub(super) async fn identity_by_tax_code(
        &self,
        tax: &TaxCode,
    ) -> Result<Option<DigitalIdentity>, EmergencyError> {
        let mut tx = self.store.begin_read().await?;
        for holder in tx.holders_by_fiscal_code(tax.as_str(), false).await? {
            if let Some(i) = live_identity(tx.as_mut(), holder.id()).await? {
                return Ok(Some(i));
            }
        }
        Ok(None)
    }

    /// The live identity whose username is `login`, if any.
    pub(super) async fn identity_by_username(
        &self,
        login: &LoginId,
    ) -> Result<Option<DigitalIdentity>, EmergencyError> {
        let mut tx = self.store.begin_read().await?;
        let holder = match tx.login(login.number()).await {
            Ok(l) => l.holder_id(),
            Err(crate::ports::StoreError::NotFound) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        Ok(live_identity(tx.as_mut(), holder)
            .await?
            .filter(|i| i.username() == login.number()))
    }

    /// Emergency block with the tax code and the emergency code: the identity is
    /// suspended at once, every selfcare session ends, and the holder is told.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn emergency_block_with_code(
        &self,
        tax_code: &str,
        emergency_code: &str,
        client_ip: Option<&str>,
    ) -> Result<DigitalIdentity, EmergencyError> {
        let mut errors = FieldErrors::new();
        let tax = tax_code_field(tax_code, &mut errors);
        let code = emergency_field(emergency_code, &mut errors);
        let (Some(tax), Some(code)) = (tax, code) else {
            return Err(EmergencyError::Invalid(errors));
        };
        self.take_emergency(&emergency_keys(&format!("tax:{}", tax.as_str()), client_ip))
            .await?;
        let identity = self
            .identity_by_tax_code(&tax)
            .await?
            .ok_or(EmergencyError::InvalidCredentials)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        // The identity's row first, then its credentials: the order every use
        // case takes, so two of them never wait on each other.
        tx.identity_for_update(identity.id()).await?;
        let mut creds = tx.credentials_for_update(identity.id()).await?;
        if !emergency_matches(&creds, &code) {
            return Err(EmergencyError::InvalidCredentials);
        }
        let blocked = self
            .block_in_emergency(tx.as_mut(), &identity, "emergency_code")
            .await?;
        // An emergency code works once: a new one arrives in two halves.
        let actor = format!("holder:{}", identity.holder_id());
        issue_emergency_code(
            tx.as_mut(),
            self.random.as_ref(),
            &blocked,
            &mut creds,
            &actor,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(blocked)
    }

    /// Suspends the identity for an emergency block inside `tx`, with its audit.
    async fn block_in_emergency(
        &self,
        tx: &mut dyn crate::ports::StoreTx,
        identity: &DigitalIdentity,
        proof: &str,
    ) -> Result<DigitalIdentity, EmergencyError> {
        let now = self.clock.now();
        let actor = Actor::Holder(identity.holder_id());
        let who = actor.clone();
        let blocked = self
            .transition_in(tx, identity.id(), &who, move |i| {
                i.suspend(SuspensionReason::EmergencyBlock, actor, now)
                    .map(|(i, e)| (i, vec![e]))
            })
            .await
            .map_err(|e| match e {
                crate::usecases::identity::IdentityError::Transition(t) => {
                    EmergencyError::Transition(t)
                }
                crate::usecases::identity::IdentityError::Infra(infra) => {
                    EmergencyError::Infra(infra)
                }
                other => {
                    tracing::error!(error = %other, "emergency block refused unexpectedly");
                    EmergencyError::NotActive
                }
            })?;
        audit(
            tx,
            now,
            &format!("holder:{}", identity.holder_id()),
            "identity.emergency_block",
            Some(identity.holder_id()),
            json!({ "identity_id": identity.id(), "proof": proof }),
        )
        .await?;
        Ok(blocked)
    }

    /// Sends a code to the reference email of the live identity of `tax_code`, to
    /// block it in an emergency. Answers `Ok` whether or not anything matched.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn send_emergency_block_code(
        &self,
        tax_code: &str,
        client_ip: Option<&str>,
    ) -> Result<(), EmergencyError> {
        let mut errors = FieldErrors::new();
        let Some(tax) = tax_code_field(tax_code, &mut errors) else {
            return Err(EmergencyError::Invalid(errors));
        };
        self.take_recovery_limit(&[
            address_key("emergency-mail", client_ip),
            format!("emergency-mail:tax:{}", tax.as_str()),
        ])
        .await?;
        let Some(identity) = self.identity_by_tax_code(&tax).await? else {
            return Ok(());
        };
        if !identity.state().is_active() {
            return Ok(());
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let holder = tx.holder(identity.holder_id()).await?;
        send_security_code(
            tx.as_mut(),
            self.random.as_ref(),
            &holder,
            CodePurpose::EmergencyBlock,
            Some(identity.username()),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Emergency block with the tax code and the code sent by email.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn emergency_block_with_email_code(
        &self,
        tax_code: &str,
        code: &str,
        client_ip: Option<&str>,
    ) -> Result<DigitalIdentity, EmergencyError> {
        let mut errors = FieldErrors::new();
        let tax = tax_code_field(tax_code, &mut errors);
        code_field(code, &mut errors);
        let Some(tax) = tax.filter(|_| errors.is_empty()) else {
            return Err(EmergencyError::Invalid(errors));
        };
        self.take_emergency(&emergency_keys(&format!("tax:{}", tax.as_str()), client_ip))
            .await?;
        let identity = self
            .identity_by_tax_code(&tax)
            .await?
            .ok_or(EmergencyError::InvalidCredentials)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let ok = redeem_code(tx.as_mut(), CodePurpose::EmergencyBlock, code, now)
            .await?
            .is_some_and(|c| c.holder_id == identity.holder_id());
        if !ok {
            return Err(EmergencyError::InvalidCredentials);
        }
        // The code is spent only if the block happens, and together with it.
        let blocked = self
            .block_in_emergency(tx.as_mut(), &identity, "email_code")
            .await?;
        tx.commit().await?;
        Ok(blocked)
    }
}
