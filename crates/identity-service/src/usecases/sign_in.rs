//! Sign-in with login id and password (credential level 1), with an increasing
//! delay per login after repeated failures. Every failure looks the same to the
//! caller: unknown login, disabled login, throttled login and wrong password all
//! return [`SignInError::InvalidCredentials`] after one password verification's
//! worth of time.

use chrono::{DateTime, Duration, Utc};
use identity_core::password_policy::PasswordAge;
use identity_core::{HolderId, Login, LoginId};
use serde_json::json;

use crate::error::{InfraError, infra_error};
use crate::passwords::HashError;
use crate::ports::StoreError;
use crate::pressure::Refusal;
use crate::service::{Service, audit};
use crate::usecases::limits::{SIGN_IN_FAILURES, address_key, exhausted};

/// Failures allowed before delays start.
pub const FREE_FAILURES: u32 = 3;
/// The longest delay between attempts on one login (never a permanent lock, so
/// nobody can lock other people out).
pub const MAX_DELAY: Duration = Duration::minutes(15);

/// How long a login must wait after `failures` consecutive failures: nothing for
/// the first three, then 2, 4, 8 ... seconds, capped at 15 minutes.
#[must_use]
pub fn throttle_delay(failures: u32) -> Duration {
    if failures < FREE_FAILURES {
        return Duration::zero();
    }
    let exponent = (failures - FREE_FAILURES + 1).min(20);
    Duration::seconds(1i64 << exponent).min(MAX_DELAY)
}

/// A successful sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    /// The holder.
    pub holder_id: HolderId,
    /// The login used.
    pub login: Login,
    /// Whether the password expired and must be changed before anything else.
    pub password_expired: bool,
    /// Days until the password expires, when a warning is due.
    pub password_expires_in_days: Option<i64>,
}

/// Why a sign-in failed.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Wrong login id or password (or the login is throttled or disabled: the
    /// caller cannot tell, by design).
    #[error("invalid login id or password")]
    InvalidCredentials,
    /// The machinery failed (storage, hashing, sealing): nothing the user can fix.
    #[error(transparent)]
    Infra(#[from] InfraError),
}

infra_error!(SignInError);

fn is_throttled(failures: u32, last_failure: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    last_failure.is_some_and(|last| now < last + throttle_delay(failures))
}

/// The throttle key of a submitted login number (whether or not it exists).
#[must_use]
pub fn login_throttle_key(number: identity_core::LoginNumber) -> String {
    format!("login:{number}")
}

impl Service {
    /// Signs in with login id and password. `client_ip` is recorded in the audit log.
    ///
    /// The attempt is counted as a failure *before* the password is checked, in a
    /// transaction that locks the submitted id's counter, and the count is reset only
    /// after a success: a parallel burst of guesses cannot get more attempts checked
    /// than the throttle allows. Known and unknown ids do the same database work. The
    /// check and its audit record run in a task of their own, so a client that hangs
    /// up mid-way cannot leave a counted attempt unaudited.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), login = %login_id.number()))]
    pub async fn sign_in_password(
        &self,
        login_id: &LoginId,
        password: &str,
        client_ip: Option<&str>,
    ) -> Result<SignedIn, SignInError> {
        let now = self.clock.now();
        let number = login_id.number();
        let key = login_throttle_key(number);
        let ip_key = address_key("sign-in", client_ip);
        let pressure_keys = vec![
            key.clone(),
            format!("address:{}", client_ip.unwrap_or("unknown")),
        ];
        // A hashing worker first: an attempt shed because the line is full must
        // leave the counters alone, or a flood would throttle every login it
        // touches without one password checked.
        let slot = match self.hasher.slot() {
            Ok(slot) => slot,
            Err(e @ HashError::Busy) => {
                self.refused(Refusal::Shed, &pressure_keys);
                return Err(e.into());
            }
            Err(e) => return Err(e.into()),
        };
        let mut tx = self.store.begin().await?;
        // Always the login's counter first, then the address's: one lock order.
        let (failures, last_failure) = tx.throttle_lock(&key).await?;
        let address_blocked = exhausted(tx.as_mut(), &ip_key, SIGN_IN_FAILURES, now).await?;
        let throttled = is_throttled(failures, last_failure, now) || address_blocked;
        let login = match tx.login(number).await {
            Ok(l) if l.is_active() => Some(l),
            Ok(_) | Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        };
        let current = tx
            .password_history(number)
            .await?
            .into_iter()
            .find(|h| h.retired_at.is_none());
        if !throttled {
            tx.throttle_record_failure(&key, now).await?;
            tx.throttle_record_failure(&ip_key, now).await?;
        }
        tx.commit().await?;

        let service = self.clone();
        let password = password.to_owned();
        let details = json!({ "login": login_id.to_string(), "client_ip": client_ip });
        let outcome = tokio::spawn(async move {
            // Failures on a real login are filed under its holder, for the holder's history.
            let holder_id = login.as_ref().map(Login::holder_id);
            let attempt = match (login, current) {
                (Some(login), Some(current)) if !throttled => Some((login, current)),
                _ => None,
            };
            let checked = match &attempt {
                Some((_, current)) => slot.verify(password, current.hash.clone()).await,
                None => slot.verify_dummy(password).await,
            };
            let ok = checked?;
            if throttled {
                // Reported per login and address once a period, not one record each.
                service.refused(Refusal::Throttled, &pressure_keys);
            }
            let mut tx = service.store.begin().await?;
            let result = match attempt.filter(|_| ok) {
                Some((login, current)) => {
                    tx.throttle_reset(&key).await?;
                    // The attempt was counted against the address before the check.
                    tx.throttle_forgive(&ip_key).await?;
                    let actor = format!("holder:{}", login.holder_id());
                    audit(
                        tx.as_mut(),
                        now,
                        &actor,
                        "sign_in.ok",
                        Some(login.holder_id()),
                        details,
                    )
                    .await?;
                    Ok((login, current))
                }
                // A throttled attempt is in the period's pressure report instead.
                None if throttled => Err(SignInError::InvalidCredentials),
                None => {
                    let event = "sign_in.failed";
                    audit(tx.as_mut(), now, "anonymous", event, holder_id, details).await?;
                    Err(SignInError::InvalidCredentials)
                }
            };
            tx.commit().await?;
            // Throttled attempts were counted above, with the pressure report.
            if !throttled {
                let outcome = if result.is_ok() { "ok" } else { "failed" };
                service
                    .metrics
                    .count("identity_password_sign_ins_total", &[("outcome", outcome)]);
            }
            result
        })
        .await
        .map_err(InfraError::from)?;
        let (login, current) = outcome?;

        let age = self.config.password_policy.status(current.set_at, now);
        Ok(SignedIn {
            holder_id: login.holder_id(),
            password_expired: matches!(age, PasswordAge::Expired),
            password_expires_in_days: match age {
                PasswordAge::ExpiresSoon { days_left } => Some(i64::from(days_left)),
                _ => None,
            },
            login,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_are_capped() {
        assert_eq!(throttle_delay(0), Duration::zero());
        assert_eq!(throttle_delay(2), Duration::zero());
        assert_eq!(throttle_delay(3), Duration::seconds(2));
        assert_eq!(throttle_delay(4), Duration::seconds(4));
        assert_eq!(throttle_delay(12), MAX_DELAY);
        assert_eq!(throttle_delay(u32::MAX), MAX_DELAY);
    }
}
