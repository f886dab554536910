//! The calendar jobs' queries: candidates that may be due, the notices sent, the
//! retention purges and the run reports.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use identity_core::ids::IdentityId;
use identity_service::StoreError;
use identity_service::model::JobRun;
use identity_service::ports::{Expired, JobTx, PasswordAge, RetentionCutoffs};
use sqlx::any::AnyRow;

use crate::sql::{Columns, Param, Run, SqlTx};
use crate::time;

fn identity_ids(rows: &[AnyRow]) -> Result<Vec<IdentityId>, StoreError> {
    rows.iter()
        .map(|r| Columns::of(r, "identity").parsed("id"))
        .collect()
}

fn password_age_from_row(row: &AnyRow) -> Result<PasswordAge, StoreError> {
    let c = Columns::of(row, "password");
    Ok(PasswordAge {
        login: c.login_number("login_number")?,
        holder_id: c.parsed("holder_id")?,
        set_at: c.time("set_at")?,
    })
}

impl SqlTx {
    #[tracing::instrument(name = "store.ids", skip_all, level = "debug")]
    async fn ids(
        &mut self,
        sql: &'static str,
        param: Option<Param>,
    ) -> Result<Vec<IdentityId>, StoreError> {
        let query = sqlx::query(sql);
        let query = match param {
            Some(param) => param.bind_to(query),
            None => query,
        };
        let rows = query.fetch_all_in(self).await?;
        identity_ids(&rows)
    }
}

#[async_trait]
impl JobTx for SqlTx {
    #[tracing::instrument(name = "store.identities_past_deadline", skip_all, level = "debug")]
    async fn identities_past_deadline(
        &mut self,
        now: DateTime<Utc>,
    ) -> Result<Vec<IdentityId>, StoreError> {
        self.ids(
            "SELECT id FROM identities WHERE state = 'suspended' \
             AND suspension_deadline IS NOT NULL AND suspension_deadline <= $1 ORDER BY id",
            Some(Param::Int(time::to_db(now))),
        )
        .await
    }

    #[tracing::instrument(name = "store.identities_unused_since", skip_all, level = "debug")]
    async fn identities_unused_since(
        &mut self,
        before: DateTime<Utc>,
    ) -> Result<Vec<IdentityId>, StoreError> {
        self.ids(
            "SELECT id FROM identities WHERE state IN ('active', 'suspended') \
             AND COALESCE(last_used_at, activated_at) < $1 ORDER BY id",
            Some(Param::Int(time::to_db(before))),
        )
        .await
    }

    #[tracing::instrument(
        name = "store.identities_with_document_expired",
        skip_all,
        level = "debug"
    )]
    async fn identities_with_document_expired(
        &mut self,
        today: NaiveDate,
    ) -> Result<Vec<IdentityId>, StoreError> {
        self.ids(
            "SELECT id FROM identities WHERE state = 'active' \
             AND document_expires_on IS NOT NULL AND document_expires_on < $1 ORDER BY id",
            Some(Param::Text(today.format("%Y-%m-%d").to_string())),
        )
        .await
    }

    #[tracing::instrument(name = "store.identities_sharing_contacts", skip_all, level = "debug")]
    async fn identities_sharing_contacts(&mut self) -> Result<Vec<IdentityId>, StoreError> {
        // Active or suspended identities count (pending ones are not usable yet).
        // The emails and the phones that more than one such holder has, each found
        // in one pass grouped by the value, then their identities: linear in the
        // identities. (A correlated EXISTS per identity was planned by SQLite as a
        // scan of the live identities inside each row's: 52 s for 3,400 identities.)
        const SQL: &str = "SELECT i.id FROM identities i JOIN holders h ON h.id = i.holder_id \
             WHERE i.state IN ('active', 'suspended') AND (h.email_normalized IN (\
             SELECT k.email_normalized FROM holders k JOIN identities j ON j.holder_id = k.id \
             WHERE j.state IN ('active', 'suspended') GROUP BY k.email_normalized \
             HAVING COUNT(DISTINCT k.id) > 1) OR h.phone IN (\
             SELECT k.phone FROM holders k JOIN identities j ON j.holder_id = k.id \
             WHERE j.state IN ('active', 'suspended') GROUP BY k.phone \
             HAVING COUNT(DISTINCT k.id) > 1)) ORDER BY i.id";
        self.ids(SQL, None).await
    }

    #[tracing::instrument(name = "store.identity_shares_contacts", skip_all, level = "debug", fields(identity = %id))]
    async fn identity_shares_contacts(&mut self, id: IdentityId) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT 1 FROM identities i JOIN holders h ON h.id = i.holder_id WHERE i.id = $1 \
             AND EXISTS (SELECT 1 FROM holders k JOIN identities j ON j.holder_id = k.id \
             WHERE k.id <> h.id AND j.state IN ('active', 'suspended') \
             AND (k.email_normalized = h.email_normalized OR k.phone = h.phone))",
        )
        .bind(id.to_string())
        .fetch_optional_in(self)
        .await?;
        Ok(row.is_some())
    }

    #[tracing::instrument(name = "store.identities_suspended_for", skip_all, level = "debug")]
    async fn identities_suspended_for(
        &mut self,
        reason: &str,
    ) -> Result<Vec<IdentityId>, StoreError> {
        self.ids(
            "SELECT id FROM identities WHERE state = 'suspended' AND suspension_reason = $1 ORDER BY id",
            Some(Param::Text(reason.to_owned())),
        )
        .await
    }

    #[tracing::instrument(name = "store.passwords_set_between", skip_all, level = "debug")]
    async fn passwords_set_between(
        &mut self,
        after: DateTime<Utc>,
        before: DateTime<Utc>,
    ) -> Result<Vec<PasswordAge>, StoreError> {
        let rows = sqlx::query(
            "SELECT p.login_number, l.holder_id, p.set_at FROM passwords p \
             JOIN logins l ON l.number = p.login_number \
             WHERE p.retired_at IS NULL AND p.set_at >= $1 AND p.set_at < $2 \
             AND l.status = 'active' ORDER BY p.login_number",
        )
        .bind(time::to_db(after))
        .bind(time::to_db(before))
        .fetch_all_in(self)
        .await?;
        rows.iter().map(password_age_from_row).collect()
    }

    #[tracing::instrument(name = "store.record_notice", skip_all, level = "debug")]
    async fn record_notice(
        &mut self,
        subject: &str,
        notice: &str,
        due_at: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        // The primary key makes a concurrent second insert wait for the first
        // and then do nothing: exactly one of two nodes sends the notice.
        let done = sqlx::query(
            "INSERT INTO job_notices (subject, notice, due_at, sent_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(subject.to_owned())
        .bind(notice.to_owned())
        .bind(time::to_db(due_at))
        .bind(time::to_db(at))
        .execute_in(self)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    #[tracing::instrument(name = "store.purge_expired", skip_all, level = "debug")]
    async fn purge_expired(
        &mut self,
        c: &RetentionCutoffs,
        what: Expired,
        limit: u32,
    ) -> Result<u64, StoreError> {
        let log_before = c.transaction_log_before;
        let (action, table, condition, cutoff) = match what {
            Expired::Codes => (
                "DELETE FROM one_time_codes",
                "one_time_codes",
                "expires_at < $1 OR used_at IS NOT NULL",
                c.now,
            ),
            Expired::IdleSessions => (
                "DELETE FROM sessions",
                "sessions",
                "last_seen_at < $1",
                c.session_idle_before,
            ),
            Expired::OldSessions => (
                "DELETE FROM sessions",
                "sessions",
                "created_at < $1",
                c.session_created_before,
            ),
            Expired::PendingSignIns => (
                "DELETE FROM pending_sign_ins",
                "pending_sign_ins",
                "expires_at < $1",
                c.now,
            ),
            Expired::Ceremonies => (
                "DELETE FROM webauthn_ceremonies",
                "webauthn_ceremonies",
                "created_at < $1",
                c.ceremony_before,
            ),
            Expired::SentMail => (
                "DELETE FROM outbox",
                "outbox",
                "status = 'sent' AND sent_at < $1",
                log_before,
            ),
            Expired::Notices => (
                "DELETE FROM job_notices",
                "job_notices",
                "due_at < $1",
                log_before,
            ),
            Expired::JobRuns => (
                "DELETE FROM job_runs",
                "job_runs",
                "started_at < $1",
                log_before,
            ),
        };
        self.in_batch(action, table, condition, None, time::to_db(cutoff), limit)
            .await
    }

    #[tracing::instrument(
        name = "store.forget_proofing_revoked_before",
        skip_all,
        level = "debug"
    )]
    async fn forget_proofing_revoked_before(
        &mut self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError> {
        // Migration 17's partial index holds exactly the rows this looks for.
        self.in_batch(
            "UPDATE identities SET proofing = NULL, document_expires_on = NULL",
            "identities",
            "state = 'revoked' AND proofing IS NOT NULL AND revoked_at < $1",
            None,
            time::to_db(before),
            limit,
        )
        .await
    }

    #[tracing::instrument(name = "store.insert_job_run", skip_all, level = "debug")]
    async fn insert_job_run(&mut self, run: &JobRun) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO job_runs (id, job, node, as_of, started_at, finished_at, dry_run, counts, error) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(run.id.to_string())
        .bind(run.job.clone())
        .bind(run.node.clone())
        .bind(time::to_db(run.as_of))
        .bind(time::to_db(run.started_at))
        .bind(time::to_db(run.finished_at))
        .bind(i64::from(run.dry_run))
        .bind(serde_json::to_string(&run.counts).unwrap_or_else(|_| "{}".into()))
        .bind(run.error.clone())
        .execute_in(self).await?;
        Ok(())
    }

    #[tracing::instrument(name = "store.last_job_runs", skip_all, level = "debug")]
    async fn last_job_runs(&mut self) -> Result<Vec<JobRun>, StoreError> {
        let rows = sqlx::query(
            "SELECT r.* FROM job_runs r WHERE r.id = (SELECT s.id FROM job_runs s \
             WHERE s.job = r.job ORDER BY s.started_at DESC, s.id DESC LIMIT 1) ORDER BY r.job",
        )
        .fetch_all_in(self)
        .await?;
        rows.iter().map(job_run_from_row).collect()
    }
}

fn job_run_from_row(row: &AnyRow) -> Result<JobRun, StoreError> {
    let c = Columns::of(row, "job run");
    Ok(JobRun {
        id: c.parsed("id")?,
        job: c.text("job")?,
        node: c.text("node")?,
        as_of: c.time("as_of")?,
        started_at: c.time("started_at")?,
        finished_at: c.time("finished_at")?,
        dry_run: c.int("dry_run")? != 0,
        counts: c.json("counts")?,
        error: c.opt_text("error")?,
    })
}
