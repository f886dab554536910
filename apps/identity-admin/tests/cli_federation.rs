//! `identity-admin federation ...` against a real SQLite database: trust
//! anchors added from a key file or fetched from a local federation, listed,
//! replaced and removed; trust marks held; `federation show`; what is refused,
//! with which exit code (2: what was typed is wrong, nothing was opened; 1: a
//! well-formed request the provider refuses), and who may do what.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use std::path::PathBuf;
use std::process::Output;
use std::sync::Arc;

use identity_service::SystemClock;
use identity_testkit::federation::LocalFederation;
use serde_json::{Value, json};
use support::*;

const TA: &str = "https://registry.spid.gov.it";
const MARK_ID: &str = "https://registry.spid.gov.it/openid_provider/public";

/// A public RSA key of a federation JWKS (its numbers are never used: the CLI
/// stores the keys, the resolver would verify with them).
fn key(kid: &str) -> Value {
    json!({ "kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw", "e": "AQAB" })
}

/// `jwks` written to a file of `dir`.
fn jwks_file(dir: &tempfile::TempDir, name: &str, jwks: &Value) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, jwks.to_string()).unwrap();
    path
}

/// Base64url without padding (RFC 7515), for the test's trust marks.
fn b64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// A trust mark of the anchor about `sub` (the CLI reads it without checking
/// the signature: the relying parties check it against the anchor's keys).
fn trust_mark(sub: &str, id: &str, exp: i64) -> String {
    let header = json!({ "alg": "RS256", "kid": "ta-1", "typ": "trust-mark+jwt" });
    let now = chrono::Utc::now().timestamp();
    let claims = json!({
        "iss": TA,
        "sub": sub,
        "id": id,
        "trust_mark_type": id,
        "iat": now,
        "exp": exp,
    });
    format!(
        "{}.{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes()),
        b64url(b"signature")
    )
}

fn a_year_on() -> i64 {
    chrono::Utc::now().timestamp() + 365 * 86_400
}

/// The audit records of `federation.` events, as the CLI lists them.
fn federation_audit(db: &Db) -> Vec<Value> {
    json_of(&admin(
        db,
        &["--json", "audit", "query", "--event", "federation."],
    ))
    .as_array()
    .unwrap()
    .clone()
}

fn events_named<'a>(records: &'a [Value], event: &str) -> Vec<&'a Value> {
    records.iter().filter(|r| r["event"] == event).collect()
}

/// The key ids of an anchor as `trust-anchor list --json` shows it.
fn kids_of(anchor: &Value) -> Vec<String> {
    anchor["jwks"]["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

fn failed(o: &Output, exit: i32, says: &str) {
    assert_eq!(code(o), exit, "{}{}", stdout(o), stderr(o));
    assert!(stderr(o).contains(says), "{says:?} in {}", stderr(o));
}

#[tokio::test]
async fn trust_anchors_are_added_listed_replaced_and_removed_under_the_operator() {
    let db = db();
    let service = service(&db).await;
    let dir = tempfile::tempdir().unwrap();
    let agid = jwks_file(
        &dir,
        "agid.json",
        &json!({ "keys": [key("ta-1"), key("ta-2")] }),
    );
    let agid = agid.to_str().unwrap();

    let added = admin(
        &db,
        &[
            "federation",
            "trust-anchor",
            "add",
            "--entity-id",
            TA,
            "--jwks-file",
            agid,
        ],
    );
    assert_eq!(code(&added), 0, "{}", stderr(&added));
    assert!(stdout(&added).contains(TA), "{}", stdout(&added));
    assert!(stdout(&added).contains("ta-1, ta-2"), "{}", stdout(&added));

    let list = admin(&db, &["federation", "trust-anchor", "list"]);
    assert_eq!(code(&list), 0);
    for shown in [TA, "ta-1, ta-2", "operator:anna"] {
        assert!(
            stdout(&list).contains(shown),
            "{shown} in {}",
            stdout(&list)
        );
    }
    let listed = json_of(&admin(
        &db,
        &["--json", "federation", "trust-anchor", "list"],
    ));
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["entity_id"], TA);
    assert_eq!(kids_of(&listed[0]), ["ta-1", "ta-2"]);
    assert_eq!(listed[0]["added_by"], "operator:anna");

    let audit = federation_audit(&db);
    let added = events_named(&audit, "federation.trust_anchor_added");
    assert_eq!(added.len(), 1);
    assert_eq!(added[0]["actor"], "operator:anna");
    assert_eq!(added[0]["details"]["entity_id"], TA);
    assert_eq!(added[0]["details"]["kids"], json!(["ta-1", "ta-2"]));

    // The same entity id again: its keys are replaced, not a second anchor.
    let rotated = jwks_file(&dir, "agid-2.json", &json!({ "keys": [key("ta-3")] }));
    let replaced = admin(
        &db,
        &[
            "federation",
            "trust-anchor",
            "add",
            "--entity-id",
            TA,
            "--jwks-file",
            rotated.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&replaced), 0, "{}", stderr(&replaced));
    let listed = json_of(&admin(
        &db,
        &["--json", "federation", "trust-anchor", "list"],
    ));
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(kids_of(&listed[0]), ["ta-3"]);
    let audit = federation_audit(&db);
    let replaced = events_named(&audit, "federation.trust_anchor_keys_replaced");
    assert_eq!(replaced.len(), 1);
    assert_eq!(replaced[0]["actor"], "operator:anna");
    assert_eq!(replaced[0]["details"]["kids"], json!(["ta-3"]));
    assert_eq!(
        events_named(&audit, "federation.trust_anchor_added").len(),
        1
    );

    // An entity id never added: refused (1), with what to do.
    let unknown = admin(
        &db,
        &[
            "federation",
            "trust-anchor",
            "remove",
            "https://ta.example.it",
        ],
    );
    failed(
        &unknown,
        1,
        "no trust anchor \"https://ta.example.it\" was added",
    );

    let removed = admin(&db, &["federation", "trust-anchor", "remove", TA]);
    assert_eq!(code(&removed), 0, "{}", stderr(&removed));
    assert!(stdout(&removed).contains("removed"));
    let list = admin(&db, &["federation", "trust-anchor", "list"]);
    assert_eq!(stdout(&list).trim(), "no trust anchors");
    assert!(
        json_of(&admin(
            &db,
            &["--json", "federation", "trust-anchor", "list"]
        ))
        .as_array()
        .unwrap()
        .is_empty()
    );
    let audit = federation_audit(&db);
    let gone = events_named(&audit, "federation.trust_anchor_removed");
    assert_eq!(gone.len(), 1);
    assert_eq!(gone[0]["actor"], "operator:anna");
    assert_eq!(gone[0]["details"]["entity_id"], TA);
    // The events under the operator in the store's audit log as well.
    let events = audit_events(&service).await;
    assert!(events.contains(&(
        "federation.trust_anchor_added".into(),
        "operator:anna".into()
    )));
}

#[test]
fn what_was_typed_wrong_about_an_anchor_is_bad_usage_before_the_database() {
    let db = db();
    let dir = tempfile::tempdir().unwrap();
    let good = jwks_file(&dir, "good.json", &json!({ "keys": [key("ta-1")] }));
    let good = good.to_str().unwrap();
    let add = |entity_id: &str, keys: &[&str]| {
        let mut args = vec![
            "federation",
            "trust-anchor",
            "add",
            "--entity-id",
            entity_id,
        ];
        args.extend_from_slice(keys);
        // A token that is never checked: these stop before the database.
        unchecked_token(&db, &args)
    };
    for bad in [
        "http://ta.example.it",
        "https://ta.example.it/?federation=1",
        "https://ta.example.it/#anchor",
        "ta.example.it",
    ] {
        failed(
            &add(bad, &["--jwks-file", good]),
            2,
            &format!("{bad:?} is not an entity id"),
        );
        // The same when the keys were to be fetched: nothing is asked of it.
        failed(&add(bad, &["--fetch"]), 2, "is not an entity id");
    }

    let missing = dir.path().join("missing.json");
    failed(
        &add(TA, &["--jwks-file", missing.to_str().unwrap()]),
        2,
        "missing.json",
    );
    let not_json = dir.path().join("agid.pem");
    std::fs::write(&not_json, "-----BEGIN PUBLIC KEY-----\nMIIB\n").unwrap();
    failed(
        &add(TA, &["--jwks-file", not_json.to_str().unwrap()]),
        2,
        "not JSON",
    );
    let mut unnamed = key("ta-1");
    unnamed.as_object_mut().unwrap().remove("kid");
    let unnamed = jwks_file(
        &dir,
        "unnamed.json",
        &json!({ "keys": [key("ta-2"), unnamed] }),
    );
    failed(
        &add(TA, &["--jwks-file", unnamed.to_str().unwrap()]),
        2,
        "needs a \"kid\"",
    );
    let mut private = key("ta-1");
    private["d"] = json!("c2VjcmV0");
    let private = jwks_file(&dir, "private.json", &json!({ "keys": [private] }));
    failed(
        &add(TA, &["--jwks-file", private.to_str().unwrap()]),
        2,
        "public keys",
    );
    // Neither keys nor --fetch: clap's usage error.
    assert_eq!(code(&add(TA, &[])), 2);
    assert!(!db.exists(), "nothing opened the database");
}

#[tokio::test]
async fn trust_marks_about_this_provider_are_held_and_shown() {
    let db = db();
    let _service = service(&db).await;
    let shown = json_of(&admin(&db, &["--json", "federation", "show"]));
    let me = shown["entity_id"].as_str().unwrap().to_owned();
    assert!(me.starts_with("http"), "{me}");
    assert_eq!(shown["trust_marks"], json!([]));

    // The JWT itself, on the command line.
    let mark = trust_mark(&me, MARK_ID, a_year_on());
    let added = admin(&db, &["federation", "trust-mark", "add", "--jwt", &mark]);
    assert_eq!(code(&added), 0, "{}", stderr(&added));
    assert!(stdout(&added).contains(MARK_ID), "{}", stdout(&added));
    // The element of a trust_marks list, as the anchor hands it out, in a file.
    let private_id = "https://registry.spid.gov.it/openid_provider/private";
    let private_mark = trust_mark(&me, private_id, a_year_on());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mark.json");
    std::fs::write(
        &file,
        json!({ "id": private_id, "trust_mark": private_mark }).to_string(),
    )
    .unwrap();
    let from_file = admin(
        &db,
        &[
            "federation",
            "trust-mark",
            "add",
            "--file",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&from_file), 0, "{}", stderr(&from_file));

    let list = admin(&db, &["federation", "trust-mark", "list"]);
    assert_eq!(code(&list), 0);
    assert!(stdout(&list).contains(MARK_ID) && stdout(&list).contains(private_id));
    let listed = json_of(&admin(&db, &["--json", "federation", "trust-mark", "list"]));
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 2);
    let held = |id: &str| {
        listed
            .iter()
            .find(|m| m["id"] == id)
            .unwrap_or_else(|| panic!("{id} listed"))["trust_mark"]
            .clone()
    };
    assert_eq!(held(MARK_ID), json!(mark));
    assert_eq!(held(private_id), json!(private_mark));
    let audit = federation_audit(&db);
    let marks = events_named(&audit, "federation.trust_mark_added");
    assert_eq!(marks.len(), 2);
    assert!(marks.iter().all(|m| m["actor"] == "operator:anna"));
    assert_eq!(marks[0]["details"]["issuer"], TA);

    // A well-formed trust mark about another entity, or an expired one: the
    // provider refuses it (1), saying why.
    let elsewhere = "https://other-op.example.it";
    let theirs = trust_mark(elsewhere, MARK_ID, a_year_on());
    failed(
        &admin(&db, &["federation", "trust-mark", "add", "--jwt", &theirs]),
        1,
        &format!("the trust mark is about \"{elsewhere}\", not this provider ({me})"),
    );
    let expired = trust_mark(&me, MARK_ID, chrono::Utc::now().timestamp() - 60);
    failed(
        &admin(&db, &["federation", "trust-mark", "add", "--jwt", &expired]),
        1,
        "expired",
    );
    // What is not a trust mark at all was typed wrong (2).
    failed(
        &unchecked_token(
            &db,
            &["federation", "trust-mark", "add", "--jwt", "not-a-jwt"],
        ),
        2,
        "not a signed JWT",
    );
    std::fs::write(&file, json!({ "id": MARK_ID }).to_string()).unwrap();
    failed(
        &unchecked_token(
            &db,
            &[
                "federation",
                "trust-mark",
                "add",
                "--file",
                file.to_str().unwrap(),
            ],
        ),
        2,
        "\"trust_mark\" member",
    );
    // The held ones are unchanged.
    assert_eq!(
        json_of(&admin(&db, &["--json", "federation", "trust-mark", "list"]))
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        events_named(&federation_audit(&db), "federation.trust_mark_added").len(),
        2
    );

    // `show`: the entity id, its superiors (by default its anchors), the
    // anchors and the marks.
    let keys = jwks_file(&dir, "agid.json", &json!({ "keys": [key("ta-1")] }));
    let anchored = admin(
        &db,
        &[
            "federation",
            "trust-anchor",
            "add",
            "--entity-id",
            TA,
            "--jwks-file",
            keys.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&anchored), 0, "{}", stderr(&anchored));
    let show = admin(&db, &["federation", "show"]);
    assert_eq!(code(&show), 0, "{}", stderr(&show));
    let text = stdout(&show);
    for line in [
        "Entity id",
        &me,
        "Authority hints",
        "Trust anchors",
        TA,
        "Trust marks held",
        MARK_ID,
        private_id,
    ] {
        assert!(text.contains(line), "{line} in {text}");
    }
    let shown = json_of(&admin(&db, &["--json", "federation", "show"]));
    assert_eq!(shown["entity_id"], me);
    assert_eq!(shown["authority_hints"], json!([TA]));
    assert_eq!(shown["trust_anchors"], json!([TA]));
    let mut marks: Vec<&str> = shown["trust_marks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    marks.sort_unstable();
    assert_eq!(marks, [private_id, MARK_ID], "sorted");

    // Removing a mark, then one never added.
    let removed = admin(&db, &["federation", "trust-mark", "remove", private_id]);
    assert_eq!(code(&removed), 0, "{}", stderr(&removed));
    failed(
        &admin(&db, &["federation", "trust-mark", "remove", private_id]),
        1,
        "no trust mark",
    );
    let audit = federation_audit(&db);
    let gone = events_named(&audit, "federation.trust_mark_removed");
    assert_eq!(gone.len(), 1);
    assert_eq!(gone[0]["actor"], "operator:anna");
}

#[tokio::test]
async fn a_viewer_may_read_the_federation_but_not_change_it() {
    let db = db();
    let _service = service(&db).await;
    let dir = tempfile::tempdir().unwrap();
    let keys = jwks_file(&dir, "agid.json", &json!({ "keys": [key("ta-1")] }));
    let keys = keys.to_str().unwrap();
    let add = [
        "federation",
        "trust-anchor",
        "add",
        "--entity-id",
        TA,
        "--jwks-file",
        keys,
    ];
    assert_eq!(code(&admin(&db, &add)), 0);
    let viewer = json_of(&admin(
        &db,
        &["--json", "operator", "add", "vera", "--role", "viewer"],
    ));
    let vera = viewer["token"].as_str().unwrap().to_owned();
    let vera = |args: &[&str]| with_token(&db, Some(&vera), args);

    let list = vera(&["--json", "federation", "trust-anchor", "list"]);
    assert_eq!(json_of(&list).as_array().unwrap().len(), 1);
    assert_eq!(code(&vera(&["federation", "trust-mark", "list"])), 0);
    assert_eq!(code(&vera(&["federation", "show"])), 0);

    let me = json_of(&vera(&["--json", "federation", "show"]))["entity_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mark = trust_mark(&me, MARK_ID, a_year_on());
    for change in [
        add.to_vec(),
        vec!["federation", "trust-anchor", "remove", TA],
        vec!["federation", "trust-mark", "add", "--jwt", &mark],
        vec!["federation", "trust-mark", "remove", MARK_ID],
    ] {
        failed(
            &vera(&change),
            1,
            "operator vera is viewer; this needs admin",
        );
    }
    // Nothing changed, nothing audited but the first admin's addition.
    let audit = federation_audit(&db);
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0]["event"], "federation.trust_anchor_added");
    assert!(
        json_of(&admin(&db, &["--json", "federation", "trust-mark", "list"]))
            .as_array()
            .unwrap()
            .is_empty()
    );
}

/// Runs the CLI from a test on the multi-threaded runtime, so the local
/// federation the CLI fetches from keeps answering meanwhile.
fn blocking(run: impl FnOnce() -> Output) -> Output {
    tokio::task::block_in_place(run)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_anchor_fetched_from_a_local_federation_has_its_published_keys() {
    let fed = LocalFederation::start().await;
    fed.follow(Arc::new(SystemClock));
    let db = db();
    let _service = service(&db).await;
    let ta = fed.ta_id();
    let fetch = [
        "federation",
        "trust-anchor",
        "add",
        "--entity-id",
        &ta,
        "--fetch",
    ];

    // Plain http to the loopback is not fetched unless the setting allows it.
    let refused = blocking(|| admin(&db, &fetch));
    failed(&refused, 1, "refused to fetch");
    failed(
        &refused,
        1,
        "IDENTITY_FEDERATION__FETCH__ALLOW_HTTP_LOOPBACK",
    );
    assert_eq!(fed.total_hits(), 0, "refused before any request");

    let allow = [("IDENTITY_FEDERATION__FETCH__ALLOW_HTTP_LOOPBACK", "true")];
    let added = blocking(|| admin_with(&db, Some("anna"), &allow, &fetch));
    assert_eq!(code(&added), 0, "{}", stderr(&added));
    // The key ids are printed, for the operator to compare with the ones the
    // federation's authority announces.
    assert!(
        stdout(&added).contains("ta-federation"),
        "{}",
        stdout(&added)
    );
    assert_eq!(
        fed.hits(&fed.configuration_path(identity_testkit::federation::Entity::Ta)),
        1
    );

    let listed = json_of(&admin(
        &db,
        &["--json", "federation", "trust-anchor", "list"],
    ));
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["entity_id"], ta);
    assert_eq!(listed[0]["jwks"], fed.ta_jwks());
    let audit = federation_audit(&db);
    let added = events_named(&audit, "federation.trust_anchor_added");
    assert_eq!(added.len(), 1);
    assert_eq!(added[0]["actor"], "operator:anna");
    assert_eq!(added[0]["details"]["kids"], json!(["ta-federation"]));

    // An entity that publishes no configuration: refused (1), nothing added.
    let nobody = format!("{}/nobody", fed.base());
    let missing = blocking(|| {
        admin_with(
            &db,
            Some("anna"),
            &allow,
            &[
                "federation",
                "trust-anchor",
                "add",
                "--entity-id",
                &nobody,
                "--fetch",
            ],
        )
    });
    failed(&missing, 1, "nobody");
    assert_eq!(
        json_of(&admin(
            &db,
            &["--json", "federation", "trust-anchor", "list"]
        ))
        .as_array()
        .unwrap()
        .len(),
        1
    );
}
