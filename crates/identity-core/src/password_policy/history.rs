//! Password reuse: not one of the last N passwords, nor any password in use
//! during the last M months.

use chrono::{DateTime, Months, Utc};
use serde::{Deserialize, Serialize};

use super::{PasswordPolicy, PasswordViolation};

/// A password a login has had: the current one (`retired_at` is `None`) or a
/// previous one. Only the hash is kept, never the password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordHistoryEntry {
    /// The stored hash (e.g. an argon2id PHC string), opaque to this crate.
    pub hash: String,
    /// When this password was set.
    pub set_at: DateTime<Utc>,
    /// When it stopped being the login's password; `None` for the current one.
    pub retired_at: Option<DateTime<Utc>>,
}

impl PasswordHistoryEntry {
    /// Whether this password was in use at some instant at or after `since`
    /// (the current password always is).
    #[must_use]
    pub fn in_use_since(&self, since: DateTime<Utc>) -> bool {
        self.retired_at.is_none_or(|retired| retired >= since)
    }
}

impl PasswordPolicy {
    /// The instant from which any password in use is refused for reuse:
    /// `history_months` calendar months before `now`.
    #[must_use]
    pub fn history_window_start(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now.checked_sub_months(Months::new(self.settings.history_months))
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    /// The entries of `history` a new password must not match: the
    /// `history_count` most recently set ones, plus every one in use at some point
    /// in the last `history_months` months (the current password always). Newest
    /// first, without duplicates; `history` may be in any order.
    #[must_use]
    pub fn entries_to_compare<'h>(
        &self,
        history: &'h [PasswordHistoryEntry],
        now: DateTime<Utc>,
    ) -> Vec<&'h PasswordHistoryEntry> {
        let since = self.history_window_start(now);
        let mut by_recency: Vec<&PasswordHistoryEntry> = history.iter().collect();
        // Newest first; a current password (not retired) sorts before retired ones set at the same instant.
        by_recency.sort_by(|a, b| {
            b.set_at
                .cmp(&a.set_at)
                .then_with(|| a.retired_at.is_some().cmp(&b.retired_at.is_some()))
        });
        by_recency
            .into_iter()
            .enumerate()
            .filter(|(rank, entry)| {
                *rank < self.settings.history_count || entry.in_use_since(since)
            })
            .map(|(_, entry)| entry)
            .collect()
    }

    /// Refuses `candidate` when it matches a password of `history` that the
    /// policy forbids reusing (see [`PasswordPolicy::entries_to_compare`]).
    ///
    /// `verify(candidate, hash)` says whether `candidate` matches a stored hash. It
    /// is called only for the entries inside the window, newest first, at most once
    /// each, and not at all after the first match (verifiers are slow by design).
    ///
    /// # Errors
    ///
    /// [`PasswordViolation::RecentlyUsed`] when a forbidden entry matches.
    pub fn check_history(
        &self,
        candidate: &str,
        history: &[PasswordHistoryEntry],
        now: DateTime<Utc>,
        mut verify: impl FnMut(&str, &str) -> bool,
    ) -> Result<(), PasswordViolation> {
        let mut seen: Vec<&str> = Vec::new();
        for entry in self.entries_to_compare(history, now) {
            if seen.contains(&entry.hash.as_str()) {
                continue;
            }
            seen.push(entry.hash.as_str());
            if verify(candidate, &entry.hash) {
                return Err(PasswordViolation::RecentlyUsed {
                    last: self.settings.history_count,
                    months: self.settings.history_months,
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone};

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0)
            .single()
            .expect("valid")
    }

    /// A chain of passwords p0..pn, each set 30 days after the previous one; the
    /// last is current. The "hash" is the password itself.
    fn chain(n: usize, first: DateTime<Utc>) -> Vec<PasswordHistoryEntry> {
        (0..n)
            .map(|i| {
                let set_at = first + TimeDelta::days(30 * i as i64);
                let retired_at = (i + 1 < n).then(|| set_at + TimeDelta::days(30));
                PasswordHistoryEntry {
                    hash: format!("p{i}"),
                    set_at,
                    retired_at,
                }
            })
            .collect()
    }

    #[test]
    fn current_and_recent_passwords_are_refused() {
        let policy = PasswordPolicy::default();
        let history = chain(3, at(2025, 1, 1));
        let now = at(2025, 3, 15);
        for p in ["p0", "p1", "p2"] {
            assert!(
                policy
                    .check_history(p, &history, now, |c, h| c == h)
                    .is_err()
            );
        }
        assert_eq!(
            policy.check_history("new", &history, now, |c, h| c == h),
            Ok(())
        );
    }

    #[test]
    fn old_passwords_beyond_both_rules_are_allowed_again() {
        let policy = PasswordPolicy::default();
        // 30 passwords changed every 30 days: p0 retired ~29 months before the last change.
        let history = chain(30, at(2020, 1, 1));
        let current_set = history.last().expect("non-empty").set_at;
        let now = current_set + TimeDelta::days(1);
        let since = policy.history_window_start(now);
        for e in &history {
            let refused = policy
                .check_history(&e.hash, &history, now, |c, h| c == h)
                .is_err();
            assert_eq!(refused, e.in_use_since(since), "{}", e.hash);
        }
        assert!(
            policy
                .check_history("p0", &history, now, |c, h| c == h)
                .is_ok()
        );
    }

    #[test]
    fn last_five_are_refused_even_when_older_than_the_window() {
        let policy = PasswordPolicy::default();
        // Five passwords, each kept a year: p0 retired four years ago.
        let history: Vec<_> = (0..5)
            .map(|i| PasswordHistoryEntry {
                hash: format!("p{i}"),
                set_at: at(2015 + i, 1, 1),
                retired_at: (i < 4).then(|| at(2016 + i, 1, 1)),
            })
            .collect();
        let now = at(2024, 6, 1);
        assert!(
            policy
                .check_history("p0", &history, now, |c, h| c == h)
                .is_err()
        );
    }

    #[test]
    fn verify_is_called_only_for_entries_in_the_window_and_stops_at_a_match() {
        let policy = PasswordPolicy::default();
        let history = chain(30, at(2020, 1, 1));
        let now = history.last().expect("non-empty").set_at;
        let mut calls = 0;
        assert!(
            policy
                .check_history("nothing", &history, now, |_, _| {
                    calls += 1;
                    false
                })
                .is_ok()
        );
        let expected = policy.entries_to_compare(&history, now).len();
        assert_eq!(calls, expected);
        assert!(expected < history.len());
        // 15 months of 30-day periods: 16 or 17 entries were in use.
        assert!((15..=18).contains(&expected), "{expected}");

        let mut calls = 0;
        let newest = history.last().expect("non-empty").hash.clone();
        assert!(
            policy
                .check_history(&newest, &history, now, |c, h| {
                    calls += 1;
                    c == h
                })
                .is_err()
        );
        assert_eq!(calls, 1, "the current password is compared first");
    }

    #[test]
    fn order_of_history_does_not_matter() {
        let policy = PasswordPolicy::default();
        let mut history = chain(30, at(2020, 1, 1));
        let now = history.last().expect("non-empty").set_at;
        let sorted: Vec<String> = policy
            .entries_to_compare(&history, now)
            .iter()
            .map(|e| e.hash.clone())
            .collect();
        history.reverse();
        let reversed: Vec<String> = policy
            .entries_to_compare(&history, now)
            .iter()
            .map(|e| e.hash.clone())
            .collect();
        assert_eq!(sorted, reversed);
    }

    #[test]
    fn empty_history_accepts_anything() {
        let policy = PasswordPolicy::default();
        assert_eq!(
            policy.check_history("x", &[], at(2025, 1, 1), |_, _| true),
            Ok(())
        );
    }
}
