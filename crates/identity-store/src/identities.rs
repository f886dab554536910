//! Digital identities: the `identities` table's queries and its row mapper. The
//! state enum is flattened into nullable columns, the proofing record is JSON.

use async_trait::async_trait;
use identity_core::HolderId;
use identity_core::identity::{
    DigitalIdentity, IdentitySnapshot, IdentityState, PoliceReport, Proofing, RevocationCause,
    SuspensionReason,
};
use identity_core::ids::IdentityId;
use identity_service::StoreError;
use identity_service::ports::IdentityTx;
use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;

use crate::sql::{AnyQuery, Columns, Run, SqlTx, touched};
use crate::time;

pub(crate) const INSERT_IDENTITY: &str = "INSERT INTO identities (id, holder_id, username, tax_code, state, \
     suspension_reason, suspended_since, suspension_deadline, revocation_cause, revoked_at, requested_at, \
     activated_at, last_used_at, proofing, police_report_ref, police_report_at, document_expires_on) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) ON CONFLICT DO NOTHING";

pub(crate) const UPDATE_IDENTITY: &str = "UPDATE identities SET state = $5, suspension_reason = $6, \
     suspended_since = $7, suspension_deadline = $8, revocation_cause = $9, revoked_at = $10, requested_at = $11, \
     activated_at = $12, last_used_at = $13, proofing = $14, police_report_ref = $15, police_report_at = $16, \
     document_expires_on = $17 WHERE id = $1 AND holder_id = $2 AND username = $3 AND tax_code = $4";

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

/// Rebuilds an identity from a `SELECT * FROM identities` row.
pub(crate) fn identity_from_row(row: &AnyRow) -> Result<DigitalIdentity, StoreError> {
    let c = Columns::of(row, "identity");
    let state = match c.text("state")?.as_str() {
        "pending" => IdentityState::Pending,
        "active" => IdentityState::Active,
        "suspended" => IdentityState::Suspended {
            reason: c.decoded("suspension_reason", SuspensionReason::from_code)?,
            since: c.time("suspended_since")?,
            deadline: c.opt_time("suspension_deadline")?,
        },
        "revoked" => IdentityState::Revoked {
            cause: c.decoded("revocation_cause", RevocationCause::from_code)?,
            at: c.time("revoked_at")?,
        },
        other => return Err(c.corrupt("state", other)),
    };
    let proofing: Option<Proofing> = c
        .opt_text("proofing")?
        .map(|p| serde_json::from_str(&p).map_err(|e| c.corrupt("proofing", e)))
        .transpose()?;
    let police_report = match (
        c.opt_text("police_report_ref")?,
        c.opt_time("police_report_at")?,
    ) {
        (Some(reference), Some(recorded_at)) => Some(PoliceReport {
            reference,
            recorded_at,
        }),
        _ => None,
    };
    Ok(DigitalIdentity::restore(IdentitySnapshot {
        id: c.parsed("id")?,
        holder_id: c.parsed("holder_id")?,
        username: c.login_number("username")?,
        state,
        requested_at: c.time("requested_at")?,
        activated_at: c.opt_time("activated_at")?,
        last_used_at: c.opt_time("last_used_at")?,
        proofing,
        police_report,
    }))
}

#[async_trait]
impl IdentityTx for SqlTx {
    #[tracing::instrument(name = "store.insert_identity", skip_all, level = "debug")]
    async fn insert_identity(
        &mut self,
        identity: &DigitalIdentity,
        tax_code: &str,
    ) -> Result<(), StoreError> {
        let done = bind_identity(sqlx::query(INSERT_IDENTITY), identity, tax_code)
            .insert_in(self, "identity")
            .await?;
        touched(&done, StoreError::Duplicate("identity"))
    }

    #[tracing::instrument(name = "store.identity_for_update", skip_all, level = "debug", fields(identity = %id))]
    async fn identity_for_update(&mut self, id: IdentityId) -> Result<DigitalIdentity, StoreError> {
        let sql = format!(
            "SELECT * FROM identities WHERE id = $1{}",
            self.backend.for_update()
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_one_in(self)
            .await?;
        identity_from_row(&row)
    }

    #[tracing::instrument(name = "store.identities_of", skip_all, level = "debug", fields(holder = %holder))]
    async fn identities_of(
        &mut self,
        holder: HolderId,
    ) -> Result<Vec<DigitalIdentity>, StoreError> {
        let rows =
            sqlx::query("SELECT * FROM identities WHERE holder_id = $1 ORDER BY requested_at DESC")
                .bind(holder.to_string())
                .fetch_all_in(self)
                .await?;
        rows.iter().map(identity_from_row).collect()
    }

    #[tracing::instrument(name = "store.update_identity", skip_all, level = "debug")]
    async fn update_identity(&mut self, identity: &DigitalIdentity) -> Result<(), StoreError> {
        let row = sqlx::query("SELECT tax_code FROM identities WHERE id = $1")
            .bind(identity.id().to_string())
            .fetch_one_in(self)
            .await?;
        let tax_code = Columns::of(&row, "identity").text("tax_code")?;
        let done = bind_identity(sqlx::query(UPDATE_IDENTITY), identity, &tax_code)
            .insert_in(self, "identity")
            .await?;
        touched(&done, StoreError::NotFound)
    }
}
