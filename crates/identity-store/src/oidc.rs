//! The OpenID Connect provider's access tokens, secrets and transaction log on
//! one transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use identity_service::StoreError;
use identity_service::ports::{AccessTokenRecord, OidcTransaction, OidcTx};
use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;

use crate::sql::{Columns, Run, SqlTx};
use crate::time;

fn access_token_from(row: &AnyRow) -> Result<AccessTokenRecord, StoreError> {
    let c = Columns::of(row, "access token");
    Ok(AccessTokenRecord {
        client_id: c.text("client_id")?,
        holder_id: c.parsed("holder_id")?,
        identity_id: c.parsed("identity_id")?,
        subject: c.text("subject")?,
        level: c.level("level")?,
        attributes: c.json("attributes")?,
        code_hash: c.opt_text("code_hash")?,
        family_id: c.opt_text("family_id")?,
        created_at: c.time("created_at")?,
        expires_at: c.time("expires_at")?,
        revoked_at: c.opt_time("revoked_at")?,
    })
}

fn transaction_from(row: &AnyRow) -> Result<OidcTransaction, StoreError> {
    let c = Columns::of(row, "oidc transaction");
    Ok(OidcTransaction {
        at: c.time("at")?,
        endpoint: c.text("endpoint")?,
        client_id: c.opt_text("client_id")?,
        holder_id: c.opt_parsed("holder_id")?,
        outcome: c.text("outcome")?,
        detail: c.opt_text("detail")?,
        client_ip: c.opt_text("client_ip")?,
    })
}

#[async_trait]
impl OidcTx for SqlTx {
    #[tracing::instrument(name = "store.insert_access_token", skip_all, level = "debug")]
    async fn insert_access_token(
        &mut self,
        token_hash: &str,
        t: &AccessTokenRecord,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO oidc_access_tokens (token_hash, client_id, holder_id, identity_id, subject, level, \
             attributes, code_hash, family_id, created_at, expires_at, revoked_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(token_hash.to_owned())
        .bind(t.client_id.clone())
        .bind(t.holder_id.to_string())
        .bind(t.identity_id.to_string())
        .bind(t.subject.clone())
        .bind(i64::from(t.level.as_u8()))
        .bind(serde_json::to_string(&t.attributes).unwrap_or_else(|_| "[]".into()))
        .bind(t.code_hash.clone())
        .bind(t.family_id.clone())
        .bind(time::to_db(t.created_at))
        .bind(time::to_db(t.expires_at))
        .bind(time::opt_to_db(t.revoked_at))
        .insert_in(self, "access_token").await?;
        Ok(())
    }

    #[tracing::instrument(name = "store.access_token", skip_all, level = "debug")]
    async fn access_token(&mut self, token_hash: &str) -> Result<AccessTokenRecord, StoreError> {
        let row = sqlx::query("SELECT * FROM oidc_access_tokens WHERE token_hash = $1")
            .bind(token_hash.to_owned())
            .fetch_one_in(self)
            .await?;
        access_token_from(&row)
    }

    #[tracing::instrument(name = "store.revoke_access_tokens_of_code", skip_all, level = "debug")]
    async fn revoke_access_tokens_of_code(
        &mut self,
        code_hash: &str,
        at: DateTime<Utc>,
    ) -> Result<Vec<String>, StoreError> {
        self.execute_at(
            "UPDATE oidc_access_tokens SET revoked_at = $2 WHERE code_hash = $1 AND revoked_at IS NULL",
            code_hash,
            at,
        )
        .await?;
        let rows = sqlx::query(
            "SELECT DISTINCT family_id FROM oidc_access_tokens WHERE code_hash = $1 AND family_id IS NOT NULL",
        )
        .bind(code_hash.to_owned())
        .fetch_all_in(self).await?;
        rows.iter()
            .map(|r| Columns::of(r, "access token").text("family_id"))
            .collect()
    }

    #[tracing::instrument(
        name = "store.revoke_access_tokens_of_family",
        skip_all,
        level = "debug"
    )]
    async fn revoke_access_tokens_of_family(
        &mut self,
        family_id: &str,
        at: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        self.execute_at(
            "UPDATE oidc_access_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL",
            family_id,
            at,
        )
        .await
    }

    #[tracing::instrument(name = "store.revoke_access_token", skip_all, level = "debug", fields(client = %client_id))]
    async fn revoke_access_token(
        &mut self,
        token_hash: &str,
        client_id: &str,
        at: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        Ok(sqlx::query(
            "UPDATE oidc_access_tokens SET revoked_at = $3 \
             WHERE token_hash = $1 AND client_id = $2 AND revoked_at IS NULL",
        )
        .bind(token_hash.to_owned())
        .bind(client_id.to_owned())
        .bind(time::to_db(at))
        .execute_in(self)
        .await?
        .rows_affected())
    }

    #[tracing::instrument(name = "store.purge_access_tokens", skip_all, level = "debug")]
    async fn purge_access_tokens(
        &mut self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError> {
        self.in_batch(
            "DELETE FROM oidc_access_tokens",
            "oidc_access_tokens",
            "expires_at < $1",
            None,
            time::to_db(before),
            limit,
        )
        .await
    }

    #[tracing::instrument(name = "store.oidc_secret", skip_all, level = "debug")]
    async fn oidc_secret(&mut self, name: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT sealed FROM oidc_secrets WHERE name = $1")
            .bind(name.to_owned())
            .fetch_optional_in(self)
            .await?;
        row.map(|r| Columns::of(&r, "oidc secret").text("sealed"))
            .transpose()
    }

    #[tracing::instrument(name = "store.insert_oidc_secret_if_absent", skip_all, level = "debug")]
    async fn insert_oidc_secret_if_absent(
        &mut self,
        name: &str,
        sealed: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO oidc_secrets (name, sealed, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name.to_owned())
        .bind(sealed.to_owned())
        .bind(time::to_db(at))
        .execute_in(self)
        .await?;
        Ok(())
    }

    #[tracing::instrument(name = "store.insert_oidc_transaction", skip_all, level = "debug")]
    async fn insert_oidc_transaction(&mut self, e: &OidcTransaction) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO oidc_transactions (id, at, endpoint, client_id, holder_id, outcome, detail, client_ip) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(time::to_db(e.at))
        .bind(e.endpoint.clone())
        .bind(e.client_id.clone())
        .bind(e.holder_id.map(|h| h.to_string()))
        .bind(e.outcome.clone())
        .bind(e.detail.clone())
        .bind(e.client_ip.clone())
        .execute_in(self).await?;
        Ok(())
    }

    #[tracing::instrument(name = "store.oidc_transactions", skip_all, level = "debug")]
    async fn oidc_transactions(
        &mut self,
        client_id: Option<&str>,
        limit: u32,
    ) -> Result<Vec<OidcTransaction>, StoreError> {
        let filter = if client_id.is_some() {
            "WHERE client_id = $2"
        } else {
            "WHERE $2 = ''"
        };
        let sql =
            format!("SELECT * FROM oidc_transactions {filter} ORDER BY at DESC, id DESC LIMIT $1");
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(i64::from(limit))
            .bind(client_id.unwrap_or_default().to_owned())
            .fetch_all_in(self)
            .await?;
        rows.iter().map(transaction_from).collect()
    }

    #[tracing::instrument(name = "store.purge_oidc_transactions", skip_all, level = "debug")]
    async fn purge_oidc_transactions(
        &mut self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError> {
        // Oldest first, along the index on the time.
        self.in_batch(
            "DELETE FROM oidc_transactions",
            "oidc_transactions",
            "at < $1",
            Some("at"),
            time::to_db(before),
            limit,
        )
        .await
    }
}
