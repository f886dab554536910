//! The words for the checked values say, in both languages, exactly what is wrong.

use chrono::NaiveDate;
use identity_core::values::email::EmailError;
use identity_core::values::tax_code::{TaxCodeError, TaxCodeMismatch};
use identity_core::{PersonalTaxCode, Sex, TaxCode, VatNumber, VatNumberError};
use identity_words::{Lang, Words};

fn both<W: Words>(outcome: &W) -> (String, String) {
    let (it, en) = (outcome.words(Lang::It), outcome.words(Lang::En));
    assert_ne!(it, en, "the same text in both languages");
    (it, en)
}

#[test]
fn tax_code_errors_point_at_the_character() {
    let (it, en) = both(&TaxCodeError::WrongCheckCharacter {
        expected: 'S',
        found: 'X',
    });
    for msg in [it, en] {
        assert!(msg.contains("'S'") && msg.contains("'X'"), "{msg}");
    }
    let (it, en) = both(&PersonalTaxCode::parse("RSSMRA8AT10A562S").unwrap_err());
    assert!(it.contains("anno di nascita"), "{it}");
    assert!(
        en.contains("year of birth") && en.contains("Character 8 ('A')"),
        "{en}"
    );
    let (_, en) = both(&TaxCodeError::DayNotInMonth { day: 31, month: 4 });
    assert!(en.contains("day 31 of month 4"));
    let (it, _) = both(&TaxCodeError::WrongLength { found: 15 });
    assert!(it.contains("15"));
    for e in [
        TaxCodeError::Empty,
        TaxCodeError::WrongLength { found: 3 },
        TaxCodeError::InvalidMonth { found: 'F' },
        TaxCodeError::InvalidDay { day: 35 },
        TaxCodeError::WrongForm { expected: 11 },
        TaxCodeError::WrongForm { expected: 16 },
    ] {
        both(&e);
    }
}

#[test]
fn every_refused_code_of_a_sample_has_words() {
    for input in [
        "",
        "RSSMRA85T10A56",
        "RSSMRA85Z10A562S",
        "RSSMRA85T99A562S",
        "RSSMRA85T10A562X",
        "1234567001A",
        "12345670018",
    ] {
        both(&TaxCode::parse(input).unwrap_err());
    }
    for input in [
        "",
        "1234567001",
        "IT1234567X017",
        "12345670018",
        "00000000000",
    ] {
        both(&VatNumber::parse(input).unwrap_err());
    }
}

#[test]
fn mismatches_say_what_differs() {
    let (it, _) = both(&TaxCodeMismatch::BirthPlace {
        in_code: "A562".into(),
        declared: "H501".into(),
    });
    assert!(
        it.contains("H501, Roma (RM)") && it.contains("A562"),
        "{it}"
    );
    let (it, en) = both(&TaxCodeMismatch::Sex {
        in_code: Sex::Male,
        declared: Sex::Female,
    });
    assert!(it.contains("femminile") && en.contains("female"));
    let (_, en) = both(&TaxCodeMismatch::BirthDate {
        day: 10,
        month: 12,
        year_two_digits: 85,
        declared: NaiveDate::from_ymd_opt(1985, 12, 11).unwrap(),
    });
    assert!(en.contains("11/12/1985") && en.contains("10/12"), "{en}");
    let (it, _) = both(&TaxCodeMismatch::GivenName {
        in_code: "MRA".into(),
        from_name: "MRC".into(),
    });
    assert!(it.contains("MRC") && it.contains("4-6"), "{it}");
}

#[test]
fn vat_number_errors_name_the_problem() {
    let (it, en) = both(&VatNumber::parse("IT1234567X017").unwrap_err());
    assert!(it.contains("8 ('X')") && en.contains("8 ('X')"));
    let (_, en) = both(&VatNumberError::UnknownOffice { code: "101".into() });
    assert!(en.contains("101"));
    let (it, _) = both(&VatNumberError::WrongCheckDigit {
        expected: '7',
        found: '8',
    });
    assert!(it.contains('7') && it.contains('8'));
    assert!(both(&VatNumberError::Empty).1.contains("VAT"));
}

#[test]
fn email_errors_show_the_expected_shape() {
    assert!(both(&EmailError::MissingAt).0.contains('@'));
}
