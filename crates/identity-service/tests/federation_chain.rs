//! Trust-chain resolution and automatic registration against a local
//! federation over http (identity-testkit's `federation` fixture): a relying
//! party under an intermediate under the configured trust anchor, through the
//! provider's own fetcher. The happy chain (policies of two levels, the trust
//! mark, the earliest `exp`), each way a chain fails and the error it becomes,
//! one resolution for many requests, and the resolve endpoint's signed answer.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Duration as StdDuration;

use chrono::Duration;
use identity_service::model::ClientAuth;
use identity_service::ports::KeyPurpose;
use identity_service::usecases::federation::chain::ResolutionError;
use identity_service::usecases::federation::registration::RegistrationError;
use identity_service::usecases::federation::resolve::{RESOLVE_TYP, ResolveError};
use identity_service::{AuditQuery, AuditRecord, Store as _, StoreError};
use identity_testkit::federation::{Entity, INT_ON_RP_LIFETIME, LocalFederation, Setup};
use identity_testkit::{TestApp, start_time};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value, json};

identity_testkit::both_backends!(
    the_happy_chain_registers_the_relying_party_until_its_earliest_exp,
    untrusted_chains_are_invalid_client_and_register_nothing,
    policy_conflicts_and_missing_trust_marks_are_unauthorized_client,
    unreachable_statements_are_temporarily_unavailable,
    concurrent_requests_for_a_new_relying_party_resolve_once,
    the_resolve_endpoint_answers_a_chain_signed_with_the_federation_key,
);

/// The claims of a JWT, unverified (to see what a statement says).
fn claims_of(jwt: &str) -> Map<String, Value> {
    jsonwebtoken::dangerous::insecure_decode::<Map<String, Value>>(jwt)
        .unwrap()
        .claims
}

async fn events(h: &TestApp, event: &str) -> Vec<AuditRecord> {
    let mut tx = h.store.begin_read().await.unwrap();
    tx.audit(&AuditQuery {
        event: Some(event.into()),
        limit: 0,
        ..Default::default()
    })
    .await
    .unwrap()
}

async fn registered_provider(h: &TestApp, client_id: &str) -> bool {
    let mut tx = h.store.begin_read().await.unwrap();
    match tx.service_provider(client_id).await {
        Ok(_) => true,
        Err(StoreError::NotFound) => false,
        Err(e) => panic!("{e}"),
    }
}

/// The chain resolves through the intermediate, no store needed beyond the
/// anchors: the two levels of policy, the trust mark, the earliest `exp`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_happy_chain_resolves_through_the_intermediate() {
    let fed = LocalFederation::start().await;
    let h = fed.app(&identity_testkit::sqlite().await);
    let anchors = h.service.trust_anchors().await.unwrap();
    let chain = h
        .service
        .resolve_trust_chain(&fed.rp_id(), &anchors)
        .await
        .unwrap();
    assert_eq!(chain.subject, fed.rp_id());
    assert_eq!(chain.trust_anchor, fed.ta_id());
    let rp = chain.metadata["openid_relying_party"].as_object().unwrap();
    // The anchor allows four scopes, the intermediate two of them: the
    // relying party's offline_access goes.
    assert_eq!(rp["scope"], "openid profile");
    assert_eq!(
        rp["contacts"],
        json!(["ufficio.digitale@comune.example.it", "ta-ops@example.it"]),
        "the anchor's add"
    );
    assert_eq!(rp["token_endpoint_auth_method"], "private_key_jwt");
    assert_eq!(
        rp["grant_types"],
        json!(["authorization_code", "refresh_token"])
    );
    assert_eq!(rp["redirect_uris"], json!([fed.rp_redirect_uri()]));
    assert_eq!(rp["jwks"], fed.rp_jwks());
    assert_eq!(
        chain.metadata["federation_entity"]["organization_name"],
        "Comune di Prova"
    );
    assert_eq!(chain.trust_marks.len(), 1);
    assert_eq!(chain.trust_marks[0].id, fed.trust_mark_id());
    // The intermediate's statement about the relying party lives an hour,
    // the shortest of the chain.
    assert_eq!(
        chain.expires_at,
        start_time().timestamp() + INT_ON_RP_LIFETIME
    );
    let who: Vec<(String, String)> = chain
        .statements
        .iter()
        .map(|s| {
            let c = claims_of(s);
            (
                c["iss"].as_str().unwrap().to_owned(),
                c["sub"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        who,
        [
            (fed.rp_id(), fed.rp_id()),
            (fed.int_id(), fed.rp_id()),
            (fed.ta_id(), fed.int_id()),
            (fed.ta_id(), fed.ta_id()),
        ]
    );
    // The leaf's, the intermediate's and the anchor's configurations, and the
    // two fetch endpoints: one request each.
    for path in [
        fed.configuration_path(Entity::Rp),
        fed.configuration_path(Entity::Int),
        fed.configuration_path(Entity::Ta),
        fed.fetch_path(Entity::Int),
        fed.fetch_path(Entity::Ta),
    ] {
        assert_eq!(fed.hits(&path), 1, "{path}");
    }
    assert_eq!(fed.total_hits(), 5);
}

/// A path the anchor refuses (too many intermediates) does not spoil another
/// through an entity the refused one went through: the relying party names
/// the second intermediate (under the first) before the first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_path_leaves_the_next_authority_hint_open() {
    let fed = LocalFederation::start().await;
    let h = fed.app(&identity_testkit::sqlite().await);
    fed.setup(|s| {
        s.authority_hints
            .insert(Entity::Rp, vec![Entity::Int2, Entity::Int]);
    });
    let anchors = h.service.trust_anchors().await.unwrap();
    let chain = h
        .service
        .resolve_trust_chain(&fed.rp_id(), &anchors)
        .await
        .unwrap();
    // rp -> int2 -> int -> ta has two intermediates, the anchor allows one:
    // rp -> int -> ta is the chain.
    assert_eq!(fed.hits(&fed.fetch_path(Entity::Int2)), 1, "tried first");
    let superiors: Vec<String> = chain.statements[1..]
        .iter()
        .map(|s| claims_of(s)["iss"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(superiors, [fed.int_id(), fed.ta_id(), fed.ta_id()]);
    assert_eq!(
        chain.metadata["openid_relying_party"]["scope"],
        "openid profile"
    );
}

async fn the_happy_chain_registers_the_relying_party_until_its_earliest_exp(h: TestApp) {
    let fed = LocalFederation::start().await;
    let h = fed.app(&h);
    let rp = fed.rp_id();
    let client = h
        .service
        .register_federation_client(&rp, Some("203.0.113.7"))
        .await
        .unwrap()
        .expect("a new registration");
    assert_eq!(client.client_id, rp);
    assert_eq!(client.trust_anchor, fed.ta_id());
    assert_eq!(client.trust_marks, [fed.trust_mark_id()]);
    assert_eq!(client.trust_chain.len(), 4);
    assert_eq!(
        client.expires_at,
        start_time() + Duration::seconds(INT_ON_RP_LIFETIME)
    );
    assert_eq!(
        client.metadata_of("openid_relying_party").unwrap()["scope"],
        "openid profile"
    );
    let (sp, secret) = {
        let mut tx = h.store.begin_read().await.unwrap();
        tx.service_provider(&rp).await.unwrap()
    };
    assert_eq!(sp.name, "Comune di Prova");
    assert_eq!(sp.redirect_uris, [fed.rp_redirect_uri()]);
    assert_eq!(sp.jwks, Some(fed.rp_jwks()));
    assert_eq!(sp.auth_method, ClientAuth::PrivateKeyJwt);
    assert!(secret.is_none());
    let registered = events(&h, "federation.client_registered").await;
    assert_eq!(registered.len(), 1);
    assert_eq!(registered[0].details["client_id"], rp);
    assert_eq!(registered[0].details["name"], "Comune di Prova");
    assert_eq!(registered[0].actor, "federation");

    // Registered and fresh: nothing is fetched.
    let fetched = fed.total_hits();
    assert!(
        h.service
            .register_federation_client(&rp, None)
            .await
            .unwrap()
            .is_none()
    );
    h.clock.advance(Duration::seconds(INT_ON_RP_LIFETIME - 1));
    assert!(
        h.service
            .register_federation_client(&rp, None)
            .await
            .unwrap()
            .is_none(),
        "a second before the earliest exp"
    );
    assert_eq!(fed.total_hits(), fetched, "no fetch while the chain lives");

    // Past the earliest exp: resolved again, on statements issued now.
    h.clock.advance(Duration::seconds(2));
    let renewed = h
        .service
        .register_federation_client(&rp, None)
        .await
        .unwrap()
        .expect("a renewal");
    let (renewed_sp, _) = {
        let mut tx = h.store.begin_read().await.unwrap();
        tx.service_provider(&rp).await.unwrap()
    };
    assert_eq!(renewed_sp.id, sp.id, "the same provider row, refreshed");
    assert_eq!(
        renewed.expires_at,
        h.service.now() + Duration::seconds(INT_ON_RP_LIFETIME)
    );
    assert_eq!(fed.hits(&fed.configuration_path(Entity::Rp)), 2);
    let renewals = events(&h, "federation.client_renewed").await;
    assert_eq!(renewals.len(), 1);
    assert_eq!(renewals[0].details["client_id"], rp);
    assert_eq!(events(&h, "federation.client_registered").await.len(), 1);
    assert_eq!(
        h.service
            .federation_client(&rp)
            .await
            .unwrap()
            .unwrap()
            .resolved_at,
        h.service.now()
    );
}

/// Registers `fed`'s relying party after `change` on the happy chain: the
/// refusal, having checked nothing was registered and the failure audited
/// with its code.
async fn refused(
    h: &TestApp,
    fed: &LocalFederation,
    change: impl FnOnce(&mut Setup),
) -> ResolutionError {
    fed.reset();
    fed.setup(change);
    let rp = fed.rp_id();
    let failed_before = events(h, "federation.resolution_failed").await.len();
    let error = match h
        .service
        .register_federation_client(&rp, Some("203.0.113.7"))
        .await
    {
        Err(RegistrationError::Refused(e)) => e,
        other => panic!("refused expected: {other:?}"),
    };
    assert!(h.service.federation_client(&rp).await.unwrap().is_none());
    assert!(!registered_provider(h, &rp).await);
    let failed = events(h, "federation.resolution_failed").await;
    assert_eq!(failed.len(), failed_before + 1);
    let last = failed.last().unwrap();
    assert_eq!(last.details["client_id"], rp);
    assert_eq!(last.details["error"], error.code());
    assert!(events(h, "federation.client_registered").await.is_empty());
    error
}

/// A negative case: its name, the switch, a word of the error expected.
type Case = (&'static str, fn(&mut Setup), &'static str);

async fn untrusted_chains_are_invalid_client_and_register_nothing(h: TestApp) {
    let fed = LocalFederation::start().await;
    let h = fed.app(&h);
    let cases: [Case; 7] = [
        (
            "only an unknown anchor",
            Setup::only_unknown_anchor,
            "names no superior",
        ),
        (
            "an expired statement of the anchor about the intermediate",
            |s| s.expire((Entity::Ta, Entity::Int)),
            "expired",
        ),
        (
            "an expired configuration of the relying party",
            |s| s.expire((Entity::Rp, Entity::Rp)),
            "expired",
        ),
        (
            "a statement of the intermediate changed after signing",
            |s| s.tamper((Entity::Int, Entity::Rp)),
            "signature",
        ),
        (
            "the anchor's configuration changed after signing",
            |s| s.tamper((Entity::Ta, Entity::Ta)),
            "signature",
        ),
        (
            "the anchor allows no intermediate",
            |s| s.ta_max_path_length = Some(0),
            "at most 0 intermediates",
        ),
        (
            "a loop in authority_hints",
            Setup::loop_of_intermediates,
            "loop",
        ),
    ];
    for (case, change, why) in cases {
        let error = refused(&h, &fed, change).await;
        assert!(
            matches!(error, ResolutionError::Untrusted(_)),
            "{case}: {error:?}"
        );
        assert_eq!(error.code(), "invalid_client", "{case}");
        assert!(error.to_string().contains(why), "{case}: {error}");
    }
    // The second anchor was asked about the relying party, and found to
    // answer to nobody.
    assert_eq!(fed.hits(&fed.fetch_path(Entity::Ta2)), 1);
    // The happy chain still registers afterwards.
    fed.reset();
    assert!(
        h.service
            .register_federation_client(&fed.rp_id(), None)
            .await
            .unwrap()
            .is_some()
    );
}

async fn policy_conflicts_and_missing_trust_marks_are_unauthorized_client(h: TestApp) {
    let fed = LocalFederation::start().await;
    let h = fed.app(&h);
    let conflict = refused(&h, &fed, Setup::conflicting_policies).await;
    assert!(
        matches!(conflict, ResolutionError::Unauthorized(_)),
        "{conflict:?}"
    );
    assert_eq!(conflict.code(), "unauthorized_client");
    assert!(
        conflict.to_string().contains("token_endpoint_auth_method"),
        "{conflict}"
    );
    let unmarked = refused(&h, &fed, Setup::without_trust_mark).await;
    assert!(
        matches!(unmarked, ResolutionError::Unauthorized(_)),
        "{unmarked:?}"
    );
    assert_eq!(unmarked.code(), "unauthorized_client");
    assert!(
        unmarked.to_string().contains("trust marks asked for"),
        "{unmarked}"
    );
    // A chain that resolves to metadata the provider cannot serve (no
    // automatic registration) is refused the same way.
    let explicit = refused(&h, &fed, |s| {
        s.rp_metadata
            .insert("client_registration_types".into(), json!(["explicit"]));
    })
    .await;
    assert_eq!(explicit.code(), "unauthorized_client", "{explicit}");
    assert!(explicit.to_string().contains("automatic"), "{explicit}");
}

async fn unreachable_statements_are_temporarily_unavailable(h: TestApp) {
    let fed = LocalFederation::start().await;
    let h = fed.app(&h);
    let rp_configuration = fed.configuration_path(Entity::Rp);
    let int_fetch = fed.fetch_path(Entity::Int);
    let ta_fetch = fed.fetch_path(Entity::Ta);

    let started = std::time::Instant::now();
    let hang = refused(&h, &fed, |s| s.hang(&int_fetch)).await;
    assert!(
        matches!(&hang, ResolutionError::Fetch(identity_service::ports::FetchError::Limit { why, .. }) if why == "timeout"),
        "{hang:?}"
    );
    assert_eq!(hang.code(), "temporarily_unavailable");
    assert!(
        started.elapsed() < StdDuration::from_secs(3),
        "the fetch timeout, not the endpoint, ends it: {:?}",
        started.elapsed()
    );

    let oversized = refused(&h, &fed, |s| s.oversize(&rp_configuration)).await;
    assert!(
        matches!(&oversized, ResolutionError::Fetch(identity_service::ports::FetchError::Limit { why, .. }) if why.contains("too large")),
        "{oversized:?}"
    );
    assert_eq!(oversized.code(), "temporarily_unavailable");

    let redirected = refused(&h, &fed, |s| s.redirect_elsewhere(&ta_fetch)).await;
    assert!(
        matches!(&redirected, ResolutionError::Fetch(identity_service::ports::FetchError::Refused { why, .. }) if why.contains("another origin")),
        "{redirected:?}"
    );
    assert_eq!(redirected.code(), "temporarily_unavailable");
    // The redirect was refused before it was followed: only 127.0.0.1 was
    // asked (the same server under localhost would have answered).
    assert_eq!(fed.hits(&ta_fetch), 1);
}

async fn concurrent_requests_for_a_new_relying_party_resolve_once(h: TestApp) {
    let fed = LocalFederation::start().await;
    let h = fed.app(&h);
    let rp = fed.rp_id();
    let rp_configuration = fed.configuration_path(Entity::Rp);
    // The relying party's configuration takes a while, so every request
    // arrives while the first resolution is under way.
    fed.setup(|s| s.delay(&rp_configuration, StdDuration::from_millis(300)));
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let service = h.service.clone();
            let rp = rp.clone();
            tokio::spawn(async move { service.register_federation_client(&rp, None).await })
        })
        .collect();
    let mut registrations = 0;
    for call in calls {
        if call.await.unwrap().unwrap().is_some() {
            registrations += 1;
        }
    }
    assert_eq!(registrations, 1, "one registers, the others find it done");
    assert_eq!(fed.hits(&rp_configuration), 1);
    assert_eq!(fed.total_hits(), 5, "one resolution");
    assert_eq!(events(&h, "federation.client_registered").await.len(), 1);
    assert!(registered_provider(&h, &rp).await);
}

/// Verifies `jwt` with the key of its kid in `keys`, as another entity would.
fn verify(keys: &Value, jwt: &str) -> Map<String, Value> {
    let set: JwkSet = serde_json::from_value(keys.clone()).unwrap();
    let header = jsonwebtoken::decode_header(jwt).unwrap();
    let jwk = set
        .find(header.kid.as_deref().unwrap())
        .expect("kid published");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.validate_aud = false;
    validation.validate_exp = false;
    validation.required_spec_claims.clear();
    jsonwebtoken::decode::<Map<String, Value>>(
        jwt,
        &DecodingKey::from_jwk(jwk).unwrap(),
        &validation,
    )
    .unwrap()
    .claims
}

async fn the_resolve_endpoint_answers_a_chain_signed_with_the_federation_key(h: TestApp) {
    let fed = LocalFederation::start().await;
    let h = fed.app(&h);
    let (rp, ta) = (fed.rp_id(), fed.ta_id());
    let answer = h.service.resolve_entity(&rp, &ta, &[]).await.unwrap();
    let header = jsonwebtoken::decode_header(&answer).unwrap();
    assert_eq!(header.typ.as_deref(), Some(RESOLVE_TYP));
    assert_eq!(header.alg, Algorithm::RS256);
    let keys = h
        .service
        .published_keys(KeyPurpose::Federation)
        .await
        .unwrap();
    let claims = verify(&keys, &answer);
    // Not with the OpenID Connect keys: the federation's stay apart.
    let oidc = h.service.jwks().await.unwrap();
    let oidc: JwkSet = serde_json::from_value(oidc).unwrap();
    assert!(oidc.find(header.kid.as_deref().unwrap()).is_none());

    assert_eq!(claims["iss"], json!(h.service.entity_id()));
    assert_eq!(claims["sub"], rp);
    assert_eq!(claims["exp"], start_time().timestamp() + INT_ON_RP_LIFETIME);
    assert_eq!(
        claims["metadata"]["openid_relying_party"]["scope"],
        "openid profile"
    );
    assert_eq!(
        claims["metadata"]["federation_entity"]["organization_name"],
        "Comune di Prova"
    );
    let chain: Vec<Map<String, Value>> = claims["trust_chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| claims_of(s.as_str().unwrap()))
        .collect();
    assert_eq!(chain.len(), 4);
    let link = |c: &Map<String, Value>| (c["iss"].clone(), c["sub"].clone());
    assert_eq!(
        link(&chain[0]),
        (json!(rp), json!(rp)),
        "the leaf's configuration"
    );
    assert_eq!(link(&chain[1]), (json!(fed.int_id()), json!(rp)));
    assert_eq!(link(&chain[2]), (json!(ta), json!(fed.int_id())));
    assert_eq!(
        link(&chain[3]),
        (json!(ta), json!(ta)),
        "the anchor's configuration"
    );
    let marks = claims["trust_marks"].as_array().unwrap();
    assert_eq!(marks.len(), 1);
    assert_eq!(marks[0]["id"], fed.trust_mark_id());
    let mark = claims_of(marks[0]["trust_mark"].as_str().unwrap());
    assert_eq!(
        (mark["iss"].clone(), mark["sub"].clone()),
        (json!(ta), json!(rp))
    );

    // Only the entity types asked for.
    let only = h
        .service
        .resolve_entity(&rp, &ta, &["federation_entity".to_owned()])
        .await
        .unwrap();
    let only = verify(&keys, &only);
    assert!(only["metadata"].get("openid_relying_party").is_none());
    assert!(only["metadata"].get("federation_entity").is_some());

    // A registered relying party is answered from its registration.
    h.service
        .register_federation_client(&rp, None)
        .await
        .unwrap()
        .unwrap();
    let fetched = fed.total_hits();
    let again = verify(
        &keys,
        &h.service.resolve_entity(&rp, &ta, &[]).await.unwrap(),
    );
    assert_eq!(fed.total_hits(), fetched, "no fetch");
    assert_eq!(again["trust_chain"].as_array().unwrap().len(), 4);
    assert_eq!(again["trust_marks"][0]["id"], fed.trust_mark_id());

    let unknown = h
        .service
        .resolve_entity(&rp, &fed.id(Entity::Ta2), &[])
        .await;
    assert!(
        matches!(unknown, Err(ResolveError::UnknownAnchor(_))),
        "{unknown:?}"
    );
}

/// The fixture speaks as the relying party with the keys its chain vouches
/// for: its request objects and client assertions verify at the provider once
/// it is registered, one signed by a foreign key does not, and what the
/// provider encrypts to it decrypts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fixture_speaks_as_the_registered_relying_party() {
    use identity_service::usecases::oidc::client_auth::JWT_BEARER;
    use identity_service::usecases::oidc::jwe::encrypt_jwt;

    let fed = LocalFederation::start().await;
    let h = fed.app(&identity_testkit::sqlite().await);
    let rp = fed.rp_id();
    h.service
        .register_federation_client(&rp, None)
        .await
        .unwrap()
        .unwrap();
    let issuer = h.service.config().public_url.clone();
    let asked = json!({
        "aud": issuer,
        "response_type": "code",
        "redirect_uri": fed.rp_redirect_uri(),
        "scope": "openid profile",
        "state": "s-1",
    });
    let params = h
        .service
        .verify_request_object(&rp, &fed.request_object(&asked), &issuer)
        .await
        .unwrap();
    assert_eq!(params["client_id"], rp);
    assert_eq!(params["redirect_uri"], fed.rp_redirect_uri());
    assert!(
        h.service
            .verify_request_object(&rp, &fed.request_object_with_foreign_key(&asked), &issuer)
            .await
            .is_err()
    );
    let token_endpoint = format!("{issuer}/oidc/token");
    let sp = h
        .service
        .authenticate_client_assertion(
            JWT_BEARER,
            &fed.client_assertion(&token_endpoint),
            &token_endpoint,
        )
        .await
        .unwrap();
    assert_eq!(sp.client_id, rp);
    let encryption = h.service.encryption_for(&rp).await.unwrap().unwrap();
    let jwe = encrypt_jwt("a.b.c", &encryption.jwks, &encryption.userinfo).unwrap();
    assert_eq!(fed.decrypt(&jwe), "a.b.c");
}

/// A fetcher whose answers never come: every resolution through it waits.
struct Stuck;

#[async_trait::async_trait]
impl identity_service::ports::EntityFetcher for Stuck {
    async fn fetch(&self, _url: &str) -> Result<String, identity_service::ports::FetchError> {
        std::future::pending().await
    }
}

/// The resolve endpoint is public: a node resolves at most a few chains at
/// once, and one more waits at most a fetch's time before it is answered
/// `temporarily_unavailable`.
#[tokio::test]
async fn at_most_a_few_chains_resolve_at_once() {
    use identity_service::usecases::federation::registration::CONCURRENT_RESOLUTIONS;
    let h = TestApp::builder()
        .config(|c| c.federation.fetch.timeout_ms = 300)
        .build()
        .await
        .unwrap();
    let service = h
        .service
        .clone()
        .with_entity_fetcher(std::sync::Arc::new(Stuck));
    let anchors = vec![identity_service::TrustAnchor {
        entity_id: "https://ta.example.it".into(),
        jwks: json!({"keys": []}),
        added_by: "test".into(),
        added_at: start_time(),
    }];
    let waiting: Vec<_> = (0..CONCURRENT_RESOLUTIONS)
        .map(|i| {
            let service = service.clone();
            let anchors = anchors.clone();
            tokio::spawn(async move {
                service
                    .resolve_trust_chain(&format!("https://rp{i}.example.it"), &anchors)
                    .await
            })
        })
        .collect();
    tokio::time::sleep(StdDuration::from_millis(100)).await;
    let started = std::time::Instant::now();
    let one_more = service
        .resolve_trust_chain("https://one-more.example.it", &anchors)
        .await;
    assert!(
        matches!(&one_more, Err(e) if e.code() == "temporarily_unavailable" && e.to_string().contains("too many")),
        "{one_more:?}"
    );
    assert!(
        started.elapsed() < StdDuration::from_secs(2),
        "it waited a fetch's time"
    );
    for task in waiting {
        assert!(
            !task.is_finished(),
            "the first ones still wait for their fetches"
        );
        task.abort();
    }
}
