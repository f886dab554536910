//! The jobs that warn before a deadline: inactivity (notices at 90, 30, 10 and 1
//! days, then revocation) and password expiry (warnings at 7 and 2 days).

use chrono::{DateTime, Days, Months, Utc};
use identity_core::LoginId;
use identity_core::calendar;
use identity_core::identity::{Actor, DigitalIdentity, INACTIVITY_MONTHS};
use identity_core::password_policy::PasswordAge;
use serde_json::json;

use super::{Tally, finish};
use crate::error::InfraError;
use crate::ports::{StoreError, StoreTx};
use crate::service::{Service, audit, mail_holder};

/// The notice among `notices` (days before, instant) to send at `now`: the most
/// urgent one whose Rome day has come. Earlier notices a run missed are not sent
/// late: a holder told "1 day left" needs no "90 days left" as well.
fn notice_due(notices: &[(u32, DateTime<Utc>)], now: DateTime<Utc>) -> Option<u32> {
    let today = calendar::rome_date(now);
    notices
        .iter()
        .filter(|(_, at)| calendar::rome_date(*at) <= today)
        .map(|(days, _)| *days)
        .min()
}

impl Service {
    /// Revokes identities unused for 24 months and sends the notices before.
    pub(super) async fn inactivity(
        &self,
        now: DateTime<Utc>,
        dry_run: bool,
        tally: &mut Tally,
    ) -> Result<(), InfraError> {
        // Candidates: last used more than 24 months minus the longest notice (and
        // a day's margin for the Rome calendar) ago; identity-core decides exactly.
        let cutoff = now
            .checked_sub_months(Months::new(INACTIVITY_MONTHS))
            .and_then(|t| t.checked_add_days(Days::new(92)))
            .unwrap_or(now);
        let candidates = {
            let mut tx = self.store.begin_read().await?;
            tx.identities_unused_since(cutoff).await?
        };
        let actor = Actor::System("inactivity".into());
        for id in candidates {
            let mut tx = self.store.begin().await?;
            let identity = match tx.identity_for_update(id).await {
                Ok(i) => i,
                Err(StoreError::NotFound) => continue,
                Err(e) => return Err(e.into()),
            };
            let Some(revoke_at) = identity.inactivity_revocation_at() else {
                continue;
            };
            if now >= revoke_at {
                drop(tx);
                self.apply_to_identity(id, &actor, dry_run, tally, |i| {
                    i.apply_inactivity(now).map(|(i, e)| (i, vec![e]))
                })
                .await?;
                continue;
            }
            let Some(days) = notice_due(&identity.inactivity_notice_dates(), now) else {
                continue;
            };
            if self
                .inactivity_notice(tx.as_mut(), &identity, days, revoke_at, now)
                .await?
            {
                finish(tx, dry_run).await?;
                tally.add("notices_sent", 1);
            }
        }
        Ok(())
    }

    /// Sends the `days`-before notice of `identity`'s revocation at `revoke_at`,
    /// unless it was sent already for that deadline; says whether it sent it.
    async fn inactivity_notice(
        &self,
        tx: &mut dyn StoreTx,
        identity: &DigitalIdentity,
        days: u32,
        revoke_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let notice = format!("inactivity_{days}");
        if !tx
            .record_notice(&identity.id().to_string(), &notice, revoke_at, now)
            .await?
        {
            return Ok(false);
        }
        let holder = tx.holder(identity.holder_id()).await?;
        let username = LoginId::new(identity.username(), &self.config.login_domain);
        audit(
            tx,
            now,
            "system:inactivity",
            "identity.inactivity_notice",
            Some(identity.holder_id()),
            json!({ "identity": identity.id().to_string(), "days": days, "revoke_at": revoke_at.to_rfc3339() }),
        )
        .await?;
        mail_holder(
            tx,
            &holder,
            now,
            "identity_inactivity_notice",
            json!({
                "login_id": username.to_string(),
                "days": days,
                "revoke_at": revoke_at.to_rfc3339(),
                "link": format!("{}/selfcare", self.config.public_url),
            }),
        )
        .await?;
        Ok(true)
    }

    /// Warns the holders of passwords about to expire (once per warning and
    /// password). An expired password needs no job: sign-in forces the change.
    pub(super) async fn password_expiry(
        &self,
        now: DateTime<Utc>,
        dry_run: bool,
        tally: &mut Tally,
    ) -> Result<(), InfraError> {
        let policy = &self.config.password_policy;
        let settings = policy.settings();
        let longest_warning = settings.warning_days.iter().copied().max().unwrap_or(0);
        let cutoff = now
            .checked_sub_days(Days::new(
                u64::from(settings.max_age_days.saturating_sub(longest_warning)) + 1,
            ))
            .and_then(|t| t.checked_add_days(Days::new(3)))
            .unwrap_or(now);
        // Passwords already expired need no warning (sign-in forces the change),
        // so only the days before expiry are read, not every old password on file
        // (most of a national provider's, from holders who rarely sign in).
        let expired_before = now
            .checked_sub_days(Days::new(u64::from(settings.max_age_days) + 1))
            .unwrap_or(now);
        let candidates = {
            let mut tx = self.store.begin_read().await?;
            tx.passwords_set_between(expired_before, cutoff).await?
        };
        for p in candidates {
            let PasswordAge::ExpiresSoon { days_left } = policy.status(p.set_at, now) else {
                continue;
            };
            let Some(warning) = settings
                .warning_days
                .iter()
                .copied()
                .filter(|&w| days_left <= w)
                .min()
            else {
                continue;
            };
            let expires_at = policy.expires_at(p.set_at);
            let mut tx = self.store.begin().await?;
            // The holder may have changed the password since the candidates
            // were read: warn only about the one still current.
            let current = tx
                .password_history(p.login)
                .await?
                .into_iter()
                .find(|e| e.retired_at.is_none())
                .map(|e| e.set_at);
            if current != Some(p.set_at) {
                continue;
            }
            if !tx
                .record_notice(
                    &format!("login:{}", p.login),
                    &format!("password_expiry_{warning}"),
                    expires_at,
                    now,
                )
                .await?
            {
                continue;
            }
            let holder = tx.holder(p.holder_id).await?;
            let login_id = LoginId::new(p.login, &self.config.login_domain).to_string();
            audit(
                tx.as_mut(),
                now,
                "system:password_expiry",
                "password.expiry_warning",
                Some(p.holder_id),
                json!({ "login": login_id, "days_left": days_left, "expires_at": expires_at.to_rfc3339() }),
            )
            .await?;
            mail_holder(
                tx.as_mut(),
                &holder,
                now,
                "password_expiry_warning",
                json!({
                    "login_id": login_id,
                    "days": days_left,
                    "expires_at": expires_at.to_rfc3339(),
                    "link": format!("{}/account", self.config.public_url),
                }),
            )
            .await?;
            finish(tx, dry_run).await?;
            tally.add("warnings_sent", 1);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn the_most_urgent_notice_whose_day_has_come_is_the_one_sent() {
        let at = |d: u32| Utc.with_ymd_and_hms(2027, 3, d, 12, 0, 0).unwrap();
        let notices = [(90, at(1)), (30, at(10)), (10, at(20)), (1, at(28))];
        let morning = |d: u32| Utc.with_ymd_and_hms(2027, 3, d, 7, 0, 0).unwrap();
        assert_eq!(
            notice_due(&notices, morning(1) - chrono::Duration::days(1)),
            None
        );
        assert_eq!(notice_due(&notices, morning(1)), Some(90));
        assert_eq!(notice_due(&notices, morning(9)), Some(90));
        assert_eq!(notice_due(&notices, morning(21)), Some(10));
        assert_eq!(notice_due(&notices, morning(28)), Some(1));
    }
}
