//! The customer area over real HTTP: sign in with the CSRF token and a session
//! cookie, see the holder's data, sign out; refusals answer without telling why.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use identity_testkit::{Browser, TestServer, csrf_of};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_see_the_account_and_sign_out() {
    let h = identity_testkit::sqlite().await;
    let registered = identity_testkit::registered_mario(&h).await;
    let server = TestServer::start(h.service.clone()).await;
    let mut b = Browser::new(server.addr);

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
            &[
                ("login_id", &login),
                ("password", identity_testkit::PASSWORD),
            ],
        )
        .await;
    assert!(r.body.contains("Il modulo è scaduto"));
    assert!(b.cookie("sid").is_none());
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
                ("password", identity_testkit::PASSWORD),
            ],
        )
        .await;
    assert_eq!((r.status, r.location.as_deref()), (303, Some("/account")));
    let sid = b.cookie("sid").expect("a session cookie");
    let account = b.send("GET", "/account", &[]).await;
    assert_eq!(account.status, 200);
    assert!(account.body.contains("Mario") && account.body.contains("Rossi"));
    assert!(account.body.contains("RSSMRA85T10A562S"));
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
    b.set_cookie("sid", &sid);
    assert_eq!(b.send("GET", "/account", &[]).await.status, 303);

    server.stop().await;
}
