//! The selfcare records on one transaction: credentials, waiting sign-ins and
//! the access history.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use identity_core::credentials::{CredentialLevel, CredentialLevels, LevelState, TotpState};
use identity_core::ids::IdentityId;
use identity_core::{AccessOutcome, AccessRecord};
use identity_service::StoreError;
use identity_service::ports::{AccessQuery, IdentityCredentials, PendingSignIn, SelfcareTx};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use uuid::Uuid;

use crate::error::{db, translate};
use crate::time;
use crate::tx::{SqlTx, number_to_db, touched};

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn col<'r, T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>>(
    row: &'r AnyRow,
    name: &str,
) -> Result<T, StoreError> {
    row.try_get::<T, _>(name).map_err(|e| corrupt(name, e))
}

fn level_state(code: &str) -> Result<LevelState, StoreError> {
    LevelState::from_code(code).ok_or_else(|| corrupt("credential level state", code))
}

/// A credential level column (1, 2, 3).
pub(crate) fn level_from_db(n: i64) -> Result<CredentialLevel, StoreError> {
    u8::try_from(n)
        .ok()
        .and_then(CredentialLevel::from_u8)
        .ok_or_else(|| corrupt("credential level", n))
}

fn credentials_from_row(row: &AnyRow) -> Result<IdentityCredentials, StoreError> {
    let levels = CredentialLevels::from_states(
        level_state(&col::<String>(row, "level1")?)?,
        level_state(&col::<String>(row, "level2")?)?,
        level_state(&col::<String>(row, "level3")?)?,
    )
    .map_err(|e| corrupt("credential levels", e))?;
    let failures = u8::try_from(col::<i64>(row, "totp_failures")?).unwrap_or(u8::MAX);
    let last_step = col::<Option<i64>>(row, "totp_last_step")?.and_then(|s| u64::try_from(s).ok());
    let pending = match (
        col::<Option<String>>(row, "totp_pending")?,
        time::opt_from_db(col(row, "totp_pending_at")?)?,
    ) {
        (Some(secret), Some(at)) => Some((secret, at)),
        _ => None,
    };
    Ok(IdentityCredentials {
        identity_id: col::<String>(row, "identity_id")?
            .parse()
            .map_err(|e| corrupt("identity id", e))?,
        levels,
        totp_secret: col(row, "totp_secret")?,
        totp_state: TotpState::new(failures, last_step),
        totp_enrolled_at: time::opt_from_db(col(row, "totp_enrolled_at")?)?,
        totp_pending: pending,
        emergency_hash: col(row, "emergency_hash")?,
        emergency_issued_at: time::opt_from_db(col(row, "emergency_issued_at")?)?,
        notify_levels: u8::try_from(col::<i64>(row, "notify_levels")?).unwrap_or(0),
    })
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// Binds the 13 columns in table order.
fn bind_credentials<'q>(q: AnyQuery<'q>, c: &IdentityCredentials) -> AnyQuery<'q> {
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
    let login = u64::try_from(col::<i64>(row, "login_number")?)
        .ok()
        .and_then(identity_core::LoginNumber::new)
        .ok_or_else(|| corrupt("login number", "out of range"))?;
    Ok(PendingSignIn {
        token_hash: col(row, "token_hash")?,
        identity_id: col::<String>(row, "identity_id")?
            .parse()
            .map_err(|e| corrupt("identity id", e))?,
        holder_id: col::<String>(row, "holder_id")?
            .parse()
            .map_err(|e| corrupt("holder id", e))?,
        login,
        level: level_from_db(col(row, "level")?)?,
        created_at: time::from_db(col(row, "created_at")?)?,
        expires_at: time::from_db(col(row, "expires_at")?)?,
    })
}

fn access_from_row(row: &AnyRow) -> Result<AccessRecord, StoreError> {
    let identity: Option<String> = col(row, "identity_id")?;
    Ok(AccessRecord {
        holder_id: col::<String>(row, "holder_id")?
            .parse()
            .map_err(|e| corrupt("holder id", e))?,
        identity_id: identity
            .map(|i| i.parse::<IdentityId>())
            .transpose()
            .map_err(|e| corrupt("identity id", e))?,
        at: time::from_db(col(row, "at")?)?,
        service: col(row, "service")?,
        level: level_from_db(col(row, "level")?)?,
        credential: col(row, "credential")?,
        outcome: AccessOutcome::from_code(&col::<String>(row, "outcome")?)
            .ok_or_else(|| corrupt("access outcome", "unknown"))?,
        client_ip: col(row, "client_ip")?,
    })
}

#[async_trait]
impl SelfcareTx for SqlTx {
    async fn insert_credentials(&mut self, c: &IdentityCredentials) -> Result<(), StoreError> {
        bind_credentials(
            sqlx::query(
                "INSERT INTO identity_credentials (identity_id, level1, level2, level3, totp_secret, \
                 totp_failures, totp_last_step, totp_enrolled_at, totp_pending, totp_pending_at, \
                 emergency_hash, emergency_issued_at, notify_levels) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            ),
            c,
        )
        .execute(&mut *self.tx)
        .await
        .map_err(translate("credentials"))?;
        Ok(())
    }

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
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db)?;
        credentials_from_row(&row)
    }

    async fn credentials(
        &mut self,
        identity: IdentityId,
    ) -> Result<IdentityCredentials, StoreError> {
        let row = sqlx::query("SELECT * FROM identity_credentials WHERE identity_id = $1")
            .bind(identity.to_string())
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db)?;
        credentials_from_row(&row)
    }

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
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        touched(&done, StoreError::NotFound)
    }

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
        .execute(&mut *self.tx)
        .await
        .map_err(translate("pending_sign_in"))?;
        Ok(())
    }

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
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db)?;
        pending_from_row(&row)
    }

    async fn pending_sign_in(&mut self, token_hash: &str) -> Result<PendingSignIn, StoreError> {
        let row = sqlx::query("SELECT * FROM pending_sign_ins WHERE token_hash = $1")
            .bind(token_hash.to_owned())
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db)?;
        pending_from_row(&row)
    }

    async fn delete_pending_sign_ins_of(
        &mut self,
        holder: identity_core::HolderId,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM pending_sign_ins WHERE holder_id = $1")
            .bind(holder.to_string())
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn delete_pending_sign_in(&mut self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM pending_sign_ins WHERE token_hash = $1")
            .bind(token_hash.to_owned())
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn insert_access(&mut self, r: &AccessRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO access_records (id, holder_id, identity_id, at, service, level, credential, outcome, client_ip) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(Uuid::now_v7().to_string())
        .bind(r.holder_id.to_string())
        .bind(r.identity_id.map(|i| i.to_string()))
        .bind(time::to_db(r.at))
        .bind(r.service.clone())
        .bind(i64::from(r.level.as_u8()))
        .bind(r.credential.clone())
        .bind(r.outcome.code())
        .bind(r.client_ip.clone())
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(())
    }

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
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        rows.iter().map(access_from_row).collect()
    }

    async fn purge_accesses(&mut self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        self.execute_before(
            "DELETE FROM access_records WHERE at < $1",
            time::to_db(before),
        )
        .await
    }
}
