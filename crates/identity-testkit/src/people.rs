//! The test people: Mario Rossi (a person born in Rome) and Esempio S.r.l. (a
//! company), as domain values, as form input and registered; the usual password
//! and identity proofing.

use chrono::{NaiveDate, Utc};
use identity_core::holder::{BusinessIdentity, PersonIdentity};
use identity_core::{
    Address, CompanyHolder, ConsentKind, Contacts, EmailAddress, HolderKind, InvoicingChannel,
    Lang, PersonHolder, PersonalTaxCode, PhoneNumber, PostalCode, ProvinceCode, Sex, SubjectKind,
    TaxCode, VatNumber,
};
use identity_service::usecases::contacts::ContactsInput;
use identity_service::usecases::register::Registration;
use identity_service::usecases::register_input::RegistrationInput;

use crate::app::TestApp;
use crate::outbox::last_code;

/// The password every test person chose: it follows the whole policy.
pub const PASSWORD: &str = "Ver0-Sicura!x";

/// Mario Rossi, born in Rome on 10 December 1985, with his tax code.
pub fn mario() -> PersonIdentity {
    PersonIdentity::new(
        "Mario",
        "Rossi",
        PersonalTaxCode::parse("RSSMRA85T10A562S").unwrap(),
        NaiveDate::from_ymd_opt(1985, 12, 10).unwrap(),
        "A562",
        Sex::Male,
    )
    .unwrap()
}

/// A residence in Rome.
pub fn address() -> Address {
    Address::new(
        "Via Roma 1",
        Some(PostalCode::parse("00184").unwrap()),
        "Roma",
        ProvinceCode::parse("RM").unwrap(),
        "",
    )
    .unwrap()
}

/// Contacts with the reference email `email` and a mobile phone.
pub fn contacts(email: &str) -> Contacts {
    Contacts {
        email: EmailAddress::parse(email).unwrap(),
        phone: PhoneNumber::parse("333 123 4567").unwrap(),
        pec: None,
    }
}

/// Mario's registration with the reference email `email` and marketing consent.
pub fn person_registration(email: &str) -> Registration {
    Registration {
        kind: HolderKind::Person(PersonHolder { person: mario() }),
        address: address(),
        contacts: contacts(email),
        lang: Lang::It,
        password: PASSWORD.into(),
        consents: vec![(identity_core::ConsentKind::Marketing, true)],
        accept_tax_code_mismatch: false,
    }
}

/// The registration of Esempio S.r.l. (a company with VAT number and SDI code), in English.
pub fn company_registration() -> Registration {
    let business = BusinessIdentity::new(
        "Esempio S.r.l.",
        Some(VatNumber::parse("12345670017").unwrap()),
        Some(TaxCode::parse("12345670017").unwrap()),
    )
    .unwrap();
    let company = CompanyHolder::new(
        SubjectKind::Azienda,
        business,
        Some(InvoicingChannel::sdi("ABC1234").unwrap()),
    )
    .unwrap();
    Registration {
        kind: HolderKind::Company(company),
        address: address(),
        contacts: contacts("amministrazione@esempio.it"),
        lang: Lang::En,
        password: PASSWORD.into(),
        consents: Vec::new(),
        accept_tax_code_mismatch: false,
    }
}

/// Mario's registration prepared for `write_registration`, as the use case would.
pub fn prepared_registration(
    email: &str,
    at: chrono::DateTime<Utc>,
) -> identity_service::usecases::register::PreparedRegistration {
    identity_service::usecases::register::PreparedRegistration {
        holder: identity_core::Holder::new(
            identity_core::HolderId::from_uuid(uuid::Uuid::now_v7()),
            HolderKind::Person(PersonHolder { person: mario() }),
            address(),
            contacts(email),
            Lang::It,
            at,
        ),
        password_hash: "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaA".into(),
        consents: Vec::new(),
    }
}

/// Writes Mario's registration (with `email`, at `at`) inside `tx` without
/// committing, and answers the new holder's id: what the store's crash, rollback
/// and disk-full tests need.
///
/// # Errors
/// The store's error for the first statement that fails.
pub async fn write_prepared_registration(
    tx: &mut dyn identity_service::StoreTx,
    email: &str,
    at: chrono::DateTime<Utc>,
) -> Result<identity_core::HolderId, identity_service::StoreError> {
    let prepared = prepared_registration(email, at);
    identity_service::usecases::register::write_registration(
        tx,
        &identity_service::ports::OsRandomness,
        &prepared,
        "test.example.it",
        "http://localhost:8080",
        &mut identity_service::usecases::register::random_login_numbers(),
    )
    .await?;
    Ok(prepared.holder.id())
}

/// Registers Mario (the usual test person); his holder id and login number.
pub async fn register_mario(h: &TestApp) -> (identity_core::HolderId, identity_core::LoginNumber) {
    let r = registered_mario(h).await;
    (r.holder_id, r.login_id.number())
}

/// Registers Mario with `mario.rossi@example.it`; the whole result.
pub async fn registered_mario(h: &TestApp) -> identity_service::usecases::register::Registered {
    h.service
        .register(person_registration("mario.rossi@example.it"))
        .await
        .unwrap()
}

/// An in-person proofing with an identity card valid until 2031.
pub fn proofing(h: &TestApp) -> identity_core::identity::Proofing {
    use identity_core::identity::{DocumentKind, IdentityDocument, Proofing, ProofingMethod};
    Proofing {
        method: ProofingMethod::InPerson,
        document: IdentityDocument::new(
            DocumentKind::IdentityCard,
            "CA12345AB",
            "Comune di Roma",
            NaiveDate::from_ymd_opt(2031, 5, 1).unwrap(),
            identity_core::calendar::rome_date(h.service.now()),
        )
        .unwrap(),
        evidence_ref: "sportello-42/2026".into(),
    }
}

/// Mario's registration form as typed (in lower case, born in San Giuliano Terme), every consent refused.
pub fn mario_input() -> RegistrationInput {
    RegistrationInput {
        subject_kind: "persona_fisica".into(),
        given_name: "Mario".into(),
        family_name: "Rossi".into(),
        tax_code: "rssmra85t10a562s".into(),
        birth_date: "10/12/1985".into(),
        sex: "M".into(),
        birth_place: "San Giuliano Terme".into(),
        birth_province: "PI".into(),
        street: "Via Roma 1".into(),
        postal_code: "56017".into(),
        municipality: "san giuliano terme".into(),
        province: "PI".into(),
        email: "mario@example.it".into(),
        email_confirm: "MARIO@example.it".into(),
        phone: "333 123 4567".into(),
        password: PASSWORD.into(),
        password_confirm: PASSWORD.into(),
        privacy_notice: true,
        consents: ConsentKind::ALL.iter().map(|k| (*k, Some(false))).collect(),
        ..RegistrationInput::default()
    }
}

/// The contacts form with `email` (typed twice) and `phone`, in Rome.
pub fn contacts_of(email: &str, phone: &str) -> ContactsInput {
    ContactsInput {
        email: email.into(),
        email_confirm: email.into(),
        phone: phone.into(),
        street: "Via Roma 1".into(),
        postal_code: "00184".into(),
        municipality: "Roma".into(),
        province: "RM".into(),
        ..ContactsInput::default()
    }
}

/// Mario registered, his email verified with the mailed code; his holder id and login number.
pub async fn verified_mario(h: &TestApp) -> (identity_core::HolderId, identity_core::LoginNumber) {
    let r = registered_mario(h).await;
    let code = last_code(h, "registration_confirmed").await;
    h.service.verify_email_code(&code).await.unwrap();
    (r.holder_id, r.login_id.number())
}

/// Mario's registration form as the browser sends it (with `csrf`), every
/// consent refused but third parties: change a field before sending it.
pub fn registration_form(csrf: &str) -> Vec<(&'static str, String)> {
    [
        ("csrf", csrf),
        ("subject_kind", "persona_fisica"),
        ("given_name", "Mario"),
        ("family_name", "Rossi"),
        ("tax_code", "RSSMRA85T10A562S"),
        ("birth_date", "1985-12-10"),
        ("sex", "M"),
        ("birth_place", "San Giuliano Terme"),
        ("birth_province", "PI"),
        ("street", "Via Roma 1"),
        ("postal_code", "56017"),
        ("municipality", "San Giuliano Terme"),
        ("province", "PI"),
        ("email", "mario@example.it"),
        ("email_confirm", "mario@example.it"),
        ("phone", "3331234567"),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
        ("privacy_notice", "yes"),
        ("consent_marketing", "no"),
        ("consent_profiling", "no"),
        ("consent_third_parties", "yes"),
    ]
    .iter()
    .map(|(k, v)| (*k, (*v).to_owned()))
    .collect()
}

/// A form's fields as `Browser::send` takes them.
pub fn form_pairs<'a>(form: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}
