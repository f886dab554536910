//! Import files of made-up people with valid, mutually consistent data (tax
//! codes computed from the names, birth date, sex and Rome as birth place), for
//! the import tests and the import benchmark.

#![allow(missing_docs, reason = "the names and the header say it all")]

use std::fmt::Write as _;

pub const FAMILY: [&str; 20] = [
    "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino",
    "Greco", "Bruno", "Gallo", "Conti", "Deluca", "Mancini", "Costa", "Giordano", "Rizzo",
    "Lombardi", "Moretti",
];
pub const GIVEN_M: [&str; 10] = [
    "Mario", "Luca", "Marco", "Giuseppe", "Paolo", "Andrea", "Stefano", "Roberto", "Davide",
    "Simone",
];
pub const GIVEN_F: [&str; 10] = [
    "Anna",
    "Giulia",
    "Laura",
    "Sara",
    "Chiara",
    "Paola",
    "Elena",
    "Silvia",
    "Marta",
    "Valentina",
];
const MONTHS: &[u8; 12] = b"ABCDEHLMPRST";

fn consonants(s: &str) -> Vec<u8> {
    s.to_ascii_uppercase()
        .bytes()
        .filter(|c| c.is_ascii_alphabetic() && !b"AEIOU".contains(c))
        .collect()
}

fn vowels(s: &str) -> Vec<u8> {
    s.to_ascii_uppercase()
        .bytes()
        .filter(|c| b"AEIOU".contains(c))
        .collect()
}

fn three(mut letters: Vec<u8>, s: &str) -> String {
    letters.extend(vowels(s));
    letters.extend(b"XXX");
    String::from_utf8(letters[..3].to_vec()).unwrap()
}

/// The codice fiscale of a person born in Rome (H501).
pub fn tax_code(
    family: &str,
    given: &str,
    year: i32,
    month: u32,
    day: u32,
    female: bool,
) -> String {
    let surname = three(consonants(family), family);
    let mut c = consonants(given);
    if c.len() >= 4 {
        c = vec![c[0], c[2], c[3]];
    }
    let name = three(c, given);
    let day = if female { day + 40 } else { day };
    let first15 = format!(
        "{surname}{name}{:02}{}{day:02}H501",
        year % 100,
        MONTHS[(month - 1) as usize] as char
    );
    const ODD: [u32; 26] = [
        1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24,
        23,
    ];
    let total: u32 = first15
        .bytes()
        .enumerate()
        .map(|(i, b)| {
            let v = if b.is_ascii_digit() {
                u32::from(b - b'0')
            } else {
                u32::from(b - b'A')
            };
            if i % 2 == 0 { ODD[v as usize] } else { v }
        })
        .sum();
    format!("{first15}{}", (b'A' + (total % 26) as u8) as char)
}

/// The header of an import file.
pub const HEADER: &str = "subject_kind,given_name,family_name,tax_code,birth_date,sex,birth_place,birth_province,street,postal_code,municipality,province,email,phone,lang";

/// Row `i` (0-based) of a file of distinct people.
pub fn row(i: usize) -> String {
    let female = i % 2 == 1;
    let family = FAMILY[i % 20];
    let given = if female {
        GIVEN_F[(i / 20) % 10]
    } else {
        GIVEN_M[(i / 20) % 10]
    };
    // 200 name and sex combinations, then the next day of birth.
    let date =
        chrono::NaiveDate::from_ymd_opt(1950, 1, 1).unwrap() + chrono::Days::new((i / 200) as u64);
    use chrono::Datelike as _;
    let cf = tax_code(family, given, date.year(), date.month(), date.day(), female);
    format!(
        "persona_fisica,{given},{family},{cf},{},{},Roma,RM,Via del Corso {n},00186,Roma,RM,person{i}@example.it,+39 333 {:07},{}",
        date.format("%d/%m/%Y"),
        if female { "F" } else { "M" },
        i % 10_000_000,
        if i.is_multiple_of(3) { "en" } else { "it" },
        n = i % 300 + 1,
    )
}

/// A file of `n` people, with the rows at `bad` (0-based) spoiled in the field
/// their index picks (tax code, email, postal code, birth date).
pub fn csv(n: usize, bad: &[usize]) -> String {
    let mut out = String::with_capacity(n * 160);
    out.push_str(HEADER);
    out.push('\n');
    for i in 0..n {
        let mut r = row(i);
        if bad.contains(&i) {
            let fields: Vec<&str> = r.split(',').collect();
            let mut f: Vec<String> = fields.iter().map(|s| (*s).to_owned()).collect();
            match i % 4 {
                0 => f[3] = "RSSMRA85T10A562X".into(),
                1 => f[12] = "not-an-email".into(),
                2 => f[9] = "123".into(),
                _ => f[4] = "31/02/1990".into(),
            }
            r = f.join(",");
        }
        let _ = writeln!(out, "{r}");
    }
    out
}
