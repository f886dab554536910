//! Helpers for the end-to-end tests in `tests/`: Debian's Chromium through
//! chromedriver (plain WebDriver over loopback), and small steps a person takes
//! on a page (type, click, wait for the next page).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::missing_panics_doc)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

pub mod reference;

/// Where Debian installs chromedriver.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Where Debian installs Chromium.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// A chromedriver process, killed when dropped.
pub struct Driver(Child, pub u16);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Whether the browser is installed. When it is not, the test says so and is
/// skipped, unless `REQUIRE_BROWSER_TESTS` is set (CI), which fails it.
#[must_use]
pub fn browser_available() -> bool {
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

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts chromedriver on a free port and waits until it listens.
pub async fn start_driver() -> Driver {
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "chromedriver did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Driver(child, port)
}

/// A headless Chromium session of `width` x 900 pixels speaking `lang` (`it-IT`),
/// with a fresh profile in `profile`.
pub async fn browser(driver: &Driver, lang: &str, width: u32, profile: &std::path::Path) -> Client {
    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        &format!("--lang={lang}"),
        &format!("--window-size={width},900"),
        &format!("--user-data-dir={}", profile.display()),
    ];
    let short = lang.split('-').next().unwrap_or(lang);
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": CHROMIUM,
            "args": args,
            // Headless Chromium ignores --lang; this sets its Accept-Language.
            "prefs": { "intl.accept_languages": format!("{lang},{short}") },
        }),
    );
    // chromedriver speaks plain HTTP on loopback: no TLS connector needed.
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.1))
        .await
        .expect("a WebDriver session")
}

/// Waits (up to 10 s) until the page's path ends with `url_suffix` (the query
/// counts only when `url_suffix` has one) and its `h1` reads `heading`: a click
/// returns before the navigation it starts has finished.
pub async fn wait_for_page(browser: &Client, url_suffix: &str, heading: &str) {
    let started = Instant::now();
    loop {
        let url = browser.current_url().await.unwrap();
        let h1 = match browser.find(Locator::Css("h1")).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        let path = match url.query() {
            Some(q) if url_suffix.contains('?') => format!("{}?{q}", url.path()),
            _ => url.path().to_owned(),
        };
        if path.ends_with(url_suffix) && h1 == heading {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "still on {url} ({h1:?}), waiting for {url_suffix} ({heading:?})"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Replaces the content of the input with id `id` by `text`.
pub async fn fill(browser: &Client, id: &str, text: &str) {
    let field = browser.find(Locator::Id(id)).await.unwrap();
    field.clear().await.unwrap();
    if !text.is_empty() {
        field.send_keys(text).await.unwrap();
    }
}

/// Fills a date input with `iso` (`YYYY-MM-DD`): typing into a date input depends
/// on the browser's locale, so the value is set the way the picker would set it.
pub async fn fill_date(browser: &Client, id: &str, iso: &str) {
    browser
        .execute(
            "document.getElementById(arguments[0]).value = arguments[1];",
            vec![serde_json::json!(id), serde_json::json!(iso)],
        )
        .await
        .unwrap();
}

/// Chooses the option with `value` in the select with id `id`.
pub async fn choose(browser: &Client, id: &str, value: &str) {
    browser
        .find(Locator::Id(id))
        .await
        .unwrap()
        .select_by_value(value)
        .await
        .unwrap();
}

/// Clicks what `css` finds.
pub async fn click(browser: &Client, css: &str) {
    browser
        .find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// The text of what `css` finds.
pub async fn text_of(browser: &Client, css: &str) -> String {
    browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Saves a PNG of the whole page at `path` (for the screenshots in `docs/`).
pub async fn screenshot(browser: &Client, path: &std::path::Path) {
    let png = browser.screenshot().await.unwrap();
    std::fs::write(path, png).unwrap();
}

/// The WebDriver extension command that adds a virtual authenticator to the
/// browser (W3C WebAuthn, "Add Virtual Authenticator"): a CTAP2 security key with
/// user verification, whose credentials stay on it (not backup-eligible).
#[derive(Debug)]
struct AddVirtualAuthenticator;

impl fantoccini::wd::WebDriverCompatibleCommand for AddVirtualAuthenticator {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/webauthn/authenticator",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({
            "protocol": "ctap2",
            "transport": "usb",
            "hasResidentKey": true,
            "hasUserVerification": true,
            "isUserVerified": true,
            "automaticPresenceSimulation": true,
        });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// Plugs a virtual security key into `browser`; returns its id.
pub async fn add_virtual_authenticator(browser: &Client) -> String {
    let answer = browser.issue_cmd(AddVirtualAuthenticator).await.unwrap();
    answer
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| answer.to_string())
}
