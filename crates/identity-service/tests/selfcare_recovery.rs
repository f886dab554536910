//! What the selfcare offers without signing in (emergency block, recovery of the
//! username, the password and the emergency code), the holder's own lifecycle
//! requests, and the access history with its notifications and 24-month purge,
//! on both storage backends.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::Duration;
use identity_core::{CredentialLevel, IdentityState, LevelState, SuspensionReason};
use identity_service::usecases::selfcare::emergency::EmergencyError;
use identity_service::usecases::selfcare::lifecycle::Confirmation;
use identity_service::usecases::selfcare::lifecycle::OwnIdentityError;
use identity_service::usecases::selfcare::sign_in::PasswordStep;
use identity_service::usecases::selfcare::sign_in::SelfcareSignInError;
use identity_testkit::Param;
use identity_testkit::*;
use identity_testkit::{PASSWORD, TestApp};

identity_testkit::both_backends!(
    the_emergency_block_with_the_emergency_code_suspends_at_once_and_ends_sessions,
    the_emergency_block_by_email_code_and_reactivation_after_a_fresh_sign_in,
    revocation_asked_by_the_holder_is_confirmed_by_code_and_final,
    the_password_is_recovered_with_the_emergency_code_only,
    a_new_emergency_code_replaces_the_old_one,
    the_username_is_sent_to_the_reference_email_only,
    the_access_history_pages_filters_exports_notifies_and_is_purged,
    the_csv_export_is_read_in_pages_without_losing_or_repeating_a_record,
    the_retention_purge_removes_old_accesses_in_batches,
    the_identity_history_lists_every_transition_with_who_and_why,
    a_new_phone_answers_before_it_replaces_the_old_and_level_2_needs_the_selfcare,
    an_operators_suspension_is_lifted_by_an_operator_only,
    codes_sent_to_a_holder_are_limited,
    a_message_that_failed_for_good_keeps_no_codes_and_is_not_resent,
);

async fn the_emergency_block_with_the_emergency_code_suspends_at_once_and_ends_sessions(
    h: TestApp,
) {
    let a = active_identity(&h).await;
    let _s = sign_in_l1(&h, &a).await;
    assert_eq!(selfcare_sessions(&h, a.holder).await, 1);
    let wrong = h
        .service
        .emergency_block_with_code("RSSMRA85T10A562S", "ZZZZ-ZZZZ-ZZZZ-ZZZZ", Some(IP))
        .await;
    assert!(matches!(wrong, Err(EmergencyError::InvalidCredentials)));
    let malformed = h
        .service
        .emergency_block_with_code("RSSMRA85", "short", Some(IP))
        .await;
    let Err(EmergencyError::Invalid(errors)) = malformed else {
        panic!("field errors expected")
    };
    assert!(errors.get("tax_code").is_some() && errors.get("emergency_code").is_some());
    let blocked = h
        .service
        .emergency_block_with_code("rssmra85t10a562s", &a.emergency.to_lowercase(), Some(IP))
        .await
        .unwrap();
    assert!(matches!(
        blocked.state(),
        IdentityState::Suspended {
            reason: SuspensionReason::EmergencyBlock,
            deadline: Some(_),
            ..
        }
    ));
    assert_eq!(selfcare_sessions(&h, a.holder).await, 0);
    let told = outbox(&h, "identity_state_changed").await;
    assert_eq!(told.last().unwrap().p("reason"), "emergency_block");
    // The emergency code works once: a new one came in two halves.
    let halves = (
        outbox(&h, "emergency_code_half").await.len(),
        outbox(&h, "sms_emergency_half").await.len(),
    );
    assert_eq!(halves, (2, 2));
    // Attempts are limited per address: 5 an hour (two made above).
    for _ in 0..3 {
        let _ = h
            .service
            .emergency_block_with_code("RSSMRA85T10A562S", "ZZZZ-ZZZZ-ZZZZ-ZZZZ", Some(IP))
            .await;
    }
    assert!(matches!(
        h.service
            .emergency_block_with_code("RSSMRA85T10A562S", "ZZZZ-ZZZZ-ZZZZ-ZZZZ", Some(IP))
            .await,
        Err(EmergencyError::RateLimited)
    ));
    // Someone else's guesses do not use up the holder's attempts.
    assert!(matches!(
        h.service
            .emergency_block_with_code(
                "RSSMRA85T10A562S",
                "ZZZZ-ZZZZ-ZZZZ-ZZZZ",
                Some("198.51.100.2")
            )
            .await,
        Err(EmergencyError::InvalidCredentials)
    ));
}

async fn the_emergency_block_by_email_code_and_reactivation_after_a_fresh_sign_in(h: TestApp) {
    let a = active_identity(&h).await;
    // Unknown tax codes answer the same and send nothing.
    h.service
        .send_emergency_block_code("BNCLRD80A01H501C", Some(IP))
        .await
        .unwrap();
    assert!(outbox(&h, "security_code").await.is_empty());
    h.service
        .send_emergency_block_code("RSSMRA85T10A562S", Some(IP))
        .await
        .unwrap();
    let code = outbox(&h, "security_code").await.last().unwrap().clone();
    assert_eq!(code.p("purpose"), "emergency_block");
    assert_eq!(code.to, "mario.rossi@example.it");
    h.service
        .emergency_block_with_email_code("RSSMRA85T10A562S", &code.p("code"), Some(IP))
        .await
        .unwrap();

    // A suspended identity still signs in to the selfcare, to reactivate it.
    let s = sign_in_l1(&h, &a).await;
    h.service
        .send_confirmation_code(&s.session, Confirmation::Reactivate)
        .await
        .unwrap();
    let code = outbox(&h, "security_code").await.last().unwrap().p("code");
    assert!(matches!(
        h.service
            .confirm_with_code(&s.session, Confirmation::Reactivate, "WRONG")
            .await,
        Err(OwnIdentityError::InvalidCredentials)
    ));
    // Not after 10 minutes: the sign-in must be fresh.
    h.clock.advance(Duration::minutes(11));
    assert!(matches!(
        h.service
            .confirm_with_code(&s.session, Confirmation::Reactivate, &code)
            .await,
        Err(OwnIdentityError::NeedsFreshSignIn)
    ));
    let s = sign_in_l1(&h, &a).await;
    let active = h
        .service
        .confirm_with_code(&s.session, Confirmation::Reactivate, &code)
        .await
        .unwrap();
    assert_eq!(active.state(), &IdentityState::Active);
}

async fn revocation_asked_by_the_holder_is_confirmed_by_code_and_final(h: TestApp) {
    let a = active_identity(&h).await;
    let secret = enrol(&h, &a).await;
    let s = sign_in_l2(&h, &a, &secret).await;
    let waiting = |what| h.service.confirmation_code_waiting(&s.session, what);
    assert!(
        !waiting(Confirmation::Revoke).await.unwrap(),
        "none sent yet"
    );
    h.service
        .send_confirmation_code(&s.session, Confirmation::Revoke)
        .await
        .unwrap();
    assert!(
        waiting(Confirmation::Revoke).await.unwrap(),
        "the page asks for it"
    );
    assert!(
        !waiting(Confirmation::Reactivate).await.unwrap(),
        "its purpose only"
    );
    let code = outbox(&h, "security_code").await.last().unwrap().p("code");
    let revoked = h
        .service
        .confirm_with_code(&s.session, Confirmation::Revoke, &code)
        .await
        .unwrap();
    assert!(revoked.state().is_revoked());
    let creds = credentials(&h, &a).await;
    assert!(
        CredentialLevel::ALL
            .iter()
            .all(|l| creds.levels.state(*l) == LevelState::Revoked)
    );
    assert!(creds.totp_secret.is_none() && creds.emergency_hash.is_none());
    assert_eq!(selfcare_sessions(&h, a.holder).await, 0);
    assert!(matches!(
        h.service
            .selfcare_sign_in_password(&a.username, PASSWORD, client())
            .await,
        Err(SelfcareSignInError::Revoked)
    ));
    assert!(matches!(
        h.service
            .emergency_block_with_code("RSSMRA85T10A562S", &a.emergency, Some(IP))
            .await,
        Err(EmergencyError::InvalidCredentials)
    ));
}

async fn the_password_is_recovered_with_the_emergency_code_only(h: TestApp) {
    let a = active_identity(&h).await;
    // The customer area's reset by email alone is refused for a username.
    h.service
        .request_password_reset(&a.username.to_string(), Some(IP))
        .await
        .unwrap();
    assert!(outbox(&h, "password_reset_code").await.is_empty());
    assert!(matches!(
        h.service
            .recover_identity_password(&a.username.to_string(), "ZZZZ-ZZZZ-ZZZZ-ZZZZ", Some(IP))
            .await,
        Err(EmergencyError::InvalidCredentials)
    ));
    h.service
        .recover_identity_password(&a.username.to_string(), &a.emergency, Some(IP))
        .await
        .unwrap();
    let mail = outbox(&h, "password_reset_code").await;
    let code = mail.last().unwrap().p("code");
    let new = "Altra-Chiave9!";
    h.service
        .reset_password(&code, new, new, Some(IP))
        .await
        .unwrap();
    assert!(matches!(
        h.service
            .selfcare_sign_in_password(&a.username, PASSWORD, client())
            .await,
        Err(SelfcareSignInError::InvalidCredentials)
    ));
    let step = h
        .service
        .selfcare_sign_in_password(&a.username, new, client())
        .await
        .unwrap();
    assert!(matches!(step, PasswordStep::SignedIn(_)));
}

async fn a_new_emergency_code_replaces_the_old_one(h: TestApp) {
    let a = active_identity(&h).await;
    let user = a.username.to_string();
    assert!(matches!(
        h.service
            .start_emergency_code_recovery(&user, "Sbagliata-1!", Some(IP))
            .await,
        Err(EmergencyError::InvalidCredentials)
    ));
    h.service
        .start_emergency_code_recovery(&user, PASSWORD, Some(IP))
        .await
        .unwrap();
    let mail = outbox(&h, "security_code").await;
    assert_eq!(mail.last().unwrap().p("purpose"), "new_emergency_code");
    let code = mail.last().unwrap().p("code");
    h.service
        .finish_emergency_code_recovery(&user, &code, Some(IP))
        .await
        .unwrap();
    let new = format!(
        "{}{}",
        last_code(&h, "emergency_code_half").await,
        last_code(&h, "sms_emergency_half").await
    );
    assert_ne!(new, a.emergency);
    assert!(matches!(
        h.service
            .recover_identity_password(&user, &a.emergency, Some(IP))
            .await,
        Err(EmergencyError::InvalidCredentials)
    ));
    h.service
        .recover_identity_password(&user, &new, Some(IP))
        .await
        .unwrap();
    // The email code works once.
    assert!(
        h.service
            .finish_emergency_code_recovery(&user, &code, Some(IP))
            .await
            .is_err()
    );
}

async fn the_username_is_sent_to_the_reference_email_only(h: TestApp) {
    let a = active_identity(&h).await;
    h.service
        .remind_identity_username("RSSMRA85T10A562S", "someone@else.it", Some(IP))
        .await
        .unwrap();
    assert!(outbox(&h, "identity_username").await.is_empty());
    h.service
        .remind_identity_username("RSSMRA85T10A562S", "Mario.Rossi@example.it", Some(IP))
        .await
        .unwrap();
    let mail = outbox(&h, "identity_username").await;
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].p("login_id"), a.username.to_string());
    let Err(EmergencyError::Invalid(e)) = h
        .service
        .remind_identity_username("", "not-an-email", Some(IP))
        .await
    else {
        panic!("field errors expected")
    };
    assert!(e.get("tax_code").is_some() && e.get("email").is_some());
}

async fn the_access_history_pages_filters_exports_notifies_and_is_purged(h: TestApp) {
    let a = active_identity(&h).await;
    let s = sign_in_l1(&h, &a).await;
    h.service
        .set_access_notification(&s.session, CredentialLevel::L1, true)
        .await
        .unwrap();
    let before = outbox(&h, "access_notification").await.len();
    let start = h.service.now();
    for _ in 0..5 {
        h.clock.advance(Duration::days(1));
        let _ = sign_in_l1(&h, &a).await;
    }
    let notices = outbox(&h, "access_notification").await;
    assert_eq!(notices.len() - before, 5);
    assert_eq!(notices.last().unwrap().p("service"), "selfcare");
    let page0 = h
        .service
        .accesses(a.holder, None, None, 0, 4)
        .await
        .unwrap();
    assert_eq!(page0.records.len(), 4);
    assert!(page0.has_more);
    assert!(
        page0.records.windows(2).all(|w| w[0].at >= w[1].at),
        "newest first"
    );
    let page1 = h
        .service
        .accesses(a.holder, None, None, 1, 4)
        .await
        .unwrap();
    assert_eq!(page1.records.len(), 2);
    assert!(!page1.has_more);
    let window = h
        .service
        .accesses(
            a.holder,
            Some(start + Duration::days(2)),
            Some(start + Duration::days(4)),
            0,
            50,
        )
        .await
        .unwrap();
    assert_eq!(window.records.len(), 2);
    let csv = h
        .service
        .accesses_csv(a.holder, None, None)
        .into_string()
        .await
        .unwrap();
    assert!(csv.starts_with("at,service,level,credential,outcome,client_ip\r\n"));
    assert_eq!(csv.lines().count(), 7);
    assert!(csv.contains(",selfcare,1,password,ok,192.0.2.10"));
    // Off again: no more notices.
    let s = sign_in_l1(&h, &a).await;
    h.service
        .set_access_notification(&s.session, CredentialLevel::L1, false)
        .await
        .unwrap();
    let n = outbox(&h, "access_notification").await.len();
    let _ = sign_in_l1(&h, &a).await;
    assert_eq!(outbox(&h, "access_notification").await.len(), n);
    // 24 months later the old records go; newer ones stay.
    let old = h
        .service
        .accesses(a.holder, None, None, 0, 100)
        .await
        .unwrap()
        .records
        .len();
    h.clock.advance(Duration::days(365));
    let _recent = sign_in_l1(&h, &a).await;
    let purged =
        |run: identity_service::JobRun| run.counts.get("access_records").copied().unwrap_or(0);
    let retention = identity_service::usecases::jobs::Job::Retention;
    assert_eq!(purged(h.run_job(retention).await), 0);
    h.clock.advance(Duration::days(370));
    assert_eq!(purged(h.run_job(retention).await), old as u64);
    let left = h
        .service
        .accesses(a.holder, None, None, 0, 100)
        .await
        .unwrap();
    assert_eq!(left.records.len(), 1, "the sign-in of a year ago stays");
}

async fn the_identity_history_lists_every_transition_with_who_and_why(h: TestApp) {
    let a = active_identity(&h).await;
    let s = sign_in_l1(&h, &a).await;
    let long = "x".repeat(201);
    assert!(matches!(
        h.service.suspend_own_identity(&s.session, &long).await,
        Err(OwnIdentityError::Invalid(_))
    ));
    h.service
        .suspend_own_identity(&s.session, "Ho perso il telefono")
        .await
        .unwrap();
    let history = h
        .service
        .identity_history(a.holder, a.identity.id())
        .await
        .unwrap();
    let events: Vec<_> = history.iter().map(|r| r.event.as_str()).collect();
    assert_eq!(
        events,
        [
            "identity.requested",
            "identity.verified",
            "credential.emergency_code_issued",
            "identity.suspended",
            "identity.suspension_note"
        ]
    );
    assert_eq!(history[4].details["note"], "Ho perso il telefono");
    assert!(history[1].actor.starts_with("operator:"));
    assert_eq!(history[3].actor, format!("holder:{}", a.holder));
    assert!(history[3].details.to_string().contains("holder_request"));
}

async fn a_new_phone_answers_before_it_replaces_the_old_and_level_2_needs_the_selfcare(h: TestApp) {
    use identity_service::usecases::contacts::{ContactsAuth, ContactsError};
    let a = active_identity(&h).await;
    let s = sign_in_l1(&h, &a).await;
    let holder = h.service.holder(a.holder).await.unwrap();
    let mut input = identity_testkit::contacts_of("mario.rossi@example.it", "+39 347 000 1111");
    input.street = holder.address().street.clone();
    let updated = h
        .service
        .update_contacts(a.holder, &input, ContactsAuth::Selfcare(&s.session))
        .await
        .unwrap();
    assert_eq!(updated.phone_pending.as_deref(), Some("+393470001111"));
    assert!(!updated.changed.contains(&"phone"));
    assert_eq!(
        h.service
            .holder(a.holder)
            .await
            .unwrap()
            .contacts()
            .phone
            .to_string(),
        "+393331234567"
    );
    let sms = outbox(&h, "sms_code").await;
    let to_new = sms.last().unwrap();
    assert_eq!(
        to_new.to, "+393470001111",
        "the code goes to the new number"
    );
    assert!(
        h.service
            .confirm_phone_change(a.holder, "000000x")
            .await
            .unwrap()
            .is_none()
    );
    let changed = h
        .service
        .confirm_phone_change(a.holder, &to_new.p("code"))
        .await
        .unwrap();
    assert_eq!(changed.unwrap().to_string(), "+393470001111");
    assert_eq!(
        h.service
            .holder(a.holder)
            .await
            .unwrap()
            .contacts()
            .phone
            .to_string(),
        "+393470001111"
    );
    let told = outbox(&h, "sms_phone_changed").await;
    assert_eq!(
        told.last().unwrap().to,
        "+393331234567",
        "the old number is told"
    );

    // A stale selfcare session may not change the recovery channels.
    h.clock.advance(Duration::minutes(11));
    let other = identity_testkit::contacts_of("nuovo@example.it", "+39 347 000 1111");
    assert!(matches!(
        h.service
            .update_contacts(a.holder, &other, ContactsAuth::Selfcare(&s.session))
            .await,
        Err(ContactsError::ReauthRequired)
    ));
    // With level 2, the customer area's password re-entry is not enough either.
    let secret = enrol(&h, &a).await;
    let _ = secret;
    let customer = h
        .service
        .sign_in_password(&a.username, PASSWORD, Some(IP))
        .await
        .unwrap();
    let (token, session) = h
        .service
        .open_session(
            &customer,
            identity_core::SessionArea::Customer,
            CredentialLevel::L1,
            Some(IP),
            None,
        )
        .await
        .unwrap();
    h.service
        .reauthenticate(&token, PASSWORD, Some(IP))
        .await
        .unwrap();
    let session = h.service.session(&token).await.unwrap().unwrap_or(session);
    assert!(
        h.service
            .identity_needs_second_factor(a.holder)
            .await
            .unwrap()
    );
    assert!(matches!(
        h.service
            .update_contacts(a.holder, &other, ContactsAuth::Session(&session))
            .await,
        Err(ContactsError::ReauthRequired)
    ));
}

async fn an_operators_suspension_is_lifted_by_an_operator_only(h: TestApp) {
    use identity_core::identity::Actor;
    let a = active_identity(&h).await;
    h.service
        .suspend_identity(
            a.identity.id(),
            SuspensionReason::SuspectedFraud,
            Actor::Operator("anna".into()),
        )
        .await
        .unwrap();
    let s = sign_in_l1(&h, &a).await;
    assert!(matches!(
        h.service
            .send_confirmation_code(&s.session, Confirmation::Reactivate)
            .await,
        Err(OwnIdentityError::OperatorSuspension)
    ));
    assert!(outbox(&h, "security_code").await.is_empty());
    h.service
        .reactivate_identity(a.identity.id(), Actor::Operator("anna".into()))
        .await
        .unwrap();
    // The holder's own suspension, the holder lifts.
    let s = sign_in_l1(&h, &a).await;
    h.service
        .suspend_own_identity(&s.session, "")
        .await
        .unwrap();
    let s = sign_in_l1(&h, &a).await;
    h.service
        .send_confirmation_code(&s.session, Confirmation::Reactivate)
        .await
        .unwrap();
}

async fn codes_sent_to_a_holder_are_limited(h: TestApp) {
    let a = active_identity(&h).await;
    let s = sign_in_l1(&h, &a).await;
    let mut sent = 0;
    for _ in 0..12 {
        match h
            .service
            .send_confirmation_code(&s.session, Confirmation::Revoke)
            .await
        {
            Ok(()) => sent += 1,
            Err(OwnIdentityError::RateLimited) => break,
            Err(e) => panic!("{e}"),
        }
    }
    // 10 an hour, the SMS code of the identity request included.
    assert_eq!(sent, 9);
    h.clock.advance(Duration::minutes(61));
    let s = sign_in_l1(&h, &a).await;
    h.service
        .send_confirmation_code(&s.session, Confirmation::Revoke)
        .await
        .unwrap();
}

async fn a_message_that_failed_for_good_keeps_no_codes_and_is_not_resent(h: TestApp) {
    use identity_service::Store;
    let a = active_identity(&h).await;
    let half = outbox(&h, "sms_emergency_half").await.pop().unwrap();
    {
        let mut tx = h.store.begin().await.unwrap();
        tx.mark_mail_attempt_failed(half.id, "no SMS gateway", None)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let failed = outbox(&h, "sms_emergency_half").await.pop().unwrap();
    assert_eq!(failed.p("code"), "[redacted]");
    let operator = identity_core::identity::Actor::Operator("anna".into());
    assert!(matches!(
        h.service.retry_mail(failed.id, &operator).await,
        Err(identity_service::StoreError::Conflict)
    ));
    // The holder gets a new emergency code instead (username, password, email code).
    h.service
        .start_emergency_code_recovery(&a.username.to_string(), PASSWORD, Some(IP))
        .await
        .unwrap();
}

/// `n` access records of `a`'s holder: `same` of them at one microsecond, the
/// others a second apart before it.
async fn many_accesses(
    h: &TestApp,
    a: &Active,
    n: u32,
    same: u32,
    newest: chrono::DateTime<chrono::Utc>,
) {
    let mut rows = identity_store::BulkRows::default();
    for k in 0..n {
        let at = if k < same {
            newest
        } else {
            newest - Duration::seconds(i64::from(k))
        };
        rows.access_records.push(identity_core::AccessRecord {
            holder_id: a.holder,
            identity_id: Some(a.identity.id()),
            at,
            service: format!("https://sp{k}.example.it"),
            level: CredentialLevel::L1,
            credential: "password".into(),
            outcome: identity_core::AccessOutcome::Ok,
            client_ip: Some(IP.into()),
        });
    }
    h.store.insert_bulk(&rows).await.unwrap();
}

async fn the_csv_export_is_read_in_pages_without_losing_or_repeating_a_record(h: TestApp) {
    let a = active_identity(&h).await;
    // 1,500 records at one microsecond straddle the first pages' boundaries.
    many_accesses(&h, &a, 2_600, 1_500, h.service.now() - Duration::days(1)).await;
    let mut file = h.service.accesses_csv(a.holder, None, None);
    let mut parts = 0;
    let mut lines = Vec::new();
    while let Some(chunk) = file.next_chunk().await.unwrap() {
        parts += 1;
        lines.extend(chunk.lines().map(str::to_owned));
    }
    assert_eq!(lines[0], "at,service,level,credential,outcome,client_ip");
    // The header, then pages of at most 1,000 records.
    assert!(parts >= 4, "{parts} parts");
    let services: std::collections::BTreeSet<&str> = lines[1..]
        .iter()
        .filter_map(|l| l.split(',').nth(1))
        .filter(|s| s.starts_with("https://sp"))
        .collect();
    assert_eq!(services.len(), 2_600, "every record once");
    assert_eq!(
        lines[1..]
            .iter()
            .filter(|l| l.contains("https://sp"))
            .count(),
        2_600,
        "none twice"
    );
}

async fn the_retention_purge_removes_old_accesses_in_batches(h: TestApp) {
    let a = active_identity(&h).await;
    let now = h.service.now();
    // Past the 24 months kept: more than two batches' worth.
    many_accesses(&h, &a, 4_500, 0, now - Duration::days(800)).await;
    let run = h
        .run_job(identity_service::usecases::jobs::Job::Retention)
        .await;
    assert_eq!(run.error, None);
    assert_eq!(run.counts.get("access_records"), Some(&4_500));
    let left = h
        .service
        .accesses(a.holder, None, None, 0, 500)
        .await
        .unwrap();
    assert!(
        left.records
            .iter()
            .all(|r| r.at > now - Duration::days(731))
    );
}
