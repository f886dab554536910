//! Whole chains: the subordinate statement's `metadata` override, policies
//! combined over two and three levels, and the properties of combining then
//! applying.

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::*;

// ---------------------------------------------------------------------------
// The subordinate statement's `metadata` claim (3.1.1).
// ---------------------------------------------------------------------------

#[test]
fn statement_metadata_overrides_identically_named_parameters() {
    let leaf = map(json!({"client_name": "Leaf", "contacts": ["leaf@rp.example"]}));
    let statement =
        map(json!({"client_name": "Registered name", "policy_uri": "https://org.example/p"}));
    assert_eq!(
        Value::Object(override_with(&leaf, Some(&statement))),
        json!({
            "client_name": "Registered name",
            "contacts": ["leaf@rp.example"],
            "policy_uri": "https://org.example/p"
        })
    );
    assert_eq!(override_with(&leaf, None), leaf);
    assert_eq!(override_with(&leaf, Some(&Map::new())), leaf);
}

#[test]
fn statement_metadata_comes_before_the_policy() {
    // The superior sets a value the policy then checks and rejects: the
    // override is no way around the federation's policy.
    let leaf = map(json!({"token_endpoint_auth_method": "private_key_jwt"}));
    let statement = map(json!({"token_endpoint_auth_method": "client_secret_basic"}));
    let policy = map(json!({"token_endpoint_auth_method": {"one_of": ["private_key_jwt"]}}));
    assert!(matches!(
        apply(&policy, &override_with(&leaf, Some(&statement)), NO_CRIT),
        Err(PolicyError::Violation {
            operator: "one_of",
            ..
        })
    ));
}

// ---------------------------------------------------------------------------
// Two- and three-level chains.
// ---------------------------------------------------------------------------

fn resolve(chain: &[Value], leaf: Value) -> Result<Value, PolicyError> {
    let policy = chain
        .iter()
        .map(|policy| map(policy.clone()))
        .try_fold(Map::new(), |current, next| {
            combine(&current, &next, NO_CRIT)
        })?;
    apply(&policy, &map(leaf), NO_CRIT).map(Value::Object)
}

#[test]
fn an_intermediate_narrows_the_trust_anchor_policy() {
    let trust_anchor = json!({
        "id_token_signed_response_alg": {"one_of": ["RS256", "ES256", "PS256"], "default": "ES256"},
        "grant_types": {"subset_of": ["authorization_code", "refresh_token"], "essential": true},
        "contacts": {"add": ["tech@registry.example.it"]}
    });
    let intermediate = json!({
        "id_token_signed_response_alg": {"one_of": ["ES256", "PS256"]},
        "grant_types": {"subset_of": ["authorization_code"]},
        "contacts": {"add": ["help@aggregator.example.it"]},
        "client_registration_types": {"value": ["automatic"]}
    });
    assert_eq!(
        resolve(
            &[trust_anchor.clone(), intermediate.clone()],
            json!({
                "grant_types": ["authorization_code", "refresh_token"],
                "contacts": ["rp@ente.example.it"],
                "client_registration_types": ["explicit"]
            })
        ),
        Ok(json!({
            "id_token_signed_response_alg": "ES256",
            "grant_types": ["authorization_code"],
            "contacts": ["rp@ente.example.it", "tech@registry.example.it", "help@aggregator.example.it"],
            "client_registration_types": ["automatic"]
        }))
    );
    // What the trust anchor allows but the intermediate does not.
    assert!(matches!(
        resolve(
            &[trust_anchor.clone(), intermediate.clone()],
            json!({"grant_types": ["authorization_code"], "id_token_signed_response_alg": "RS256"})
        ),
        Err(PolicyError::Violation {
            operator: "one_of",
            ..
        })
    ));
    // The trust anchor's essential stays.
    assert_eq!(
        resolve(&[trust_anchor, intermediate], json!({})),
        Err(PolicyError::MissingEssential {
            parameter: "grant_types".into()
        })
    );
}

#[test]
fn an_intermediate_cannot_loosen_the_trust_anchor_policy() {
    let trust_anchor = json!({
        "subject_type": {"value": "pairwise"},
        "token_endpoint_auth_method": {"one_of": ["private_key_jwt"], "essential": true}
    });
    assert!(matches!(
        resolve(
            &[
                trust_anchor.clone(),
                json!({"subject_type": {"value": "public"}})
            ],
            json!({})
        ),
        Err(PolicyError::MergeConflict {
            operator: "value",
            ..
        })
    ));
    assert!(matches!(
        resolve(
            &[
                trust_anchor.clone(),
                json!({"token_endpoint_auth_method": {"one_of": ["client_secret_basic"]}})
            ],
            json!({})
        ),
        Err(PolicyError::MergeConflict {
            operator: "one_of",
            ..
        })
    ));
    // essential: false below essential: true changes nothing.
    assert_eq!(
        resolve(
            &[
                trust_anchor,
                json!({"token_endpoint_auth_method": {"essential": false}})
            ],
            json!({})
        ),
        Err(PolicyError::MissingEssential {
            parameter: "token_endpoint_auth_method".into()
        })
    );
}

#[test]
fn three_levels_fold_the_same_way_from_either_end() {
    let levels = [
        map(json!({"p": {"subset_of": ["a", "b", "c"]}, "q": {"add": ["x"]}})),
        map(
            json!({"p": {"subset_of": ["b", "c"], "superset_of": ["b"]}, "q": {"essential": true}}),
        ),
        map(json!({"p": {"subset_of": ["c", "b"]}, "q": {"add": ["y"]}})),
    ];
    let left = combine(
        &combine(&levels[0], &levels[1], NO_CRIT).expect("ta+i1"),
        &levels[2],
        NO_CRIT,
    )
    .expect("left");
    let right = combine(
        &levels[0],
        &combine(&levels[1], &levels[2], NO_CRIT).expect("i1+i2"),
        NO_CRIT,
    )
    .expect("right");
    assert_eq!(left, right);
    assert_eq!(
        Value::Object(left),
        json!({
            "p": {"subset_of": ["b", "c"], "superset_of": ["b"]},
            "q": {"add": ["x", "y"], "essential": true}
        })
    );
}

#[test]
fn errors_name_the_parameter() {
    let err = combine_err(
        json!({"grant_types": {"one_of": ["a"]}}),
        json!({"grant_types": {"add": ["a"]}}),
    );
    assert_eq!(
        err.to_string(),
        "metadata policy for `grant_types`: `one_of` cannot be combined with `add`"
    );
    let err = apply(
        &map(json!({"client_name": {"regexp": "x"}})),
        &Map::new(),
        &crit(&["regexp"]),
    )
    .expect_err("critical");
    assert_eq!(
        err.to_string(),
        "critical metadata policy operator `regexp` is not understood (used in the policy for `client_name`)"
    );
}

// ---------------------------------------------------------------------------
// Properties.
// ---------------------------------------------------------------------------

/// Small arrays over a small alphabet, so that overlaps are common.
fn values() -> impl Strategy<Value = Vec<Value>> {
    prop::collection::vec(prop::sample::select(vec!["a", "b", "c", "d", "e"]), 0..5)
        .prop_map(|items| items.into_iter().map(Value::from).collect())
}

/// A policy for one parameter with any of the array-merging operators that
/// never fail to merge (subset_of, superset_of kept apart to avoid the
/// subset_of/superset_of consistency check), and essential.
fn mergeable_policy() -> impl Strategy<Value = EntityTypePolicy> {
    (
        prop::option::of(values()),
        prop::option::of(values()),
        prop::option::of(any::<bool>()),
        any::<bool>(),
    )
        .prop_map(|(add, arrays, essential, subset)| {
            let mut operators = Map::new();
            if let Some(add) = add {
                operators.insert("add".into(), Value::Array(add));
            }
            if let Some(arrays) = arrays {
                let name = if subset { "superset_of" } else { "subset_of" };
                operators.insert(name.into(), Value::Array(arrays));
            }
            if let Some(essential) = essential {
                operators.insert("essential".into(), Value::Bool(essential));
            }
            let mut policy = Map::new();
            if !operators.is_empty() {
                policy.insert("p".into(), Value::Object(operators));
            }
            policy
        })
}

fn only(operator: &str, items: Vec<Value>) -> EntityTypePolicy {
    map(json!({"p": {operator: items}}))
}

proptest! {
    #[test]
    fn combine_is_associative(
        a in mergeable_policy(),
        b in mergeable_policy(),
        c in mergeable_policy(),
    ) {
        let left = combine(&a, &b, NO_CRIT).and_then(|ab| combine(&ab, &c, NO_CRIT));
        let right = combine(&b, &c, NO_CRIT).and_then(|bc| combine(&a, &bc, NO_CRIT));
        match (left, right) {
            (Ok(left), Ok(right)) => prop_assert_eq!(left, right),
            // add and subset_of from different levels may disagree; then
            // both groupings must refuse the chain.
            (Err(_), Err(_)) => {}
            (left, right) => prop_assert!(false, "{:?} vs {:?}", left, right),
        }
    }

    #[test]
    fn subset_of_combined_then_applied_equals_applied_in_turn(
        sup in values(),
        sub in values(),
        metadata in values(),
    ) {
        let metadata = map(json!({"p": metadata}));
        let (sup, sub) = (only("subset_of", sup), only("subset_of", sub));
        let combined = combine(&sup, &sub, NO_CRIT).expect("subset_of always merges");
        let at_once = apply(&combined, &metadata, NO_CRIT).expect("applies");
        let in_turn = apply(&sup, &metadata, NO_CRIT)
            .and_then(|m| apply(&sub, &m, NO_CRIT))
            .expect("applies");
        prop_assert_eq!(at_once, in_turn);
    }

    #[test]
    fn add_combined_then_applied_equals_applied_in_turn(
        sup in values(),
        sub in values(),
        metadata in prop::option::of(values()),
    ) {
        let metadata = match metadata {
            Some(items) => map(json!({"p": items})),
            None => Map::new(),
        };
        let (sup, sub) = (only("add", sup), only("add", sub));
        let combined = combine(&sup, &sub, NO_CRIT).expect("add always merges");
        let at_once = apply(&combined, &metadata, NO_CRIT).expect("applies");
        let in_turn = apply(&sup, &metadata, NO_CRIT)
            .and_then(|m| apply(&sub, &m, NO_CRIT))
            .expect("applies");
        prop_assert_eq!(at_once, in_turn);
    }

    #[test]
    fn a_resolved_subset_of_parameter_is_within_every_level(
        sup in values(),
        sub in values(),
        metadata in values(),
    ) {
        let combined = combine(&only("subset_of", sup.clone()), &only("subset_of", sub.clone()), NO_CRIT)
            .expect("merges");
        let resolved = apply(&combined, &map(json!({"p": metadata})), NO_CRIT).expect("applies");
        let items = resolved.get("p").and_then(Value::as_array).cloned().unwrap_or_default();
        prop_assert!(items.iter().all(|item| sup.contains(item) && sub.contains(item)));
    }
}
