//! Properties of the identity state machine over random command sequences, plus
//! example-based tests of the individual rules.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;

use super::*;
use crate::ids::{HolderId, IdentityId, LoginNumber};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 10, 0, 0)
        .single()
        .expect("valid instant")
}

fn document(expires_on: NaiveDate) -> IdentityDocument {
    IdentityDocument {
        kind: DocumentKind::IdentityCard,
        number: "CA00000AA".into(),
        issuer: "Comune di Roma".into(),
        expires_on,
    }
}

fn proofing(expires_on: NaiveDate) -> Proofing {
    Proofing {
        method: ProofingMethod::InPerson,
        document: document(expires_on),
        evidence_ref: "ev-1".into(),
    }
}

fn pending(now: DateTime<Utc>) -> DigitalIdentity {
    let id = IdentityId::from_uuid(uuid::Uuid::from_u128(1));
    let holder = HolderId::from_uuid(uuid::Uuid::from_u128(2));
    let username = LoginNumber::new(123_456).expect("6 digits");
    DigitalIdentity::request(id, holder, username, Actor::Holder(holder), now).0
}

fn operator() -> Actor {
    Actor::Operator("op".into())
}

fn active(now: DateTime<Utc>) -> DigitalIdentity {
    let far = NaiveDate::from_ymd_opt(2040, 1, 1).expect("date");
    pending(now)
        .verify(proofing(far), operator(), now)
        .expect("verifies")
        .0
}

#[test]
fn an_expired_document_is_refused_at_verification() {
    let expired = NaiveDate::from_ymd_opt(2026, 2, 28).expect("date");
    let err = pending(t0())
        .verify(proofing(expired), operator(), t0())
        .unwrap_err();
    assert_eq!(err, TransitionError::DocumentExpired(expired));
}

#[test]
fn suspension_deadline_is_the_end_of_the_thirtieth_rome_day() {
    let (s, e) = active(t0())
        .suspend(SuspensionReason::HolderRequest, operator(), t0())
        .unwrap();
    let IdentityState::Suspended {
        deadline: Some(d), ..
    } = s.state().clone()
    else {
        panic!("suspended")
    };
    // 2026-03-31 is after the switch to summer time: Rome midnight is 22:00 UTC.
    assert_eq!(
        d,
        Utc.with_ymd_and_hms(2026, 3, 31, 21, 59, 59).unwrap() + Duration::milliseconds(999)
    );
    assert_eq!(
        e.kind,
        IdentityEventKind::Suspended {
            reason: SuspensionReason::HolderRequest,
            deadline: Some(d)
        }
    );
}

#[test]
fn at_the_deadline_a_police_report_means_revocation() {
    let (s, _) = active(t0())
        .suspend(SuspensionReason::EmergencyBlock, operator(), t0())
        .unwrap();
    let (s, _) = s
        .record_police_report("Denuncia 123/2026", operator(), t0())
        .unwrap();
    assert_eq!(
        s.clone().reactivate(operator(), t0()).unwrap_err(),
        TransitionError::PoliceReportOnRecord
    );
    let early = t0() + Duration::days(29);
    assert_eq!(
        s.clone()
            .apply_deadline(DeadlinePolicy::KeepSuspended, early)
            .unwrap_err(),
        TransitionError::NothingDue
    );
    let (s, e) = s
        .apply_deadline(DeadlinePolicy::KeepSuspended, t0() + Duration::days(31))
        .unwrap();
    assert!(matches!(
        s.state(),
        IdentityState::Revoked {
            cause: RevocationCause::SuspensionDeadlineWithReport,
            ..
        }
    ));
    assert_eq!(e.actor, Actor::System("suspension_deadline".into()));
}

#[test]
fn at_the_deadline_without_report_the_policy_decides() {
    let (s, _) = active(t0())
        .suspend(SuspensionReason::HolderRequest, operator(), t0())
        .unwrap();
    let later = t0() + Duration::days(31);
    let (kept, e) = s
        .clone()
        .apply_deadline(DeadlinePolicy::KeepSuspended, later)
        .unwrap();
    assert!(matches!(
        kept.state(),
        IdentityState::Suspended { deadline: None, .. }
    ));
    assert_eq!(e.kind, IdentityEventKind::DeadlinePassedKeptSuspended);
    let (kept, _) = kept
        .reactivate(Actor::Holder(s.holder_id()), later)
        .unwrap();
    assert!(kept.state().is_active());
    let (restored, _) = s
        .apply_deadline(DeadlinePolicy::AutoRestore, later)
        .unwrap();
    assert!(restored.state().is_active());
}

#[test]
fn shared_contact_data_not_fixed_is_revoked_at_the_deadline() {
    let (s, _) = active(t0())
        .suspend(SuspensionReason::SharedContactData, operator(), t0())
        .unwrap();
    let (s, _) = s
        .apply_deadline(DeadlinePolicy::AutoRestore, t0() + Duration::days(40))
        .unwrap();
    assert!(matches!(
        s.state(),
        IdentityState::Revoked {
            cause: RevocationCause::SharedContactDataNotFixed,
            ..
        }
    ));
}

#[test]
fn an_expired_document_suspends_until_a_new_one_is_recorded() {
    let expires = NaiveDate::from_ymd_opt(2026, 6, 30).expect("date");
    let s = pending(t0())
        .verify(proofing(expires), operator(), t0())
        .unwrap()
        .0;
    assert_eq!(
        s.clone().apply_document_expiry(t0()).unwrap_err(),
        TransitionError::NothingDue
    );
    let july = Utc.with_ymd_and_hms(2026, 7, 1, 8, 0, 0).unwrap();
    let (s, e) = s.apply_document_expiry(july).unwrap();
    assert!(matches!(
        e.kind,
        IdentityEventKind::Suspended {
            reason: SuspensionReason::DocumentExpired,
            deadline: None
        }
    ));
    assert_eq!(
        s.clone().reactivate(operator(), july).unwrap_err(),
        TransitionError::NeedsNewDocument
    );
    let new_doc = document(NaiveDate::from_ymd_opt(2036, 7, 1).expect("date"));
    let (s, events) = s.record_document(new_doc, operator(), july).unwrap();
    assert!(s.state().is_active());
    assert_eq!(events.len(), 2);
}

#[test]
fn inactivity_revokes_after_24_months_with_notices_before() {
    let mut s = active(t0());
    let use_at = Utc.with_ymd_and_hms(2026, 5, 10, 12, 0, 0).unwrap();
    s.record_use(use_at).unwrap();
    let at = s.inactivity_revocation_at().unwrap();
    // End of 2028-05-10 in Rome (summer time, UTC+2).
    assert_eq!(
        at,
        Utc.with_ymd_and_hms(2028, 5, 10, 21, 59, 59).unwrap() + Duration::milliseconds(999)
    );
    let notices = s.inactivity_notice_dates();
    // Each notice is the end of the Rome day that many calendar days before, even
    // across the clock changes between (90 days before 10 May is 9 February, winter time).
    for (days, at) in &notices {
        let day = crate::calendar::rome_date(*at);
        assert_eq!(
            day,
            NaiveDate::from_ymd_opt(2028, 5, 10).unwrap() - chrono::Days::new(u64::from(*days))
        );
        assert_eq!(*at, crate::calendar::end_of_rome_day(day));
    }
    assert_eq!(
        notices.iter().map(|n| n.0).collect::<Vec<_>>(),
        vec![90, 30, 10, 1]
    );
    assert!(notices.windows(2).all(|w| w[0].1 < w[1].1));
    assert_eq!(
        s.clone()
            .apply_inactivity(at - Duration::seconds(1))
            .unwrap_err(),
        TransitionError::NothingDue
    );
    let (s, _) = s.apply_inactivity(at).unwrap();
    assert!(matches!(
        s.state(),
        IdentityState::Revoked {
            cause: RevocationCause::Inactivity,
            ..
        }
    ));
}

#[test]
fn a_police_report_belongs_to_a_suspension() {
    let s = active(t0());
    assert_eq!(
        s.clone()
            .record_police_report("ref", operator(), t0())
            .unwrap_err(),
        TransitionError::NotSuspended
    );
    let (s, _) = s
        .suspend(SuspensionReason::EmergencyBlock, operator(), t0())
        .unwrap();
    assert!(s.record_police_report("ref", operator(), t0()).is_ok());
}

#[test]
fn revoked_is_terminal() {
    let (s, _) = active(t0())
        .revoke(RevocationCause::HolderRequest, operator(), t0())
        .unwrap();
    assert_eq!(
        s.clone()
            .suspend(SuspensionReason::HolderRequest, operator(), t0())
            .unwrap_err(),
        TransitionError::Revoked
    );
    assert_eq!(
        s.clone().reactivate(operator(), t0()).unwrap_err(),
        TransitionError::Revoked
    );
    assert_eq!(
        s.clone()
            .revoke(RevocationCause::Death, operator(), t0())
            .unwrap_err(),
        TransitionError::Revoked
    );
    assert!(s.inactivity_revocation_at().is_none());
}

#[derive(Debug, Clone)]
enum Command {
    Verify { expires_in_days: i64 },
    Suspend(SuspensionReason),
    Reactivate,
    Revoke(RevocationCause),
    RecordReport,
    RecordDocument { expires_in_days: i64 },
    DocumentExpiry,
    Inactivity,
    Use,
}

fn reason() -> impl Strategy<Value = SuspensionReason> {
    prop_oneof![
        Just(SuspensionReason::HolderRequest),
        Just(SuspensionReason::EmergencyBlock),
        Just(SuspensionReason::SuspectedFraud),
        Just(SuspensionReason::DocumentExpired),
        Just(SuspensionReason::SharedContactData),
    ]
}

fn command() -> impl Strategy<Value = Command> {
    prop_oneof![
        (-10i64..2000).prop_map(|d| Command::Verify { expires_in_days: d }),
        reason().prop_map(Command::Suspend),
        Just(Command::Reactivate),
        (0..RevocationCause::ALL.len()).prop_map(|i| Command::Revoke(RevocationCause::ALL[i])),
        Just(Command::RecordReport),
        (-10i64..2000).prop_map(|d| Command::RecordDocument { expires_in_days: d }),
        Just(Command::DocumentExpiry),
        Just(Command::Inactivity),
        Just(Command::Use),
    ]
}

fn apply(
    s: DigitalIdentity,
    c: &Command,
    now: DateTime<Utc>,
) -> Result<DigitalIdentity, TransitionError> {
    let today = crate::calendar::rome_date(now);
    let op = operator();
    match c {
        Command::Verify { expires_in_days } => s
            .verify(proofing(today + Duration::days(*expires_in_days)), op, now)
            .map(|r| r.0),
        Command::Suspend(r) => s.suspend(*r, op, now).map(|r| r.0),
        Command::Reactivate => s.reactivate(op, now).map(|r| r.0),
        Command::Revoke(c) => s.revoke(*c, op, now).map(|r| r.0),
        Command::RecordReport => s.record_police_report("ref", op, now).map(|r| r.0),
        Command::RecordDocument { expires_in_days } => s
            .record_document(document(today + Duration::days(*expires_in_days)), op, now)
            .map(|r| r.0),
        Command::DocumentExpiry => s.apply_document_expiry(now).map(|r| r.0),
        Command::Inactivity => s.apply_inactivity(now).map(|r| r.0),
        Command::Use => {
            let mut s = s;
            s.record_use(now).map(|()| s)
        }
    }
}

fn assert_invariants(s: &DigitalIdentity) {
    match s.state() {
        IdentityState::Pending => assert!(s.proofing().is_none() && s.activated_at().is_none()),
        IdentityState::Active => assert!(s.proofing().is_some() && s.activated_at().is_some()),
        IdentityState::Suspended {
            reason,
            since,
            deadline,
        } => {
            assert!(s.proofing().is_some());
            if let Some(d) = deadline {
                assert!(reason.has_deadline());
                assert!(*d > *since && *d - *since <= Duration::days(32));
            }
        }
        IdentityState::Revoked { .. } => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_command_sequence_keeps_the_identity_valid(
        steps in proptest::collection::vec((command(), 0i64..(40 * 86_400)), 1..40),
        policy in prop_oneof![Just(DeadlinePolicy::KeepSuspended), Just(DeadlinePolicy::AutoRestore)],
    ) {
        let mut now = t0();
        let mut s = pending(now);
        for (cmd, advance) in &steps {
            now += Duration::seconds(*advance);
            // The scheduler runs before anything else at each instant.
            if let Ok((next, _)) = s.clone().apply_deadline(policy, now) {
                s = next;
            }
            // No suspension with a deadline outlives it without a decision.
            if let IdentityState::Suspended { deadline: Some(d), .. } = s.state() {
                prop_assert!(now < *d);
            }
            let before = s.clone();
            match apply(s.clone(), cmd, now) {
                Ok(next) => {
                    // Revoked is terminal: nothing succeeds on it but a use... which must fail too.
                    prop_assert!(!before.state().is_revoked(), "{cmd:?} succeeded on a revoked identity");
                    s = next;
                }
                Err(e) => {
                    if before.state().is_revoked() {
                        prop_assert!(
                            matches!(e, TransitionError::Revoked | TransitionError::NothingDue | TransitionError::NotActive),
                            "unexpected error on a revoked identity: {e:?}"
                        );
                    }
                }
            }
            assert_invariants(&s);
        }
    }
}
