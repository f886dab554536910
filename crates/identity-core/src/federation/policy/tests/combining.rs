//! Combining policies down a chain: each operator, the combinations the
//! specification refuses, and critical operators.

use serde_json::{Map, Value, json};

use super::*;

// ---------------------------------------------------------------------------
// Combining, operator by operator.
// ---------------------------------------------------------------------------

#[test]
fn value_merges_only_when_equal() {
    assert_eq!(
        combine_ok(json!({"p": {"value": "a"}}), json!({"p": {"value": "a"}})),
        json!({"p": {"value": "a"}})
    );
    // Arrays are sets: the same elements in another order are equal.
    assert_eq!(
        combine_ok(
            json!({"p": {"value": ["a", "b"]}}),
            json!({"p": {"value": ["b", "a"]}})
        ),
        json!({"p": {"value": ["a", "b"]}})
    );
    assert_eq!(
        combine_ok(json!({"p": {"value": null}}), json!({"p": {"value": null}})),
        json!({"p": {"value": null}})
    );
    let err = combine_err(json!({"p": {"value": "a"}}), json!({"p": {"value": "b"}}));
    assert_eq!(
        err,
        PolicyError::MergeConflict {
            parameter: "p".into(),
            operator: "value",
            reason: r#""a" differs from "b""#.into(),
        }
    );
    assert!(matches!(
        combine_err(
            json!({"p": {"value": ["a"]}}),
            json!({"p": {"value": ["a", "b"]}})
        ),
        PolicyError::MergeConflict {
            operator: "value",
            ..
        }
    ));
    assert!(matches!(
        combine_err(json!({"p": {"value": "a"}}), json!({"p": {"value": null}})),
        PolicyError::MergeConflict {
            operator: "value",
            ..
        }
    ));
}

#[test]
fn add_merges_to_the_union() {
    assert_eq!(
        combine_ok(
            json!({"p": {"add": ["a", "b"]}}),
            json!({"p": {"add": ["b", "c"]}})
        ),
        json!({"p": {"add": ["a", "b", "c"]}})
    );
}

#[test]
fn default_merges_only_when_equal() {
    assert_eq!(
        combine_ok(json!({"p": {"default": 3}}), json!({"p": {"default": 3}})),
        json!({"p": {"default": 3}})
    );
    assert!(matches!(
        combine_err(
            json!({"p": {"default": "a"}}),
            json!({"p": {"default": "b"}})
        ),
        PolicyError::MergeConflict {
            operator: "default",
            ..
        }
    ));
}

#[test]
fn one_of_merges_to_the_intersection_and_refuses_an_empty_one() {
    assert_eq!(
        combine_ok(
            json!({"p": {"one_of": ["a", "b", "c"]}}),
            json!({"p": {"one_of": ["c", "b", "d"]}})
        ),
        json!({"p": {"one_of": ["b", "c"]}})
    );
    assert!(matches!(
        combine_err(
            json!({"p": {"one_of": ["a"]}}),
            json!({"p": {"one_of": ["b"]}})
        ),
        PolicyError::MergeConflict {
            operator: "one_of",
            ..
        }
    ));
}

#[test]
fn subset_of_merges_to_the_intersection_even_an_empty_one() {
    assert_eq!(
        combine_ok(
            json!({"p": {"subset_of": ["a", "b"]}}),
            json!({"p": {"subset_of": ["b", "c"]}})
        ),
        json!({"p": {"subset_of": ["b"]}})
    );
    assert_eq!(
        combine_ok(
            json!({"p": {"subset_of": ["a"]}}),
            json!({"p": {"subset_of": ["b"]}})
        ),
        json!({"p": {"subset_of": []}})
    );
}

#[test]
fn superset_of_merges_to_the_union() {
    assert_eq!(
        combine_ok(
            json!({"p": {"superset_of": ["a"]}}),
            json!({"p": {"superset_of": ["b", "a"]}})
        ),
        json!({"p": {"superset_of": ["a", "b"]}})
    );
}

#[test]
fn essential_merges_with_or() {
    for (sup, sub, merged) in [
        (true, true, true),
        (true, false, true),
        (false, true, true),
        (false, false, false),
    ] {
        assert_eq!(
            combine_ok(
                json!({"p": {"essential": sup}}),
                json!({"p": {"essential": sub}})
            ),
            json!({"p": {"essential": merged}}),
            "{sup} OR {sub}"
        );
    }
    // One side only: copied as it is (a subordinate's false stays false).
    assert_eq!(
        combine_ok(json!({}), json!({"p": {"essential": false}})),
        json!({"p": {"essential": false}})
    );
}

#[test]
fn operators_and_parameters_on_one_side_are_copied() {
    assert_eq!(
        combine_ok(
            json!({"a": {"default": "x"}, "b": {"essential": true}}),
            json!({"a": {"essential": true}, "c": {"value": 1}})
        ),
        json!({
            "a": {"default": "x", "essential": true},
            "b": {"essential": true},
            "c": {"value": 1}
        })
    );
    assert_eq!(combine_ok(json!({}), json!({})), json!({}));
}

#[test]
fn a_subordinate_cannot_repeal_a_superior_value() {
    // spid-cie-oidc allowed only `essential` or the same `value` under a
    // superior's `value`; the specification allows checks the value meets.
    assert_eq!(
        combine_ok(
            json!({"p": {"value": ["a", "b"]}}),
            json!({"p": {"subset_of": ["a", "b", "c"], "superset_of": ["a"], "add": ["b"], "default": ["a"]}})
        ),
        json!({"p": {"value": ["a", "b"], "subset_of": ["a", "b", "c"], "superset_of": ["a"], "add": ["b"], "default": ["a"]}})
    );
    assert!(matches!(
        combine_err(
            json!({"p": {"value": ["a", "b"]}}),
            json!({"p": {"subset_of": ["a"]}})
        ),
        PolicyError::InconsistentCombination {
            first: "value",
            second: "subset_of",
            ..
        }
    ));
}

// ---------------------------------------------------------------------------
// Combinations the specification does not allow.
// ---------------------------------------------------------------------------

#[test]
fn one_of_never_meets_add_subset_of_or_superset_of() {
    for other in ["add", "subset_of", "superset_of"] {
        let written = json!({"p": {"one_of": ["a"], other: ["a"]}});
        let expected = PolicyError::ForbiddenCombination {
            parameter: "p".into(),
            first: "one_of",
            second: match other {
                "add" => "add",
                "subset_of" => "subset_of",
                _ => "superset_of",
            },
        };
        // Written so in one statement...
        assert_eq!(combine_err(written.clone(), json!({})), expected);
        assert_eq!(combine_err(json!({}), written.clone()), expected);
        assert_eq!(apply_err(written, json!({})), expected);
        // ...or brought together by combining.
        assert_eq!(
            combine_err(
                json!({"p": {"one_of": ["a"]}}),
                json!({"p": {other: ["a"]}})
            ),
            expected
        );
        assert_eq!(
            combine_err(
                json!({"p": {other: ["a"]}}),
                json!({"p": {"one_of": ["a"]}})
            ),
            expected
        );
    }
}

fn inconsistent(policy: Value) -> (&'static str, &'static str) {
    match combine(&map(json!({"p": policy})), &Map::new(), NO_CRIT) {
        Err(PolicyError::InconsistentCombination { first, second, .. }) => (first, second),
        other => panic!("expected an inconsistent combination, got {other:?}"),
    }
}

#[test]
fn value_must_agree_with_the_other_operators() {
    assert_eq!(
        inconsistent(json!({"value": "c", "one_of": ["a", "b"]})),
        ("value", "one_of")
    );
    assert_eq!(
        inconsistent(json!({"value": ["a"], "one_of": ["a"]})),
        ("value", "one_of")
    );
    assert_eq!(
        inconsistent(json!({"value": ["a", "x"], "subset_of": ["a", "b"]})),
        ("value", "subset_of")
    );
    assert_eq!(
        inconsistent(json!({"value": ["a"], "superset_of": ["a", "b"]})),
        ("value", "superset_of")
    );
    assert_eq!(
        inconsistent(json!({"value": ["a"], "add": ["b"]})),
        ("value", "add")
    );
    // A scalar value cannot meet the array operators.
    assert_eq!(
        inconsistent(json!({"value": "a", "subset_of": ["a"]})),
        ("value", "subset_of")
    );
    assert_eq!(
        inconsistent(json!({"value": "a", "superset_of": ["a"]})),
        ("value", "superset_of")
    );
    assert_eq!(
        inconsistent(json!({"value": "a", "add": ["a"]})),
        ("value", "add")
    );
    // And what agrees passes.
    combine_ok(
        json!({"p": {"value": "a", "one_of": ["a", "b"], "essential": true, "default": "b"}}),
        json!({}),
    );
}

#[test]
fn value_null_cannot_meet_default_essential_true_or_add() {
    assert_eq!(
        inconsistent(json!({"value": null, "default": "a"})),
        ("value", "default")
    );
    assert_eq!(
        inconsistent(json!({"value": null, "essential": true})),
        ("value", "essential")
    );
    assert_eq!(
        inconsistent(json!({"value": null, "add": ["a"]})),
        ("value", "add")
    );
    // The checks only look at a present parameter, so they agree with removal.
    combine_ok(
        json!({"p": {"value": null, "essential": false}, "q": {"value": null, "one_of": ["a"]}}),
        json!({"r": {"value": null, "subset_of": ["a"], "superset_of": ["a"]}}),
    );
    // Brought together by combining, too.
    assert!(matches!(
        combine_err(
            json!({"p": {"value": null}}),
            json!({"p": {"essential": true}})
        ),
        PolicyError::InconsistentCombination {
            first: "value",
            second: "essential",
            ..
        }
    ));
}

#[test]
fn add_must_be_a_subset_of_subset_of() {
    assert_eq!(
        inconsistent(json!({"add": ["a", "x"], "subset_of": ["a", "b"]})),
        ("add", "subset_of")
    );
    // The superior's subset_of narrowed below what the subordinate adds.
    assert!(matches!(
        combine_err(
            json!({"p": {"subset_of": ["a"]}}),
            json!({"p": {"add": ["b"]}})
        ),
        PolicyError::InconsistentCombination {
            first: "add",
            second: "subset_of",
            ..
        }
    ));
}

#[test]
fn subset_of_must_contain_superset_of() {
    assert_eq!(
        inconsistent(json!({"subset_of": ["a"], "superset_of": ["a", "b"]})),
        ("subset_of", "superset_of")
    );
    // Each statement is fine alone; the intersection drops what the union requires.
    assert!(matches!(
        combine_err(
            json!({"p": {"subset_of": ["a", "b"], "superset_of": ["b"]}}),
            json!({"p": {"subset_of": ["a", "c"]}})
        ),
        PolicyError::InconsistentCombination {
            first: "subset_of",
            second: "superset_of",
            ..
        }
    ));
    // "Set equals" (6.1.3.1.8): identical subset_of and superset_of.
    combine_ok(
        json!({"p": {"subset_of": ["a", "b"], "superset_of": ["b", "a"]}}),
        json!({}),
    );
}

#[test]
fn default_is_not_checked_against_the_value_checks_when_combining() {
    // The specification combines default with one_of, subset_of and
    // superset_of unconditionally; the check happens when it is applied.
    let policy = json!({"p": {"default": "x", "one_of": ["a"]}});
    combine_ok(policy.clone(), json!({}));
    assert_eq!(
        apply_ok(policy.clone(), json!({"p": "a"})),
        json!({"p": "a"})
    );
    assert!(matches!(
        apply_err(policy, json!({})),
        PolicyError::Violation {
            operator: "one_of",
            ..
        }
    ));
}

#[test]
fn malformed_operator_values_are_policy_errors() {
    for policy in [
        json!("not an object"),
        json!({"one_of": "a"}),
        json!({"subset_of": {"a": 1}}),
        json!({"superset_of": 1}),
        json!({"add": "a"}),
        json!({"add": [true]}),
        json!({"one_of": [null]}),
        json!({"subset_of": [["nested"]]}),
        json!({"essential": "yes"}),
        json!({"default": null}),
    ] {
        let err = combine(&map(json!({"p": policy.clone()})), &Map::new(), NO_CRIT)
            .expect_err("malformed");
        assert!(
            matches!(&err, PolicyError::MalformedPolicy { parameter, .. } if parameter == "p"),
            "{policy}: {err:?}"
        );
        assert!(matches!(
            apply(&map(json!({"p": policy})), &Map::new(), NO_CRIT),
            Err(PolicyError::MalformedPolicy { .. })
        ));
    }
    // Objects and numbers are among the optional element types.
    combine_ok(json!({"p": {"one_of": [{"kty": "EC"}, 1]}}), json!({}));
}

// ---------------------------------------------------------------------------
// Critical and unknown operators (6.1.3.2).
// ---------------------------------------------------------------------------

#[test]
fn unknown_operators_that_are_not_critical_are_ignored() {
    let policy = json!({
        "client_name": {"regexp": "^Acme"},
        "contacts": {"add": ["a@example.org"], "regexp": ".*"}
    });
    // Dropped from the combined policy: nothing downstream understands them.
    assert_eq!(
        combine_ok(policy.clone(), json!({"client_name": {"regexp": "other"}})),
        json!({"contacts": {"add": ["a@example.org"]}})
    );
    assert_eq!(
        apply_ok(policy, json!({"client_name": "Not Acme"})),
        json!({"client_name": "Not Acme", "contacts": ["a@example.org"]})
    );
}

#[test]
fn a_critical_unknown_operator_invalidates_the_chain() {
    let policy = map(json!({"client_name": {"regexp": "^Acme"}}));
    let expected = PolicyError::UnknownCriticalOperator {
        operator: "regexp".into(),
        parameter: Some("client_name".into()),
    };
    assert_eq!(
        apply(&policy, &Map::new(), &crit(&["regexp"])),
        Err(expected.clone())
    );
    assert_eq!(
        combine(&Map::new(), &policy, &crit(&["regexp"])),
        Err(expected.clone())
    );
    assert_eq!(
        combine(&policy, &Map::new(), &crit(&["regexp"])),
        Err(expected)
    );
    // Listed as critical but used only in another entity type's policy: the
    // statement is still invalid (3.1.3).
    assert_eq!(
        apply(
            &map(json!({"contacts": {"add": ["a"]}})),
            &Map::new(),
            &crit(&["regexp"])
        ),
        Err(PolicyError::UnknownCriticalOperator {
            operator: "regexp".into(),
            parameter: None,
        })
    );
}

#[test]
fn standard_operators_listed_as_critical_are_understood() {
    let policy = map(json!({"p": {"value": "a"}}));
    assert_eq!(
        apply(&policy, &Map::new(), &crit(&["value", "essential"])),
        Ok(map(json!({"p": "a"})))
    );
}
