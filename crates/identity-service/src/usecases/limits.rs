//! Rate limits per client address, kept in the database (the same table as the
//! sign-in throttle), so they hold across app nodes and a parallel burst cannot
//! exceed them: the counter is locked while it is checked and counted.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};

use crate::ports::{Store, StoreError, StoreTx};

/// At most `max` attempts; the count starts again after `window` without attempts.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// Attempts allowed.
    pub max: u32,
    /// Quiet time after which the count restarts.
    pub window: Duration,
}

/// Registrations per client address.
pub const REGISTRATIONS: Limit = Limit {
    max: 10,
    window: Duration::hours(1),
};

/// Recovery requests (login ids reminder, password reset) per client address.
pub const RECOVERY: Limit = Limit {
    max: 10,
    window: Duration::hours(1),
};

/// Failed sign-ins per client address (whatever logins they try).
pub const SIGN_IN_FAILURES: Limit = Limit {
    max: 50,
    window: Duration::hours(1),
};

/// Wrong guesses of one holder's SMS code of one purpose.
pub const SMS_CODE_ATTEMPTS: Limit = Limit {
    max: 5,
    window: Duration::hours(1),
};

/// Emergency-code attempts per identity (and per client address): the code has 80
/// bits, but every wrong guess is also a signal worth stopping.
pub const EMERGENCY_CODE_ATTEMPTS: Limit = Limit {
    max: 5,
    window: Duration::hours(1),
};

/// Codes sent to one holder (by SMS or email) for the selfcare's operations:
/// enough for a person, too few to flood a mailbox or run up an SMS bill.
pub const CODE_SENDS: Limit = Limit {
    max: 10,
    window: Duration::hours(1),
};

/// The key of a client address: IPv4 as is, IPv6 by its /64 (one subscriber's
/// network), so rotating through one's own addresses gains nothing.
#[must_use]
pub fn address_key(scope: &str, ip: Option<&str>) -> String {
    let ip = ip.unwrap_or("unknown");
    let part = match ip.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(IpAddr::V6(v6)) => v6
            .to_ipv4_mapped()
            .map(|v4| v4.to_string())
            .unwrap_or_default(),
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Err(_) => ip.chars().take(64).collect(),
    };
    format!("{scope}:ip:{part}")
}

/// Whether the counter of `key` (locked until `tx` ends) is at the limit, after
/// restarting it if `window` passed since the last attempt.
pub(crate) async fn exhausted(
    tx: &mut dyn StoreTx,
    key: &str,
    limit: Limit,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let (count, last) = tx.throttle_lock(key).await?;
    if last.is_some_and(|l| now - l >= limit.window) {
        tx.throttle_reset(key).await?;
        return Ok(false);
    }
    Ok(count >= limit.max)
}

/// Takes one attempt from the limit of `key` inside `tx`: `false` (nothing
/// counted) when the limit is reached.
pub(crate) async fn take(
    tx: &mut dyn StoreTx,
    key: &str,
    limit: Limit,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    if exhausted(tx, key, limit, now).await? {
        return Ok(false);
    }
    tx.throttle_record_failure(key, now).await?;
    Ok(true)
}

/// Takes one attempt from the limit of every key of `keys`, in one transaction
/// and all or nothing: `false` (nothing counted) when any of them is reached.
pub(crate) async fn take_all(
    store: &dyn Store,
    keys: &[String],
    limit: Limit,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let mut tx = store.begin().await?;
    for key in keys {
        if exhausted(tx.as_mut(), key, limit, now).await? {
            tx.commit().await?;
            return Ok(false);
        }
    }
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    tx.throttle_record_failures(&keys, now).await?;
    tx.commit().await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_keyed_by_subscriber_network() {
        assert_eq!(address_key("r", Some("192.0.2.7")), "r:ip:192.0.2.7");
        assert_eq!(
            address_key("r", Some("2001:db8:1:2:3:4:5:6")),
            address_key("r", Some("2001:db8:1:2:ffff::1"))
        );
        assert_eq!(address_key("r", Some("::ffff:192.0.2.7")), "r:ip:192.0.2.7");
        assert_eq!(address_key("r", None), "r:ip:unknown");
    }
}
