use super::*;
use proptest::prelude::*;

fn ctx_mario() -> PasswordContext<'static> {
    PasswordContext {
        names: vec!["Mario", "De Rossi"],
        tax_code: Some("DRSMRA80B01H501U"),
        login_numbers: vec!["123456789"],
        birth_date: NaiveDate::from_ymd_opt(1980, 2, 1),
    }
}

fn violations(candidate: &str, ctx: &PasswordContext<'_>) -> Vec<PasswordViolation> {
    PasswordPolicy::default()
        .check(candidate, ctx)
        .err()
        .unwrap_or_default()
}

#[test]
fn a_good_password_passes() {
    assert_eq!(
        PasswordPolicy::default().check("Ce11o!Blu#", &ctx_mario()),
        Ok(())
    );
    assert_eq!(
        PasswordPolicy::default().check("Zäfiro_77x", &ctx_mario()),
        Ok(())
    );
}

#[test]
fn every_violation_is_listed() {
    let v = violations("aaa", &PasswordContext::default());
    assert_eq!(
        v,
        vec![
            PasswordViolation::TooShort { min: 8, len: 3 },
            PasswordViolation::MissingUppercase,
            PasswordViolation::MissingDigit,
            PasswordViolation::MissingSpecial,
            PasswordViolation::RepeatedCharacters { ch: 'a', max: 2 },
        ]
    );
}

#[test]
fn length_is_counted_in_characters() {
    // 8 characters, more than 8 bytes.
    assert_eq!(
        PasswordPolicy::default().check("Àèìòù1!x", &PasswordContext::default()),
        Ok(())
    );
    let long = format!("Aa1!{}", "xy".repeat(31)); // 66 chars
    assert_eq!(
        violations(&long, &PasswordContext::default()),
        vec![PasswordViolation::TooLong { max: 64, len: 66 }]
    );
    let exactly_64 = format!("Aa1!{}", "xy".repeat(30));
    assert_eq!(
        PasswordPolicy::default().check(&exactly_64, &PasswordContext::default()),
        Ok(())
    );
}

#[test]
fn composition_rules() {
    let none = PasswordContext::default();
    assert_eq!(
        violations("abcdefg1!", &none),
        vec![PasswordViolation::MissingUppercase]
    );
    assert_eq!(
        violations("ABCDEFG1!", &none),
        vec![PasswordViolation::MissingLowercase]
    );
    assert_eq!(
        violations("Abcdefgh!", &none),
        vec![PasswordViolation::MissingDigit]
    );
    assert_eq!(
        violations("Abcdefgh1", &none),
        vec![PasswordViolation::MissingSpecial]
    );
    assert_eq!(
        violations("Abcd efg1!", &none),
        vec![PasswordViolation::ContainsWhitespace]
    );
    assert_eq!(
        violations("Abcd\u{a0}efg1!", &none),
        vec![PasswordViolation::ContainsWhitespace]
    );
    assert_eq!(
        violations("Abcd\tefg1!", &none),
        vec![PasswordViolation::ContainsWhitespace]
    );
    assert_eq!(
        violations("Abcd\u{200b}efg1!", &none),
        vec![PasswordViolation::InvalidCharacter { code: 0x200b }]
    );
    // An invisible character does not count as the special character.
    assert!(violations("Abcd\u{200b}efg1", &none).contains(&PasswordViolation::MissingSpecial));
}

#[test]
fn two_identical_in_a_row_are_fine_three_are_not() {
    let none = PasswordContext::default();
    assert_eq!(PasswordPolicy::default().check("Aab11!!cD", &none), Ok(()));
    assert_eq!(
        violations("Abbb1!cDe", &none),
        vec![PasswordViolation::RepeatedCharacters { ch: 'b', max: 2 }]
    );
    assert_eq!(
        violations("Ab111!!!c", &none),
        vec![
            PasswordViolation::RepeatedCharacters { ch: '1', max: 2 },
            PasswordViolation::RepeatedCharacters { ch: '!', max: 2 },
        ]
    );
    // Case differs: not identical.
    assert_eq!(PasswordPolicy::default().check("aAa1!bcDe", &none), Ok(()));
}

#[test]
fn names_are_refused_case_and_accent_insensitively() {
    let ctx = ctx_mario();
    assert_eq!(
        violations("xMARIOx1!", &ctx),
        vec![PasswordViolation::ContainsName]
    );
    assert_eq!(
        violations("Rossi2024!", &ctx),
        vec![PasswordViolation::ContainsName]
    );
    assert_eq!(
        violations("Ab1!derossi", &ctx),
        vec![PasswordViolation::ContainsName]
    );
    // "De" is too short to count on its own.
    assert_eq!(PasswordPolicy::default().check("Deserto#91", &ctx), Ok(()));

    let ctx = PasswordContext {
        names: vec!["Nicolò", "Çelik"],
        ..PasswordContext::default()
    };
    assert_eq!(
        violations("Nicolo#2024", &ctx),
        vec![PasswordViolation::ContainsName]
    );
    assert_eq!(
        violations("Xcelik#2024", &ctx),
        vec![PasswordViolation::ContainsName]
    );
    assert_eq!(
        violations("NICOLÒ#2024x", &ctx),
        vec![PasswordViolation::ContainsName]
    );
}

#[test]
fn tax_code_and_login_numbers_are_refused() {
    let ctx = ctx_mario();
    assert_eq!(
        violations("drsmra80b01h501u!A", &ctx),
        vec![PasswordViolation::ContainsTaxCode]
    );
    assert_eq!(
        violations("Pw!123456789x", &ctx),
        vec![PasswordViolation::ContainsLoginNumber]
    );
    let ctx = PasswordContext {
        login_numbers: vec!["ID-00482913"],
        ..PasswordContext::default()
    };
    assert_eq!(
        violations("Pw!00482913x", &ctx),
        vec![PasswordViolation::ContainsLoginNumber]
    );
    assert_eq!(
        violations("Pw!id-00482913x", &ctx),
        vec![PasswordViolation::ContainsLoginNumber]
    );
}

#[test]
fn birth_date_is_refused_in_common_forms() {
    let ctx = PasswordContext {
        birth_date: NaiveDate::from_ymd_opt(1980, 2, 1),
        ..PasswordContext::default()
    };
    for form in [
        "01021980",
        "19800201",
        "010280",
        "1980-02-01",
        "01/02/1980",
        "01-02-1980",
        "01.02.1980",
        "1/2/1980",
        "01/02/80",
    ] {
        let pw = format!("Pw!{form}x");
        assert_eq!(
            violations(&pw, &ctx),
            vec![PasswordViolation::ContainsBirthDate],
            "{pw}"
        );
    }
    assert_eq!(PasswordPolicy::default().check("Pw!1980xYz", &ctx), Ok(()));
}

#[test]
fn all_personal_violations_together() {
    let v = violations("Mario01021980DRSMRA80B01H501U123456789!", &ctx_mario());
    assert_eq!(
        v,
        vec![
            PasswordViolation::ContainsName,
            PasswordViolation::ContainsTaxCode,
            PasswordViolation::ContainsLoginNumber,
            PasswordViolation::ContainsBirthDate,
        ]
    );
}

#[test]
fn configuration_is_validated() {
    assert!(PasswordPolicy::new(8, 64).is_ok());
    assert!(PasswordPolicy::new(12, 12).is_ok());
    assert_eq!(
        PasswordPolicy::new(7, 64),
        Err(PolicyConfigError::MinTooSmall { min: 7, floor: 8 })
    );
    assert_eq!(
        PasswordPolicy::new(20, 10),
        Err(PolicyConfigError::MaxBelowMin { min: 20, max: 10 })
    );
    assert_eq!(
        PasswordPolicy::new(8, 1000),
        Err(PolicyConfigError::MaxTooLarge {
            max: 1000,
            ceiling: 256
        })
    );
    let weak = PasswordPolicySettings {
        history_count: 2,
        ..PasswordPolicySettings::default()
    };
    assert!(matches!(
        PasswordPolicy::from_settings(weak),
        Err(PolicyConfigError::HistoryCount { .. })
    ));
    let weak = PasswordPolicySettings {
        history_months: 6,
        ..PasswordPolicySettings::default()
    };
    assert!(matches!(
        PasswordPolicy::from_settings(weak),
        Err(PolicyConfigError::HistoryMonths { .. })
    ));
    let weak = PasswordPolicySettings {
        max_age_days: 365,
        ..PasswordPolicySettings::default()
    };
    assert!(matches!(
        PasswordPolicy::from_settings(weak),
        Err(PolicyConfigError::MaxAge { .. })
    ));
    let bad = PasswordPolicySettings {
        warning_days: vec![7, 0],
        ..PasswordPolicySettings::default()
    };
    assert!(matches!(
        PasswordPolicy::from_settings(bad),
        Err(PolicyConfigError::Warning { days: 0, .. })
    ));
}

#[test]
fn stricter_length_is_applied() {
    let policy = PasswordPolicy::new(12, 20).expect("valid");
    assert_eq!(
        policy.check("Ce11o!Blu#", &PasswordContext::default()),
        Err(vec![PasswordViolation::TooShort { min: 12, len: 10 }])
    );
}

#[test]
fn every_violation_has_its_own_message() {
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
    let mut seen = std::collections::HashSet::new();
    for v in &all {
        assert!(seen.insert(v.to_string()), "duplicate message for {v:?}");
    }
}

proptest! {
    #[test]
    fn never_accepts_three_identical_characters_in_a_row(
        prefix in "\\PC{0,20}",
        ch in any::<char>(),
        suffix in "\\PC{0,20}",
    ) {
        let candidate = format!("{prefix}{ch}{ch}{ch}{suffix}");
        let result = PasswordPolicy::default().check(&candidate, &PasswordContext::default());
        prop_assert!(result.is_err());
        let v = result.err().unwrap_or_default();
        let repeated = v.iter().any(|v| matches!(v, PasswordViolation::RepeatedCharacters { .. }));
        prop_assert!(repeated);
    }

    #[test]
    fn accepted_passwords_satisfy_every_composition_rule(candidate in "[A-Za-z0-9!#_ .-]{0,70}") {
        if PasswordPolicy::default().check(&candidate, &PasswordContext::default()).is_ok() {
            let n = candidate.chars().count();
            prop_assert!((8..=64).contains(&n));
            prop_assert!(candidate.chars().any(|c| c.is_ascii_uppercase()));
            prop_assert!(candidate.chars().any(|c| c.is_ascii_lowercase()));
            prop_assert!(candidate.chars().any(|c| c.is_ascii_digit()));
            prop_assert!(!candidate.contains(' '));
        }
    }

    #[test]
    fn check_never_panics(candidate in "\\PC{0,100}") {
        let _ = PasswordPolicy::default().check(&candidate, &ctx_mario());
    }
}

#[test]
fn settings_deserialize_with_defaults_and_validation() {
    // serde_json is not a dependency: use serde's value deserializer.
    use serde::de::value::{Error as DeError, MapDeserializer};
    let map = MapDeserializer::<_, DeError>::new(vec![("min_len", 10usize)].into_iter());
    let policy = PasswordPolicy::deserialize(map).expect("valid");
    assert_eq!(policy.min_len(), 10);
    assert_eq!(policy.max_len(), 64);
    let map = MapDeserializer::<_, DeError>::new(vec![("min_len", 4usize)].into_iter());
    assert!(PasswordPolicy::deserialize(map).is_err());
}
