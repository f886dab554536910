//! The audit log: the `audit_log` table's queries and row mapper (append-only: the
//! database itself refuses updates and deletes).

use async_trait::async_trait;
use identity_service::ports::AuditTx;
use identity_service::{AuditQuery, AuditRecord, StoreError};
use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;

use crate::sql::{Columns, Run, SqlTx};
use crate::time;

/// Rebuilds an audit entry from its row.
fn audit_from_row(row: &AnyRow) -> Result<AuditRecord, StoreError> {
    let c = Columns::of(row, "audit");
    Ok(AuditRecord {
        id: c.parsed("id")?,
        at: c.time("at")?,
        actor: c.text("actor")?,
        event: c.text("event")?,
        holder_id: c.opt_parsed("holder_id")?,
        details: c.json("details")?,
        request_id: c.opt_text("request_id")?,
    })
}

#[async_trait]
impl AuditTx for SqlTx {
    #[tracing::instrument(name = "store.append_audit", skip_all, level = "debug")]
    async fn append_audit(&mut self, r: &AuditRecord) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO audit_log (id, at, actor, event, holder_id, details, request_id) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(r.id.to_string())
            .bind(time::to_db(r.at))
            .bind(r.actor.clone())
            .bind(r.event.clone())
            .bind(r.holder_id.map(|h| h.to_string()))
            .bind(r.details.to_string())
            .bind(r.request_id.clone())
            .insert_in(self, "audit").await?;
        Ok(())
    }

    #[tracing::instrument(name = "store.audit", skip_all, level = "debug")]
    async fn audit(&mut self, q: &AuditQuery) -> Result<Vec<AuditRecord>, StoreError> {
        // NULL parameters disable a filter, so one statement serves every combination.
        const FILTER: &str = "SELECT * FROM audit_log WHERE ($1 IS NULL OR holder_id = $1) AND ($2 IS NULL OR event = $2) \
             AND ($3 IS NULL OR actor = $3) AND ($4 IS NULL OR substr(event, 1, length($4)) = $4) \
             AND ($5 IS NULL OR at >= $5) AND ($6 IS NULL OR at < $6) AND ($8 IS NULL OR request_id = $8)";
        let order = if q.latest {
            " ORDER BY at DESC, id DESC LIMIT $7"
        } else {
            " ORDER BY at, id LIMIT $7"
        };
        let rows = sqlx::query(AssertSqlSafe(format!("{FILTER}{order}")))
            .bind(q.holder_id.map(|h| h.to_string()))
            .bind(q.event.clone())
            .bind(q.actor.clone())
            .bind(q.event_prefix.clone())
            .bind(time::opt_to_db(q.from))
            .bind(time::opt_to_db(q.to))
            .bind(i64::from(if q.limit == 0 { u32::MAX } else { q.limit }))
            .bind(q.request_id.clone())
            .fetch_all_in(self)
            .await?;
        let mut records = rows
            .iter()
            .map(audit_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        if q.latest {
            records.reverse();
        }
        Ok(records)
    }
}
