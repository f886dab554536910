//! Holder number `i`, always the same: a person (85 in 100), a professional or
//! sole trader (10), a company or body (5), with a tax code and VAT number that
//! check, and an email address and phone number no other holder has (so the
//! shared-contacts job finds nothing to do, as in a healthy database).

use chrono::{DateTime, Datelike as _, Days, NaiveDate, Utc};
use identity_core::holder::{BusinessIdentity, PersonIdentity};
use identity_core::{
    Address, CompanyHolder, Contacts, EmailAddress, Holder, HolderId, HolderKind, InvoicingChannel,
    Lang, PersonHolder, PersonalTaxCode, PhoneNumber, PostalCode, ProfessionalHolder, ProvinceCode,
    Sex, SubjectKind, TaxCode, VatNumber,
};

// The test kit's names: its import files and these holders are the same people.
use identity_testkit::people_csv::{FAMILY, GIVEN_F, GIVEN_M};

/// The holder's id: a UUID made from its number, so a run can find holder `i`
/// again without reading the database.
#[must_use]
pub fn holder_id(i: u64) -> HolderId {
    let id = uuid::Uuid::from_u64_pair(0x5ca1_e000_0000_4000, 0x8000_0000_0000_0000 | i);
    HolderId::from_uuid(id)
}

/// The email address of holder `i`.
#[must_use]
pub fn email(i: u64) -> String {
    format!("holder{i}@example.it")
}

/// The tax code of person `i`: 200 name and sex combinations per birth day,
/// then the next day (from 1 January 1940), born in Rome.
#[must_use]
pub fn person_tax_code(i: u64) -> String {
    let (family, given, date, female) = person_parts(i);
    identity_testkit::people_csv::tax_code(
        family,
        given,
        date.year(),
        date.month(),
        date.day(),
        female,
    )
}

fn person_parts(i: u64) -> (&'static str, &'static str, NaiveDate, bool) {
    let female = i % 2 == 1;
    let family = FAMILY[(i % 20) as usize];
    let given = if female {
        GIVEN_F[((i / 20) % 10) as usize]
    } else {
        GIVEN_M[((i / 20) % 10) as usize]
    };
    let first = NaiveDate::from_ymd_opt(1940, 1, 1).expect("a date");
    (family, given, first + Days::new(i / 200), female)
}

fn person(i: u64) -> PersonIdentity {
    let (family, given, date, female) = person_parts(i);
    let code = PersonalTaxCode::parse(&person_tax_code(i)).expect("a computed tax code checks");
    let sex = if female { Sex::Female } else { Sex::Male };
    PersonIdentity::new(given, family, code, date, "H501", sex).expect("a valid person")
}

/// An 11-digit VAT number with serial `i + 1`, office 001 (Turin) and its Luhn
/// check digit.
#[must_use]
pub fn vat_number(i: u64) -> String {
    let first10 = format!("{:07}001", (i % 9_999_999) + 1);
    let sum: u32 = first10
        .bytes()
        .enumerate()
        .map(|(k, b)| {
            let d = u32::from(b - b'0');
            if k % 2 == 1 {
                let twice = d * 2;
                if twice > 9 { twice - 9 } else { twice }
            } else {
                d
            }
        })
        .sum();
    format!("{first10}{}", (10 - sum % 10) % 10)
}

/// Holder number `i`, registered at `created_at`.
#[must_use]
pub fn holder(i: u64, created_at: DateTime<Utc>) -> Holder {
    let kind = match i % 100 {
        0..85 => HolderKind::Person(PersonHolder { person: person(i) }),
        85..95 => {
            let kind = if i.is_multiple_of(2) {
                SubjectKind::LiberoProfessionista
            } else {
                SubjectKind::DittaIndividuale
            };
            let vat = VatNumber::parse(&vat_number(i)).expect("a computed VAT number checks");
            HolderKind::Professional(
                ProfessionalHolder::new(kind, person(i), "", vat).expect("a valid professional"),
            )
        }
        _ => {
            let vat = VatNumber::parse(&vat_number(i)).expect("a computed VAT number checks");
            let tax_code = TaxCode::parse(vat.as_str()).ok();
            let business =
                BusinessIdentity::new(&format!("Impresa {i} S.r.l."), Some(vat), tax_code)
                    .expect("a valid business");
            let (kind, invoicing) = if i.is_multiple_of(2) {
                (
                    SubjectKind::Azienda,
                    Some(InvoicingChannel::sdi("M5UXCR1").expect("a valid SDI code")),
                )
            } else {
                (SubjectKind::EnteNoProfit, None)
            };
            HolderKind::Company(
                CompanyHolder::new(kind, business, invoicing).expect("a valid body"),
            )
        }
    };
    let address = Address::new(
        &format!("Via del Corso {}", i % 300 + 1),
        Some(PostalCode::parse("00186").expect("a postal code")),
        "Roma",
        ProvinceCode::parse("RM").expect("a province"),
        "IT",
    )
    .expect("a valid address");
    let contacts = Contacts {
        email: EmailAddress::parse(&email(i)).expect("a valid email"),
        phone: PhoneNumber::parse(&format!("+39 3{:09}", i)).expect("a valid phone"),
        pec: None,
    };
    let lang = if i.is_multiple_of(3) {
        Lang::En
    } else {
        Lang::It
    };
    Holder::new(holder_id(i), kind, address, contacts, lang, created_at)
        .with_email_verified_at(Some(created_at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_holder_is_built_from_valid_data() {
        let now = Utc::now();
        for i in [0, 1, 84, 85, 86, 95, 96, 199, 999_999] {
            let h = holder(i, now);
            assert_eq!(h.id(), holder_id(i));
        }
    }

    #[test]
    fn tax_codes_differ_between_holders() {
        let codes: std::collections::BTreeSet<String> = (0..5000).map(person_tax_code).collect();
        assert_eq!(codes.len(), 5000);
    }
}
