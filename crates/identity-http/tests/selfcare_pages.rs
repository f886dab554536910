//! The selfcare over real HTTP: CSRF on every form, the pages that need no
//! session, a sign-in flood beyond capacity answered at once with 503 and
//! `Retry-After`, and what a session that is too old may not do.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use identity_service::{HashCost, PasswordHasher, Service, ServiceConfig};
use identity_testkit::{Browser, TestServer, csrf_of};

const FORMS: &[&str] = &[
    "/selfcare/sign-in",
    "/selfcare/sign-in/code",
    "/selfcare/sign-in/unblock",
    "/selfcare/sign-in/unblock/send",
    "/selfcare/sign-in/lost-phone",
    "/selfcare/sign-in/lost-phone/send",
    "/selfcare/sign-out",
    "/selfcare/recover/username",
    "/selfcare/recover/password",
    "/selfcare/recover/emergency-code",
    "/selfcare/recover/emergency-code/confirm",
    "/selfcare/emergency-block",
    "/selfcare/emergency-block/email",
    "/selfcare/emergency-block/send",
    "/selfcare/suspend",
    "/selfcare/reactivate/send",
    "/selfcare/reactivate",
    "/selfcare/revoke/send",
    "/selfcare/revoke",
    "/selfcare/password",
    "/selfcare/credentials/level2/remove",
    "/selfcare/credentials/totp",
    "/selfcare/credentials/totp/start",
    "/selfcare/notifications",
    "/selfcare/sessions/end",
    "/selfcare/profile",
    "/account/identity",
    "/account/identity/send",
];

/// A browser signed in to the selfcare as `username` with the test password
/// (level 1), through the sign-in page.
async fn signed_in(server: &TestServer, username: &str) -> Browser {
    let mut b = Browser::new(server.addr);
    let page = b.send("GET", "/selfcare/sign-in", &[]).await;
    let csrf = csrf_of(&page.body);
    let r = b
        .send(
            "POST",
            "/selfcare/sign-in",
            &[
                ("csrf", &csrf),
                ("login_id", username),
                ("password", identity_testkit::PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.location.as_deref(), Some("/selfcare"), "{username}");
    b
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_selfcare_form_refuses_a_missing_csrf_token() {
    let h = identity_testkit::sqlite().await;
    let server = TestServer::start(h.service.clone()).await;
    let mut b = Browser::new(server.addr);
    b.send("GET", "/selfcare/sign-in", &[]).await;
    for path in FORMS {
        let r = b
            .send("POST", path, &[("csrf", "forged"), ("code", "1")])
            .await;
        // Forms of a session redirect to the sign-in first; the others refuse.
        assert!(
            r.status == 403
                || (r.status == 303
                    && r.location
                        .as_deref()
                        .is_some_and(|l| l.ends_with("sign-in"))),
            "{path}: {}",
            r.status
        );
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_without_a_session_answer_in_both_languages() {
    let h = identity_testkit::sqlite().await;
    let server = TestServer::start(h.service.clone()).await;
    let mut b = Browser::new(server.addr);
    for (path, it, en) in [
        (
            "/selfcare/sign-in",
            "Accedi al Selfcare",
            "Sign in to the Selfcare",
        ),
        (
            "/selfcare/recover/username",
            "Recupera lo username",
            "Recover your username",
        ),
        (
            "/selfcare/recover/password",
            "Recupera la password",
            "Recover your password",
        ),
        (
            "/selfcare/recover/emergency-code",
            "Recupera il codice di emergenza",
            "Recover your emergency code",
        ),
        (
            "/selfcare/emergency-block",
            "Blocco d&#39;emergenza",
            "Emergency block",
        ),
        (
            "/selfcare/emergency-block/email",
            "Blocco d&#39;emergenza con codice via email",
            "Emergency block with a code by email",
        ),
    ] {
        b.remove_cookie("lang");
        let r = b.send("GET", path, &[]).await;
        assert_eq!(r.status, 200, "{path}");
        assert!(r.body.contains(&format!("<h1>{it}</h1>")), "{path}");
        b.set_cookie("lang", "en");
        let r = b.send("GET", path, &[]).await;
        assert!(
            r.body.contains(&format!("<h1>{en}</h1>")),
            "{path} in English"
        );
    }
    b.remove_cookie("lang");
    // The session pages send to the sign-in; a waiting step without its cookie too.
    for path in [
        "/selfcare",
        "/selfcare/credentials",
        "/selfcare/accesses",
        "/selfcare/sign-in/code",
    ] {
        let r = b.send("GET", path, &[]).await;
        assert_eq!(
            (r.status, r.location.as_deref()),
            (303, Some("/selfcare/sign-in")),
            "{path}"
        );
    }
    // Errors beside their fields, in the user's language.
    let page = b.send("GET", "/selfcare/emergency-block", &[]).await;
    let csrf = csrf_of(&page.body);
    let r = b
        .send(
            "POST",
            "/selfcare/emergency-block",
            &[("csrf", &csrf), ("tax_code", "ABC"), ("emergency_code", "")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("id=\"tax_code-error\"") && r.body.contains("id=\"emergency_code-error\"")
    );
    assert!(r.body.contains("Campo obbligatorio"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_flood_beyond_capacity_is_answered_at_once_with_503() {
    let h = identity_testkit::sqlite().await;
    let registered = identity_testkit::registered_mario(&h).await;
    // One worker, one place in line, and a slow hash: a burst of 12 overflows.
    let slow = HashCost {
        memory_kib: 16 * 1024,
        iterations: 4,
        parallelism: 1,
    };
    let service = Service::new(
        h.store.clone(),
        h.clock.clone(),
        PasswordHasher::with_queue(slow, 1, 1).unwrap(),
        ServiceConfig {
            login_domain: "test.example.it".into(),
            ..ServiceConfig::default()
        },
    );
    let shared = service.clone();
    let server = TestServer::start(service).await;
    let mut first = Browser::new(server.addr);
    let page = first.send("GET", "/account/sign-in", &[]).await;
    let csrf = csrf_of(&page.body);
    let login = registered.login_id.to_string();
    let tries: Vec<_> = (0..12)
        .map(|_| {
            let mut b = Browser::with_cookies_of(&first);
            let (csrf, login) = (csrf.clone(), login.clone());
            tokio::spawn(async move {
                b.send(
                    "POST",
                    "/account/sign-in",
                    &[
                        ("csrf", &csrf),
                        ("login_id", &login),
                        ("password", "Wrong-Pass-1!"),
                    ],
                )
                .await
            })
        })
        .collect();
    let mut busy = 0;
    for t in tries {
        let r = t.await.unwrap();
        match r.status {
            503 => {
                busy += 1;
                assert_eq!(r.retry_after.as_deref(), Some("2"));
                assert!(r.body.contains("riprova tra qualche secondo"));
            }
            401 => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert!(busy >= 1, "the burst overflowed the line");
    // Operators see the shed attempts: in the metrics at once, and per login and
    // address in the period's report.
    let metrics = shared.metrics().render(&[]);
    assert!(
        metrics.contains(&format!(
            "identity_password_sign_ins_total{{outcome=\"shed\"}} {busy}"
        )),
        "{metrics}"
    );
    shared.report_sign_in_pressure().await.unwrap();
    let since = chrono::Utc::now() - chrono::Duration::days(3650);
    let pressure = shared.sign_in_pressure(since).await.unwrap();
    let login_key = format!("login:{}", registered.login_id.number());
    let entry = pressure
        .iter()
        .find(|e| e.key == login_key)
        .expect("the login's entry");
    assert_eq!(entry.shed, busy);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_password_is_changed_before_anything_else_in_the_selfcare() {
    let h = identity_testkit::sqlite().await;
    let a = identity_testkit::active_identity(&h).await;
    h.clock.advance(chrono::Duration::days(181));
    let server = TestServer::start(h.service.clone()).await;
    let mut b = signed_in(&server, &a.username.to_string()).await;
    for path in ["/selfcare", "/selfcare/accesses", "/selfcare/profile"] {
        let r = b.send("GET", path, &[]).await;
        assert_eq!(
            r.location.as_deref(),
            Some("/selfcare/credentials#password"),
            "{path}"
        );
    }
    let r = b.send("GET", "/selfcare/credentials", &[]).await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("action=\"/selfcare/password\""));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_holder_sees_its_sessions_and_ends_another() {
    let h = identity_testkit::sqlite().await;
    let a = identity_testkit::active_identity(&h).await;
    let server = TestServer::start(h.service.clone()).await;
    let user = a.username.to_string();
    let mut phone = signed_in(&server, &user).await;
    let mut laptop = signed_in(&server, &user).await;
    let page = laptop.send("GET", "/selfcare/sessions", &[]).await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.body.matches("name=\"id\"").count(),
        1,
        "the other session can be ended"
    );
    assert!(page.body.contains("Questa sessione"));
    let other = page
        .body
        .split("name=\"id\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let csrf = csrf_of(&page.body);
    let r = laptop
        .send(
            "POST",
            "/selfcare/sessions/end",
            &[("csrf", &csrf), ("id", &other)],
        )
        .await;
    assert_eq!(r.location.as_deref(), Some("/selfcare/sessions"));
    // The phone's session is over; the laptop's goes on.
    let r = phone.send("GET", "/selfcare", &[]).await;
    assert_eq!(r.location.as_deref(), Some("/selfcare/sign-in"));
    assert_eq!(laptop.send("GET", "/selfcare", &[]).await.status, 200);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_access_history_downloads_as_csv_in_pages_streamed_to_the_browser() {
    let h = identity_testkit::sqlite().await;
    let a = identity_testkit::active_identity(&h).await;
    // More records than three of the export's pages.
    let mut rows = identity_store::BulkRows::default();
    for k in 0..3_500 {
        rows.access_records.push(identity_core::AccessRecord {
            holder_id: a.holder,
            identity_id: Some(a.identity.id()),
            at: h.service.now() - chrono::Duration::minutes(k),
            service: format!("https://sp{k}.example.it"),
            level: identity_core::CredentialLevel::L1,
            credential: "password".into(),
            outcome: identity_core::AccessOutcome::Ok,
            client_ip: Some("192.0.2.7".into()),
        });
    }
    h.store.insert_bulk(&rows).await.unwrap();
    let server = TestServer::start(h.service.clone()).await;
    let mut b = signed_in(&server, &a.username.to_string()).await;
    let csv = b.send("GET", "/selfcare/accesses.csv", &[]).await;
    assert_eq!(csv.status, 200);
    assert_eq!(
        csv.headers.get("content-type").map(String::as_str),
        Some("text/csv; charset=utf-8")
    );
    assert!(
        csv.headers
            .get("content-disposition")
            .is_some_and(|d| d.starts_with("attachment"))
    );
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines[0], "at,service,level,credential,outcome,client_ip");
    let generated = lines
        .iter()
        .filter(|l| l.contains(".example.it,1,password"))
        .count();
    assert_eq!(generated, 3_500, "every record once");
    // Newest first, across the pages' boundaries.
    assert!(
        lines[1..]
            .iter()
            .position(|l| l.contains("https://sp0.example.it"))
            < lines[1..]
                .iter()
                .position(|l| l.contains("https://sp3499.example.it"))
    );
    // Without a session: to the sign-in page, no data.
    let mut stranger = Browser::new(server.addr);
    let r = stranger.send("GET", "/selfcare/accesses.csv", &[]).await;
    assert_eq!(r.location.as_deref(), Some("/selfcare/sign-in"));
    server.stop().await;
}
