//! Mapping between [`DigitalIdentity`] and the `identities` table: the state enum is
//! flattened into nullable columns, the proofing record is JSON.

use identity_core::LoginNumber;
use identity_core::identity::{
    DigitalIdentity, IdentitySnapshot, IdentityState, PoliceReport, Proofing, RevocationCause,
    SuspensionReason,
};
use identity_service::StoreError;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::time;

pub(crate) const INSERT_IDENTITY: &str = "INSERT INTO identities (id, holder_id, username, tax_code, state, \
     suspension_reason, suspended_since, suspension_deadline, revocation_cause, revoked_at, requested_at, \
     activated_at, last_used_at, proofing, police_report_ref, police_report_at, document_expires_on) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) ON CONFLICT DO NOTHING";

pub(crate) const UPDATE_IDENTITY: &str = "UPDATE identities SET state = $5, suspension_reason = $6, \
     suspended_since = $7, suspension_deadline = $8, revocation_cause = $9, revoked_at = $10, requested_at = $11, \
     activated_at = $12, last_used_at = $13, proofing = $14, police_report_ref = $15, police_report_at = $16, \
     document_expires_on = $17 WHERE id = $1 AND holder_id = $2 AND username = $3 AND tax_code = $4";

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// Binds all 17 columns in table order; `tax_code` is the holder's. The
/// document's expiry is a column of its own for the document-expiry job.
pub(crate) fn bind_identity<'q>(
    q: AnyQuery<'q>,
    i: &DigitalIdentity,
    tax_code: &str,
) -> AnyQuery<'q> {
    let s = i.snapshot();
    let (reason, since, deadline) = match &s.state {
        IdentityState::Suspended {
            reason,
            since,
            deadline,
        } => (
            Some(reason.code()),
            Some(time::to_db(*since)),
            time::opt_to_db(*deadline),
        ),
        _ => (None, None, None),
    };
    let (cause, revoked_at) = match &s.state {
        IdentityState::Revoked { cause, at } => (Some(cause.code()), Some(time::to_db(*at))),
        _ => (None, None),
    };
    q.bind(s.id.to_string())
        .bind(s.holder_id.to_string())
        .bind(i64::try_from(s.username.get()).unwrap_or(i64::MAX))
        .bind(tax_code.to_owned())
        .bind(s.state.code())
        .bind(reason)
        .bind(since)
        .bind(deadline)
        .bind(cause)
        .bind(revoked_at)
        .bind(time::to_db(s.requested_at))
        .bind(time::opt_to_db(s.activated_at))
        .bind(time::opt_to_db(s.last_used_at))
        .bind(
            s.proofing
                .as_ref()
                .and_then(|p| serde_json::to_string(p).ok()),
        )
        .bind(s.police_report.as_ref().map(|r| r.reference.clone()))
        .bind(s.police_report.as_ref().map(|r| time::to_db(r.recorded_at)))
        .bind(
            s.proofing
                .as_ref()
                .map(|p| p.document.expires_on.format("%Y-%m-%d").to_string()),
        )
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("identity {what}: {e}"))
}

fn get<'r, T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>>(
    row: &'r AnyRow,
    col: &str,
) -> Result<T, StoreError> {
    row.try_get::<T, _>(col).map_err(|e| corrupt(col, e))
}

/// Rebuilds an identity from a `SELECT * FROM identities` row.
pub(crate) fn identity_from_row(row: &AnyRow) -> Result<DigitalIdentity, StoreError> {
    let state_code: String = get(row, "state")?;
    let state = match state_code.as_str() {
        "pending" => IdentityState::Pending,
        "active" => IdentityState::Active,
        "suspended" => {
            let reason: String = get(row, "suspension_reason")?;
            IdentityState::Suspended {
                reason: SuspensionReason::from_code(&reason)
                    .ok_or_else(|| corrupt("suspension_reason", &reason))?,
                since: time::from_db(get(row, "suspended_since")?)?,
                deadline: time::opt_from_db(get(row, "suspension_deadline")?)?,
            }
        }
        "revoked" => {
            let cause: String = get(row, "revocation_cause")?;
            IdentityState::Revoked {
                cause: RevocationCause::from_code(&cause)
                    .ok_or_else(|| corrupt("revocation_cause", &cause))?,
                at: time::from_db(get(row, "revoked_at")?)?,
            }
        }
        other => return Err(corrupt("state", other)),
    };
    let proofing: Option<String> = get(row, "proofing")?;
    let proofing: Option<Proofing> = proofing
        .map(|p| serde_json::from_str(&p).map_err(|e| corrupt("proofing", e)))
        .transpose()?;
    let police_report = match (
        get::<Option<String>>(row, "police_report_ref")?,
        get::<Option<i64>>(row, "police_report_at")?,
    ) {
        (Some(reference), Some(at)) => Some(PoliceReport {
            reference,
            recorded_at: time::from_db(at)?,
        }),
        _ => None,
    };
    let username: i64 = get(row, "username")?;
    Ok(DigitalIdentity::restore(IdentitySnapshot {
        id: get::<String>(row, "id")?
            .parse()
            .map_err(|e| corrupt("id", e))?,
        holder_id: get::<String>(row, "holder_id")?
            .parse()
            .map_err(|e| corrupt("holder_id", e))?,
        username: u64::try_from(username)
            .ok()
            .and_then(LoginNumber::new)
            .ok_or_else(|| corrupt("username", username))?,
        state,
        requested_at: time::from_db(get(row, "requested_at")?)?,
        activated_at: time::opt_from_db(get(row, "activated_at")?)?,
        last_used_at: time::opt_from_db(get(row, "last_used_at")?)?,
        proofing,
        police_report,
    }))
}
