//! Security keys and WebAuthn ceremonies on one transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use identity_core::ids::IdentityId;
use identity_service::StoreError;
use identity_service::ports::{SecurityKey, SecurityKeyTx};
use sqlx::any::AnyRow;

use crate::sql::{Columns, Run, SqlTx, touched};
use crate::time;

fn key_from_row(row: &AnyRow) -> Result<SecurityKey, StoreError> {
    let c = Columns::of(row, "security key");
    Ok(SecurityKey {
        id: c.text("id")?,
        identity_id: c.parsed("identity_id")?,
        name: c.text("name")?,
        passkey: c.text("passkey")?,
        created_at: c.time("created_at")?,
        last_used_at: c.opt_time("last_used_at")?,
    })
}

#[async_trait]
impl SecurityKeyTx for SqlTx {
    #[tracing::instrument(name = "store.insert_security_key", skip_all, level = "debug")]
    async fn insert_security_key(&mut self, k: &SecurityKey) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO security_keys (id, identity_id, name, passkey, created_at, last_used_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(k.id.clone())
        .bind(k.identity_id.to_string())
        .bind(k.name.clone())
        .bind(k.passkey.clone())
        .bind(time::to_db(k.created_at))
        .bind(time::opt_to_db(k.last_used_at))
        .insert_in(self, "security_key")
        .await?;
        Ok(())
    }

    #[tracing::instrument(name = "store.security_keys", skip_all, level = "debug", fields(identity = %identity))]
    async fn security_keys(
        &mut self,
        identity: IdentityId,
    ) -> Result<Vec<SecurityKey>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM security_keys WHERE identity_id = $1 ORDER BY created_at, id",
        )
        .bind(identity.to_string())
        .fetch_all_in(self)
        .await?;
        rows.iter().map(key_from_row).collect()
    }

    #[tracing::instrument(name = "store.update_security_key", skip_all, level = "debug")]
    async fn update_security_key(&mut self, k: &SecurityKey) -> Result<(), StoreError> {
        let done =
            sqlx::query("UPDATE security_keys SET passkey = $2, last_used_at = $3 WHERE id = $1")
                .bind(k.id.clone())
                .bind(k.passkey.clone())
                .bind(time::opt_to_db(k.last_used_at))
                .execute_in(self)
                .await?;
        touched(&done, StoreError::NotFound)
    }

    #[tracing::instrument(name = "store.delete_security_key", skip_all, level = "debug", fields(identity = %identity))]
    async fn delete_security_key(
        &mut self,
        identity: IdentityId,
        id: &str,
    ) -> Result<(), StoreError> {
        let done = sqlx::query("DELETE FROM security_keys WHERE identity_id = $1 AND id = $2")
            .bind(identity.to_string())
            .bind(id.to_owned())
            .execute_in(self)
            .await?;
        touched(&done, StoreError::NotFound)
    }

    #[tracing::instrument(name = "store.put_ceremony", skip_all, level = "debug")]
    async fn put_ceremony(
        &mut self,
        owner: &str,
        state: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM webauthn_ceremonies WHERE owner = $1")
            .bind(owner.to_owned())
            .execute_in(self)
            .await?;
        sqlx::query(
            "INSERT INTO webauthn_ceremonies (owner, state, created_at) VALUES ($1, $2, $3)",
        )
        .bind(owner.to_owned())
        .bind(state.to_owned())
        .bind(time::to_db(at))
        .execute_in(self)
        .await?;
        Ok(())
    }

    #[tracing::instrument(name = "store.take_ceremony", skip_all, level = "debug")]
    async fn take_ceremony(
        &mut self,
        owner: &str,
    ) -> Result<Option<(String, DateTime<Utc>)>, StoreError> {
        let row = sqlx::query(
            "DELETE FROM webauthn_ceremonies WHERE owner = $1 RETURNING state, created_at",
        )
        .bind(owner.to_owned())
        .fetch_optional_in(self)
        .await?;
        row.map(|r| {
            let c = Columns::of(&r, "webauthn ceremony");
            Ok((c.text("state")?, c.time("created_at")?))
        })
        .transpose()
    }
}
