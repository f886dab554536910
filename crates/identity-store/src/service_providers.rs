//! Registered service providers on one transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use identity_service::ports::ServiceProviderTx;
use identity_service::{ClientAuth, ServiceProvider, StoreError};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::error::{db, translate};
use crate::time;
use crate::tx::{SqlTx, touched};

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("service provider {what}: {e}"))
}

fn sp_from_row(row: &AnyRow) -> Result<(ServiceProvider, Option<String>), StoreError> {
    let text = |c: &str| row.try_get::<String, _>(c).map_err(|e| corrupt(c, e));
    let opt = |c: &str| {
        row.try_get::<Option<String>, _>(c)
            .map_err(|e| corrupt(c, e))
    };
    let list = |c: &str| -> Result<Vec<String>, StoreError> {
        serde_json::from_str(&text(c)?).map_err(|e| corrupt(c, e))
    };
    let auth = text("auth_method")?;
    let sp = ServiceProvider {
        id: text("id")?.parse().map_err(|e| corrupt("id", e))?,
        client_id: text("client_id")?,
        name: text("name")?,
        redirect_uris: list("redirect_uris")?,
        auth_method: ClientAuth::from_code(&auth).ok_or_else(|| corrupt("auth", &auth))?,
        jwks: opt("jwks")?
            .map(|j| serde_json::from_str(&j).map_err(|e| corrupt("jwks", e)))
            .transpose()?,
        jwks_uri: opt("jwks_uri")?,
        attributes: list("attributes")?,
        allowed_levels: serde_json::from_str(&text("allowed_levels")?)
            .map_err(|e| corrupt("allowed_levels", e))?,
        created_by: text("created_by")?,
        created_at: time::from_db(
            row.try_get("created_at")
                .map_err(|e| corrupt("created_at", e))?,
        )?,
        disabled_at: time::opt_from_db(
            row.try_get("disabled_at")
                .map_err(|e| corrupt("disabled_at", e))?,
        )?,
    };
    Ok((sp, opt("secret_hash")?))
}

#[async_trait]
impl ServiceProviderTx for SqlTx {
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
        .execute(&mut *self.tx)
        .await
        .map_err(translate("service_provider"))?;
        Ok(())
    }

    async fn service_provider(
        &mut self,
        client_id: &str,
    ) -> Result<(ServiceProvider, Option<String>), StoreError> {
        let row = sqlx::query("SELECT * FROM service_providers WHERE client_id = $1")
            .bind(client_id.to_owned())
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db)?;
        sp_from_row(&row)
    }

    async fn service_providers(&mut self) -> Result<Vec<ServiceProvider>, StoreError> {
        let rows = sqlx::query("SELECT * FROM service_providers ORDER BY client_id")
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db)?;
        rows.iter()
            .map(|r| sp_from_row(r).map(|(sp, _)| sp))
            .collect()
    }

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
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        touched(&done, StoreError::NotFound)
    }

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
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        touched(&done, StoreError::NotFound)
    }

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
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn purge_assertion_jtis(&mut self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        self.execute_before(
            "DELETE FROM client_assertion_jtis WHERE expires_at < $1",
            time::to_db(now),
        )
        .await
    }

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
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        touched(&done, StoreError::NotFound)
    }
}
