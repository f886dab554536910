//! The storage contract: every port method, run on SQLite always and on PostgreSQL
//! when `TEST_POSTGRES_URL` is set (`sqlite::*` and `postgres::*` in the test
//! names). The use cases on top are in `usecases.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::Duration;
use identity_core::identity::{Actor, RevocationCause};
use identity_core::{EmailAddress, Holder, HolderId, Login, LoginNumber, LoginStatus};
use identity_service::usecases::identity::IdentityError;
use identity_service::{AuditQuery, OutboxStatus, Store, StoreError};
use identity_testkit::{
    PASSWORD, TestApp, company_registration, person_registration, register_mario,
};

identity_testkit::both_backends!(
    holders_round_trip_every_kind,
    holder_contacts_change_and_identity_fields_stay,
    login_numbers_are_unique_and_the_transaction_survives,
    password_history_is_newest_first,
    failed_sign_in_counter_is_atomic,
    one_live_identity_per_tax_code,
    audit_log_filters_and_is_append_only,
    outbox_keeps_queued_mail,
    a_dropped_transaction_leaves_nothing,
    reads_do_not_wait_for_writers,
);

async fn holders_round_trip_every_kind(h: TestApp) {
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

async fn holder_contacts_change_and_identity_fields_stay(h: TestApp) {
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

async fn login_numbers_are_unique_and_the_transaction_survives(h: TestApp) {
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

async fn password_history_is_newest_first(h: TestApp) {
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
    // What a sign-in reads: the login with its current password only.
    let (login, current) = tx.login_with_password(number).await.unwrap();
    assert_eq!(login.number(), number);
    assert_eq!(current.unwrap().hash, "$argon2id$second");
    assert!(matches!(
        tx.login_with_password(LoginNumber::new(999_999_999_999).unwrap())
            .await,
        Err(StoreError::NotFound)
    ));
}

async fn failed_sign_in_counter_is_atomic(h: TestApp) {
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
    // Several keys in one statement, a repeated one counted once, a new one created.
    tx.throttle_record_failures(&["login:123456", "address:10.0.0.1", "login:123456"], now)
        .await
        .unwrap();
    assert_eq!(
        tx.throttle_lock("login:123456").await.unwrap(),
        (1, Some(now))
    );
    assert_eq!(
        tx.throttle_lock("address:10.0.0.1").await.unwrap(),
        (1, Some(now))
    );
    tx.throttle_record_failures(&[], now).await.unwrap();
    // A success: the login's count forgotten, the address's attempt taken back.
    tx.throttle_record_failures(&["address:10.0.0.1"], now)
        .await
        .unwrap();
    tx.throttle_settle_success("login:123456", "address:10.0.0.1")
        .await
        .unwrap();
    assert_eq!(tx.throttle_lock("login:123456").await.unwrap(), (0, None));
    assert_eq!(
        tx.throttle_lock("address:10.0.0.1").await.unwrap(),
        (1, Some(now))
    );
    // Never below zero.
    tx.throttle_settle_success("login:123456", "address:10.0.0.9")
        .await
        .unwrap();
    assert_eq!(
        tx.throttle_lock("address:10.0.0.9").await.unwrap(),
        (0, None)
    );
}

async fn one_live_identity_per_tax_code(h: TestApp) {
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

async fn audit_log_filters_and_is_append_only(h: TestApp) {
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

async fn outbox_keeps_queued_mail(h: TestApp) {
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

async fn a_dropped_transaction_leaves_nothing(h: TestApp) {
    let mut tx = h.store.begin().await.unwrap();
    let holder =
        identity_testkit::write_prepared_registration(tx.as_mut(), "a@example.it", h.service.now())
            .await
            .unwrap();
    drop(tx); // no commit
    let mut tx = h.store.begin().await.unwrap();
    assert!(matches!(tx.holder(holder).await, Err(StoreError::NotFound)));
    assert!(tx.audit(&AuditQuery::default()).await.unwrap().is_empty());
    assert!(tx.outbox(None, 10).await.unwrap().is_empty());
}

async fn reads_do_not_wait_for_writers(h: TestApp) {
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
