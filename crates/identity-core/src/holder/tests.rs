//! Tests of the holder model: what each kind requires, and how contacts change.

use chrono::{NaiveDate, TimeZone, Utc};

use super::*;
use crate::values::postal_code::PostalCode;
use crate::values::province::ProvinceCode;
use crate::values::tax_code::{PersonalTaxCode, Sex};

fn mario() -> PersonIdentity {
    PersonIdentity::new(
        " Mario ",
        "Rossi",
        PersonalTaxCode::parse("RSSMRA85T10A562S").unwrap(),
        NaiveDate::from_ymd_opt(1985, 12, 10).unwrap(),
        "a562",
        Sex::Male,
    )
    .unwrap()
}

fn address() -> Address {
    Address::new(
        "Via  Roma 1",
        Some(PostalCode::parse("00184").unwrap()),
        "Roma",
        ProvinceCode::parse("RM").unwrap(),
        "",
    )
    .unwrap()
}

fn contacts() -> Contacts {
    Contacts {
        email: EmailAddress::parse("mario@example.it").unwrap(),
        phone: PhoneNumber::parse("3331234567").unwrap(),
        pec: None,
    }
}

fn holder(kind: HolderKind) -> Holder {
    let id = HolderId::from_uuid(uuid::Uuid::from_u128(9));
    Holder::new(
        id,
        kind,
        address(),
        contacts(),
        Lang::It,
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
    )
}

#[test]
fn a_person_is_normalised_and_exposes_its_identity() {
    let p = mario();
    assert_eq!(p.given_name(), "Mario");
    assert_eq!(p.birth_place_code(), "A562");
    let h = holder(HolderKind::Person(PersonHolder { person: p }));
    assert_eq!(h.subject_kind(), SubjectKind::PersonaFisica);
    assert_eq!(h.display_name(), "Mario Rossi");
    assert_eq!(h.tax_code().unwrap().as_str(), "RSSMRA85T10A562S");
    assert!(h.vat_number().is_none());
    assert_eq!(h.address().street, "Via Roma 1");
    assert_eq!(
        h.address().to_string(),
        "Via Roma 1, 00184 Roma (RM), Italia"
    );
}

#[test]
fn names_are_checked() {
    let cf = || PersonalTaxCode::parse("RSSMRA85T10A562S").unwrap();
    let day = NaiveDate::from_ymd_opt(1985, 12, 10).unwrap();
    assert_eq!(
        PersonIdentity::new("  ", "Rossi", cf(), day, "A562", Sex::Male),
        Err(HolderError::Required("given_name"))
    );
    assert_eq!(
        PersonIdentity::new("Mario<script>", "Rossi", cf(), day, "A562", Sex::Male),
        Err(HolderError::BadName("given_name"))
    );
    assert!(
        PersonIdentity::new(
            "Maria Chiara",
            "D'Angelo-Núñez",
            cf(),
            day,
            "A562",
            Sex::Female
        )
        .is_ok()
    );
}

#[test]
fn a_company_needs_a_fiscal_id_and_an_invoicing_channel() {
    assert_eq!(
        BusinessIdentity::new("Esempio S.r.l.", None, None),
        Err(HolderError::MissingFiscalId)
    );
    let vat = VatNumber::parse("12345670017").unwrap();
    let business = BusinessIdentity::new("Esempio S.r.l.", Some(vat), None).unwrap();
    assert_eq!(
        CompanyHolder::new(SubjectKind::Azienda, business.clone(), None),
        Err(HolderError::Required("invoicing"))
    );
    // A non-profit body may do without one.
    assert!(CompanyHolder::new(SubjectKind::EnteNoProfit, business.clone(), None).is_ok());
    // A person kind is not a company kind.
    assert!(CompanyHolder::new(SubjectKind::PersonaFisica, business.clone(), None).is_err());
    let company = CompanyHolder::new(
        SubjectKind::Azienda,
        business,
        Some(InvoicingChannel::sdi("abc1234").unwrap()),
    )
    .unwrap();
    let h = holder(HolderKind::Company(company));
    assert!(h.person().is_none());
    assert_eq!(h.vat_number().unwrap().as_str(), "12345670017");
    assert_eq!(InvoicingChannel::sdi("ABC12"), Err(HolderError::BadSdiCode));
}

#[test]
fn a_professional_is_a_person_with_a_vat_number() {
    let vat = VatNumber::parse("12345670017").unwrap();
    let pro = ProfessionalHolder::new(SubjectKind::LiberoProfessionista, mario(), "", vat.clone())
        .unwrap();
    assert_eq!(pro.business_name(), "Mario Rossi");
    let h = holder(HolderKind::Professional(pro));
    assert_eq!(h.subject_kind(), SubjectKind::LiberoProfessionista);
    assert_eq!(h.person().unwrap().family_name(), "Rossi");
    assert_eq!(h.vat_number(), Some(&vat));
    assert!(ProfessionalHolder::new(SubjectKind::Azienda, mario(), "", vat).is_err());
    // The person behind a professional may hold a digital identity; a company may not.
    assert!(
        SubjectKind::LiberoProfessionista.is_person() && SubjectKind::DittaIndividuale.is_person()
    );
    assert!(!SubjectKind::Azienda.is_person() && !SubjectKind::EntePubblico.is_person());
}

#[test]
fn contact_changes_are_returned_as_events() {
    let mut h = holder(HolderKind::Person(PersonHolder { person: mario() }));
    assert_eq!(
        h.change_email(EmailAddress::parse("MARIO@example.it").unwrap()),
        None,
        "same address, other case"
    );
    let change = h
        .change_email(EmailAddress::parse("nuovo@example.it").unwrap())
        .unwrap();
    assert!(
        matches!(change, ContactChange::Email { ref old, .. } if old.to_string() == "mario@example.it")
    );
    assert_eq!(h.contacts().email.to_string(), "nuovo@example.it");
    assert!(
        h.change_phone(PhoneNumber::parse("+39 333 1234567").unwrap())
            .is_none()
    );
    assert!(
        h.change_pec(Some(EmailAddress::parse("mario@pec.it").unwrap()))
            .is_some()
    );
    assert!(h.change_pec(None).is_some());
    let abroad = Address::new(
        "1 Main St",
        None,
        "London",
        ProvinceCode::parse("EE").unwrap(),
        "Regno Unito",
    )
    .unwrap();
    assert!(matches!(
        h.change_address(abroad),
        Some(ContactChange::Address { .. })
    ));
}

#[test]
fn an_italian_address_needs_a_postcode() {
    let rm = ProvinceCode::parse("RM").unwrap();
    assert_eq!(
        Address::new("Via Roma 1", None, "Roma", rm, ""),
        Err(HolderError::Required("postal_code"))
    );
    let ee = ProvinceCode::parse("EE").unwrap();
    assert_eq!(
        Address::new("1 Main St", None, "London", ee, " "),
        Err(HolderError::Required("country"))
    );
}

#[test]
fn subject_kind_codes_round_trip() {
    for k in SubjectKind::ALL {
        assert_eq!(SubjectKind::from_code(k.code()), Some(k));
    }
}
