//! The operator CLI against a real SQLite database: operator accounts and roles,
//! and the two-person rule.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use support::*;

#[tokio::test]
async fn operators_authenticate_by_token_and_act_within_their_role() {
    let db = db();
    let service = service(&db).await;
    let (_, id) = pending_identity(&service).await;

    // The first operator is added without a token, once, and must be an admin.
    let viewer_first = with_token(&db, None, &["operator", "add", "zoe", "--role", "viewer"]);
    assert_eq!(code(&viewer_first), 2, "{}", stderr(&viewer_first));
    let first = json_of(&with_token(
        &db,
        None,
        &["--json", "operator", "add", "anna", "--role", "admin"],
    ));
    let anna = first["token"].as_str().unwrap().to_owned();
    assert!(anna.starts_with("idop_"));
    let second = with_token(
        &db,
        None,
        &["operator", "add", "mallory", "--role", "admin"],
    );
    assert_eq!(
        code(&second),
        2,
        "no second bootstrap, an admin's token is needed: {}",
        stderr(&second)
    );
    assert!(stderr(&second).contains("IDENTITY_OPERATOR_TOKEN"));

    let viewer = json_of(&with_token(
        &db,
        Some(&anna),
        &["--json", "operator", "add", "vera", "--role", "viewer"],
    ));
    let vera = viewer["token"].as_str().unwrap().to_owned();
    // A viewer reads but does not change.
    assert_eq!(
        code(&with_token(
            &db,
            Some(&vera),
            &["holder", "show", "RSSMRA85T10A562S"]
        )),
        0
    );
    let refused = with_token(
        &db,
        Some(&vera),
        &["identity", "suspend", &id, "--reason", "suspected-fraud"],
    );
    assert_eq!(code(&refused), 1);
    assert!(
        stderr(&refused).contains("needs operator"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(
        code(&with_token(&db, Some(&vera), &["operator", "list"])),
        1,
        "admins only"
    );
    // A wrong token is refused; a disabled operator's token stops working.
    assert_eq!(
        code(&with_token(
            &db,
            Some("idop_wrong"),
            &["holder", "show", "x"]
        )),
        1
    );
    assert_eq!(
        code(&with_token(
            &db,
            Some(&anna),
            &["operator", "disable", "vera"]
        )),
        0
    );
    assert_eq!(
        code(&with_token(
            &db,
            Some(&vera),
            &["holder", "show", "RSSMRA85T10A562S"]
        )),
        1
    );
    // The last admin stays.
    let last = with_token(&db, Some(&anna), &["operator", "disable", "anna"]);
    assert_eq!(code(&last), 1);
    assert!(stderr(&last).contains("last enabled admin"));
    // A new token replaces the old one.
    let renewed = json_of(&with_token(
        &db,
        Some(&anna),
        &["--json", "operator", "token", "anna"],
    ));
    let anna2 = renewed["token"].as_str().unwrap().to_owned();
    assert_eq!(
        code(&with_token(&db, Some(&anna), &["operator", "list"])),
        1
    );
    let list = json_of(&with_token(
        &db,
        Some(&anna2),
        &["--json", "operator", "list"],
    ));
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert!(list[0].get("token_hash").is_none(), "no secret is listed");

    let events = audit_events(&service).await;
    assert!(events.contains(&("operator.added".into(), "bootstrap".into())));
    assert!(events.contains(&("operator.added".into(), "operator:anna".into())));
    assert!(events.contains(&("operator.disabled".into(), "operator:anna".into())));
}

#[tokio::test]
async fn the_two_person_rule_needs_a_second_operator_to_verify_an_identity() {
    let db = db();
    let service = service(&db).await;
    let (registered, id) = pending_identity(&service).await;
    let two = [("IDENTITY_TWO_PERSON_APPROVAL", "true")];
    let mut args = vec!["--json"];
    args.extend(verify_args(&id));
    let asked = admin_with(&db, Some("anna"), &two, &args);
    let asked = json_of(&asked);
    assert_eq!(asked["state"], "pending");
    let approval = asked["id"].as_str().unwrap().to_owned();
    assert_eq!(
        service.identities_of(registered.holder_id).await.unwrap()[0]
            .state()
            .code(),
        "pending"
    );
    // Not by the one who asked.
    let own = admin_with(&db, Some("anna"), &two, &["approval", "confirm", &approval]);
    assert_eq!(code(&own), 1);
    assert!(stderr(&own).contains("second operator"));
    let pending = json_of(&admin_with(
        &db,
        Some("bruno"),
        &two,
        &["--json", "approval", "list"],
    ));
    assert_eq!(pending.as_array().unwrap().len(), 1);
    assert_eq!(
        code(&admin_with(
            &db,
            Some("bruno"),
            &two,
            &["approval", "confirm", &approval]
        )),
        0
    );
    assert_eq!(
        service.identities_of(registered.holder_id).await.unwrap()[0]
            .state()
            .code(),
        "active"
    );
    let again = admin_with(
        &db,
        Some("carla"),
        &two,
        &["approval", "confirm", &approval],
    );
    assert_eq!(code(&again), 1, "decided once");
    // A new identity document needs the second operator too.
    let document = json_of(&admin_with(
        &db,
        Some("anna"),
        &two,
        &[
            "--json",
            "identity",
            "record-document",
            &id,
            "--document-type",
            "passport",
            "--document-number",
            "YA7654321",
            "--issuer",
            "Questura di Roma",
            "--expires",
            "2036-01-01",
        ],
    ));
    assert_eq!(document["kind"], "identity.record_document");
    let doc_approval = document["id"].as_str().unwrap().to_owned();
    assert_eq!(
        code(&admin_with(
            &db,
            Some("bruno"),
            &two,
            &["approval", "confirm", &doc_approval]
        )),
        0
    );
    let shown = admin(&db, &["identity", "show", &id]);
    assert!(stdout(&shown).contains("YA7654321"), "{}", stdout(&shown));
    // Both halves of the decision are in the holder's trail.
    let trail = json_of(&admin(
        &db,
        &[
            "--json",
            "audit",
            "query",
            "--holder",
            "RSSMRA85T10A562S",
            "--event",
            "approval.",
        ],
    ));
    let trail: Vec<&str> = trail
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["event"].as_str().unwrap())
        .collect();
    assert!(
        trail.contains(&"approval.requested") && trail.contains(&"approval.confirmed"),
        "{trail:?}"
    );
    let events = audit_events(&service).await;
    assert!(events.contains(&("approval.requested".into(), "operator:anna".into())));
    assert!(events.contains(&("approval.confirmed".into(), "operator:bruno".into())));
    assert!(events.contains(&("identity.verified".into(), "operator:bruno".into())));
    // An empty rejection reason is a usage error.
    assert_eq!(
        code(&admin_with(
            &db,
            Some("bruno"),
            &two,
            &["approval", "reject", &approval, "--reason", " "]
        )),
        2
    );
}
