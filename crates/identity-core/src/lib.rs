//! # identity-core
//!
//! The pure domain model of an Italian digital-identity provider: the value types
//! (tax code, VAT number, login id, ...), holders and their logins, the digital
//! identity's lifecycle state machine, credential levels 1-3 and the password policy.
//!
//! This crate does no IO and owns no clock or random-number generator: the time
//! (`now`) and the RNG are parameters, so every rule is a plain function that tests
//! can drive through years of simulated time. Adapters (storage, mail, HTTP) and the
//! use cases live in other crates and depend on this one, never the other way round.

#![deny(missing_docs)]

pub mod access;
pub mod address;
pub mod calendar;
pub mod consent;
pub mod correction;
pub mod credentials;
pub mod data_review;
pub mod federation;
pub mod holder;
pub mod identity;
pub mod ids;
pub mod lang;
pub mod login;
pub mod oidc;
pub mod orders;
pub mod password_policy;
pub mod saml;
pub mod session;
pub mod subject_kind;
pub mod values;

pub use access::{AccessOutcome, AccessRecord};
pub use consent::{ConsentDecision, ConsentKind};
pub use correction::{CorrectableField, CorrectionError, CorrectionRequest, CorrectionState};
pub use credentials::{
    CredentialLevel, CredentialLevels, EmergencyCode, LevelState, TotpSecret, TotpState,
};
pub use holder::{
    Address, CompanyHolder, ContactChange, Contacts, DataReview, Holder, HolderKind,
    InvoicingChannel, PersonHolder, ProfessionalHolder, SubjectKind,
};
pub use identity::{
    Actor, DigitalIdentity, IdentityEvent, IdentityState, RevocationCause, SuspensionReason,
    TransitionError,
};
pub use ids::{CorrectionId, OrderId};
pub use ids::{HolderId, IdentityId, LoginNumber};
pub use lang::Lang;
pub use login::{Login, LoginStatus};
pub use orders::{Order, OrderError, OrderKind, OrderState};
pub use password_policy::{
    PasswordAge, PasswordContext, PasswordHistoryEntry, PasswordPolicy, PasswordViolation,
};
pub use session::{Session, SessionArea, SessionPolicy};
pub use values::email::{EmailAddress, EmailError};
pub use values::login_id::{LoginId, LoginIdError};
pub use values::phone::{PhoneError, PhoneNumber};
pub use values::postal_code::{PostalCode, PostalCodeError};
pub use values::province::{ProvinceCode, ProvinceError};
pub use values::tax_code::{
    NumericTaxCode, PersonCheck, PersonalTaxCode, Sex, TaxCode, TaxCodeError, TaxCodeMismatch,
};
pub use values::vat_number::{VatNumber, VatNumberError};
