//! The registration use case on typed input: the fields checked one by one, then
//! the checks across fields (tax code agreement, birth date, password policy) on
//! whatever is valid, the per-address limit, and the registration itself; every
//! refusal as field errors.

use identity_core::values::tax_code::TaxCodeMismatch;

use super::RegistrationInput;
use crate::error::InfraError;
use crate::forms::{FieldErrors, InputRule};
use crate::model::ApiClient;
use crate::usecases::limits::{REGISTRATIONS, address_key, take_all};
use crate::usecases::register::{RegisterError, Registered, Registration};

/// Why [`crate::Service::register_input`] stored nothing.
#[derive(Debug, thiserror::Error)]
pub enum RegisterInputError {
    /// Fields to fix, each with its message.
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// Only the tax code's agreement with the declared data failed: the person may
    /// fix the data, or confirm it (`confirm_mismatch`) for an operator's review.
    #[error("the tax code disagrees with the declared data")]
    Mismatch(FieldErrors),
    /// Too many registrations from this client address: try later.
    #[error("too many registrations from this address")]
    RateLimited,
    /// The machinery failed.
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// The field a tax code disagreement is shown beside.
fn mismatch_field(m: &TaxCodeMismatch) -> &'static str {
    match m {
        TaxCodeMismatch::FamilyName { .. } => "family_name",
        TaxCodeMismatch::GivenName { .. } => "given_name",
        TaxCodeMismatch::BirthDate { .. } => "birth_date",
        TaxCodeMismatch::Sex { .. } => "sex",
        TaxCodeMismatch::BirthPlace { .. } => "birth_place",
    }
}

/// A registration's rule errors as field errors (an infrastructure failure as it is).
fn field_errors(e: RegisterError) -> Result<FieldErrors, InfraError> {
    let mut errors = FieldErrors::new();
    match e {
        RegisterError::Password(v) => errors.add("password", v),
        RegisterError::BirthDateInFuture => errors.add("birth_date", InputRule::BirthDateInFuture),
        RegisterError::TaxCodeMismatch(v) => {
            for m in v {
                errors.add(mismatch_field(&m), m);
            }
        }
        RegisterError::Infra(infra) => return Err(infra),
    }
    Ok(errors)
}

impl crate::Service {
    /// The checks across fields (tax code agreement, a birth date in the future,
    /// the password policy) on whatever parts of a refused input are valid, added
    /// to `errors` for fields that have no error yet.
    fn cross_check(&self, input: &RegistrationInput, errors: &mut FieldErrors) {
        let mut scratch = FieldErrors::new();
        let person = match input.kind() {
            Some(k) if k.is_person() => input.person(&mut scratch),
            _ => None,
        };
        if let Some(p) = &person {
            let today = identity_core::calendar::rome_date(self.now());
            if p.birth_date() > today {
                errors.add("birth_date", InputRule::BirthDateInFuture);
            } else if let Err(v) = p.tax_code().check_person(&identity_core::PersonCheck {
                family_name: p.family_name(),
                given_name: p.given_name(),
                birth_date: p.birth_date(),
                sex: p.sex(),
                birth_place_code: Some(p.birth_place_code()),
            }) {
                for m in v {
                    errors.add(mismatch_field(&m), m);
                }
            }
        }
        if !input.password.is_empty() && input.password == input.password_confirm {
            let mut ctx = identity_core::PasswordContext::default();
            if let Some(p) = &person {
                ctx.names = p
                    .given_name()
                    .split_whitespace()
                    .chain(p.family_name().split_whitespace())
                    .collect();
                ctx.tax_code = Some(p.tax_code().as_str());
                ctx.birth_date = Some(p.birth_date());
            } else {
                ctx.names = input.company_name.split_whitespace().collect();
            }
            if let Err(v) = self.config().password_policy.check(&input.password, &ctx) {
                errors.add("password", v);
            }
        }
    }

    /// Registers from a form's input: every field is checked and every error
    /// returned at once; a valid registration from `client_ip` then counts against
    /// that address's limit (a mistyped form does not) before the password is
    /// hashed and everything is written in one transaction. `None` (a trusted
    /// caller, such as an embedding program) is not limited by address.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn register_input(
        &self,
        input: &RegistrationInput,
        client_ip: Option<&str>,
    ) -> Result<Registered, RegisterInputError> {
        self.register_input_via(input, client_ip, None).await
    }

    /// Registers from an API client's input, as [`Service::register_input`]
    /// without the address limit; the client's own audit record
    /// (`api.holder_registered` by `api:<name>`) is written in the registration's
    /// transaction, so no holder exists without the record of who created it.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), client = %client.name))]
    pub async fn register_input_for_api_client(
        &self,
        input: &RegistrationInput,
        client: &ApiClient,
    ) -> Result<Registered, RegisterInputError> {
        self.register_input_via(input, None, Some(client)).await
    }

    async fn register_input_via(
        &self,
        input: &RegistrationInput,
        client_ip: Option<&str>,
        api_client: Option<&ApiClient>,
    ) -> Result<Registered, RegisterInputError> {
        let reg = match input.parse() {
            Ok(reg) => reg,
            Err(mut errors) => {
                // Show the rules that span fields too, so every error comes at once.
                self.cross_check(input, &mut errors);
                return Err(RegisterInputError::Invalid(errors));
            }
        };
        if let Err(e) = self.validate_registration(&reg) {
            let only_mismatch = matches!(e, RegisterError::TaxCodeMismatch(_));
            return Err(match field_errors(e) {
                Ok(fields) if only_mismatch => RegisterInputError::Mismatch(fields),
                Ok(fields) => RegisterInputError::Invalid(fields),
                Err(infra) => RegisterInputError::Infra(infra),
            });
        }
        // Anonymous registrations count against their address; authenticated API
        // clients (`client_ip = None`) are audited instead.
        if let Some(ip) = client_ip {
            // Per address, and per tax code or VAT number: one person cannot be
            // registered over and over from many addresses either.
            let mut keys = vec![address_key("register", Some(ip))];
            if let Some(code) = input_fiscal_key(&reg) {
                keys.push(format!("register:fiscal:{code}"));
            }
            let allowed = take_all(self.store().as_ref(), &keys, REGISTRATIONS, self.now())
                .await
                .map_err(InfraError::from)?;
            if !allowed {
                tracing::warn!(?keys, "registration rate limit reached");
                return Err(RegisterInputError::RateLimited);
            }
        }
        self.register_by(reg, api_client)
            .await
            .map_err(|e| match field_errors(e) {
                Ok(fields) => RegisterInputError::Invalid(fields),
                Err(infra) => RegisterInputError::Infra(infra),
            })
    }
}

/// The fiscal identifier a registration counts under: the person's tax code, else
/// the VAT number, else the body's tax code.
fn input_fiscal_key(reg: &Registration) -> Option<String> {
    use identity_core::HolderKind;
    match &reg.kind {
        HolderKind::Person(p) => Some(p.person.tax_code().as_str().to_owned()),
        HolderKind::Professional(p) => Some(p.person.tax_code().as_str().to_owned()),
        HolderKind::Company(c) => c
            .business
            .vat_number()
            .map(|v| v.as_str().to_owned())
            .or_else(|| c.business.tax_code().map(|t| t.as_str().to_owned())),
    }
}
