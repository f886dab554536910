//! Storage of sessions, found by the hash of their token, listed and ended per holder.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use identity_core::{HolderId, LoginNumber, Session, SessionArea};
use uuid::Uuid;

use super::StoreError;

/// Part of [`super::StoreTx`]: methods work inside the transaction.
#[async_trait]
pub trait SessionTx: Send {
    /// Stores a new session under the hash of its token. MUST return
    /// `Duplicate("session")` if the hash or the id exists.
    async fn insert_session(
        &mut self,
        token_hash: &str,
        session: &Session,
    ) -> Result<(), StoreError>;
    /// The session whose token hashes to `token_hash`. MUST return `NotFound` if none.
    async fn session_by_token_hash(&mut self, token_hash: &str) -> Result<Session, StoreError>;
    /// Records a request on the session at `at`.
    async fn touch_session(
        &mut self,
        token_hash: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Ends the session with this token hash; ending one already gone is not an error.
    async fn delete_session_by_token_hash(&mut self, token_hash: &str) -> Result<(), StoreError>;
    /// The holder's sessions, newest first.
    async fn sessions_of(&mut self, holder: HolderId) -> Result<Vec<Session>, StoreError>;
    /// Ends the holder's sessions that match `filter` and returns how many ended.
    async fn delete_sessions(
        &mut self,
        holder: HolderId,
        filter: &SessionFilter,
    ) -> Result<u64, StoreError>;
}

/// Which of a holder's sessions to end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SessionFilter {
    /// Only the session with this public id.
    pub id: Option<Uuid>,
    /// Only sessions of this area.
    pub area: Option<SessionArea>,
    /// Only sessions opened with this login.
    pub login: Option<LoginNumber>,
    /// Only sessions signed in at this level or higher (those that used a
    /// credential level being removed).
    pub min_level: Option<identity_core::CredentialLevel>,
}
