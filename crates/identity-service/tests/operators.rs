//! Operator accounts, two-person approvals, orders, service providers and the
//! holder import on both storage backends.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use identity_core::OrderState;
use identity_service::usecases::approvals::{ApprovalError, ApprovedAction};
use identity_service::usecases::import::RowOutcome;
use identity_service::usecases::operators::OperatorError;
use identity_service::usecases::register_input::RegistrationInput;
use identity_service::usecases::service_providers::NewServiceProvider;
use identity_service::{ApprovalState, ClientAuth, OperatorRole};
use identity_testkit::verified_mario;
use identity_testkit::{TestApp, proofing};

identity_testkit::both_backends!(
    the_first_operator_is_added_once_even_by_concurrent_attempts,
    operators_authenticate_by_token_within_their_role,
    an_approval_is_carried_out_by_a_second_operator_once,
    orders_follow_the_identity_request_and_operators_close_them,
    service_providers_are_registered_listed_and_disabled,
    imported_holders_have_no_password_and_are_not_imported_twice,
);

async fn the_first_operator_is_added_once_even_by_concurrent_attempts(h: TestApp) {
    let other = h.service.clone();
    let (a, b) = tokio::join!(
        h.service.bootstrap_operator("anna"),
        other.bootstrap_operator("bruno")
    );
    assert_eq!(
        usize::from(a.is_ok()) + usize::from(b.is_ok()),
        1,
        "{a:?} {b:?}"
    );
    assert!(matches!(
        h.service.bootstrap_operator("carla").await,
        Err(OperatorError::AlreadyBootstrapped)
    ));
    assert_eq!(h.service.operators().await.unwrap().len(), 1);
}

async fn operators_authenticate_by_token_within_their_role(h: TestApp) {
    let (anna, anna_token) = h.service.bootstrap_operator("anna").await.unwrap();
    assert_eq!(anna.role, OperatorRole::Admin);
    let (vera, vera_token) = h
        .service
        .add_operator("vera", OperatorRole::Viewer, &anna)
        .await
        .unwrap();
    assert!(matches!(
        h.service
            .add_operator("vera", OperatorRole::Viewer, &anna)
            .await,
        Err(OperatorError::Duplicate)
    ));
    assert!(matches!(
        h.service
            .add_operator("x y", OperatorRole::Viewer, &anna)
            .await,
        Err(OperatorError::BadName)
    ));
    assert!(matches!(
        h.service
            .add_operator("zed", OperatorRole::Admin, &vera)
            .await,
        Err(OperatorError::Forbidden { .. })
    ));
    assert_eq!(
        h.service
            .authenticate_operator(&vera_token)
            .await
            .unwrap()
            .name,
        "vera"
    );
    assert!(matches!(
        h.service.authenticate_operator("idop_nope").await,
        Err(OperatorError::BadToken)
    ));
    assert!(matches!(
        h.service
            .authenticate_operator(&anna_token[..anna_token.len() - 1])
            .await,
        Err(OperatorError::BadToken)
    ));
    h.service.disable_operator("vera", &anna).await.unwrap();
    assert!(matches!(
        h.service.authenticate_operator(&vera_token).await,
        Err(OperatorError::BadToken)
    ));
    assert!(matches!(
        h.service.disable_operator("anna", &anna).await,
        Err(OperatorError::LastAdmin)
    ));
    let (_, new_token) = h
        .service
        .reissue_operator_token("anna", &anna)
        .await
        .unwrap();
    assert!(h.service.authenticate_operator(&anna_token).await.is_err());
    assert!(h.service.authenticate_operator(&new_token).await.is_ok());
}

async fn an_approval_is_carried_out_by_a_second_operator_once(h: TestApp) {
    let (anna, _) = h.service.bootstrap_operator("anna").await.unwrap();
    let (bruno, _) = h
        .service
        .add_operator("bruno", OperatorRole::Operator, &anna)
        .await
        .unwrap();
    let (holder, number) = verified_mario(&h).await;
    h.service
        .send_identity_phone_code(holder, number)
        .await
        .unwrap();
    let sms = identity_testkit::last_code(&h, "sms_code").await;
    let identity = h
        .service
        .request_identity_with_phone_code(holder, number, &sms)
        .await
        .unwrap()
        .unwrap();
    let action = ApprovedAction::VerifyIdentity {
        identity: identity.id(),
        proofing: proofing(&h),
    };
    let asked = h.service.request_approval(&action, &anna).await.unwrap();
    assert!(matches!(
        h.service.confirm_approval(asked.id, &anna).await,
        Err(ApprovalError::SameOperator)
    ));
    let (a, b) = tokio::join!(
        h.service.confirm_approval(asked.id, &bruno),
        h.service.confirm_approval(asked.id, &bruno)
    );
    assert_eq!(
        usize::from(a.is_ok()) + usize::from(b.is_ok()),
        1,
        "{a:?} {b:?}"
    );
    assert!(
        h.service.identities_of(holder).await.unwrap()[0]
            .state()
            .is_active()
    );
    let done = h
        .service
        .approvals(Some(ApprovalState::Confirmed), 10)
        .await
        .unwrap();
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].decided_by.as_deref(), Some("bruno"));
    // A second request for the same (now active) identity fails when carried out.
    let late = h.service.request_approval(&action, &anna).await.unwrap();
    assert!(matches!(
        h.service.confirm_approval(late.id, &bruno).await,
        Err(ApprovalError::ActionRefused(_))
    ));
    assert_eq!(
        h.service
            .approvals(Some(ApprovalState::Failed), 10)
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn orders_follow_the_identity_request_and_operators_close_them(h: TestApp) {
    let (anna, _) = h.service.bootstrap_operator("anna").await.unwrap();
    let a = identity_testkit::active_identity(&h).await;
    let orders = h.service.orders_of(a.holder).await.unwrap();
    assert_eq!(orders.len(), 1);
    assert_eq!(
        orders[0].state,
        OrderState::Completed,
        "verification completed it"
    );
    assert!(
        h.service
            .list_orders(Some(OrderState::Open), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        h.service
            .set_order_state(orders[0].id, OrderState::Cancelled, &anna)
            .await
            .is_err(),
        "final"
    );
    assert_eq!(h.service.order(orders[0].id).await.unwrap(), orders[0]);
}

async fn service_providers_are_registered_listed_and_disabled(h: TestApp) {
    let (anna, _) = h.service.bootstrap_operator("anna").await.unwrap();
    let new = NewServiceProvider {
        client_id: "https://sp.example.it".into(),
        name: "Comune".into(),
        redirect_uris: vec!["https://sp.example.it/cb".into()],
        jwks: Some(
            serde_json::json!({ "keys": [{ "kty": "EC", "crv": "P-256", "x": "a", "y": "b" }] }),
        ),
        attributes: vec!["fiscal_number".into(), "email".into()],
        ..NewServiceProvider::default()
    };
    let (sp, secret) = h.service.add_service_provider(&new, &anna).await.unwrap();
    assert!(secret.is_none());
    assert_eq!(sp.auth_method, ClientAuth::PrivateKeyJwt);
    assert_eq!(
        sp.allowed_levels,
        [1, 2, 3],
        "all levels when none is named"
    );
    let rotated = h
        .service
        .add_service_provider_keys(
            "https://sp.example.it",
            &serde_json::json!({ "keys": [{ "kty": "EC", "crv": "P-256", "x": "c", "y": "d", "kid": "k2" }] }),
            &anna,
        )
        .await
        .unwrap();
    assert_eq!(
        rotated.jwks.as_ref().unwrap()["keys"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert!(
        h.service
            .rotate_service_provider_secret("https://sp.example.it", &anna)
            .await
            .is_err(),
        "private_key_jwt has no secret"
    );
    assert_eq!(
        h.service
            .service_provider("https://sp.example.it")
            .await
            .unwrap(),
        rotated
    );
    assert!(
        h.service.add_service_provider(&new, &anna).await.is_err(),
        "duplicate"
    );
    let private = NewServiceProvider {
        client_id: "other".into(),
        jwks: Some(serde_json::json!({ "keys": [{ "kty": "EC", "d": "secret" }] })),
        ..new.clone()
    };
    assert!(private.check().is_err(), "private keys are refused");
    h.service
        .disable_service_provider("https://sp.example.it", &anna)
        .await
        .unwrap();
    let listed = h.service.service_providers().await.unwrap();
    assert!(listed[0].disabled_at.is_some());
}

async fn imported_holders_have_no_password_and_are_not_imported_twice(h: TestApp) {
    let (anna, _) = h.service.bootstrap_operator("anna").await.unwrap();
    let row = RegistrationInput {
        subject_kind: "persona_fisica".into(),
        given_name: "Anna".into(),
        family_name: "Bianchi".into(),
        tax_code: "BNCNNA90C55H501L".into(),
        birth_date: "15/03/1990".into(),
        sex: "F".into(),
        birth_place: "Roma".into(),
        birth_province: "RM".into(),
        street: "Via del Corso 1".into(),
        postal_code: "00186".into(),
        municipality: "Roma".into(),
        province: "RM".into(),
        email: "anna@example.it".into(),
        phone: "333 765 4321".into(),
        ..RegistrationInput::default()
    };
    let dry = h.service.import_holder(&row, true, &anna).await.unwrap();
    assert!(matches!(dry, RowOutcome::Imported { .. }));
    let RowOutcome::Imported { login, .. } =
        h.service.import_holder(&row, false, &anna).await.unwrap()
    else {
        panic!("imported");
    };
    assert!(matches!(
        h.service.import_holder(&row, false, &anna).await.unwrap(),
        RowOutcome::AlreadyOnFile { .. }
    ));
    // No password: signing in fails like a wrong password.
    assert!(
        h.service
            .sign_in_password(&login, identity_testkit::PASSWORD, Some("192.0.2.1"))
            .await
            .is_err()
    );
    let mut wrong = row.clone();
    wrong.tax_code = "BNCNNA90C55H501X".into();
    wrong.email = "not an email".into();
    let RowOutcome::Refused(problems) =
        h.service.import_holder(&wrong, false, &anna).await.unwrap()
    else {
        panic!("refused");
    };
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    assert!(
        fields.contains(&"tax_code") && fields.contains(&"email"),
        "{fields:?}"
    );
}
