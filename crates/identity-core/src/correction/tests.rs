//! Tests of correction requests: what can be asked, and what approval applies.

use crate::Lang;
use chrono::{NaiveDate, TimeZone, Utc};

use super::*;
use crate::address::Address;
use crate::holder::Contacts;
use crate::values::email::EmailAddress;
use crate::values::phone::PhoneNumber;
use crate::values::postal_code::PostalCode;
use crate::values::province::ProvinceCode;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap()
}

/// Mario Rossi registered with a typo in the given name ("Mari": the tax code's
/// letters are the same, so registration accepted it).
fn mari() -> Holder {
    let person = PersonIdentity::new(
        "Mari",
        "Rossi",
        PersonalTaxCode::parse("RSSMRA85T10A562S").unwrap(),
        NaiveDate::from_ymd_opt(1985, 12, 10).unwrap(),
        "A562",
        Sex::Male,
    )
    .unwrap();
    Holder::new(
        HolderId::from_uuid(uuid::Uuid::from_u128(1)),
        HolderKind::Person(PersonHolder { person }),
        Address::new(
            "Via Roma 1",
            Some(PostalCode::parse("00184").unwrap()),
            "Roma",
            ProvinceCode::parse("RM").unwrap(),
            "",
        )
        .unwrap(),
        Contacts {
            email: EmailAddress::parse("mario@example.it").unwrap(),
            phone: PhoneNumber::parse("3331234567").unwrap(),
            pec: None,
        },
        Lang::It,
        now(),
    )
}

fn open(
    holder: &Holder,
    field: CorrectableField,
    value: &str,
) -> Result<CorrectionRequest, CorrectionError> {
    CorrectionRequest::open(
        CorrectionId::from_uuid(uuid::Uuid::from_u128(2)),
        holder,
        field,
        value,
        "typo at registration",
        now(),
    )
}

#[test]
fn an_approved_correction_replaces_the_field_and_nothing_else() {
    let holder = mari();
    let mut request = open(&holder, CorrectableField::GivenName, "Mario").unwrap();
    assert_eq!(request.current_value, "Mari");
    let corrected = request.approve(&holder, "anna", now()).unwrap();
    assert_eq!(corrected.person().unwrap().given_name(), "Mario");
    assert_eq!(corrected.id(), holder.id());
    assert_eq!(corrected.contacts(), holder.contacts());
    assert_eq!(request.state.code(), "approved");
    assert_eq!(
        request.approve(&holder, "anna", now()),
        Err(CorrectionError::AlreadyDecided)
    );
}

#[test]
fn approval_refuses_data_that_would_disagree_with_the_tax_code() {
    let holder = mari();
    let mut request = open(&holder, CorrectableField::GivenName, "Luca").unwrap();
    assert!(matches!(
        request.approve(&holder, "anna", now()),
        Err(CorrectionError::Mismatch(_))
    ));
    assert_eq!(request.state, CorrectionState::Open, "still waiting");
    request
        .reject("anna", "the tax code says otherwise", now())
        .unwrap();
    assert_eq!(request.state.code(), "rejected");
}

#[test]
fn requests_that_could_never_apply_are_refused_at_once() {
    let holder = mari();
    assert_eq!(
        open(&holder, CorrectableField::VatNumber, "01114601006").unwrap_err(),
        CorrectionError::NotApplicable
    );
    assert_eq!(
        open(&holder, CorrectableField::GivenName, "mari").unwrap_err(),
        CorrectionError::Unchanged
    );
    assert!(matches!(
        open(&holder, CorrectableField::TaxCode, "RSSMRA85T10A562X").unwrap_err(),
        CorrectionError::Invalid(_)
    ));
    assert!(matches!(
        open(&holder, CorrectableField::BirthDate, "31/02/1985").unwrap_err(),
        CorrectionError::Invalid(_)
    ));
    assert_eq!(
        open(&holder, CorrectableField::GivenName, " ").unwrap_err(),
        CorrectionError::Required("requested_value")
    );
    assert_eq!(
        CorrectableField::fields_of(&holder),
        vec![
            CorrectableField::GivenName,
            CorrectableField::FamilyName,
            CorrectableField::TaxCode,
            CorrectableField::BirthDate,
            CorrectableField::BirthPlace,
            CorrectableField::Sex,
        ]
    );
    for f in CorrectableField::ALL {
        assert_eq!(CorrectableField::from_code(f.code()), Some(f));
    }
}
