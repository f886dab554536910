//! The customer area in a real browser: headless Chromium driven through
//! chromedriver (WebDriver) against the real server on a random port.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../../../crates/identity-store/tests/common/mod.rs"]
mod common;
#[path = "../../../crates/identity-http/tests/support/mod.rs"]
mod support;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};
use support::TestServer;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn browser_available() -> bool {
    let ok = std::path::Path::new(CHROMEDRIVER).exists() && std::path::Path::new(CHROMIUM).exists();
    if !ok {
        assert!(
            std::env::var("REQUIRE_BROWSER_TESTS").is_err(),
            "REQUIRE_BROWSER_TESTS is set but Chromium or chromedriver is missing (apt-get install chromium chromium-driver)"
        );
        eprintln!(
            "Chromium or chromedriver not installed: browser test skipped (apt-get install chromium chromium-driver)"
        );
    }
    ok
}

async fn start_driver() -> (Driver, u16) {
    let port = common::free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    common::wait_for_port(port, "chromedriver").await;
    (Driver(child), port)
}

/// Waits (up to 10 s) until the page at `url_suffix` is loaded and its `h1` reads
/// `heading`: a click returns before the navigation it starts has finished.
async fn wait_for_page(browser: &fantoccini::Client, url_suffix: &str, heading: &str) {
    let started = Instant::now();
    loop {
        let url = browser.current_url().await.unwrap();
        let h1 = match browser.find(Locator::Css("h1")).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if url.as_str().ends_with(url_suffix) && h1 == heading {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "still on {url} ({h1:?}), waiting for {url_suffix} ({heading:?})"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Types `text` into the input with id `id`.
async fn type_into(browser: &fantoccini::Client, id: &str, text: &str) {
    browser
        .find(Locator::Id(id))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

/// Clicks the element `locator` finds.
async fn click(browser: &fantoccini::Client, locator: Locator<'_>) {
    browser.find(locator).await.unwrap().click().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_to_the_customer_area_and_out_in_chromium() {
    if !browser_available() {
        return;
    }
    // The real server on a random port.
    let h = common::sqlite().await;
    let registered = common::registered_mario(&h).await;
    let server = TestServer::start(h.service.clone()).await;
    let base = server.base.clone();

    let (_driver, driver_port) = start_driver().await;
    let profile = tempfile::tempdir().unwrap();
    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--lang=it-IT",
        "--window-size=390,800",
        &format!("--user-data-dir={}", profile.path().display()),
    ];
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": CHROMIUM,
            "args": args,
            // Headless Chromium ignores --lang; this sets its Accept-Language.
            "prefs": { "intl.accept_languages": "it-IT,it" },
        }),
    );
    // chromedriver speaks plain HTTP on loopback: no TLS connector needed.
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let browser = ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("a WebDriver session");

    // Not signed in: the account page sends us to the sign-in form.
    browser.goto(&format!("{base}/account")).await.unwrap();
    wait_for_page(&browser, "/account/sign-in", "Accedi all'area clienti").await;
    // A wrong password shows the message beside the form, the login id kept.
    let login = registered.login_id.to_string();
    type_into(&browser, "login_id", &login).await;
    type_into(&browser, "password", "Sbagliata!99x").await;
    click(&browser, Locator::Css("button[type=submit]")).await;
    let alert = browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("[role=alert]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(alert, "Login o password non corretti.");
    let kept = browser
        .find(Locator::Id("login_id"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some(login.as_str()));
    // The right password opens the customer area.
    type_into(&browser, "password", common::PASSWORD).await;
    click(&browser, Locator::Css("button[type=submit]")).await;
    wait_for_page(&browser, "/account", "Area clienti").await;
    let page = browser.source().await.unwrap();
    assert!(
        page.contains("Mario Rossi") && page.contains("RSSMRA85T10A562S") && page.contains(&login)
    );
    // The language switch.
    click(&browser, Locator::LinkText("English")).await;
    wait_for_page(&browser, "/account", "Customer area").await;
    // Sign out: back to the sign-in form, and the account is closed to us.
    click(
        &browser,
        Locator::Css("form[action='/account/sign-out'] button"),
    )
    .await;
    wait_for_page(&browser, "/account/sign-in", "Sign in to the customer area").await;
    browser.goto(&format!("{base}/account")).await.unwrap();
    wait_for_page(&browser, "/account/sign-in", "Sign in to the customer area").await;

    browser.close().await.unwrap();
    server.stop().await;
}
