//! Embeds the system in another program: opens a database with the web app's
//! defaults, registers a holder, signs in with the new login and requests a
//! digital identity, which an operator can then verify with `identity-admin
//! identity verify`.
//!
//! `cargo run -p identity --example embedded [DATABASE_URL]` (default: a
//! temporary folder; pass `sqlite://data/identity.db` to use the web app's).

use identity::usecases::register_input::RegistrationInput;
use identity::{ConsentKind, Identity};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let mut builder = Identity::builder();
    builder = match std::env::args().nth(1) {
        // The web app's database: its data folder too (keys, mail, SMS).
        Some(url) => builder.database_url(url),
        None => builder.data_dir(dir.path()),
    };
    let identity = builder.open().await?;
    println!("opened a {:?} database", identity.backend());
    let service = identity.service();

    // The registration form, as typed: checked field by field as the web form is.
    let form = RegistrationInput {
        subject_kind: "persona_fisica".into(),
        given_name: "Mario".into(),
        family_name: "Rossi".into(),
        tax_code: "RSSMRA85T10A562S".into(),
        birth_date: "10/12/1985".into(),
        sex: "M".into(),
        birth_place: "San Giuliano Terme".into(),
        birth_province: "PI".into(),
        street: "Via Roma 1".into(),
        postal_code: "56017".into(),
        municipality: "San Giuliano Terme".into(),
        province: "PI".into(),
        email: "mario.rossi@example.it".into(),
        email_confirm: "mario.rossi@example.it".into(),
        phone: "333 123 4567".into(),
        password: "Ver0-Sicura!x".into(),
        password_confirm: "Ver0-Sicura!x".into(),
        privacy_notice: true,
        consents: ConsentKind::ALL.iter().map(|k| (*k, Some(false))).collect(),
        ..RegistrationInput::default()
    };
    let registered = service.register_input(&form, None).await?;
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
    let requested = service
        .request_identity(registered.holder_id, registered.login_id.number())
        .await?;
    println!(
        "requested digital identity {} ({})",
        requested.id(),
        requested.state().code()
    );
    // The welcome mail goes out now rather than at the worker's next pass.
    let report = identity.deliver_mail().await?;
    println!("mail delivered: {}", report.sent);
    identity.shutdown().await;
    Ok(())
}
