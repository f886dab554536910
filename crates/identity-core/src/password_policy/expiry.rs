//! Password expiry: a password lasts `max_age_days` Rome calendar days, with
//! warnings a few days before.

use chrono::{DateTime, Days, Utc};
use serde::{Deserialize, Serialize};

use super::PasswordPolicy;
use crate::calendar::{end_of_rome_day_after, rome_date, rome_days_between, start_of_rome_day};

/// How close a password is to its expiry at a given instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PasswordAge {
    /// Not yet within the longest warning period.
    Fresh,
    /// Within the warning period: it must be changed soon.
    ExpiresSoon {
        /// Rome calendar days from today to the expiry day: 0 on the last valid day.
        days_left: u32,
    },
    /// Past its expiry: the holder must change it before doing anything else.
    Expired,
}

impl PasswordPolicy {
    /// The last instant a password set at `set_at` is valid: the end of the Rome
    /// calendar day `max_age_days` (default 180) after the Rome date of `set_at`.
    /// It has expired once `now > expires_at(set_at)`.
    #[must_use]
    pub fn expires_at(&self, set_at: DateTime<Utc>) -> DateTime<Utc> {
        end_of_rome_day_after(set_at, self.settings.max_age_days)
    }

    /// When each expiry warning becomes due, earliest first: the start of the
    /// Rome day that is `w` days before the expiry day, for each configured warning
    /// `w` (default 7 and 2). A warning never falls before `set_at`'s day.
    #[must_use]
    pub fn warning_dates(&self, set_at: DateTime<Utc>) -> Vec<DateTime<Utc>> {
        let expiry_day = rome_date(self.expires_at(set_at));
        let mut warnings: Vec<u32> = self.settings.warning_days.clone();
        warnings.sort_unstable_by(|a, b| b.cmp(a));
        warnings.dedup();
        warnings
            .into_iter()
            .filter_map(|w| expiry_day.checked_sub_days(Days::new(u64::from(w))))
            .map(start_of_rome_day)
            .map(|at| at.max(set_at))
            .collect()
    }

    /// The state of a password set at `set_at`, seen at `now`.
    #[must_use]
    pub fn status(&self, set_at: DateTime<Utc>, now: DateTime<Utc>) -> PasswordAge {
        let expires = self.expires_at(set_at);
        if now > expires {
            return PasswordAge::Expired;
        }
        let days_left = u32::try_from(rome_days_between(now, expires).max(0)).unwrap_or(u32::MAX);
        if self.settings.warning_days.iter().any(|&w| days_left <= w) {
            PasswordAge::ExpiresSoon { days_left }
        } else {
            PasswordAge::Fresh
        }
    }

    /// The warning that is due at `now`, as its number of days (e.g. `Some(7)`, then
    /// `Some(2)` closer to expiry): the smallest configured warning whose date has
    /// been reached. `None` when fresh or already expired. A mail job sends the
    /// warning when this differs from the last one it sent for the same `set_at`.
    #[must_use]
    pub fn due_warning(&self, set_at: DateTime<Utc>, now: DateTime<Utc>) -> Option<u32> {
        match self.status(set_at, now) {
            PasswordAge::ExpiresSoon { days_left } => self
                .settings
                .warning_days
                .iter()
                .copied()
                .filter(|&w| days_left <= w)
                .min(),
            PasswordAge::Fresh | PasswordAge::Expired => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone};

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .expect("valid")
    }

    #[test]
    fn expires_at_end_of_rome_day_180_days_later() {
        let policy = PasswordPolicy::default();
        // 10 Jan 2025 10:00 UTC (11:00 CET); +180 days = 9 July 2025 (CEST).
        let set = utc(2025, 1, 10, 10, 0);
        let exp = policy.expires_at(set);
        assert_eq!(exp + TimeDelta::milliseconds(1), utc(2025, 7, 9, 22, 0));
        assert_eq!(
            policy.status(set, exp),
            PasswordAge::ExpiresSoon { days_left: 0 }
        );
        assert_eq!(
            policy.status(set, exp + TimeDelta::milliseconds(1)),
            PasswordAge::Expired
        );
    }

    #[test]
    fn late_evening_utc_counts_as_next_rome_day() {
        let policy = PasswordPolicy::default();
        // 31 Dec 2024 23:30 UTC is 1 Jan 2025 in Rome.
        let exp = policy.expires_at(utc(2024, 12, 31, 23, 30));
        assert_eq!(
            rome_date(exp),
            chrono::NaiveDate::from_ymd_opt(2025, 6, 30).expect("date")
        );
    }

    #[test]
    fn warnings_at_7_and_2_days() {
        let policy = PasswordPolicy::default();
        let set = utc(2025, 1, 10, 10, 0);
        let dates = policy.warning_dates(set);
        // Expiry day 9 July: warnings from the start of 2 July and 7 July (Rome).
        assert_eq!(dates, vec![utc(2025, 7, 1, 22, 0), utc(2025, 7, 6, 22, 0)]);

        assert_eq!(
            policy.status(set, dates[0] - TimeDelta::seconds(1)),
            PasswordAge::Fresh
        );
        assert_eq!(
            policy.due_warning(set, dates[0] - TimeDelta::seconds(1)),
            None
        );
        assert_eq!(
            policy.status(set, dates[0]),
            PasswordAge::ExpiresSoon { days_left: 7 }
        );
        assert_eq!(policy.due_warning(set, dates[0]), Some(7));
        assert_eq!(
            policy.status(set, dates[1] - TimeDelta::seconds(1)),
            PasswordAge::ExpiresSoon { days_left: 3 }
        );
        assert_eq!(
            policy.due_warning(set, dates[1] - TimeDelta::seconds(1)),
            Some(7)
        );
        assert_eq!(policy.due_warning(set, dates[1]), Some(2));
        assert_eq!(
            policy.due_warning(set, policy.expires_at(set) + TimeDelta::seconds(1)),
            None
        );
    }

    #[test]
    fn fresh_right_after_setting() {
        let policy = PasswordPolicy::default();
        let set = utc(2025, 3, 30, 1, 30); // the night of the spring-forward change
        assert_eq!(policy.status(set, set), PasswordAge::Fresh);
    }
}
