//! The calendar jobs on both storage backends, driven by the manual clock across
//! more than 24 months: each notice is sent once, each transition happens once,
//! a second run changes nothing, and two runners on one database (two nodes)
//! never do the same thing twice.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use identity_core::holder::PersonIdentity;
use identity_core::identity::{
    Actor, DigitalIdentity, DocumentKind, IdentityDocument, Proofing, ProofingMethod,
    RevocationCause, SuspensionReason,
};
use identity_core::{
    HolderId, HolderKind, IdentityState, Lang, LoginNumber, PersonHolder, PersonalTaxCode,
    PhoneNumber, Sex,
};
use identity_service::model::JobRun;
use identity_service::usecases::jobs::{Job, JobOptions};
use identity_service::usecases::register::Registration;
use identity_service::{HashCost, PasswordHasher, Service, ServiceConfig, Store};
use identity_store::{ConnectOptions, SqlStore};
use identity_testkit::{Param, last_code, outbox};
use identity_testkit::{TestApp, address, contacts, proofing};
use identity_testkit::{active_identity, sign_in_l1};

identity_testkit::both_backends!(
    inactivity_is_noticed_once_per_deadline_reset_by_a_sign_in_and_ends_in_revocation,
    a_suspension_deadline_keeps_suspended_or_revokes_with_a_police_report,
    contact_data_shared_by_two_identities_suspends_both_until_fixed_or_revoked,
    an_expired_document_suspends_until_a_new_one_is_recorded,
    two_runners_on_one_database_do_each_thing_once,
    a_dry_run_decides_but_keeps_nothing,
    retention_purges_what_has_outlived_its_time,
    a_backlog_of_expired_sessions_goes_in_batches,
);

fn options() -> JobOptions {
    JobOptions {
        as_of: None,
        dry_run: false,
        only: None,
        node: "test".into(),
    }
}

async fn run(h: &TestApp) -> Vec<JobRun> {
    h.service.run_jobs(&options()).await
}

/// What a run did, summed over its jobs: `action -> count`.
fn did(runs: &[JobRun]) -> std::collections::BTreeMap<String, u64> {
    let mut all = std::collections::BTreeMap::new();
    for r in runs {
        assert_eq!(r.error, None, "{} failed", r.job);
        for (k, v) in &r.counts {
            *all.entry(format!("{}.{k}", r.job)).or_default() += v;
        }
    }
    all
}

/// [`did`] without the retention job, which purges codes and sessions whenever
/// some expired: what the lifecycle jobs did.
fn changes(runs: &[JobRun]) -> std::collections::BTreeMap<String, u64> {
    let mut all = did(runs);
    all.retain(|k, _| !k.starts_with("retention."));
    all
}

/// A number parameter of a queued mail, as text.
fn days(m: &identity_service::OutboxMessage) -> String {
    m.params["days"].to_string()
}

/// The identity as stored now.
async fn identity(h: &TestApp, holder: HolderId) -> DigitalIdentity {
    h.service
        .identities_of(holder)
        .await
        .unwrap()
        .into_iter()
        .next()
        .unwrap()
}

/// Anna Bianchi, a second person with her own tax code and the given phone.
async fn active_anna(h: &TestApp, phone: &str) -> (HolderId, DigitalIdentity) {
    let person = PersonIdentity::new(
        "Anna",
        "Bianchi",
        PersonalTaxCode::parse("BNCNNA90C55H501L").unwrap(),
        NaiveDate::from_ymd_opt(1990, 3, 15).unwrap(),
        "H501",
        Sex::Female,
    )
    .unwrap();
    let mut c = contacts("anna.bianchi@example.it");
    c.phone = PhoneNumber::parse(phone).unwrap();
    let r = h
        .service
        .register(Registration {
            kind: HolderKind::Person(PersonHolder { person }),
            address: address(),
            contacts: c,
            lang: Lang::En,
            password: identity_testkit::PASSWORD.into(),
            consents: vec![],
            accept_tax_code_mismatch: false,
        })
        .await
        .unwrap();
    let code = last_code(h, "registration_confirmed").await;
    h.service.verify_email_code(&code).await.unwrap();
    let identity = activate(h, r.holder_id, r.login_id.number(), proofing(h)).await;
    (r.holder_id, identity)
}

async fn activate(
    h: &TestApp,
    holder: HolderId,
    number: LoginNumber,
    proofing: Proofing,
) -> DigitalIdentity {
    h.service
        .send_identity_phone_code(holder, number)
        .await
        .unwrap();
    let sms = identity_testkit::last_code(h, "sms_code").await;
    let identity = h
        .service
        .request_identity_with_phone_code(holder, number, &sms)
        .await
        .unwrap()
        .unwrap();
    h.service
        .verify_identity(identity.id(), proofing, Actor::Operator("op".into()))
        .await
        .unwrap()
}

async fn state_mails(h: &TestApp, event: &str) -> usize {
    outbox(h, "identity_state_changed")
        .await
        .iter()
        .filter(|m| m.p("event") == event)
        .count()
}

async fn inactivity_is_noticed_once_per_deadline_reset_by_a_sign_in_and_ends_in_revocation(
    h: TestApp,
) {
    let a = active_identity(&h).await;
    let first_deadline = a.identity.inactivity_revocation_at().unwrap();
    let mut signed_in_again = false;
    // Every day for four years and a half, twice on the days something happened.
    for day in 0..(4 * 365 + 180) {
        let first = changes(&run(&h).await);
        if !first.is_empty() {
            let second = changes(&run(&h).await);
            assert!(second.is_empty(), "day {day}: a second run did {second:?}");
        }
        // After the first (90-day) notice, a sign-in restarts the 24 months.
        if !signed_in_again && !outbox(&h, "identity_inactivity_notice").await.is_empty() {
            let before_reset = outbox(&h, "identity_inactivity_notice").await;
            assert_eq!(before_reset.len(), 1);
            assert_eq!(days(&before_reset[0]), "90");
            sign_in_l1(&h, &a).await;
            signed_in_again = true;
            assert!(
                identity(&h, a.holder)
                    .await
                    .inactivity_revocation_at()
                    .unwrap()
                    > first_deadline
            );
        }
        h.clock.advance(Duration::days(1));
    }
    let notices: Vec<String> = outbox(&h, "identity_inactivity_notice")
        .await
        .iter()
        .map(days)
        .collect();
    assert_eq!(
        notices,
        ["90", "90", "30", "10", "1"],
        "one cycle cut short by the sign-in, then a whole one"
    );
    let revoked = identity(&h, a.holder).await;
    assert!(matches!(
        revoked.state(),
        IdentityState::Revoked {
            cause: RevocationCause::Inactivity,
            ..
        }
    ));
    assert_eq!(state_mails(&h, "identity.revoked").await, 1);
    // The password set at registration was warned about at 7 and 2 days, once each.
    let warnings: Vec<String> = outbox(&h, "password_expiry_warning")
        .await
        .iter()
        .map(days)
        .collect();
    assert_eq!(warnings, ["7", "2"]);
    let status = h.service.job_status().await.unwrap();
    assert_eq!(status.len(), Job::ALL.len(), "one latest run per job");
}

async fn a_suspension_deadline_keeps_suspended_or_revokes_with_a_police_report(h: TestApp) {
    let mario = active_identity(&h).await;
    let (anna, anna_identity) = active_anna(&h, "333 765 4321").await;
    let op = || Actor::Operator("op".into());
    for id in [mario.identity.id(), anna_identity.id()] {
        h.service
            .suspend_identity(id, SuspensionReason::SuspectedFraud, op())
            .await
            .unwrap();
    }
    h.service
        .record_police_report(anna_identity.id(), "Questura di Roma 123/2026", op())
        .await
        .unwrap();
    h.clock.advance(Duration::days(29));
    assert!(changes(&run(&h).await).is_empty(), "not due before 30 days");
    h.clock.advance(Duration::days(2));
    let first = did(&run(&h).await);
    assert_eq!(first.get("suspension_deadlines.kept_suspended"), Some(&1));
    assert_eq!(first.get("suspension_deadlines.revoked"), Some(&1));
    assert!(changes(&run(&h).await).is_empty(), "idempotent");
    assert!(matches!(
        identity(&h, mario.holder).await.state(),
        IdentityState::Suspended { deadline: None, .. }
    ));
    assert!(matches!(
        identity(&h, anna).await.state(),
        IdentityState::Revoked {
            cause: RevocationCause::SuspensionDeadlineWithReport,
            ..
        }
    ));
    assert_eq!(state_mails(&h, "identity.deadline_passed").await, 1);
    assert_eq!(state_mails(&h, "identity.revoked").await, 1);
}

async fn contact_data_shared_by_two_identities_suspends_both_until_fixed_or_revoked(h: TestApp) {
    let mario = active_identity(&h).await;
    // Anna registers with Mario's phone number.
    let (anna, _) = active_anna(&h, "333 123 4567").await;
    let first = did(&run(&h).await);
    assert_eq!(first.get("shared_contacts.suspended"), Some(&2));
    assert!(changes(&run(&h).await).is_empty(), "idempotent");
    for holder in [mario.holder, anna] {
        assert!(matches!(
            identity(&h, holder).await.state(),
            IdentityState::Suspended {
                reason: SuspensionReason::SharedContactData,
                deadline: Some(_),
                ..
            }
        ));
    }
    // Anna fixes her phone within the 30 days: both are restored.
    h.clock.advance(Duration::days(3));
    {
        let mut tx = h.store.begin().await.unwrap();
        let mut holder = tx.holder_for_update(anna).await.unwrap();
        let _ = holder.change_phone(PhoneNumber::parse("333 765 4321").unwrap());
        tx.update_holder_contacts(&holder).await.unwrap();
        tx.commit().await.unwrap();
    }
    let fixed = did(&run(&h).await);
    assert_eq!(fixed.get("shared_contacts.reactivated"), Some(&2));
    assert!(identity(&h, anna).await.state().is_active());
    // Shared again and never fixed: both revoked at the deadline.
    {
        let mut tx = h.store.begin().await.unwrap();
        let mut holder = tx.holder_for_update(anna).await.unwrap();
        let _ = holder.change_phone(PhoneNumber::parse("333 123 4567").unwrap());
        tx.update_holder_contacts(&holder).await.unwrap();
        tx.commit().await.unwrap();
    }
    assert_eq!(
        did(&run(&h).await).get("shared_contacts.suspended"),
        Some(&2)
    );
    h.clock.advance(Duration::days(31));
    let end = did(&run(&h).await);
    assert_eq!(end.get("suspension_deadlines.revoked"), Some(&2));
    assert!(matches!(
        identity(&h, mario.holder).await.state(),
        IdentityState::Revoked {
            cause: RevocationCause::SharedContactDataNotFixed,
            ..
        }
    ));
}

async fn an_expired_document_suspends_until_a_new_one_is_recorded(h: TestApp) {
    let today = identity_core::calendar::rome_date(h.service.now());
    let short = Proofing {
        method: ProofingMethod::InPerson,
        document: IdentityDocument::new(
            DocumentKind::Passport,
            "YA1234567",
            "Questura di Roma",
            today + chrono::Days::new(10),
            today,
        )
        .unwrap(),
        evidence_ref: "sportello-7/2026".into(),
    };
    let (holder, number) = identity_testkit::verified_mario(&h).await;
    let identity = activate(&h, holder, number, short).await;
    h.clock.advance(Duration::days(10));
    assert!(
        changes(&run(&h).await).is_empty(),
        "valid through its last day"
    );
    h.clock.advance(Duration::days(1));
    let first = did(&run(&h).await);
    assert_eq!(first.get("document_expiry.suspended"), Some(&1));
    assert!(changes(&run(&h).await).is_empty(), "idempotent");
    assert!(matches!(
        self::identity(&h, holder).await.state(),
        IdentityState::Suspended {
            reason: SuspensionReason::DocumentExpired,
            deadline: None,
            ..
        }
    ));
    // No deadline: months later it is still suspended, not revoked.
    h.clock.advance(Duration::days(60));
    assert!(changes(&run(&h).await).is_empty());
    h.service
        .record_document(
            identity.id(),
            proofing(&h).document,
            Actor::Operator("op".into()),
        )
        .await
        .unwrap();
    assert!(self::identity(&h, holder).await.state().is_active());
}

async fn two_runners_on_one_database_do_each_thing_once(h: TestApp) {
    let mario = active_identity(&h).await;
    let (anna, _) = active_anna(&h, "333 765 4321").await;
    h.service
        .suspend_identity(
            mario.identity.id(),
            SuspensionReason::SuspectedFraud,
            Actor::Operator("op".into()),
        )
        .await
        .unwrap();
    // 22 months on: Mario's deadline is long past, and both are due the 90-day
    // inactivity notice (a suspended identity is revoked for inactivity too).
    h.clock.advance(Duration::days(22 * 30 + 5));
    // A second node: its own connection pool and service on the same database.
    let other_store = Arc::new(
        SqlStore::connect(&h.url, &ConnectOptions::default())
            .await
            .unwrap(),
    );
    let other = Service::new(
        other_store,
        h.clock.clone(),
        PasswordHasher::new(HashCost::cheap_for_tests(), 1).unwrap(),
        ServiceConfig {
            login_domain: "test.example.it".into(),
            ..ServiceConfig::default()
        },
    );
    let mut second = options();
    second.node = "other".into();
    let first = options();
    let (a, b) = tokio::join!(h.service.run_jobs(&first), other.run_jobs(&second));
    let (a, b) = (did(&a), did(&b));
    let sum = |k: &str| a.get(k).copied().unwrap_or(0) + b.get(k).copied().unwrap_or(0);
    assert_eq!(sum("suspension_deadlines.kept_suspended"), 1, "{a:?} {b:?}");
    assert_eq!(sum("inactivity.notices_sent"), 2, "{a:?} {b:?}");
    assert_eq!(state_mails(&h, "identity.deadline_passed").await, 1);
    let mut notified: Vec<String> = outbox(&h, "identity_inactivity_notice")
        .await
        .into_iter()
        .map(|m| m.to)
        .collect();
    notified.sort();
    assert_eq!(
        notified,
        ["anna.bianchi@example.it", "mario.rossi@example.it"]
    );
    assert!(identity(&h, anna).await.state().is_active());
}

async fn a_dry_run_decides_but_keeps_nothing(h: TestApp) {
    let a = active_identity(&h).await;
    h.service
        .suspend_identity(
            a.identity.id(),
            SuspensionReason::HolderRequest,
            Actor::Holder(a.holder),
        )
        .await
        .unwrap();
    let mut dry = options();
    dry.dry_run = true;
    dry.as_of = Some(h.service.now() + Duration::days(40));
    let rehearsal = changes(&h.service.run_jobs(&dry).await);
    assert_eq!(
        rehearsal.get("suspension_deadlines.kept_suspended"),
        Some(&1)
    );
    assert!(matches!(
        identity(&h, a.holder).await.state(),
        IdentityState::Suspended {
            deadline: Some(_),
            ..
        }
    ));
    assert_eq!(state_mails(&h, "identity.deadline_passed").await, 0);
    assert!(
        h.service.job_status().await.unwrap().is_empty(),
        "dry runs are not recorded"
    );
    // As of a date, for real: the same decision, kept.
    dry.dry_run = false;
    let real = changes(&h.service.run_jobs(&dry).await);
    assert_eq!(real, rehearsal);
    assert_eq!(state_mails(&h, "identity.deadline_passed").await, 1);
    let only = JobOptions {
        only: Some(Job::Retention),
        ..options()
    };
    let runs = h.service.run_jobs(&only).await;
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].job, "retention");
}

async fn retention_purges_what_has_outlived_its_time(h: TestApp) {
    let a = active_identity(&h).await;
    sign_in_l1(&h, &a).await;
    h.service
        .revoke_identity(
            a.identity.id(),
            RevocationCause::HolderRequest,
            Actor::Holder(a.holder),
        )
        .await
        .unwrap();
    h.clock.advance(Duration::days(1));
    let day_after = did(&run(&h).await);
    assert!(
        day_after.get("retention.codes").copied().unwrap_or(0) >= 1,
        "{day_after:?}"
    );
    assert_eq!(
        day_after.get("retention.access_records"),
        None,
        "kept 24 months"
    );
    h.clock.advance(Duration::days(2 * 366));
    let later = did(&run(&h).await);
    assert_eq!(later.get("retention.access_records"), Some(&1), "{later:?}");
    assert_eq!(
        later.get("retention.proofing_records"),
        None,
        "kept 20 years"
    );
    assert!(later.contains_key("retention.job_runs"), "{later:?}");
    h.clock.advance(Duration::days(20 * 366));
    let much_later = did(&run(&h).await);
    assert_eq!(
        much_later.get("retention.proofing_records"),
        Some(&1),
        "{much_later:?}"
    );
    assert!(identity(&h, a.holder).await.proofing().is_none());
    // The audit log is kept.
    let mut tx = h.store.begin_read().await.unwrap();
    let audit = tx
        .audit(&identity_service::AuditQuery {
            holder_id: Some(a.holder),
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(audit.iter().any(|r| r.event == "identity.verified"));
}

async fn a_backlog_of_expired_sessions_goes_in_batches(h: TestApp) {
    // More than the first batches hold (500, then at most twice as many): a
    // provider's first run at its size found 150,000 expired sessions, deleted
    // in one statement that held SQLite's writer for seconds.
    let a = active_identity(&h).await;
    let login = a.username.number();
    let mut tx = h.store.begin().await.unwrap();
    for _ in 0..1_700 {
        let (token, session) = (
            identity_service::usecases::sessions::SessionToken::generate(
                &identity_service::ports::OsRandomness,
            ),
            identity_core::Session {
                id: uuid::Uuid::now_v7(),
                holder_id: a.holder,
                login,
                area: identity_core::SessionArea::Customer,
                level: identity_core::CredentialLevel::L1,
                created_at: h.service.now(),
                last_seen_at: h.service.now(),
                client_ip: None,
                user_agent: None,
                reauthenticated_at: None,
            },
        );
        tx.insert_session(&token.hash(), &session).await.unwrap();
    }
    tx.commit().await.unwrap();
    h.clock.advance(Duration::days(2));
    let run = h.run_job(Job::Retention).await;
    assert_eq!(run.error, None);
    assert_eq!(run.counts.get("sessions"), Some(&1_700), "{:?}", run.counts);
    let mut tx = h.store.begin_read().await.unwrap();
    assert!(tx.sessions_of(a.holder).await.unwrap().is_empty());
}
