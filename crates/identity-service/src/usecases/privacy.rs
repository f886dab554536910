//! Privacy and communications: the consents in force, giving or withdrawing one
//! (the marketing switch is the marketing consent), and the holder's own data as
//! one JSON document (GDPR art. 15 and 20). Every change and every export is audited.

use chrono::{DateTime, Utc};
use identity_core::consent::{ConsentKind, PRIVACY_NOTICE_VERSION};
use identity_core::identity::Actor;
use identity_core::{ConsentDecision, HolderId, LoginId};
use serde_json::{Value, json};

use crate::AuditQuery;
use crate::ports::StoreError;
use crate::service::{Service, audit};

/// One consent as it stands.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConsentStatus {
    /// Which.
    pub kind: ConsentKind,
    /// Given now.
    pub given: bool,
    /// When the decision in force was made.
    pub since: Option<DateTime<Utc>>,
}

impl Service {
    /// The consents in force, one per kind, with the time of the decision.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %holder))]
    pub async fn consents(&self, holder: HolderId) -> Result<Vec<ConsentStatus>, StoreError> {
        let mut tx = self.store.begin_read().await?;
        tx.holder(holder).await?;
        let history = tx.consents_of(holder).await?;
        Ok(ConsentKind::ALL
            .into_iter()
            .map(|kind| {
                let last = history
                    .iter()
                    .filter(|d| d.kind == kind)
                    .max_by_key(|d| d.at);
                ConsentStatus {
                    kind,
                    given: last.is_some_and(|d| d.given),
                    since: last.map(|d| d.at),
                }
            })
            .collect())
    }

    /// Gives or withdraws a consent; a decision equal to the one in force records
    /// nothing. Returns whether anything changed.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %holder))]
    pub async fn set_consent(
        &self,
        holder: HolderId,
        kind: ConsentKind,
        given: bool,
        actor: &Actor,
    ) -> Result<bool, StoreError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        tx.holder_for_update(holder).await?;
        let history = tx.consents_of(holder).await?;
        let current = history
            .iter()
            .filter(|d| d.kind == kind)
            .max_by_key(|d| d.at)
            .is_some_and(|d| d.given);
        if current == given {
            return Ok(false);
        }
        let decision = ConsentDecision {
            kind,
            given,
            notice_version: PRIVACY_NOTICE_VERSION.to_owned(),
            at: now,
        };
        tx.insert_consent(holder, &decision).await?;
        let event = if given {
            "consent.given"
        } else {
            "consent.withdrawn"
        };
        audit(
            tx.as_mut(),
            now,
            &actor.to_audit_string(),
            event,
            Some(holder),
            json!({ "kind": kind.code(), "notice_version": PRIVACY_NOTICE_VERSION }),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Everything kept about the holder, as one JSON document: holder data, logins,
    /// digital identities with their proofing, consents with their history,
    /// correction requests, orders, sessions and the audit trail. Never secrets:
    /// no password hashes, tokens or codes. The export itself is audited.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %holder_id))]
    pub async fn export_holder_data(
        &self,
        holder_id: HolderId,
        actor: &Actor,
    ) -> Result<Value, StoreError> {
        let now = self.clock.now();
        let mut tx = self.store.begin_read().await?;
        let holder = tx.holder(holder_id).await?;
        let domain = &self.config.login_domain;
        let logins: Vec<Value> = tx
            .logins_of(holder_id)
            .await?
            .iter()
            .map(|l| {
                json!({
                    "login_id": LoginId::new(l.number(), domain).to_string(),
                    "status": l.status(),
                    "created_at": l.created_at(),
                })
            })
            .collect();
        let identities: Vec<Value> = tx
            .identities_of(holder_id)
            .await?
            .iter()
            .map(|i| {
                json!({
                    "id": i.id(),
                    "username": LoginId::new(i.username(), domain).to_string(),
                    "state": i.state().code(),
                    "requested_at": i.requested_at(),
                    "activated_at": i.activated_at(),
                    "last_used_at": i.last_used_at(),
                    "proofing": i.proofing(),
                })
            })
            .collect();
        let consents = tx.consents_of(holder_id).await?;
        let corrections = tx.corrections_of(holder_id).await?;
        let orders = tx.orders_of(holder_id).await?;
        let sessions = tx.sessions_of(holder_id).await?;
        let trail = tx
            .audit(&AuditQuery {
                holder_id: Some(holder_id),
                limit: 10_000,
                ..AuditQuery::default()
            })
            .await?;
        drop(tx);
        let document = json!({
            "exported_at": now,
            "holder": crate::usecases::export::holder_json(&holder),
            "logins": logins,
            "digital_identities": identities,
            "consents": consents,
            "correction_requests": corrections,
            "orders": orders,
            "sessions": sessions,
            "audit_trail": trail,
        });
        let mut tx = self.store.begin().await?;
        audit(
            tx.as_mut(),
            now,
            &actor.to_audit_string(),
            "holder.data_exported",
            Some(holder_id),
            json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(document)
    }
}
