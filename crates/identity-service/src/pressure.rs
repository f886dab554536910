//! Sign-in attempts the service answered without checking the password: shed,
//! because the hashing queue was full, or throttled, because the login or the
//! address failed too often. Each is counted in the metrics at once; per login and
//! per address they are added up in memory and reported once a period (one log
//! line and one audit record per key), so an attack is visible to operators while
//! a flood cannot fill the audit log with one record per attempt.

use std::collections::HashMap;
use std::sync::Mutex;

/// Why a sign-in attempt was answered without checking its password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Refusal {
    /// Every hashing worker was busy and the queue full: answered 503 at once.
    Shed,
    /// Too many failures for the login or the address: the delay was enforced.
    Throttled,
}

impl Refusal {
    /// The metrics label and audit field of this reason.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Refusal::Shed => "shed",
            Refusal::Throttled => "throttled",
        }
    }
}

/// What was refused for one key (`login:<number>` or `address:<ip>`) in one period.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PressureEntry {
    /// `login:<number>`, `address:<ip>`, or `others` for what did not fit.
    pub key: String,
    /// Attempts shed by the full hashing queue.
    pub shed: u64,
    /// Attempts throttled.
    pub throttled: u64,
}

impl PressureEntry {
    fn add(&mut self, reason: Refusal, n: u64) {
        match reason {
            Refusal::Shed => self.shed += n,
            Refusal::Throttled => self.throttled += n,
        }
    }

    /// Every refused attempt of the entry.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.shed + self.throttled
    }
}

/// The most keys kept per period: a flood from many addresses adds up under
/// `others` beyond it, so memory and the period's report stay bounded.
pub const MAX_KEYS_PER_PERIOD: usize = 100;

/// The attempts refused since the last report, per key.
#[derive(Debug, Default)]
pub struct SignInPressure {
    period: Mutex<Period>,
}

#[derive(Debug, Default)]
struct Period {
    by_key: HashMap<String, PressureEntry>,
    others: PressureEntry,
}

impl SignInPressure {
    /// Notes one refused attempt under each of `keys` (its login and its address).
    pub fn note(&self, reason: Refusal, keys: &[String]) {
        let mut period = self
            .period
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for key in keys {
            if let Some(entry) = period.by_key.get_mut(key) {
                entry.add(reason, 1);
            } else if period.by_key.len() < MAX_KEYS_PER_PERIOD {
                let mut entry = PressureEntry {
                    key: key.clone(),
                    ..PressureEntry::default()
                };
                entry.add(reason, 1);
                period.by_key.insert(key.clone(), entry);
            } else {
                period.others.add(reason, 1);
            }
        }
    }

    /// Takes what was noted since the last call, the busiest keys first, with
    /// `others` last when anything overflowed; starts a new period.
    #[must_use]
    pub fn take(&self) -> Vec<PressureEntry> {
        let period = std::mem::take(
            &mut *self
                .period
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        let mut entries: Vec<PressureEntry> = period.by_key.into_values().collect();
        busiest_first(&mut entries);
        if period.others.total() > 0 {
            entries.push(PressureEntry {
                key: "others".into(),
                ..period.others
            });
        }
        entries
    }
}

/// Orders entries by attempts refused, most first, then by key.
pub fn busiest_first(entries: &mut [PressureEntry]) {
    entries.sort_by(|a, b| b.total().cmp(&a.total()).then(a.key.cmp(&b.key)));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(login: &str, ip: &str) -> Vec<String> {
        vec![format!("login:{login}"), format!("address:{ip}")]
    }

    #[test]
    fn attempts_add_up_per_key_and_a_report_starts_a_new_period() {
        let p = SignInPressure::default();
        for _ in 0..3 {
            p.note(Refusal::Throttled, &keys("1001", "192.0.2.1"));
        }
        p.note(Refusal::Shed, &keys("1001", "192.0.2.2"));
        let taken = p.take();
        assert_eq!(
            taken[0],
            PressureEntry {
                key: "login:1001".into(),
                shed: 1,
                throttled: 3
            }
        );
        assert_eq!(taken[1].key, "address:192.0.2.1");
        assert_eq!(taken[1].throttled, 3);
        assert_eq!(taken.len(), 3);
        assert!(p.take().is_empty());
    }

    #[test]
    fn keys_beyond_the_bound_count_under_others() {
        let p = SignInPressure::default();
        for i in 0..(MAX_KEYS_PER_PERIOD + 10) {
            p.note(Refusal::Shed, &[format!("address:10.0.0.{i}")]);
        }
        let taken = p.take();
        assert_eq!(taken.len(), MAX_KEYS_PER_PERIOD + 1);
        let others = taken.last().expect("others");
        assert_eq!((others.key.as_str(), others.shed), ("others", 10));
    }
}
