//! The OpenID Connect provider's signing keys on one transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use identity_service::StoreError;
use identity_service::ports::{KeyPurpose, SigningKeyTx, StoredSigningKey};
use sqlx::any::AnyRow;

use crate::sql::{Columns, Run, SqlTx, touched};
use crate::time;

fn key_from_row(row: &AnyRow) -> Result<StoredSigningKey, StoreError> {
    let c = Columns::of(row, "signing key");
    Ok(StoredSigningKey {
        kid: c.text("kid")?,
        alg: c.text("alg")?,
        purpose: c.decoded("purpose", KeyPurpose::from_code)?,
        sealed_private: c.text("sealed_private")?,
        public_jwk: c.json("public_jwk")?,
        created_at: c.time("created_at")?,
        retired_at: c.opt_time("retired_at")?,
        expires_at: c.opt_time("expires_at")?,
    })
}

#[async_trait]
impl SigningKeyTx for SqlTx {
    #[tracing::instrument(name = "store.insert_signing_key", skip_all, level = "debug")]
    async fn insert_signing_key(&mut self, key: &StoredSigningKey) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO signing_keys (kid, alg, sealed_private, public_jwk, created_at, retired_at, expires_at, purpose) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(key.kid.clone())
        .bind(key.alg.clone())
        .bind(key.sealed_private.clone())
        .bind(key.public_jwk.to_string())
        .bind(time::to_db(key.created_at))
        .bind(time::opt_to_db(key.retired_at))
        .bind(time::opt_to_db(key.expires_at))
        .bind(key.purpose.code())
        .insert_in(self, "signing_key").await?;
        Ok(())
    }

    #[tracing::instrument(name = "store.signing_keys", skip_all, level = "debug")]
    async fn signing_keys(&mut self) -> Result<Vec<StoredSigningKey>, StoreError> {
        let rows = sqlx::query("SELECT * FROM signing_keys ORDER BY created_at, kid")
            .fetch_all_in(self)
            .await?;
        rows.iter().map(key_from_row).collect()
    }

    #[tracing::instrument(name = "store.retire_signing_key", skip_all, level = "debug")]
    async fn retire_signing_key(
        &mut self,
        kid: &str,
        at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE signing_keys SET retired_at = $2, expires_at = $3 WHERE kid = $1 AND retired_at IS NULL",
        )
        .bind(kid.to_owned())
        .bind(time::to_db(at))
        .bind(time::to_db(expires_at))
        .execute_in(self).await?;
        touched(&done, StoreError::NotFound)
    }

    #[tracing::instrument(name = "store.delete_expired_signing_keys", skip_all, level = "debug")]
    async fn delete_expired_signing_keys(&mut self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        self.execute_before(
            "DELETE FROM signing_keys WHERE expires_at IS NOT NULL AND expires_at < $1",
            time::to_db(now),
        )
        .await
    }
}
