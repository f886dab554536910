//! The provider's federation settings and the relying parties registered
//! through a trust chain, on one transaction.

use async_trait::async_trait;
use identity_service::ports::FederationTx;
use identity_service::{FederationClient, HeldTrustMark, ServiceProvider, StoreError, TrustAnchor};
use sqlx::any::AnyRow;

use crate::sql::{AnyQuery, Columns, Run, SqlTx, touched};
use crate::time;

fn anchor_from_row(row: &AnyRow) -> Result<TrustAnchor, StoreError> {
    let c = Columns::of(row, "trust anchor");
    Ok(TrustAnchor {
        entity_id: c.text("entity_id")?,
        jwks: c.json("jwks")?,
        added_by: c.text("added_by")?,
        added_at: c.time("added_at")?,
    })
}

fn mark_from_row(row: &AnyRow) -> Result<HeldTrustMark, StoreError> {
    let c = Columns::of(row, "trust mark");
    Ok(HeldTrustMark {
        id: c.text("trust_mark_id")?,
        trust_mark: c.text("trust_mark")?,
        added_by: c.text("added_by")?,
        added_at: c.time("added_at")?,
    })
}

fn client_from_row(row: &AnyRow) -> Result<FederationClient, StoreError> {
    let c = Columns::of(row, "federation client");
    Ok(FederationClient {
        client_id: c.text("client_id")?,
        trust_anchor: c.text("trust_anchor")?,
        metadata: c.json("metadata")?,
        trust_chain: c.json("trust_chain")?,
        trust_marks: c.json("trust_marks")?,
        resolved_at: c.time("resolved_at")?,
        expires_at: c.time("expires_at")?,
    })
}

/// Inserts a row (`insert` does nothing on a conflict) or, when its key is
/// taken, updates that one (`update`), both with the values `bind` gives;
/// whether it was new.
async fn put_row(
    tx: &mut SqlTx,
    insert: &'static str,
    update: &'static str,
    bind: impl Fn(AnyQuery<'static>) -> AnyQuery<'static>,
) -> Result<bool, StoreError> {
    let added = bind(sqlx::query(insert)).execute_in(tx).await?;
    if added.rows_affected() == 1 {
        return Ok(true);
    }
    bind(sqlx::query(update)).execute_in(tx).await?;
    Ok(false)
}

fn list(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

#[async_trait]
impl FederationTx for SqlTx {
    #[tracing::instrument(name = "store.put_trust_anchor", skip_all, level = "debug")]
    async fn put_trust_anchor(&mut self, anchor: &TrustAnchor) -> Result<bool, StoreError> {
        put_row(
            self,
            "INSERT INTO federation_trust_anchors (entity_id, jwks, added_by, added_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            "UPDATE federation_trust_anchors SET jwks = $2, added_by = $3, added_at = $4 \
             WHERE entity_id = $1",
            |q| {
                q.bind(anchor.entity_id.clone())
                    .bind(anchor.jwks.to_string())
                    .bind(anchor.added_by.clone())
                    .bind(time::to_db(anchor.added_at))
            },
        )
        .await
    }

    #[tracing::instrument(name = "store.trust_anchors", skip_all, level = "debug")]
    async fn trust_anchors(&mut self) -> Result<Vec<TrustAnchor>, StoreError> {
        let rows = sqlx::query("SELECT * FROM federation_trust_anchors ORDER BY entity_id")
            .fetch_all_in(self)
            .await?;
        rows.iter().map(anchor_from_row).collect()
    }

    #[tracing::instrument(name = "store.delete_trust_anchor", skip_all, level = "debug")]
    async fn delete_trust_anchor(&mut self, entity_id: &str) -> Result<(), StoreError> {
        let done = sqlx::query("DELETE FROM federation_trust_anchors WHERE entity_id = $1")
            .bind(entity_id.to_owned())
            .execute_in(self)
            .await?;
        touched(&done, StoreError::NotFound)
    }

    #[tracing::instrument(name = "store.put_trust_mark", skip_all, level = "debug")]
    async fn put_trust_mark(&mut self, mark: &HeldTrustMark) -> Result<bool, StoreError> {
        put_row(
            self,
            "INSERT INTO federation_trust_marks (trust_mark_id, trust_mark, added_by, added_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            "UPDATE federation_trust_marks SET trust_mark = $2, added_by = $3, added_at = $4 \
             WHERE trust_mark_id = $1",
            |q| {
                q.bind(mark.id.clone())
                    .bind(mark.trust_mark.clone())
                    .bind(mark.added_by.clone())
                    .bind(time::to_db(mark.added_at))
            },
        )
        .await
    }

    #[tracing::instrument(name = "store.trust_marks", skip_all, level = "debug")]
    async fn trust_marks(&mut self) -> Result<Vec<HeldTrustMark>, StoreError> {
        let rows = sqlx::query("SELECT * FROM federation_trust_marks ORDER BY trust_mark_id")
            .fetch_all_in(self)
            .await?;
        rows.iter().map(mark_from_row).collect()
    }

    #[tracing::instrument(name = "store.delete_trust_mark", skip_all, level = "debug")]
    async fn delete_trust_mark(&mut self, id: &str) -> Result<(), StoreError> {
        let done = sqlx::query("DELETE FROM federation_trust_marks WHERE trust_mark_id = $1")
            .bind(id.to_owned())
            .execute_in(self)
            .await?;
        touched(&done, StoreError::NotFound)
    }

    #[tracing::instrument(name = "store.federation_client", skip_all, level = "debug", fields(client = %client_id))]
    async fn federation_client(
        &mut self,
        client_id: &str,
    ) -> Result<Option<FederationClient>, StoreError> {
        let row = sqlx::query("SELECT * FROM federation_clients WHERE client_id = $1")
            .bind(client_id.to_owned())
            .fetch_optional_in(self)
            .await?;
        row.as_ref().map(client_from_row).transpose()
    }

    #[tracing::instrument(name = "store.save_federation_client", skip_all, level = "debug", fields(client = %client.client_id))]
    async fn save_federation_client(
        &mut self,
        sp: &ServiceProvider,
        client: &FederationClient,
    ) -> Result<(), StoreError> {
        // The provider row: made at the first resolution, refreshed by the next
        // ones (a disabled one stays disabled: disabled_at is not touched).
        sqlx::query(
            "INSERT INTO service_providers (id, client_id, name, redirect_uris, auth_method, jwks, jwks_uri, \
             secret_hash, attributes, created_by, created_at, disabled_at, allowed_levels) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $9, $10, NULL, $11) \
             ON CONFLICT (client_id) DO UPDATE SET name = excluded.name, \
             redirect_uris = excluded.redirect_uris, auth_method = excluded.auth_method, \
             jwks = excluded.jwks, jwks_uri = excluded.jwks_uri, attributes = excluded.attributes, \
             allowed_levels = excluded.allowed_levels",
        )
        .bind(sp.id.to_string())
        .bind(sp.client_id.clone())
        .bind(sp.name.clone())
        .bind(list(&sp.redirect_uris))
        .bind(sp.auth_method.code())
        .bind(sp.jwks.as_ref().map(ToString::to_string))
        .bind(sp.jwks_uri.clone())
        .bind(list(&sp.attributes))
        .bind(sp.created_by.clone())
        .bind(time::to_db(sp.created_at))
        .bind(serde_json::to_string(&sp.allowed_levels).unwrap_or_else(|_| "[]".into()))
        .execute_in(self)
        .await?;
        sqlx::query(
            "INSERT INTO federation_clients (client_id, trust_anchor, metadata, trust_chain, trust_marks, \
             resolved_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (client_id) DO UPDATE SET trust_anchor = excluded.trust_anchor, \
             metadata = excluded.metadata, trust_chain = excluded.trust_chain, \
             trust_marks = excluded.trust_marks, resolved_at = excluded.resolved_at, \
             expires_at = excluded.expires_at",
        )
        .bind(client.client_id.clone())
        .bind(client.trust_anchor.clone())
        .bind(client.metadata.to_string())
        .bind(list(&client.trust_chain))
        .bind(list(&client.trust_marks))
        .bind(time::to_db(client.resolved_at))
        .bind(time::to_db(client.expires_at))
        .execute_in(self)
        .await?;
        Ok(())
    }
}
