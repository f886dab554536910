//! Unit tests of the tax code: structure, omocodia, decoding, person checks.

use chrono::NaiveDate;
use serde::de::value::{Error as DeError, StrDeserializer};

use super::omocodia::check_character;
use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A valid code from its first 15 characters.
fn with_check(first15: &str) -> String {
    let check = char::from(check_character(first15.as_bytes()));
    format!("{first15}{check}")
}

fn personal(code: &str) -> PersonalTaxCode {
    PersonalTaxCode::parse(code).unwrap_or_else(|e| panic!("{code}: {e}"))
}

#[test]
fn parses_and_normalises() {
    let c = personal(" rssmra85t10a562s ");
    assert_eq!(c.as_str(), "RSSMRA85T10A562S");
    assert_eq!(c.to_string(), "RSSMRA85T10A562S");
    assert_eq!("RSS MRA 85T10 A562S".parse::<PersonalTaxCode>(), Ok(c));
    let any = TaxCode::parse("RSSMRA85T10A562S").unwrap();
    assert!(any.as_personal().is_some());
    assert_eq!(any.to_string(), "RSSMRA85T10A562S");
    let numeric = TaxCode::parse("12345670017").unwrap();
    assert!(matches!(numeric, TaxCode::Numeric(_)));
    assert!(numeric.as_personal().is_none());
    assert_eq!(numeric.as_str(), "12345670017");
}

#[test]
fn deserialises_through_parse() {
    let ok: Result<PersonalTaxCode, DeError> =
        serde::Deserialize::deserialize(StrDeserializer::<DeError>::new("rssmra85t10a562s"));
    assert_eq!(ok.unwrap().as_str(), "RSSMRA85T10A562S");
    let bad: Result<TaxCode, DeError> =
        serde::Deserialize::deserialize(StrDeserializer::<DeError>::new("RSSMRA85T10A562X"));
    assert!(bad.unwrap_err().to_string().contains("check character"));
}

#[test]
fn decodes_the_person() {
    let c = personal("VRDLCU90D45F205I");
    assert_eq!(c.sex(), Sex::Female);
    assert_eq!(c.birth_day(), 5);
    assert_eq!(c.birth_month(), 4);
    assert_eq!(c.birth_year_two_digits(), 90);
    assert_eq!(c.birth_place_code(), "F205");
    assert_eq!(c.birth_date_with(d(1990, 4, 5)), Some(d(1990, 4, 5)));
    assert_eq!(c.birth_date_with(d(1991, 1, 1)), Some(d(1990, 4, 5)));
    assert_eq!(c.birth_date_not_after(d(2025, 6, 1)), Some(d(1990, 4, 5)));
    let m = personal("RSSMRA85T10A562S");
    assert_eq!(m.sex(), Sex::Male);
    assert_eq!((m.birth_day(), m.birth_month()), (10, 12));
}

#[test]
fn the_century_follows_the_reference_date() {
    // Born on 1 March of a year ending in 05.
    let c = personal(&with_check("RSSMRA05C01H501"));
    assert_eq!(c.birth_date_with(d(2005, 3, 1)), Some(d(2005, 3, 1)));
    assert_eq!(c.birth_date_with(d(1905, 3, 1)), Some(d(1905, 3, 1)));
    assert_eq!(c.birth_date_not_after(d(2025, 1, 1)), Some(d(2005, 3, 1)));
    // On the reference day itself, and the day before it.
    assert_eq!(c.birth_date_not_after(d(2005, 3, 1)), Some(d(2005, 3, 1)));
    assert_eq!(c.birth_date_not_after(d(2005, 2, 28)), Some(d(1905, 3, 1)));
    // 29 February of a year ending in 00 exists in 2000 only.
    let leap = personal(&with_check("RSSMRA00B29H501"));
    assert_eq!(leap.birth_date_with(d(2000, 1, 1)), Some(d(2000, 2, 29)));
    assert_eq!(leap.birth_date_with(d(1900, 1, 1)), None);
}

#[test]
fn omocodes_decode_like_their_canonical_code() {
    let base = personal("RSSMRA85T10A562S");
    // The last digit replaced (2 -> N), then all seven.
    let omo = personal(&with_check("RSSMRA85T10A56N"));
    assert!(omo.is_omocode());
    assert!(!base.is_omocode());
    assert_eq!(omo.canonical(), base);
    assert_eq!(base.canonical(), base);
    assert_eq!(omo.birth_place_code(), "A562");
    assert_eq!(omo.birth_date_with(d(1985, 12, 10)), Some(d(1985, 12, 10)));
    let all = personal(&with_check("RSSMRAURTMLARSN"));
    assert_eq!(all.canonical(), base);
    assert_eq!(all.birth_year_two_digits(), 85);
    assert_eq!(all.birth_day(), 10);
    assert_eq!(all.birth_place_code(), "A562");
    // Omocode letters in the day still encode sex.
    let woman = personal(&with_check("VRDLCU90DQRF205"));
    assert_eq!(woman.sex(), Sex::Female);
    assert_eq!(woman.birth_day(), 5);
}

#[test]
fn errors_name_the_position_and_rule() {
    let err = |s: &str| PersonalTaxCode::parse(s).unwrap_err();
    assert_eq!(err(""), TaxCodeError::Empty);
    assert_eq!(err("   "), TaxCodeError::Empty);
    assert_eq!(
        err("RSSMRA85T10A562"),
        TaxCodeError::WrongLength { found: 15 }
    );
    assert_eq!(err("12345670017"), TaxCodeError::WrongForm { expected: 16 });
    assert_eq!(
        NumericTaxCode::parse("RSSMRA85T10A562S"),
        Err(TaxCodeError::WrongForm { expected: 11 })
    );
    assert_eq!(
        err("R5SMRA85T10A562S"),
        TaxCodeError::InvalidCharacter {
            position: 2,
            found: '5',
            expected: Expected::Letter
        }
    );
    assert_eq!(
        err("RSSMRA8AT10A562S"),
        TaxCodeError::InvalidCharacter {
            position: 8,
            found: 'A',
            expected: Expected::DigitOrOmocodeLetter
        }
    );
    assert_eq!(
        err("RSSMRA85F10A562S"),
        TaxCodeError::InvalidMonth { found: 'F' }
    );
    assert_eq!(
        err("RSSMRA85T35A562S"),
        TaxCodeError::InvalidDay { day: 35 }
    );
    assert_eq!(err("RSSMRA85TLLA562S"), TaxCodeError::InvalidDay { day: 0 });
    assert_eq!(
        err(&with_check("RSSMRA85D31A562")),
        TaxCodeError::DayNotInMonth { day: 31, month: 4 }
    );
    assert_eq!(
        err(&with_check("RSSMRA85B70A562")),
        TaxCodeError::DayNotInMonth { day: 30, month: 2 }
    );
    assert_eq!(
        err("RSSMRA85T10A562X"),
        TaxCodeError::WrongCheckCharacter {
            expected: 'S',
            found: 'X'
        }
    );
    // Non-ASCII characters are reported as typed, not folded or upper-cased.
    assert_eq!(
        err("RSSMRà85T10A562S"),
        TaxCodeError::InvalidCharacter {
            position: 6,
            found: 'à',
            expected: Expected::Letter
        }
    );
    // A ligature is not silently expanded into two letters.
    assert!(matches!(
        err("RSSMRA85T10A562ﬁ"),
        TaxCodeError::InvalidCharacter { position: 16, .. }
    ));
    assert_eq!(
        NumericTaxCode::parse("1234567001A"),
        Err(TaxCodeError::InvalidCharacter {
            position: 11,
            found: 'A',
            expected: Expected::Digit
        })
    );
    assert_eq!(
        NumericTaxCode::parse("12345670018"),
        Err(TaxCodeError::WrongCheckCharacter {
            expected: '7',
            found: '8'
        })
    );
    // Eleven characters starting with a letter: a truncated personal code.
    assert_eq!(
        TaxCode::parse("RSSMRA85T10"),
        Err(TaxCodeError::WrongLength { found: 11 })
    );
}

#[test]
fn errors_say_which_character_is_wrong() {
    let e = TaxCodeError::WrongCheckCharacter {
        expected: 'S',
        found: 'X',
    };
    assert!(e.to_string().contains("'S'") && e.to_string().contains("'X'"));
    let e = PersonalTaxCode::parse("RSSMRA8AT10A562S").unwrap_err();
    assert_eq!(
        e.to_string(),
        "character 8 ('A') should be a digit (or one of L M N P Q R S T U V)"
    );
}

fn mario() -> PersonCheck<'static> {
    PersonCheck {
        family_name: "Rossi",
        given_name: "Mario",
        birth_date: d(1985, 12, 10),
        sex: Sex::Male,
        birth_place_code: Some("a562"),
    }
}

#[test]
fn checks_the_declared_person() {
    let c = personal("RSSMRA85T10A562S");
    assert_eq!(c.check_person(&mario()), Ok(()));
    assert_eq!(
        c.check_person(&PersonCheck {
            birth_place_code: None,
            ..mario()
        }),
        Ok(())
    );
    let wrong = PersonCheck {
        family_name: "Russo", // Russo and Rossi both give RSS
        given_name: "Marco",
        birth_date: d(1985, 12, 11),
        sex: Sex::Female,
        birth_place_code: Some("H501"),
    };
    let errors = c.check_person(&wrong).unwrap_err();
    assert_eq!(
        errors,
        vec![
            TaxCodeMismatch::GivenName {
                in_code: "MRA".into(),
                from_name: "MRC".into()
            },
            TaxCodeMismatch::BirthDate {
                day: 10,
                month: 12,
                year_two_digits: 85,
                declared: d(1985, 12, 11)
            },
            TaxCodeMismatch::Sex {
                in_code: Sex::Male,
                declared: Sex::Female
            },
            TaxCodeMismatch::BirthPlace {
                in_code: "A562".into(),
                declared: "H501".into()
            },
        ]
    );
    let family = c
        .check_person(&PersonCheck {
            family_name: "Bianchi",
            ..mario()
        })
        .unwrap_err();
    assert_eq!(
        family,
        vec![TaxCodeMismatch::FamilyName {
            in_code: "RSS".into(),
            from_name: "BNC".into()
        }]
    );
    // The century is not in the code: any year ending in 85 agrees with it.
    assert_eq!(
        c.check_person(&PersonCheck {
            birth_date: d(1885, 12, 10),
            ..mario()
        }),
        Ok(())
    );
}

#[test]
fn omocodes_pass_the_person_check() {
    let omo = personal(&with_check("RSSMRAURTMLARSN"));
    assert_eq!(omo.check_person(&mario()), Ok(()));
}

#[test]
fn name_codes_are_reexported() {
    assert_eq!(family_name_code("Rossi"), "RSS");
    assert_eq!(given_name_code("Gianfranco"), "GFR");
}
