//! The selfcare records on one transaction: credentials, waiting sign-ins and
//! the access history.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use identity_core::credentials::{CredentialLevel, CredentialLevels, LevelState, TotpState};
use identity_core::ids::IdentityId;
use identity_core::{AccessOutcome, AccessRecord};
use identity_service::StoreError;
use identity_service::ports::{AccessQuery, IdentityCredentials, PendingSignIn, SelfcareTx};
use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::sql::{AnyQuery, Columns, Run, SqlTx, number_to_db, touched};
use crate::time;

fn credentials_from_row(row: &AnyRow) -> Result<IdentityCredentials, StoreError> {
    let c = Columns::of(row, "credentials");
    let levels = CredentialLevels::from_states(
        c.decoded("level1", LevelState::from_code)?,
        c.decoded("level2", LevelState::from_code)?,
        c.decoded("level3", LevelState::from_code)?,
    )
    .map_err(|e| c.corrupt("levels", e))?;
    let failures = u8::try_from(c.int("totp_failures")?).unwrap_or(u8::MAX);
    let last_step = c
        .opt_int("totp_last_step")?
        .and_then(|s| u64::try_from(s).ok());
    let pending = match (c.opt_text("totp_pending")?, c.opt_time("totp_pending_at")?) {
        (Some(secret), Some(at)) => Some((secret, at)),
        _ => None,
    };
    Ok(IdentityCredentials {
        identity_id: c.parsed("identity_id")?,
        levels,
        totp_secret: c.opt_text("totp_secret")?,
        totp_state: TotpState::new(failures, last_step),
        totp_enrolled_at: c.opt_time("totp_enrolled_at")?,
        totp_pending: pending,
        emergency_hash: c.opt_text("emergency_hash")?,
        emergency_issued_at: c.opt_time("emergency_issued_at")?,
        notify_levels: u8::try_from(c.int("notify_levels")?).unwrap_or(0),
    })
}

pub(crate) const INSERT_CREDENTIALS: &str = "INSERT INTO identity_credentials (identity_id, level1, level2, \
     level3, totp_secret, totp_failures, totp_last_step, totp_enrolled_at, totp_pending, totp_pending_at, \
     emergency_hash, emergency_issued_at, notify_levels) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";

/// Binds the 13 columns in table order.
pub(crate) fn bind_credentials<'q>(q: AnyQuery<'q>, c: &IdentityCredentials) -> AnyQuery<'q> {
    q.bind(c.identity_id.to_string())
        .bind(c.levels.state(CredentialLevel::L1).code())
        .bind(c.levels.state(CredentialLevel::L2).code())
        .bind(c.levels.state(CredentialLevel::L3).code())
        .bind(c.totp_secret.clone())
        .bind(i64::from(c.totp_state.consecutive_failures()))
        .bind(
            c.totp_state
                .last_used_step()
                .map(|s| i64::try_from(s).unwrap_or(i64::MAX)),
        )
        .bind(time::opt_to_db(c.totp_enrolled_at))
        .bind(c.totp_pending.as_ref().map(|(s, _)| s.clone()))
        .bind(c.totp_pending.as_ref().map(|(_, at)| time::to_db(*at)))
        .bind(c.emergency_hash.clone())
        .bind(time::opt_to_db(c.emergency_issued_at))
        .bind(i64::from(c.notify_levels))
}

fn pending_from_row(row: &AnyRow) -> Result<PendingSignIn, StoreError> {
    let c = Columns::of(row, "pending sign-in");
    Ok(PendingSignIn {
        token_hash: c.text("token_hash")?,
        identity_id: c.parsed("identity_id")?,
        holder_id: c.parsed("holder_id")?,
        login: c.login_number("login_number")?,
        level: c.level("level")?,
        created_at: c.time("created_at")?,
        expires_at: c.time("expires_at")?,
    })
}

pub(crate) const INSERT_ACCESS: &str = "INSERT INTO access_records (id, holder_id, identity_id, at, service, \
     level, credential, outcome, client_ip) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

/// Binds the 9 columns of [`INSERT_ACCESS`], with a new time-ordered id.
pub(crate) fn bind_access<'q>(q: AnyQuery<'q>, r: &AccessRecord) -> AnyQuery<'q> {
    q.bind(Uuid::now_v7().to_string())
        .bind(r.holder_id.to_string())
        .bind(r.identity_id.map(|i| i.to_string()))
        .bind(time::to_db(r.at))
        .bind(r.service.clone())
        .bind(i64::from(r.level.as_u8()))
        .bind(r.credential.clone())
        .bind(r.outcome.code())
        .bind(r.client_ip.clone())
}

fn access_from_row(row: &AnyRow) -> Result<AccessRecord, StoreError> {
    let c = Columns::of(row, "access");
    Ok(AccessRecord {
        holder_id: c.parsed("holder_id")?,
        identity_id: c.opt_parsed::<IdentityId>("identity_id")?,
        at: c.time("at")?,
        service: c.text("service")?,
        level: c.level("level")?,
        credential: c.text("credential")?,
        outcome: c.decoded("outcome", AccessOutcome::from_code)?,
        client_ip: c.opt_text("client_ip")?,
    })
}

#[async_trait]
impl SelfcareTx for SqlTx {
    #[tracing::instrument(name = "store.insert_credentials", skip_all, level = "debug")]
    async fn insert_credentials(&mut self, c: &IdentityCredentials) -> Result<(), StoreError> {
        bind_credentials(sqlx::query(INSERT_CREDENTIALS), c)
            .insert_in(self, "credentials")
            .await?;
        Ok(())
    }

    #[tracing::instrument(name = "store.credentials_for_update", skip_all, level = "debug", fields(identity = %identity))]
    async fn credentials_for_update(
        &mut self,
        identity: IdentityId,
    ) -> Result<IdentityCredentials, StoreError> {
        let sql = format!(
            "SELECT * FROM identity_credentials WHERE identity_id = $1{}",
            self.backend.for_update()
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(identity.to_string())
            .fetch_one_in(self)
            .await?;
        credentials_from_row(&row)
    }

    #[tracing::instrument(name = "store.credentials", skip_all, level = "debug", fields(identity = %identity))]
    async fn credentials(
        &mut self,
        identity: IdentityId,
    ) -> Result<IdentityCredentials, StoreError> {
        let row = sqlx::query("SELECT * FROM identity_credentials WHERE identity_id = $1")
            .bind(identity.to_string())
            .fetch_one_in(self)
            .await?;
        credentials_from_row(&row)
    }

    #[tracing::instrument(name = "store.update_credentials", skip_all, level = "debug")]
    async fn update_credentials(&mut self, c: &IdentityCredentials) -> Result<(), StoreError> {
        let done = bind_credentials(
            sqlx::query(
                "UPDATE identity_credentials SET level1 = $2, level2 = $3, level3 = $4, totp_secret = $5, \
                 totp_failures = $6, totp_last_step = $7, totp_enrolled_at = $8, totp_pending = $9, \
                 totp_pending_at = $10, emergency_hash = $11, emergency_issued_at = $12, notify_levels = $13 \
                 WHERE identity_id = $1",
            ),
            c,
        )
        .execute_in(self).await?;
        touched(&done, StoreError::NotFound)
    }

    #[tracing::instrument(name = "store.insert_pending_sign_in", skip_all, level = "debug")]
    async fn insert_pending_sign_in(&mut self, p: &PendingSignIn) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO pending_sign_ins (token_hash, identity_id, holder_id, login_number, level, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(p.token_hash.clone())
        .bind(p.identity_id.to_string())
        .bind(p.holder_id.to_string())
        .bind(number_to_db(p.login))
        .bind(i64::from(p.level.as_u8()))
        .bind(time::to_db(p.created_at))
        .bind(time::to_db(p.expires_at))
        .insert_in(self, "pending_sign_in").await?;
        Ok(())
    }

    #[tracing::instrument(name = "store.pending_sign_in_for_update", skip_all, level = "debug")]
    async fn pending_sign_in_for_update(
        &mut self,
        token_hash: &str,
    ) -> Result<PendingSignIn, StoreError> {
        let sql = format!(
            "SELECT * FROM pending_sign_ins WHERE token_hash = $1{}",
            self.backend.for_update()
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(token_hash.to_owned())
            .fetch_one_in(self)
            .await?;
        pending_from_row(&row)
    }

    #[tracing::instrument(name = "store.pending_sign_in", skip_all, level = "debug")]
    async fn pending_sign_in(&mut self, token_hash: &str) -> Result<PendingSignIn, StoreError> {
        let row = sqlx::query("SELECT * FROM pending_sign_ins WHERE token_hash = $1")
            .bind(token_hash.to_owned())
            .fetch_one_in(self)
            .await?;
        pending_from_row(&row)
    }

    #[tracing::instrument(name = "store.delete_pending_sign_ins_of", skip_all, level = "debug")]
    async fn delete_pending_sign_ins_of(
        &mut self,
        holder: identity_core::HolderId,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM pending_sign_ins WHERE holder_id = $1")
            .bind(holder.to_string())
            .execute_in(self)
            .await?;
        Ok(())
    }

    #[tracing::instrument(name = "store.delete_pending_sign_in", skip_all, level = "debug")]
    async fn delete_pending_sign_in(&mut self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM pending_sign_ins WHERE token_hash = $1")
            .bind(token_hash.to_owned())
            .execute_in(self)
            .await?;
        Ok(())
    }

    #[tracing::instrument(name = "store.insert_access", skip_all, level = "debug")]
    async fn insert_access(&mut self, r: &AccessRecord) -> Result<(), StoreError> {
        bind_access(sqlx::query(INSERT_ACCESS), r)
            .execute_in(self)
            .await?;
        Ok(())
    }

    #[tracing::instrument(name = "store.accesses", skip_all, level = "debug")]
    async fn accesses(&mut self, q: &AccessQuery) -> Result<Vec<AccessRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM access_records WHERE holder_id = $1 AND ($2 IS NULL OR at >= $2) \
             AND ($3 IS NULL OR at < $3) ORDER BY at DESC, id DESC LIMIT $4 OFFSET $5",
        )
        .bind(q.holder_id.to_string())
        .bind(time::opt_to_db(q.from))
        .bind(time::opt_to_db(q.until))
        .bind(i64::from(q.limit))
        .bind(i64::from(q.offset))
        .fetch_all_in(self)
        .await?;
        rows.iter().map(access_from_row).collect()
    }

    #[tracing::instrument(name = "store.purge_accesses", skip_all, level = "debug")]
    async fn purge_accesses(
        &mut self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError> {
        // Oldest first, along the index on the time.
        self.in_batch(
            "DELETE FROM access_records",
            "access_records",
            "at < $1",
            Some("at"),
            time::to_db(before),
            limit,
        )
        .await
    }
}
