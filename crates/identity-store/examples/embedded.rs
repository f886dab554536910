//! Embeds the system in another program: opens a database, registers a holder,
//! signs in with the new login and requests a digital identity, which an operator
//! can then verify with `identity-admin identity verify`.
//!
//! `cargo run -p identity-store --example embedded [DATABASE_URL]` (default: a
//! temporary SQLite file; pass `sqlite://data/identity.db` to use the web app's).

use std::sync::Arc;

use chrono::NaiveDate;
use identity_core::holder::PersonIdentity;
use identity_core::{
    Address, Contacts, EmailAddress, HolderKind, Lang, PersonHolder, PersonalTaxCode, PhoneNumber,
    PostalCode, ProvinceCode, Sex,
};
use identity_service::usecases::register::Registration;
use identity_service::{HashCost, PasswordHasher, Service, ServiceConfig, SystemClock};
use identity_store::{ConnectOptions, SqlStore};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| format!("sqlite://{}/identity.db", dir.path().display()));
    let store = SqlStore::connect(&url, &ConnectOptions::default()).await?;
    let hasher = PasswordHasher::new(HashCost::default(), 2)?;
    let service = Service::new(
        Arc::new(store),
        Arc::new(SystemClock),
        hasher,
        ServiceConfig::default(),
    );

    let person = PersonIdentity::new(
        "Mario",
        "Rossi",
        PersonalTaxCode::parse("RSSMRA85T10A562S")?,
        NaiveDate::from_ymd_opt(1985, 12, 10).ok_or("date")?,
        "A562",
        Sex::Male,
    )?;
    let registered = service
        .register(Registration {
            kind: HolderKind::Person(PersonHolder { person }),
            address: Address::new(
                "Via Roma 1",
                Some(PostalCode::parse("56017")?),
                "San Giuliano Terme",
                ProvinceCode::parse("PI")?,
                "",
            )?,
            contacts: Contacts {
                email: EmailAddress::parse("mario.rossi@example.it")?,
                phone: PhoneNumber::parse("333 123 4567")?,
                pec: None,
            },
            lang: Lang::It,
            password: "Ver0-Sicura!x".into(),
            // Marketing refused, the other consents too (not listed = refused).
            consents: Vec::new(),
            accept_tax_code_mismatch: false,
        })
        .await?;
    println!(
        "registered holder {} with login {}",
        registered.holder_id, registered.login_id
    );
    let signed_in = service
        .sign_in_password(&registered.login_id, "Ver0-Sicura!x", None)
        .await?;
    println!(
        "signed in; password expired: {}",
        signed_in.password_expired
    );
    let identity = service
        .request_identity(registered.holder_id, registered.login_id.number())
        .await?;
    println!(
        "requested digital identity {} ({})",
        identity.id(),
        identity.state().code()
    );
    Ok(())
}
