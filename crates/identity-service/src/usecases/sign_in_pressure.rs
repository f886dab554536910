//! Sign-in pressure: the attempts answered without a password check (shed by the
//! full hashing queue, or throttled), counted at once, reported per login and per
//! address once a period, and read back by operators.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::error::InfraError;
use crate::model::AuditQuery;
use crate::pressure::{PressureEntry, Refusal, busiest_first};
use crate::service::{Service, audit};

/// The audit event of one key's report for one period.
pub const PRESSURE_EVENT: &str = "security.sign_in_pressure";

impl Service {
    /// Counts one attempt answered unchecked, in the metrics now and in the
    /// period's report under each of `keys`.
    pub(crate) fn refused(&self, reason: Refusal, keys: &[String]) {
        self.metrics.count(
            "identity_password_sign_ins_total",
            &[("outcome", reason.code())],
        );
        self.pressure.note(reason, keys);
    }

    /// Reports what was refused since the last report: one warning log line and
    /// one audit record ([`PRESSURE_EVENT`], by `system`) per login or address,
    /// at most [`crate::pressure::MAX_KEYS_PER_PERIOD`] of them plus `others`.
    /// Returns how many keys were reported. The web app calls it every minute.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn report_sign_in_pressure(&self) -> Result<usize, InfraError> {
        let entries = self.pressure.take();
        if entries.is_empty() {
            return Ok(0);
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        for e in &entries {
            tracing::warn!(
                key = %e.key,
                shed = e.shed,
                throttled = e.throttled,
                "sign-in attempts answered unchecked"
            );
            audit(
                tx.as_mut(),
                now,
                "system",
                PRESSURE_EVENT,
                None,
                json!({ "key": e.key, "shed": e.shed, "throttled": e.throttled }),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(entries.len())
    }

    /// The sign-in pressure reported since `since`, by every node, added up per
    /// login and address, busiest first (the current period, at most a minute,
    /// is not in it yet).
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn sign_in_pressure(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Vec<PressureEntry>, InfraError> {
        let mut tx = self.store.begin_read().await?;
        let records = tx
            .audit(&AuditQuery {
                event: Some(PRESSURE_EVENT.into()),
                from: Some(since),
                ..AuditQuery::default()
            })
            .await?;
        let mut by_key: std::collections::BTreeMap<String, PressureEntry> = Default::default();
        for r in records {
            let Some(key) = r.details["key"].as_str() else {
                continue;
            };
            let entry = by_key
                .entry(key.to_owned())
                .or_insert_with(|| PressureEntry {
                    key: key.to_owned(),
                    ..PressureEntry::default()
                });
            entry.shed += r.details["shed"].as_u64().unwrap_or(0);
            entry.throttled += r.details["throttled"].as_u64().unwrap_or(0);
        }
        let mut entries: Vec<PressureEntry> = by_key.into_values().collect();
        busiest_first(&mut entries);
        Ok(entries)
    }
}
