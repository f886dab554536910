//! The customer area over real HTTP: sign in with the CSRF token and a session
//! cookie, see the holder's data, sign out; refusals answer without telling why.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../../identity-store/tests/common/mod.rs"]
mod common;
mod support;

use std::collections::BTreeMap;
use std::net::SocketAddr;

use support::TestServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A minimal browser: keeps cookies, sends forms, does not follow redirects.
struct Browser {
    addr: SocketAddr,
    cookies: BTreeMap<String, String>,
}

struct Reply {
    status: u16,
    location: Option<String>,
    body: String,
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl Browser {
    async fn send(&mut self, method: &str, path: &str, form: &[(&str, &str)]) -> Reply {
        let body: String = form
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let cookies: String = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAccept-Language: it-IT\r\n"
        );
        if !cookies.is_empty() {
            request.push_str(&format!("Cookie: {cookies}\r\n"));
        }
        if method == "POST" {
            request.push_str(&format!(
                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        request.push_str("\r\n");
        request.push_str(&body);
        let mut stream = TcpStream::connect(self.addr).await.unwrap();
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut raw = String::new();
        stream.read_to_string(&mut raw).await.unwrap();
        let (head, body) = raw.split_once("\r\n\r\n").unwrap();
        let mut location = None;
        for line in head.lines().skip(1) {
            let (name, value) = line.split_once(": ").unwrap();
            match name.to_ascii_lowercase().as_str() {
                "set-cookie" => {
                    let pair = value.split(';').next().unwrap();
                    let (k, v) = pair.split_once('=').unwrap();
                    if v.is_empty() || value.contains("Max-Age=0") {
                        self.cookies.remove(k);
                    } else {
                        self.cookies.insert(k.to_owned(), v.to_owned());
                    }
                }
                "location" => location = Some(value.to_owned()),
                _ => {}
            }
        }
        let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
        Reply {
            status,
            location,
            body: body.to_owned(),
        }
    }
}

fn csrf_of(page: &str) -> String {
    let at =
        page.find("name=\"csrf\" value=\"").expect("a CSRF field") + "name=\"csrf\" value=\"".len();
    page[at..].split('"').next().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_see_the_account_and_sign_out() {
    let h = common::sqlite().await;
    let registered = common::registered_mario(&h).await;
    let server = TestServer::start(h.service.clone()).await;
    let mut b = Browser {
        addr: server.addr,
        cookies: BTreeMap::new(),
    };

    // Not signed in: sent to the sign-in page, in Italian.
    let r = b.send("GET", "/account", &[]).await;
    assert_eq!(
        (r.status, r.location.as_deref()),
        (303, Some("/account/sign-in"))
    );
    let page = b.send("GET", "/account/sign-in", &[]).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<html lang=\"it\">") && page.body.contains("<h1>Accedi all"));
    assert!(
        page.body.contains("<label for=\"login_id\">"),
        "every input has a label"
    );
    let csrf = csrf_of(&page.body);
    let login = registered.login_id.to_string();

    // A forged form (no token) is refused, and nothing is signed in.
    let r = b
        .send(
            "POST",
            "/account/sign-in",
            &[("login_id", &login), ("password", common::PASSWORD)],
        )
        .await;
    assert!(r.body.contains("Il modulo è scaduto"));
    assert!(!b.cookies.contains_key("sid"));
    // A wrong password and an unknown login get the same answer; the login id is kept.
    let wrong = b
        .send(
            "POST",
            "/account/sign-in",
            &[
                ("csrf", &csrf),
                ("login_id", &login),
                ("password", "Sbagliata!99x"),
            ],
        )
        .await;
    let unknown = b
        .send(
            "POST",
            "/account/sign-in",
            &[
                ("csrf", &csrf),
                ("login_id", "999999999"),
                ("password", "Sbagliata!99x"),
            ],
        )
        .await;
    assert!(wrong.body.contains("Login o password non corretti."));
    assert!(unknown.body.contains("Login o password non corretti."));
    assert!(
        wrong.body.contains(&format!("value=\"{login}\"")),
        "the form keeps what was typed"
    );
    assert!(!wrong.body.contains("Sbagliata"), "never the password");

    // The right password opens a session and shows the holder's data.
    let r = b
        .send(
            "POST",
            "/account/sign-in",
            &[
                ("csrf", &csrf),
                ("login_id", &login),
                ("password", common::PASSWORD),
            ],
        )
        .await;
    assert_eq!((r.status, r.location.as_deref()), (303, Some("/account")));
    let sid = b.cookies.get("sid").cloned().expect("a session cookie");
    let account = b.send("GET", "/account", &[]).await;
    assert_eq!(account.status, 200);
    assert!(account.body.contains("Mario Rossi") && account.body.contains("RSSMRA85T10A562S"));
    assert!(account.body.contains(&login));

    // English on request, remembered in a cookie.
    let r = b.send("GET", "/lang/en?back=/account", &[]).await;
    assert_eq!(r.location.as_deref(), Some("/account"));
    assert!(
        b.send("GET", "/account", &[])
            .await
            .body
            .contains("Customer area")
    );
    assert_eq!(
        b.send("GET", "/lang/en?back=//evil.example", &[])
            .await
            .location
            .as_deref(),
        Some("/")
    );

    // Sign-out ends the session on the server: the old cookie no longer works.
    let csrf = csrf_of(&account.body);
    let r = b
        .send("POST", "/account/sign-out", &[("csrf", &csrf)])
        .await;
    assert_eq!(r.location.as_deref(), Some("/account/sign-in"));
    b.cookies.insert("sid".into(), sid);
    assert_eq!(b.send("GET", "/account", &[]).await.status, 303);

    server.stop().await;
}
