//! The web pages in a real browser: headless Chromium driven through chromedriver
//! (WebDriver) against the real server on a random port, with mail delivered by
//! the real outbox worker into memory, where the test reads it as a person would
//! read their inbox.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod account;
mod federation;
mod oidc;
mod registration;
mod selfcare;
mod sign_in;

use fantoccini::Client;
use identity_e2e::{Driver, browser, browser_available, click, fill, start_driver, wait_for_page};
use identity_mail::RenderedMail;
use identity_testkit::{Mailbox, TestServer};

/// A running site with a browser pointed at it.
pub struct Site {
    pub h: identity_testkit::TestApp,
    pub server: TestServer,
    pub base: String,
    pub browser: Client,
    pub mailbox: Mailbox,
    _driver: Driver,
    _profile: tempfile::TempDir,
}

impl Site {
    /// The server on a fresh SQLite database and an Italian browser `width` pixels
    /// wide; `None` (test skipped, and said so) without Chromium.
    pub async fn start(width: u32) -> Option<Site> {
        if !browser_available() {
            return None;
        }
        Site::start_on(width, identity_testkit::sqlite().await, "localhost").await
    }

    /// [`Site::start`] with the app `h`, its public URL on `host`.
    pub async fn start_on(
        width: u32,
        mut h: identity_testkit::TestApp,
        host: &str,
    ) -> Option<Site> {
        if !browser_available() {
            return None;
        }
        let server = h.serve_as(host).await;
        let base = server.base.clone();
        let mailbox = Mailbox::of(&h);
        let driver = start_driver().await;
        let profile = tempfile::tempdir().unwrap();
        let browser = browser(&driver, "it-IT", width, profile.path()).await;
        Some(Site {
            h,
            server,
            base,
            browser,
            mailbox,
            _driver: driver,
            _profile: profile,
        })
    }

    /// Opens `path` on the site.
    pub async fn open(&self, path: &str) {
        self.browser
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
    }

    /// Delivers what the outbox holds, then the mail `to` received, oldest first.
    pub async fn inbox(&self, to: &str) -> Vec<RenderedMail> {
        self.mailbox.inbox(to).await
    }

    /// Delivers what the outbox holds, then the text messages `phone` received.
    pub async fn texts(&self, phone: &str) -> Vec<String> {
        self.mailbox.texts(phone).await
    }

    /// The first link to this site in `mail`'s text that starts with `path`.
    pub fn link(&self, mail: &RenderedMail, path: &str) -> String {
        let prefix = format!("{}{path}", self.base);
        let at = mail
            .text
            .find(&prefix)
            .unwrap_or_else(|| panic!("no {prefix} in {}", mail.text));
        mail.text[at..]
            .split_whitespace()
            .next()
            .unwrap()
            .to_owned()
    }

    /// Signs in to the customer area.
    pub async fn sign_in(&self, login: &str, password: &str) {
        self.open("/account/sign-in").await;
        wait_for_page(&self.browser, "/account/sign-in", "Accedi all'area clienti").await;
        fill(&self.browser, "login_id", login).await;
        fill(&self.browser, "password", password).await;
        click(&self.browser, "main button[type=submit]").await;
        wait_for_page(&self.browser, "/account", "Dati intestatario").await;
    }

    /// Signs out with the header's button.
    pub async fn sign_out(&self) {
        click(&self.browser, "form[action='/account/sign-out'] button").await;
        wait_for_page(&self.browser, "/account/sign-in", "Accedi all'area clienti").await;
    }

    /// Where the screenshots for `docs/` go: `E2E_SCREENSHOTS` when set.
    pub fn screenshot_dir() -> Option<std::path::PathBuf> {
        std::env::var_os("E2E_SCREENSHOTS").map(std::path::PathBuf::from)
    }

    pub async fn stop(self) {
        self.browser.close().await.unwrap();
        self.server.stop().await;
    }
}
