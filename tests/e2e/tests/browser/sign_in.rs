//! Signing in and out of the customer area, and the language switch.

use fantoccini::Locator;
use identity_e2e::{click, fill, text_of, wait_for_page};

use crate::Site;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_to_the_customer_area_and_out_in_chromium() {
    let Some(site) = Site::start(390).await else {
        return;
    };
    let b = &site.browser;
    let registered = identity_testkit::registered_mario(&site.h).await;

    // Not signed in: the account page sends us to the sign-in form.
    site.open("/account").await;
    wait_for_page(b, "/account/sign-in", "Accedi all'area clienti").await;
    // A wrong password shows the message beside the form, the login id kept.
    let login = registered.login_id.to_string();
    fill(b, "login_id", &login).await;
    fill(b, "password", "Sbagliata!99x").await;
    click(b, "main button[type=submit]").await;
    assert_eq!(
        text_of(b, "[role=alert]").await,
        "Login o password non corretti."
    );
    let kept = b
        .find(Locator::Id("login_id"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some(login.as_str()));
    // The right password opens the customer area.
    fill(b, "password", identity_testkit::PASSWORD).await;
    click(b, "main button[type=submit]").await;
    wait_for_page(b, "/account", "Dati intestatario").await;
    let page = b.source().await.unwrap();
    assert!(page.contains("Rossi") && page.contains("RSSMRA85T10A562S") && page.contains(&login));
    // The language switch.
    b.find(Locator::LinkText("English"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_page(b, "/account", "Holder data").await;
    // Sign out: back to the sign-in form, and the account is closed to us.
    click(b, "form[action='/account/sign-out'] button").await;
    wait_for_page(b, "/account/sign-in", "Sign in to the customer area").await;
    site.open("/account").await;
    wait_for_page(b, "/account/sign-in", "Sign in to the customer area").await;
    site.stop().await;
}
