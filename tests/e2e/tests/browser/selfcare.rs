//! The selfcare in a real browser: an identity requested from the customer area
//! with the SMS code, verified by an operator, the authenticator enrolled from
//! the QR page (the test computes the codes from the manual key, as an app
//! would), signing in at level 1 and 2, the last accesses, the emergency block
//! without credentials, the reactivation, and password recovery with the
//! emergency code.

use chrono::Duration;
use fantoccini::Locator;
use identity_core::TotpSecret;
use identity_core::credentials::totp::{step_at, totp_code};
use identity_core::identity::Actor;
use identity_e2e::{click, fill, screenshot, text_of, wait_for_page};

use crate::Site;
use identity_testkit::active_identity;

const PHONE: &str = "+393331234567";

/// The first run of `len` characters of `alphabet` (with `-` allowed inside) in `text`.
fn find_code(text: &str, pattern: &str) -> String {
    // pattern: "######" six digits, or "XXXX-XXXX" a half of the emergency code.
    let words = text.split(|c: char| c.is_whitespace() || c == ':' || c == '.' || c == ',');
    words
        .map(str::trim)
        .find(|w| {
            w.len() == pattern.len()
                && w.chars().zip(pattern.chars()).all(|(c, p)| match p {
                    '#' => c.is_ascii_digit(),
                    'X' => c.is_ascii_uppercase() || c.is_ascii_digit(),
                    other => c == other,
                })
        })
        .unwrap_or_else(|| panic!("no {pattern} in {text}"))
        .to_owned()
}

fn code_now(site: &Site, secret: &TotpSecret) -> String {
    format!("{:06}", totp_code(secret, step_at(site.h.service.now())))
}

async fn selfcare_sign_in(site: &Site, username: &str, password: &str) {
    let b = &site.browser;
    site.open("/selfcare/sign-in").await;
    wait_for_page(b, "/selfcare/sign-in", "Accedi al Selfcare").await;
    fill(b, "f-login_id", username).await;
    fill(b, "f-password", password).await;
    click(b, "#sign-in button[type=submit]").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_identity_is_requested_verified_enrolled_and_used_at_level_2() {
    let Some(site) = Site::start(1024).await else {
        return;
    };
    let b = &site.browser;
    let (holder, number) = identity_testkit::verified_mario(&site.h).await;
    let username = identity_core::LoginId::new(number, "test.example.it").to_string();

    // The request, from the customer area, with the SMS code.
    site.sign_in(&username, identity_testkit::PASSWORD).await;
    click(b, "nav.sections a[href='/account/identity']").await;
    wait_for_page(b, "/account/identity", "Identità digitale").await;
    click(b, "#identity-request button[type=submit]").await;
    wait_for_page(b, "/account/identity/send", "Identità digitale").await;
    let texts = site.texts(PHONE).await;
    let sms = find_code(texts.last().expect("an SMS"), "######");
    // Away and back: the page asks for the code already sent, not for a new SMS.
    click(b, "nav.sections a[href='/account']").await;
    wait_for_page(b, "/account", "Dati intestatario").await;
    click(b, "nav.sections a[href='/account/identity']").await;
    wait_for_page(b, "/account/identity", "Identità digitale").await;
    assert!(
        b.find(Locator::Id("f-code")).await.is_ok(),
        "the code field"
    );
    assert!(b.find(Locator::Id("identity-resend")).await.is_ok());
    assert_eq!(site.texts(PHONE).await.len(), texts.len(), "no new SMS");
    fill(b, "f-code", &sms).await;
    click(b, "#identity-request button[type=submit]").await;
    wait_for_page(b, "/account/identity", "Identità digitale").await;
    assert!(
        text_of(b, "#flash")
            .await
            .contains("Identità digitale richiesta")
    );
    site.sign_out().await;

    // Pending: the selfcare says what is missing.
    selfcare_sign_in(&site, &username, identity_testkit::PASSWORD).await;
    wait_for_page(b, "/selfcare", "La tua identità digitale").await;
    assert!(
        text_of(b, "#identity-state")
            .await
            .contains("riconoscimento")
    );

    // An operator records the proofing; the emergency code arrives in two halves.
    let identity = site.h.service.identities_of(holder).await.unwrap()[0].id();
    site.h
        .service
        .verify_identity(
            identity,
            identity_testkit::proofing(&site.h),
            Actor::Operator("anna".into()),
        )
        .await
        .unwrap();
    let mail = site.inbox("mario.rossi@example.it").await;
    let half_mail = mail
        .iter()
        .rev()
        .find(|m| m.subject.contains("codice di emergenza"))
        .expect("the first half");
    let first = find_code(&half_mail.text, "XXXX-XXXX");
    let second = find_code(site.texts(PHONE).await.last().unwrap(), "XXXX-XXXX");
    assert_ne!(first, second);
    b.refresh().await.unwrap();
    wait_for_page(b, "/selfcare", "La tua identità digitale").await;
    assert_eq!(
        b.find(fantoccini::Locator::Id("identity-state"))
            .await
            .unwrap()
            .attr("data-state")
            .await
            .unwrap()
            .as_deref(),
        Some("active")
    );
    if let Some(dir) = Site::screenshot_dir() {
        screenshot(b, &dir.join("selfcare-identity.png")).await;
    }

    // Level 2: the QR page, the manual key, a first code.
    click(b, "nav.sections a[href='/selfcare/credentials']").await;
    wait_for_page(b, "/selfcare/credentials", "Credenziali").await;
    click(b, "#enrol-level2").await;
    wait_for_page(b, "/selfcare/credentials/totp", "Attiva il livello 2").await;
    assert!(
        b.find(fantoccini::Locator::Css("#qr svg")).await.is_ok(),
        "the QR code is drawn inline"
    );
    let key = b
        .find(fantoccini::Locator::Id("manual-key"))
        .await
        .unwrap()
        .attr("data-key")
        .await
        .unwrap()
        .unwrap();
    let secret = TotpSecret::from_base32(&key).unwrap();
    if let Some(dir) = Site::screenshot_dir() {
        screenshot(b, &dir.join("selfcare-totp-enrolment.png")).await;
    }
    fill(b, "f-code", "000000").await;
    click(b, "main form[action='/selfcare/credentials/totp'] button").await;
    wait_for_page(b, "/selfcare/credentials/totp", "Attiva il livello 2").await;
    assert!(text_of(b, "#code-error").await.contains("Codice errato"));
    fill(b, "f-code", &code_now(&site, &secret)).await;
    click(b, "main form[action='/selfcare/credentials/totp'] button").await;
    wait_for_page(b, "/selfcare/credentials/totp", "Livello 2 attivo").await;
    site.h.clock.advance(Duration::seconds(30));

    // Level 2 sign-in: the password, then the code.
    selfcare_sign_in(&site, &username, identity_testkit::PASSWORD).await;
    wait_for_page(b, "/selfcare/sign-in/code", "Codice di verifica").await;
    if let Some(dir) = Site::screenshot_dir() {
        screenshot(b, &dir.join("selfcare-sign-in-code.png")).await;
    }
    fill(b, "f-code", &code_now(&site, &secret)).await;
    click(b, "#second-factor button").await;
    wait_for_page(b, "/selfcare", "La tua identità digitale").await;
    let who = text_of(b, "#who").await;
    assert!(who.to_lowercase().contains("livello 2"), "{who}");

    // Last accesses: the level-2 sign-in on top, with its credential.
    click(b, "nav.sections a[href='/selfcare/accesses']").await;
    wait_for_page(b, "/selfcare/accesses", "Ultimi accessi").await;
    let first_row = text_of(b, "#accesses tbody tr").await;
    assert!(
        first_row.contains("Codice dell'app") && first_row.contains("Riuscito"),
        "{first_row}"
    );
    if let Some(dir) = Site::screenshot_dir() {
        screenshot(b, &dir.join("selfcare-accesses.png")).await;
    }
    // Notifications for level 2, then a sign-in that sends one.
    click(b, "#notify-2").await;
    click(b, "#notifications button").await;
    wait_for_page(b, "/selfcare/accesses", "Ultimi accessi").await;
    assert!(text_of(b, "#flash").await.contains("Preferenze"));
    site.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_emergency_block_without_credentials_and_a_reactivation() {
    let Some(site) = Site::start(1024).await else {
        return;
    };
    let b = &site.browser;
    let a = active_identity(&site.h).await;

    // From the sign-in page, without username or password.
    site.open("/selfcare/sign-in").await;
    wait_for_page(b, "/selfcare/sign-in", "Accedi al Selfcare").await;
    click(b, "main a[href='/selfcare/emergency-block']").await;
    wait_for_page(b, "/selfcare/emergency-block", "Blocco d'emergenza").await;
    fill(b, "f-tax_code", "RSSMRA85T10A562S").await;
    fill(b, "f-emergency_code", "ZZZZ-ZZZZ-ZZZZ-ZZZZ").await;
    click(b, "#block-emergency button").await;
    wait_for_page(b, "/selfcare/emergency-block", "Blocco d'emergenza").await;
    assert!(
        text_of(b, "#error-summary")
            .await
            .contains("non sono corretti")
    );
    fill(b, "f-emergency_code", &a.emergency).await;
    click(b, "#block-emergency button").await;
    wait_for_page(b, "/selfcare/emergency-block", "Identità sospesa").await;
    let mail = site.inbox("mario.rossi@example.it").await;
    assert!(
        mail.iter().any(|m| m.text.contains("sospesa")),
        "the holder is told"
    );

    // Suspended: sign in, ask for the code, reactivate.
    selfcare_sign_in(&site, &a.username.to_string(), identity_testkit::PASSWORD).await;
    wait_for_page(b, "/selfcare", "La tua identità digitale").await;
    assert!(text_of(b, "#identity-state").await.contains("Sospesa"));
    if let Some(dir) = Site::screenshot_dir() {
        screenshot(b, &dir.join("selfcare-suspended.png")).await;
    }
    // The code field appears once a code was sent.
    assert!(b.find(Locator::Id("reactivate-code")).await.is_err());
    click(b, "form[action='/selfcare/reactivate/send'] button").await;
    wait_for_page(b, "/selfcare", "La tua identità digitale").await;
    assert!(text_of(b, "#flash").await.contains("codice"));
    let mail = site.inbox("mario.rossi@example.it").await;
    let code_mail = mail
        .iter()
        .rev()
        .find(|m| m.subject.contains("riattivare"))
        .expect("the code");
    let code = find_code(&code_mail.text, "XXXX-XXXX-XXXX-XXXX");
    fill(b, "reactivate-code", &code).await;
    click(b, "form[action='/selfcare/reactivate'] button").await;
    wait_for_page(b, "/selfcare", "La tua identità digitale").await;
    assert!(text_of(b, "#flash").await.contains("di nuovo attiva"));
    assert!(text_of(b, "#identity-state").await.contains("Attiva"));
    assert!(text_of(b, "#history").await.contains("Blocco d'emergenza"));

    // Revocation, too, asks for its code only once one was sent.
    assert!(b.find(Locator::Id("revoke-code")).await.is_err());
    click(b, "form[action='/selfcare/revoke/send'] button").await;
    wait_for_page(b, "/selfcare", "La tua identità digitale").await;
    assert!(b.find(Locator::Id("revoke-code")).await.is_ok());
    b.refresh().await.unwrap();
    wait_for_page(b, "/selfcare", "La tua identità digitale").await;
    assert!(
        b.find(Locator::Id("revoke-code")).await.is_ok(),
        "still there after a reload"
    );
    site.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_password_is_recovered_with_the_emergency_code() {
    let Some(site) = Site::start(1024).await else {
        return;
    };
    let b = &site.browser;
    let a = active_identity(&site.h).await;
    site.open("/selfcare/recover/password").await;
    wait_for_page(b, "/selfcare/recover/password", "Recupera la password").await;
    fill(b, "f-login_id", &a.username.to_string()).await;
    fill(b, "f-emergency_code", &a.emergency).await;
    click(b, "#recover-password button").await;
    wait_for_page(b, "/selfcare/recover/password", "Codice inviato").await;
    let mail = site.inbox("mario.rossi@example.it").await;
    let reset = mail
        .iter()
        .rev()
        .find(|m| m.text.contains("/account/reset-password?code="))
        .expect("the reset mail");
    b.goto(&site.link(reset, "/account/reset-password?code="))
        .await
        .unwrap();
    let new = "Nuova-Chiave!77";
    fill(b, "f-password", new).await;
    fill(b, "f-password_confirm", new).await;
    click(b, "main form button[type=submit]").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    selfcare_sign_in(&site, &a.username.to_string(), new).await;
    wait_for_page(b, "/selfcare", "La tua identità digitale").await;
    site.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_security_key_is_registered_and_used_at_level_3() {
    let Some(site) = Site::start(1024).await else {
        return;
    };
    let b = &site.browser;
    let a = active_identity(&site.h).await;
    identity_e2e::add_virtual_authenticator(b).await;

    selfcare_sign_in(&site, &a.username.to_string(), identity_testkit::PASSWORD).await;
    wait_for_page(b, "/selfcare", "La tua identità digitale").await;
    click(b, "nav.sections a[href='/selfcare/credentials']").await;
    wait_for_page(b, "/selfcare/credentials", "Credenziali").await;
    fill(b, "f-key_name", "Chiavetta blu").await;
    if let Some(dir) = Site::screenshot_dir() {
        screenshot(b, &dir.join("selfcare-credentials.png")).await;
    }
    click(b, "#add-key button[type=submit]").await;
    wait_for_page(b, "/selfcare/keys", "Chiave di sicurezza aggiunta").await;

    // The next sign-in asks for the key after the password.
    selfcare_sign_in(&site, &a.username.to_string(), identity_testkit::PASSWORD).await;
    wait_for_page(b, "/selfcare/sign-in/key", "Chiave di sicurezza").await;
    click(b, "#key-sign-in button[type=submit]").await;
    wait_for_page(b, "/selfcare", "La tua identità digitale").await;
    let who = text_of(b, "#who").await.to_lowercase();
    assert!(who.contains("livello 3"), "{who}");
    click(b, "nav.sections a[href='/selfcare/credentials']").await;
    wait_for_page(b, "/selfcare/credentials", "Credenziali").await;
    assert!(text_of(b, "#security-keys").await.contains("Chiavetta blu"));
    let state = b
        .find(fantoccini::Locator::Id("level-3"))
        .await
        .unwrap()
        .attr("data-state")
        .await
        .unwrap();
    assert_eq!(state.as_deref(), Some("active"));
    site.stop().await;
}
