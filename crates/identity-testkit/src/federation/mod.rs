//! A local OpenID Federation over plain http on 127.0.0.1: a trust anchor, an
//! intermediate and a relying party (and, for the negative cases, a second
//! anchor nobody trusts and a second intermediate), each publishing its entity
//! configuration, the superiors answering at their fetch endpoints.
//!
//! Why a real server rather than a scripted [`EntityFetcher`]: the provider's
//! own fetcher (scheme and address checks, redirects, time and size limits) is
//! part of what a trust-chain test must exercise. Why every statement is
//! signed anew per request from a [`Setup`] the test can change: each negative
//! case (an expired or tampered statement, a policy conflict, a hanging or
//! oversized answer, a redirect elsewhere, a loop) is one switch, and
//! statements follow the test's manual clock, so they expire when the test
//! moves time on.
//!
//! The same fixture plays the relying party afterwards ([`LocalFederation::request_object`],
//! [`LocalFederation::client_assertion`], [`LocalFederation::decrypt`]), so
//! HTTP tests of the authorization and token endpoints can use the keys the
//! chain vouches for.
//!
//! [`EntityFetcher`]: identity_service::ports::EntityFetcher

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use identity_service::ports::SeededRandomness;
use identity_service::usecases::federation::settings::ConfiguredAnchor;
use identity_service::{Clock, ManualClock, Service, ServiceConfig};
use serde_json::{Map, Value, json};

use crate::app::{SEED, TestApp, start_time};

mod keys;
mod relying_party;
mod serve;

use serve::answer;

use keys::KEYS;

/// The fetch timeout [`LocalFederation::configure`] sets, in milliseconds:
/// short, so a hanging endpoint fails a test in well under a second.
pub const FETCH_TIMEOUT_MS: u64 = 800;

/// The largest answer [`LocalFederation::configure`] lets the provider read, in
/// bytes: above every statement the fixture signs normally, far below an
/// [`Setup::oversize`]d one.
pub const MAX_BYTES: usize = 16 * 1024;

/// How long a statement lives unless [`Setup::lifetimes`] says otherwise, in
/// seconds (a day).
pub const DEFAULT_LIFETIME: i64 = 86_400;

/// How long the trust anchor's statement about the intermediate lives by
/// default, in seconds (two hours).
pub const TA_ON_INT_LIFETIME: i64 = 7_200;

/// How long the intermediate's statement about the relying party lives by
/// default, in seconds (an hour): the earliest `exp` of the happy chain, so
/// its registration expires an hour after it is resolved.
pub const INT_ON_RP_LIFETIME: i64 = 3_600;

/// How long a hanging endpoint waits before it answers: well past
/// [`FETCH_TIMEOUT_MS`].
pub const HANG_FOR: Duration = Duration::from_secs(5);

/// The entities of the local federation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Entity {
    /// The trust anchor (`/ta`), the one the provider is configured with.
    Ta,
    /// A second anchor (`/ta2`) the provider does not know.
    Ta2,
    /// The intermediate (`/int`), subordinate of the anchor.
    Int,
    /// A second intermediate (`/int2`), for loops in `authority_hints`.
    Int2,
    /// The relying party (`/rp`), a leaf under the intermediate.
    Rp,
}

impl Entity {
    /// Every entity.
    pub const ALL: [Entity; 5] = [
        Entity::Ta,
        Entity::Ta2,
        Entity::Int,
        Entity::Int2,
        Entity::Rp,
    ];

    /// Its path under the server (`/ta`, `/int`, ...), which is also the path
    /// of its entity id.
    #[must_use]
    pub fn path(self) -> &'static str {
        match self {
            Entity::Ta => "/ta",
            Entity::Ta2 => "/ta2",
            Entity::Int => "/int",
            Entity::Int2 => "/int2",
            Entity::Rp => "/rp",
        }
    }

    /// Whether it answers at a fetch endpoint (every entity but the leaf).
    #[must_use]
    pub fn is_superior(self) -> bool {
        self != Entity::Rp
    }

    fn from_name(name: &str) -> Option<Entity> {
        Entity::ALL
            .into_iter()
            .find(|e| e.path().trim_start_matches('/') == name)
    }
}

/// One statement: its issuer and its subject (the same entity for an entity
/// configuration).
pub type Statement = (Entity, Entity);

/// What the federation serves, read on every request: change it with
/// [`LocalFederation::setup`] and the next fetch sees the change.
#[derive(Debug, Clone)]
pub struct Setup {
    /// Each entity's `authority_hints` (the relying party under the
    /// intermediate, the intermediate under the anchor, the second
    /// intermediate under the first, the anchors under nobody).
    pub authority_hints: BTreeMap<Entity, Vec<Entity>>,
    /// The `metadata_policy` of a superior's statement about a subordinate.
    pub policies: BTreeMap<Statement, Value>,
    /// The `metadata` of a superior's statement about a subordinate (laid over
    /// the subordinate's own by the provider).
    pub metadata: BTreeMap<Statement, Value>,
    /// How long statements live, in seconds ([`DEFAULT_LIFETIME`] when not
    /// listed).
    pub lifetimes: BTreeMap<Statement, i64>,
    /// Statements issued already expired (two hours ago, expired an hour ago).
    pub expired: BTreeSet<Statement>,
    /// Statements whose payload is changed after signing.
    pub tampered: BTreeSet<Statement>,
    /// The anchor's `constraints.max_path_length` (`None`: no constraint).
    pub ta_max_path_length: Option<usize>,
    /// The relying party's `openid_relying_party` metadata.
    pub rp_metadata: Map<String, Value>,
    /// Whether the relying party lists the anchor's trust mark.
    pub trust_mark: bool,
    /// Paths (no query) that answer only after a while: [`HANG_FOR`] for a
    /// hanging endpoint, less to hold a resolution open while other requests
    /// arrive.
    pub delays: BTreeMap<String, Duration>,
    /// Paths whose statements carry a padding claim of [`Setup::oversize_bytes`].
    pub oversized: BTreeSet<String>,
    /// Bytes of padding of an oversized answer.
    pub oversize_bytes: usize,
    /// Paths that redirect to the same path on `http://localhost:PORT`:
    /// the same server under another origin.
    pub redirected_elsewhere: BTreeSet<String>,
}

impl Setup {
    /// The relying party names only the anchor nobody configured (`/ta2`).
    pub fn only_unknown_anchor(&mut self) {
        self.authority_hints.insert(Entity::Rp, vec![Entity::Ta2]);
    }

    /// A loop: the relying party under the intermediate, the intermediate
    /// under the second intermediate, the second intermediate under the first.
    pub fn loop_of_intermediates(&mut self) {
        self.authority_hints.insert(Entity::Int, vec![Entity::Int2]);
        self.authority_hints.insert(Entity::Int2, vec![Entity::Int]);
    }

    /// `statement` issued already expired.
    pub fn expire(&mut self, statement: Statement) {
        self.expired.insert(statement);
    }

    /// `statement`'s payload changed after it was signed.
    pub fn tamper(&mut self, statement: Statement) {
        self.tampered.insert(statement);
    }

    /// The anchor fixes `token_endpoint_auth_method` to `client_secret_basic`
    /// while the intermediate fixes it to `private_key_jwt`: two `value`s that
    /// cannot be combined.
    pub fn conflicting_policies(&mut self) {
        if let Some(Value::Object(policy)) = self.policies.get_mut(&(Entity::Ta, Entity::Int))
            && let Some(Value::Object(rp)) = policy.get_mut("openid_relying_party")
        {
            rp.insert(
                "token_endpoint_auth_method".into(),
                json!({ "value": "client_secret_basic" }),
            );
        }
    }

    /// The relying party lists no trust mark.
    pub fn without_trust_mark(&mut self) {
        self.trust_mark = false;
    }

    /// `path` answers only after [`HANG_FOR`].
    pub fn hang(&mut self, path: &str) {
        self.delay(path, HANG_FOR);
    }

    /// `path` answers only after `delay`.
    pub fn delay(&mut self, path: &str, delay: Duration) {
        self.delays.insert(path.to_owned(), delay);
    }

    /// `path` answers with a statement padded past [`MAX_BYTES`].
    pub fn oversize(&mut self, path: &str) {
        self.oversized.insert(path.to_owned());
    }

    /// `path` redirects to another origin (`localhost` for `127.0.0.1`).
    pub fn redirect_elsewhere(&mut self, path: &str) {
        self.redirected_elsewhere.insert(path.to_owned());
    }
}

/// What the server task shares with the fixture.
struct Inner {
    base: String,
    port: u16,
    setup: Mutex<Setup>,
    initial: Setup,
    hits: Mutex<HashMap<String, usize>>,
    clock: Mutex<Arc<dyn Clock>>,
}

/// The running federation. Dropping it stops the server.
pub struct LocalFederation {
    inner: Arc<Inner>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for LocalFederation {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl LocalFederation {
    /// Starts the federation on a free port of 127.0.0.1, its statements
    /// issued at [`start_time`] until [`LocalFederation::follow`] gives it the
    /// test's clock.
    ///
    /// # Panics
    /// When no port can be bound.
    pub async fn start() -> LocalFederation {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let base = format!("http://127.0.0.1:{port}");
        let rp = format!("{base}{}", Entity::Rp.path());
        let rp_metadata = json!({
            "client_id": rp,
            "client_name": "Comune di Prova",
            "redirect_uris": [format!("{rp}/callback")],
            "jwks": { "keys": [KEYS.rp_sig.public, KEYS.rp_enc.public] },
            "userinfo_encrypted_response_alg": "RSA-OAEP",
            "userinfo_encrypted_response_enc": "A128CBC-HS256",
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "client_registration_types": ["automatic"],
            "token_endpoint_auth_method": "private_key_jwt",
            "scope": "openid profile offline_access",
            "contacts": ["ufficio.digitale@comune.example.it"],
        });
        let setup = Setup {
            authority_hints: BTreeMap::from([
                (Entity::Rp, vec![Entity::Int]),
                (Entity::Int, vec![Entity::Ta]),
                (Entity::Int2, vec![Entity::Int]),
            ]),
            policies: BTreeMap::from([
                (
                    (Entity::Ta, Entity::Int),
                    json!({ "openid_relying_party": {
                        "scope": { "subset_of": ["openid", "profile", "offline_access", "email"] },
                        "grant_types": { "subset_of": ["authorization_code", "refresh_token"] },
                        "contacts": { "add": ["ta-ops@example.it"] },
                    }}),
                ),
                (
                    (Entity::Int, Entity::Rp),
                    json!({ "openid_relying_party": {
                        "scope": { "subset_of": ["openid", "profile"] },
                        "token_endpoint_auth_method": { "value": "private_key_jwt" },
                    }}),
                ),
            ]),
            metadata: BTreeMap::new(),
            lifetimes: BTreeMap::from([
                ((Entity::Ta, Entity::Int), TA_ON_INT_LIFETIME),
                ((Entity::Int, Entity::Rp), INT_ON_RP_LIFETIME),
            ]),
            expired: BTreeSet::new(),
            tampered: BTreeSet::new(),
            ta_max_path_length: Some(1),
            rp_metadata: rp_metadata.as_object().cloned().unwrap_or_default(),
            trust_mark: true,
            delays: BTreeMap::new(),
            oversized: BTreeSet::new(),
            oversize_bytes: 4 * MAX_BYTES,
            redirected_elsewhere: BTreeSet::new(),
        };
        let inner = Arc::new(Inner {
            base,
            port,
            setup: Mutex::new(setup.clone()),
            initial: setup,
            hits: Mutex::default(),
            clock: Mutex::new(Arc::new(ManualClock::new(start_time()))),
        });
        let app = axum::Router::new()
            .fallback(answer)
            .with_state(inner.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        LocalFederation { inner, task }
    }

    /// Issues statements (`iat`, `exp`) and the relying party's tokens at
    /// `clock`'s time from now on: the test's manual clock, so statements
    /// expire when the test moves time on.
    pub fn follow(&self, clock: Arc<dyn Clock>) {
        *self.inner.clock.lock().unwrap() = clock;
    }

    /// Sets `config`'s federation to this one: its anchor (entity id and
    /// keys), plain http to loopback, a [`FETCH_TIMEOUT_MS`] timeout, at most
    /// [`MAX_BYTES`] per answer, and the anchor's trust mark required.
    pub fn configure(&self, config: &mut ServiceConfig) {
        let federation = &mut config.federation;
        federation.trust_anchors = vec![ConfiguredAnchor {
            entity_id: self.ta_id(),
            jwks: self.ta_jwks(),
        }];
        federation.fetch.allow_http_loopback = true;
        federation.fetch.timeout_ms = FETCH_TIMEOUT_MS;
        federation.fetch.connect_timeout_ms = FETCH_TIMEOUT_MS;
        federation.fetch.max_bytes = MAX_BYTES;
        federation.required_trust_marks = vec![self.trust_mark_id()];
    }

    /// `app`'s database and clock seen through a service set by
    /// [`LocalFederation::configure`] (for the apps [`crate::both_backends!`]
    /// hands out, built before the federation existed); the federation then
    /// follows `app`'s clock.
    #[must_use]
    pub fn app(&self, app: &TestApp) -> TestApp {
        let mut config = app.service.config().clone();
        self.configure(&mut config);
        let service = Service::new(
            app.store.clone(),
            app.clock.clone(),
            app.service.hasher().clone(),
            config,
        )
        .with_randomness(Arc::new(SeededRandomness::new(SEED)));
        self.follow(app.clock.clone());
        app.with_service(service)
    }

    /// Changes what the federation serves from the next request on.
    pub fn setup(&self, change: impl FnOnce(&mut Setup)) {
        change(&mut self.inner.setup.lock().unwrap());
    }

    /// Back to the happy chain (the setup it started with), for a test that
    /// goes through several cases on one federation. The request counts stay.
    pub fn reset(&self) {
        *self.inner.setup.lock().unwrap() = self.inner.initial.clone();
    }

    /// How many requests reached `path` (no query), so a test can prove a
    /// resolution fetched once, or not at all.
    #[must_use]
    pub fn hits(&self, path: &str) -> usize {
        self.inner
            .hits
            .lock()
            .unwrap()
            .get(path)
            .copied()
            .unwrap_or(0)
    }

    /// How many requests reached the server in all.
    #[must_use]
    pub fn total_hits(&self) -> usize {
        self.inner.hits.lock().unwrap().values().sum()
    }

    /// `http://127.0.0.1:PORT`.
    #[must_use]
    pub fn base(&self) -> &str {
        &self.inner.base
    }

    /// The entity id of `entity` (`http://127.0.0.1:PORT/ta`, ...).
    #[must_use]
    pub fn id(&self, entity: Entity) -> String {
        self.inner.id(entity)
    }

    /// The path of `entity`'s entity configuration (for [`LocalFederation::hits`]).
    #[must_use]
    pub fn configuration_path(&self, entity: Entity) -> String {
        format!("{}/.well-known/openid-federation", entity.path())
    }

    /// The path of `entity`'s fetch endpoint (for [`LocalFederation::hits`]
    /// and the [`Setup`] switches).
    #[must_use]
    pub fn fetch_path(&self, entity: Entity) -> String {
        format!("{}/fetch", entity.path())
    }

    /// The relying party's entity id, its client id at the provider.
    #[must_use]
    pub fn rp_id(&self) -> String {
        self.id(Entity::Rp)
    }

    /// The trust anchor's entity id.
    #[must_use]
    pub fn ta_id(&self) -> String {
        self.id(Entity::Ta)
    }

    /// The intermediate's entity id.
    #[must_use]
    pub fn int_id(&self) -> String {
        self.id(Entity::Int)
    }

    /// The trust anchor's public federation keys (`{"keys": [...]}`), to
    /// configure it as an anchor.
    #[must_use]
    pub fn ta_jwks(&self) -> Value {
        Inner::federation_jwks(Entity::Ta)
    }

    /// The id of the trust mark the anchor issues to the relying party.
    #[must_use]
    pub fn trust_mark_id(&self) -> String {
        self.inner.trust_mark_id()
    }
}
