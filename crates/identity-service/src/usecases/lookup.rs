//! Read-only look-ups for operators and the customer area.

use identity_core::identity::DigitalIdentity;
use identity_core::{EmailAddress, Holder, HolderId, Login, LoginId, TaxCode, VatNumber};

use crate::ports::StoreError;
use crate::service::Service;

/// A holder with its logins and identities.
#[derive(Debug, Clone)]
pub struct HolderOverview {
    /// The holder.
    pub holder: Holder,
    /// Its logins, oldest first.
    pub logins: Vec<Login>,
    /// Its identities, newest first.
    pub identities: Vec<DigitalIdentity>,
}

impl Service {
    /// One holder's data alone. `NotFound` if there is none.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %id))]
    pub async fn holder(&self, id: HolderId) -> Result<Holder, StoreError> {
        let mut tx = self.store.begin_read().await?;
        tx.holder(id).await
    }

    /// Everything about one holder. `NotFound` if there is none.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %id))]
    pub async fn holder_overview(&self, id: HolderId) -> Result<HolderOverview, StoreError> {
        let mut tx = self.store.begin_read().await?;
        let holder = tx.holder(id).await?;
        let logins = tx.logins_of(id).await?;
        let identities = tx.identities_of(id).await?;
        Ok(HolderOverview {
            holder,
            logins,
            identities,
        })
    }

    /// The holder's orders, newest first.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %id))]
    pub async fn orders_of(&self, id: HolderId) -> Result<Vec<identity_core::Order>, StoreError> {
        let mut tx = self.store.begin_read().await?;
        tx.orders_of(id).await
    }

    /// Finds holders by holder id, login id (or bare login number), tax code, VAT
    /// number or reference email, whichever `query` parses as.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn find_holders(&self, query: &str) -> Result<Vec<HolderId>, StoreError> {
        let q = query.trim();
        if let Ok(id) = q.parse::<HolderId>() {
            return Ok(vec![id]);
        }
        let mut tx = self.store.begin_read().await?;
        let mut found: Vec<HolderId> = Vec::new();
        let mut add = |id: HolderId| {
            if !found.contains(&id) {
                found.push(id);
            }
        };
        // An 11-digit string can be a tax code, a VAT number and a login number at once.
        if let Ok(code) = TaxCode::parse(q) {
            tx.holders_by_fiscal_code(code.as_str(), false)
                .await?
                .iter()
                .for_each(|h| add(h.id()));
        }
        if let Ok(vat) = VatNumber::parse(q) {
            tx.holders_by_fiscal_code(vat.as_str(), true)
                .await?
                .iter()
                .for_each(|h| add(h.id()));
        }
        if let Ok(email) = EmailAddress::parse(q) {
            tx.holders_by_email(&email.normalized())
                .await?
                .iter()
                .for_each(|h| add(h.id()));
        }
        if let Ok(login_id) = LoginId::parse(q, &self.config.login_domain) {
            match tx.login(login_id.number()).await {
                Ok(login) => add(login.holder_id()),
                Err(StoreError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(found)
    }

    /// The audit-log entries matching `query`, oldest first.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn audit_trail(
        &self,
        query: &crate::model::AuditQuery,
    ) -> Result<Vec<crate::model::AuditRecord>, StoreError> {
        let mut tx = self.store.begin_read().await?;
        tx.audit(query).await
    }
}
