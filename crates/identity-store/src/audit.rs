//! The audit log: the `audit_log` table's queries and row mapper (append-only: the
//! database itself refuses updates and deletes).

use async_trait::async_trait;
use identity_service::ports::AuditTx;
use identity_service::{AuditQuery, AuditRecord, StoreError};
use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;

use crate::sql::{AnyQuery, Columns, Param, Run, SqlTx};
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

pub(crate) const INSERT_AUDIT: &str = "INSERT INTO audit_log (id, at, actor, event, holder_id, details, request_id) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// Binds the 7 columns of [`INSERT_AUDIT`].
pub(crate) fn bind_audit<'q>(q: AnyQuery<'q>, r: &AuditRecord) -> AnyQuery<'q> {
    q.bind(r.id.to_string())
        .bind(time::to_db(r.at))
        .bind(r.actor.clone())
        .bind(r.event.clone())
        .bind(r.holder_id.map(|h| h.to_string()))
        .bind(r.details.to_string())
        .bind(r.request_id.clone())
}

#[async_trait]
impl AuditTx for SqlTx {
    #[tracing::instrument(name = "store.append_audit", skip_all, level = "debug")]
    async fn append_audit(&mut self, r: &AuditRecord) -> Result<(), StoreError> {
        bind_audit(sqlx::query(INSERT_AUDIT), r)
            .insert_in(self, "audit")
            .await?;
        Ok(())
    }

    #[tracing::instrument(name = "store.audit", skip_all, level = "debug")]
    async fn audit(&mut self, q: &AuditQuery) -> Result<Vec<AuditRecord>, StoreError> {
        // Only the filters asked for are in the statement: a `($1 IS NULL OR
        // holder_id = $1)` form serving every combination defeats the indexes (SQLite
        // walked the whole log by time: 86 ms for one holder's entries in 50,000).
        let text = |v: &Option<String>| v.clone().map(Param::Text);
        let filters = [
            // `?` stands for the filter's one parameter, however often it is used.
            (
                "holder_id = ?",
                q.holder_id.map(|h| Param::Text(h.to_string())),
            ),
            ("event = ?", text(&q.event)),
            ("actor = ?", text(&q.actor)),
            ("substr(event, 1, length(?)) = ?", text(&q.event_prefix)),
            ("request_id = ?", text(&q.request_id)),
            ("at >= ?", time::opt_to_db(q.from).map(Param::Int)),
            ("at < ?", time::opt_to_db(q.to).map(Param::Int)),
        ];
        let mut sql = String::from("SELECT * FROM audit_log WHERE 1 = 1");
        let mut params = Vec::new();
        for (condition, value) in filters {
            if let Some(value) = value {
                params.push(value);
                sql.push_str(" AND ");
                sql.push_str(&condition.replace('?', &format!("${}", params.len())));
            }
        }
        let order = if q.latest {
            "at DESC, id DESC"
        } else {
            "at, id"
        };
        sql.push_str(&format!(" ORDER BY {order} LIMIT ${}", params.len() + 1));
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for param in params {
            query = param.bind_to(query);
        }
        let rows = query
            .bind(i64::from(if q.limit == 0 { u32::MAX } else { q.limit }))
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
