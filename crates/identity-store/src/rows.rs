//! Rebuilding logins, sessions, audit entries and queued mail from their rows;
//! a value that no longer passes the domain's validation is `Corrupt`.

use identity_core::{CredentialLevel, Lang, Login, LoginNumber, LoginStatus, Session, SessionArea};
use identity_service::{AuditRecord, OutboxMessage, OutboxStatus, StoreError};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::time;

pub(crate) fn login_from_row(row: &AnyRow) -> Result<Login, StoreError> {
    let corrupt =
        |c: &str, e: &dyn std::fmt::Display| StoreError::Corrupt(format!("login {c}: {e}"));
    let number: i64 = row.try_get("number").map_err(|e| corrupt("number", &e))?;
    let holder: String = row
        .try_get("holder_id")
        .map_err(|e| corrupt("holder_id", &e))?;
    let status: String = row.try_get("status").map_err(|e| corrupt("status", &e))?;
    let created: i64 = row
        .try_get("created_at")
        .map_err(|e| corrupt("created_at", &e))?;
    Ok(Login::restore(
        u64::try_from(number)
            .ok()
            .and_then(LoginNumber::new)
            .ok_or_else(|| corrupt("number", &number))?,
        holder.parse().map_err(|e| corrupt("holder_id", &e))?,
        LoginStatus::from_code(&status).ok_or_else(|| corrupt("status", &status))?,
        time::from_db(created)?,
    ))
}

pub(crate) fn session_from_row(row: &AnyRow) -> Result<Session, StoreError> {
    let corrupt =
        |what: &str, e: &dyn std::fmt::Display| StoreError::Corrupt(format!("session {what}: {e}"));
    let get_str = |c: &str| row.try_get::<String, _>(c).map_err(|e| corrupt(c, &e));
    let get_i64 = |c: &str| row.try_get::<i64, _>(c).map_err(|e| corrupt(c, &e));
    let area = get_str("area")?;
    let level = get_i64("level")?;
    let login = get_i64("login_number")?;
    Ok(Session {
        id: get_str("id")?.parse().map_err(|e| corrupt("id", &e))?,
        holder_id: get_str("holder_id")?
            .parse()
            .map_err(|e| corrupt("holder_id", &e))?,
        login: u64::try_from(login)
            .ok()
            .and_then(LoginNumber::new)
            .ok_or_else(|| corrupt("login", &login))?,
        area: SessionArea::from_code(&area).ok_or_else(|| corrupt("area", &area))?,
        level: u8::try_from(level)
            .ok()
            .and_then(CredentialLevel::from_u8)
            .ok_or_else(|| corrupt("level", &level))?,
        created_at: time::from_db(get_i64("created_at")?)?,
        last_seen_at: time::from_db(get_i64("last_seen_at")?)?,
        client_ip: row
            .try_get("client_ip")
            .map_err(|e| corrupt("client_ip", &e))?,
        user_agent: row
            .try_get("user_agent")
            .map_err(|e| corrupt("user_agent", &e))?,
        reauthenticated_at: row
            .try_get::<Option<i64>, _>("reauthenticated_at")
            .map_err(|e| corrupt("reauthenticated_at", &e))?
            .map(time::from_db)
            .transpose()?,
    })
}

pub(crate) fn audit_from_row(row: &AnyRow) -> Result<AuditRecord, StoreError> {
    let corrupt = |e: sqlx::Error| StoreError::Corrupt(format!("audit: {e}"));
    let details: String = row.try_get("details").map_err(corrupt)?;
    let holder: Option<String> = row.try_get("holder_id").map_err(corrupt)?;
    Ok(AuditRecord {
        id: row
            .try_get::<String, _>("id")
            .map_err(corrupt)?
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("{e}")))?,
        at: time::from_db(row.try_get("at").map_err(corrupt)?)?,
        actor: row.try_get("actor").map_err(corrupt)?,
        event: row.try_get("event").map_err(corrupt)?,
        holder_id: holder
            .map(|h| h.parse())
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("{e}")))?,
        details: serde_json::from_str(&details)
            .map_err(|e| StoreError::Corrupt(format!("audit details: {e}")))?,
    })
}

pub(crate) fn outbox_from_row(row: &AnyRow) -> Result<OutboxMessage, StoreError> {
    let corrupt = |e: sqlx::Error| StoreError::Corrupt(format!("outbox: {e}"));
    let status: String = row.try_get("status").map_err(corrupt)?;
    let params: String = row.try_get("params").map_err(corrupt)?;
    let attempts: i64 = row.try_get("attempts").map_err(corrupt)?;
    Ok(OutboxMessage {
        id: row
            .try_get::<String, _>("id")
            .map_err(corrupt)?
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("{e}")))?,
        created_at: time::from_db(row.try_get("created_at").map_err(corrupt)?)?,
        to: row.try_get("to_address").map_err(corrupt)?,
        lang: Lang::from_tag(&row.try_get::<String, _>("lang").map_err(corrupt)?)
            .unwrap_or_default(),
        template: row.try_get("template").map_err(corrupt)?,
        params: serde_json::from_str(&params)
            .map_err(|e| StoreError::Corrupt(format!("outbox params: {e}")))?,
        status: OutboxStatus::from_code(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("outbox status {status}")))?,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        last_error: row.try_get("last_error").map_err(corrupt)?,
    })
}
