//! Vector tests of `TaxCode::parse` and `VatNumber::parse`: hand-picked valid and
//! invalid codes, plus every omocodia variant of several base codes, checked
//! against an independent implementation of the check character written here.

#![allow(clippy::unwrap_used, missing_docs)]

use identity_core::values::tax_code::TaxCodeError;
use identity_core::{PersonalTaxCode, TaxCode, VatNumber, VatNumberError};

/// The check-character tables of DM 23/12/1976, written as the decree lists them.
fn check_char(first15: &str) -> char {
    const ODD: &str = "1 0 5 7 9 13 15 17 19 21 2 4 18 20 11 3 6 8 12 14 16 10 22 25 24 23";
    let odd: Vec<u32> = ODD.split(' ').map(|n| n.parse().unwrap()).collect();
    let value = |c: char| -> usize {
        match c {
            '0'..='9' => c as usize - '0' as usize,
            _ => c as usize - 'A' as usize,
        }
    };
    let total: u32 = first15
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i % 2 == 0 {
                odd[value(c)]
            } else {
                value(c) as u32
            }
        })
        .sum();
    char::from(b'A' + (total % 26) as u8)
}

fn luhn(first10: &str) -> char {
    let total: u32 = first10
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let d = c.to_digit(10).unwrap();
            if i % 2 == 1 {
                (d * 2) / 10 + (d * 2) % 10
            } else {
                d
            }
        })
        .sum();
    char::from_digit((10 - total % 10) % 10, 10).unwrap()
}

const BASES: [&str; 5] = [
    "RSSMRA85T10A562S", // Mario Rossi, 10/12/1985
    "BNCGNN80A01H501T", // Giovanni Bianchi, 01/01/1980, Roma
    "VRDLCU90D45F205I", // Lucia Verdi, 05/04/1990, Milano
    "DLCMCH02B68Z404O", // Maria Chiara De Luca, 28/02/2002, born in the USA
    "FOXLAX99M31G273H", // Al Fo, 31/08/1999, Palermo
];

const DIGIT_POSITIONS: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];
const OMOCODE: &str = "LMNPQRSTUV";

/// All 128 omocodia variants of a base code, each with its check character.
fn omocodes(base: &str) -> Vec<String> {
    (0u32..128)
        .map(|mask| {
            let mut chars: Vec<char> = base[..15].chars().collect();
            for (bit, &pos) in DIGIT_POSITIONS.iter().enumerate() {
                if mask & (1 << bit) != 0 {
                    let d = chars[pos].to_digit(10).unwrap() as usize;
                    chars[pos] = OMOCODE.chars().nth(d).unwrap();
                }
            }
            let first15: String = chars.into_iter().collect();
            let check = check_char(&first15);
            format!("{first15}{check}")
        })
        .collect()
}

#[test]
fn the_base_codes_are_right() {
    for base in BASES {
        assert_eq!(
            check_char(&base[..15]),
            base.chars().nth(15).unwrap(),
            "{base}"
        );
        assert!(TaxCode::parse(base).is_ok(), "{base}");
    }
}

#[test]
fn every_omocodia_variant_parses_and_decodes_like_its_base() {
    let mut checked = 0;
    for base in BASES {
        let canonical = PersonalTaxCode::parse(base).unwrap();
        let variants = omocodes(base);
        assert_eq!(variants.len(), 128);
        for v in &variants {
            let parsed =
                PersonalTaxCode::parse(&v.to_lowercase()).unwrap_or_else(|e| panic!("{v}: {e}"));
            assert_eq!(parsed.as_str(), v);
            assert_eq!(parsed.canonical(), canonical, "{v}");
            assert_eq!(parsed.birth_place_code(), canonical.birth_place_code());
            assert_eq!(parsed.sex(), canonical.sex());
            checked += 1;
        }
    }
    assert_eq!(checked, 640);
}

#[test]
fn every_omocodia_variant_with_a_wrong_check_character_fails() {
    let mut checked = 0;
    for base in BASES {
        for v in omocodes(base) {
            let right = v.chars().nth(15).unwrap();
            let wrong = char::from(b'A' + ((right as u8 - b'A' + 1) % 26));
            let bad = format!("{}{wrong}", &v[..15]);
            assert_eq!(
                TaxCode::parse(&bad),
                Err(TaxCodeError::WrongCheckCharacter {
                    expected: right,
                    found: wrong
                }),
                "{bad}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 640);
}

#[test]
fn hand_picked_invalid_tax_codes() {
    let invalid = [
        "",
        "RSSMRA85T10A562",    // 15 characters
        "RSSMRA85T10A562SS",  // 17 characters
        "RSSMRA85T10A5625",   // check character is a digit
        "RSSMRA85T10A562A",   // wrong check character
        "1SSMRA85T10A562S",   // digit among the name letters
        "RSSMRAA5T10A562S",   // A is not an omocode letter
        "RSSMRA85Z10A562S",   // Z is not a month
        "RSSMRA85T00A562S",   // day 00
        "RSSMRA85T32A562S",   // day 32
        "RSSMRA85T40A562S",   // day 40
        "RSSMRA85T72A562S",   // day 72
        "RSSMRA85T101562S",   // place code starts with a digit
        "RSSMRA85T10A5W2S",   // W is not an omocode letter
        "RSS MRA 85T10A562X", // spaces are fine, check character is not
        "RSSMRA85T10A562$",   // symbol
        "12345670018",        // 11 digits, wrong check digit
        "1234567001",         // 10 digits
        "1234567001A",        // letter in a numeric code
        "ÈSSMRA85T10A562S",   // accented letter
    ];
    for code in invalid {
        assert!(TaxCode::parse(code).is_err(), "{code:?} should be invalid");
    }
}

#[test]
fn hand_picked_valid_tax_codes() {
    let valid = [
        "rssmra85t10a562s",
        " RSS MRA 85T10 A562S ",
        "80078750587", // INPS
        "06363391001", // Agenzia delle Entrate
        "12345670017",
    ];
    for code in valid {
        assert!(TaxCode::parse(code).is_ok(), "{code:?} should be valid");
    }
    // Eleven-digit codes of associations (starting with 8 or 9) need only the check digit.
    for body in ["8001234567", "9712345678", "9000000000"] {
        let code = format!("{body}{}", luhn(body));
        assert!(TaxCode::parse(&code).is_ok(), "{code}");
    }
}

#[test]
fn vat_numbers_valid_for_every_office_range() {
    let offices = ["001", "050", "100", "120", "121", "888", "999"];
    let mut checked = 0;
    for prefix in ["0000000", "1234567", "0636339", "9876543"] {
        for office in offices {
            let first10 = format!("{prefix}{office}");
            let vat = format!("{first10}{}", luhn(&first10));
            let parsed = VatNumber::parse(&vat).unwrap_or_else(|e| panic!("{vat}: {e}"));
            assert_eq!(parsed.office_code(), office);
            assert!(VatNumber::parse(&format!("IT{vat}")).is_ok());
            checked += 1;
        }
    }
    assert_eq!(checked, 28);
    assert!(
        VatNumber::parse("06363391001").is_ok(),
        "Agenzia delle Entrate"
    );
}

#[test]
fn vat_numbers_invalid() {
    let mut checked = 0;
    // Offices that do not exist, with a right check digit.
    for office in ["000", "101", "119", "122", "500", "887", "998"] {
        let first10 = format!("1234567{office}");
        let vat = format!("{first10}{}", luhn(&first10));
        assert_eq!(
            VatNumber::parse(&vat),
            Err(VatNumberError::UnknownOffice {
                code: office.into()
            }),
            "{vat}"
        );
        checked += 1;
    }
    // Every wrong check digit of a valid number.
    for wrong in ['0', '1', '2', '3', '4', '5', '6', '8', '9'] {
        let vat = format!("1234567001{wrong}");
        assert!(
            matches!(
                VatNumber::parse(&vat),
                Err(VatNumberError::WrongCheckDigit { .. })
            ),
            "{vat}"
        );
        checked += 1;
    }
    for bad in [
        "",
        "IT",
        "1234567001",
        "123456700170",
        "1234567001A",
        "FR12345670017",
        "12345-70017",
    ] {
        assert!(VatNumber::parse(bad).is_err(), "{bad:?}");
        checked += 1;
    }
    assert_eq!(checked, 23);
}
