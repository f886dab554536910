//! Sessions: opened after a successful sign-in, found again by the token the
//! client holds, ended on sign-out, by the holder from its list of sessions, or
//! when the identity they were opened for stops being usable.

use identity_core::credentials::random_token;
use identity_core::{CredentialLevel, HolderId, LoginNumber, Session, SessionArea};
use serde_json::json;
use uuid::Uuid;

use crate::ports::{SessionFilter, StoreError};
use crate::service::{Service, audit};
use crate::usecases::sign_in::SignedIn;

/// The secret the client holds (in a cookie). Never logged; only its hash is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    /// A new random token (256 bits) drawn from `random`.
    #[must_use]
    pub fn generate(random: &dyn crate::ports::Randomness) -> SessionToken {
        SessionToken(random_token(&mut crate::ports::RngOf(random)))
    }

    /// Wraps a token received from a client.
    #[must_use]
    pub fn from_client(token: &str) -> SessionToken {
        SessionToken(token.to_owned())
    }

    /// The token, to put in the cookie.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The SHA-256 of the token, hex: what storage keys sessions by. A fast hash is
    /// right here: the token has 256 random bits, nothing to guess.
    #[must_use]
    pub fn hash(&self) -> String {
        crate::sha256_hex(&self.0)
    }
}

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken(..)")
    }
}

/// How much a request must move `last_seen_at` before it is written: sessions are
/// read on every request, and a write per request would be wasted work.
const TOUCH_EVERY: chrono::Duration = chrono::Duration::minutes(1);

impl Service {
    /// Opens a session after a successful sign-in. The caller sets the token in a
    /// cookie; a new token at every sign-in (and level change) defeats fixation.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %signed_in.holder_id, level = level.as_u8()))]
    pub async fn open_session(
        &self,
        signed_in: &SignedIn,
        area: SessionArea,
        level: CredentialLevel,
        client_ip: Option<&str>,
        user_agent: Option<&str>,
    ) -> Result<(SessionToken, Session), StoreError> {
        self.open_session_for(
            signed_in.holder_id,
            signed_in.login.number(),
            area,
            level,
            client_ip,
            user_agent,
        )
        .await
    }

    /// Opens a session for `login` of `holder` (see [`Service::open_session`]).
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %holder, login = %login, level = level.as_u8()))]
    pub async fn open_session_for(
        &self,
        holder: HolderId,
        login: LoginNumber,
        area: SessionArea,
        level: CredentialLevel,
        client_ip: Option<&str>,
        user_agent: Option<&str>,
    ) -> Result<(SessionToken, Session), StoreError> {
        let (token, session) =
            self.session_to_open(holder, login, area, level, client_ip, user_agent);
        let mut tx = self.store.begin().await?;
        record_opened_session(tx.as_mut(), &token, &session).await?;
        tx.commit().await?;
        Ok((token, session))
    }

    /// A new session (not stored yet) and its token, for `login` of `holder`.
    pub(crate) fn session_to_open(
        &self,
        holder: HolderId,
        login: LoginNumber,
        area: SessionArea,
        level: CredentialLevel,
        client_ip: Option<&str>,
        user_agent: Option<&str>,
    ) -> (SessionToken, Session) {
        let now = self.clock.now();
        let token = SessionToken::generate(self.random.as_ref());
        let session = Session {
            id: Uuid::now_v7(),
            holder_id: holder,
            login,
            area,
            level,
            created_at: now,
            last_seen_at: now,
            client_ip: client_ip.map(str::to_owned),
            user_agent: user_agent.map(|ua| ua.chars().take(200).collect()),
            reauthenticated_at: None,
        };
        (token, session)
    }

    /// The live session of `token`, recording the request; `None` for an unknown
    /// token or an expired session (which is removed).
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn session(&self, token: &SessionToken) -> Result<Option<Session>, StoreError> {
        let now = self.clock.now();
        let hash = token.hash();
        // Read without the write lock: this runs on every page view.
        let mut read = self.store.begin_read().await?;
        let found = read.session_by_token_hash(&hash).await;
        drop(read);
        let mut session = match found {
            Ok(s) => s,
            Err(StoreError::NotFound) => return Ok(None),
            Err(e) => return Err(e),
        };
        let live = session.is_live(&self.config.session_policy, now);
        if live && now - session.last_seen_at < TOUCH_EVERY {
            return Ok(Some(session));
        }
        let mut tx = self.store.begin().await?;
        if live {
            tx.touch_session(&hash, now).await?;
            session.last_seen_at = now;
        } else {
            tx.delete_session_by_token_hash(&hash).await?;
        }
        tx.commit().await?;
        Ok(live.then_some(session))
    }

    /// Signs out: ends the session of `token` on the server.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn end_session(&self, token: &SessionToken) -> Result<(), StoreError> {
        let now = self.clock.now();
        let hash = token.hash();
        let mut tx = self.store.begin().await?;
        if let Ok(session) = tx.session_by_token_hash(&hash).await {
            tx.delete_session_by_token_hash(&hash).await?;
            let actor = format!("holder:{}", session.holder_id);
            let details = json!({ "session": session.id });
            audit(
                tx.as_mut(),
                now,
                &actor,
                "session.ended",
                Some(session.holder_id),
                details,
            )
            .await?;
        }
        tx.commit().await
    }

    /// The holder's sessions, newest first.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %holder))]
    pub async fn sessions_of(&self, holder: HolderId) -> Result<Vec<Session>, StoreError> {
        let mut tx = self.store.begin_read().await?;
        tx.sessions_of(holder).await
    }

    /// Ends one of the holder's own sessions by its public id. `NotFound` if the
    /// holder has no such session.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), holder = %holder, id = %id))]
    pub async fn end_holder_session(&self, holder: HolderId, id: Uuid) -> Result<(), StoreError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let ended = tx
            .delete_sessions(
                holder,
                &SessionFilter {
                    id: Some(id),
                    ..SessionFilter::default()
                },
            )
            .await?;
        if ended == 0 {
            return Err(StoreError::NotFound);
        }
        let details = json!({ "session": id });
        audit(
            tx.as_mut(),
            now,
            &format!("holder:{holder}"),
            "session.ended",
            Some(holder),
            details,
        )
        .await?;
        tx.commit().await
    }
}

/// Stores `session` under its token's hash, with its audit record, inside `tx`.
pub(crate) async fn record_opened_session(
    tx: &mut dyn crate::ports::StoreTx,
    token: &SessionToken,
    session: &Session,
) -> Result<(), StoreError> {
    tx.insert_session(&token.hash(), session).await?;
    let actor = format!("holder:{}", session.holder_id);
    let details = json!({
        "session": session.id,
        "area": session.area.code(),
        "level": session.level.as_u8(),
        "client_ip": session.client_ip,
    });
    audit(
        tx,
        session.created_at,
        &actor,
        "session.started",
        Some(session.holder_id),
        details,
    )
    .await
}
