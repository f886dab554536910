//! Authorization codes of the code flow on one transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use identity_service::StoreError;
use identity_service::ports::AuthorizationCodeTx;
use identity_service::usecases::oidc::authorization_codes::AuthorizationGrant;
use sqlx::{AssertSqlSafe, Row};

use crate::error::{db, translate};
use crate::selfcare::level_from_db;
use crate::time;
use crate::tx::SqlTx;

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("authorization code {what}: {e}"))
}

#[async_trait]
impl AuthorizationCodeTx for SqlTx {
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
        .execute(&mut *self.tx)
        .await
        .map_err(translate("authorization_code"))?;
        Ok(())
    }

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
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db)?;
        let text = |c: &str| row.try_get::<String, _>(c).map_err(|e| corrupt(c, e));
        let int = |c: &str| row.try_get::<i64, _>(c).map_err(|e| corrupt(c, e));
        let grant = AuthorizationGrant {
            client_id: text("client_id")?,
            holder_id: text("holder_id")?
                .parse()
                .map_err(|e| corrupt("holder_id", e))?,
            identity_id: text("identity_id")?
                .parse()
                .map_err(|e| corrupt("identity_id", e))?,
            redirect_uri: text("redirect_uri")?,
            nonce: text("nonce")?,
            code_challenge: text("code_challenge")?,
            level: level_from_db(int("level")?)?,
            attributes: serde_json::from_str(&text("attributes")?)
                .map_err(|e| corrupt("attributes", e))?,
            offline_access: int("offline_access")? != 0,
            auth_time: time::from_db(int("auth_time")?)?,
        };
        let used: Option<i64> = row.try_get("used_at").map_err(|e| corrupt("used_at", e))?;
        Ok((
            grant,
            time::from_db(int("expires_at")?)?,
            time::opt_from_db(used)?,
        ))
    }

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

    async fn purge_authorization_codes(
        &mut self,
        before: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        self.execute_before(
            "DELETE FROM authorization_codes WHERE expires_at < $1",
            time::to_db(before),
        )
        .await
    }
}
