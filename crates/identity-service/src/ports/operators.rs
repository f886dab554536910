//! Storage of operator accounts and of the decisions awaiting a second operator.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::StoreError;
use crate::model::{Approval, Operator};

/// Part of [`super::StoreTx`]: methods work inside the transaction.
#[async_trait]
pub trait OperatorTx: Send {
    /// Stores a new operator with the SHA-256 of its token. MUST return
    /// `Duplicate("operator")` if the name is taken.
    async fn insert_operator(
        &mut self,
        operator: &Operator,
        token_hash: &str,
    ) -> Result<(), StoreError>;

    /// The operator whose token has this hash. MUST return `NotFound` if none.
    async fn operator_by_token_hash(&mut self, token_hash: &str) -> Result<Operator, StoreError>;

    /// The operator called `name`, locked until the transaction ends. MUST return
    /// `NotFound` if none.
    async fn operator_for_update(&mut self, name: &str) -> Result<Operator, StoreError>;

    /// Every operator, by name.
    async fn operators(&mut self) -> Result<Vec<Operator>, StoreError>;

    /// Saves `disabled_at`, `last_used_at` and the role. MUST return `NotFound` if absent.
    async fn update_operator(&mut self, operator: &Operator) -> Result<(), StoreError>;

    /// Notes an authenticated command of an enabled operator (nothing else of
    /// the row changes, so a concurrent disable is never undone).
    async fn touch_operator(&mut self, id: Uuid, at: DateTime<Utc>) -> Result<(), StoreError>;

    /// Locks every enabled admin's row until the transaction ends and says how
    /// many there are, so that two admins cannot disable each other at once.
    async fn lock_enabled_admins(&mut self) -> Result<u64, StoreError>;

    /// Replaces the operator's token hash. MUST return `NotFound` if absent.
    async fn set_operator_token(&mut self, id: Uuid, token_hash: &str) -> Result<(), StoreError>;

    /// Takes the one-time right to add the first operator without a token:
    /// `true` once, `false` ever after (also when another process took it).
    async fn claim_bootstrap(&mut self, at: DateTime<Utc>) -> Result<bool, StoreError>;

    /// Stores a new approval request.
    async fn insert_approval(&mut self, approval: &Approval) -> Result<(), StoreError>;

    /// The approval `id`, locked until the transaction ends. MUST return `NotFound` if none.
    async fn approval_for_update(&mut self, id: Uuid) -> Result<Approval, StoreError>;

    /// Saves an approval's decision. MUST return `NotFound` if absent.
    async fn update_approval(&mut self, approval: &Approval) -> Result<(), StoreError>;

    /// Approvals in `state` (all with `None`), oldest first, at most `limit`.
    async fn approvals(
        &mut self,
        state: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Approval>, StoreError>;
}
