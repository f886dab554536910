//! What the log carries: every request's span with its id (returned in
//! `x-request-id` and written into the audit records it causes), and never a
//! password, a single-use code or a tax code, even with every span and event of
//! every crate switched on. One test in its own binary: it installs the global
//! log subscriber.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use identity_service::AuditQuery;
use identity_testkit::{
    Browser, PASSWORD, Param as _, TestServer, csrf_of, form_pairs, last_code, outbox,
    registration_form,
};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;

/// Everything logged, as the JSON lines `--log-json` writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_followed_by_id_and_secrets_never_reach_the_log() {
    let log = Captured::default();
    tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::FULL)
        .with_writer(log.clone())
        .init();

    let h = identity_testkit::sqlite().await;
    let server = TestServer::start(h.service.clone()).await;
    let mut b = Browser::new(server.addr);

    // Registration: a password and a tax code go in.
    let form = b.send("GET", "/register?kind=persona_fisica", &[]).await;
    let r = b
        .send(
            "POST",
            "/register",
            &form_pairs(&registration_form(&csrf_of(&form.body))),
        )
        .await;
    assert_eq!(r.status, 303);
    let request_id = r
        .headers
        .get("x-request-id")
        .expect("the request's id")
        .clone();
    // The audit record the registration wrote names the request.
    let records = h
        .service
        .audit_trail(&AuditQuery {
            request_id: Some(request_id.clone()),
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert!(
        records.iter().any(|r| r.event == "holder.registered"),
        "{records:?}"
    );
    // A single-use code, in a link's query.
    let email_code = last_code(&h, "registration_confirmed").await;
    let link = format!("/account/verify-email?code={email_code}");
    assert_eq!(b.send("GET", &link, &[]).await.status, 200);
    let page = b.send("GET", &link, &[]).await;
    let r = b
        .send(
            "POST",
            "/account/verify-email",
            &[("csrf", &csrf_of(&page.body)), ("code", &email_code)],
        )
        .await;
    assert!(r.status < 400, "{}", r.status);
    // Sign-ins: a wrong password and the right one.
    let login = outbox(&h, "registration_confirmed").await[0].p("login_id");
    for password in ["Sbagliata-1!", PASSWORD] {
        let page = b.send("GET", "/account/sign-in", &[]).await;
        b.send(
            "POST",
            "/account/sign-in",
            &[
                ("csrf", &csrf_of(&page.body)),
                ("login_id", &login),
                ("password", password),
            ],
        )
        .await;
    }
    // The identity request's SMS code, sent and typed back.
    let page = b.send("GET", "/account/identity", &[]).await;
    let csrf = csrf_of(&page.body);
    let sent = b
        .send(
            "POST",
            "/account/identity/send",
            &[("csrf", &csrf), ("username", &login)],
        )
        .await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    let sms_code = last_code(&h, "sms_code").await;
    let r = b
        .send(
            "POST",
            "/account/identity",
            &[("csrf", &csrf), ("username", &login), ("code", &sms_code)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    server.stop().await;

    let text = log.text();
    // The log is full: spans of requests, use cases and store calls, with ids.
    assert!(text.contains(&format!("\"request_id\":\"{request_id}\"")));
    assert!(text.contains("\"route\":\"/account/sign-in\""));
    assert!(text.contains("request finished"));
    let own_id = format!("\"request_id\":\"{request_id}\"");
    assert!(
        text.lines()
            .any(|l| l.contains("\"name\":\"register_input\"") && l.contains(&own_id)),
        "a use case's span, with the request's id"
    );
    assert!(
        text.contains("\"name\":\"store.insert_holder\""),
        "a store call's span"
    );
    // And it holds none of the secrets or personal codes that went through.
    let upper = text.to_uppercase();
    for secret in [PASSWORD, "Sbagliata-1!", &email_code, &sms_code] {
        assert!(!text.contains(secret), "{secret:?} reached the log");
    }
    assert!(
        !upper.contains("RSSMRA85T10A562S"),
        "the tax code reached the log"
    );
}
