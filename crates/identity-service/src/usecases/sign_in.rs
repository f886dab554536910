//! Sign-in with login id and password (credential level 1), with an increasing
//! delay per login after repeated failures. Every failure looks the same to the
//! caller: unknown login, disabled login, throttled login and wrong password all
//! return [`SignInError::InvalidCredentials`] after one password verification's
//! worth of time.

use chrono::{DateTime, Duration, Utc};
use identity_core::password_policy::PasswordAge;
use identity_core::{CredentialLevel, HolderId, Login, LoginId, Session, SessionArea};
use serde_json::json;

use crate::error::{InfraError, infra_error};
use crate::passwords::HashError;
use crate::ports::StoreError;
use crate::pressure::Refusal;
use crate::service::{Service, audit};
use crate::usecases::limits::{SIGN_IN_FAILURES, address_key, exhausted};
use crate::usecases::sessions::{SessionToken, record_opened_session};

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

/// The session to open with a successful sign-in, in the transaction that
/// records the success (one fewer transaction per sign-in).
#[derive(Debug, Clone, Copy)]
pub struct SessionToOpen<'a> {
    /// The area the session is for.
    pub area: SessionArea,
    /// The level it is opened at.
    pub level: CredentialLevel,
    /// The client's `User-Agent`, shown in the holder's list of sessions.
    pub user_agent: Option<&'a str>,
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
    pub async fn sign_in_password(
        &self,
        login_id: &LoginId,
        password: &str,
        client_ip: Option<&str>,
    ) -> Result<SignedIn, SignInError> {
        let (signed_in, _) = self
            .sign_in_password_opening(login_id, password, client_ip, None)
            .await?;
        Ok(signed_in)
    }

    /// [`Service::sign_in_password`], then, on success, a session opened as
    /// `session` says (what [`Service::open_session`] would do, in the same
    /// transaction as the success's records). The caller sets the token in a cookie.
    pub async fn sign_in_password_and_open_session(
        &self,
        login_id: &LoginId,
        password: &str,
        client_ip: Option<&str>,
        session: SessionToOpen<'_>,
    ) -> Result<(SignedIn, SessionToken, Session), SignInError> {
        let (signed_in, opened) = self
            .sign_in_password_opening(login_id, password, client_ip, Some(session))
            .await?;
        let (token, session) = opened.ok_or_else(|| {
            InfraError::from(StoreError::Backend("a sign-in opened no session".into()))
        })?;
        Ok((signed_in, token, session))
    }

    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), login = %login_id.number()))]
    async fn sign_in_password_opening(
        &self,
        login_id: &LoginId,
        password: &str,
        client_ip: Option<&str>,
        open: Option<SessionToOpen<'_>>,
    ) -> Result<(SignedIn, Option<(SessionToken, Session)>), SignInError> {
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
        let (login, current) = match tx.login_with_password(number).await {
            Ok((l, current)) if l.is_active() => (Some(l), current),
            Ok((_, current)) => (None, current),
            Err(StoreError::NotFound) => (None, None),
            Err(e) => return Err(e.into()),
        };
        if !throttled {
            tx.throttle_record_failures(&[&key, &ip_key], now).await?;
        }
        tx.commit().await?;

        let service = self.clone();
        let password = password.to_owned();
        let client_ip_owned = client_ip.map(str::to_owned);
        let open = open.map(|o| (o.area, o.level, o.user_agent.map(str::to_owned)));
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
                    // The attempt was counted against the address before the check.
                    tx.throttle_settle_success(&key, &ip_key).await?;
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
                    let opened = match open {
                        Some((area, level, agent)) => {
                            let (token, session) = service.session_to_open(
                                login.holder_id(),
                                login.number(),
                                area,
                                level,
                                client_ip_owned.as_deref(),
                                agent.as_deref(),
                            );
                            record_opened_session(tx.as_mut(), &token, &session).await?;
                            Some((token, session))
                        }
                        None => None,
                    };
                    Ok((login, current, opened))
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
        let (login, current, opened) = outcome?;

        let age = self.config.password_policy.status(current.set_at, now);
        let signed_in = SignedIn {
            holder_id: login.holder_id(),
            password_expired: matches!(age, PasswordAge::Expired),
            password_expires_in_days: match age {
                PasswordAge::ExpiresSoon { days_left } => Some(i64::from(days_left)),
                _ => None,
            },
            login,
        };
        Ok((signed_in, opened))
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
