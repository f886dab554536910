//! Every credential outcome has its own words in both languages.

use std::collections::HashSet;

use identity_core::credentials::levels::{
    CredentialLevel::{L2, L3},
    LevelTransitionError, SignInBlocked,
};
use identity_core::credentials::totp::TotpError;
use identity_core::password_policy::PasswordViolation;
use identity_words::{Lang, Words};

#[test]
fn every_password_violation_has_distinct_words() {
    let all = [
        PasswordViolation::TooShort { min: 8, len: 3 },
        PasswordViolation::TooLong { max: 64, len: 70 },
        PasswordViolation::MissingUppercase,
        PasswordViolation::MissingLowercase,
        PasswordViolation::MissingDigit,
        PasswordViolation::MissingSpecial,
        PasswordViolation::RepeatedCharacters { ch: 'a', max: 2 },
        PasswordViolation::ContainsWhitespace,
        PasswordViolation::InvalidCharacter { code: 0x200b },
        PasswordViolation::ContainsName,
        PasswordViolation::ContainsTaxCode,
        PasswordViolation::ContainsLoginNumber,
        PasswordViolation::ContainsBirthDate,
        PasswordViolation::RecentlyUsed {
            last: 5,
            months: 15,
        },
    ];
    let mut seen = HashSet::new();
    for v in &all {
        let (it, en) = (v.words(Lang::It), v.words(Lang::En));
        assert_ne!(it, en);
        assert!(
            seen.insert(it) && seen.insert(en),
            "duplicate words for {v:?}"
        );
    }
    assert!(
        PasswordViolation::TooShort { min: 8, len: 3 }
            .words(Lang::It)
            .contains('8')
    );
}

#[test]
fn level_and_one_time_code_outcomes_speak_both_languages() {
    let levels = [
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
    for e in levels {
        assert_ne!(e.words(Lang::It), e.words(Lang::En));
    }
    for e in [
        SignInBlocked::LevelBlocked(L2),
        SignInBlocked::LevelNotActive(L3),
        SignInBlocked::Revoked,
        SignInBlocked::NoCredential,
    ] {
        assert_ne!(e.words(Lang::It), e.words(Lang::En));
    }
    for e in [
        TotpError::Malformed,
        TotpError::WrongCode { attempts_left: 2 },
        TotpError::Replayed,
        TotpError::Blocked,
    ] {
        assert_ne!(e.words(Lang::It), e.words(Lang::En));
    }
}
