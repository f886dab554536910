//! Clients of the JSON API: registered by operators with a name and scopes, they
//! present a bearer token (shown once at creation, stored as its SHA-256) and every
//! call is audited under `api:<name>`.

use identity_core::identity::Actor;
use serde_json::json;
use uuid::Uuid;

use crate::error::{Found, InfraError, infra_error};
use crate::model::{ApiClient, ApiScope};
use crate::ports::StoreError;
use crate::service::{Service, audit};

/// Prefix of every API token, so a leaked one is easy to recognise in logs and
/// secret scanners.
pub const TOKEN_PREFIX: &str = "idk_";

/// How much `last_used_at` must move before it is written again.
pub(crate) const TOUCH_EVERY: chrono::Duration = chrono::Duration::minutes(1);

/// Whether `name` is fit to name an API client or an operator in the audit log:
/// 1-64 ASCII letters, digits, `-`, `_` or `.`.
pub(crate) fn is_account_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

/// The SHA-256 of a bearer token (API clients, operators), as stored.
pub(crate) fn token_hash(token: &str) -> String {
    crate::sha256_hex(token)
}

/// Why a client was not added.
#[derive(Debug, thiserror::Error)]
pub enum ApiClientError {
    /// The name is empty, too long, or has characters other than letters, digits,
    /// `-`, `_` and `.`.
    #[error("a client name has 1-64 letters, digits, '-', '_' or '.'")]
    BadName,
    /// No scope was given.
    #[error("at least one scope is required")]
    NoScope,
    /// A client with that name exists.
    #[error("a client with that name exists")]
    Duplicate,
    /// No client of that name (that is not revoked).
    #[error("no such client")]
    NotFound,
    /// The machinery failed (storage, hashing, sealing): nothing the user can fix.
    #[error(transparent)]
    Infra(#[from] InfraError),
}

infra_error!(ApiClientError);

impl Service {
    /// Registers a client and returns it with its token: the only time the token
    /// is visible.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn add_api_client(
        &self,
        name: &str,
        scopes: &[ApiScope],
        operator: &Actor,
    ) -> Result<(ApiClient, String), ApiClientError> {
        let name = name.trim();
        if !is_account_name(name) {
            return Err(ApiClientError::BadName);
        }
        if scopes.is_empty() {
            return Err(ApiClientError::NoScope);
        }
        let mut scopes = scopes.to_vec();
        scopes.sort();
        scopes.dedup();
        let now = self.clock.now();
        let token = self.new_token(TOKEN_PREFIX);
        let client = ApiClient {
            id: Uuid::now_v7(),
            name: name.to_owned(),
            scopes,
            created_by: operator.to_audit_string(),
            created_at: now,
            revoked_at: None,
            last_used_at: None,
        };
        let mut tx = self.store.begin().await?;
        tx.insert_api_client(&client, &token_hash(&token))
            .await
            .or_duplicate(ApiClientError::Duplicate)?;
        let scopes: Vec<&str> = client.scopes.iter().map(|s| s.code()).collect();
        audit(
            tx.as_mut(),
            now,
            &operator.to_audit_string(),
            "api_client.added",
            None,
            json!({ "name": client.name, "scopes": scopes }),
        )
        .await?;
        tx.commit().await?;
        Ok((client, token))
    }

    /// Every client, oldest first.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn api_clients(&self) -> Result<Vec<ApiClient>, StoreError> {
        let mut tx = self.store.begin_read().await?;
        tx.api_clients().await
    }

    /// Revokes a client: its token stops working at once.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn revoke_api_client(
        &self,
        name: &str,
        operator: &Actor,
    ) -> Result<(), ApiClientError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        tx.revoke_api_client(name.trim(), now)
            .await
            .or_missing(ApiClientError::NotFound)?;
        audit(
            tx.as_mut(),
            now,
            &operator.to_audit_string(),
            "api_client.revoked",
            None,
            json!({ "name": name.trim() }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The client a bearer token belongs to, if it is known and not revoked.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn authenticate_api_client(
        &self,
        token: &str,
    ) -> Result<Option<ApiClient>, StoreError> {
        if !token.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let hash = token_hash(token);
        let mut tx = self.store.begin_read().await?;
        let client = match tx.api_client_by_token_hash(&hash).await {
            Ok(c) if c.revoked_at.is_none() => c,
            Ok(_) | Err(StoreError::NotFound) => return Ok(None),
            Err(e) => return Err(e),
        };
        drop(tx);
        let now = self.clock.now();
        if client.last_used_at.is_none_or(|t| now - t >= TOUCH_EVERY) {
            let mut tx = self.store.begin().await?;
            tx.touch_api_client(client.id, now).await?;
            tx.commit().await?;
        }
        Ok(Some(client))
    }

    /// Records an API call in the audit log under `api:<name>`.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = ?holder))]
    pub async fn audit_api_call(
        &self,
        client: &ApiClient,
        event: &str,
        holder: Option<identity_core::HolderId>,
        details: serde_json::Value,
    ) -> Result<(), StoreError> {
        let mut tx = self.store.begin().await?;
        audit(
            tx.as_mut(),
            self.clock.now(),
            &Actor::Api(client.name.clone()).to_audit_string(),
            event,
            holder,
            details,
        )
        .await?;
        tx.commit().await
    }
}
