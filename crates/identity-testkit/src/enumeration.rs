//! The pages that take an identifier without the credential that goes with it,
//! each with a form for an identifier on file (Mario, with a live digital
//! identity) and one for an identifier that is not: shared by the test that
//! compares their answers and the benchmark that compares their timing.

use std::net::SocketAddr;

use crate::people_csv::tax_code;
use crate::{Active, Browser, Reply, csrf_of};

/// One page and the form it is sent, for a known and an unknown identifier.
#[derive(Debug, Clone)]
pub struct Probe {
    /// The page the form is posted to.
    pub path: &'static str,
    /// The fields naming Mario (and a wrong secret where the page asks one).
    pub known: Vec<(&'static str, String)>,
    /// The same fields naming nobody on file.
    pub unknown: Vec<(&'static str, String)>,
}

impl Probe {
    /// The form for one class, with the CSRF token first.
    #[must_use]
    pub fn form(&self, known: bool, csrf: &str) -> Vec<(&'static str, String)> {
        let mut all = vec![("csrf", csrf.to_owned())];
        all.extend(
            if known { &self.known } else { &self.unknown }
                .iter()
                .cloned(),
        );
        all
    }

    /// A fresh browser for the server at `addr` (no cookies, so neither answer
    /// sees the other's), holding a CSRF token and the form of one class, ready
    /// to post.
    pub async fn prepare(&self, addr: SocketAddr, known: bool) -> Prepared {
        let mut browser = Browser::new(addr);
        let csrf = csrf_of(&browser.send("GET", "/account/sign-in", &[]).await.body);
        Prepared {
            browser,
            path: self.path,
            sent: self.form(known, &csrf),
        }
    }
}

/// One answer ready to be asked for: see [`Probe::prepare`].
pub struct Prepared {
    browser: Browser,
    path: &'static str,
    /// The form that [`Prepared::post`] sends, the CSRF token included.
    pub sent: Vec<(&'static str, String)>,
}

impl Prepared {
    /// Posts the form to the probe's page.
    pub async fn post(&mut self) -> Reply {
        let pairs: Vec<(&str, &str)> = self.sent.iter().map(|(n, v)| (*n, v.as_str())).collect();
        self.browser.send("POST", self.path, &pairs).await
    }
}

/// What may differ between the answers of the two classes: what was typed
/// (echoed in the form, the CSRF token included) and the values every request
/// has of its own (`date`, `x-request-id`, `set-cookie`). Status, body, headers.
#[must_use]
pub fn normalised(reply: &Reply, typed: &[(&'static str, String)]) -> (u16, String, Vec<String>) {
    let mut body = reply.body.clone();
    for (_, value) in typed {
        if !value.is_empty() {
            body = body.replace(value.as_str(), "<typed>");
        }
    }
    let headers = reply
        .headers
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "date" | "x-request-id" | "set-cookie"))
        .map(|(name, value)| format!("{name}: {value}"))
        .collect();
    (reply.status, body, headers)
}

/// Every page's probe, with `mario`'s identifiers as the known ones.
#[must_use]
pub fn probes(mario: &Active) -> Vec<Probe> {
    let known_tax = mario_tax_code();
    let unknown_tax = tax_code("Verdi", "Giuseppe", 1980, 1, 1, false);
    let known_email = "mario.rossi@example.it";
    let unknown_email = "giuseppe.verdi@example.it";
    let known_login = mario.username.number().to_string();
    let unknown_login = "999999999".to_owned();
    let known_user = mario.username.to_string();
    let unknown_user = format!("{unknown_login}@{}", crate::LOGIN_DOMAIN);
    let wrong_password = "Sbagliata!99x";
    let wrong_emergency = "ABCD1234EFGH5678";
    let probe = |path: &'static str, fields: &[(&'static str, &str, &str)]| Probe {
        path,
        known: fields
            .iter()
            .map(|(n, k, _)| (*n, (*k).to_owned()))
            .collect(),
        unknown: fields
            .iter()
            .map(|(n, _, u)| (*n, (*u).to_owned()))
            .collect(),
    };
    vec![
        probe(
            "/account/sign-in",
            &[
                ("login_id", &known_login, &unknown_login),
                ("password", wrong_password, wrong_password),
            ],
        ),
        probe(
            "/selfcare/sign-in",
            &[
                ("login_id", &known_user, &unknown_user),
                ("password", wrong_password, wrong_password),
            ],
        ),
        probe(
            "/account/recover/login-ids",
            &[
                ("fiscal_code", &known_tax, &unknown_tax),
                ("email", known_email, unknown_email),
            ],
        ),
        probe(
            "/account/recover/password",
            &[
                ("login_id", &known_login, &unknown_login),
                ("email", known_email, unknown_email),
            ],
        ),
        probe(
            "/selfcare/recover/username",
            &[
                ("tax_code", &known_tax, &unknown_tax),
                ("email", known_email, unknown_email),
            ],
        ),
        probe(
            "/selfcare/recover/password",
            &[
                ("login_id", &known_user, &unknown_user),
                ("emergency_code", wrong_emergency, wrong_emergency),
            ],
        ),
        probe(
            "/selfcare/emergency-block",
            &[
                ("tax_code", &known_tax, &unknown_tax),
                ("emergency_code", wrong_emergency, wrong_emergency),
            ],
        ),
        probe(
            "/selfcare/emergency-block/send",
            &[("tax_code", &known_tax, &unknown_tax)],
        ),
        probe(
            "/selfcare/emergency-block/email",
            &[
                ("tax_code", &known_tax, &unknown_tax),
                ("code", "ABCD-EFGH", "ABCD-EFGH"),
            ],
        ),
    ]
}

fn mario_tax_code() -> String {
    crate::mario().tax_code().as_str().to_owned()
}
