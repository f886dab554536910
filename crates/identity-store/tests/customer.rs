//! The customer area's use cases end to end on both storage backends: the
//! registration input, email verification, contacts (with the re-authentication
//! guard), logins, consents and export, correction requests, closure, lost-account
//! recovery and API clients (`sqlite::*` and `postgres::*` in the test names).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use chrono::Duration;
use common::{Harness, PASSWORD, registered_mario};
use identity_core::identity::Actor;
use identity_core::{ConsentKind, CredentialLevel, HolderId, LoginId, LoginStatus, SessionArea};
use identity_service::usecases::closure::CloseAccountError;
use identity_service::usecases::contacts::{ContactsAuth, ContactsError, ContactsInput};
use identity_service::usecases::email::{EmailVerified, VerifyEmailError};
use identity_service::usecases::logins::LoginChangeError;
use identity_service::usecases::new_login::CreateLoginError;
use identity_service::usecases::recovery::RecoveryError;
use identity_service::usecases::register_input::{RegisterInputError, RegistrationInput};
use identity_service::usecases::sign_in::SignInError;
use identity_service::{ApiScope, AuditQuery, OutboxMessage, Store, StoreError};

contract_tests!(
    registration_input_reports_every_field_and_agreement_error,
    registration_input_is_rate_limited_per_address_and_tax_code,
    registration_records_consents_and_the_email_is_verified_once,
    contacts_change_at_once_and_a_new_email_after_its_code,
    recovery_channels_need_a_fresh_reauthentication_with_an_identity,
    logins_are_created_deleted_and_share_the_holder,
    consents_change_and_the_export_holds_no_secrets,
    corrections_are_opened_approved_and_rejected,
    the_account_closes_only_when_nothing_needs_it,
    lost_login_ids_and_password_reset,
    api_clients_authenticate_until_revoked,
    sent_mail_keeps_no_codes,
    a_confirmed_tax_code_mismatch_goes_to_an_operator,
    a_live_identity_guards_its_password_and_its_proofed_data,
    a_parallel_burst_from_one_address_on_two_nodes_stops_at_the_limit,
);

async fn mail(h: &Harness, template: &str) -> Vec<OutboxMessage> {
    let mut tx = h.store.begin_read().await.unwrap();
    tx.outbox(None, 500)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.template == template)
        .collect()
}

async fn last_code(h: &Harness, template: &str) -> String {
    let all = mail(h, template).await;
    all.last().expect("a mail").p("code")
}

/// A string parameter of a queued mail.
trait Param {
    fn p(&self, name: &str) -> String;
}

impl Param for OutboxMessage {
    fn p(&self, name: &str) -> String {
        self.params[name].as_str().unwrap_or_default().to_owned()
    }
}

fn mario_input() -> RegistrationInput {
    RegistrationInput {
        subject_kind: "persona_fisica".into(),
        given_name: "Mario".into(),
        family_name: "Rossi".into(),
        tax_code: "rssmra85t10a562s".into(),
        birth_date: "10/12/1985".into(),
        sex: "M".into(),
        birth_place: "San Giuliano Terme".into(),
        birth_province: "PI".into(),
        street: "Via Roma 1".into(),
        postal_code: "56017".into(),
        municipality: "san giuliano terme".into(),
        province: "PI".into(),
        email: "mario@example.it".into(),
        email_confirm: "MARIO@example.it".into(),
        phone: "333 123 4567".into(),
        password: PASSWORD.into(),
        password_confirm: PASSWORD.into(),
        privacy_notice: true,
        consents: ConsentKind::ALL.iter().map(|k| (*k, Some(false))).collect(),
        ..RegistrationInput::default()
    }
}

async fn verified_mario(h: &Harness) -> (HolderId, identity_core::LoginNumber) {
    let r = registered_mario(h).await;
    let code = last_code(h, "registration_confirmed").await;
    h.service.verify_email_code(&code).await.unwrap();
    (r.holder_id, r.login_id.number())
}

fn contacts_of(email: &str, phone: &str) -> ContactsInput {
    ContactsInput {
        email: email.into(),
        email_confirm: email.into(),
        phone: phone.into(),
        street: "Via Roma 1".into(),
        postal_code: "00184".into(),
        municipality: "Roma".into(),
        province: "RM".into(),
        ..ContactsInput::default()
    }
}

async fn registration_input_reports_every_field_and_agreement_error(h: Harness) {
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
    let msg = errors
        .get("password")
        .unwrap()
        .message(identity_core::Lang::En);
    assert!(msg.contains("upper"), "{msg}");
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

async fn registration_input_is_rate_limited_per_address_and_tax_code(h: Harness) {
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

async fn registration_records_consents_and_the_email_is_verified_once(h: Harness) {
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
    let confirmed = mail(&h, "registration_confirmed").await;
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
        .register(common::person_registration("luigi@example.it"))
        .await
        .unwrap();
    let code = mail(&h, "registration_confirmed")
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

async fn contacts_change_at_once_and_a_new_email_after_its_code(h: Harness) {
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
    assert_eq!(mail(&h, "data_changed").await.len(), 1);
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
    let sent = mail(&h, "verify_email").await;
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
    let notices: Vec<String> = mail(&h, "data_changed")
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

async fn recovery_channels_need_a_fresh_reauthentication_with_an_identity(h: Harness) {
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

async fn logins_are_created_deleted_and_share_the_holder(h: Harness) {
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
    let created = mail(&h, "login_created").await;
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
    assert_eq!(mail(&h, "login_deleted").await.len(), 1);
    // Someone else's login is not found.
    let other = h
        .service
        .register(common::person_registration("altro@example.it"))
        .await
        .unwrap();
    assert!(matches!(
        h.service.delete_login(other.login_id.number(), &me).await,
        Err(LoginChangeError::NotFound)
    ));
}

async fn consents_change_and_the_export_holds_no_secrets(h: Harness) {
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

async fn corrections_are_opened_approved_and_rejected(h: Harness) {
    let (holder, _) = verified_mario(&h).await;
    let me = Actor::Holder(holder);
    let anna = Actor::Operator("anna".into());
    assert!(
        h.service
            .open_correction(holder, "nope", "x", "y", &me)
            .await
            .is_err()
    );
    assert!(
        h.service
            .open_correction(holder, "vat_number", "01114601006", "typo", &me)
            .await
            .is_err(),
        "a person has no VAT number"
    );
    // "Mario" -> "Maria" keeps the tax code's letters (MRA) but the code says male;
    // the request opens, approval refuses data that disagrees.
    let bad = h
        .service
        .open_correction(holder, "sex", "F", "typo", &me)
        .await
        .unwrap();
    assert!(h.service.approve_correction(bad.id, &anna).await.is_err());
    let rejected = h
        .service
        .reject_correction(bad.id, "The tax code says male.", &anna)
        .await
        .unwrap();
    assert_eq!(rejected.state.code(), "rejected");
    let good = h
        .service
        .open_correction(
            holder,
            "given_name",
            "Mario Luigi",
            "Second name missing",
            &me,
        )
        .await;
    // "Mario Luigi" gives MRL, not the code's MRA: it opens, but cannot be approved.
    let good = good.unwrap();
    assert!(h.service.approve_correction(good.id, &anna).await.is_err());
    h.service
        .reject_correction(good.id, "no", &anna)
        .await
        .unwrap();
    let accent = h
        .service
        .open_correction(holder, "family_name", "Rossì", "Accent missing", &me)
        .await
        .unwrap();
    assert_eq!(
        h.service
            .list_corrections(Some("open"), 10)
            .await
            .unwrap()
            .len(),
        1
    );
    h.service
        .approve_correction(accent.id, &anna)
        .await
        .unwrap();
    let holder_now = h.service.holder_overview(holder).await.unwrap().holder;
    assert_eq!(holder_now.person().unwrap().family_name(), "Rossì");
    assert!(matches!(
        h.service.approve_correction(accent.id, &anna).await,
        Err(identity_service::usecases::corrections::CorrectionOpError::Refused(_))
    ));
    let decided = mail(&h, "correction_decided").await;
    assert!(decided.iter().any(|m| m.p("decision") == "approved"));
    assert!(decided.iter().any(|m| m.p("decision") == "rejected"));
    let trail = h
        .store
        .begin_read()
        .await
        .unwrap()
        .audit(&AuditQuery {
            event: Some("correction.approved".into()),
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(trail[0].actor, "operator:anna");
    assert_eq!(h.service.corrections_of(holder).await.unwrap().len(), 3);
}

async fn the_account_closes_only_when_nothing_needs_it(h: Harness) {
    let (holder, number) = verified_mario(&h).await;
    let welcome = mail(&h, "registration_confirmed").await.remove(0);
    {
        let mut tx = h.store.begin().await.unwrap();
        tx.mark_mail_sent(welcome.id, h.service.now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let me = Actor::Holder(holder);
    let identity = h.service.request_identity(holder, number).await.unwrap();
    assert!(matches!(
        h.service.close_account(holder, &me).await,
        Err(CloseAccountError::LiveIdentity)
    ));
    h.service
        .revoke_identity(
            identity.id(),
            identity_core::RevocationCause::HolderRequest,
            me.clone(),
        )
        .await
        .unwrap();
    h.service.close_account(holder, &me).await.unwrap();
    assert!(matches!(
        h.service.holder_overview(holder).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        h.service
            .sign_in_password(&LoginId::new(number, "test.example.it"), PASSWORD, None)
            .await,
        Err(SignInError::InvalidCredentials)
    ));
    assert!(
        h.service
            .find_holders("RSSMRA85T10A562S")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(mail(&h, "account_closed").await.len(), 1);
    let sent = mail(&h, "registration_confirmed").await.remove(0);
    assert_eq!(sent.to, "", "sent mail keeps no address");
    assert_eq!(sent.params, serde_json::json!({}));
    // The identity and its proofing stay, with the holder row they point at.
    let mut tx = h.store.begin_read().await.unwrap();
    assert_eq!(tx.identities_of(holder).await.unwrap().len(), 1);
    assert_eq!(
        tx.logins_of(holder).await.unwrap()[0].status(),
        LoginStatus::Deleted
    );
    assert!(tx.password_history(number).await.unwrap().is_empty());
    drop(tx);
    assert!(matches!(
        h.service.close_account(holder, &me).await,
        Err(CloseAccountError::NotFound)
    ));
}

async fn lost_login_ids_and_password_reset(h: Harness) {
    let r = registered_mario(&h).await;
    let ip = Some("203.0.113.5");
    h.service
        .remind_login_ids("rssmra85t10a562s", "mario.rossi@example.it", ip)
        .await
        .unwrap();
    h.service
        .remind_login_ids("RSSMRA85T10A562S", "someone.else@example.it", ip)
        .await
        .unwrap();
    let sent = mail(&h, "login_ids_reminder").await;
    assert_eq!(sent.len(), 1, "only the matching pair gets a mail");
    assert!(sent[0].p("login_ids").contains(&r.login_id.to_string()));
    assert!(matches!(
        h.service.remind_login_ids("not a code", "x", ip).await,
        Err(RecoveryError::Invalid(_))
    ));

    // An unknown login answers like a known one.
    h.service
        .request_password_reset("999999@test.example.it", ip)
        .await
        .unwrap();
    h.service
        .request_password_reset(&r.login_id.to_string(), ip)
        .await
        .unwrap();
    let code = last_code(&h, "password_reset_code").await;
    let signed = h
        .service
        .sign_in_password(&r.login_id, PASSWORD, None)
        .await
        .unwrap();
    let (token, _) = h
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
    assert!(matches!(
        h.service.reset_password(&code, "weak", "weak", ip).await,
        Err(RecoveryError::Invalid(_))
    ));
    let reused = h
        .service
        .reset_password(&code, PASSWORD, PASSWORD, ip)
        .await;
    let Err(RecoveryError::Invalid(errors)) = reused else {
        panic!("the current password is refused")
    };
    assert!(errors.get("password").is_some());
    let id = h
        .service
        .reset_password(&code, "Nuova-Chiave!77", "Nuova-Chiave!77", ip)
        .await
        .unwrap();
    assert_eq!(id, r.login_id);
    assert!(matches!(
        h.service
            .reset_password(&code, "Altra-Chiave!78", "Altra-Chiave!78", ip)
            .await,
        Err(RecoveryError::InvalidCode)
    ));
    assert!(
        h.service.session(&token).await.unwrap().is_none(),
        "sessions ended"
    );
    h.service
        .sign_in_password(&r.login_id, "Nuova-Chiave!77", None)
        .await
        .unwrap();
    assert_eq!(mail(&h, "password_changed").await.len(), 1);
    // The code came back from the reference email: it counts as verified.
    assert!(
        h.service
            .holder_overview(r.holder_id)
            .await
            .unwrap()
            .holder
            .email_verified()
    );
    // Codes expire after 30 minutes.
    h.service
        .request_password_reset(&r.login_id.to_string(), ip)
        .await
        .unwrap();
    let code = last_code(&h, "password_reset_code").await;
    h.clock.advance(Duration::minutes(31));
    assert!(matches!(
        h.service
            .reset_password(&code, "Terza-Chiave!79", "Terza-Chiave!79", ip)
            .await,
        Err(RecoveryError::InvalidCode)
    ));
    // Requests are limited per address.
    let mut limited = false;
    for _ in 0..12 {
        if matches!(
            h.service
                .request_password_reset("123456@test.example.it", Some("203.0.113.9"))
                .await,
            Err(RecoveryError::RateLimited)
        ) {
            limited = true;
        }
    }
    assert!(limited);
}

async fn api_clients_authenticate_until_revoked(h: Harness) {
    let anna = Actor::Operator("anna".into());
    let (client, token) = h
        .service
        .add_api_client("crm", &[ApiScope::HoldersRead], &anna)
        .await
        .unwrap();
    assert!(token.starts_with("idk_"));
    assert!(
        h.service
            .add_api_client("crm", &[ApiScope::HoldersRead], &anna)
            .await
            .is_err()
    );
    assert!(
        h.service
            .add_api_client("bad name", &[ApiScope::HoldersRead], &anna)
            .await
            .is_err()
    );
    assert!(h.service.add_api_client("x", &[], &anna).await.is_err());
    let found = h
        .service
        .authenticate_api_client(&token)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, client.id);
    assert!(
        h.service
            .authenticate_api_client("idk_wrong")
            .await
            .unwrap()
            .is_none()
    );
    h.service.revoke_api_client("crm", &anna).await.unwrap();
    assert!(
        h.service
            .authenticate_api_client(&token)
            .await
            .unwrap()
            .is_none()
    );
    assert!(h.service.revoke_api_client("crm", &anna).await.is_err());
    let listed = h.service.api_clients().await.unwrap();
    assert!(listed[0].revoked_at.is_some());
}

async fn sent_mail_keeps_no_codes(h: Harness) {
    registered_mario(&h).await;
    let queued = mail(&h, "registration_confirmed").await.remove(0);
    let code = queued.p("code");
    assert!(!code.is_empty());
    let mut tx = h.store.begin().await.unwrap();
    tx.mark_mail_sent(queued.id, h.service.now()).await.unwrap();
    tx.commit().await.unwrap();
    let sent = mail(&h, "registration_confirmed").await.remove(0);
    assert_eq!(sent.p("code"), "[redacted]");
    assert_eq!(sent.p("link"), "[redacted]");
    assert_eq!(sent.p("login_id"), queued.p("login_id"), "the rest stays");
}

async fn a_parallel_burst_from_one_address_on_two_nodes_stops_at_the_limit(h: Harness) {
    use identity_service::usecases::limits::SIGN_IN_FAILURES;
    let r = registered_mario(&h).await;
    // A second app node: its own pool on the same database, the same clock.
    let second_store = std::sync::Arc::new(
        identity_store::SqlStore::connect(&h.url, &identity_store::ConnectOptions::default())
            .await
            .unwrap(),
    );
    let node_b = identity_service::Service::new(
        second_store,
        h.clock.clone(),
        identity_service::PasswordHasher::new(identity_service::HashCost::cheap_for_tests(), 4)
            .unwrap(),
        h.service.config().clone(),
    );
    // 70 guesses at once from one address, each on another (unknown) login so the
    // per-login delay never applies, half through each node.
    let mut tasks = Vec::new();
    for i in 0..70u64 {
        let service = if i % 2 == 0 {
            h.service.clone()
        } else {
            node_b.clone()
        };
        let id = LoginId::new(
            identity_core::LoginNumber::new(500_000 + i).unwrap(),
            "test.example.it",
        );
        tasks.push(tokio::spawn(async move {
            service
                .sign_in_password(&id, "Sbagliata!99x", Some("198.51.100.66"))
                .await
        }));
    }
    for t in tasks {
        assert!(matches!(
            t.await.unwrap(),
            Err(SignInError::InvalidCredentials)
        ));
    }
    let trail = h
        .store
        .begin_read()
        .await
        .unwrap()
        .audit(&AuditQuery {
            event: Some("sign_in.failed".into()),
            limit: 1000,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(
        trail.len(),
        SIGN_IN_FAILURES.max as usize,
        "checked attempts stop exactly at the limit"
    );
    // The right password from that address is now refused like a wrong one; from
    // another address it works; after a quiet hour the address is free again.
    assert!(matches!(
        h.service
            .sign_in_password(&r.login_id, PASSWORD, Some("198.51.100.66"))
            .await,
        Err(SignInError::InvalidCredentials)
    ));
    h.service
        .sign_in_password(&r.login_id, PASSWORD, Some("198.51.100.67"))
        .await
        .unwrap();
    h.clock.advance(Duration::minutes(61));
    h.service
        .sign_in_password(&r.login_id, PASSWORD, Some("198.51.100.66"))
        .await
        .unwrap();
}

async fn a_confirmed_tax_code_mismatch_goes_to_an_operator(h: Harness) {
    use identity_core::{CorrectableField, DataReview};
    let anna = Actor::Operator("anna".into());
    // "Mariano" gives MRN, the code says MRA: only the agreement fails.
    let insisted = RegistrationInput {
        given_name: "Mariano".into(),
        ..mario_input()
    };
    let Err(RegisterInputError::Mismatch(errors)) =
        h.service.register_input(&insisted, Some("192.0.2.1")).await
    else {
        panic!("only the agreement fails")
    };
    assert!(errors.get("given_name").is_some());
    let confirmed = RegistrationInput {
        confirm_mismatch: true,
        ..insisted.clone()
    };
    let r = h
        .service
        .register_input(&confirmed, Some("192.0.2.1"))
        .await
        .unwrap();
    let holder = h.service.holder_overview(r.holder_id).await.unwrap().holder;
    assert_eq!(holder.data_review(), DataReview::Pending);
    assert!(matches!(
        h.service
            .request_identity(r.holder_id, r.login_id.number())
            .await,
        Err(identity_service::usecases::identity::IdentityError::DataUnderReview)
    ));
    let open = h.service.list_corrections(Some("open"), 10).await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].field, CorrectableField::TaxCodeAgreement);
    assert!(open[0].reason.contains("nome"), "{}", open[0].reason);
    // The operator checks the card and confirms: the identity can be requested.
    h.service
        .approve_correction(open[0].id, &anna)
        .await
        .unwrap();
    let holder = h.service.holder_overview(r.holder_id).await.unwrap().holder;
    assert_eq!(holder.data_review(), DataReview::Confirmed);
    assert_eq!(
        holder.person().unwrap().given_name(),
        "Mariano",
        "data as declared"
    );
    h.service
        .request_identity(r.holder_id, r.login_id.number())
        .await
        .unwrap();

    // Another person insists, the operator rejects, the person fixes the name.
    let other = h
        .service
        .register_input(
            &RegistrationInput {
                email: "b@example.it".into(),
                email_confirm: "b@example.it".into(),
                ..confirmed.clone()
            },
            Some("192.0.2.2"),
        )
        .await
        .unwrap();
    let review = h.service.list_corrections(Some("open"), 10).await.unwrap()[0].id;
    h.service
        .reject_correction(review, "The card says Mario.", &anna)
        .await
        .unwrap();
    let rejected = h
        .service
        .holder_overview(other.holder_id)
        .await
        .unwrap()
        .holder;
    assert_eq!(rejected.data_review(), DataReview::Rejected);
    let me = Actor::Holder(other.holder_id);
    let fix = h
        .service
        .open_correction(other.holder_id, "given_name", "Mario", "typo", &me)
        .await
        .unwrap();
    h.service.approve_correction(fix.id, &anna).await.unwrap();
    let fixed = h
        .service
        .holder_overview(other.holder_id)
        .await
        .unwrap()
        .holder;
    assert_eq!(fixed.data_review(), DataReview::NotNeeded);
    assert_eq!(fixed.person().unwrap().given_name(), "Mario");
}

async fn a_live_identity_guards_its_password_and_its_proofed_data(h: Harness) {
    let (holder, number) = verified_mario(&h).await;
    let me = Actor::Holder(holder);
    let login = LoginId::new(number, "test.example.it");
    // A code issued before the identity existed no longer works once it does.
    h.service
        .request_password_reset(&login.to_string(), Some("203.0.113.1"))
        .await
        .unwrap();
    let early = last_code(&h, "password_reset_code").await;
    h.service.request_identity(holder, number).await.unwrap();
    assert!(matches!(
        h.service
            .reset_password(
                &early,
                "Nuova-Chiave!77",
                "Nuova-Chiave!77",
                Some("203.0.113.1")
            )
            .await,
        Err(RecoveryError::InvalidCode)
    ));
    // A new request sends no code: the mail points to the selfcare recovery.
    let codes_before = mail(&h, "password_reset_code").await.len();
    h.service
        .request_password_reset(&login.to_string(), Some("203.0.113.1"))
        .await
        .unwrap();
    assert_eq!(mail(&h, "password_reset_code").await.len(), codes_before);
    assert_eq!(mail(&h, "password_reset_identity").await.len(), 1);
    // Proofed data cannot be corrected while the identity lives.
    assert!(matches!(
        h.service
            .open_correction(holder, "family_name", "Rossì", "accent", &me)
            .await,
        Err(identity_service::usecases::corrections::CorrectionOpError::LiveIdentity)
    ));
}
