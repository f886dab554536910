//! Vector tests of `TaxCode::parse` and `VatNumber::parse`.
//!
//! The personal codes below were derived by hand from the listed (fictitious)
//! people with the rules of DM 23/12/1976, and their check characters computed
//! by [`check_char`], an implementation written here independently of the
//! crate's (straight from the decree's tables). Numeric codes and VAT numbers of
//! public bodies and companies are the published ones; each also passes [`luhn`].
//! Around them: every omocodia variant of every code, every wrong check
//! character, every single-character substitution, every office code.

#![allow(clippy::unwrap_used, missing_docs)]

use chrono::{Datelike, NaiveDate};
use identity_core::values::places::is_known_place_code;
use identity_core::values::tax_code::{Expected, TaxCodeError};
use identity_core::{
    NumericTaxCode, PersonCheck, PersonalTaxCode, Sex, TaxCode, VatNumber, VatNumberError,
};

/// The check character of the first 15 characters, from the decree's tables.
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

/// The VAT number's check digit (Luhn, doubling the digits in even positions).
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

/// One person: the code and the data it was derived from.
struct Person {
    code: &'static str,
    family: &'static str,
    given: &'static str,
    born: NaiveDate,
    sex: Sex,
    place: &'static str,
}

impl Person {
    fn check(&self) -> PersonCheck<'static> {
        PersonCheck {
            family_name: self.family,
            given_name: self.given,
            birth_date: self.born,
            sex: self.sex,
            birth_place_code: Some(self.place),
        }
    }
}

/// Code | family name | given name | date of birth | sex | place of birth.
const PEOPLE: &str = "
RSSMRA85T10A562S | Rossi      | Mario        | 1985-12-10 | M | A562
BNCGNN80A01H501T | Bianchi    | Giovanni     | 1980-01-01 | M | H501
VRDLCU90D45F205I | Verdi      | Lucia        | 1990-04-05 | F | F205
DLCMCH02B68Z404O | De Luca    | Maria Chiara | 2002-02-28 | F | Z404
FOXLAX99M31G273H | Fo         | Al           | 1999-08-31 | M | G273
SPSFNC75H70F839F | Esposito   | Francesca    | 1975-06-30 | F | F839
FRRGPP48S02F257Y | Ferrari    | Giuseppe     | 1948-11-02 | M | F257
RMNNNA62C55L219V | Romano     | Anna         | 1962-03-15 | F | L219
CLMLCU01P09D969R | Colombo    | Luca         | 2001-09-09 | M | D969
RCCGLI95R61A944D | Ricci      | Giulia       | 1995-10-21 | F | A944
MRNLSN70L04D612P | Marino     | Alessandro   | 1970-07-04 | M | D612
GRCSFO10E52C351L | Greco      | Sofia        | 2010-05-12 | F | C351
BRNFNC58T25A662K | Bruno      | Francesco    | 1958-12-25 | M | A662
GLLCHR88B69L736K | Gallo      | Chiara       | 1988-02-29 | F | L736
DNGNCL33A31F158D | D'Angelo   | Nicolò       | 1933-01-31 | M | F158
CNTZOE00B69Z110X | Conti      | Zoe          | 2000-02-29 | F | Z110
CSTLBT42R41D612K | Costa      | Elisabetta   | 1942-10-01 | F | D612
GRDNDR66D30L049P | Giordano   | Andrea       | 1966-04-30 | M | L049
MNCBRC79M57G224F | Mancini    | Beatrice     | 1979-08-17 | F | G224
LMBPTR21C03C933J | Lombardi   | Pietro       | 1921-03-03 | M | C933
MRTMTN15S51E506M | Moretti    | Martina      | 2015-11-11 | F | E506
BRBMTT92T31H703D | Barbieri   | Matteo       | 1992-12-31 | M | H703
FNTRRA05L47B157P | Fontana    | Aurora       | 2005-07-07 | F | B157
SNTSVT55P19F205W | Santoro    | Salvatore    | 1955-09-19 | M | F205
MRNLRI83H41E625D | Mariani    | Ilaria       | 1983-06-01 | F | E625
RNLDNC39E27H224N | Rinaldi    | Domenico     | 1939-05-27 | M | H224
CRSLVC08A60Z133F | Caruso     | Ludovica     | 2008-01-20 | F | Z133
FRRLNZ97C08C352J | Ferrara    | Lorenzo      | 1997-03-08 | M | C352
GLLNMO12D56B354W | Galli      | Noemi        | 2012-04-16 | F | B354
MRTGRL68R28G702Y | Martini    | Gabriele     | 1968-10-28 | M | G702
LNEGRG86S70A271Z | Leone      | Giorgia      | 1986-11-30 | F | A271
LNGPLA51B14G337E | Longo      | Paolo        | 1951-02-14 | M | G337
GNTLCA03T43L424O | Gentile    | Alice        | 2003-12-03 | F | L424
MRTRCR74M22L378W | Martinelli | Riccardo     | 1974-08-22 | M | L378
VTLMME19H58I754A | Vitale     | Emma         | 2019-06-18 | F | I754
LMBNTN29D04A089M | Lombardo   | Antonio      | 1929-04-04 | M | A089
SRRGVR11P69B354T | Serra      | Ginevra      | 2011-09-29 | F | B354
CPPVCN63L13F839K | Coppola    | Vincenzo     | 1963-07-13 | M | F839
DSNMRT81A66H501Q | De Santis  | Marta        | 1981-01-26 | F | H501
DMCSMN94E06A783Y | D'Amico    | Simone       | 1994-05-06 | M | A783
OEXGUO44B02Z219Q | Oe         | Ugo          | 1944-02-02 | M | Z219
HUXYIX90R50Z210N | Hu         | Yi           | 1990-10-10 | F | Z210
LVRNKI77T12Z131Y | Àlvarez    | Iñaki        | 1977-12-12 | M | Z131
";

fn people() -> Vec<Person> {
    let people: Vec<Person> = PEOPLE
        .trim()
        .lines()
        .map(|line| {
            let f: Vec<&'static str> = line.split('|').map(str::trim).collect();
            Person {
                code: f[0],
                family: f[1],
                given: f[2],
                born: f[3].parse().unwrap(),
                sex: if f[4] == "F" { Sex::Female } else { Sex::Male },
                place: f[5],
            }
        })
        .collect();
    assert_eq!(people.len(), 43);
    people
}

/// Eleven-digit tax codes of public bodies (they need not follow the VAT
/// office-code rule, though these happen to).
const BODIES: [(&str, &str); 10] = [
    ("80078750587", "INPS"),
    ("80188230587", "Presidenza del Consiglio dei Ministri"),
    ("80007010376", "Università di Bologna"),
    ("80057930150", "Politecnico di Milano"),
    ("80209930587", "Sapienza Università di Roma"),
    ("80050050154", "Regione Lombardia"),
    ("02438750586", "Roma Capitale"),
    ("01199250158", "Comune di Milano"),
    ("00514490010", "Comune di Torino"),
    ("01165400589", "INAIL"),
];

/// VAT numbers of companies and public bodies.
const VAT_NUMBERS: [(&str, &str); 22] = [
    ("06363391001", "Agenzia delle Entrate"),
    ("00905811006", "Eni"),
    ("00488410010", "Telecom Italia"),
    ("01114601006", "Poste Italiane"),
    ("15844561009", "Enel (gruppo IVA)"),
    ("00950501007", "Banca d'Italia"),
    ("06382641006", "RAI"),
    ("06359501001", "Ferrovie dello Stato Italiane"),
    ("00881841001", "Leonardo"),
    ("00799960158", "Intesa Sanpaolo"),
    ("00348170101", "UniCredit"),
    ("00629440322", "Fincantieri"),
    ("07516911000", "Autostrade per l'Italia"),
    ("01654010345", "Barilla"),
    ("00632870358", "Ferrero"),
    ("00891030272", "Luxottica"),
    ("00714490158", "Mediobanca"),
    ("00079760328", "Assicurazioni Generali"),
    ("08539010010", "Vodafone Italia"),
    ("05359681003", "Consip"),
    ("06398650967", "Google Italy"),
    ("01165400589", "INAIL"),
];

const DIGIT_POSITIONS: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];
const OMOCODE: &str = "LMNPQRSTUV";
const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// All 128 omocodia variants of a code (the code itself first), each with the
/// check character computed by [`check_char`].
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
fn the_people_codes_are_right_and_decode_to_the_person() {
    for p in people() {
        let code = p.code;
        assert_eq!(
            check_char(&code[..15]),
            code.chars().nth(15).unwrap(),
            "{code}"
        );
        let parsed = PersonalTaxCode::parse(code).unwrap_or_else(|e| panic!("{code}: {e}"));
        assert_eq!(parsed.as_str(), code);
        assert!(!parsed.is_omocode());
        assert_eq!(parsed.sex(), p.sex, "{code}");
        assert_eq!(parsed.birth_place_code(), p.place, "{code}");
        assert_eq!(parsed.birth_date_with(p.born), Some(p.born), "{code}");
        // Without a declared date, the century is the latest one not in the
        // future: right for anyone under 100.
        let guessed = parsed.birth_date_not_after(date(2025, 1, 1)).unwrap();
        if p.born.year() > 1925 {
            assert_eq!(guessed, p.born, "{code}");
        } else {
            assert_eq!(guessed.year(), p.born.year() + 100, "{code}");
        }
        assert!(is_known_place_code(p.place), "{}", p.place);
        assert_eq!(parsed.check_person(&p.check()), Ok(()), "{code}");
        // The generic parser, lower case and spaced out, gives the same code.
        let spaced = format!(" {} {} ", &code[..8], &code[8..]).to_lowercase();
        assert_eq!(
            TaxCode::parse(&spaced),
            Ok(TaxCode::Personal(parsed.clone()))
        );
        assert_eq!(parsed.to_string(), code);
    }
}

#[test]
fn every_omocodia_variant_parses_and_decodes_like_its_base() {
    let mut checked = 0;
    for p in people() {
        let canonical = PersonalTaxCode::parse(p.code).unwrap();
        let variants = omocodes(p.code);
        assert_eq!(variants.len(), 128);
        assert_eq!(variants[0], p.code);
        for (i, v) in variants.iter().enumerate() {
            let parsed = TaxCode::parse(&v.to_lowercase())
                .unwrap_or_else(|e| panic!("{v}: {e}"))
                .as_personal()
                .cloned()
                .unwrap();
            assert_eq!(parsed.as_str(), v);
            assert_eq!(parsed.is_omocode(), i != 0, "{v}");
            assert_eq!(parsed.canonical(), canonical, "{v}");
            assert_eq!(parsed.birth_place_code(), p.place, "{v}");
            assert_eq!(parsed.sex(), p.sex, "{v}");
            assert_eq!(parsed.birth_date_with(p.born), Some(p.born), "{v}");
            assert_eq!(parsed.check_person(&p.check()), Ok(()), "{v}");
            checked += 1;
        }
    }
    assert_eq!(checked, 43 * 128);
}

#[test]
fn every_wrong_check_character_of_every_variant_fails() {
    let mut checked = 0;
    for p in people() {
        for v in omocodes(p.code) {
            let right = v.chars().nth(15).unwrap();
            for wrong in ('A'..='Z').filter(|&c| c != right) {
                let bad = format!("{}{wrong}", &v[..15]);
                assert_eq!(TaxCode::parse(&bad), Err(check(right, wrong)), "{bad}");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 43 * 128 * 25);
}

#[test]
fn every_single_character_substitution_is_rejected() {
    // The check character catches any one changed character: the odd-position
    // table is a permutation and digits and omocode letters never share a value.
    let mut checked = 0;
    for p in people() {
        for pos in 0..16 {
            let original = p.code.chars().nth(pos).unwrap();
            for c in ALPHABET.chars().filter(|&c| c != original) {
                let mut chars: Vec<char> = p.code.chars().collect();
                chars[pos] = c;
                let bad: String = chars.into_iter().collect();
                assert!(TaxCode::parse(&bad).is_err(), "{bad} (from {})", p.code);
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 43 * 16 * 35);
}

fn at(position: usize, found: char, expected: Expected) -> TaxCodeError {
    TaxCodeError::InvalidCharacter {
        position,
        found,
        expected,
    }
}

fn check(expected: char, found: char) -> TaxCodeError {
    TaxCodeError::WrongCheckCharacter { expected, found }
}

#[test]
fn hand_picked_invalid_tax_codes_with_their_exact_error() {
    use Expected::{Digit, DigitOrOmocodeLetter as DigitOrL, Letter};
    use TaxCodeError::*;
    let cases: Vec<(&str, TaxCodeError)> = vec![
        ("", Empty),
        ("   ", Empty),
        ("RSSMRA85T10A562", WrongLength { found: 15 }),
        ("RSSMRA85T10A562SS", WrongLength { found: 17 }),
        ("RSSMRA", WrongLength { found: 6 }),
        ("RSSMRA85T10", WrongLength { found: 11 }),
        ("1234567001", WrongLength { found: 10 }),
        ("123456700170", WrongLength { found: 12 }),
        ("RSSMRA85T10A5625", at(16, '5', Letter)),
        ("1SSMRA85T10A562S", at(1, '1', Letter)),
        ("RSSMR485T10A562S", at(6, '4', Letter)),
        ("RSSMRAA5T10A562S", at(7, 'A', DigitOrL)),
        ("RSSMRA8OT10A562S", at(8, 'O', DigitOrL)),
        ("RSSMRA85110A562S", at(9, '1', Letter)),
        ("RSSMRA85TI0A562S", at(10, 'I', DigitOrL)),
        ("RSSMRA85T10 1562S", at(12, '1', Letter)),
        ("RSSMRA85T10A5W2S", at(14, 'W', DigitOrL)),
        ("RSSMRA85T10A56ZS", at(15, 'Z', DigitOrL)),
        ("RSSMRA85T10A562$", at(16, '$', Letter)),
        ("RSS-RA85T10A562S", at(4, '-', Letter)),
        ("ÈSSMRA85T10A562S", at(1, 'È', Letter)),
        ("RSSMRA85Z10A562S", InvalidMonth { found: 'Z' }),
        ("RSSMRA85F10A562S", InvalidMonth { found: 'F' }),
        ("RSSMRA85I10A562S", InvalidMonth { found: 'I' }),
        ("RSSMRA85T00A562S", InvalidDay { day: 0 }),
        ("RSSMRA85T32A562S", InvalidDay { day: 32 }),
        ("RSSMRA85T40A562S", InvalidDay { day: 40 }),
        ("RSSMRA85T72A562S", InvalidDay { day: 72 }),
        ("RSSMRA85T99A562S", InvalidDay { day: 99 }),
        ("RSSMRA85TVVA562S", InvalidDay { day: 99 }),
        ("RSSMRA85B30A562S", DayNotInMonth { day: 30, month: 2 }),
        ("RSSMRA85B71A562S", DayNotInMonth { day: 31, month: 2 }),
        ("RSSMRA85D31A562S", DayNotInMonth { day: 31, month: 4 }),
        ("RSSMRA85H31A562S", DayNotInMonth { day: 31, month: 6 }),
        ("RSSMRA85P71A562S", DayNotInMonth { day: 31, month: 9 }),
        ("RSSMRA85S31A562S", DayNotInMonth { day: 31, month: 11 }),
        ("RSSMRA85T10A562A", check('S', 'A')),
        ("RSS MRA 85T10A562X", check('S', 'X')),
        // Two adjacent characters swapped.
        (
            "RSSMRA58T10A562S",
            check(check_char("RSSMRA58T10A562"), 'S'),
        ),
        // An omocode whose check character was not recomputed.
        (
            "RSSMRA85T10A56NS",
            check(check_char("RSSMRA85T10A56N"), 'S'),
        ),
        ("12345670018", check('7', '8')),
        ("80078750588", check('7', '8')),
        ("1234567001A", at(11, 'A', Digit)),
        ("12345.70017", at(6, '.', Digit)),
    ];
    for (input, expected) in &cases {
        let got = TaxCode::parse(input);
        assert_eq!(got.as_ref(), Err(expected), "{input:?}");
        // Every error explains itself (the words per language are tested in
        // identity-words).
        assert!(!got.unwrap_err().to_string().is_empty());
    }
    assert_eq!(cases.len(), 44);
}

#[test]
fn the_forms_are_kept_apart() {
    assert_eq!(
        PersonalTaxCode::parse("80078750587"),
        Err(TaxCodeError::WrongForm { expected: 16 })
    );
    assert_eq!(
        NumericTaxCode::parse("RSSMRA85T10A562S"),
        Err(TaxCodeError::WrongForm { expected: 11 })
    );
}

#[test]
fn numeric_tax_codes_of_public_bodies() {
    let mut checked = 0;
    for (code, body) in BODIES {
        assert_eq!(luhn(&code[..10]), code.chars().nth(10).unwrap(), "{body}");
        let parsed = TaxCode::parse(code).unwrap_or_else(|e| panic!("{body}: {e}"));
        assert!(matches!(parsed, TaxCode::Numeric(_)), "{body}");
        assert_eq!(parsed.as_str(), code);
        checked += 1;
        let right = code.chars().nth(10).unwrap();
        for wrong in ('0'..='9').filter(|&c| c != right) {
            let bad = format!("{}{wrong}", &code[..10]);
            assert_eq!(TaxCode::parse(&bad), Err(check(right, wrong)), "{bad}");
            checked += 1;
        }
    }
    // Codes of associations (starting with 8 or 9) need only the check digit,
    // whatever digits 8-10 are.
    for body in ["8001234567", "9712345678", "9000000000", "9312345199"] {
        let code = format!("{body}{}", luhn(body));
        assert!(TaxCode::parse(&code).is_ok(), "{code}");
        checked += 1;
    }
    assert_eq!(checked, 10 * 10 + 4);
}

#[test]
fn vat_numbers_of_known_companies() {
    let mut checked = 0;
    for (vat, company) in VAT_NUMBERS {
        assert_eq!(luhn(&vat[..10]), vat.chars().nth(10).unwrap(), "{company}");
        for input in [
            vat.to_owned(),
            format!("IT{vat}"),
            format!(" it {vat} "),
            format!("It{}", &vat[..5]) + " " + &vat[5..],
        ] {
            let parsed = VatNumber::parse(&input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(parsed.as_str(), vat);
            assert_eq!(parsed.office_code(), &vat[7..10]);
            checked += 1;
        }
        let right = vat.chars().nth(10).unwrap();
        for wrong in ('0'..='9').filter(|&c| c != right) {
            let bad = format!("{}{wrong}", &vat[..10]);
            assert_eq!(
                VatNumber::parse(&bad),
                Err(VatNumberError::WrongCheckDigit {
                    expected: right,
                    found: wrong
                }),
                "{bad}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 22 * (4 + 9));
}

#[test]
fn every_office_code_with_a_right_check_digit() {
    let mut valid = 0;
    for office in 0..1000 {
        let first10 = format!("1234567{office:03}");
        let vat = format!("{first10}{}", luhn(&first10));
        let assigned = matches!(office, 1..=100 | 120 | 121 | 888 | 999);
        match VatNumber::parse(&vat) {
            Ok(v) => {
                assert!(assigned, "{vat}");
                assert_eq!(v.office_code(), format!("{office:03}"));
                valid += 1;
            }
            Err(e) => {
                assert!(!assigned, "{vat}: {e}");
                assert_eq!(
                    e,
                    VatNumberError::UnknownOffice {
                        code: format!("{office:03}")
                    }
                );
            }
        }
    }
    assert_eq!(valid, 104);
}

#[test]
fn hand_picked_invalid_vat_numbers_with_their_exact_error() {
    use VatNumberError::*;
    let digit = |position, found| NotADigit { position, found };
    let check = |expected, found| WrongCheckDigit { expected, found };
    let cases: Vec<(&str, VatNumberError)> = vec![
        ("", Empty),
        ("  ", Empty),
        ("IT", Empty),
        ("it ", Empty),
        ("1234567001", WrongLength { found: 10 }),
        ("123456700170", WrongLength { found: 12 }),
        ("IT063633910", WrongLength { found: 9 }),
        ("1234567001A", digit(11, 'A')),
        ("IT1234567X017", digit(8, 'X')),
        ("FR12345670017", digit(1, 'F')),
        ("12345-70017", digit(6, '-')),
        ("ITIT12345670017", digit(1, 'I')),
        ("\u{ff11}2345670017", digit(1, '\u{ff11}')), // a full-width 1
        ("RSSMRA85T10A562S", digit(1, 'R')),
        ("12345670018", check('7', '8')),
        ("06363391002", check('1', '2')),
        // Two adjacent digits swapped.
        ("06363931001", check(luhn("0636393100"), '1')),
        ("00000000000", UnknownOffice { code: "000".into() }),
        // Office 001 and the right check digit, but serial number zero.
        ("00000000018", ZeroSerialNumber),
    ];
    for (input, expected) in &cases {
        let got = VatNumber::parse(input);
        assert_eq!(got.as_ref(), Err(expected), "{input:?}");
        assert!(!got.unwrap_err().to_string().is_empty());
    }
    assert_eq!(cases.len(), 19);
}
