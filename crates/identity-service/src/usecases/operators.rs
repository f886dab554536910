//! Operator accounts of the admin CLI: added by an admin (the first one once,
//! without a token), authenticated by a bearer token shown once and stored as its
//! SHA-256, with a role that bounds what each command may do.

use serde_json::json;
use uuid::Uuid;

use crate::error::{Found, InfraError, infra_error};
use crate::model::{Operator, OperatorRole};
use crate::ports::StoreError;
use crate::service::{Service, audit};
use crate::usecases::api_clients::{TOUCH_EVERY, is_account_name, token_hash};

/// Prefix of every operator token, so a leaked one is easy to recognise.
pub const OPERATOR_TOKEN_PREFIX: &str = "idop_";

/// Why an operator command was refused. Nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum OperatorError {
    /// Names have 1-64 letters, digits, `-`, `_` or `.`.
    #[error("an operator name has 1-64 letters, digits, '-', '_' or '.'")]
    BadName,
    /// The name is taken.
    #[error("an operator with that name exists")]
    Duplicate,
    /// No operator of that name.
    #[error("no such operator")]
    NotFound,
    /// The token is unknown, or its operator is disabled.
    #[error("the operator token is not valid (unknown, or its operator is disabled)")]
    BadToken,
    /// The operator's role does not allow it.
    #[error("operator {name} is {has}; this needs {needs}")]
    Forbidden {
        /// Who tried.
        name: String,
        /// Its role.
        has: &'static str,
        /// The role needed.
        needs: &'static str,
    },
    /// Operators exist already: the first one was added.
    #[error("the first operator was already added; an admin adds the others")]
    AlreadyBootstrapped,
    /// Disabling it would leave no enabled admin.
    #[error("this is the last enabled admin")]
    LastAdmin,
    /// The machinery failed (storage, hashing, sealing): nothing the user can fix.
    #[error(transparent)]
    Infra(#[from] InfraError),
}

infra_error!(OperatorError);

impl Operator {
    /// The audit log's actor for this operator.
    #[must_use]
    pub fn actor(&self) -> identity_core::identity::Actor {
        identity_core::identity::Actor::Operator(self.name.clone())
    }

    /// `Ok` when this (enabled) operator's role is at least `needed`.
    pub fn require(&self, needed: OperatorRole) -> Result<(), OperatorError> {
        if self.disabled_at.is_some() {
            return Err(OperatorError::BadToken);
        }
        if self.role < needed {
            return Err(OperatorError::Forbidden {
                name: self.name.clone(),
                has: self.role.code(),
                needs: needed.code(),
            });
        }
        Ok(())
    }
}

fn valid_name(name: &str) -> Result<&str, OperatorError> {
    let name = name.trim();
    if is_account_name(name) {
        Ok(name)
    } else {
        Err(OperatorError::BadName)
    }
}

impl Service {
    /// Adds the first operator, an admin, without a token: allowed once per
    /// database, while no operator exists. Returns it with its token.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn bootstrap_operator(
        &self,
        name: &str,
    ) -> Result<(Operator, String), OperatorError> {
        let name = valid_name(name)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        if !tx.operators().await?.is_empty() || !tx.claim_bootstrap(now).await? {
            return Err(OperatorError::AlreadyBootstrapped);
        }
        let token = self.new_token(OPERATOR_TOKEN_PREFIX);
        let operator = Operator {
            id: Uuid::now_v7(),
            name: name.to_owned(),
            role: OperatorRole::Admin,
            created_by: "bootstrap".into(),
            created_at: now,
            disabled_at: None,
            last_used_at: None,
        };
        tx.insert_operator(&operator, &token_hash(&token))
            .await
            .or_duplicate(OperatorError::Duplicate)?;
        audit(
            tx.as_mut(),
            now,
            "bootstrap",
            "operator.added",
            None,
            json!({ "name": operator.name, "role": operator.role.code() }),
        )
        .await?;
        tx.commit().await?;
        Ok((operator, token))
    }

    /// An admin adds an operator. Returns it with its token: the only time the
    /// token is visible.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), operator = %by.name))]
    pub async fn add_operator(
        &self,
        name: &str,
        role: OperatorRole,
        by: &Operator,
    ) -> Result<(Operator, String), OperatorError> {
        by.require(OperatorRole::Admin)?;
        let name = valid_name(name)?;
        let now = self.clock.now();
        let token = self.new_token(OPERATOR_TOKEN_PREFIX);
        let operator = Operator {
            id: Uuid::now_v7(),
            name: name.to_owned(),
            role,
            created_by: by.actor().to_audit_string(),
            created_at: now,
            disabled_at: None,
            last_used_at: None,
        };
        let mut tx = self.store.begin().await?;
        // Adding one closes the bootstrap for good, even if it was never used.
        let _ = tx.claim_bootstrap(now).await?;
        tx.insert_operator(&operator, &token_hash(&token))
            .await
            .or_duplicate(OperatorError::Duplicate)?;
        audit(
            tx.as_mut(),
            now,
            &by.actor().to_audit_string(),
            "operator.added",
            None,
            json!({ "name": operator.name, "role": role.code() }),
        )
        .await?;
        tx.commit().await?;
        Ok((operator, token))
    }

    /// The operator holding `token`, if it is enabled. Notes the use (at most
    /// once a minute).
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn authenticate_operator(&self, token: &str) -> Result<Operator, OperatorError> {
        let token = token.trim();
        if !token.starts_with(OPERATOR_TOKEN_PREFIX) {
            return Err(OperatorError::BadToken);
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut operator = match tx.operator_by_token_hash(&token_hash(token)).await {
            Ok(o) if o.disabled_at.is_none() => o,
            Ok(_) | Err(StoreError::NotFound) => return Err(OperatorError::BadToken),
            Err(e) => return Err(e.into()),
        };
        if operator
            .last_used_at
            .is_none_or(|at| now - at >= TOUCH_EVERY)
        {
            operator.last_used_at = Some(now);
            tx.touch_operator(operator.id, now).await?;
            tx.commit().await?;
        }
        Ok(operator)
    }

    /// Every operator, by name.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn operators(&self) -> Result<Vec<Operator>, StoreError> {
        let mut tx = self.store.begin_read().await?;
        tx.operators().await
    }

    /// An admin disables an operator: its token stops working at once. The last
    /// enabled admin cannot be disabled.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), operator = %by.name))]
    pub async fn disable_operator(
        &self,
        name: &str,
        by: &Operator,
    ) -> Result<Operator, OperatorError> {
        by.require(OperatorRole::Admin)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut operator = tx
            .operator_for_update(name.trim())
            .await
            .or_missing(OperatorError::NotFound)?;
        if operator.disabled_at.is_some() {
            return Ok(operator);
        }
        if operator.role == OperatorRole::Admin && tx.lock_enabled_admins().await? <= 1 {
            return Err(OperatorError::LastAdmin);
        }
        operator.disabled_at = Some(now);
        tx.update_operator(&operator).await?;
        audit(
            tx.as_mut(),
            now,
            &by.actor().to_audit_string(),
            "operator.disabled",
            None,
            json!({ "name": operator.name }),
        )
        .await?;
        tx.commit().await?;
        Ok(operator)
    }

    /// An admin gives an operator a new token (the old one stops working), for
    /// a lost or leaked token.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), operator = %by.name))]
    pub async fn reissue_operator_token(
        &self,
        name: &str,
        by: &Operator,
    ) -> Result<(Operator, String), OperatorError> {
        by.require(OperatorRole::Admin)?;
        let now = self.clock.now();
        let token = self.new_token(OPERATOR_TOKEN_PREFIX);
        let mut tx = self.store.begin().await?;
        let operator = tx
            .operator_for_update(name.trim())
            .await
            .or_missing(OperatorError::NotFound)?;
        if operator.disabled_at.is_some() {
            return Err(OperatorError::NotFound);
        }
        tx.set_operator_token(operator.id, &token_hash(&token))
            .await?;
        audit(
            tx.as_mut(),
            now,
            &by.actor().to_audit_string(),
            "operator.token_reissued",
            None,
            json!({ "name": operator.name }),
        )
        .await?;
        tx.commit().await?;
        Ok((operator, token))
    }

    /// Audits an operator's act that changes nothing by itself or whose changes
    /// are audited under another actor: a bulk export of personal data
    /// (`operator.exported`), a run of the calendar jobs (`jobs.run`).
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), operator = %by.name, holder = ?holder))]
    pub async fn audit_operator_act(
        &self,
        by: &Operator,
        event: &str,
        holder: Option<identity_core::HolderId>,
        details: serde_json::Value,
    ) -> Result<(), StoreError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        audit(
            tx.as_mut(),
            now,
            &by.actor().to_audit_string(),
            event,
            holder,
            details,
        )
        .await?;
        tx.commit().await
    }
}
