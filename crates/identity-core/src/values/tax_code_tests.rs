//! Unit tests of the tax code: structure, omocodia, decoding, person checks.

use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn parses_and_normalises() {
    let c = PersonalTaxCode::parse(" rssmra85t10a562s ").unwrap();
    assert_eq!(c.as_str(), "RSSMRA85T10A562S");
    assert_eq!(c.to_string(), "RSSMRA85T10A562S");
    assert!(matches!(
        TaxCode::parse("RSSMRA85T10A562S").unwrap(),
        TaxCode::Personal(_)
    ));
    assert!(matches!(
        TaxCode::parse("12345670017").unwrap(),
        TaxCode::Numeric(_)
    ));
}

#[test]
fn decodes_the_person() {
    let c = PersonalTaxCode::parse("VRDLCU90D45F205I").unwrap();
    assert_eq!(c.sex(), Sex::Female);
    assert_eq!(c.birth_day(), 5);
    assert_eq!(c.birth_month(), 4);
    assert_eq!(c.birth_year_two_digits(), 90);
    assert_eq!(c.birth_place_code(), "F205");
    assert_eq!(c.birth_date_with(d(1990, 4, 5)), Some(d(1990, 4, 5)));
    // The century follows the declared date.
    let young = PersonalTaxCode::parse("RSSMRA05T10A562")
        .map(|_| ())
        .unwrap_err();
    assert!(matches!(young, TaxCodeError::WrongLength { found: 15 }));
}

#[test]
fn omocodes_decode_like_their_canonical_code() {
    // RSSMRA85T10A562S with the last digit (2 -> N) replaced.
    let base = PersonalTaxCode::parse("RSSMRA85T10A562S").unwrap();
    let mut first15 = b"RSSMRA85T10A56N".to_vec();
    first15.push(u8::try_from(u32::from(check_character(&first15))).unwrap());
    let omo = PersonalTaxCode::parse(std::str::from_utf8(&first15).unwrap()).unwrap();
    assert!(omo.is_omocode());
    assert!(!base.is_omocode());
    assert_eq!(omo.canonical(), base);
    assert_eq!(omo.birth_place_code(), "A562");
    assert_eq!(omo.birth_date_with(d(1985, 12, 10)), Some(d(1985, 12, 10)));
}

#[test]
fn errors_name_the_position_and_rule() {
    assert_eq!(PersonalTaxCode::parse(""), Err(TaxCodeError::Empty));
    assert_eq!(
        PersonalTaxCode::parse("RSSMRA85T10A562"),
        Err(TaxCodeError::WrongLength { found: 15 })
    );
    assert_eq!(
        PersonalTaxCode::parse("12345670017"),
        Err(TaxCodeError::WrongForm { expected: 16 })
    );
    assert_eq!(
        NumericTaxCode::parse("RSSMRA85T10A562S"),
        Err(TaxCodeError::WrongForm { expected: 11 })
    );
    assert_eq!(
        PersonalTaxCode::parse("R5SMRA85T10A562S"),
        Err(TaxCodeError::InvalidCharacter {
            position: 2,
            found: '5',
            expected: Expected::Letter
        })
    );
    assert_eq!(
        PersonalTaxCode::parse("RSSMRA8AT10A562S"),
        Err(TaxCodeError::InvalidCharacter {
            position: 8,
            found: 'A',
            expected: Expected::Digit
        })
    );
    assert_eq!(
        PersonalTaxCode::parse("RSSMRA85F10A562S"),
        Err(TaxCodeError::InvalidMonth { found: 'F' })
    );
    assert_eq!(
        PersonalTaxCode::parse("RSSMRA85T35A562S"),
        Err(TaxCodeError::InvalidDay { day: 35 })
    );
    assert_eq!(
        PersonalTaxCode::parse("RSSMRA85T10A562X"),
        Err(TaxCodeError::WrongCheckCharacter {
            expected: 'S',
            found: 'X'
        })
    );
    assert_eq!(
        PersonalTaxCode::parse("RSSMRÀ85T10A562S"),
        Err(TaxCodeError::InvalidCharacter {
            position: 6,
            found: 'À',
            expected: Expected::Letter
        })
    );
    let msg = TaxCodeError::WrongCheckCharacter {
        expected: 'S',
        found: 'X',
    }
    .message(Lang::It);
    assert!(msg.contains("'S'") && msg.contains("'X'"));
}

#[test]
fn checks_the_declared_person() {
    let c = PersonalTaxCode::parse("RSSMRA85T10A562S").unwrap();
    let ok = PersonCheck {
        family_name: "Rossi",
        given_name: "Mario",
        birth_date: d(1985, 12, 10),
        sex: Sex::Male,
        birth_place_code: Some("a562"),
    };
    assert_eq!(c.check_person(&ok), Ok(()));
    let wrong = PersonCheck {
        family_name: "Russo",
        given_name: "Marco",
        birth_date: d(1985, 12, 11),
        sex: Sex::Female,
        birth_place_code: Some("H501"),
    };
    let errors = c.check_person(&wrong).unwrap_err();
    assert_eq!(errors.len(), 4, "{errors:?}"); // Russo and Rossi both give RSS
    assert!(matches!(errors[0], TaxCodeMismatch::GivenName { .. }));
    assert!(errors.contains(&TaxCodeMismatch::BirthDate));
    assert!(errors.contains(&TaxCodeMismatch::Sex));
    assert!(errors.contains(&TaxCodeMismatch::BirthPlace {
        in_code: "A562".into(),
        declared: "H501".into()
    }));
}
