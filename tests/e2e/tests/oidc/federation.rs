//! A relying party of the OpenID Federation over real HTTP: identity-testkit's
//! local federation (a trust anchor, an intermediate and the relying party
//! "Comune di Prova" on 127.0.0.1) and the provider configured with its anchor.
//! The relying party is never registered by hand: its first authorization
//! request makes the provider resolve its trust chain. This file plays the
//! relying party with the keys the chain vouches for (request objects,
//! `private_key_jwt`, decryption) and checks what comes back with an
//! independent verifier (the `openidconnect` crate's keys and ID token
//! verifier): the whole flow, the refusals, the level performed, and what the
//! provider publishes to the federation.

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use identity_service::{AuditQuery, AuditRecord, Store as _};
use identity_testkit::federation::{Entity, LocalFederation, Setup};
use identity_testkit::{Browser, PASSWORD, Reply, csrf_of, encode};
use openidconnect::core::{
    CoreIdToken, CoreIdTokenVerifier, CoreJsonWebKeySet, CoreJwsSigningAlgorithm,
};
use openidconnect::{
    AccessToken, AccessTokenHash, ClientId, IssuerUrl, JsonWebKey as _, Nonce, PkceCodeChallenge,
};
use serde_json::{Map, Value, json};

use crate::flow::http;
use crate::{L1, L2, L3, Provider, hidden_of, query_of};

const FISCAL_NUMBER: &str = "https://attributes.eid.gov.it/fiscal_number";
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url without padding, decoded.
fn unbase64(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.trim_end_matches('=').bytes() {
        let value = B64URL.iter().position(|b| *b == c).expect("base64url text");
        acc = (acc << 6) | u32::try_from(value).unwrap();
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).unwrap());
        }
    }
    out
}

/// Base64url without padding.
fn base64(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let mut block = [0u8; 3];
        block[..chunk.len()].copy_from_slice(chunk);
        let n = (u32::from(block[0]) << 16) | (u32::from(block[1]) << 8) | u32::from(block[2]);
        for i in 0..=chunk.len() {
            let index = usize::try_from((n >> (18 - 6 * i)) & 0x3f).unwrap();
            out.push(char::from(B64URL[index]));
        }
    }
    out
}

/// The JSON of one dot-separated part of a compact JWS or JWE.
fn part(jwt: &str, index: usize) -> Map<String, Value> {
    let text = jwt.split('.').nth(index).expect("a compact serialization");
    serde_json::from_slice(&unbase64(text)).expect("a JSON part")
}

/// The header and the claims of `jwt`, once its RS256 signature verifies
/// with the key of its `kid` in `jwks` (verified by the `openidconnect`
/// crate, not by the provider's code).
fn verified(jwt: &str, jwks: &Value) -> (Map<String, Value>, Map<String, Value>) {
    let header = part(jwt, 0);
    assert_eq!(header["alg"], "RS256", "{header:?}");
    let kid = header["kid"].as_str().expect("a kid");
    let set: CoreJsonWebKeySet = serde_json::from_value(jwks.clone()).unwrap();
    let key = set
        .keys()
        .iter()
        .find(|k| k.key_id().map(|id| id.as_str()) == Some(kid))
        .unwrap_or_else(|| panic!("the key {kid} is in {jwks}"));
    let (signed, signature) = jwt.rsplit_once('.').unwrap();
    key.verify_signature(
        &CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        signed.as_bytes(),
        &unbase64(signature),
    )
    .unwrap_or_else(|e| panic!("the signature verifies: {e:?}"));
    (header, part(jwt, 1))
}

/// The key ids of a JWKS.
fn kids(jwks: &Value) -> BTreeSet<String> {
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

/// The provider's OpenID Connect keys, from `/oidc/jwks`.
async fn oidc_jwks(p: &Provider) -> Value {
    http()
        .get(format!("{}/oidc/jwks", p.server.base))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .map(|body| serde_json::from_slice(&body).unwrap())
        .unwrap()
}

/// An authorization request of the federation's relying party.
struct Asked {
    url: String,
    state: String,
    nonce: String,
    verifier: String,
}

/// The SPID profile's request: outside only `client_id`, `response_type`,
/// `scope`, PKCE and `request`; inside, the request object signed by the
/// relying party with the rest (`inside` overrides or adds members).
fn rp_request(p: &Provider, fed: &LocalFederation, acr: &str, inside: &Value) -> Asked {
    rp_request_signed(p, fed, acr, inside, false)
}

/// [`rp_request`], its object signed by a key the chain does not vouch for
/// when `foreign`.
fn rp_request_signed(
    p: &Provider,
    fed: &LocalFederation,
    acr: &str,
    inside: &Value,
    foreign: bool,
) -> Asked {
    let iss = p.server.base.clone();
    let state = uuid::Uuid::new_v4().simple().to_string();
    let nonce = uuid::Uuid::new_v4().simple().to_string();
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut claims = json!({
        "iss": fed.rp_id(),
        "aud": [iss, format!("{iss}/oidc/authorize")],
        "client_id": fed.rp_id(),
        "response_type": "code",
        "scope": "openid",
        "redirect_uri": fed.rp_redirect_uri(),
        "state": state,
        "nonce": nonce,
        "acr_values": acr,
        "prompt": "consent login",
        "claims": { "userinfo": {
            "given_name": null,
            "family_name": null,
            FISCAL_NUMBER: null,
        }},
    });
    for (name, value) in inside.as_object().unwrap() {
        claims[name] = value.clone();
    }
    let object = if foreign {
        fed.request_object_with_foreign_key(&claims)
    } else {
        fed.request_object(&claims)
    };
    let url = authorize_url(
        p,
        &[
            ("client_id", &fed.rp_id()),
            ("response_type", "code"),
            ("scope", "openid"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
            ("request", &object),
        ],
    );
    Asked {
        url,
        state,
        nonce,
        verifier: verifier.secret().clone(),
    }
}

/// The provider's authorization endpoint with `params` in the query.
fn authorize_url(p: &Provider, params: &[(&str, &str)]) -> String {
    let query: Vec<String> = params
        .iter()
        .map(|(name, value)| format!("{name}={}", encode(value)))
        .collect();
    format!("{}/oidc/authorize?{}", p.server.base, query.join("&"))
}

/// From the authorization URL: the sign-in page, the password, and the
/// authenticator code exactly when `with_code` (a code page otherwise fails
/// the test). Returns the page reached.
async fn sign_in(p: &Provider, b: &mut Browser, url: &str, with_code: bool) -> Reply {
    let page = p.follow(b, &p.path_of(url)).await;
    assert!(
        page.body.contains("name=\"password\""),
        "the sign-in page: {} {}",
        page.status,
        page.body
    );
    let username = p.holder.username.to_string();
    let page = p
        .post(
            b,
            &page,
            "/selfcare/sign-in",
            &[("login_id", &username), ("password", PASSWORD)],
        )
        .await;
    if !with_code {
        assert!(
            !page.body.contains("name=\"code\""),
            "no code asked for: {}",
            page.body
        );
        return page;
    }
    assert!(
        page.body.contains("name=\"code\""),
        "the code page: {}",
        page.body
    );
    let code = p.code();
    p.post(b, &page, "/selfcare/sign-in/code", &[("code", &code)])
        .await
}

/// Accepts on the consent page `page`; the query of the redirect to the
/// relying party, which must be its redirect URI.
async fn accept(
    p: &Provider,
    fed: &LocalFederation,
    b: &mut Browser,
    page: &Reply,
) -> HashMap<String, String> {
    assert!(
        page.body.contains("id=\"consent\""),
        "the consent page: {}",
        page.body
    );
    let request = hidden_of(&page.body, "request");
    let back = p
        .post(
            b,
            page,
            "/oidc/consent",
            &[("decision", "accept"), ("request", &request)],
        )
        .await;
    redirect_to_rp(fed, &back)
}

/// The query of `reply`, a redirect to the relying party's redirect URI.
fn redirect_to_rp(fed: &LocalFederation, reply: &Reply) -> HashMap<String, String> {
    let location = reply
        .location
        .as_deref()
        .unwrap_or_else(|| panic!("a redirect: {} {}", reply.status, reply.body));
    assert!(
        location.starts_with(&format!("{}?", fed.rp_redirect_uri())),
        "{location}"
    );
    query_of(location)
}

/// A form posted by the relying party to the provider's `path`, authenticated
/// with a client assertion addressed to that endpoint: status and JSON body.
async fn as_rp(
    p: &Provider,
    fed: &LocalFederation,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, Value) {
    let endpoint = format!("{}{path}", p.server.base);
    let assertion = fed.client_assertion(&endpoint);
    let rp = fed.rp_id();
    let mut all = vec![
        ("client_id", rp.as_str()),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", assertion.as_str()),
    ];
    all.extend_from_slice(form);
    let response = http().post(&endpoint).form(&all).send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}: {text}"))
    };
    (status, body)
}

/// The token endpoint's answer to the authorization code `code`.
async fn exchange(p: &Provider, fed: &LocalFederation, code: &str, asked: &Asked) -> Value {
    let (status, tokens) = as_rp(
        p,
        fed,
        "/oidc/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &fed.rp_redirect_uri()),
            ("code_verifier", &asked.verifier),
        ],
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    tokens
}

/// The ID token of `tokens`, verified as a relying party verifies it (the
/// `openidconnect` crate: signature with `/oidc/jwks`, issuer, audience,
/// times, nonce); its `acr`, and whether its `at_hash` is the access token's.
async fn id_token_acr(p: &Provider, fed: &LocalFederation, tokens: &Value, nonce: &str) -> String {
    let jwks: CoreJsonWebKeySet = serde_json::from_value(oidc_jwks(p).await).unwrap();
    let verifier = CoreIdTokenVerifier::new_public_client(
        ClientId::new(fed.rp_id()),
        IssuerUrl::new(p.server.base.clone()).unwrap(),
        jwks,
    );
    let id_token: CoreIdToken = tokens["id_token"].as_str().unwrap().parse().unwrap();
    let claims = id_token
        .claims(&verifier, &Nonce::new(nonce.to_owned()))
        .unwrap();
    let expected = AccessTokenHash::from_token(
        &AccessToken::new(tokens["access_token"].as_str().unwrap().to_owned()),
        id_token.signing_alg().unwrap(),
        id_token.signing_key(&verifier).unwrap(),
    )
    .unwrap();
    assert_eq!(claims.access_token_hash(), Some(&expected), "at_hash");
    claims.auth_context_ref().unwrap().as_str().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_federation_relying_party_signs_in_reads_encrypted_userinfo_and_introspects() {
    let (p, fed) = Provider::start_federated().await;
    let iss = p.server.base.clone();
    let rp = fed.rp_id();
    // The relying party's metadata names its client otherwise: the holder
    // sees the organization the federation vouches for.
    fed.setup(|s| {
        s.rp_metadata
            .insert("client_name".into(), json!("Sportello Digitale"));
    });
    assert!(
        p.h.service.service_provider(&rp).await.is_err(),
        "nobody registered it"
    );

    let asked = rp_request(&p, &fed, L2, &json!({}));
    let mut b = p.browser();
    let consent = sign_in(&p, &mut b, &asked.url, true).await;
    let sp = p.h.service.service_provider(&rp).await.unwrap();
    assert_eq!(sp.name, "Comune di Prova");
    assert_eq!(sp.redirect_uris, [fed.rp_redirect_uri()]);
    assert!(sp.created_by.starts_with("federation"), "{sp:?}");
    assert!(
        consent.body.contains("Accesso a Comune di Prova"),
        "{}",
        consent.body
    );
    assert!(!consent.body.contains("Sportello Digitale"));
    assert!(consent.body.contains("Codice fiscale"), "{}", consent.body);
    let back = accept(&p, &fed, &mut b, &consent).await;
    assert_eq!(back["state"], asked.state);
    assert_eq!(back["iss"], iss, "RFC 9207");
    let tokens = exchange(&p, &fed, &back["code"], &asked).await;

    // The token answer, with an access token that is a JWT (RFC 9068).
    assert_eq!(tokens["token_type"], "Bearer");
    assert!(
        tokens["expires_in"].as_u64().is_some_and(|s| s > 0),
        "{tokens}"
    );
    let jwks = oidc_jwks(&p).await;
    let access_token = tokens["access_token"].as_str().unwrap();
    let (header, at) = verified(access_token, &jwks);
    assert_eq!(header["typ"], "at+jwt");
    let at_exp = at["exp"].as_i64().expect("exp");
    assert!(at_exp > at["iat"].as_i64().unwrap());
    assert!(at["jti"].as_str().is_some_and(|j| j.len() >= 32), "{at:?}");
    assert_eq!(at["client_id"], rp);
    assert_eq!(id_token_acr(&p, &fed, &tokens, &asked.nonce).await, L2);
    let sub = part(tokens["id_token"].as_str().unwrap(), 1)["sub"].clone();
    assert_eq!(at["sub"], sub);

    // Userinfo: signed by the provider, then encrypted to the relying party.
    let answer = http()
        .get(format!("{iss}/oidc/userinfo"))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["content-type"], "application/jose");
    let jwe = answer.text().await.unwrap();
    assert_eq!(jwe.split('.').count(), 5, "a compact JWE: {jwe}");
    let protected = part(&jwe, 0);
    assert_eq!(protected["cty"], "JWT");
    assert_eq!(protected["alg"], "RSA-OAEP");
    assert_eq!(protected["enc"], "A128CBC-HS256");
    let enc_key = fed.rp_jwks()["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["use"] == "enc")
        .unwrap()["kid"]
        .clone();
    assert_eq!(protected["kid"], enc_key);
    let (_, userinfo) = verified(&fed.decrypt(&jwe), &jwks);
    assert_eq!(userinfo["sub"], sub);
    assert_eq!(userinfo["iss"], iss);
    assert_eq!(userinfo["aud"], rp);
    assert_eq!(userinfo[FISCAL_NUMBER], "TINIT-RSSMRA85T10A562S");
    assert_eq!(userinfo["given_name"], "Mario");
    assert_eq!(userinfo["family_name"], "Rossi");

    // Introspection, then revocation: the token is inactive at once.
    let introspect = |token: String| {
        let (p, fed) = (&p, &fed);
        async move { as_rp(p, fed, "/oidc/introspect", &[("token", &token)]).await }
    };
    let (status, active) = introspect(access_token.to_owned()).await;
    assert_eq!(status, 200, "{active}");
    assert_eq!(active["active"], true, "{active}");
    assert_eq!(active["client_id"], rp);
    assert_eq!(active["sub"], sub);
    assert_eq!(active["exp"], at_exp);
    let (status, unknown) = introspect("not-a-token-of-ours".to_owned()).await;
    assert_eq!(status, 200);
    assert_eq!(unknown, json!({ "active": false }));
    let (status, _) = as_rp(&p, &fed, "/oidc/revoke", &[("token", access_token)]).await;
    assert_eq!(status, 200);
    let (status, revoked) = introspect(access_token.to_owned()).await;
    assert_eq!(status, 200);
    assert_eq!(revoked, json!({ "active": false }));
    let after = http()
        .get(format!("{iss}/oidc/userinfo"))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 401, "a revoked token reads nothing");
    p.server.stop().await;
}

async fn events(p: &Provider, event: &str) -> Vec<AuditRecord> {
    let mut tx = p.h.store.begin_read().await.unwrap();
    tx.audit(&AuditQuery {
        event: Some(event.into()),
        limit: 0,
        ..Default::default()
    })
    .await
    .unwrap()
}

/// What a client gets for `url` asking for `accept` (no `Accept-Language`):
/// status, `Location`, content type and body.
async fn get_as(url: &str, accept: &str) -> (u16, Option<String>, String, String) {
    let response = http()
        .get(url)
        .header("accept", accept)
        .send()
        .await
        .unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let (location, content_type) = (header("location"), header("content-type"));
    let status = response.status().as_u16();
    (
        status,
        location,
        content_type.unwrap_or_default(),
        response.text().await.unwrap(),
    )
}

/// A chain that does not resolve: a page here (never a redirect to the
/// relying party), in Italian by default, with the code; the error document
/// for a client asking for JSON.
async fn refused_chain(p: &Provider, fed: &LocalFederation, status: u16, code: &str, says: &str) {
    let asked = rp_request(p, fed, L2, &json!({}));
    let (got, location, content_type, page) = get_as(&asked.url, "text/html").await;
    assert_eq!(got, status, "{code}: {page}");
    assert!(location.is_none(), "{code}: no redirect");
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(page.contains("Servizio non riconosciuto"), "{page}");
    assert!(page.contains(says), "{code}: {page}");
    assert!(page.contains(code), "{page}");
    let (got, location, content_type, body) = get_as(&asked.url, "application/json").await;
    assert_eq!(got, status);
    assert!(location.is_none());
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["error"], code, "{body}");
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| !d.is_empty()),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_authorization_endpoint_refuses_unrecognised_chains_and_bad_request_objects() {
    let (p, fed) = Provider::start_federated().await;
    let rp = fed.rp_id();

    // Chains that do not resolve, before the relying party was ever
    // registered: each request resolves again, and each fails.
    fed.setup(Setup::only_unknown_anchor);
    refused_chain(
        &p,
        &fed,
        400,
        "invalid_client",
        "non risulta riconosciuto nella federazione SPID",
    )
    .await;
    fed.reset();
    fed.setup(Setup::without_trust_mark);
    refused_chain(&p, &fed, 400, "unauthorized_client", "non è autorizzato").await;
    fed.reset();
    let hanging = fed.fetch_path(Entity::Int);
    fed.setup(|s| s.hang(&hanging));
    let started = Instant::now();
    refused_chain(
        &p,
        &fed,
        503,
        "temporarily_unavailable",
        "Non riusciamo a verificare",
    )
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "the fetch timeout ends each wait: {:?}",
        started.elapsed()
    );
    assert!(p.h.service.service_provider(&rp).await.is_err());
    assert!(p.h.service.federation_client(&rp).await.unwrap().is_none());
    let failed: Vec<(String, String)> = events(&p, "federation.resolution_failed")
        .await
        .iter()
        .map(|e| {
            (
                e.details["client_id"].as_str().unwrap().to_owned(),
                e.details["error"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = [
        "invalid_client",
        "invalid_client",
        "unauthorized_client",
        "unauthorized_client",
        "temporarily_unavailable",
        "temporarily_unavailable",
    ]
    .iter()
    .map(|code| (rp.clone(), (*code).to_owned()))
    .collect();
    assert_eq!(failed, expected);
    let log = p.h.service.oidc_transactions(None, 100).await.unwrap();
    for code in [
        "invalid_client",
        "unauthorized_client",
        "temporarily_unavailable",
    ] {
        let refusals: Vec<_> = log
            .iter()
            .filter(|e| e.endpoint == "authorize" && e.outcome == code)
            .collect();
        assert_eq!(refusals.len(), 2, "{code} in {log:#?}");
        for e in refusals {
            assert_eq!(e.client_id.as_deref(), Some(rp.as_str()), "{e:?}");
            assert!(
                e.detail
                    .as_deref()
                    .is_some_and(|d| d.contains("trust chain")),
                "{e:?}"
            );
        }
    }

    // The happy chain from here on: the relying party is registered at its
    // first request, and its requests are held to the SPID profile.
    fed.reset();
    let redirect = fed.rp_redirect_uri();
    // No request object: refused, back to the relying party.
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let plain = authorize_url(
        &p,
        &[
            ("client_id", &rp),
            ("response_type", "code"),
            ("scope", "openid"),
            ("redirect_uri", &redirect),
            ("state", "plain-state"),
            ("nonce", "plain-nonce"),
            ("acr_values", L2),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ],
    );
    let mut b = p.browser();
    let back = redirect_to_rp(&fed, &p.follow(&mut b, &p.path_of(&plain)).await);
    assert_eq!(back["error"], "invalid_request_object", "{back:?}");
    assert_eq!(back["state"], "plain-state");
    assert_eq!(
        p.h.service.service_provider(&rp).await.unwrap().name,
        "Comune di Prova"
    );

    // A request object signed by a key its chain does not vouch for.
    let asked = rp_request_signed(&p, &fed, L2, &json!({}), true);
    let back = redirect_to_rp(&fed, &p.follow(&mut b, &p.path_of(&asked.url)).await);
    assert_eq!(back["error"], "invalid_request_object", "{back:?}");
    assert_eq!(back["state"], asked.state);

    // A scope inside the object other than the one outside.
    let asked = rp_request(&p, &fed, L2, &json!({ "scope": "openid profile" }));
    let back = redirect_to_rp(&fed, &p.follow(&mut b, &p.path_of(&asked.url)).await);
    assert_eq!(back["error"], "invalid_request_object", "{back:?}");
    assert!(back["error_description"].contains("scope"), "{back:?}");
    assert_eq!(back["state"], asked.state);

    // A redirect URI its chain does not give: a page here, never a redirect.
    let elsewhere = format!("{rp}/elsewhere");
    let asked = rp_request(&p, &fed, L2, &json!({ "redirect_uri": elsewhere }));
    let page = p.follow(&mut b, &p.path_of(&asked.url)).await;
    assert_eq!(page.status, 400, "{}", page.body);
    assert!(page.location.is_none());
    assert!(
        page.body.contains("Richiesta di accesso non valida"),
        "{}",
        page.body
    );

    // None of these signed anyone in.
    let log = p.h.service.oidc_transactions(Some(&rp), 100).await.unwrap();
    assert!(
        log.iter()
            .filter(|e| e.endpoint == "authorize")
            .all(|e| e.outcome != "ok"),
        "{log:#?}"
    );
    p.server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_level_performed_is_the_first_the_identity_can_satisfy() {
    let (p, fed) = Provider::start_federated().await;

    // SpidL1 for a holder with level 2 active: the password alone.
    let asked = rp_request(&p, &fed, L1, &json!({}));
    let mut b = p.browser();
    let consent = sign_in(&p, &mut b, &asked.url, false).await;
    assert!(
        consent.body.contains("accesso di livello 1"),
        "{}",
        consent.body
    );
    let back = accept(&p, &fed, &mut b, &consent).await;
    let tokens = exchange(&p, &fed, &back["code"], &asked).await;
    assert_eq!(id_token_acr(&p, &fed, &tokens, &asked.nonce).await, L1);
    // That level-1 sign-in was for the service only: the selfcare still
    // wants the identity's level 2.
    let selfcare = b.send("GET", "/selfcare", &[]).await;
    assert_eq!(
        selfcare.location.as_deref(),
        Some("/selfcare/sign-in"),
        "{} {}",
        selfcare.status,
        selfcare.body
    );

    // SpidL3 only, and the holder has no security key: told before any
    // credential is asked for, with the way back to the service.
    let asked = rp_request(&p, &fed, L3, &json!({}));
    let mut b = p.browser();
    let notice = p.follow(&mut b, &p.path_of(&asked.url)).await;
    assert_eq!(notice.status, 200, "{}", notice.body);
    assert!(
        notice.body.contains("Serve una chiave di sicurezza"),
        "{}",
        notice.body
    );
    assert!(!notice.body.contains("name=\"password\""));
    assert!(
        notice
            .body
            .contains("href=\"/selfcare/credentials#security-keys\"")
    );
    assert!(notice.body.contains("id=\"have-key\""), "the way on");
    assert!(notice.body.contains("Torna a Comune di Prova"));
    let csrf = csrf_of(&notice.body);
    let request = hidden_of(&notice.body, "request");
    let back = b
        .send(
            "POST",
            "/oidc/cancel",
            &[("csrf", &csrf), ("request", &request)],
        )
        .await;
    let back = redirect_to_rp(&fed, &back);
    assert_eq!(back["error"], "access_denied", "{back:?}");
    assert_eq!(back["state"], asked.state);

    // A holder who goes on to the sign-in anyway: the right password, then
    // the same page, refused, without the way on.
    let asked = rp_request(&p, &fed, L3, &json!({}));
    let mut b = p.browser();
    let notice = p.follow(&mut b, &p.path_of(&asked.url)).await;
    assert!(notice.body.contains("Serve una chiave di sicurezza"));
    let page = p.follow(&mut b, "/selfcare/sign-in").await;
    assert!(page.body.contains("name=\"password\""), "{}", page.body);
    let username = p.holder.username.to_string();
    let refused = p
        .post(
            &mut b,
            &page,
            "/selfcare/sign-in",
            &[("login_id", &username), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(
        refused.body.contains("Serve una chiave di sicurezza"),
        "{}",
        refused.body
    );
    assert!(!refused.body.contains("id=\"have-key\""));
    assert!(refused.body.contains("Torna a Comune di Prova"));

    // "SpidL2 SpidL1" for a holder with level 1 only: signed in with the
    // password, at level 1.
    let s = identity_testkit::sign_in_l2(&p.h, &p.holder, &p.secret).await;
    p.h.service.remove_level2(&s.session).await.unwrap();
    let asked = rp_request(&p, &fed, &format!("{L2} {L1}"), &json!({}));
    let mut b = p.browser();
    let consent = sign_in(&p, &mut b, &asked.url, false).await;
    let back = accept(&p, &fed, &mut b, &consent).await;
    let tokens = exchange(&p, &fed, &back["code"], &asked).await;
    assert_eq!(id_token_acr(&p, &fed, &tokens, &asked.nonce).await, L1);
    p.server.stop().await;
}

/// The provider's entity configuration: content type, `Cache-Control`, the
/// JWT.
async fn entity_configuration(p: &Provider) -> (String, String, String) {
    let response = http()
        .get(format!("{}/.well-known/openid-federation", p.server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let header = |name: &str| response.headers()[name].to_str().unwrap().to_owned();
    let (content_type, cache) = (header("content-type"), header("cache-control"));
    (content_type, cache, response.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_entity_configuration_and_the_resolve_endpoint() {
    let (p, fed) = Provider::start_federated().await;
    let iss = p.server.base.clone();
    let (content_type, cache, jwt) = entity_configuration(&p).await;
    assert_eq!(content_type, "application/entity-statement+jwt");
    let max_age: u64 = cache
        .split(',')
        .find_map(|d| d.trim().strip_prefix("max-age="))
        .expect("a max-age")
        .parse()
        .unwrap();
    assert!(max_age > 0 && max_age <= 3600, "{cache}");
    // Signed with one of the federation keys it publishes.
    let unverified = part(&jwt, 1);
    let federation_keys = unverified["jwks"].clone();
    let (header, ec) = verified(&jwt, &federation_keys);
    assert_eq!(header["typ"], "entity-statement+jwt");
    // ... which are not the OpenID Connect keys.
    let oidc = oidc_jwks(&p).await;
    assert!(!kids(&oidc).is_empty());
    assert!(
        kids(&federation_keys).is_disjoint(&kids(&oidc)),
        "{federation_keys} {oidc}"
    );
    assert_eq!(ec["iss"], iss);
    assert_eq!(ec["sub"], iss);
    assert!(ec["exp"].as_i64().unwrap() > ec["iat"].as_i64().unwrap());
    assert_eq!(ec["authority_hints"], json!([fed.ta_id()]));
    let op = &ec["metadata"]["openid_provider"];
    assert_eq!(
        kids(&op["jwks"]),
        kids(&oidc),
        "the OpenID Connect keys inline"
    );
    assert!(op.get("jwks_uri").is_none(), "{op}");
    assert_eq!(op["issuer"], iss);
    assert_eq!(
        op["client_registration_types_supported"],
        json!(["automatic"])
    );
    assert_eq!(
        op["token_endpoint_auth_methods_supported"],
        json!(["private_key_jwt"])
    );
    assert_eq!(
        op["introspection_endpoint"],
        format!("{iss}/oidc/introspect")
    );
    let listed = |name: &str| -> Vec<String> {
        serde_json::from_value(op[name].clone()).unwrap_or_else(|_| panic!("{name}: {op}"))
    };
    for alg in ["RSA-OAEP", "RSA-OAEP-256"] {
        assert!(listed("userinfo_encryption_alg_values_supported").contains(&alg.to_owned()));
    }
    for enc in ["A128CBC-HS256", "A256CBC-HS512"] {
        assert!(listed("userinfo_encryption_enc_values_supported").contains(&enc.to_owned()));
    }
    assert_eq!(
        ec["metadata"]["federation_entity"]["federation_resolve_endpoint"],
        format!("{iss}/federation/resolve")
    );
    assert_eq!(ec["trust_marks"], json!([]));

    // A trust mark the provider holds (only its shape is checked when added:
    // about this provider, unexpired).
    let anna = p.h.service.bootstrap_operator("anna").await.unwrap().0;
    let mark_id = format!("{}/openid_provider/public", fed.ta_id());
    let now = p.h.service.now().timestamp();
    let mark_of = |sub: &str| {
        let header = json!({ "alg": "RS256", "kid": "ta-federation", "typ": "trust-mark+jwt" });
        let claims = json!({
            "iss": fed.ta_id(),
            "sub": sub,
            "id": mark_id,
            "trust_mark_type": mark_id,
            "iat": now,
            "exp": now + 365 * 86_400,
        });
        format!(
            "{}.{}.{}",
            base64(header.to_string().as_bytes()),
            base64(claims.to_string().as_bytes()),
            base64(b"a signature nobody checks here")
        )
    };
    assert!(
        p.h.service
            .add_held_trust_mark(&mark_of(&fed.rp_id()), &anna)
            .await
            .is_err(),
        "a mark about someone else"
    );
    let mark = mark_of(&p.h.service.entity_id());
    p.h.service.add_held_trust_mark(&mark, &anna).await.unwrap();
    let (_, _, jwt) = entity_configuration(&p).await;
    let (_, ec) = verified(&jwt, &federation_keys);
    assert_eq!(
        ec["trust_marks"],
        json!([{ "id": mark_id, "trust_mark_type": mark_id, "trust_mark": mark }])
    );

    // The resolve endpoint: the relying party's resolved chain, signed with
    // the federation key.
    let (rp, ta) = (fed.rp_id(), fed.ta_id());
    let resolve = |query: String| {
        let url = format!("{iss}/federation/resolve?{query}");
        async move { http().get(url).send().await.unwrap() }
    };
    let answer = resolve(format!("sub={}&trust_anchor={}", encode(&rp), encode(&ta))).await;
    assert_eq!(answer.status(), 200);
    assert_eq!(
        answer.headers()["content-type"],
        "application/resolve-response+jwt"
    );
    let (header, resolved) = verified(&answer.text().await.unwrap(), &federation_keys);
    assert_eq!(header["typ"], "resolve-response+jwt");
    assert_eq!(resolved["iss"], iss);
    assert_eq!(resolved["sub"], rp);
    assert_eq!(
        resolved["metadata"]["openid_relying_party"]["redirect_uris"],
        json!([fed.rp_redirect_uri()])
    );
    assert_eq!(resolved["trust_chain"].as_array().unwrap().len(), 4);
    assert_eq!(resolved["trust_marks"][0]["id"], fed.trust_mark_id());

    let error_of = |response: reqwest::Response| async move {
        let status = response.status().as_u16();
        let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
        (
            status,
            body["error"].as_str().unwrap_or_default().to_owned(),
        )
    };
    assert_eq!(
        error_of(resolve(format!("sub={}", encode(&rp))).await).await,
        (400, "invalid_request".to_owned())
    );
    assert_eq!(
        error_of(resolve(format!("trust_anchor={}", encode(&ta))).await).await,
        (400, "invalid_request".to_owned())
    );
    let unknown = fed.id(Entity::Ta2);
    assert_eq!(
        error_of(
            resolve(format!(
                "sub={}&trust_anchor={}",
                encode(&rp),
                encode(&unknown)
            ))
            .await
        )
        .await,
        (404, "invalid_trust_anchor".to_owned())
    );
    p.server.stop().await;
}
