//! The storage contract: every port method and the first use cases, run on SQLite
//! always and on PostgreSQL when `TEST_POSTGRES_URL` is set (`sqlite::*` and
//! `postgres::*` in the test names).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use chrono::Duration;
use common::{Harness, PASSWORD, company_registration, person_registration};
use identity_core::identity::{
    Actor, DocumentKind, IdentityDocument, IdentityState, Proofing, ProofingMethod,
    RevocationCause, SuspensionReason,
};
use identity_core::{EmailAddress, Holder, HolderId, Login, LoginNumber, LoginStatus};
use identity_service::usecases::identity::IdentityError;
use identity_service::usecases::sign_in::SignInError;
use identity_service::{AuditQuery, OutboxStatus, Store, StoreError};

contract_tests!(
    holders_round_trip_every_kind,
    holder_contacts_change_and_identity_fields_stay,
    login_numbers_are_unique_and_the_transaction_survives,
    password_history_is_newest_first,
    failed_sign_in_counter_is_atomic,
    one_live_identity_per_tax_code,
    audit_log_filters_and_is_append_only,
    outbox_keeps_queued_mail,
    a_dropped_transaction_leaves_nothing,
    registration_writes_holder_login_audit_and_mail_together,
    sign_in_checks_password_and_never_tells_why,
    sign_in_throttles_a_parallel_burst,
    identity_lifecycle_end_to_end,
    sessions_live_expire_and_end,
    an_identity_that_stops_being_usable_ends_its_selfcare_sessions,
    logins_are_disabled_by_their_rules,
    reads_do_not_wait_for_writers,
);

async fn register_mario(h: &Harness) -> (HolderId, LoginNumber) {
    let r = h
        .service
        .register(person_registration("mario.rossi@example.it"))
        .await
        .unwrap();
    (r.holder_id, r.login_id.number())
}

async fn holders_round_trip_every_kind(h: Harness) {
    let person = h
        .service
        .register(person_registration("mario.rossi@example.it"))
        .await
        .unwrap();
    let company = h.service.register(company_registration()).await.unwrap();
    let mut tx = h.store.begin().await.unwrap();
    let p = tx.holder(person.holder_id).await.unwrap();
    assert_eq!(p.person().unwrap().tax_code().as_str(), "RSSMRA85T10A562S");
    assert_eq!(p.display_name(), "Mario Rossi");
    let c = tx.holder(company.holder_id).await.unwrap();
    assert_eq!(c.vat_number().unwrap().as_str(), "12345670017");
    assert_eq!(c.lang(), identity_core::Lang::En);
    // A second insert of the same holder is a duplicate.
    assert!(matches!(
        tx.insert_holder(&p).await,
        Err(StoreError::Duplicate("holder"))
    ));
    drop(tx);
    let mut tx = h.store.begin().await.unwrap();
    let by_cf = tx
        .holders_by_fiscal_code("RSSMRA85T10A562S", false)
        .await
        .unwrap();
    assert_eq!(
        by_cf.iter().map(Holder::id).collect::<Vec<_>>(),
        vec![person.holder_id]
    );
    let by_vat = tx
        .holders_by_fiscal_code("12345670017", true)
        .await
        .unwrap();
    assert_eq!(by_vat.len(), 1);
    assert!(
        tx.holders_by_fiscal_code("00000000018", true)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        tx.holder(HolderId::from_uuid(uuid::Uuid::nil())).await,
        Err(StoreError::NotFound)
    ));
    // What was stored is what is loaded, field by field.
    let reloaded = tx.holder(person.holder_id).await.unwrap();
    assert_eq!(reloaded, p);
}

async fn holder_contacts_change_and_identity_fields_stay(h: Harness) {
    let (holder_id, _) = register_mario(&h).await;
    let mut tx = h.store.begin().await.unwrap();
    let mut holder = tx.holder(holder_id).await.unwrap();
    let change = holder.change_email(EmailAddress::parse("nuovo@example.it").unwrap());
    assert!(change.is_some());
    tx.update_holder_contacts(&holder).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = h.store.begin().await.unwrap();
    let loaded = tx.holder(holder_id).await.unwrap();
    assert_eq!(loaded.contacts().email.to_string(), "nuovo@example.it");
    assert_eq!(loaded.person(), holder.person());
    let ghost = Holder::new(
        HolderId::from_uuid(uuid::Uuid::nil()),
        holder.kind().clone(),
        holder.address().clone(),
        holder.contacts().clone(),
        holder.lang(),
        holder.created_at(),
    );
    assert!(matches!(
        tx.update_holder_contacts(&ghost).await,
        Err(StoreError::NotFound)
    ));
}

async fn login_numbers_are_unique_and_the_transaction_survives(h: Harness) {
    let (holder_id, number) = register_mario(&h).await;
    let now = h.service.now();
    let mut tx = h.store.begin().await.unwrap();
    let clash = Login::new(number, holder_id, now);
    assert!(matches!(
        tx.insert_login(&clash).await,
        Err(StoreError::Duplicate("login_number"))
    ));
    // The same transaction goes on (PostgreSQL would abort it on a raw unique violation).
    let second = Login::new(LoginNumber::new(number.get() + 1).unwrap(), holder_id, now);
    tx.insert_login(&second).await.unwrap();
    tx.set_login_status(second.number(), LoginStatus::Disabled)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = h.store.begin().await.unwrap();
    let logins = tx.logins_of(holder_id).await.unwrap();
    assert_eq!(logins.len(), 2);
    assert_eq!(
        tx.login(second.number()).await.unwrap().status(),
        LoginStatus::Disabled
    );
    let unknown = LoginNumber::new(999_999_999_999).unwrap();
    assert!(matches!(tx.login(unknown).await, Err(StoreError::NotFound)));
    assert!(matches!(
        tx.set_login_status(unknown, LoginStatus::Active).await,
        Err(StoreError::NotFound)
    ));
}

async fn password_history_is_newest_first(h: Harness) {
    let (_, number) = register_mario(&h).await;
    let later = h.service.now() + Duration::days(10);
    let mut tx = h.store.begin().await.unwrap();
    tx.set_password(number, "$argon2id$second", later)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = h.store.begin().await.unwrap();
    let history = tx.password_history(number).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].hash, "$argon2id$second");
    assert_eq!(history[0].retired_at, None);
    assert_eq!(history[1].retired_at, Some(later));
    assert!(history[1].hash.starts_with("$argon2id$"));
    assert!(
        tx.password_history(LoginNumber::new(999_999_999_999).unwrap())
            .await
            .unwrap()
            .is_empty()
    );
}

async fn failed_sign_in_counter_is_atomic(h: Harness) {
    let now = h.service.now();
    // Eight transactions that each lock the counter, read it and count one failure:
    // each must see the count the previous one left (no lost update), on a key
    // that did not exist before (the first lock creates the row).
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = h.store.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = store.begin().await.unwrap();
            let (before, _) = tx.throttle_lock("login:123456").await.unwrap();
            let after = tx
                .throttle_record_failure("login:123456", now)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            assert_eq!(after, before + 1);
            before
        }));
    }
    let mut seen = Vec::new();
    for t in tasks {
        seen.push(t.await.unwrap());
    }
    seen.sort_unstable();
    assert_eq!(
        seen,
        (0..8).collect::<Vec<u32>>(),
        "each locked read saw a distinct count"
    );
    let mut tx = h.store.begin().await.unwrap();
    assert_eq!(
        tx.throttle_lock("login:123456").await.unwrap(),
        (8, Some(now))
    );
    tx.throttle_reset("login:123456").await.unwrap();
    assert_eq!(tx.throttle_lock("login:123456").await.unwrap(), (0, None));
    assert_eq!(tx.throttle_lock("login:999999").await.unwrap(), (0, None));
}

fn proofing(h: &Harness) -> Proofing {
    Proofing {
        method: ProofingMethod::InPerson,
        document: IdentityDocument::new(
            DocumentKind::IdentityCard,
            "CA12345AB",
            "Comune di Roma",
            chrono::NaiveDate::from_ymd_opt(2031, 5, 1).unwrap(),
            identity_core::calendar::rome_date(h.service.now()),
        )
        .unwrap(),
        evidence_ref: "sportello-42/2026".into(),
    }
}

async fn one_live_identity_per_tax_code(h: Harness) {
    let (holder_id, number) = register_mario(&h).await;
    let first = h.service.request_identity(holder_id, number).await.unwrap();
    // A second holder with the same tax code (a new registration) cannot get a second live identity.
    let (other_holder, other_login) = register_mario(&h).await;
    assert!(matches!(
        h.service.request_identity(other_holder, other_login).await,
        Err(IdentityError::AlreadyExists)
    ));
    let op = Actor::Operator("op1".into());
    h.service
        .revoke_identity(first.id(), RevocationCause::HolderRequest, op)
        .await
        .unwrap();
    // Once revoked, the tax code may have a new identity.
    let second = h
        .service
        .request_identity(other_holder, other_login)
        .await
        .unwrap();
    let mut tx = h.store.begin().await.unwrap();
    assert_eq!(tx.identities_of(holder_id).await.unwrap().len(), 1);
    let locked = tx.identity_for_update(second.id()).await.unwrap();
    assert_eq!(locked, second);
    assert!(matches!(
        tx.identity_for_update(identity_core::ids::IdentityId::from_uuid(uuid::Uuid::nil()))
            .await,
        Err(StoreError::NotFound)
    ));
    let ghost = identity_core::identity::DigitalIdentity::request(
        identity_core::ids::IdentityId::from_uuid(uuid::Uuid::nil()),
        holder_id,
        number,
        Actor::Holder(holder_id),
        h.service.now(),
    )
    .0;
    assert!(matches!(
        tx.update_identity(&ghost).await,
        Err(StoreError::NotFound)
    ));
}

async fn audit_log_filters_and_is_append_only(h: Harness) {
    let (holder_id, _) = register_mario(&h).await;
    let mut tx = h.store.begin().await.unwrap();
    let all = tx.audit(&AuditQuery::default()).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].event, "holder.registered");
    assert_eq!(all[0].holder_id, Some(holder_id));
    let q = AuditQuery {
        event: Some("nothing.like.this".into()),
        ..AuditQuery::default()
    };
    assert!(tx.audit(&q).await.unwrap().is_empty());
    let q = AuditQuery {
        holder_id: Some(holder_id),
        limit: 10,
        ..AuditQuery::default()
    };
    assert_eq!(tx.audit(&q).await.unwrap().len(), 1);
    drop(tx);
    assert!(
        h.store
            .execute_raw("UPDATE audit_log SET actor = 'x'")
            .await
            .is_err(),
        "audit rows cannot change"
    );
    assert!(
        h.store.execute_raw("DELETE FROM audit_log").await.is_err(),
        "audit rows cannot be deleted"
    );
}

async fn outbox_keeps_queued_mail(h: Harness) {
    register_mario(&h).await;
    let mut tx = h.store.begin().await.unwrap();
    let pending = tx.outbox(Some(OutboxStatus::Pending), 10).await.unwrap();
    assert_eq!(pending.len(), 1);
    let mail = &pending[0];
    assert_eq!(mail.template, "registration_confirmed");
    assert_eq!(mail.to, "mario.rossi@example.it");
    assert!(
        mail.params["login_id"]
            .as_str()
            .unwrap()
            .ends_with("@test.example.it")
    );
    assert!(
        !mail.params.to_string().contains(PASSWORD),
        "the password is never mailed"
    );
    assert!(
        tx.outbox(Some(OutboxStatus::Sent), 10)
            .await
            .unwrap()
            .is_empty()
    );
    // A failed message can be queued again; an unknown one cannot.
    let later = mail.created_at + Duration::hours(1);
    tx.mark_mail_attempt_failed(mail.id, "relay down", None)
        .await
        .unwrap();
    let failed = tx.outbox(Some(OutboxStatus::Failed), 10).await.unwrap();
    assert_eq!(failed[0].last_error.as_deref(), Some("relay down"));
    tx.retry_mail(mail.id, later).await.unwrap();
    assert_eq!(
        tx.claim_due_mail(later, later + Duration::minutes(5), 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(matches!(
        tx.retry_mail(uuid::Uuid::nil(), later).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        tx.mark_mail_sent(uuid::Uuid::nil(), later).await,
        Err(StoreError::NotFound)
    ));
    // Last: after a duplicate, PostgreSQL has aborted the transaction.
    assert!(matches!(
        tx.enqueue_mail(mail).await,
        Err(StoreError::Duplicate("outbox"))
    ));
}

async fn a_dropped_transaction_leaves_nothing(h: Harness) {
    let prepared = common::prepared_registration("a@example.it", h.service.now());
    let mut tx = h.store.begin().await.unwrap();
    identity_service::usecases::register::write_registration(
        tx.as_mut(),
        &prepared,
        "test.example.it",
        &mut identity_service::usecases::register::random_login_numbers(),
    )
    .await
    .unwrap();
    drop(tx); // no commit
    let mut tx = h.store.begin().await.unwrap();
    assert!(matches!(
        tx.holder(prepared.holder.id()).await,
        Err(StoreError::NotFound)
    ));
    assert!(tx.audit(&AuditQuery::default()).await.unwrap().is_empty());
    assert!(tx.outbox(None, 10).await.unwrap().is_empty());
}

async fn registration_writes_holder_login_audit_and_mail_together(h: Harness) {
    let (holder_id, number) = register_mario(&h).await;
    let mut tx = h.store.begin().await.unwrap();
    let logins = tx.logins_of(holder_id).await.unwrap();
    assert_eq!(
        logins.iter().map(Login::number).collect::<Vec<_>>(),
        vec![number]
    );
    assert!(number.get() >= 100_000);
    assert_eq!(tx.password_history(number).await.unwrap().len(), 1);
    assert_eq!(tx.audit(&AuditQuery::default()).await.unwrap().len(), 1);
    assert_eq!(tx.outbox(None, 10).await.unwrap().len(), 1);
}

async fn sign_in_checks_password_and_never_tells_why(h: Harness) {
    let (holder_id, number) = register_mario(&h).await;
    let id = identity_core::LoginId::new(number, "test.example.it");
    let ok = h
        .service
        .sign_in_password(&id, PASSWORD, Some("192.0.2.1"))
        .await
        .unwrap();
    assert_eq!(ok.holder_id, holder_id);
    assert!(!ok.password_expired);
    let wrong = h.service.sign_in_password(&id, "Sbagliata!99x", None).await;
    assert!(matches!(wrong, Err(SignInError::InvalidCredentials)));
    let unknown = identity_core::LoginId::new(
        LoginNumber::new(999_999_999_999).unwrap(),
        "test.example.it",
    );
    let err = h
        .service
        .sign_in_password(&unknown, PASSWORD, None)
        .await
        .unwrap_err();
    assert!(matches!(err, SignInError::InvalidCredentials));
    // A disabled login answers the same.
    let mut tx = h.store.begin().await.unwrap();
    tx.set_login_status(number, LoginStatus::Disabled)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(matches!(
        h.service.sign_in_password(&id, PASSWORD, None).await,
        Err(SignInError::InvalidCredentials)
    ));
    // After 180 days the password has expired and must be changed.
    let mut tx = h.store.begin().await.unwrap();
    tx.set_login_status(number, LoginStatus::Active)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    h.clock.advance(Duration::days(181));
    assert!(
        h.service
            .sign_in_password(&id, PASSWORD, None)
            .await
            .unwrap()
            .password_expired
    );
    let mut tx = h.store.begin().await.unwrap();
    let q = AuditQuery {
        event: Some("sign_in.failed".into()),
        ..AuditQuery::default()
    };
    assert_eq!(tx.audit(&q).await.unwrap().len(), 3);
}

async fn sign_in_throttles_a_parallel_burst(h: Harness) {
    let (_, number) = register_mario(&h).await;
    let id = identity_core::LoginId::new(number, "test.example.it");
    // Twenty wrong guesses at the same instant: only the free attempts are checked.
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let service = h.service.clone();
        let id = id.clone();
        tasks.push(tokio::spawn(async move {
            service.sign_in_password(&id, "Sbagliata!99x", None).await
        }));
    }
    for t in tasks {
        assert!(matches!(
            t.await.unwrap(),
            Err(SignInError::InvalidCredentials)
        ));
    }
    let mut tx = h.store.begin().await.unwrap();
    let key = identity_service::usecases::sign_in::login_throttle_key(number);
    let (count, _) = tx.throttle_lock(&key).await.unwrap();
    drop(tx);
    assert_eq!(
        count,
        identity_service::usecases::sign_in::FREE_FAILURES,
        "no more guesses were checked than the throttle allows"
    );
    // While throttled even the right password is refused, with the same answer.
    assert!(matches!(
        h.service.sign_in_password(&id, PASSWORD, None).await,
        Err(SignInError::InvalidCredentials)
    ));
    // After the delay the right password works again and resets the counter.
    h.clock.advance(Duration::minutes(15));
    h.service
        .sign_in_password(&id, PASSWORD, None)
        .await
        .unwrap();
    let mut tx = h.store.begin().await.unwrap();
    assert_eq!(tx.throttle_lock(&key).await.unwrap().0, 0);
    // Every attempt was audited: 3 checked and failed, 18 refused unchecked.
    let count = |event: &str| AuditQuery {
        event: Some(event.into()),
        ..AuditQuery::default()
    };
    assert_eq!(tx.audit(&count("sign_in.failed")).await.unwrap().len(), 3);
    assert_eq!(
        tx.audit(&count("sign_in.throttled")).await.unwrap().len(),
        18
    );
    drop(tx);
    // An id that names no login is throttled exactly the same way.
    let ghost =
        identity_core::LoginId::new(LoginNumber::new(777_777_777).unwrap(), "test.example.it");
    for _ in 0..5 {
        let _ = h
            .service
            .sign_in_password(&ghost, "Sbagliata!99x", None)
            .await;
    }
    let mut tx = h.store.begin().await.unwrap();
    let ghost_key = identity_service::usecases::sign_in::login_throttle_key(ghost.number());
    assert_eq!(
        tx.throttle_lock(&ghost_key).await.unwrap().0,
        identity_service::usecases::sign_in::FREE_FAILURES
    );
}

async fn identity_lifecycle_end_to_end(h: Harness) {
    let (holder_id, number) = register_mario(&h).await;
    let identity = h.service.request_identity(holder_id, number).await.unwrap();
    assert_eq!(identity.state(), &IdentityState::Pending);
    let op = Actor::Operator("op1".into());
    let holder = Actor::Holder(holder_id);
    let active = h
        .service
        .verify_identity(identity.id(), proofing(&h), op.clone())
        .await
        .unwrap();
    assert!(active.state().is_active());
    assert!(matches!(
        h.service
            .verify_identity(identity.id(), proofing(&h), op.clone())
            .await,
        Err(IdentityError::Transition(
            identity_core::TransitionError::NotPending
        ))
    ));
    h.clock.advance(Duration::hours(1));
    let suspended = h
        .service
        .suspend_identity(
            identity.id(),
            SuspensionReason::HolderRequest,
            holder.clone(),
        )
        .await
        .unwrap();
    let IdentityState::Suspended {
        deadline: Some(deadline),
        ..
    } = suspended.state()
    else {
        panic!("suspended")
    };
    assert!(*deadline > h.service.now() + Duration::days(29));
    let reactivated = h
        .service
        .reactivate_identity(identity.id(), holder.clone())
        .await
        .unwrap();
    assert!(reactivated.state().is_active());
    let revoked = h
        .service
        .revoke_identity(identity.id(), RevocationCause::Death, op.clone())
        .await
        .unwrap();
    assert!(revoked.state().is_revoked());
    assert!(matches!(
        h.service.reactivate_identity(identity.id(), op).await,
        Err(IdentityError::Transition(
            identity_core::TransitionError::Revoked
        ))
    ));
    // Everything was audited and notified, and the stored identity is the returned one.
    let mut tx = h.store.begin().await.unwrap();
    let events: Vec<String> = tx
        .audit(&AuditQuery::default())
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.event)
        .collect();
    assert_eq!(
        events,
        [
            "holder.registered",
            "identity.requested",
            "identity.verified",
            "identity.suspended",
            "identity.reactivated",
            "identity.revoked"
        ]
    );
    let mails = tx.outbox(None, 100).await.unwrap();
    assert_eq!(
        mails
            .iter()
            .filter(|m| m.template == "identity_state_changed")
            .count(),
        5
    );
    assert_eq!(
        tx.identity_for_update(identity.id()).await.unwrap(),
        revoked
    );
    // A company cannot request an identity.
    drop(tx);
    let company = h.service.register(company_registration()).await.unwrap();
    assert!(matches!(
        h.service
            .request_identity(company.holder_id, company.login_id.number())
            .await,
        Err(IdentityError::NotAPerson)
    ));
    // A holder cannot act on another holder's identity: it does not exist for them.
    let (intruder, intruder_login) = register_mario(&h).await;
    let theirs = h
        .service
        .request_identity(intruder, intruder_login)
        .await
        .unwrap();
    assert!(matches!(
        h.service
            .suspend_identity(theirs.id(), SuspensionReason::HolderRequest, holder.clone())
            .await,
        Err(IdentityError::NotFound)
    ));
    // A date of birth in the future is refused before anything is stored.
    let mut reg = person_registration("future@example.it");
    if let identity_core::HolderKind::Person(p) = &mut reg.kind {
        p.person = identity_core::holder::PersonIdentity::new(
            "Mario",
            "Rossi",
            identity_core::PersonalTaxCode::parse("RSSMRA85T10A562S").unwrap(),
            chrono::NaiveDate::from_ymd_opt(2085, 12, 10).unwrap(),
            "A562",
            identity_core::Sex::Male,
        )
        .unwrap();
    }
    assert!(matches!(
        h.service.register(reg).await,
        Err(identity_service::usecases::register::RegisterError::BirthDateInFuture)
    ));
    // Nor can a person use someone else's login as username.
    let (other, _) = register_mario(&h).await;
    assert!(matches!(
        h.service.request_identity(other, number).await,
        Err(IdentityError::NotTheHoldersLogin)
    ));
}

async fn signed_in(h: &Harness) -> identity_service::usecases::sign_in::SignedIn {
    let (_, number) = register_mario(h).await;
    let id = identity_core::LoginId::new(number, "test.example.it");
    h.service
        .sign_in_password(&id, PASSWORD, Some("192.0.2.7"))
        .await
        .unwrap()
}

async fn sessions_live_expire_and_end(h: Harness) {
    use identity_core::{CredentialLevel, SessionArea};
    use identity_service::usecases::sessions::SessionToken;
    let who = signed_in(&h).await;
    let (token, session) = h
        .service
        .open_session(
            &who,
            SessionArea::Customer,
            CredentialLevel::L1,
            Some("192.0.2.7"),
            Some("Firefox"),
        )
        .await
        .unwrap();
    assert!(
        !format!("{token:?}").contains(token.expose()),
        "tokens never appear in Debug output"
    );
    assert_eq!(
        h.service.session(&token).await.unwrap(),
        Some(session.clone())
    );
    assert_eq!(
        h.service
            .session(&SessionToken::from_client("forged"))
            .await
            .unwrap(),
        None
    );
    // Storage keeps the hash, never the token.
    let mut tx = h.store.begin().await.unwrap();
    assert!(matches!(
        tx.session_by_token_hash(token.expose()).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        tx.insert_session(&token.hash(), &session).await,
        Err(StoreError::Duplicate("session"))
    ));
    drop(tx);
    // Activity keeps it alive; 30 idle minutes end it.
    h.clock.advance(Duration::minutes(20));
    let touched = h.service.session(&token).await.unwrap().unwrap();
    assert_eq!(touched.last_seen_at, h.service.now());
    h.clock.advance(Duration::minutes(29));
    assert!(h.service.session(&token).await.unwrap().is_some());
    h.clock.advance(Duration::minutes(31));
    assert_eq!(h.service.session(&token).await.unwrap(), None);
    assert!(
        h.service
            .sessions_of(who.holder_id)
            .await
            .unwrap()
            .is_empty(),
        "the expired session was removed"
    );
    // Sign-out ends it on the server.
    let (token, _) = h
        .service
        .open_session(&who, SessionArea::Customer, CredentialLevel::L1, None, None)
        .await
        .unwrap();
    h.service.end_session(&token).await.unwrap();
    assert_eq!(h.service.session(&token).await.unwrap(), None);
    // The holder ends one of its sessions by id; another holder cannot.
    let (token, session) = h
        .service
        .open_session(&who, SessionArea::Customer, CredentialLevel::L1, None, None)
        .await
        .unwrap();
    let stranger = HolderId::from_uuid(uuid::Uuid::nil());
    assert!(matches!(
        h.service.end_holder_session(stranger, session.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(h.service.session(&token).await.unwrap().is_some());
    h.service
        .end_holder_session(who.holder_id, session.id)
        .await
        .unwrap();
    assert_eq!(h.service.session(&token).await.unwrap(), None);
    let mut tx = h.store.begin().await.unwrap();
    let q = AuditQuery {
        event: Some("session.ended".into()),
        ..AuditQuery::default()
    };
    assert_eq!(tx.audit(&q).await.unwrap().len(), 2);
}

async fn an_identity_that_stops_being_usable_ends_its_selfcare_sessions(h: Harness) {
    use identity_core::{CredentialLevel, SessionArea};
    let who = signed_in(&h).await;
    let identity = h
        .service
        .request_identity(who.holder_id, who.login.number())
        .await
        .unwrap();
    let op = Actor::Operator("op1".into());
    h.service
        .verify_identity(identity.id(), proofing(&h), op.clone())
        .await
        .unwrap();
    let (selfcare, _) = h
        .service
        .open_session(&who, SessionArea::Selfcare, CredentialLevel::L1, None, None)
        .await
        .unwrap();
    let (customer, _) = h
        .service
        .open_session(&who, SessionArea::Customer, CredentialLevel::L1, None, None)
        .await
        .unwrap();
    h.service
        .suspend_identity(identity.id(), SuspensionReason::SuspectedFraud, op)
        .await
        .unwrap();
    assert_eq!(
        h.service.session(&selfcare).await.unwrap(),
        None,
        "the selfcare session ended at once"
    );
    assert!(
        h.service.session(&customer).await.unwrap().is_some(),
        "the customer area does not depend on it"
    );
}

async fn logins_are_disabled_by_their_rules(h: Harness) {
    use identity_core::{CredentialLevel, SessionArea};
    use identity_service::usecases::logins::LoginChangeError;
    let who = signed_in(&h).await;
    let first = who.login.number();
    let me = Actor::Holder(who.holder_id);
    // The last active login cannot be disabled by its holder.
    assert!(matches!(
        h.service.disable_login(first, &me).await,
        Err(LoginChangeError::Refused(
            identity_core::login::LoginError::LastActiveLogin
        ))
    ));
    // With a second login it can, and its sessions end.
    let mut tx = h.store.begin().await.unwrap();
    let second = Login::new(
        LoginNumber::new(first.get() + 1).unwrap(),
        who.holder_id,
        h.service.now(),
    );
    tx.insert_login(&second).await.unwrap();
    tx.commit().await.unwrap();
    let (token, _) = h
        .service
        .open_session(&who, SessionArea::Customer, CredentialLevel::L1, None, None)
        .await
        .unwrap();
    let stranger = Actor::Holder(HolderId::from_uuid(uuid::Uuid::nil()));
    assert!(matches!(
        h.service.disable_login(first, &stranger).await,
        Err(LoginChangeError::NotFound)
    ));
    h.service.disable_login(first, &me).await.unwrap();
    assert_eq!(
        h.service.session(&token).await.unwrap(),
        None,
        "the disabled login's session ended"
    );
    let id = identity_core::LoginId::new(first, "test.example.it");
    assert!(matches!(
        h.service.sign_in_password(&id, PASSWORD, None).await,
        Err(SignInError::InvalidCredentials)
    ));
    // An operator may disable the last one too, and enable it again.
    let op = Actor::Operator("op1".into());
    h.service.disable_login(second.number(), &op).await.unwrap();
    h.service.enable_login(first, &op).await.unwrap();
    assert!(matches!(
        h.service.enable_login(first, &op).await,
        Err(LoginChangeError::Refused(_))
    ));
    h.service
        .sign_in_password(&id, PASSWORD, None)
        .await
        .unwrap();
    let mut tx = h.store.begin().await.unwrap();
    let q = AuditQuery {
        event: Some("login.disabled".into()),
        ..AuditQuery::default()
    };
    let actors: Vec<String> = tx
        .audit(&q)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.actor)
        .collect();
    assert_eq!(
        actors,
        [
            format!("holder:{}", who.holder_id),
            "operator:op1".to_owned()
        ]
    );
}

async fn reads_do_not_wait_for_writers(h: Harness) {
    let (holder_id, _) = register_mario(&h).await;
    // A writer holds its transaction open (on SQLite: the database write lock)...
    let mut writer = h.store.begin().await.unwrap();
    let mut holder = writer.holder(holder_id).await.unwrap();
    holder.change_email(EmailAddress::parse("nuovo@example.it").unwrap());
    writer.update_holder_contacts(&holder).await.unwrap();
    // ...and a reader still gets in at once, seeing the last committed data.
    let mut reader = tokio::time::timeout(std::time::Duration::from_secs(2), h.store.begin_read())
        .await
        .expect("a read transaction does not wait for the writer")
        .unwrap();
    assert_eq!(
        reader
            .holder(holder_id)
            .await
            .unwrap()
            .contacts()
            .email
            .to_string(),
        "mario.rossi@example.it"
    );
    drop(reader);
    writer.commit().await.unwrap();
    let overview = h.service.holder_overview(holder_id).await.unwrap();
    assert_eq!(
        overview.holder.contacts().email.to_string(),
        "nuovo@example.it"
    );
}
