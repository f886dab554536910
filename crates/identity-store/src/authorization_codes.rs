//! Authorization codes of the code flow on one transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use identity_service::StoreError;
use identity_service::ports::AuthorizationCodeTx;
use identity_service::usecases::oidc::authorization_codes::AuthorizationGrant;
use sqlx::AssertSqlSafe;

use crate::sql::{Columns, Run, SqlTx};
use crate::time;

#[async_trait]
impl AuthorizationCodeTx for SqlTx {
    #[tracing::instrument(name = "store.insert_authorization_code", skip_all, level = "debug")]
    async fn insert_authorization_code(
        &mut self,
        code_hash: &str,
        g: &AuthorizationGrant,
        created_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO authorization_codes (code_hash, client_id, holder_id, identity_id, redirect_uri, nonce, \
             code_challenge, level, attributes, offline_access, auth_time, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(code_hash.to_owned())
        .bind(g.client_id.clone())
        .bind(g.holder_id.to_string())
        .bind(g.identity_id.to_string())
        .bind(g.redirect_uri.clone())
        .bind(g.nonce.clone())
        .bind(g.code_challenge.clone())
        .bind(i64::from(g.level.as_u8()))
        .bind(serde_json::to_string(&g.attributes).unwrap_or_else(|_| "[]".into()))
        .bind(i64::from(g.offline_access))
        .bind(time::to_db(g.auth_time))
        .bind(time::to_db(created_at))
        .bind(time::to_db(expires_at))
        .insert_in(self, "authorization_code").await?;
        Ok(())
    }

    #[tracing::instrument(
        name = "store.authorization_code_for_update",
        skip_all,
        level = "debug"
    )]
    async fn authorization_code_for_update(
        &mut self,
        code_hash: &str,
    ) -> Result<(AuthorizationGrant, DateTime<Utc>, Option<DateTime<Utc>>), StoreError> {
        let sql = format!(
            "SELECT * FROM authorization_codes WHERE code_hash = $1{}",
            self.backend.for_update()
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(code_hash.to_owned())
            .fetch_one_in(self)
            .await?;
        let c = Columns::of(&row, "authorization code");
        let grant = AuthorizationGrant {
            client_id: c.text("client_id")?,
            holder_id: c.parsed("holder_id")?,
            identity_id: c.parsed("identity_id")?,
            redirect_uri: c.text("redirect_uri")?,
            nonce: c.text("nonce")?,
            code_challenge: c.text("code_challenge")?,
            level: c.level("level")?,
            attributes: c.json("attributes")?,
            offline_access: c.int("offline_access")? != 0,
            auth_time: c.time("auth_time")?,
        };
        Ok((grant, c.time("expires_at")?, c.opt_time("used_at")?))
    }

    #[tracing::instrument(name = "store.use_authorization_code", skip_all, level = "debug")]
    async fn use_authorization_code(
        &mut self,
        code_hash: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let used = self
            .execute_at(
                "UPDATE authorization_codes SET used_at = $2 WHERE code_hash = $1 AND used_at IS NULL",
                code_hash,
                at,
            )
            .await?;
        if used == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    #[tracing::instrument(name = "store.purge_authorization_codes", skip_all, level = "debug")]
    async fn purge_authorization_codes(
        &mut self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError> {
        self.in_batch(
            "DELETE FROM authorization_codes",
            "authorization_codes",
            "expires_at < $1",
            None,
            time::to_db(before),
            limit,
        )
        .await
    }
}
