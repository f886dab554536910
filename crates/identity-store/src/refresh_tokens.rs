//! Refresh tokens on one transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use identity_service::StoreError;
use identity_service::ports::RefreshTokenTx;
use identity_service::usecases::oidc::refresh::RefreshToken;
use sqlx::{AssertSqlSafe, Row};

use crate::error::{db, translate};
use crate::selfcare::level_from_db;
use crate::time;
use crate::tx::SqlTx;

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("refresh token {what}: {e}"))
}

#[async_trait]
impl RefreshTokenTx for SqlTx {
    async fn insert_refresh_token(
        &mut self,
        token_hash: &str,
        t: &RefreshToken,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO refresh_tokens (token_hash, family_id, client_id, holder_id, identity_id, level, \
             attributes, created_at, expires_at, used_at, revoked_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(token_hash.to_owned())
        .bind(t.family_id.clone())
        .bind(t.client_id.clone())
        .bind(t.holder_id.to_string())
        .bind(t.identity_id.to_string())
        .bind(i64::from(t.level.as_u8()))
        .bind(serde_json::to_string(&t.attributes).unwrap_or_else(|_| "[]".into()))
        .bind(time::to_db(t.created_at))
        .bind(time::to_db(t.expires_at))
        .bind(time::opt_to_db(t.used_at))
        .bind(time::opt_to_db(t.revoked_at))
        .execute(&mut *self.tx)
        .await
        .map_err(translate("refresh_token"))?;
        Ok(())
    }

    async fn refresh_token_for_update(
        &mut self,
        token_hash: &str,
    ) -> Result<RefreshToken, StoreError> {
        let sql = format!(
            "SELECT * FROM refresh_tokens WHERE token_hash = $1{}",
            self.backend.for_update()
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(token_hash.to_owned())
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db)?;
        let text = |c: &str| row.try_get::<String, _>(c).map_err(|e| corrupt(c, e));
        let int = |c: &str| row.try_get::<i64, _>(c).map_err(|e| corrupt(c, e));
        let opt = |c: &str| {
            row.try_get::<Option<i64>, _>(c)
                .map_err(|e| corrupt(c, e))
                .and_then(time::opt_from_db)
        };
        Ok(RefreshToken {
            family_id: text("family_id")?,
            client_id: text("client_id")?,
            holder_id: text("holder_id")?
                .parse()
                .map_err(|e| corrupt("holder_id", e))?,
            identity_id: text("identity_id")?
                .parse()
                .map_err(|e| corrupt("identity_id", e))?,
            level: level_from_db(int("level")?)?,
            attributes: serde_json::from_str(&text("attributes")?)
                .map_err(|e| corrupt("attributes", e))?,
            created_at: time::from_db(int("created_at")?)?,
            expires_at: time::from_db(int("expires_at")?)?,
            used_at: opt("used_at")?,
            revoked_at: opt("revoked_at")?,
        })
    }

    async fn use_refresh_token(
        &mut self,
        token_hash: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.execute_at(
            "UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL",
            token_hash,
            at,
        )
        .await?;
        Ok(())
    }

    async fn revoke_refresh_family(
        &mut self,
        family_id: &str,
        at: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        self.execute_at(
            "UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL",
            family_id,
            at,
        )
        .await
    }

    async fn purge_refresh_tokens(&mut self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        self.execute_before(
            "DELETE FROM refresh_tokens WHERE expires_at < $1",
            time::to_db(before),
        )
        .await
    }
}
