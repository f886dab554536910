//! Registering every subject kind through the form, as a person would: errors
//! beside their fields, the success page, the confirmation mail, the email
//! verified through its link, the first sign-in.

use fantoccini::Locator;
use identity_e2e::{choose, click, fill, fill_date, screenshot, text_of, wait_for_page};

use crate::Site;

/// The values a person types; `None` leaves a field alone.
struct Person<'a> {
    given: &'a str,
    family: &'a str,
    tax_code: &'a str,
    birth: &'a str,
    sex: &'a str,
    place: &'a str,
    place_province: &'a str,
}

const MARIO: Person<'static> = Person {
    given: "Mario",
    family: "Rossi",
    tax_code: "RSSMRA85T10A562S",
    birth: "1985-12-10",
    sex: "M",
    place: "San Giuliano Terme",
    place_province: "PI",
};

/// Opens the form for `kind` through the kind page.
async fn open_form(site: &Site, kind: &str, label: &str) {
    let b = &site.browser;
    site.open("/register").await;
    wait_for_page(b, "/register", "Modulo di registrazione").await;
    click(b, &format!("input[name=kind][value={kind}]")).await;
    click(b, "main button[type=submit]").await;
    wait_for_page(
        b,
        &format!("/register?kind={kind}"),
        "Modulo di registrazione",
    )
    .await;
    assert!(text_of(b, ".kind").await.contains(label));
}

async fn fill_person(site: &Site, p: &Person<'_>) {
    let b = &site.browser;
    fill(b, "f-given_name", p.given).await;
    fill(b, "f-family_name", p.family).await;
    fill(b, "f-tax_code", p.tax_code).await;
    fill_date(b, "f-birth_date", p.birth).await;
    click(b, &format!("input[name=sex][value={}]", p.sex)).await;
    fill(b, "f-birth_place", p.place).await;
    choose(b, "f-birth_province", p.place_province).await;
}

async fn fill_rest(site: &Site, email: &str) {
    let b = &site.browser;
    fill(b, "f-street", "Via Roma 1").await;
    fill(b, "f-postal_code", "56017").await;
    fill(b, "f-municipality", "San Giuliano Terme").await;
    choose(b, "f-province", "PI").await;
    fill(b, "f-email", email).await;
    fill(b, "f-email_confirm", email).await;
    fill(b, "f-phone", "333 123 4567").await;
    fill(b, "f-password", identity_testkit::PASSWORD).await;
    fill(b, "f-password_confirm", identity_testkit::PASSWORD).await;
    let ticked = b
        .find(Locator::Id("f-privacy_notice"))
        .await
        .unwrap()
        .prop("checked")
        .await
        .unwrap();
    if ticked.as_deref() != Some("true") {
        click(b, "#f-privacy_notice").await;
    }
    click(b, "input[name=consent_marketing][value=no]").await;
    click(b, "input[name=consent_profiling][value=no]").await;
    click(b, "input[name=consent_third_parties][value=yes]").await;
}

/// Sends the form and returns the login id the success page shows.
async fn submit_and_read_login(site: &Site) -> String {
    let b = &site.browser;
    click(b, "form[action='/register'] button[type=submit]").await;
    wait_for_page(b, "/register/done", "Registrazione completata").await;
    text_of(b, "#new-login-id").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_a_person_verify_the_email_and_sign_in() {
    let Some(site) = Site::start(1000).await else {
        return;
    };
    let b = &site.browser;
    open_form(&site, "persona_fisica", "Persona fisica").await;
    // First attempt with mistakes: a birth date that disagrees with the tax code,
    // a mistyped confirmation email, a weak password.
    fill_person(
        &site,
        &Person {
            birth: "1985-12-11",
            ..MARIO
        },
    )
    .await;
    fill_rest(&site, "mario.rossi@example.it").await;
    fill(b, "f-email_confirm", "mario.rosi@example.it").await;
    fill(b, "f-password", "mario").await;
    fill(b, "f-password_confirm", "mario").await;
    click(b, "form[action='/register'] button[type=submit]").await;
    let summary = text_of(b, "#error-summary").await;
    assert!(summary.contains("Controlla i dati indicati"), "{summary}");
    for (field, message) in [
        ("email_confirm", "I due indirizzi email non coincidono."),
        ("birth_date", "data di nascita"),
        ("password", "maiuscola"),
    ] {
        let error = text_of(b, &format!("#{field}-error")).await;
        assert!(error.contains(message), "{field}: {error}");
        let described = b
            .find(Locator::Id(&format!("f-{field}")))
            .await
            .unwrap()
            .attr("aria-describedby")
            .await
            .unwrap()
            .unwrap_or_default();
        assert!(
            described.contains(&format!("{field}-error")),
            "{field} tied to its error"
        );
    }
    // What was typed is kept, the password never.
    let kept = |id: &'static str| async move {
        b.find(Locator::Id(id))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default()
    };
    assert_eq!(kept("f-tax_code").await, "RSSMRA85T10A562S");
    assert_eq!(kept("f-street").await, "Via Roma 1");
    assert_eq!(kept("f-password").await, "");
    if let Some(dir) = Site::screenshot_dir() {
        screenshot(b, &dir.join("registration-errors.png")).await;
    }
    // Fixed: the success page shows the new login id.
    fill_date(b, "f-birth_date", MARIO.birth).await;
    fill(b, "f-email_confirm", "mario.rossi@example.it").await;
    fill(b, "f-password", identity_testkit::PASSWORD).await;
    fill(b, "f-password_confirm", identity_testkit::PASSWORD).await;
    let login = submit_and_read_login(&site).await;
    assert!(login.ends_with("@test.example.it"), "{login}");

    // The confirmation mail carries the login id (never the password) and the link.
    let inbox = site.inbox("mario.rossi@example.it").await;
    assert_eq!(inbox.len(), 1);
    let mail = &inbox[0];
    assert!(mail.text.contains(&login));
    assert!(!mail.text.contains(identity_testkit::PASSWORD));
    let link = site.link(mail, "/account/verify-email?code=");

    // Signed in before verifying: only the data, and the banner.
    site.sign_in(&login, identity_testkit::PASSWORD).await;
    assert!(
        text_of(b, "#unverified")
            .await
            .contains("Conferma il tuo indirizzo email")
    );
    // The link opens the confirmation form; the button confirms.
    b.goto(&link).await.unwrap();
    wait_for_page(b, "/account/verify-email", "Conferma l'indirizzo email").await;
    click(
        b,
        "form[action='/account/verify-email'] button[type=submit]",
    )
    .await;
    wait_for_page(b, "/account/verify-email", "Email confermata").await;
    // Used once: the same link no longer works.
    b.goto(&link).await.unwrap();
    click(
        b,
        "form[action='/account/verify-email'] button[type=submit]",
    )
    .await;
    assert!(text_of(b, "#code-error").await.contains("non è valido"));
    site.open("/account").await;
    wait_for_page(b, "/account", "Dati intestatario").await;
    assert!(
        b.find(Locator::Id("unverified")).await.is_err(),
        "no banner any more"
    );
    let data = b.source().await.unwrap();
    assert!(data.contains("San Giuliano Terme (PI)") && data.contains("+393331234567"));
    site.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_every_other_subject_kind() {
    let Some(site) = Site::start(1000).await else {
        return;
    };
    let b = &site.browser;
    // Professionals: the person and the VAT number of the activity.
    for (kind, label) in [
        ("libero_professionista", "Libero professionista"),
        ("ditta_individuale", "Ditta individuale"),
    ] {
        open_form(&site, kind, label).await;
        fill_person(&site, &MARIO).await;
        fill(b, "f-vat_number", "12345670017").await;
        fill_rest(&site, &format!("{kind}@example.it")).await;
        let login = submit_and_read_login(&site).await;
        let mail = &site.inbox(&format!("{kind}@example.it")).await[0];
        assert!(mail.text.contains(&login), "{kind}");
    }
    // A company must give its e-invoicing channel: the form says so beside it.
    open_form(&site, "azienda", "Azienda").await;
    fill(b, "f-company_name", "Esempio S.r.l.").await;
    fill(b, "f-vat_number", "12345670017").await;
    fill_rest(&site, "amministrazione@esempio.it").await;
    click(b, "form[action='/register'] button[type=submit]").await;
    assert!(text_of(b, "#sdi_code-error").await.contains("SDI"));
    fill(b, "f-sdi_code", "ABC1234").await;
    fill(b, "f-password", identity_testkit::PASSWORD).await;
    fill(b, "f-password_confirm", identity_testkit::PASSWORD).await;
    let login = submit_and_read_login(&site).await;
    assert!(
        site.inbox("amministrazione@esempio.it").await[0]
            .text
            .contains(&login)
    );
    // Other bodies: a name and an 11-digit tax code are enough.
    for (kind, label) in [
        ("ente_no_profit", "Ente no profit"),
        ("ente_pubblico", "Ente pubblico"),
        ("altri_soggetti", "Altri soggetti"),
    ] {
        open_form(&site, kind, label).await;
        fill(b, "f-company_name", "Associazione Esempio").await;
        fill(b, "f-tax_code", "80012345676").await;
        fill_rest(&site, &format!("{kind}@example.it")).await;
        let login = submit_and_read_login(&site).await;
        assert!(
            site.inbox(&format!("{kind}@example.it")).await[0]
                .text
                .contains(&login)
        );
    }
    site.stop().await;
}
