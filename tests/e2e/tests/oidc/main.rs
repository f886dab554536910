//! The OpenID Connect provider over real HTTP, driven by independent standard
//! clients: the Rust `openidconnect` crate (discovery, PKCE, ID token
//! validation, userinfo, refresh rotation, with `client_secret_basic`) and
//! Python `authlib` (`private_key_jwt`, revocation). The holder's part (sign
//! in, second factor, consent) is a plain cookie-keeping HTTP client posting
//! the pages' forms.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod authlib;
mod federation;
mod flow;
mod negative;
mod reference_rp;

use identity_core::credentials::totp::TotpSecret;
use identity_service::usecases::service_providers::NewServiceProvider;
use identity_testkit::federation::LocalFederation;
use identity_testkit::{Browser, Reply, TestServer, csrf_of};

/// The provider on a fresh SQLite database, its clock near the real time (the
/// clients check token times against theirs), and a level-2 identity.
pub struct Provider {
    pub h: identity_testkit::TestApp,
    pub server: TestServer,
    pub holder: identity_testkit::Active,
    pub secret: TotpSecret,
}

pub const CLIENT: &str = "http://localhost:9/rp";
pub const REDIRECT: &str = "http://localhost:9/rp/callback";
pub const NAME: &str = "Comune di Prova";
pub const L1: &str = "https://www.spid.gov.it/SpidL1";
pub const L2: &str = "https://www.spid.gov.it/SpidL2";
pub const L3: &str = "https://www.spid.gov.it/SpidL3";

impl Provider {
    pub async fn start() -> Provider {
        Provider::on(identity_testkit::sqlite().await).await
    }

    /// The provider in a local OpenID Federation (its trust anchor configured,
    /// plain http to loopback allowed), the federation's statements and the
    /// relying party's tokens issued on the provider's clock.
    pub async fn start_federated() -> (Provider, LocalFederation) {
        let fed = LocalFederation::start().await;
        let h = fed.app(&identity_testkit::sqlite().await);
        (Provider::on(h).await, fed)
    }

    async fn on(mut h: identity_testkit::TestApp) -> Provider {
        // Each authenticator code moves the clock 30 s on (a code is used once),
        // and the clients refuse tokens issued in their future: start behind.
        h.clock
            .set(chrono::Utc::now() - chrono::Duration::seconds(90));
        let server = h.serve().await;
        let holder = identity_testkit::active_identity(&h).await;
        let secret = identity_testkit::enrol(&h, &holder).await;
        Provider {
            h,
            server,
            holder,
            secret,
        }
    }

    /// Registers the test service provider (once per provider); returns its client secret (or
    /// `None` with `jwks`, for `private_key_jwt`).
    pub async fn register(&self, jwks: Option<serde_json::Value>) -> Option<String> {
        let anna = self.h.service.bootstrap_operator("anna").await.unwrap().0;
        let (_, secret) = self
            .h
            .service
            .add_service_provider(
                &NewServiceProvider {
                    client_id: CLIENT.into(),
                    name: NAME.into(),
                    redirect_uris: vec![REDIRECT.into()],
                    client_secret: jwks.is_none(),
                    jwks,
                    levels: vec![1, 2, 3],
                    attributes: vec![
                        "given_name".into(),
                        "family_name".into(),
                        "email".into(),
                        "fiscal_number".into(),
                    ],
                    ..NewServiceProvider::default()
                },
                &anna,
            )
            .await
            .unwrap();
        secret
    }

    pub fn browser(&self) -> Browser {
        Browser::new(self.server.addr)
    }

    /// The path and query of a URL on this server.
    pub fn path_of(&self, url: &str) -> String {
        url.strip_prefix(&self.server.base)
            .expect("a URL of the provider")
            .to_owned()
    }

    /// The current authenticator code (then the clock moves to the next step,
    /// so the next code differs).
    pub fn code(&self) -> String {
        let code = identity_testkit::code_at(&self.h, &self.secret, 0);
        self.h.clock.advance(chrono::Duration::seconds(30));
        code
    }

    /// Follows the provider's redirects from `path` until a page, or a redirect
    /// away from the provider (returned as it is).
    pub async fn follow(&self, b: &mut Browser, path: &str) -> Reply {
        let mut path = path.to_owned();
        for _ in 0..10 {
            let reply = b.send("GET", &path, &[]).await;
            match &reply.location {
                Some(next) if next.starts_with('/') => path.clone_from(next),
                _ => return reply,
            }
        }
        panic!("too many redirects");
    }

    /// Posts a form of the page `page` to `action` and follows what comes back.
    pub async fn post(
        &self,
        b: &mut Browser,
        page: &Reply,
        action: &str,
        form: &[(&str, &str)],
    ) -> Reply {
        let csrf = csrf_of(&page.body);
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(form);
        let reply = b.send("POST", action, &all).await;
        match &reply.location {
            Some(next) if next.starts_with('/') => self.follow(b, next).await,
            _ => reply,
        }
    }

    /// The holder's part from the authorization URL up to the consent page.
    pub async fn authorize_until_consent(&self, b: &mut Browser, url: &str) -> Reply {
        let mut page = self.follow(b, &self.path_of(url)).await;
        if page.body.contains("name=\"password\"") {
            let username = self.holder.username.to_string();
            page = self
                .post(
                    b,
                    &page,
                    "/selfcare/sign-in",
                    &[
                        ("login_id", &username),
                        ("password", identity_testkit::PASSWORD),
                    ],
                )
                .await;
        }
        if page.body.contains("name=\"code\"") {
            let code = self.code();
            page = self
                .post(b, &page, "/selfcare/sign-in/code", &[("code", &code)])
                .await;
        }
        page
    }

    /// The holder's part from the authorization URL: sign in (password, then
    /// the code when the page asks for it) unless the session is reused, then
    /// `decision` on the consent page. Returns the redirect to the service
    /// provider.
    pub async fn authorize(&self, b: &mut Browser, url: &str, decision: &str) -> Reply {
        let page = self.authorize_until_consent(b, url).await;
        if page.location.is_some() {
            return page;
        }
        assert!(
            page.body.contains("id=\"consent\""),
            "the consent page: {}",
            page.body
        );
        let request = hidden_of(&page.body, "request");
        self.post(
            b,
            &page,
            "/oidc/consent",
            &[("decision", decision), ("request", &request)],
        )
        .await
    }
}

/// The query parameters of a redirect to the service provider.
pub fn query_of(location: &str) -> std::collections::HashMap<String, String> {
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The value of the hidden field `name` of a page.
pub fn hidden_of(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = page.find(&marker).expect("the hidden field") + marker.len();
    page[at..].split('"').next().unwrap().to_owned()
}
