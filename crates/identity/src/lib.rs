//! # identity
//!
//! The Italian digital-identity and customer-account system as one dependency:
//! holders and their logins, digital identities with credential levels 1-3, the
//! selfcare, recovery, the operator's use cases and the OpenID Connect provider,
//! stored in SQLite (the default) or PostgreSQL, with mail and SMS delivered by
//! a background worker and the calendar jobs (deadlines, inactivity, retention)
//! on a timer.
//!
//! [`Identity::builder`] opens a database and wires the store, the clock, the
//! password hasher, the TOTP keyring and the workers with the same defaults as the
//! `identity-web` application; [`Identity::service`] is the door to every use case.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let dir = tempfile::tempdir()?;
//! use identity::usecases::register_input::RegistrationInput;
//! use identity::{ConsentKind, Identity};
//!
//! let identity = Identity::builder().data_dir(dir.path()).open().await?;
//! let service = identity.service();
//! let form = RegistrationInput {
//!     subject_kind: "persona_fisica".into(), given_name: "Mario".into(), family_name: "Rossi".into(),
//!     tax_code: "RSSMRA85T10A562S".into(), birth_date: "10/12/1985".into(), sex: "M".into(),
//!     birth_place: "San Giuliano Terme".into(), birth_province: "PI".into(), street: "Via Roma 1".into(),
//!     postal_code: "56017".into(), municipality: "San Giuliano Terme".into(), province: "PI".into(),
//!     email: "mario@example.it".into(), email_confirm: "mario@example.it".into(), phone: "3331234567".into(),
//!     password: "Ce11o!Blu#Mare".into(), password_confirm: "Ce11o!Blu#Mare".into(), privacy_notice: true,
//!     consents: ConsentKind::ALL.iter().map(|k| (*k, Some(false))).collect(), ..Default::default()
//! };
//! let registered = service.register_input(&form, None).await?;
//! service.sign_in_password(&registered.login_id, "Ce11o!Blu#Mare", None).await?;
//! let identity_request = service.request_identity(registered.holder_id, registered.login_id.number()).await?;
//! assert_eq!(identity_request.state().code(), "pending"); // until an operator verifies who Mario is
//! identity.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! ## Features
//!
//! - `sqlite` (default): the embedded SQLite database (`sqlite://FILE`).
//! - `postgres`: PostgreSQL servers (`postgres://...`), for several nodes.
//! - `web`: the `web` module, the pages, JSON API and OpenID Connect provider as an axum
//!   router to serve or to merge into an application's own.
//!
//! ## What is re-exported
//!
//! The domain's types (tax codes, holders, identities, levels) at the root and
//! under [`domain`]; the use cases under [`usecases`] (each module documents its
//! operations and its error enum); the ports under [`ports`] for an embedder who
//! brings its own storage, clock or SMS gateway; [`words`] for the texts of every
//! outcome in Italian and English; [`Settings`] for the configuration the web app
//! reads (file and `IDENTITY_*` variables).

#![deny(missing_docs)]

mod builder;
mod running;

pub use builder::{IdentityBuilder, OpenError};
pub use running::Identity;

pub use identity_config::Settings;
pub use identity_core as domain;
pub use identity_core::{
    ConsentKind, CredentialLevel, DigitalIdentity, EmailAddress, Holder, HolderId, IdentityId,
    IdentityState, Lang, LoginId, LoginNumber, PersonalTaxCode, SubjectKind, TaxCode, VatNumber,
};
pub use identity_mail::{
    Delivery, FileSms, FileTransport, MailTransport, MemorySms, MemoryTransport,
};
pub use identity_service::usecases;
pub use identity_service::{
    Clock, HashCost, InfraError, ManualClock, PasswordHasher, Service, ServiceConfig, SystemClock,
};
pub use identity_store::{Backend, ConnectOptions, SqlStore};
pub use identity_words as words;

/// The ports (storage, clock, randomness, SMS, signing keys) a use case needs,
/// for an embedder who brings an implementation of its own.
pub mod ports {
    pub use identity_service::ports::*;
}

/// The web application as an axum router (`web::app`) and server (`web::serve`).
#[cfg(feature = "web")]
pub use identity_http as web;
