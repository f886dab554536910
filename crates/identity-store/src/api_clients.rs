//! API clients on one transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use identity_service::ports::ApiClientTx;
use identity_service::{ApiClient, ApiScope, StoreError};
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::sql::{Columns, Run, SqlTx, touched};
use crate::time;

fn client_from_row(row: &AnyRow) -> Result<ApiClient, StoreError> {
    let c = Columns::of(row, "api client");
    let scopes = c
        .text("scopes")?
        .split_whitespace()
        .map(|s| ApiScope::from_code(s).ok_or_else(|| c.corrupt("scopes", s)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ApiClient {
        id: c.parsed("id")?,
        name: c.text("name")?,
        scopes,
        created_by: c.text("created_by")?,
        created_at: c.time("created_at")?,
        revoked_at: c.opt_time("revoked_at")?,
        last_used_at: c.opt_time("last_used_at")?,
    })
}

#[async_trait]
impl ApiClientTx for SqlTx {
    #[tracing::instrument(name = "store.insert_api_client", skip_all, level = "debug")]
    async fn insert_api_client(
        &mut self,
        client: &ApiClient,
        token_hash: &str,
    ) -> Result<(), StoreError> {
        let scopes = client
            .scopes
            .iter()
            .map(|s| s.code())
            .collect::<Vec<_>>()
            .join(" ");
        sqlx::query(
            "INSERT INTO api_clients (id, name, token_hash, scopes, created_by, created_at, revoked_at, last_used_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(client.id.to_string())
        .bind(client.name.clone())
        .bind(token_hash.to_owned())
        .bind(scopes)
        .bind(client.created_by.clone())
        .bind(time::to_db(client.created_at))
        .bind(time::opt_to_db(client.revoked_at))
        .bind(time::opt_to_db(client.last_used_at))
        .insert_in(self, "api_client").await?;
        Ok(())
    }

    #[tracing::instrument(name = "store.api_client_by_token_hash", skip_all, level = "debug")]
    async fn api_client_by_token_hash(
        &mut self,
        token_hash: &str,
    ) -> Result<ApiClient, StoreError> {
        let row = sqlx::query("SELECT * FROM api_clients WHERE token_hash = $1")
            .bind(token_hash.to_owned())
            .fetch_one_in(self)
            .await?;
        client_from_row(&row)
    }

    #[tracing::instrument(name = "store.api_clients", skip_all, level = "debug")]
    async fn api_clients(&mut self) -> Result<Vec<ApiClient>, StoreError> {
        let rows = sqlx::query("SELECT * FROM api_clients ORDER BY created_at, name")
            .fetch_all_in(self)
            .await?;
        rows.iter().map(client_from_row).collect()
    }

    #[tracing::instrument(name = "store.revoke_api_client", skip_all, level = "debug")]
    async fn revoke_api_client(&mut self, name: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE api_clients SET revoked_at = $2 WHERE name = $1 AND revoked_at IS NULL",
        )
        .bind(name.to_owned())
        .bind(time::to_db(at))
        .execute_in(self)
        .await?;
        touched(&done, StoreError::NotFound)
    }

    #[tracing::instrument(name = "store.touch_api_client", skip_all, level = "debug", fields(id = %id))]
    async fn touch_api_client(&mut self, id: Uuid, at: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query("UPDATE api_clients SET last_used_at = $2 WHERE id = $1")
            .bind(id.to_string())
            .bind(time::to_db(at))
            .execute_in(self)
            .await?;
        Ok(())
    }
}
