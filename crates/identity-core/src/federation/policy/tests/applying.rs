//! Applying a combined policy to metadata, operator by operator, and the
//! properties of combining then applying.

use serde_json::json;

use super::*;

// ---------------------------------------------------------------------------
// Applying, operator by operator.
// ---------------------------------------------------------------------------

#[test]
fn value_sets_overrides_or_removes() {
    let policy = json!({"require_auth_time": {"value": true}});
    assert_eq!(
        apply_ok(policy.clone(), json!({})),
        json!({"require_auth_time": true})
    );
    assert_eq!(
        apply_ok(policy, json!({"require_auth_time": false})),
        json!({"require_auth_time": true})
    );
    let remove = json!({"initiate_login_uri": {"value": null}});
    assert_eq!(
        apply_ok(
            remove.clone(),
            json!({"initiate_login_uri": "https://rp.example.org/login", "x": 1})
        ),
        json!({"x": 1})
    );
    assert_eq!(apply_ok(remove, json!({})), json!({}));
    // An array value replaces an array parameter.
    assert_eq!(
        apply_ok(
            json!({"grant_types": {"value": ["authorization_code"]}}),
            json!({"grant_types": ["implicit"]})
        ),
        json!({"grant_types": ["authorization_code"]})
    );
}

#[test]
fn add_appends_what_is_missing_or_initialises() {
    let policy = json!({"contacts": {"add": ["ops@fed.example", "help@fed.example"]}});
    assert_eq!(
        apply_ok(policy.clone(), json!({})),
        json!({"contacts": ["ops@fed.example", "help@fed.example"]})
    );
    assert_eq!(
        apply_ok(
            policy.clone(),
            json!({"contacts": ["me@rp.example", "help@fed.example"]})
        ),
        json!({"contacts": ["me@rp.example", "help@fed.example", "ops@fed.example"]})
    );
    assert!(matches!(
        apply_err(policy, json!({"contacts": "me@rp.example"})),
        PolicyError::UnsupportedValue {
            operator: "add",
            ..
        }
    ));
}

#[test]
fn default_fills_only_an_absent_parameter() {
    let policy = json!({"application_type": {"default": "web"}});
    assert_eq!(
        apply_ok(policy.clone(), json!({})),
        json!({"application_type": "web"})
    );
    assert_eq!(
        apply_ok(policy, json!({"application_type": "native"})),
        json!({"application_type": "native"})
    );
}

#[test]
fn one_of_checks_a_present_single_value() {
    let policy = json!({"token_endpoint_auth_method": {"one_of": ["private_key_jwt"]}});
    assert_eq!(apply_ok(policy.clone(), json!({})), json!({}));
    assert_eq!(
        apply_ok(
            policy.clone(),
            json!({"token_endpoint_auth_method": "private_key_jwt"})
        ),
        json!({"token_endpoint_auth_method": "private_key_jwt"})
    );
    assert_eq!(
        apply_err(
            policy.clone(),
            json!({"token_endpoint_auth_method": "client_secret_basic"})
        ),
        PolicyError::Violation {
            parameter: "token_endpoint_auth_method".into(),
            operator: "one_of",
            reason: r#""client_secret_basic" is not one of ["private_key_jwt"]"#.into(),
        }
    );
    // spid-cie-oidc would pick the first allowed element of an array.
    assert!(matches!(
        apply_err(
            policy,
            json!({"token_endpoint_auth_method": ["private_key_jwt"]})
        ),
        PolicyError::UnsupportedValue {
            operator: "one_of",
            ..
        }
    ));
}

#[test]
fn subset_of_with_essential_matches_the_specification_table() {
    // 6.1.3.1.8: essential x subset_of [a,b,c] x input -> output.
    for essential in [true, false] {
        let policy = json!({"p": {"subset_of": ["a", "b", "c"], "essential": essential}});
        assert_eq!(
            apply_ok(policy.clone(), json!({"p": ["a", "e"]})),
            json!({"p": ["a"]})
        );
        assert_eq!(
            apply_ok(policy.clone(), json!({"p": ["d", "e"]})),
            json!({"p": []})
        );
        if essential {
            assert_eq!(
                apply_err(policy, json!({})),
                PolicyError::MissingEssential {
                    parameter: "p".into()
                }
            );
        } else {
            assert_eq!(apply_ok(policy, json!({})), json!({}));
        }
    }
}

#[test]
fn subset_of_keeps_the_metadata_order_and_refuses_scalars() {
    let policy = json!({"response_types": {"subset_of": ["code", "id_token", "code id_token"]}});
    assert_eq!(
        apply_ok(
            policy.clone(),
            json!({"response_types": ["code id_token", "token", "code"]})
        ),
        json!({"response_types": ["code id_token", "code"]})
    );
    assert!(matches!(
        apply_err(policy, json!({"response_types": "code"})),
        PolicyError::UnsupportedValue {
            operator: "subset_of",
            ..
        }
    ));
}

#[test]
fn superset_of_requires_every_listed_value() {
    let policy = json!({"grant_types": {"superset_of": ["authorization_code", "refresh_token"]}});
    assert_eq!(apply_ok(policy.clone(), json!({})), json!({}));
    assert_eq!(
        apply_ok(
            policy.clone(),
            json!({"grant_types": ["refresh_token", "authorization_code", "x"]})
        ),
        json!({"grant_types": ["refresh_token", "authorization_code", "x"]})
    );
    assert_eq!(
        apply_err(
            policy.clone(),
            json!({"grant_types": ["authorization_code"]})
        ),
        PolicyError::Violation {
            parameter: "grant_types".into(),
            operator: "superset_of",
            reason: r#"["authorization_code"] lacks ["refresh_token"]"#.into(),
        }
    );
    assert!(matches!(
        apply_err(policy, json!({"grant_types": "authorization_code"})),
        PolicyError::UnsupportedValue {
            operator: "superset_of",
            ..
        }
    ));
}

#[test]
fn essential_requires_presence_after_the_other_operators() {
    let policy = json!({"redirect_uris": {"essential": true}});
    assert_eq!(
        apply_err(policy.clone(), json!({"client_name": "RP"})),
        PolicyError::MissingEssential {
            parameter: "redirect_uris".into()
        }
    );
    assert_eq!(
        apply_err(policy.clone(), json!({})).to_string(),
        "essential metadata parameter `redirect_uris` is missing"
    );
    assert_eq!(
        apply_ok(
            policy,
            json!({"redirect_uris": ["https://rp.example.org/cb"]})
        ),
        json!({"redirect_uris": ["https://rp.example.org/cb"]})
    );
    assert_eq!(
        apply_ok(json!({"p": {"essential": false}}), json!({})),
        json!({})
    );
    // Filled by add or default, the parameter is present when essential runs.
    assert_eq!(
        apply_ok(
            json!({"contacts": {"add": ["a"], "essential": true}}),
            json!({})
        ),
        json!({"contacts": ["a"]})
    );
    assert_eq!(
        apply_ok(json!({"p": {"default": "d", "essential": true}}), json!({})),
        json!({"p": "d"})
    );
}

#[test]
fn operators_run_in_the_specified_order() {
    // value, then add: the added values land on the forced ones.
    assert_eq!(
        apply_ok(
            json!({"p": {"value": ["a", "b"], "add": ["b"]}}),
            json!({"p": ["x"]})
        ),
        json!({"p": ["a", "b"]})
    );
    // add, then subset_of trims, then superset_of checks the trimmed array.
    assert_eq!(
        apply_ok(
            json!({"p": {"add": ["b"], "subset_of": ["a", "b"], "superset_of": ["b"]}}),
            json!({"p": ["a", "z"]})
        ),
        json!({"p": ["a", "b"]})
    );
    // default, then subset_of on the default.
    assert_eq!(
        apply_ok(
            json!({"p": {"default": ["a", "z"], "subset_of": ["a"]}}),
            json!({})
        ),
        json!({"p": ["a"]})
    );
    // subset_of before superset_of: trimming can make superset_of fail.
    assert!(matches!(
        apply_err(
            json!({"p": {"subset_of": ["a", "b"], "superset_of": ["a"]}}),
            json!({"p": ["b", "c"]})
        ),
        PolicyError::Violation {
            operator: "superset_of",
            ..
        }
    ));
}

#[test]
fn parameters_without_a_policy_pass_through() {
    let metadata = json!({"client_name": "RP", "logo_uri": "https://rp.example.org/logo.png"});
    assert_eq!(apply_ok(json!({}), metadata.clone()), metadata);
    assert_eq!(
        apply_ok(
            json!({"contacts": {"superset_of": ["a"]}}),
            metadata.clone()
        ),
        metadata
    );
}

#[test]
fn null_metadata_is_refused() {
    assert_eq!(
        apply_err(json!({}), json!({"client_name": null})),
        PolicyError::NullMetadata {
            parameter: "client_name".into()
        }
    );
}

#[test]
fn scope_is_processed_as_an_array_and_resolved_as_a_string() {
    let policy = json!({
        "scope": {"subset_of": ["openid", "profile", "email"], "superset_of": ["openid"]}
    });
    assert_eq!(
        apply_ok(
            policy.clone(),
            json!({"scope": "openid offline_access email"})
        ),
        json!({"scope": "openid email"})
    );
    assert!(matches!(
        apply_err(policy, json!({"scope": "profile"})),
        PolicyError::Violation {
            operator: "superset_of",
            ..
        }
    ));
    assert_eq!(
        apply_ok(
            json!({"scope": {"default": "openid profile", "add": ["email"]}}),
            json!({})
        ),
        json!({"scope": "email"}),
        "add initialises the absent scope before default could"
    );
    assert_eq!(
        apply_ok(json!({"scope": {"default": "openid profile"}}), json!({})),
        json!({"scope": "openid profile"})
    );
    // A string value is checked as its scope values when combining.
    combine_ok(
        json!({"scope": {"value": "openid profile"}}),
        json!({"scope": {"subset_of": ["openid", "profile", "email"]}}),
    );
}
