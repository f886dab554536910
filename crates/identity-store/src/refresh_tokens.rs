//! Refresh tokens on one transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use identity_service::StoreError;
use identity_service::ports::RefreshTokenTx;
use identity_service::usecases::oidc::refresh::RefreshToken;
use sqlx::AssertSqlSafe;

use crate::sql::{Columns, Run, SqlTx};
use crate::time;

#[async_trait]
impl RefreshTokenTx for SqlTx {
    #[tracing::instrument(name = "store.insert_refresh_token", skip_all, level = "debug")]
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
        .insert_in(self, "refresh_token").await?;
        Ok(())
    }

    #[tracing::instrument(name = "store.refresh_token_for_update", skip_all, level = "debug")]
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
            .fetch_one_in(self)
            .await?;
        let c = Columns::of(&row, "refresh token");
        Ok(RefreshToken {
            family_id: c.text("family_id")?,
            client_id: c.text("client_id")?,
            holder_id: c.parsed("holder_id")?,
            identity_id: c.parsed("identity_id")?,
            level: c.level("level")?,
            attributes: c.json("attributes")?,
            created_at: c.time("created_at")?,
            expires_at: c.time("expires_at")?,
            used_at: c.opt_time("used_at")?,
            revoked_at: c.opt_time("revoked_at")?,
        })
    }

    #[tracing::instrument(name = "store.use_refresh_token", skip_all, level = "debug")]
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

    #[tracing::instrument(name = "store.revoke_refresh_family", skip_all, level = "debug")]
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

    #[tracing::instrument(name = "store.purge_refresh_tokens", skip_all, level = "debug")]
    async fn purge_refresh_tokens(
        &mut self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError> {
        self.in_batch(
            "DELETE FROM refresh_tokens",
            "refresh_tokens",
            "expires_at < $1",
            None,
            time::to_db(before),
            limit,
        )
        .await
    }
}
