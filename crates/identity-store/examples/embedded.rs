//! Embeds the system in another program: opens an SQLite database, registers a
//! holder and signs in with the new login.
//!
//! `cargo run -p identity-store --example embedded`

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
    let url = format!("sqlite://{}/identity.db", dir.path().display());
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
    Ok(())
}
