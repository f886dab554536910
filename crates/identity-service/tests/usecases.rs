//! The use cases end to end on both storage backends: registration, sign-in and its
//! throttle, the identity lifecycle, sessions and logins (`sqlite::*` and
//! `postgres::*` in the test names).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::Duration;
use identity_core::identity::{Actor, IdentityState, RevocationCause, SuspensionReason};
use identity_core::{HolderId, Login, LoginNumber, LoginStatus};
use identity_service::usecases::identity::IdentityError;
use identity_service::usecases::sign_in::SignInError;
use identity_service::usecases::sign_in_pressure::PRESSURE_EVENT;
use identity_service::{AuditQuery, Clock, Store, StoreError};
use identity_testkit::{
    PASSWORD, TestApp, company_registration, person_registration, proofing, register_mario,
};

identity_testkit::both_backends!(
    registration_writes_holder_login_audit_and_mail_together,
    sign_in_checks_password_and_never_tells_why,
    sign_in_throttles_a_parallel_burst,
    a_sign_in_shed_by_a_full_hashing_line_counts_against_nothing,
    identity_lifecycle_end_to_end,
    sessions_live_expire_and_end,
    an_identity_that_stops_being_usable_ends_its_selfcare_sessions,
    logins_are_disabled_by_their_rules,
);

async fn registration_writes_holder_login_audit_and_mail_together(h: TestApp) {
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

async fn sign_in_checks_password_and_never_tells_why(h: TestApp) {
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

async fn a_sign_in_shed_by_a_full_hashing_line_counts_against_nothing(h: TestApp) {
    let (_, number) = register_mario(&h).await;
    let id = identity_core::LoginId::new(number, "test.example.it");
    // Every place in the hashing line taken, as in a flood.
    let mut places = Vec::new();
    while let Ok(place) = h.service.hasher().slot() {
        places.push(place);
    }
    for _ in 0..10 {
        let refused = h
            .service
            .sign_in_password(&id, PASSWORD, Some("10.0.0.1"))
            .await;
        assert!(
            matches!(&refused, Err(SignInError::Infra(e)) if e.is_busy()),
            "{refused:?}"
        );
    }
    // Not one password was checked, so neither the login nor the address has
    // anything against it: once the flood ends the holder signs in at once.
    let mut tx = h.store.begin().await.unwrap();
    let key = identity_service::usecases::sign_in::login_throttle_key(number);
    assert_eq!(tx.throttle_lock(&key).await.unwrap().0, 0);
    drop(tx);
    drop(places);
    h.service
        .sign_in_password(&id, PASSWORD, Some("10.0.0.1"))
        .await
        .unwrap();
}

async fn sign_in_throttles_a_parallel_burst(h: TestApp) {
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
    // Every checked attempt was audited (3 failed); the 18 refused unchecked are
    // in the period's pressure report, one record per login and per address.
    let count = |event: &str| AuditQuery {
        event: Some(event.into()),
        ..AuditQuery::default()
    };
    assert_eq!(tx.audit(&count("sign_in.failed")).await.unwrap().len(), 3);
    drop(tx);
    let started = h.clock.now() - Duration::hours(1);
    assert_eq!(h.service.report_sign_in_pressure().await.unwrap(), 2);
    let mut tx = h.store.begin().await.unwrap();
    assert_eq!(
        tx.audit(&count(PRESSURE_EVENT)).await.unwrap().len(),
        2,
        "one record per key, not one per attempt"
    );
    drop(tx);
    let pressure = h.service.sign_in_pressure(started).await.unwrap();
    let throttled: Vec<(&str, u64, u64)> = pressure
        .iter()
        .map(|e| (e.key.as_str(), e.shed, e.throttled))
        .collect();
    assert_eq!(
        throttled,
        [
            ("address:unknown", 0, 18),
            (format!("login:{number}").as_str(), 0, 18)
        ]
    );
    assert!(
        h.service
            .metrics()
            .render(&[])
            .contains("identity_password_sign_ins_total{outcome=\"throttled\"} 18")
    );
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

async fn identity_lifecycle_end_to_end(h: TestApp) {
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
            "credential.emergency_code_issued",
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

async fn sessions_live_expire_and_end(h: TestApp) {
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

async fn an_identity_that_stops_being_usable_ends_its_selfcare_sessions(h: TestApp) {
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

async fn logins_are_disabled_by_their_rules(h: TestApp) {
    use identity_core::{CredentialLevel, SessionArea};
    use identity_service::usecases::login_lifecycle::LoginChangeError;
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
    // A session of the other login, which must outlive the first one's.
    let via_second = identity_service::usecases::sign_in::SignedIn {
        login: second.clone(),
        ..who.clone()
    };
    let (other_token, _) = h
        .service
        .open_session(
            &via_second,
            SessionArea::Customer,
            CredentialLevel::L1,
            None,
            None,
        )
        .await
        .unwrap();
    h.service.disable_login(first, &me).await.unwrap();
    assert_eq!(
        h.service.session(&token).await.unwrap(),
        None,
        "the disabled login's session ended"
    );
    assert!(
        h.service.session(&other_token).await.unwrap().is_some(),
        "only that login's sessions end"
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

async fn signed_in(h: &TestApp) -> identity_service::usecases::sign_in::SignedIn {
    let (_, number) = register_mario(h).await;
    let id = identity_core::LoginId::new(number, "test.example.it");
    h.service
        .sign_in_password(&id, PASSWORD, Some("192.0.2.7"))
        .await
        .unwrap()
}
