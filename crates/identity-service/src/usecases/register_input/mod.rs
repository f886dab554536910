//! The registration form's input as typed (strings), checked field by field into a
//! [`Registration`]. The web form and the JSON API both go through here, so they
//! accept and refuse exactly the same things, with the same messages.

use chrono::NaiveDate;
use identity_core::consent::ConsentKind;
use identity_core::holder::{BusinessIdentity, HolderError, PersonIdentity};
use identity_core::lang::Lang;
use identity_core::values::place_lookup::{
    birth_municipality, country_named, current_municipality,
};
use identity_core::values::province::ABROAD;
use identity_core::{
    Address, CompanyHolder, Contacts, EmailAddress, HolderKind, InvoicingChannel, PersonHolder,
    PersonalTaxCode, PhoneNumber, PostalCode, ProfessionalHolder, ProvinceCode, Sex, SubjectKind,
    TaxCode, VatNumber,
};

use crate::forms::{FieldErrors, InputRule};
use crate::usecases::register::Registration;

mod submit;

pub use submit::RegisterInputError;

/// What the registration form (or the API) sent, field by field, untrimmed.
/// Field names are those of the form and of the API's error list.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct RegistrationInput {
    /// `persona_fisica`, `azienda`, `libero_professionista`, `ditta_individuale`,
    /// `ente_no_profit`, `ente_pubblico`, `altri_soggetti`.
    pub subject_kind: String,
    /// Person: given name(s).
    pub given_name: String,
    /// Person: family name(s).
    pub family_name: String,
    /// The person's 16-character tax code, or a body's (11 digits or 16 characters).
    pub tax_code: String,
    /// Person: `YYYY-MM-DD` (or `DD/MM/YYYY`).
    pub birth_date: String,
    /// Person: `M` or `F`, as on the tax code.
    pub sex: String,
    /// Person: municipality of birth, or the country for people born abroad.
    pub birth_place: String,
    /// Person: province of the municipality of birth, `EE` for abroad.
    pub birth_province: String,
    /// Company, body or business name.
    pub company_name: String,
    /// VAT number.
    pub vat_number: String,
    /// Company: SDI recipient code (7 characters), or...
    pub sdi_code: String,
    /// ... the PEC address for electronic invoices.
    pub invoicing_pec: String,
    /// Residence or registered office: street and number.
    pub street: String,
    /// CAP (5 digits; empty abroad).
    pub postal_code: String,
    /// Municipality (a current Italian one, or a foreign town).
    pub municipality: String,
    /// Province code, `EE` abroad.
    pub province: String,
    /// Country, when the province is `EE`.
    pub country: String,
    /// Reference email.
    pub email: String,
    /// The same, typed again.
    pub email_confirm: String,
    /// Phone.
    pub phone: String,
    /// Certified mail (PEC), optional.
    pub pec: String,
    /// Chosen password.
    pub password: String,
    /// The same, typed again.
    pub password_confirm: String,
    /// Whether the privacy notice was read (required).
    pub privacy_notice: bool,
    /// The person confirms the data although the tax code disagrees with it: the
    /// data goes to an operator's review instead of being refused.
    pub confirm_mismatch: bool,
    /// Each optional consent: given, refused, or `None` if not answered.
    #[serde(skip)]
    pub consents: Vec<(ConsentKind, Option<bool>)>,
    /// The form's language (mail follows it).
    #[serde(skip)]
    pub lang: Lang,
}

fn opt(s: &str) -> Option<&str> {
    let t = s.trim();
    (!t.is_empty()).then_some(t)
}

fn required<'a>(errors: &mut FieldErrors, field: &'static str, s: &'a str) -> Option<&'a str> {
    let v = opt(s);
    if v.is_none() {
        errors.add(field, InputRule::Required);
    }
    v
}

/// Parses a date typed as `YYYY-MM-DD` (the date input) or `DD/MM/YYYY`.
#[must_use]
pub fn parse_form_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .ok()
}

/// A holder-rule error shown beside its field.
fn holder_field(e: &HolderError) -> &'static str {
    match e {
        HolderError::Required(f) | HolderError::BadName(f) => f,
        HolderError::MissingFiscalId => "vat_number",
        HolderError::BadSdiCode => "sdi_code",
        HolderError::BadBirthDate => "birth_date",
    }
}

impl RegistrationInput {
    /// The subject kind, if a valid one was chosen.
    #[must_use]
    pub fn kind(&self) -> Option<SubjectKind> {
        SubjectKind::from_code(self.subject_kind.trim())
    }

    /// Checks every field and builds the registration, or returns every field's
    /// error at once. Agreement between the tax code and the declared data, and the
    /// password policy (which needs the holder's data), are checked by
    /// [`crate::Service::register_input`] on the result.
    pub fn parse(&self) -> Result<Registration, FieldErrors> {
        let mut errors = FieldErrors::new();
        let Some(kind) = self.kind() else {
            errors.add("subject_kind", InputRule::SubjectKind);
            return Err(errors);
        };
        let (holder_kind, address, contacts) = self.holder_parts(kind, &mut errors);

        if self.password.is_empty() {
            errors.add("password", InputRule::Required);
        } else if self.password != self.password_confirm {
            errors.add("password_confirm", InputRule::PasswordsDiffer);
        }
        if !self.privacy_notice {
            errors.add("privacy_notice", InputRule::PrivacyNotice);
        }
        let mut consents = Vec::new();
        for k in ConsentKind::ALL {
            match self
                .consents
                .iter()
                .find(|(c, _)| *c == k)
                .and_then(|(_, v)| *v)
            {
                Some(given) => consents.push((k, given)),
                None => errors.add(consent_field(k), InputRule::ConsentUnanswered),
            }
        }
        match (holder_kind, address, contacts) {
            (Some(kind), Some(address), Some(contacts)) if errors.is_empty() => Ok(Registration {
                kind,
                address,
                contacts,
                lang: self.lang,
                password: self.password.clone(),
                consents,
                accept_tax_code_mismatch: self.confirm_mismatch,
            }),
            _ => Err(errors),
        }
    }

    /// The holder's data without the credentials and consents: what a bulk
    /// import carries. Every field's error at once.
    pub fn parse_holder(&self) -> Result<(HolderKind, Address, Contacts), FieldErrors> {
        let mut errors = FieldErrors::new();
        let Some(kind) = self.kind() else {
            errors.add("subject_kind", InputRule::SubjectKind);
            return Err(errors);
        };
        match self.holder_parts(kind, &mut errors) {
            (Some(k), Some(a), Some(c)) if errors.is_empty() => Ok((k, a, c)),
            _ => Err(errors),
        }
    }

    fn holder_parts(
        &self,
        kind: SubjectKind,
        errors: &mut FieldErrors,
    ) -> (Option<HolderKind>, Option<Address>, Option<Contacts>) {
        let holder_kind = match kind {
            SubjectKind::PersonaFisica => self
                .person(errors)
                .map(|person| HolderKind::Person(PersonHolder { person })),
            SubjectKind::LiberoProfessionista | SubjectKind::DittaIndividuale => {
                let person = self.person(errors);
                let vat = required(errors, "vat_number", &self.vat_number)
                    .and_then(|v| errors.check("vat_number", VatNumber::parse(v)));
                match (person, vat) {
                    (Some(p), Some(v)) => {
                        match ProfessionalHolder::new(kind, p, &self.company_name, v) {
                            Ok(h) => Some(HolderKind::Professional(h)),
                            Err(e) => {
                                errors.add(holder_field(&e), e);
                                None
                            }
                        }
                    }
                    _ => None,
                }
            }
            _ => self.company(kind, errors),
        };
        let address = self.address(errors);
        let contacts = self.contacts(errors);
        (holder_kind, address, contacts)
    }

    pub(crate) fn person(&self, errors: &mut FieldErrors) -> Option<PersonIdentity> {
        let given = required(errors, "given_name", &self.given_name);
        let family = required(errors, "family_name", &self.family_name);
        let code = required(errors, "tax_code", &self.tax_code)
            .and_then(|c| errors.check("tax_code", PersonalTaxCode::parse(c)));
        let birth_date = match required(errors, "birth_date", &self.birth_date) {
            Some(d) => {
                let parsed = parse_form_date(d);
                if parsed.is_none() {
                    errors.add("birth_date", InputRule::DateFormat);
                }
                parsed
            }
            None => None,
        };
        let sex = match self.sex.trim().to_ascii_uppercase().as_str() {
            "M" => Some(Sex::Male),
            "F" => Some(Sex::Female),
            _ => {
                errors.add("sex", InputRule::Sex);
                None
            }
        };
        let place = self.birth_place_code(errors, birth_date);
        let (given, family, code, birth_date, place, sex) =
            (given?, family?, code?, birth_date?, place?, sex?);
        match PersonIdentity::new(given, family, code, birth_date, &place, sex) {
            Ok(p) => Some(p),
            Err(e) => {
                errors.add(holder_field(&e), e);
                None
            }
        }
    }

    fn birth_place_code(
        &self,
        errors: &mut FieldErrors,
        birth_date: Option<NaiveDate>,
    ) -> Option<String> {
        let province = opt(&self.birth_province).map(str::to_ascii_uppercase);
        if province.as_deref() == Some(ABROAD) {
            return errors
                .check("birth_place", country_named(&self.birth_place))
                .map(|c| c.belfiore_code.clone());
        }
        errors
            .check(
                "birth_place",
                birth_municipality(&self.birth_place, province.as_deref(), birth_date),
            )
            .map(|m| m.belfiore_code.clone())
    }

    fn company(&self, kind: SubjectKind, errors: &mut FieldErrors) -> Option<HolderKind> {
        let name = required(errors, "company_name", &self.company_name);
        let vat =
            opt(&self.vat_number).and_then(|v| errors.check("vat_number", VatNumber::parse(v)));
        let code = opt(&self.tax_code).and_then(|c| errors.check("tax_code", TaxCode::parse(c)));
        if opt(&self.vat_number).is_none() && opt(&self.tax_code).is_none() {
            errors.add("vat_number", HolderError::MissingFiscalId);
        }
        let invoicing = match (opt(&self.sdi_code), opt(&self.invoicing_pec)) {
            (Some(sdi), _) => errors.check("sdi_code", InvoicingChannel::sdi(sdi)),
            (None, Some(pec)) => errors
                .check("invoicing_pec", EmailAddress::parse(pec))
                .map(InvoicingChannel::Pec),
            (None, None) => {
                if kind == SubjectKind::Azienda {
                    errors.add("sdi_code", InputRule::InvoicingChannel);
                }
                None
            }
        };
        let business = BusinessIdentity::new(name?, vat, code);
        match business.and_then(|b| CompanyHolder::new(kind, b, invoicing)) {
            Ok(c) if errors.is_empty() => Some(HolderKind::Company(c)),
            Ok(_) => None,
            Err(e) => {
                errors.add(holder_field(&e), e);
                None
            }
        }
    }

    pub(crate) fn address(&self, errors: &mut FieldErrors) -> Option<Address> {
        let street = required(errors, "street", &self.street);
        let province = required(errors, "province", &self.province)
            .and_then(|p| errors.check("province", ProvinceCode::parse(p)));
        let abroad = province.as_ref().is_some_and(ProvinceCode::is_abroad);
        let postal_code = if abroad {
            None
        } else {
            required(errors, "postal_code", &self.postal_code)
                .and_then(|p| errors.check("postal_code", PostalCode::parse(p)))
        };
        let municipality = match (&province, abroad) {
            (Some(p), false) => errors
                .check(
                    "municipality",
                    current_municipality(&self.municipality, p.as_str()),
                )
                .map(|m| m.name.clone()),
            _ => required(errors, "municipality", &self.municipality).map(str::to_owned),
        };
        let country = if abroad {
            required(errors, "country", &self.country).map(str::to_owned)
        } else {
            Some(String::new())
        };
        let (street, province, municipality, country) =
            (street?, province?, municipality?, country?);
        if !abroad && postal_code.is_none() {
            return None;
        }
        match Address::new(street, postal_code, &municipality, province, &country) {
            Ok(a) => Some(a),
            Err(e) => {
                errors.add(holder_field(&e), e);
                None
            }
        }
    }

    pub(crate) fn contacts(&self, errors: &mut FieldErrors) -> Option<Contacts> {
        let email = required(errors, "email", &self.email)
            .and_then(|e| errors.check("email", EmailAddress::parse(e)));
        if let Some(e) = &email {
            match EmailAddress::parse(&self.email_confirm) {
                Ok(confirm) if confirm.normalized() == e.normalized() => {}
                _ => errors.add("email_confirm", InputRule::EmailsDiffer),
            }
        }
        let phone = required(errors, "phone", &self.phone)
            .and_then(|p| errors.check("phone", PhoneNumber::parse(p)));
        let pec = opt(&self.pec).and_then(|p| errors.check("pec", EmailAddress::parse(p)));
        if opt(&self.pec).is_some() && pec.is_none() {
            return None;
        }
        Some(Contacts {
            email: email?,
            phone: phone?,
            pec,
        })
    }
}

/// The form field of a consent (`consent_marketing`).
#[must_use]
pub fn consent_field(kind: ConsentKind) -> &'static str {
    match kind {
        ConsentKind::Marketing => "consent_marketing",
        ConsentKind::Profiling => "consent_profiling",
        ConsentKind::ThirdParties => "consent_third_parties",
    }
}
