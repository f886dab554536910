use std::collections::BTreeMap;

use super::*;

fn client() -> ClientView {
    ClientView {
        client_id: "https://sp.example.it".into(),
        redirect_uris: vec!["https://sp.example.it/cb".into()],
        allowed_levels: vec![CredentialLevel::L1, CredentialLevel::L2],
        attributes: vec!["given_name".into(), "fiscal_number".into()],
    }
}

/// A parameter to set (or, with `None`, to leave out).
type Change<'a> = (&'a str, Option<&'a str>);

fn params(changes: &[Change]) -> BTreeMap<String, String> {
    let mut p: BTreeMap<String, String> = [
        ("client_id", "https://sp.example.it"),
        ("redirect_uri", "https://sp.example.it/cb"),
        ("response_type", "code"),
        ("scope", "openid profile"),
        ("state", "st-1"),
        ("nonce", "n-1"),
        (
            "code_challenge",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        ),
        ("code_challenge_method", "S256"),
        (
            "acr_values",
            "https://www.spid.gov.it/SpidL2 https://www.spid.gov.it/SpidL3",
        ),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    for (k, v) in changes {
        match v {
            Some(v) => p.insert((*k).to_owned(), (*v).to_owned()),
            None => p.remove(*k),
        };
    }
    p
}

fn code_of(e: AuthorizeError) -> &'static str {
    match e {
        AuthorizeError::Redirect { code, state, .. } => {
            assert_eq!(state.as_deref().unwrap_or("st-1"), "st-1");
            code
        }
        AuthorizeError::NoRedirect(_) => "no_redirect",
    }
}

#[test]
fn a_complete_request_is_accepted_at_its_lowest_level() {
    let claims = r#"{"userinfo":{"given_name":null,"https://attributes.eid.gov.it/fiscal_number":{"essential":true},"email":null}}"#;
    let r = check(
        &params(&[
            ("claims", Some(claims)),
            ("prompt", Some("login consent")),
            ("scope", Some("openid offline_access")),
        ]),
        Some(&client()),
    )
    .unwrap();
    assert_eq!(r.level, CredentialLevel::L2);
    assert_eq!(
        r.attributes,
        ["fiscal_number", "given_name"],
        "email is not allowed for this client"
    );
    assert!(r.prompt_login && r.prompt_consent && r.offline_access);
    assert_eq!(r.state, "st-1");
}

#[test]
fn an_unknown_client_or_redirect_uri_is_never_redirected_to() {
    assert_eq!(
        code_of(check(&params(&[]), None).unwrap_err()),
        "no_redirect"
    );
    assert_eq!(
        code_of(
            check(
                &params(&[("client_id", Some("https://other.example.it"))]),
                Some(&client())
            )
            .unwrap_err()
        ),
        "no_redirect"
    );
    for uri in [
        Some("https://evil.example/cb"),
        Some("https://sp.example.it/cb/"),
        None,
    ] {
        assert_eq!(
            code_of(check(&params(&[("redirect_uri", uri)]), Some(&client())).unwrap_err()),
            "no_redirect"
        );
    }
}

#[test]
fn the_profile_requirements_are_errors_sent_back_with_the_state() {
    let cases: [(&[Change], &str); 11] = [
        (
            &[("response_type", Some("token"))],
            "unsupported_response_type",
        ),
        (&[("scope", Some("profile"))], "invalid_scope"),
        (&[("state", None)], "invalid_request"),
        (&[("nonce", None)], "invalid_request"),
        (&[("code_challenge", None)], "invalid_request"),
        (
            &[("code_challenge_method", Some("plain"))],
            "invalid_request",
        ),
        (&[("code_challenge", Some("short"))], "invalid_request"),
        (&[("acr_values", None)], "invalid_request"),
        (
            &[("acr_values", Some("https://www.spid.gov.it/SpidL3"))],
            "access_denied",
        ),
        (&[("prompt", Some("none"))], "invalid_request"),
        (&[("claims", Some("{not json"))], "invalid_request"),
    ];
    for (changes, expected) in cases {
        let e = check(&params(changes), Some(&client())).unwrap_err();
        assert_eq!(code_of(e), expected, "{changes:?}");
    }
}

#[test]
fn without_claims_the_standard_scopes_name_the_attributes_the_client_may_have() {
    let r = check(
        &params(&[("scope", Some("openid profile email"))]),
        Some(&client()),
    )
    .unwrap();
    // The client may not have email or birthdate: only given_name is left.
    assert_eq!(r.attributes, vec!["given_name".to_owned()]);
    let r = check(&params(&[("scope", Some("openid"))]), Some(&client())).unwrap();
    assert!(r.attributes.is_empty());
}

#[test]
fn only_level_one_reuses_an_earlier_sign_in() {
    use chrono::{TimeZone, Utc};
    let request_at = Utc.with_ymd_and_hms(2026, 5, 4, 10, 0, 0).unwrap();
    let before = request_at - chrono::Duration::minutes(5);
    let after = request_at + chrono::Duration::minutes(1);
    let at = |acr: &str, prompt: Option<&str>| {
        check(
            &params(&[("acr_values", Some(acr)), ("prompt", prompt)]),
            Some(&ClientView {
                allowed_levels: CredentialLevel::ALL.to_vec(),
                ..client()
            }),
        )
        .unwrap()
    };
    let l1 = at("https://www.spid.gov.it/SpidL1", None);
    let l1_login = at("https://www.spid.gov.it/SpidL1", Some("login"));
    let l2 = at("https://www.spid.gov.it/SpidL2", None);
    assert!(session_answers(
        &l1,
        CredentialLevel::L1,
        before,
        request_at
    ));
    assert!(!session_answers(
        &l1_login,
        CredentialLevel::L2,
        before,
        request_at
    ));
    assert!(session_answers(
        &l1_login,
        CredentialLevel::L1,
        after,
        request_at
    ));
    assert!(!session_answers(
        &l2,
        CredentialLevel::L2,
        before,
        request_at
    ));
    assert!(session_answers(&l2, CredentialLevel::L2, after, request_at));
    assert!(session_answers(&l2, CredentialLevel::L3, after, request_at));
    assert!(!session_answers(
        &l2,
        CredentialLevel::L1,
        after,
        request_at
    ));
}

#[test]
fn an_oversized_state_or_nonce_is_refused() {
    let long = "x".repeat(MAX_VALUE_LEN + 1);
    for name in ["state", "nonce"] {
        let e = check(&params(&[(name, Some(&long))]), Some(&client())).unwrap_err();
        assert!(matches!(
            e,
            AuthorizeError::Redirect {
                code: "invalid_request",
                ..
            }
        ));
    }
}
