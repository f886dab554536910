//! The holder's access history ("ultimi accessi") and the access notifications:
//! every sign-in with a digital identity is recorded (date, service, level,
//! credential, outcome, client address), kept 24 months, and, when the holder
//! switched it on for that level, a successful one is notified by email.

use chrono::{DateTime, Utc};
use identity_core::credentials::CredentialLevel;
use identity_core::{AccessOutcome, AccessRecord};
use identity_core::{HolderId, Session};
use serde_json::json;

use super::authenticator::CredentialError;
use crate::ports::{AccessQuery, IdentityCredentials, StoreError, StoreTx};
use crate::service::{Service, audit, mail_holder};

/// Months an access record is kept.
pub const ACCESS_RETENTION_MONTHS: u32 = 24;

/// The service name of the selfcare panel in access records.
pub const SELFCARE_SERVICE: &str = "selfcare";

/// The most lines of one CSV download.
pub const CSV_MAX_RECORDS: u32 = 100_000;
/// Records read per page of a CSV download.
const CSV_PAGE: u32 = 1_000;

/// A CSV download of the access history being read: [`Service::accesses_csv`].
#[derive(Clone)]
pub struct AccessCsv {
    service: Service,
    holder: HolderId,
    from: Option<DateTime<Utc>>,
    /// The next page's records are before this instant (newest first)...
    until: Option<DateTime<Utc>>,
    /// ...after skipping this many at its last microsecond, already written.
    ties: u32,
    left: u32,
    started: bool,
    done: bool,
}

impl std::fmt::Debug for AccessCsv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessCsv")
            .field("holder", &self.holder)
            .field("left", &self.left)
            .finish_non_exhaustive()
    }
}

impl AccessCsv {
    /// The next part of the file (the header line first), or `None` at its end.
    /// Each page is read in a transaction of its own; it continues below the last
    /// record written (by its time, skipping the ones of that same microsecond
    /// already written), so a page never repeats or skips a record.
    pub async fn next_chunk(&mut self) -> Result<Option<String>, StoreError> {
        if !self.started {
            self.started = true;
            return Ok(Some(
                "at,service,level,credential,outcome,client_ip\r\n".to_owned(),
            ));
        }
        if self.done || self.left == 0 {
            return Ok(None);
        }
        let limit = CSV_PAGE.min(self.left);
        let records = {
            let mut tx = self.service.store.begin_read().await?;
            tx.accesses(&AccessQuery {
                holder_id: self.holder,
                from: self.from,
                until: self.until,
                offset: self.ties,
                limit,
            })
            .await?
        };
        let Some(last) = records.last() else {
            self.done = true;
            return Ok(None);
        };
        let last_at = last.at;
        // The next page: up to and including the last record's microsecond,
        // less the records of that microsecond written so far.
        let same =
            u32::try_from(records.iter().filter(|r| r.at == last_at).count()).unwrap_or(u32::MAX);
        self.ties = if self.until == Some(last_at + chrono::Duration::microseconds(1)) {
            self.ties + same
        } else {
            same
        };
        self.until = Some(last_at + chrono::Duration::microseconds(1));
        self.left -= u32::try_from(records.len()).unwrap_or(limit).min(self.left);
        if (records.len() as u64) < u64::from(limit) {
            self.done = true;
        }
        let mut out = String::with_capacity(records.len() * 80);
        for r in records {
            let line = [
                r.at.to_rfc3339(),
                r.service,
                r.level.as_u8().to_string(),
                r.credential,
                r.outcome.code().to_owned(),
                r.client_ip.unwrap_or_default(),
            ]
            .iter()
            .map(|f| csv_field(f))
            .collect::<Vec<_>>()
            .join(",");
            out.push_str(&line);
            out.push_str("\r\n");
        }
        Ok(Some(out))
    }

    /// The whole file in one string (tests, small exports).
    pub async fn into_string(mut self) -> Result<String, StoreError> {
        let mut all = String::new();
        while let Some(chunk) = self.next_chunk().await? {
            all.push_str(&chunk);
        }
        Ok(all)
    }
}

/// One page of the access history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessPage {
    /// The records, newest first.
    pub records: Vec<AccessRecord>,
    /// Whether older records follow.
    pub has_more: bool,
}

/// Records one sign-in attempt inside `tx` and, for a success at a level whose
/// notification is on, queues the email.
pub(crate) async fn record_access(
    tx: &mut dyn StoreTx,
    metrics: &crate::metrics::Metrics,
    record: &AccessRecord,
    creds: Option<&IdentityCredentials>,
) -> Result<(), StoreError> {
    tx.insert_access(record).await?;
    let level = record.level.as_u8().to_string();
    metrics.count(
        "identity_sign_ins_total",
        &[
            ("service", record.service.as_str()),
            ("level", level.as_str()),
            ("outcome", record.outcome.code()),
        ],
    );
    if record.outcome == AccessOutcome::Ok && creds.is_some_and(|c| c.notifies(record.level)) {
        let holder = tx.holder(record.holder_id).await?;
        mail_holder(
            tx,
            &holder,
            record.at,
            "access_notification",
            json!({
                "at": record.at.to_rfc3339(),
                "service": record.service,
                "level": record.level.as_u8(),
                "client_ip": record.client_ip,
            }),
        )
        .await?;
    }
    Ok(())
}

/// Quotes a CSV field when it needs it; a leading `=`, `+`, `-` or `@` is
/// prefixed with `'` so a spreadsheet never runs it as a formula.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

impl Service {
    /// One page (`page` from 0) of the holder's accesses in `[from, until)`, newest first.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %holder))]
    pub async fn accesses(
        &self,
        holder: HolderId,
        from: Option<DateTime<Utc>>,
        until: Option<DateTime<Utc>>,
        page: u32,
        per_page: u32,
    ) -> Result<AccessPage, StoreError> {
        let per_page = per_page.clamp(1, 500);
        let mut tx = self.store.begin_read().await?;
        let mut records = tx
            .accesses(&AccessQuery {
                holder_id: holder,
                from,
                until,
                offset: page.saturating_mul(per_page),
                limit: per_page + 1,
            })
            .await?;
        let has_more = records.len() > per_page as usize;
        records.truncate(per_page as usize);
        Ok(AccessPage { records, has_more })
    }

    /// The holder's accesses in `[from, until)` as CSV (times in UTC, RFC 3339),
    /// newest first, at most [`CSV_MAX_RECORDS`]: read a page at a time by
    /// [`AccessCsv::next_chunk`], so a download of 100,000 lines never holds them
    /// all in memory.
    #[must_use]
    pub fn accesses_csv(
        &self,
        holder: HolderId,
        from: Option<DateTime<Utc>>,
        until: Option<DateTime<Utc>>,
    ) -> AccessCsv {
        AccessCsv {
            service: self.clone(),
            holder,
            from,
            until,
            ties: 0,
            left: CSV_MAX_RECORDS,
            started: false,
            done: false,
        }
    }
    /// Turns the access notification of `level` on or off for the session's identity.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %session.holder_id, level = level.as_u8()))]
    pub async fn set_access_notification(
        &self,
        session: &Session,
        level: CredentialLevel,
        on: bool,
    ) -> Result<(), CredentialError> {
        let now = self.clock.now();
        let (identity, creds) = self
            .selfcare_identity(session)
            .await?
            .ok_or(CredentialError::NoIdentity)?;
        // Turning alerts off is what an intruder would do first: a fresh sign-in
        // at the highest level is needed, and the holder is told by email.
        if !self.selfcare_session_is_fresh(session, &creds) {
            return Err(CredentialError::NeedsFreshSignIn);
        }
        let mut tx = self.store.begin().await?;
        let mut creds = tx.credentials_for_update(identity.id()).await?;
        creds.set_notify(level, on);
        let holder = tx.holder(session.holder_id).await?;
        mail_holder(
            tx.as_mut(),
            &holder,
            now,
            "credential_changed",
            json!({ "change": if on { "notifications_on" } else { "notifications_off" }, "at": now.to_rfc3339() }),
        )
        .await?;
        tx.update_credentials(&creds).await?;
        audit(
            tx.as_mut(),
            now,
            &format!("holder:{}", session.holder_id),
            "credential.access_notification",
            Some(session.holder_id),
            json!({ "identity_id": identity.id(), "level": level.as_u8(), "on": on }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("selfcare"), "selfcare");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=cmd()"), "'=cmd()");
    }
}
