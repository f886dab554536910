//! The selfcare panel's use cases on both storage backends: the identity request
//! with the SMS code, the emergency code in two halves, signing in at the highest
//! level, the authenticator (enrolment, replay, block, unblock, re-enrolment after
//! a lost phone), sealed secrets and key rotation.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::Duration;
use identity_core::credentials::{EmergencyCode, TotpError};
use identity_core::identity::Actor;
use identity_core::{CredentialLevel, IdentityState, LevelState, TotpSecret};
use identity_service::Store as _;
use identity_service::usecases::selfcare::authenticator::CredentialError;
use identity_service::usecases::selfcare::lost_authenticator::{ReenrolProof, UnblockProof};
use identity_service::usecases::selfcare::sign_in::PasswordStep;
use identity_service::usecases::selfcare::sign_in::SelfcareSignInError;
use identity_service::{HashCost, Keyring, PasswordHasher, Service, ServiceConfig};
use identity_testkit::*;
use identity_testkit::{PASSWORD, TestApp, proofing};
use identity_testkit::{Param, verified_mario};

identity_testkit::both_backends!(
    the_identity_request_needs_the_sms_code_and_activation_sends_the_emergency_code_in_halves,
    level_1_signs_in_with_the_password_and_pending_or_revoked_identities_are_told,
    level_2_is_enrolled_with_a_first_code_and_then_required_at_sign_in,
    one_time_codes_are_refused_on_replay_and_five_wrong_ones_block_level_2,
    a_blocked_level_2_is_unblocked_with_an_email_code,
    a_lost_phone_is_proven_and_the_old_secret_stops_at_once,
    removing_level_2_ends_the_sessions_that_used_it,
    totp_secrets_are_sealed_and_survive_a_key_rotation,
    a_security_key_ceremony_refuses_forged_answers,
    a_waiting_sign_in_is_void_once_the_credentials_change,
    a_seeded_source_draws_the_same_codes_every_run,
    a_sent_sms_code_waits_until_used_or_expired,
    a_service_asking_for_level_2_gets_it_when_level_3_is_active,
);

/// A SpidL2 request for an identity whose level 3 is active too: the sign-in
/// performs level 2 (password and code), while the selfcare's own sign-in
/// asks for the key.
async fn a_service_asking_for_level_2_gets_it_when_level_3_is_active(h: TestApp) {
    let a = active_identity(&h).await;
    let secret = enrol(&h, &a).await;
    // Level 3 active, as a registered security key leaves it (the key itself
    // plays no part in a level-2 sign-in).
    {
        let mut tx = h.store.begin().await.unwrap();
        let mut creds = tx.credentials_for_update(a.identity.id()).await.unwrap();
        creds.levels = creds.levels.activate(CredentialLevel::L3).unwrap();
        tx.update_credentials(&creds).await.unwrap();
        tx.commit().await.unwrap();
    }
    assert!(matches!(
        password_step(&h, &a).await,
        PasswordStep::SecondFactor {
            level: CredentialLevel::L3,
            ..
        }
    ));
    let for_service = identity_service::usecases::selfcare::sign_in::Client {
        service: Some("Comune di Prova"),
        ..client()
    };
    let step = h
        .service
        .sign_in_password_for(
            &a.username,
            identity_testkit::PASSWORD,
            for_service,
            Some(&[CredentialLevel::L2]),
        )
        .await
        .unwrap();
    assert!(
        matches!(
            step,
            PasswordStep::SecondFactor {
                level: CredentialLevel::L2,
                ..
            }
        ),
        "{step:?}"
    );
    let signed = h
        .service
        .selfcare_sign_in_totp(&pending_of(&step), &code_at(&h, &secret, 0), for_service)
        .await
        .unwrap();
    assert_eq!(signed.session.level, CredentialLevel::L2);
}

async fn a_sent_sms_code_waits_until_used_or_expired(h: TestApp) {
    let (holder, number) = verified_mario(&h).await;
    let waiting = |h: &TestApp| {
        let service = h.service.clone();
        async move { service.identity_phone_code_waiting(holder).await.unwrap() }
    };
    assert_eq!(waiting(&h).await, None, "nothing sent yet");
    h.service
        .send_identity_phone_code(holder, number)
        .await
        .unwrap();
    assert_eq!(
        waiting(&h).await,
        Some(number),
        "remembered with its username"
    );
    // Expired: nothing waits any more.
    h.clock.advance(chrono::Duration::minutes(16));
    assert_eq!(waiting(&h).await, None);
    // Used: nothing waits either.
    h.service
        .send_identity_phone_code(holder, number)
        .await
        .unwrap();
    let code = last_code(&h, "sms_code").await;
    h.service
        .request_identity_with_phone_code(holder, number, &code)
        .await
        .unwrap()
        .expect("the right code");
    assert_eq!(waiting(&h).await, None);
}

async fn the_identity_request_needs_the_sms_code_and_activation_sends_the_emergency_code_in_halves(
    h: TestApp,
) {
    let (holder, number) = verified_mario(&h).await;
    h.service
        .send_identity_phone_code(holder, number)
        .await
        .unwrap();
    let sms = outbox(&h, "sms_code").await;
    assert_eq!(sms.len(), 1);
    assert_eq!(sms[0].to, "+393331234567", "sent to the phone on record");
    let code = sms[0].p("code");
    assert_eq!(code.len(), 6);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert!(
        h.service
            .request_identity_with_phone_code(holder, number, wrong)
            .await
            .unwrap()
            .is_none()
    );
    let identity = h
        .service
        .request_identity_with_phone_code(holder, number, &code)
        .await
        .unwrap()
        .expect("the right code");
    assert_eq!(identity.state(), &IdentityState::Pending);
    // A code works once.
    assert!(
        h.service
            .request_identity_with_phone_code(holder, number, &code)
            .await
            .unwrap()
            .is_none()
    );
    assert!(outbox(&h, "emergency_code_half").await.is_empty());

    h.service
        .verify_identity(identity.id(), proofing(&h), Actor::Operator("op".into()))
        .await
        .unwrap();
    let mail = outbox(&h, "emergency_code_half").await;
    let text = outbox(&h, "sms_emergency_half").await;
    assert_eq!((mail.len(), text.len()), (1, 1));
    assert_eq!(mail[0].to, "mario.rossi@example.it");
    assert_eq!(text[0].to, "+393331234567");
    let (first, second) = (mail[0].p("code"), text[0].p("code"));
    assert_ne!(first, second);
    let whole = EmergencyCode::parse(&format!("{first}{second}")).expect("two halves make a code");
    let stored = credentials(
        &h,
        &Active {
            holder,
            identity: identity.clone(),
            username: identity_core::LoginId::new(number, "test.example.it"),
            emergency: String::new(),
        },
    )
    .await;
    assert!(stored.emergency_hash.is_some());
    assert!(!stored.emergency_hash.unwrap().contains(whole.as_str()));
}

async fn level_1_signs_in_with_the_password_and_pending_or_revoked_identities_are_told(h: TestApp) {
    let (holder, number) = verified_mario(&h).await;
    let username = identity_core::LoginId::new(number, "test.example.it");
    let no_identity = h
        .service
        .selfcare_sign_in_password(&username, PASSWORD, client())
        .await;
    assert!(matches!(no_identity, Err(SelfcareSignInError::NoIdentity)));

    let identity = h.service.request_identity(holder, number).await.unwrap();
    // A pending identity signs in at level 1 to see what is missing.
    let pending = h
        .service
        .selfcare_sign_in_password(&username, PASSWORD, client())
        .await
        .unwrap();
    let PasswordStep::SignedIn(s) = pending else {
        panic!("pending identities sign in at level 1")
    };
    assert_eq!(s.session.level, CredentialLevel::L1);
    assert_eq!(s.session.area, identity_core::SessionArea::Selfcare);

    let wrong = h
        .service
        .selfcare_sign_in_password(&username, "Sbagliata-123!", client())
        .await;
    assert!(matches!(
        wrong,
        Err(SelfcareSignInError::InvalidCredentials)
    ));

    h.service
        .revoke_identity(
            identity.id(),
            identity_core::RevocationCause::HolderRequest,
            Actor::Holder(holder),
        )
        .await
        .unwrap();
    let revoked = h
        .service
        .selfcare_sign_in_password(&username, PASSWORD, client())
        .await;
    assert!(matches!(revoked, Err(SelfcareSignInError::Revoked)));
    // Give the background recording of the wrong password a moment.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let history = h.service.accesses(holder, None, None, 0, 50).await.unwrap();
    let outcomes: Vec<_> = history.records.iter().map(|r| r.outcome.code()).collect();
    assert_eq!(outcomes, ["failed", "failed", "ok"], "newest first");
    assert!(history.records.iter().all(|r| r.service == "selfcare"
        && r.client_ip.as_deref() == Some(IP)
        && r.level == CredentialLevel::L1));
}

async fn level_2_is_enrolled_with_a_first_code_and_then_required_at_sign_in(h: TestApp) {
    let a = active_identity(&h).await;
    let s = sign_in_l1(&h, &a).await;
    let first = h.service.start_totp_enrolment(&s.session).await.unwrap();
    let again = h.service.start_totp_enrolment(&s.session).await.unwrap();
    assert_eq!(first, again, "a reload shows the same QR code");
    let secret = TotpSecret::from_base32(&first.manual_key).unwrap();
    let wrong = format!(
        "{:06}",
        (code_at(&h, &secret, 0).parse::<u32>().unwrap() + 1) % 1_000_000
    );
    assert!(matches!(
        h.service.confirm_totp_enrolment(&s.session, &wrong).await,
        Err(CredentialError::Totp(TotpError::WrongCode { .. }))
    ));
    assert_eq!(
        credentials(&h, &a).await.levels.state(CredentialLevel::L2),
        LevelState::NotActivated
    );
    h.service
        .confirm_totp_enrolment(&s.session, &code_at(&h, &secret, 0))
        .await
        .unwrap();
    assert_eq!(
        credentials(&h, &a).await.levels.state(CredentialLevel::L2),
        LevelState::Active
    );
    assert_eq!(
        selfcare_sessions(&h, a.holder).await,
        0,
        "sign in again with the code"
    );
    let told = outbox(&h, "credential_changed").await;
    assert_eq!(told.last().unwrap().p("change"), "level2_enrolled");
    h.clock.advance(Duration::seconds(30));

    // The password alone is no longer enough.
    let step = password_step(&h, &a).await;
    assert!(matches!(
        step,
        PasswordStep::SecondFactor {
            level: CredentialLevel::L2,
            ..
        }
    ));
    let signed = h
        .service
        .selfcare_sign_in_totp(&pending_of(&step), &code_at(&h, &secret, 0), client())
        .await
        .unwrap();
    assert_eq!(signed.session.level, CredentialLevel::L2);
    // The waiting sign-in is used up.
    assert!(matches!(
        h.service
            .selfcare_sign_in_totp(&pending_of(&step), &code_at(&h, &secret, 1), client())
            .await,
        Err(SelfcareSignInError::SignInExpired)
    ));
    // A waiting sign-in expires after five minutes.
    let late = password_step(&h, &a).await;
    h.clock.advance(Duration::minutes(6));
    assert!(matches!(
        h.service
            .selfcare_sign_in_totp(&pending_of(&late), &code_at(&h, &secret, 0), client())
            .await,
        Err(SelfcareSignInError::SignInExpired)
    ));
    let last = h
        .service
        .accesses(a.holder, None, None, 0, 1)
        .await
        .unwrap();
    assert_eq!(last.records[0].credential, "totp");
    assert_eq!(last.records[0].level, CredentialLevel::L2);
}

async fn one_time_codes_are_refused_on_replay_and_five_wrong_ones_block_level_2(h: TestApp) {
    let a = active_identity(&h).await;
    let secret = enrol(&h, &a).await;
    let step = password_step(&h, &a).await;
    let code = code_at(&h, &secret, 0);
    h.service
        .selfcare_sign_in_totp(&pending_of(&step), &code, client())
        .await
        .unwrap();
    let again = password_step(&h, &a).await;
    assert!(matches!(
        h.service
            .selfcare_sign_in_totp(&pending_of(&again), &code, client())
            .await,
        Err(SelfcareSignInError::Totp(TotpError::Replayed))
    ));
    let bad = format!(
        "{:06}",
        (code.parse::<u32>().unwrap() + 500_000) % 1_000_000
    );
    for left in (1..=4u8).rev() {
        let r = h
            .service
            .selfcare_sign_in_totp(&pending_of(&again), &bad, client())
            .await;
        assert!(
            matches!(r, Err(SelfcareSignInError::Totp(TotpError::WrongCode { attempts_left })) if attempts_left == left),
            "{r:?}"
        );
    }
    let fifth = h
        .service
        .selfcare_sign_in_totp(&pending_of(&again), &bad, client())
        .await;
    assert!(matches!(
        fifth,
        Err(SelfcareSignInError::Totp(TotpError::Blocked))
    ));
    assert_eq!(
        credentials(&h, &a).await.levels.state(CredentialLevel::L2),
        LevelState::Blocked
    );
    assert_eq!(
        outbox(&h, "credential_changed")
            .await
            .last()
            .unwrap()
            .p("change"),
        "level2_blocked"
    );
    // Even the right code is refused now, and the password step says blocked.
    h.clock.advance(Duration::seconds(30));
    assert!(matches!(
        h.service
            .selfcare_sign_in_totp(&pending_of(&again), &code_at(&h, &secret, 0), client())
            .await,
        Err(SelfcareSignInError::Blocked(_))
    ));
    let blocked = password_step(&h, &a).await;
    assert!(matches!(blocked, PasswordStep::Level2Blocked { .. }));

    // Unblocked with the emergency code; then the app's code works again.
    let wrong_emergency = h
        .service
        .unblock_level2(
            &pending_of(&blocked),
            UnblockProof::EmergencyCode("AAAA-AAAA-AAAA-AAAA"),
        )
        .await;
    assert!(matches!(
        wrong_emergency,
        Err(SelfcareSignInError::InvalidCredentials)
    ));
    h.service
        .unblock_level2(
            &pending_of(&blocked),
            UnblockProof::EmergencyCode(&a.emergency),
        )
        .await
        .unwrap();
    let s = h
        .service
        .selfcare_sign_in_totp(&pending_of(&blocked), &code_at(&h, &secret, 0), client())
        .await
        .unwrap();
    assert_eq!(s.session.level, CredentialLevel::L2);
    let failed = h
        .service
        .accesses(a.holder, None, None, 0, 100)
        .await
        .unwrap()
        .records
        .iter()
        .filter(|r| r.outcome.code() == "failed" && r.credential == "totp")
        .count();
    assert_eq!(failed, 5, "every counted wrong code is in the history");
}

async fn a_blocked_level_2_is_unblocked_with_an_email_code(h: TestApp) {
    let a = active_identity(&h).await;
    let secret = enrol(&h, &a).await;
    let step = password_step(&h, &a).await;
    let bad = format!(
        "{:06}",
        (code_at(&h, &secret, 0).parse::<u32>().unwrap() + 3) % 1_000_000
    );
    for _ in 0..5 {
        let _ = h
            .service
            .selfcare_sign_in_totp(&pending_of(&step), &bad, client())
            .await;
    }
    let blocked = password_step(&h, &a).await;
    let pending = pending_of(&blocked);
    h.service.send_unblock_code(&pending).await.unwrap();
    let mail = outbox(&h, "security_code").await;
    let code = mail.last().unwrap();
    assert_eq!(code.p("purpose"), "unblock_level2");
    assert!(matches!(
        h.service
            .unblock_level2(&pending, UnblockProof::EmailCode("WRONG-CODE"))
            .await,
        Err(SelfcareSignInError::InvalidCredentials)
    ));
    h.service
        .unblock_level2(&pending, UnblockProof::EmailCode(&code.p("code")))
        .await
        .unwrap();
    assert_eq!(
        credentials(&h, &a).await.levels.state(CredentialLevel::L2),
        LevelState::Active
    );
    assert_eq!(
        credentials(&h, &a).await.totp_state.consecutive_failures(),
        0
    );
}

async fn a_lost_phone_is_proven_and_the_old_secret_stops_at_once(h: TestApp) {
    let a = active_identity(&h).await;
    let old = enrol(&h, &a).await;
    let _old_session = sign_in_l2(&h, &a, &old).await;
    // With the emergency code.
    let step = password_step(&h, &a).await;
    let s = h
        .service
        .reenrol_authenticator(
            &pending_of(&step),
            ReenrolProof::EmergencyCode(&a.emergency),
            client(),
        )
        .await
        .unwrap();
    assert_eq!(s.session.level, CredentialLevel::L1);
    assert_eq!(
        selfcare_sessions(&h, a.holder).await,
        1,
        "the level-2 session ended; the new one is open"
    );
    let creds = credentials(&h, &a).await;
    assert_eq!(
        creds.levels.state(CredentialLevel::L2),
        LevelState::NotActivated
    );
    assert!(creds.totp_secret.is_none());
    assert_eq!(
        outbox(&h, "credential_changed")
            .await
            .last()
            .unwrap()
            .p("change"),
        "level2_reset"
    );
    // The new phone is enrolled at once from that session.
    let new = h.service.start_totp_enrolment(&s.session).await.unwrap();
    let new = TotpSecret::from_base32(&new.manual_key).unwrap();
    h.service
        .confirm_totp_enrolment(&s.session, &code_at(&h, &new, 0))
        .await
        .unwrap();
    h.clock.advance(Duration::seconds(30));
    let step = password_step(&h, &a).await;
    assert!(
        h.service
            .selfcare_sign_in_totp(&pending_of(&step), &code_at(&h, &old, 0), client())
            .await
            .is_err(),
        "the old phone's codes stop working"
    );

    // With a code by email and a code by SMS.
    let step = password_step(&h, &a).await;
    h.service
        .send_reenrol_codes(&pending_of(&step))
        .await
        .unwrap();
    let email = outbox(&h, "security_code").await.last().unwrap().p("code");
    let sms = last_code(&h, "sms_code").await;
    assert!(matches!(
        h.service
            .reenrol_authenticator(
                &pending_of(&step),
                ReenrolProof::Codes {
                    email: &email,
                    sms: "000000x"
                },
                client()
            )
            .await,
        Err(SelfcareSignInError::InvalidCredentials)
    ));
    // The email code was used by the failed try: ask again.
    h.service
        .send_reenrol_codes(&pending_of(&step))
        .await
        .unwrap();
    let email = outbox(&h, "security_code").await.last().unwrap().p("code");
    let sms = {
        let again = last_code(&h, "sms_code").await;
        assert_ne!(again, sms);
        again
    };
    h.service
        .reenrol_authenticator(
            &pending_of(&step),
            ReenrolProof::Codes {
                email: &email,
                sms: &sms,
            },
            client(),
        )
        .await
        .unwrap();
    assert_eq!(
        credentials(&h, &a).await.levels.state(CredentialLevel::L2),
        LevelState::NotActivated
    );
}

async fn removing_level_2_ends_the_sessions_that_used_it(h: TestApp) {
    let a = active_identity(&h).await;
    let secret = enrol(&h, &a).await;
    let s = sign_in_l2(&h, &a, &secret).await;
    let _other = sign_in_l2(&h, &a, &secret).await;
    assert_eq!(selfcare_sessions(&h, a.holder).await, 2);
    h.service.remove_level2(&s.session).await.unwrap();
    assert_eq!(selfcare_sessions(&h, a.holder).await, 0);
    assert!(matches!(
        password_step(&h, &a).await,
        PasswordStep::SignedIn(_)
    ));
    // A stale session (over 10 minutes) may not change credentials, nor see an
    // enrolment's secret started by a fresh one.
    let l1 = sign_in_l1(&h, &a).await;
    let fresh = sign_in_l1(&h, &a).await;
    h.clock.advance(Duration::minutes(9));
    let fresh = {
        let _ = fresh;
        sign_in_l1(&h, &a).await
    };
    h.service
        .start_totp_enrolment(&fresh.session)
        .await
        .unwrap();
    h.clock.advance(Duration::minutes(2));
    assert!(matches!(
        h.service.start_totp_enrolment(&l1.session).await,
        Err(CredentialError::NeedsFreshSignIn)
    ));
    assert!(matches!(
        h.service.totp_enrolment(&l1.session).await,
        Err(CredentialError::NeedsFreshSignIn)
    ));
    assert!(
        h.service
            .totp_enrolment(&fresh.session)
            .await
            .unwrap()
            .is_some()
    );
}

async fn totp_secrets_are_sealed_and_survive_a_key_rotation(h: TestApp) {
    let old_key = ("k1".to_owned(), [7u8; 32]);
    let new_key = ("k2".to_owned(), [9u8; 32]);
    let with_keys = |active: &str, keys: Vec<(String, [u8; 32])>| {
        Service::new(
            h.store.clone(),
            h.clock.clone(),
            PasswordHasher::new(HashCost::cheap_for_tests(), 2).unwrap(),
            ServiceConfig {
                login_domain: "test.example.it".into(),
                keyring: Keyring::new(active, keys).unwrap(),
                ..ServiceConfig::default()
            },
        )
    };
    let before = h.with_service(with_keys("k1", vec![old_key.clone()]));
    let a = active_identity(&before).await;
    let secret = enrol(&before, &a).await;
    let sealed = credentials(&before, &a).await.totp_secret.unwrap();
    assert!(sealed.starts_with("k1:"));
    assert!(!sealed.contains(&secret.to_base32()));

    let after = h.with_service(with_keys("k2", vec![new_key.clone(), old_key]));
    let s = sign_in_l2(&after, &a, &secret).await;
    assert_eq!(s.session.level, CredentialLevel::L2);
    assert!(
        credentials(&after, &a)
            .await
            .totp_secret
            .unwrap()
            .starts_with("k2:"),
        "re-sealed under the new key when used"
    );
    let only_new = h.with_service(with_keys("k2", vec![new_key]));
    let _ = sign_in_l2(&only_new, &a, &secret).await;
}

async fn a_security_key_ceremony_refuses_forged_answers(h: TestApp) {
    let a = active_identity(&h).await;
    let s = sign_in_l1(&h, &a).await;
    let options = h.service.start_key_registration(&s.session).await.unwrap();
    let pk = &options["publicKey"];
    assert_eq!(pk["rp"]["id"], "localhost");
    assert_eq!(pk["authenticatorSelection"]["userVerification"], "required");
    assert!(pk["challenge"].as_str().is_some_and(|c| c.len() >= 32));
    let forged = r#"{"id":"AAAA","rawId":"AAAA","type":"public-key","extensions":{},"response":{"clientDataJSON":"e30","attestationObject":"oA"}}"#;
    assert!(matches!(
        h.service
            .finish_key_registration(&s.session, "Chiave", forged)
            .await,
        Err(CredentialError::Invalid(_))
    ));
    // The ceremony was used up by the failed try.
    assert!(matches!(
        h.service
            .finish_key_registration(&s.session, "Chiave", forged)
            .await,
        Err(CredentialError::Invalid(_))
    ));
    let long = "x".repeat(41);
    assert!(matches!(
        h.service
            .finish_key_registration(&s.session, &long, forged)
            .await,
        Err(CredentialError::Invalid(_))
    ));
    assert!(
        h.service
            .security_keys_of(&s.session)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        credentials(&h, &a).await.levels.state(CredentialLevel::L3),
        LevelState::NotActivated
    );
    // Without level 3, a waiting sign-in has no key step.
    let secret = enrol(&h, &a).await;
    let _ = secret;
    let step = password_step(&h, &a).await;
    assert!(matches!(
        h.service.start_key_sign_in(&pending_of(&step)).await,
        Err(SelfcareSignInError::SignInExpired)
    ));
}

async fn a_waiting_sign_in_is_void_once_the_credentials_change(h: TestApp) {
    let a = active_identity(&h).await;
    let secret = enrol(&h, &a).await;
    let waiting = password_step(&h, &a).await;
    // Meanwhile, level 2 is removed from another session: the waiting sign-in
    // cannot end at a level that no longer is the highest.
    let s = sign_in_l2(&h, &a, &secret).await;
    h.service.remove_level2(&s.session).await.unwrap();
    assert!(matches!(
        h.service
            .selfcare_sign_in_totp(&pending_of(&waiting), &code_at(&h, &secret, 0), client())
            .await,
        Err(SelfcareSignInError::SignInExpired)
    ));
    // A password change voids waiting sign-ins too.
    let secret = {
        let s = sign_in_l1(&h, &a).await;
        let e = h.service.start_totp_enrolment(&s.session).await.unwrap();
        let secret = TotpSecret::from_base32(&e.manual_key).unwrap();
        h.service
            .confirm_totp_enrolment(&s.session, &code_at(&h, &secret, 0))
            .await
            .unwrap();
        h.clock.advance(Duration::seconds(30));
        secret
    };
    let waiting = password_step(&h, &a).await;
    let new = "Altra-Chiave9!";
    h.service
        .change_password(a.username.number(), PASSWORD, new, new, Some(IP))
        .await
        .unwrap();
    assert!(matches!(
        h.service
            .selfcare_sign_in_totp(&pending_of(&waiting), &code_at(&h, &secret, 0), client())
            .await,
        Err(SelfcareSignInError::SignInExpired)
    ));
    // The customer area may not change a level-2 username's password.
    assert!(
        !h.service
            .customer_area_may_change_password(a.holder, a.username.number())
            .await
            .unwrap()
    );
}

async fn a_seeded_source_draws_the_same_codes_every_run(h: TestApp) {
    // A second database, same seed, same steps: the same login id, SMS code and
    // emergency code (the tests' codes never depend on the machine's luck).
    let again = identity_testkit::sqlite().await;
    let a = active_identity(&h).await;
    let b = active_identity(&again).await;
    assert_eq!(a.username, b.username);
    assert_eq!(a.emergency, b.emergency);
    assert_eq!(
        last_code(&h, "sms_code").await,
        last_code(&again, "sms_code").await
    );
    // Another seed on a fresh database draws another login number.
    let fresh = identity_testkit::sqlite().await;
    let other = fresh.with_service(fresh.service.clone().with_randomness(std::sync::Arc::new(
        identity_service::ports::SeededRandomness::new(identity_testkit::SEED + 1),
    )));
    let (_, other_number) = identity_testkit::verified_mario(&other).await;
    assert_ne!(
        other_number,
        a.username.number(),
        "another seed, other draws"
    );
}
