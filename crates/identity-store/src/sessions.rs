//! Sessions: the `sessions` table's queries and row mapper. Sessions are found by
//! the hash of their token, never by the token.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use identity_core::{HolderId, Session, SessionArea};
use identity_service::StoreError;
use identity_service::ports::{SessionFilter, SessionTx};
use sqlx::any::AnyRow;

use crate::sql::{AnyQuery, Columns, Run, SqlTx, number_to_db, touched};
use crate::time;

pub(crate) const INSERT_SESSION: &str = "INSERT INTO sessions (token_hash, id, holder_id, login_number, area, \
     level, created_at, last_seen_at, client_ip, user_agent) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING";

/// Binds the 10 columns of [`INSERT_SESSION`].
pub(crate) fn bind_session<'q>(
    q: AnyQuery<'q>,
    token_hash: &str,
    session: &Session,
) -> AnyQuery<'q> {
    q.bind(token_hash.to_owned())
        .bind(session.id.to_string())
        .bind(session.holder_id.to_string())
        .bind(number_to_db(session.login))
        .bind(session.area.code())
        .bind(i64::from(session.level.as_u8()))
        .bind(time::to_db(session.created_at))
        .bind(time::to_db(session.last_seen_at))
        .bind(session.client_ip.clone())
        .bind(session.user_agent.clone())
}

/// Rebuilds a session from its row.
fn session_from_row(row: &AnyRow) -> Result<Session, StoreError> {
    let c = Columns::of(row, "session");
    Ok(Session {
        id: c.parsed("id")?,
        holder_id: c.parsed("holder_id")?,
        login: c.login_number("login_number")?,
        area: c.decoded("area", SessionArea::from_code)?,
        level: c.level("level")?,
        created_at: c.time("created_at")?,
        last_seen_at: c.time("last_seen_at")?,
        client_ip: c.opt_text("client_ip")?,
        user_agent: c.opt_text("user_agent")?,
        reauthenticated_at: c.opt_time("reauthenticated_at")?,
    })
}

#[async_trait]
impl SessionTx for SqlTx {
    #[tracing::instrument(name = "store.insert_session", skip_all, level = "debug", fields(holder = %session.holder_id))]
    async fn insert_session(
        &mut self,
        token_hash: &str,
        session: &Session,
    ) -> Result<(), StoreError> {
        let done = bind_session(sqlx::query(INSERT_SESSION), token_hash, session)
            .insert_in(self, "session")
            .await?;
        touched(&done, StoreError::Duplicate("session"))
    }

    #[tracing::instrument(name = "store.session_by_token_hash", skip_all, level = "debug")]
    async fn session_by_token_hash(&mut self, token_hash: &str) -> Result<Session, StoreError> {
        let row = sqlx::query("SELECT * FROM sessions WHERE token_hash = $1")
            .bind(token_hash.to_owned())
            .fetch_one_in(self)
            .await?;
        session_from_row(&row)
    }

    #[tracing::instrument(name = "store.touch_session", skip_all, level = "debug")]
    async fn touch_session(
        &mut self,
        token_hash: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1")
            .bind(token_hash.to_owned())
            .bind(time::to_db(at))
            .execute_in(self)
            .await?;
        Ok(())
    }

    #[tracing::instrument(name = "store.delete_session_by_token_hash", skip_all, level = "debug")]
    async fn delete_session_by_token_hash(&mut self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash.to_owned())
            .execute_in(self)
            .await?;
        Ok(())
    }

    #[tracing::instrument(name = "store.sessions_of", skip_all, level = "debug", fields(holder = %holder))]
    async fn sessions_of(&mut self, holder: HolderId) -> Result<Vec<Session>, StoreError> {
        let rows =
            sqlx::query("SELECT * FROM sessions WHERE holder_id = $1 ORDER BY created_at DESC, id")
                .bind(holder.to_string())
                .fetch_all_in(self)
                .await?;
        rows.iter().map(session_from_row).collect()
    }

    #[tracing::instrument(name = "store.delete_sessions", skip_all, level = "debug", fields(holder = %holder))]
    async fn delete_sessions(
        &mut self,
        holder: HolderId,
        filter: &SessionFilter,
    ) -> Result<u64, StoreError> {
        // NULL parameters disable a filter, as in the audit query.
        let done = sqlx::query(
            "DELETE FROM sessions WHERE holder_id = $1 AND ($2 IS NULL OR id = $2) \
             AND ($3 IS NULL OR area = $3) AND ($4 IS NULL OR login_number = $4) \
             AND ($5 IS NULL OR level >= $5)",
        )
        .bind(holder.to_string())
        .bind(filter.id.map(|i| i.to_string()))
        .bind(filter.area.map(SessionArea::code))
        .bind(filter.login.map(number_to_db))
        .bind(filter.min_level.map(|l| i64::from(l.as_u8())))
        .execute_in(self)
        .await?;
        Ok(done.rows_affected())
    }
}
