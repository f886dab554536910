//! Errors tied to input fields: the registration form and the JSON API check the
//! same input the same way, and each error belongs to its field. An error is a
//! code ([`FieldProblem`]); the words for it are chosen where it is shown (the
//! `identity-words` crate).

use identity_core::PasswordViolation;
use identity_core::holder::HolderError;
use identity_core::values::email::EmailError;
use identity_core::values::login_id::LoginIdError;
use identity_core::values::phone::PhoneError;
use identity_core::values::place_lookup::PlaceError;
use identity_core::values::postal_code::PostalCodeError;
use identity_core::values::province::ProvinceError;
use identity_core::values::tax_code::{TaxCodeError, TaxCodeMismatch};
use identity_core::values::vat_number::VatNumberError;

/// A rule of an input field that has no error type of its own in the domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputRule {
    /// The field is required.
    Required,
    /// The password typed the second time is not the first.
    PasswordsDiffer,
    /// The email typed the second time is not the first.
    EmailsDiffer,
    /// Not a date written `dd/mm/yyyy` (or `yyyy-mm-dd`).
    DateFormat,
    /// Neither `M` nor `F`.
    Sex,
    /// No kind of subject chosen.
    SubjectKind,
    /// The privacy notice was not confirmed as read.
    PrivacyNotice,
    /// A consent was neither given nor refused.
    ConsentUnanswered,
    /// A company gave neither an SDI recipient code nor a PEC for its invoices.
    InvoicingChannel,
    /// The declared date of birth is after today.
    BirthDateInFuture,
    /// Neither a valid tax code nor a valid VAT number.
    TaxCodeOrVatNumber,
    /// Not a valid 16-character tax code.
    PersonalTaxCode,
    /// Not a username written `123456@domain`.
    Username,
    /// Not an emergency code (16 letters and digits).
    EmergencyCodeFormat,
    /// Longer than `max` characters.
    TooLong {
        /// The longest allowed.
        max: usize,
    },
    /// The security key was not accepted (not device-bound, or the ceremony failed).
    SecurityKeyRefused,
}

/// What is wrong with one field: a rule of the form, or the domain's own error
/// for the value typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldProblem {
    /// A rule of the form.
    Rule(InputRule),
    /// The tax code does not parse.
    TaxCode(TaxCodeError),
    /// The tax code disagrees with the declared data.
    TaxCodeMismatch(TaxCodeMismatch),
    /// The VAT number does not parse.
    VatNumber(VatNumberError),
    /// The email address does not parse.
    Email(EmailError),
    /// The phone number does not parse.
    Phone(PhoneError),
    /// The postcode does not parse.
    PostalCode(PostalCodeError),
    /// The province code does not parse.
    Province(ProvinceError),
    /// The place is unknown or ambiguous.
    Place(PlaceError),
    /// The login id does not parse.
    LoginId(LoginIdError),
    /// The holder's data does not hold together.
    Holder(HolderError),
    /// The password breaks the policy (every violation).
    Password(Vec<PasswordViolation>),
}

macro_rules! field_problem_from {
    ($($error:ty => $variant:ident),* $(,)?) => {
        $(impl From<$error> for FieldProblem {
            fn from(e: $error) -> FieldProblem {
                FieldProblem::$variant(e)
            }
        })*
    };
}

field_problem_from!(
    InputRule => Rule,
    TaxCodeError => TaxCode,
    TaxCodeMismatch => TaxCodeMismatch,
    VatNumberError => VatNumber,
    EmailError => Email,
    PhoneError => Phone,
    PostalCodeError => PostalCode,
    ProvinceError => Province,
    PlaceError => Place,
    LoginIdError => LoginId,
    HolderError => Holder,
    Vec<PasswordViolation> => Password,
);

/// One input field's error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name, as in the form and the API (`tax_code`, `email_confirm`).
    pub field: &'static str,
    /// What is wrong.
    pub problem: FieldProblem,
}

/// The errors of a whole form, in the order the fields appear.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// No errors yet.
    #[must_use]
    pub fn new() -> FieldErrors {
        FieldErrors::default()
    }

    /// Adds an error of `field` (only the first error of each field is kept: one
    /// message beside a field is clearer than a list).
    pub fn add(&mut self, field: &'static str, problem: impl Into<FieldProblem>) {
        if self.get(field).is_none() {
            self.0.push(FieldError {
                field,
                problem: problem.into(),
            });
        }
    }

    /// Keeps the value of `result`, or records its error under `field`.
    pub fn check<T, E: Into<FieldProblem>>(
        &mut self,
        field: &'static str,
        result: Result<T, E>,
    ) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e);
                None
            }
        }
    }

    /// The error of `field`, if any.
    #[must_use]
    pub fn get(&self, field: &str) -> Option<&FieldError> {
        self.0.iter().find(|e| e.field == field)
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every error, in order.
    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }

    /// `Ok(value)` when there are no errors.
    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value())
        } else {
            Err(self)
        }
    }
}

/// The errors of a new password typed twice: required, the same twice, and the
/// policy's composition and personal-data rules (`ctx`). History is the caller's.
#[must_use]
pub fn new_password_errors(
    policy: &identity_core::PasswordPolicy,
    password: &str,
    confirm: &str,
    ctx: &identity_core::PasswordContext<'_>,
) -> FieldErrors {
    let mut errors = FieldErrors::new();
    if password.is_empty() {
        errors.add("password", InputRule::Required);
    } else if password != confirm {
        errors.add("password_confirm", InputRule::PasswordsDiffer);
    } else if let Err(v) = policy.check(password, ctx) {
        errors.add("password", v);
    }
    errors
}
