//! The registration form, the customer-area forms and the lost-account pages over
//! real HTTP: CSRF on every form, errors beside their fields in the user's
//! language, what an unverified holder may do, and answers that never tell whether
//! an account exists.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use identity_service::Store;
use identity_testkit::{Browser, TestServer, csrf_of, form_pairs, registration_form};

/// Every form the site posts to: without the CSRF token each is refused, changes
/// nothing, and says so.
const FORMS: &[&str] = &[
    "/register",
    "/account/sign-in",
    "/account/sign-out",
    "/account/verify-email",
    "/account/verify-email/resend",
    "/account/contacts",
    "/account/reauth",
    "/account/privacy/consent",
    "/account/privacy/export",
    "/account/logins",
    "/account/logins/123456/disable",
    "/account/logins/123456/delete",
    "/account/corrections",
    "/account/close",
    "/account/password",
    "/account/recover/login-ids",
    "/account/recover/password",
    "/account/reset-password",
];

async fn signed_in(b: &mut Browser, login: &str) {
    let page = b.send("GET", "/account/sign-in", &[]).await;
    let csrf = csrf_of(&page.body);
    let r = b
        .send(
            "POST",
            "/account/sign-in",
            &[
                ("csrf", &csrf),
                ("login_id", login),
                ("password", identity_testkit::PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.location.as_deref(), Some("/account"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_form_refuses_a_missing_csrf_token() {
    let h = identity_testkit::sqlite().await;
    let registered = identity_testkit::registered_mario(&h).await;
    let server = TestServer::start(h.service.clone()).await;
    let mut b = Browser::new(server.addr);
    signed_in(&mut b, &registered.login_id.to_string()).await;
    for path in FORMS {
        let r = b.send("POST", path, &[("csrf", "forged")]).await;
        assert_eq!(r.status, 403, "{path}");
        assert!(r.body.contains("Il modulo è scaduto"), "{path}");
    }
    // Still signed in: the forged sign-out did nothing.
    assert_eq!(b.send("GET", "/account", &[]).await.status, 200);
    let mut tx = h.store.begin_read().await.unwrap();
    let holders = tx.holders_by_email("mario@example.it").await.unwrap();
    assert!(holders.is_empty(), "the forged registration stored nothing");
    drop(tx);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_shows_errors_beside_fields_then_the_login_id() {
    let h = identity_testkit::sqlite().await;
    let server = TestServer::start(h.service.clone()).await;
    let mut b = Browser::new(server.addr);
    let kinds = b.send("GET", "/register", &[]).await;
    assert!(kinds.body.contains("Tipologia di soggetto"));
    for kind in identity_core::SubjectKind::ALL {
        assert!(kinds.body.contains(&format!("value=\"{}\"", kind.code())));
    }
    let form = b.send("GET", "/register?kind=persona_fisica", &[]).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("<label for=\"f-tax_code\">"));
    let csrf = csrf_of(&form.body);

    let mut bad = registration_form(&csrf);
    for (k, v) in &mut bad {
        match *k {
            "email_confirm" => *v = "altro@example.it".into(),
            "birth_date" => *v = "1985-12-11".into(),
            "consent_marketing" => *v = String::new(),
            _ => {}
        }
    }
    let r = b.send("POST", "/register", &form_pairs(&bad)).await;
    assert_eq!(r.status, 422);
    // Each error is beside its field, tied to it, in Italian.
    assert!(
        r.body
            .contains("id=\"email_confirm-error\">I due indirizzi email non coincidono.")
    );
    assert!(r.body.contains("aria-describedby=\"email_confirm-error\""));
    assert!(r.body.contains("id=\"birth_date-error\""));
    assert!(r.body.contains("id=\"consent_marketing-error\""));
    assert!(
        r.body.contains("href=\"#f-email_confirm\""),
        "the summary links to the field"
    );
    // What was typed is kept, never the password.
    assert!(r.body.contains("value=\"Via Roma 1\""));
    assert!(!r.body.contains(identity_testkit::PASSWORD));

    let r = b
        .send("POST", "/register", &form_pairs(&registration_form(&csrf)))
        .await;
    assert_eq!(
        (r.status, r.location.as_deref()),
        (303, Some("/register/done"))
    );
    let done = b.send("GET", "/register/done", &[]).await;
    let mut tx = h.store.begin_read().await.unwrap();
    let holder = tx
        .holders_by_email("mario@example.it")
        .await
        .unwrap()
        .remove(0);
    let login = tx.logins_of(holder.id()).await.unwrap().remove(0);
    drop(tx);
    let id = identity_core::LoginId::new(login.number(), "test.example.it").to_string();
    assert!(
        done.body.contains(&id),
        "the success page shows the login id"
    );
    assert!(!done.body.contains(identity_testkit::PASSWORD));
    // Shown once: the cookie carrying it is gone.
    assert_eq!(b.send("GET", "/register/done", &[]).await.status, 303);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unverified_holder_can_only_look_and_resend() {
    let h = identity_testkit::sqlite().await;
    let registered = identity_testkit::registered_mario(&h).await;
    let server = TestServer::start(h.service.clone()).await;
    let mut b = Browser::new(server.addr);
    signed_in(&mut b, &registered.login_id.to_string()).await;
    let account = b.send("GET", "/account", &[]).await;
    assert!(account.body.contains("id=\"unverified\""));
    let csrf = csrf_of(&account.body);
    let r = b
        .send(
            "POST",
            "/account/logins",
            &[
                ("csrf", &csrf),
                ("password", "Altra-Chiave!42"),
                ("password_confirm", "Altra-Chiave!42"),
            ],
        )
        .await;
    assert_eq!(r.location.as_deref(), Some("/account"));
    let after = b.send("GET", "/account", &[]).await;
    assert!(after.body.contains("Prima conferma il tuo indirizzo email"));
    assert_eq!(
        h.service
            .holder_overview(registered.holder_id)
            .await
            .unwrap()
            .logins
            .len(),
        1
    );
    let r = b
        .send("POST", "/account/verify-email/resend", &[("csrf", &csrf)])
        .await;
    assert_eq!(r.location.as_deref(), Some("/account"));
    assert!(
        b.send("GET", "/account", &[])
            .await
            .body
            .contains("nuovo codice")
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_account_pages_answer_the_same_whatever_matched() {
    let h = identity_testkit::sqlite().await;
    let registered = identity_testkit::registered_mario(&h).await;
    let server = TestServer::start(h.service.clone()).await;
    let mut b = Browser::new(server.addr);
    let page = b.send("GET", "/account/recover", &[]).await;
    let csrf = csrf_of(&page.body);
    let known = b
        .send(
            "POST",
            "/account/recover/login-ids",
            &[
                ("csrf", &csrf),
                ("fiscal_code", "RSSMRA85T10A562S"),
                ("email", "mario.rossi@example.it"),
            ],
        )
        .await;
    let unknown = b
        .send(
            "POST",
            "/account/recover/login-ids",
            &[
                ("csrf", &csrf),
                ("fiscal_code", "RSSMRA85T10A562S"),
                ("email", "nobody@example.it"),
            ],
        )
        .await;
    assert_eq!(known.status, 200);
    assert_eq!(known.body, unknown.body);
    let known = b
        .send(
            "POST",
            "/account/recover/password",
            &[
                ("csrf", &csrf),
                ("login_id", &registered.login_id.to_string()),
            ],
        )
        .await;
    let unknown = b
        .send(
            "POST",
            "/account/recover/password",
            &[("csrf", &csrf), ("login_id", "999999@test.example.it")],
        )
        .await;
    assert_eq!(known.body, unknown.body);
    // A malformed code is refused beside the code field.
    let r = b
        .send(
            "POST",
            "/account/reset-password",
            &[
                ("csrf", &csrf),
                ("code", "AAAA-BBBB-CCCC-DDDD"),
                ("password", "Nuova-Chiave!77"),
                ("password_confirm", "Nuova-Chiave!77"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"code-error\""));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_cookie_is_guarded_and_renewed_at_sign_in() {
    let h = identity_testkit::sqlite().await;
    let registered = identity_testkit::registered_mario(&h).await;
    let server = TestServer::start(h.service.clone()).await;
    let mut b = Browser::new(server.addr);
    let page = b.send("GET", "/account/sign-in", &[]).await;
    let csrf = csrf_of(&page.body);
    let form = [
        ("csrf", csrf.as_str()),
        ("login_id", &registered.login_id.to_string()),
        ("password", identity_testkit::PASSWORD),
    ];
    let first = b.send("POST", "/account/sign-in", &form).await;
    let cookie = first
        .set_cookies
        .iter()
        .find(|c| c.starts_with("sid="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain http in tests");
    let sid = b.cookie("sid").unwrap();
    b.send("POST", "/account/sign-in", &form).await;
    let renewed = b.cookie("sid").unwrap();
    assert_ne!(sid, renewed, "a new session id at every sign-in");
    b.set_cookie("sid", &sid);
    assert_eq!(
        b.send("GET", "/account", &[]).await.status,
        303,
        "the replaced session ended"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_password_must_be_changed_first() {
    let h = identity_testkit::sqlite().await;
    let registered = identity_testkit::registered_mario(&h).await;
    let server = TestServer::start(h.service.clone()).await;
    let mut b = Browser::new(server.addr);
    let login = registered.login_id.to_string();
    // Six days before expiry: a warning on every page.
    h.clock.advance(chrono::Duration::days(174));
    signed_in(&mut b, &login).await;
    let page = b.send("GET", "/account", &[]).await;
    assert!(page.body.contains("id=\"password-expiry\""), "warned");
    // Expired: every page leads to the password change.
    h.clock.advance(chrono::Duration::days(7));
    signed_in(&mut b, &login).await;
    let r = b.send("GET", "/account/logins", &[]).await;
    assert_eq!(r.location.as_deref(), Some("/account/password"));
    let page = b.send("GET", "/account/password", &[]).await;
    assert!(page.body.contains("id=\"password-expired\""));
    let csrf = csrf_of(&page.body);
    // The old password again is refused (history), a wrong current one too.
    let r = b
        .send(
            "POST",
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current_password", identity_testkit::PASSWORD),
                ("password", identity_testkit::PASSWORD),
                ("password_confirm", identity_testkit::PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"password-error\""));
    let r = b
        .send(
            "POST",
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current_password", "Sbagliata!99x"),
                ("password", "Nuova-Chiave!77"),
                ("password_confirm", "Nuova-Chiave!77"),
            ],
        )
        .await;
    assert!(r.body.contains("id=\"current_password-error\""));
    let r = b
        .send(
            "POST",
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current_password", identity_testkit::PASSWORD),
                ("password", "Nuova-Chiave!77"),
                ("password_confirm", "Nuova-Chiave!77"),
            ],
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Password cambiata"));
    assert_eq!(
        b.send("GET", "/account", &[]).await.status,
        303,
        "signed out"
    );
    let id = identity_core::LoginId::parse(&login, "test.example.it").unwrap();
    h.service
        .sign_in_password(&id, "Nuova-Chiave!77", None)
        .await
        .unwrap();
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_page_leads_to_every_door_including_the_selfcare() {
    let h = identity_testkit::sqlite().await;
    let server = TestServer::start(h.service.clone()).await;
    let mut b = Browser::new(server.addr);
    let home = b.send("GET", "/", &[]).await;
    assert_eq!(home.status, 200);
    for (href, label) in [
        ("/register", "Registrati"),
        ("/account", "Area clienti"),
        ("/selfcare/sign-in", "Selfcare SPID"),
        ("/account/recover", "Smarrimento account"),
    ] {
        assert!(
            home.body
                .contains(&format!("<a href=\"{href}\"><strong>{label}</strong></a>")),
            "{href} {label}"
        );
    }
    // The door opens: the selfcare's own sign-in page.
    let sign_in = b.send("GET", "/selfcare/sign-in", &[]).await;
    assert_eq!(sign_in.status, 200);
    assert!(sign_in.body.contains("Accedi al Selfcare"));
    server.stop().await;
}
