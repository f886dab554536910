//! The customer area's use cases end to end on both storage backends: the
//! registration input, email verification, contacts (with the re-authentication
//! guard), logins, consents and the data export (`sqlite::*` and `postgres::*` in
//! the test names).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::Duration;
use identity_core::identity::Actor;
use identity_core::password_policy::PasswordViolation;
use identity_core::{ConsentKind, CredentialLevel, LoginId, LoginStatus, SessionArea};
use identity_service::forms::FieldProblem;
use identity_service::usecases::contacts::{ContactsAuth, ContactsError, ContactsInput};
use identity_service::usecases::email::{EmailVerified, VerifyEmailError};
use identity_service::usecases::login_lifecycle::LoginChangeError;
use identity_service::usecases::new_login::CreateLoginError;
use identity_service::usecases::register_input::{RegisterInputError, RegistrationInput};
use identity_service::usecases::sign_in::SignInError;
use identity_service::{AuditQuery, Store};
use identity_testkit::*;
use identity_testkit::{PASSWORD, TestApp, registered_mario};

identity_testkit::both_backends!(
    registration_input_reports_every_field_and_agreement_error,
    registration_input_is_rate_limited_per_address_and_tax_code,
    registration_records_consents_and_the_email_is_verified_once,
    contacts_change_at_once_and_a_new_email_after_its_code,
    recovery_channels_need_a_fresh_reauthentication_with_an_identity,
    logins_are_created_deleted_and_share_the_holder,
    consents_change_and_the_export_holds_no_secrets,
);

async fn registration_input_reports_every_field_and_agreement_error(h: TestApp) {
    let ok = h
        .service
        .register_input(&mario_input(), Some("192.0.2.1"))
        .await
        .unwrap();
    assert!(ok.login_id.to_string().ends_with("@test.example.it"));

    let bad = RegistrationInput {
        email_confirm: "other@example.it".into(),
        postal_code: "561".into(),
        password_confirm: "different".into(),
        privacy_notice: false,
        birth_place: "Atlantide".into(),
        consents: Vec::new(),
        ..mario_input()
    };
    let Err(RegisterInputError::Invalid(errors)) =
        h.service.register_input(&bad, Some("192.0.2.1")).await
    else {
        panic!("refused")
    };
    for field in [
        "email_confirm",
        "postal_code",
        "password_confirm",
        "privacy_notice",
        "birth_place",
        "consent_marketing",
    ] {
        assert!(errors.get(field).is_some(), "{field}: {errors:?}");
    }
    // Well-formed fields that disagree with the tax code are shown beside them.
    let mismatch = RegistrationInput {
        given_name: "Luigi".into(),
        birth_date: "1985-12-11".into(),
        ..mario_input()
    };
    let Err(RegisterInputError::Mismatch(errors)) =
        h.service.register_input(&mismatch, Some("192.0.2.1")).await
    else {
        panic!("refused")
    };
    assert!(errors.get("given_name").is_some(), "{errors:?}");
    assert!(errors.get("birth_date").is_some(), "{errors:?}");
    let weak = RegistrationInput {
        password: "mario1985".into(),
        password_confirm: "mario1985".into(),
        ..mario_input()
    };
    let Err(RegisterInputError::Invalid(errors)) =
        h.service.register_input(&weak, Some("192.0.2.1")).await
    else {
        panic!("refused")
    };
    let problem = &errors.get("password").unwrap().problem;
    assert!(
        matches!(problem, FieldProblem::Password(v) if v.contains(&PasswordViolation::MissingUppercase)),
        "{problem:?}"
    );
    // A company needs its invoicing channel and a fiscal id.
    let company = RegistrationInput {
        subject_kind: "azienda".into(),
        company_name: "Esempio S.r.l.".into(),
        tax_code: String::new(),
        ..mario_input()
    };
    let Err(RegisterInputError::Invalid(errors)) =
        h.service.register_input(&company, Some("192.0.2.1")).await
    else {
        panic!("refused")
    };
    assert!(errors.get("vat_number").is_some(), "{errors:?}");
    assert!(errors.get("sdi_code").is_some(), "{errors:?}");
    // Nothing was stored by the refused attempts.
    let mut tx = h.store.begin_read().await.unwrap();
    assert_eq!(
        tx.holders_by_email("mario@example.it").await.unwrap().len(),
        1
    );
}

async fn registration_input_is_rate_limited_per_address_and_tax_code(h: TestApp) {
    let input = mario_input();
    for _ in 0..10 {
        h.service
            .register_input(&input, Some("198.51.100.7"))
            .await
            .unwrap();
    }
    assert!(matches!(
        h.service.register_input(&input, Some("198.51.100.7")).await,
        Err(RegisterInputError::RateLimited)
    ));
    // The same tax code from another address is limited too...
    assert!(matches!(
        h.service.register_input(&input, Some("198.51.100.8")).await,
        Err(RegisterInputError::RateLimited)
    ));
    // ... but another subject from there is not.
    let company = RegistrationInput {
        subject_kind: "azienda".into(),
        company_name: "Esempio S.r.l.".into(),
        tax_code: String::new(),
        vat_number: "12345670017".into(),
        sdi_code: "ABC1234".into(),
        ..mario_input()
    };
    h.service
        .register_input(&company, Some("198.51.100.8"))
        .await
        .unwrap();
    // The limits restart after a quiet hour.
    h.clock.advance(Duration::minutes(61));
    h.service
        .register_input(&input, Some("198.51.100.7"))
        .await
        .unwrap();
}

async fn registration_records_consents_and_the_email_is_verified_once(h: TestApp) {
    let r = registered_mario(&h).await;
    let consents = h.service.consents(r.holder_id).await.unwrap();
    assert!(
        consents
            .iter()
            .any(|c| c.kind == ConsentKind::Marketing && c.given)
    );
    assert!(
        consents
            .iter()
            .any(|c| c.kind == ConsentKind::Profiling && !c.given)
    );
    let confirmed = outbox(&h, "registration_confirmed").await;
    assert_eq!(confirmed.len(), 1);
    assert_eq!(confirmed[0].p("login_id"), r.login_id.to_string());
    let code = confirmed[0].p("code");
    assert!(confirmed[0].p("link").ends_with(&code));
    // Until verified, no new logins.
    assert!(matches!(
        h.service
            .create_login(r.holder_id, PASSWORD, PASSWORD, &Actor::Holder(r.holder_id))
            .await,
        Err(CreateLoginError::EmailNotVerified)
    ));
    // A resend replaces the first code.
    assert!(
        h.service
            .resend_email_verification(r.holder_id)
            .await
            .unwrap()
    );
    assert!(matches!(
        h.service.verify_email_code(&code).await,
        Err(VerifyEmailError::InvalidCode)
    ));
    let resent = last_code(&h, "verify_email").await;
    // Typed by hand: lower case, spaces instead of hyphens.
    let typed = resent.to_lowercase().replace('-', " ");
    assert_eq!(
        h.service.verify_email_code(&typed).await.unwrap(),
        EmailVerified::Registration(r.holder_id)
    );
    assert!(matches!(
        h.service.verify_email_code(&resent).await,
        Err(VerifyEmailError::InvalidCode)
    ));
    let overview = h.service.holder_overview(r.holder_id).await.unwrap();
    assert!(overview.holder.email_verified());
    assert!(
        !h.service
            .resend_email_verification(r.holder_id)
            .await
            .unwrap()
    );
    // Codes expire.
    let other = h
        .service
        .register(identity_testkit::person_registration("luigi@example.it"))
        .await
        .unwrap();
    let code = outbox(&h, "registration_confirmed")
        .await
        .last()
        .unwrap()
        .p("code");
    h.clock.advance(Duration::hours(49));
    assert!(h.service.verify_email_code(&code).await.is_err());
    assert!(
        !h.service
            .holder_overview(other.holder_id)
            .await
            .unwrap()
            .holder
            .email_verified()
    );
}

async fn contacts_change_at_once_and_a_new_email_after_its_code(h: TestApp) {
    let (holder, _) = verified_mario(&h).await;
    let api = ContactsAuth::Api("crm");
    let changed = h
        .service
        .update_contacts(
            holder,
            &contacts_of("mario.rossi@example.it", "+39 340 0000000"),
            api,
        )
        .await
        .unwrap();
    assert_eq!(changed.changed, vec!["phone"]);
    assert_eq!(outbox(&h, "data_changed").await.len(), 1);
    let bad = ContactsInput {
        email_confirm: "x@example.it".into(),
        ..contacts_of("new@example.it", "3400000000")
    };
    assert!(matches!(
        h.service.update_contacts(holder, &bad, api).await,
        Err(ContactsError::Invalid(_))
    ));
    let pending = h
        .service
        .update_contacts(
            holder,
            &contacts_of("new@example.it", "+39 340 0000000"),
            api,
        )
        .await
        .unwrap();
    assert_eq!(pending.email_pending.as_deref(), Some("new@example.it"));
    let sent = outbox(&h, "verify_email").await;
    assert_eq!(sent.last().unwrap().to, "new@example.it");
    // Not changed until the code comes back from the new address.
    let before = h.service.holder_overview(holder).await.unwrap().holder;
    assert_eq!(
        before.contacts().email.to_string(),
        "mario.rossi@example.it"
    );
    let code = sent.last().unwrap().p("code");
    assert_eq!(
        h.service.verify_email_code(&code).await.unwrap(),
        EmailVerified::Changed(holder)
    );
    let after = h.service.holder_overview(holder).await.unwrap().holder;
    assert_eq!(after.contacts().email.to_string(), "new@example.it");
    let notices: Vec<String> = outbox(&h, "data_changed")
        .await
        .iter()
        .map(|m| m.to.clone())
        .collect();
    assert!(
        notices.contains(&"mario.rossi@example.it".to_owned()),
        "old address told"
    );
    assert!(notices.contains(&"new@example.it".to_owned()));
    let trail = h
        .service
        .store()
        .begin_read()
        .await
        .unwrap()
        .audit(&AuditQuery {
            holder_id: Some(holder),
            event: Some("holder.email_changed".into()),
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].actor, format!("holder:{holder}"));
}

async fn recovery_channels_need_a_fresh_reauthentication_with_an_identity(h: TestApp) {
    let (holder, number) = verified_mario(&h).await;
    let second = h
        .service
        .create_login(
            holder,
            "Altra-Chiave!42",
            "Altra-Chiave!42",
            &Actor::Holder(holder),
        )
        .await
        .unwrap();
    h.service.request_identity(holder, number).await.unwrap();
    // Signed in with the second login: not the identity's username.
    let signed = h
        .service
        .sign_in_password(&second, "Altra-Chiave!42", None)
        .await
        .unwrap();
    let (token, session) = h
        .service
        .open_session(
            &signed,
            SessionArea::Customer,
            CredentialLevel::L1,
            None,
            None,
        )
        .await
        .unwrap();
    let input = contacts_of("mario.rossi@example.it", "+39 340 1111111");
    assert!(matches!(
        h.service
            .update_contacts(holder, &input, ContactsAuth::Session(&session))
            .await,
        Err(ContactsError::ReauthRequired)
    ));
    // The API cannot re-authenticate: refused too. The address alone is fine.
    assert!(matches!(
        h.service
            .update_contacts(holder, &input, ContactsAuth::Api("crm"))
            .await,
        Err(ContactsError::ReauthRequired)
    ));
    let address_only = ContactsInput {
        street: "Via Milano 2".into(),
        ..contacts_of("mario.rossi@example.it", "333 123 4567")
    };
    h.service
        .update_contacts(holder, &address_only, ContactsAuth::Api("crm"))
        .await
        .unwrap();
    // The second login's password is not the identity's.
    assert!(
        h.service
            .reauthenticate(&token, "Altra-Chiave!42", None)
            .await
            .is_err()
    );
    h.service
        .reauthenticate(&token, PASSWORD, None)
        .await
        .unwrap();
    let session = h.service.session(&token).await.unwrap().unwrap();
    h.service
        .update_contacts(holder, &input, ContactsAuth::Session(&session))
        .await
        .unwrap();
    // Ten minutes later the re-authentication has lapsed.
    h.clock.advance(Duration::minutes(11));
    let session = h.service.session(&token).await.unwrap().unwrap();
    let again = contacts_of("mario.rossi@example.it", "+39 340 2222222");
    assert!(matches!(
        h.service
            .update_contacts(holder, &again, ContactsAuth::Session(&session))
            .await,
        Err(ContactsError::ReauthRequired)
    ));
}

async fn logins_are_created_deleted_and_share_the_holder(h: TestApp) {
    let (holder, first) = verified_mario(&h).await;
    let me = Actor::Holder(holder);
    assert!(matches!(
        h.service
            .create_login(holder, "Altra-Chiave!42", "Altra-Chiave!43", &me)
            .await,
        Err(CreateLoginError::Invalid(_))
    ));
    assert!(matches!(
        h.service
            .create_login(holder, "Mario-Rossi!1", "Mario-Rossi!1", &me)
            .await,
        Err(CreateLoginError::Invalid(_))
    ));
    let second = h
        .service
        .create_login(holder, "Altra-Chiave!42", "Altra-Chiave!42", &me)
        .await
        .unwrap();
    assert_ne!(second.number(), first);
    let created = outbox(&h, "login_created").await;
    assert_eq!(created[0].p("login_id"), second.to_string());
    // Both logins reach the one holder: a change through one is seen through the other.
    let via_second = h
        .service
        .sign_in_password(&second, "Altra-Chiave!42", None)
        .await
        .unwrap();
    assert_eq!(via_second.holder_id, holder);
    h.service
        .update_contacts(
            via_second.holder_id,
            &contacts_of("mario.rossi@example.it", "+39 347 5555555"),
            ContactsAuth::Api("test"),
        )
        .await
        .unwrap();
    let via_first = h
        .service
        .sign_in_password(&LoginId::new(first, "test.example.it"), PASSWORD, None)
        .await
        .unwrap();
    let seen = h
        .service
        .holder_overview(via_first.holder_id)
        .await
        .unwrap();
    assert_eq!(seen.holder.contacts().phone.to_string(), "+393475555555");
    // Delete the extra one; the last active one stays.
    h.service.delete_login(second.number(), &me).await.unwrap();
    assert!(matches!(
        h.service
            .sign_in_password(&second, "Altra-Chiave!42", None)
            .await,
        Err(SignInError::InvalidCredentials)
    ));
    assert!(matches!(
        h.service.delete_login(first, &me).await,
        Err(LoginChangeError::Refused(_))
    ));
    assert!(matches!(
        h.service
            .enable_login(second.number(), &Actor::Operator("anna".into()))
            .await,
        Err(LoginChangeError::Refused(_))
    ));
    let logins = h.service.holder_overview(holder).await.unwrap().logins;
    assert_eq!(
        logins
            .iter()
            .find(|l| l.number() == second.number())
            .unwrap()
            .status(),
        LoginStatus::Deleted
    );
    assert_eq!(outbox(&h, "login_deleted").await.len(), 1);
    // Someone else's login is not found.
    let other = h
        .service
        .register(identity_testkit::person_registration("altro@example.it"))
        .await
        .unwrap();
    assert!(matches!(
        h.service.delete_login(other.login_id.number(), &me).await,
        Err(LoginChangeError::NotFound)
    ));
}

async fn consents_change_and_the_export_holds_no_secrets(h: TestApp) {
    let (holder, _) = verified_mario(&h).await;
    let me = Actor::Holder(holder);
    assert!(
        h.service
            .set_consent(holder, ConsentKind::Marketing, false, &me)
            .await
            .unwrap()
    );
    assert!(
        !h.service
            .set_consent(holder, ConsentKind::Marketing, false, &me)
            .await
            .unwrap()
    );
    h.service
        .set_consent(holder, ConsentKind::Profiling, true, &me)
        .await
        .unwrap();
    let now: Vec<(ConsentKind, bool)> = h
        .service
        .consents(holder)
        .await
        .unwrap()
        .iter()
        .map(|c| (c.kind, c.given))
        .collect();
    assert_eq!(
        now,
        vec![
            (ConsentKind::Marketing, false),
            (ConsentKind::Profiling, true),
            (ConsentKind::ThirdParties, false)
        ]
    );
    let doc = h.service.export_holder_data(holder, &me).await.unwrap();
    assert_eq!(doc["holder"]["person"]["tax_code"], "RSSMRA85T10A562S");
    assert_eq!(
        doc["consents"].as_array().unwrap().len(),
        5,
        "the whole history"
    );
    assert!(!doc["audit_trail"].as_array().unwrap().is_empty());
    let text = doc.to_string();
    assert!(!text.contains("argon2"), "no password hashes");
    assert!(!text.contains("token"), "no tokens");
    let events: Vec<String> = h
        .store
        .begin_read()
        .await
        .unwrap()
        .audit(&AuditQuery {
            holder_id: Some(holder),
            limit: 100,
            ..AuditQuery::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.event)
        .collect();
    for e in ["consent.withdrawn", "consent.given", "holder.data_exported"] {
        assert!(events.iter().any(|x| x == e), "{e} in {events:?}");
    }
}
