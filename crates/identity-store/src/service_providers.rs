//! Registered service providers on one transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use identity_service::ports::ServiceProviderTx;
use identity_service::{ClientAuth, ServiceProvider, StoreError};
use sqlx::any::AnyRow;

use crate::sql::{Columns, Run, SqlTx, touched};
use crate::time;

fn sp_from_row(row: &AnyRow) -> Result<(ServiceProvider, Option<String>), StoreError> {
    let c = Columns::of(row, "service provider");
    let sp = ServiceProvider {
        id: c.parsed("id")?,
        client_id: c.text("client_id")?,
        name: c.text("name")?,
        redirect_uris: c.json("redirect_uris")?,
        auth_method: c.decoded("auth_method", ClientAuth::from_code)?,
        jwks: c
            .opt_text("jwks")?
            .map(|j| serde_json::from_str(&j).map_err(|e| c.corrupt("jwks", e)))
            .transpose()?,
        jwks_uri: c.opt_text("jwks_uri")?,
        attributes: c.json("attributes")?,
        allowed_levels: c.json("allowed_levels")?,
        created_by: c.text("created_by")?,
        created_at: c.time("created_at")?,
        disabled_at: c.opt_time("disabled_at")?,
    };
    Ok((sp, c.opt_text("secret_hash")?))
}

#[async_trait]
impl ServiceProviderTx for SqlTx {
    #[tracing::instrument(name = "store.insert_service_provider", skip_all, level = "debug")]
    async fn insert_service_provider(
        &mut self,
        sp: &ServiceProvider,
        secret_hash: Option<&str>,
    ) -> Result<(), StoreError> {
        let list = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
        sqlx::query(
            "INSERT INTO service_providers (id, client_id, name, redirect_uris, auth_method, jwks, jwks_uri, \
             secret_hash, attributes, created_by, created_at, disabled_at, allowed_levels) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(sp.id.to_string())
        .bind(sp.client_id.clone())
        .bind(sp.name.clone())
        .bind(list(&sp.redirect_uris))
        .bind(sp.auth_method.code())
        .bind(sp.jwks.as_ref().map(ToString::to_string))
        .bind(sp.jwks_uri.clone())
        .bind(secret_hash.map(str::to_owned))
        .bind(list(&sp.attributes))
        .bind(sp.created_by.clone())
        .bind(time::to_db(sp.created_at))
        .bind(time::opt_to_db(sp.disabled_at))
        .bind(serde_json::to_string(&sp.allowed_levels).unwrap_or_else(|_| "[]".into()))
        .insert_in(self, "service_provider").await?;
        Ok(())
    }

    #[tracing::instrument(name = "store.service_provider", skip_all, level = "debug", fields(client = %client_id))]
    async fn service_provider(
        &mut self,
        client_id: &str,
    ) -> Result<(ServiceProvider, Option<String>), StoreError> {
        let row = sqlx::query("SELECT * FROM service_providers WHERE client_id = $1")
            .bind(client_id.to_owned())
            .fetch_one_in(self)
            .await?;
        sp_from_row(&row)
    }

    #[tracing::instrument(name = "store.service_providers", skip_all, level = "debug")]
    async fn service_providers(&mut self) -> Result<Vec<ServiceProvider>, StoreError> {
        let rows = sqlx::query("SELECT * FROM service_providers ORDER BY client_id")
            .fetch_all_in(self)
            .await?;
        rows.iter()
            .map(|r| sp_from_row(r).map(|(sp, _)| sp))
            .collect()
    }

    #[tracing::instrument(name = "store.set_service_provider_secret", skip_all, level = "debug", fields(client = %client_id))]
    async fn set_service_provider_secret(
        &mut self,
        client_id: &str,
        secret_hash: &str,
    ) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE service_providers SET secret_hash = $2 WHERE client_id = $1 AND disabled_at IS NULL",
        )
        .bind(client_id.to_owned())
        .bind(secret_hash.to_owned())
        .execute_in(self).await?;
        touched(&done, StoreError::NotFound)
    }

    #[tracing::instrument(name = "store.set_service_provider_jwks", skip_all, level = "debug", fields(client = %client_id))]
    async fn set_service_provider_jwks(
        &mut self,
        client_id: &str,
        jwks: &serde_json::Value,
    ) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE service_providers SET jwks = $2 WHERE client_id = $1 AND disabled_at IS NULL",
        )
        .bind(client_id.to_owned())
        .bind(jwks.to_string())
        .execute_in(self)
        .await?;
        touched(&done, StoreError::NotFound)
    }

    #[tracing::instrument(name = "store.record_assertion_jti", skip_all, level = "debug", fields(client = %client_id))]
    async fn record_assertion_jti(
        &mut self,
        client_id: &str,
        jti: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO client_assertion_jtis (client_id, jti, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
        )
        .bind(client_id.to_owned())
        .bind(jti.to_owned())
        .bind(time::to_db(expires_at))
        .execute_in(self)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    #[tracing::instrument(name = "store.purge_assertion_jtis", skip_all, level = "debug")]
    async fn purge_assertion_jtis(
        &mut self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError> {
        self.in_batch(
            "DELETE FROM client_assertion_jtis",
            "client_assertion_jtis",
            "expires_at < $1",
            None,
            time::to_db(now),
            limit,
        )
        .await
    }

    #[tracing::instrument(name = "store.disable_service_provider", skip_all, level = "debug", fields(client = %client_id))]
    async fn disable_service_provider(
        &mut self,
        client_id: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE service_providers SET disabled_at = $2 WHERE client_id = $1 AND disabled_at IS NULL",
        )
        .bind(client_id.to_owned())
        .bind(time::to_db(at))
        .execute_in(self).await?;
        touched(&done, StoreError::NotFound)
    }
}
