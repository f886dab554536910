use serde_json::{Map, Value, json};

use super::*;

/// No `metadata_policy_crit` anywhere in the chain.
const NO_CRIT: &[String] = &[];

fn map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

fn crit(names: &[&str]) -> Vec<String> {
    names.iter().map(|name| (*name).to_owned()).collect()
}

fn combine_ok(superior: Value, subordinate: Value) -> Value {
    Value::Object(combine(&map(superior), &map(subordinate), NO_CRIT).expect("combines"))
}

fn combine_err(superior: Value, subordinate: Value) -> PolicyError {
    combine(&map(superior), &map(subordinate), NO_CRIT).expect_err("must not combine")
}

fn apply_ok(policy: Value, metadata: Value) -> Value {
    Value::Object(apply(&map(policy), &map(metadata), NO_CRIT).expect("applies"))
}

fn apply_err(policy: Value, metadata: Value) -> PolicyError {
    apply(&map(policy), &map(metadata), NO_CRIT).expect_err("must fail")
}

// ---------------------------------------------------------------------------
// The specification's own example (6.1.5), reproduced exactly.
// ---------------------------------------------------------------------------

fn spec_trust_anchor_policy() -> Value {
    json!({
        "grant_types": {
            "default": ["authorization_code"],
            "subset_of": ["authorization_code", "refresh_token"],
            "superset_of": ["authorization_code"]
        },
        "token_endpoint_auth_method": {
            "one_of": ["private_key_jwt", "self_signed_tls_client_auth"],
            "essential": true
        },
        "token_endpoint_auth_signing_alg": {
            "one_of": ["PS256", "ES256"]
        },
        "subject_type": {
            "value": "pairwise"
        },
        "contacts": {
            "add": ["helpdesk@federation.example.org"]
        }
    })
}

fn spec_intermediate_policy() -> Value {
    json!({
        "grant_types": {
            "subset_of": ["authorization_code"]
        },
        "token_endpoint_auth_method": {
            "one_of": ["self_signed_tls_client_auth"]
        },
        "contacts": {
            "add": ["helpdesk@org.example.org"]
        }
    })
}

fn spec_intermediate_metadata() -> Value {
    json!({
        "sector_identifier_uri": "https://org.example.org/sector-ids.json",
        "policy_uri": "https://org.example.org/policy.html"
    })
}

fn spec_leaf_metadata() -> Value {
    json!({
        "redirect_uris": ["https://rp.example.org/callback"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "self_signed_tls_client_auth",
        "contacts": ["rp_admins@rp.example.org"]
    })
}

fn spec_merged_policy() -> Value {
    json!({
        "grant_types": {
            "default": ["authorization_code"],
            "superset_of": ["authorization_code"],
            "subset_of": ["authorization_code"]
        },
        "token_endpoint_auth_method": {
            "one_of": ["self_signed_tls_client_auth"],
            "essential": true
        },
        "token_endpoint_auth_signing_alg": {
            "one_of": ["PS256", "ES256"]
        },
        "subject_type": {
            "value": "pairwise"
        },
        "contacts": {
            "add": ["helpdesk@federation.example.org", "helpdesk@org.example.org"]
        }
    })
}

fn spec_resolved_metadata() -> Value {
    json!({
        "redirect_uris": ["https://rp.example.org/callback"],
        "grant_types": ["authorization_code"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "self_signed_tls_client_auth",
        "subject_type": "pairwise",
        "sector_identifier_uri": "https://org.example.org/sector-ids.json",
        "policy_uri": "https://org.example.org/policy.html",
        "contacts": [
            "rp_admins@rp.example.org",
            "helpdesk@federation.example.org",
            "helpdesk@org.example.org"
        ]
    })
}

#[test]
fn spec_example_merged_policy() {
    assert_eq!(
        combine_ok(spec_trust_anchor_policy(), spec_intermediate_policy()),
        spec_merged_policy()
    );
}

#[test]
fn spec_example_resolved_metadata() {
    let leaf = override_with(
        &map(spec_leaf_metadata()),
        Some(&map(spec_intermediate_metadata())),
    );
    let resolved = apply(&map(spec_merged_policy()), &leaf, NO_CRIT).expect("applies");
    assert_eq!(Value::Object(resolved), spec_resolved_metadata());
}

#[test]
fn spec_example_end_to_end_two_level_chain() {
    // Trust anchor's statement first, then the intermediate's (6.1.4.1).
    let chain = [spec_trust_anchor_policy(), spec_intermediate_policy()];
    let resolved_policy = chain
        .iter()
        .map(|policy| map(policy.clone()))
        .try_fold(Map::new(), |current, next| {
            combine(&current, &next, NO_CRIT)
        })
        .expect("resolves");
    let leaf = override_with(
        &map(spec_leaf_metadata()),
        Some(&map(spec_intermediate_metadata())),
    );
    let resolved = apply(&resolved_policy, &leaf, NO_CRIT).expect("applies");
    assert_eq!(Value::Object(resolved), spec_resolved_metadata());
}

#[test]
fn spec_structure_example_applies() {
    // 6.1.2's example: default and one_of together.
    let policy = json!({
        "id_token_signed_response_alg": {"default": "ES256", "one_of": ["ES256", "ES384", "ES512"]}
    });
    assert_eq!(
        apply_ok(policy.clone(), json!({})),
        json!({"id_token_signed_response_alg": "ES256"})
    );
    assert_eq!(
        apply_ok(
            policy.clone(),
            json!({"id_token_signed_response_alg": "ES512"})
        ),
        json!({"id_token_signed_response_alg": "ES512"})
    );
    assert!(matches!(
        apply_err(policy, json!({"id_token_signed_response_alg": "RS256"})),
        PolicyError::Violation {
            operator: "one_of",
            ..
        }
    ));
}

mod applying;
mod chains;
mod combining;
