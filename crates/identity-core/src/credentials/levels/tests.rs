use super::*;
use CredentialLevel::{L1, L2, L3};
use proptest::prelude::*;

fn l1_l2() -> CredentialLevels {
    CredentialLevels::with_password()
        .activate(L2)
        .expect("L2 activates")
}

#[test]
fn level_numbers_and_acr() {
    for l in CredentialLevel::ALL {
        assert_eq!(CredentialLevel::from_u8(l.as_u8()), Some(l));
        assert_eq!(CredentialLevel::from_spid_acr(l.spid_acr()), Some(l));
    }
    assert_eq!(L2.spid_acr(), "https://www.spid.gov.it/SpidL2");
    assert_eq!(CredentialLevel::from_u8(0), None);
    assert_eq!(CredentialLevel::from_u8(4), None);
    assert_eq!(
        CredentialLevel::from_spid_acr("https://www.spid.gov.it/SpidL4"),
        None
    );
    assert!(L1 < L2 && L2 < L3);
    assert_eq!(L3.to_string(), "L3");
}

#[test]
fn activation_needs_level_1() {
    let none = CredentialLevels::new();
    assert_eq!(none.highest_active(), None);
    assert_eq!(
        none.activate(L2),
        Err(LevelTransitionError::RequiresLevel1(L2))
    );
    assert_eq!(
        none.activate(L3),
        Err(LevelTransitionError::RequiresLevel1(L3))
    );
    let l1 = none.activate(L1).expect("L1");
    assert_eq!(l1, CredentialLevels::with_password());
    assert_eq!(l1.highest_active(), Some(L1));
    assert_eq!(
        l1.activate(L1),
        Err(LevelTransitionError::AlreadyActive(L1))
    );
    let both = l1.activate(L2).expect("L2");
    assert_eq!(both.highest_active(), Some(L2));
    assert_eq!(both.activate(L3).expect("L3").highest_active(), Some(L3));
}

#[test]
fn block_and_unblock_level_2() {
    let blocked = l1_l2().block(L2).expect("block");
    assert_eq!(blocked.state(L2), LevelState::Blocked);
    assert_eq!(blocked.block(L2), Err(LevelTransitionError::Blocked(L2)));
    assert_eq!(blocked.activate(L2), Err(LevelTransitionError::Blocked(L2)));
    assert_eq!(blocked.highest_active(), Some(L1));
    let unblocked = blocked.unblock(L2).expect("unblock");
    assert_eq!(unblocked, l1_l2());
    assert_eq!(
        unblocked.unblock(L2),
        Err(LevelTransitionError::NotBlocked(L2))
    );
    assert_eq!(
        CredentialLevels::with_password().block(L1),
        Err(LevelTransitionError::CannotBlockLevel1)
    );
    assert_eq!(
        CredentialLevels::with_password().block(L2),
        Err(LevelTransitionError::NotActive(L2))
    );
}

#[test]
fn a_blocked_level_2_does_not_fall_back_to_the_password() {
    let blocked = l1_l2().block(L2).expect("block");
    assert_eq!(
        blocked.required_sign_in_level(),
        Err(SignInBlocked::LevelBlocked(L2))
    );
    assert_eq!(
        blocked.check_sign_in_at(L1),
        Err(SignInBlocked::LevelBlocked(L2))
    );
    assert_eq!(
        blocked.check_sign_in_at(L2),
        Err(SignInBlocked::LevelBlocked(L2))
    );
    // Removing the blocked level to get around the block is refused too.
    assert_eq!(blocked.remove(L2), Err(LevelTransitionError::Blocked(L2)));
}

#[test]
fn a_stronger_active_level_still_signs_in() {
    let levels = l1_l2()
        .activate(L3)
        .and_then(|l| l.block(L2))
        .expect("L3 active, L2 blocked");
    assert_eq!(levels.required_sign_in_level(), Ok(L3));
    assert_eq!(levels.check_sign_in_at(L3), Ok(()));
    assert_eq!(
        levels.check_sign_in_at(L1),
        Err(SignInBlocked::LevelBlocked(L2))
    );
}

#[test]
fn required_level_is_the_highest_held() {
    assert_eq!(
        CredentialLevels::new().required_sign_in_level(),
        Err(SignInBlocked::NoCredential)
    );
    assert_eq!(
        CredentialLevels::with_password().required_sign_in_level(),
        Ok(L1)
    );
    assert_eq!(l1_l2().required_sign_in_level(), Ok(L2));
    assert_eq!(l1_l2().check_sign_in_at(L1), Ok(()));
    assert_eq!(
        l1_l2().check_sign_in_at(L3),
        Err(SignInBlocked::LevelNotActive(L3))
    );
}

#[test]
fn remove_levels() {
    let removed = l1_l2().remove(L2).expect("remove");
    assert_eq!(removed, CredentialLevels::with_password());
    assert_eq!(removed.remove(L2), Err(LevelTransitionError::NotActive(L2)));
    assert_eq!(
        removed.remove(L1),
        Err(LevelTransitionError::CannotRemoveLevel1)
    );
    assert_eq!(
        removed.activate(L2),
        Ok(l1_l2()),
        "a removed level can be activated again"
    );
}

#[test]
fn revocation_is_terminal() {
    let revoked = l1_l2().revoke_all();
    assert!(revoked.is_revoked());
    assert!(
        CredentialLevel::ALL
            .iter()
            .all(|l| revoked.state(*l) == LevelState::Revoked)
    );
    assert_eq!(revoked.highest_active(), None);
    assert_eq!(
        revoked.required_sign_in_level(),
        Err(SignInBlocked::Revoked)
    );
    assert_eq!(revoked.check_sign_in_at(L1), Err(SignInBlocked::Revoked));
    for l in CredentialLevel::ALL {
        assert_eq!(revoked.activate(l), Err(LevelTransitionError::Revoked));
        assert_eq!(revoked.block(l), Err(LevelTransitionError::Revoked));
        assert_eq!(revoked.unblock(l), Err(LevelTransitionError::Revoked));
        assert_eq!(revoked.remove(l), Err(LevelTransitionError::Revoked));
    }
    assert_eq!(revoked.revoke_all(), revoked);
}

#[test]
fn stored_states_are_validated() {
    use LevelState::*;
    assert!(CredentialLevels::from_states(Active, Blocked, NotActivated).is_ok());
    assert!(CredentialLevels::from_states(Revoked, Revoked, Revoked).is_ok());
    assert_eq!(
        CredentialLevels::from_states(NotActivated, Active, NotActivated),
        Err(LevelTransitionError::Inconsistent)
    );
    assert_eq!(
        CredentialLevels::from_states(Blocked, NotActivated, NotActivated),
        Err(LevelTransitionError::Inconsistent)
    );
    assert_eq!(
        CredentialLevels::from_states(Revoked, Active, NotActivated),
        Err(LevelTransitionError::Inconsistent)
    );
}

#[test]
fn errors_explain_themselves() {
    let errors = [
        LevelTransitionError::Revoked,
        LevelTransitionError::RequiresLevel1(L2),
        LevelTransitionError::AlreadyActive(L2),
        LevelTransitionError::Blocked(L2),
        LevelTransitionError::NotActive(L3),
        LevelTransitionError::NotBlocked(L2),
        LevelTransitionError::CannotBlockLevel1,
        LevelTransitionError::CannotRemoveLevel1,
        LevelTransitionError::Inconsistent,
    ];
    for e in errors {
        assert!(!e.to_string().is_empty());
    }
    for e in [
        SignInBlocked::LevelBlocked(L2),
        SignInBlocked::LevelNotActive(L3),
        SignInBlocked::Revoked,
        SignInBlocked::NoCredential,
    ] {
        assert!(!e.to_string().is_empty());
    }
}

#[derive(Debug, Clone, Copy)]
enum Op {
    Activate(CredentialLevel),
    Block(CredentialLevel),
    Unblock(CredentialLevel),
    Remove(CredentialLevel),
    RevokeAll,
}

fn op() -> impl Strategy<Value = Op> {
    let level = prop_oneof![Just(L1), Just(L2), Just(L3)];
    prop_oneof![
        4 => level.clone().prop_map(Op::Activate),
        2 => level.clone().prop_map(Op::Block),
        2 => level.clone().prop_map(Op::Unblock),
        2 => level.prop_map(Op::Remove),
        1 => Just(Op::RevokeAll),
    ]
}

proptest! {
    #[test]
    fn invariants_hold_under_any_sequence(ops in proptest::collection::vec(op(), 0..40)) {
        let mut levels = CredentialLevels::new();
        for op in ops {
            let next = match op {
                Op::Activate(l) => levels.activate(l),
                Op::Block(l) => levels.block(l),
                Op::Unblock(l) => levels.unblock(l),
                Op::Remove(l) => levels.remove(l),
                Op::RevokeAll => Ok(levels.revoke_all()),
            };
            let was_revoked = levels.is_revoked();
            if let Ok(next) = next {
                levels = next;
            }
            prop_assert!(!was_revoked || levels.is_revoked(), "revocation is terminal");
            let [a, b, c] = <[LevelState; 3]>::from(levels);
            prop_assert_eq!(CredentialLevels::from_states(a, b, c), Ok(levels));
            // Sign-in never succeeds below a blocked level.
            if let Ok(required) = levels.required_sign_in_level() {
                prop_assert_eq!(levels.state(required), LevelState::Active);
                prop_assert!(CredentialLevel::ALL.iter().all(|l| *l <= required || levels.state(*l) != LevelState::Blocked));
            }
        }
    }
}

#[test]
fn level_state_codes_round_trip() {
    for s in LevelState::ALL {
        assert_eq!(LevelState::from_code(s.code()), Some(s));
    }
    assert_eq!(LevelState::from_code("frozen"), None);
}
