//! Security keys and WebAuthn ceremonies on one transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use identity_core::ids::IdentityId;
use identity_service::StoreError;
use identity_service::ports::{SecurityKey, SecurityKeyTx};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::error::{db, translate};
use crate::time;
use crate::tx::{SqlTx, touched};

fn key_from_row(row: &AnyRow) -> Result<SecurityKey, StoreError> {
    let corrupt = |e: &dyn std::fmt::Display| StoreError::Corrupt(format!("security key: {e}"));
    Ok(SecurityKey {
        id: row.try_get("id").map_err(|e| corrupt(&e))?,
        identity_id: row
            .try_get::<String, _>("identity_id")
            .map_err(|e| corrupt(&e))?
            .parse()
            .map_err(|e| corrupt(&e))?,
        name: row.try_get("name").map_err(|e| corrupt(&e))?,
        passkey: row.try_get("passkey").map_err(|e| corrupt(&e))?,
        created_at: time::from_db(row.try_get("created_at").map_err(|e| corrupt(&e))?)?,
        last_used_at: time::opt_from_db(row.try_get("last_used_at").map_err(|e| corrupt(&e))?)?,
    })
}

#[async_trait]
impl SecurityKeyTx for SqlTx {
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
        .execute(&mut *self.tx)
        .await
        .map_err(translate("security_key"))?;
        Ok(())
    }

    async fn security_keys(
        &mut self,
        identity: IdentityId,
    ) -> Result<Vec<SecurityKey>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM security_keys WHERE identity_id = $1 ORDER BY created_at, id",
        )
        .bind(identity.to_string())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        rows.iter().map(key_from_row).collect()
    }

    async fn update_security_key(&mut self, k: &SecurityKey) -> Result<(), StoreError> {
        let done =
            sqlx::query("UPDATE security_keys SET passkey = $2, last_used_at = $3 WHERE id = $1")
                .bind(k.id.clone())
                .bind(k.passkey.clone())
                .bind(time::opt_to_db(k.last_used_at))
                .execute(&mut *self.tx)
                .await
                .map_err(db)?;
        touched(&done, StoreError::NotFound)
    }

    async fn delete_security_key(
        &mut self,
        identity: IdentityId,
        id: &str,
    ) -> Result<(), StoreError> {
        let done = sqlx::query("DELETE FROM security_keys WHERE identity_id = $1 AND id = $2")
            .bind(identity.to_string())
            .bind(id.to_owned())
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        touched(&done, StoreError::NotFound)
    }

    async fn put_ceremony(
        &mut self,
        owner: &str,
        state: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM webauthn_ceremonies WHERE owner = $1")
            .bind(owner.to_owned())
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        sqlx::query(
            "INSERT INTO webauthn_ceremonies (owner, state, created_at) VALUES ($1, $2, $3)",
        )
        .bind(owner.to_owned())
        .bind(state.to_owned())
        .bind(time::to_db(at))
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn take_ceremony(
        &mut self,
        owner: &str,
    ) -> Result<Option<(String, DateTime<Utc>)>, StoreError> {
        let row = sqlx::query(
            "DELETE FROM webauthn_ceremonies WHERE owner = $1 RETURNING state, created_at",
        )
        .bind(owner.to_owned())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db)?;
        match row {
            None => Ok(None),
            Some(r) => {
                let state: String = r
                    .try_get("state")
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let at: i64 = r
                    .try_get("created_at")
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                Ok(Some((state, time::from_db(at)?)))
            }
        }
    }
}
