//! Words for the checked values of the domain: tax codes (and how one disagrees
//! with the declared data), VAT numbers, emails, phones, postcodes, provinces,
//! places and login ids.

use identity_core::Sex;
use identity_core::values::email::EmailError;
use identity_core::values::login_id::LoginIdError;
use identity_core::values::phone::PhoneError;
use identity_core::values::place_lookup::PlaceError;
use identity_core::values::places::place_name;
use identity_core::values::postal_code::PostalCodeError;
use identity_core::values::province::ProvinceError;
use identity_core::values::tax_code::{Expected, TaxCodeError, TaxCodeMismatch};
use identity_core::values::vat_number::VatNumberError;

use crate::{L, Lang, Words};

impl Words for TaxCodeError {
    fn words(&self, lang: Lang) -> String {
        match self {
            TaxCodeError::Empty => L("Inserisci il codice fiscale.".into(), "Enter the tax code.".into()).get(lang),
            TaxCodeError::WrongLength { found } => L(format!(
                    "Il codice fiscale ha 16 caratteri (11 cifre per società ed enti): ne hai inseriti {found}."
                ), format!(
                    "The tax code has 16 characters (11 digits for companies and other bodies): {found} entered."
                )).get(lang),
            TaxCodeError::InvalidCharacter {
                position,
                found,
                expected,
            } => invalid_character(lang, *position, *found, *expected),
            TaxCodeError::InvalidMonth { found } => L(format!(
                    "Il carattere 9 ('{found}') deve indicare il mese di nascita con una delle lettere A B C D E H L M P R S T."
                ), format!(
                    "Character 9 ('{found}') must give the month of birth as one of the letters A B C D E H L M P R S T."
                )).get(lang),
            TaxCodeError::InvalidDay { day } => L(format!(
                    "I caratteri 10-11 indicano il giorno {day:02}, che non è valido: deve essere tra 01 e 31 (uomini) o tra 41 e 71 (donne)."
                ), format!(
                    "Characters 10-11 give the day {day:02}, which is not valid: it must be 01-31 (men) or 41-71 (women)."
                )).get(lang),
            TaxCodeError::DayNotInMonth { day, month } => L(format!(
                    "Il codice indica il giorno {day} del mese {month}, che non esiste: controlla i caratteri 9-11."
                ), format!(
                    "The code gives day {day} of month {month}, which does not exist: check characters 9-11."
                )).get(lang),
            TaxCodeError::WrongCheckCharacter { expected, found } => L(format!(
                    "L'ultimo carattere (di controllo) dovrebbe essere '{expected}' e non '{found}': controlla di aver copiato bene il codice."
                ), format!(
                    "The last (check) character should be '{expected}', not '{found}': please check the code was copied correctly."
                )).get(lang),
            TaxCodeError::WrongForm { expected: 16 } => L("Per una persona fisica il codice fiscale ha 16 caratteri, non 11 cifre.".into(), "A natural person's tax code has 16 characters, not 11 digits.".into()).get(lang),
            TaxCodeError::WrongForm { expected } => L(format!("Per questo tipo di soggetto serve un codice fiscale di {expected} cifre."), format!("This kind of subject needs a tax code of {expected} digits.")).get(lang),
        }
    }
}
/// The part of a 16-character code a 1-based position belongs to (Italian, English).
fn part_of_personal(position: usize) -> (&'static str, &'static str) {
    match position {
        1..=3 => ("del cognome", "of the family name"),
        4..=6 => ("del nome", "of the given name"),
        7 | 8 => ("dell'anno di nascita", "of the year of birth"),
        9 => ("del mese di nascita", "of the month of birth"),
        10 | 11 => ("del giorno di nascita", "of the day of birth"),
        12..=15 => ("del luogo di nascita", "of the place of birth"),
        _ => ("di controllo", "the check character"),
    }
}
fn invalid_character(lang: Lang, position: usize, found: char, expected: Expected) -> String {
    match expected {
        Expected::Digit => L(format!(
                "Il carattere {position} ('{found}') deve essere una cifra: il codice fiscale di 11 caratteri contiene solo cifre."
            ), format!(
                "Character {position} ('{found}') must be a digit: an 11-character tax code has digits only."
            )).get(lang),
        Expected::Letter => {
            let (it, en) = part_of_personal(position);
            if position == 16 {
                L(format!(
                        "Il carattere {position} ('{found}'), quello di controllo, deve essere una lettera."
                    ), format!(
                        "Character {position} ('{found}'), the check character, must be a letter."
                    )).get(lang)
            } else {
                L(format!(
                        "Il carattere {position} ('{found}'), parte {it}, deve essere una lettera."
                    ), format!("Character {position} ('{found}'), part {en}, must be a letter.")).get(lang)
            }
        }
        Expected::DigitOrOmocodeLetter => {
            let (it, en) = part_of_personal(position);
            L(format!(
                    "Il carattere {position} ('{found}'), parte {it}, deve essere una cifra (o una delle lettere L M N P Q R S T U V)."
                ), format!(
                    "Character {position} ('{found}'), part {en}, must be a digit (or one of the letters L M N P Q R S T U V)."
                )).get(lang)
        }
    }
}

impl Words for TaxCodeMismatch {
    fn words(&self, lang: Lang) -> String {
        match self {
            TaxCodeMismatch::FamilyName { in_code, from_name } => L(format!(
                    "Il cognome non corrisponde al codice fiscale: dal cognome si ottiene {from_name}, ma i caratteri 1-3 del codice sono {in_code}."
                ), format!(
                    "The family name does not match the tax code: the name gives {from_name}, but characters 1-3 of the code are {in_code}."
                )).get(lang),
            TaxCodeMismatch::GivenName { in_code, from_name } => L(format!(
                    "Il nome non corrisponde al codice fiscale: dal nome si ottiene {from_name}, ma i caratteri 4-6 del codice sono {in_code}."
                ), format!(
                    "The given name does not match the tax code: the name gives {from_name}, but characters 4-6 of the code are {in_code}."
                )).get(lang),
            TaxCodeMismatch::BirthDate {
                day,
                month,
                year_two_digits,
                declared,
            } => {
                let declared = declared.format("%d/%m/%Y");
                L(format!(
                        "La data di nascita ({declared}) non corrisponde al codice fiscale, che indica il {day:02}/{month:02} di un anno che termina con {year_two_digits:02}."
                    ), format!(
                        "The date of birth ({declared}) does not match the tax code, which gives {day:02}/{month:02} of a year ending in {year_two_digits:02}."
                    )).get(lang)
            }
            TaxCodeMismatch::Sex { in_code, declared } => L(format!(
                    "Il sesso indicato ({}) non corrisponde al codice fiscale, che indica sesso {} (per le donne il giorno di nascita è aumentato di 40).",
                    sex_name(*declared, lang),
                    sex_name(*in_code, lang)
                ), format!(
                    "The sex given ({}) does not match the tax code, which gives {} (for women the day of birth is increased by 40).",
                    sex_name(*declared, lang),
                    sex_name(*in_code, lang)
                )).get(lang),
            TaxCodeMismatch::BirthPlace { in_code, declared } => L(format!(
                    "Il luogo di nascita indicato ({}) non corrisponde al codice fiscale, che indica {}.",
                    place_label(declared, lang),
                    place_label(in_code, lang)
                ), format!(
                    "The place of birth given ({}) does not match the tax code, which gives {}.",
                    place_label(declared, lang),
                    place_label(in_code, lang)
                )).get(lang),
        }
    }
}
fn sex_name(sex: Sex, lang: Lang) -> &'static str {
    match (sex, lang) {
        (Sex::Male, Lang::It) => "maschile",
        (Sex::Female, Lang::It) => "femminile",
        (Sex::Male, Lang::En) => "male",
        (Sex::Female, Lang::En) => "female",
    }
}
/// `H501, Roma (RM)`, or the bare code when the place is unknown.
fn place_label(code: &str, lang: Lang) -> String {
    match place_name(code, lang) {
        Some(name) => format!("{code}, {name}"),
        None => code.to_owned(),
    }
}

impl Words for VatNumberError {
    fn words(&self, lang: Lang) -> String {
        match self {
            VatNumberError::Empty => L("Inserisci la partita IVA.".into(), "Enter the VAT number.".into()).get(lang),
            VatNumberError::NotADigit { position, found } => L(format!("Il carattere {position} ('{found}') della partita IVA non è una cifra."), format!("Character {position} ('{found}') of the VAT number is not a digit.")).get(lang),
            VatNumberError::WrongLength { found } => L(format!("La partita IVA ha 11 cifre: ne hai inserite {found}."), format!("The VAT number has 11 digits: {found} entered.")).get(lang),
            VatNumberError::WrongCheckDigit { expected, found } => L(format!(
                    "L'ultima cifra (di controllo) dovrebbe essere {expected} e non {found}: controlla il numero."
                ), format!(
                    "The last (check) digit should be {expected}, not {found}: please check the number."
                )).get(lang),
            VatNumberError::UnknownOffice { code } => L(format!(
                    "Le cifre 8-10 ({code}) non corrispondono a un ufficio dell'Agenzia delle Entrate."
                ), format!("Digits 8-10 ({code}) are not the code of a tax office.")).get(lang),
            VatNumberError::ZeroSerialNumber => L(
                "Le prime sette cifre della partita IVA non possono essere tutte zero: controlla il numero.".into(),
                "The first seven digits of a VAT number cannot all be zero: please check the number.".into(),
            )
            .get(lang),
        }
    }
}

impl Words for EmailError {
    fn words(&self, lang: Lang) -> String {
        match self {
            EmailError::Empty => L(
                "Inserisci un indirizzo email.".into(),
                "Enter an email address.".into(),
            )
            .get(lang),
            EmailError::TooLong => L(
                "L'indirizzo email supera i 254 caratteri.".into(),
                "The email address is longer than 254 characters.".into(),
            )
            .get(lang),
            EmailError::MissingAt => L(
                "L'indirizzo email deve contenere una sola @ (es. nome@esempio.it).".into(),
                "The email address must contain exactly one @ (e.g. name@example.com).".into(),
            )
            .get(lang),
            EmailError::BadLocalPart => L(
                "La parte prima della @ deve avere da 1 a 64 caratteri.".into(),
                "The part before @ must be 1 to 64 characters long.".into(),
            )
            .get(lang),
            EmailError::BadLocalChar(c) => L(
                format!("Il carattere '{c}' non è ammesso prima della @."),
                format!("The character '{c}' is not allowed before @."),
            )
            .get(lang),
            EmailError::BadDomain(d) => L(
                format!("Il dominio \"{d}\" non è valido (es. esempio.it)."),
                format!("The domain \"{d}\" is not valid (e.g. example.com)."),
            )
            .get(lang),
        }
    }
}

impl Words for PhoneError {
    fn words(&self, lang: Lang) -> String {
        match self {
            PhoneError::Empty => L("Inserisci un numero di telefono.".into(), "Enter a phone number.".into()).get(lang),
            PhoneError::BadChar(c) => L(format!("Il carattere '{c}' non è ammesso in un numero di telefono."), format!("The character '{c}' is not allowed in a phone number.")).get(lang),
            PhoneError::WrongLength(n) => L(format!(
                    "Un numero di telefono ha da 6 a 15 cifre compreso il prefisso internazionale ({n} trovate)."
                ), format!(
                    "A phone number has 6 to 15 digits including the country code ({n} found)."
                )).get(lang),
        }
    }
}

impl Words for PostalCodeError {
    fn words(&self, lang: Lang) -> String {
        match self {
            PostalCodeError::WrongLength(n) => L(
                format!("Il CAP è composto da 5 cifre (ne hai inserite {n})."),
                format!("The postcode has 5 digits ({n} entered)."),
            )
            .get(lang),
            PostalCodeError::NotADigit { position, found } => L(
                format!("Il carattere {position} ('{found}') del CAP non è una cifra."),
                format!("Character {position} ('{found}') of the postcode is not a digit."),
            )
            .get(lang),
        }
    }
}

impl Words for ProvinceError {
    fn words(&self, lang: Lang) -> String {
        match self {
            ProvinceError::Malformed(s) => L(
                format!("La sigla della provincia è di 2 lettere (es. RM); \"{s}\" non lo è."),
                format!("The province code is 2 letters (e.g. RM); \"{s}\" is not."),
            )
            .get(lang),
            ProvinceError::Unknown(s) => L(
                format!("{s} non è la sigla di una provincia italiana (usa EE per l'estero)."),
                format!("{s} is not an Italian province code (use EE for abroad)."),
            )
            .get(lang),
        }
    }
}

impl Words for PlaceError {
    fn words(&self, lang: Lang) -> String {
        match self {
            PlaceError::Required => L(
                "Campo obbligatorio.".into(),
                "This field is required.".into(),
            )
            .get(lang),
            PlaceError::Unknown { suggestions } if suggestions.is_empty() => L(
                "Luogo non trovato: controlla il nome e la provincia.".into(),
                "Place not found: check the name and the province.".into(),
            )
            .get(lang),
            PlaceError::Unknown { suggestions } => L(
                format!(
                    "Luogo non trovato in questa provincia. Forse: {}?",
                    suggestions.join(", ")
                ),
                format!(
                    "Place not found in this province. Did you mean: {}?",
                    suggestions.join(", ")
                ),
            )
            .get(lang),
            PlaceError::Ambiguous { candidates } => L(
                format!(
                    "Più comuni hanno questo nome: indica la provincia ({}).",
                    candidates.join(", ")
                ),
                format!(
                    "Several municipalities have this name: choose the province ({}).",
                    candidates.join(", ")
                ),
            )
            .get(lang),
        }
    }
}

impl Words for LoginIdError {
    fn words(&self, lang: Lang) -> String {
        match self {
            LoginIdError::Malformed(d) => L(
                format!("La login ha la forma 123456@{d}."),
                format!("A login id looks like 123456@{d}."),
            )
            .get(lang),
            LoginIdError::BadNumber => L(
                "Il numero prima della @ deve avere almeno 6 cifre.".into(),
                "The number before @ must have at least 6 digits.".into(),
            )
            .get(lang),
            LoginIdError::WrongDomain { expected } => L(
                format!("Le login terminano con @{expected}."),
                format!("Login ids end with @{expected}."),
            )
            .get(lang),
        }
    }
}
