//! API clients on one transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use identity_service::ports::ApiClientTx;
use identity_service::{ApiClient, ApiScope, StoreError};
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::error::{db, translate};
use crate::time;
use crate::tx::{SqlTx, touched};

fn client_from_row(row: &AnyRow) -> Result<ApiClient, StoreError> {
    let corrupt = |e: &dyn std::fmt::Display| StoreError::Corrupt(format!("api client: {e}"));
    let get = |c: &str| row.try_get::<String, _>(c).map_err(|e| corrupt(&e));
    let scopes = get("scopes")?
        .split_whitespace()
        .map(|s| ApiScope::from_code(s).ok_or_else(|| corrupt(&s)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ApiClient {
        id: get("id")?.parse().map_err(|e| corrupt(&e))?,
        name: get("name")?,
        scopes,
        created_by: get("created_by")?,
        created_at: time::from_db(row.try_get("created_at").map_err(|e| corrupt(&e))?)?,
        revoked_at: time::opt_from_db(row.try_get("revoked_at").map_err(|e| corrupt(&e))?)?,
        last_used_at: time::opt_from_db(row.try_get("last_used_at").map_err(|e| corrupt(&e))?)?,
    })
}

#[async_trait]
impl ApiClientTx for SqlTx {
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
        .execute(&mut *self.tx)
        .await
        .map_err(translate("api_client"))?;
        Ok(())
    }

    async fn api_client_by_token_hash(
        &mut self,
        token_hash: &str,
    ) -> Result<ApiClient, StoreError> {
        let row = sqlx::query("SELECT * FROM api_clients WHERE token_hash = $1")
            .bind(token_hash.to_owned())
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db)?;
        client_from_row(&row)
    }

    async fn api_clients(&mut self) -> Result<Vec<ApiClient>, StoreError> {
        let rows = sqlx::query("SELECT * FROM api_clients ORDER BY created_at, name")
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db)?;
        rows.iter().map(client_from_row).collect()
    }

    async fn revoke_api_client(&mut self, name: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE api_clients SET revoked_at = $2 WHERE name = $1 AND revoked_at IS NULL",
        )
        .bind(name.to_owned())
        .bind(time::to_db(at))
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        touched(&done, StoreError::NotFound)
    }

    async fn touch_api_client(&mut self, id: Uuid, at: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query("UPDATE api_clients SET last_used_at = $2 WHERE id = $1")
            .bind(id.to_string())
            .bind(time::to_db(at))
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        Ok(())
    }
}
