//! `/metrics`, `/readyz` and `/healthz` over real HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use identity_testkit::{Browser, TestServer, csrf_of};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_sign_ins_and_time_requests_by_route() {
    let h = identity_testkit::sqlite().await;
    let registered = identity_testkit::registered_mario(&h).await;
    let server = TestServer::start(h.service.clone()).await;
    let mut b = Browser::new(server.addr);
    let page = b.send("GET", "/account/sign-in", &[]).await;
    let csrf = csrf_of(&page.body);
    let login = registered.login_id.to_string();
    for password in ["Sbagliata-1!", identity_testkit::PASSWORD] {
        b.send(
            "POST",
            "/account/sign-in",
            &[
                ("csrf", &csrf),
                ("login_id", &login),
                ("password", password),
            ],
        )
        .await;
    }
    let metrics = b.send("GET", "/metrics", &[]).await;
    assert_eq!(metrics.status, 200);
    let text = metrics.body;
    assert!(text.contains("# TYPE identity_password_sign_ins_total counter"));
    assert!(
        text.contains("identity_password_sign_ins_total{outcome=\"failed\"} 1"),
        "{text}"
    );
    assert!(text.contains("identity_password_sign_ins_total{outcome=\"ok\"} 1"));
    assert!(text.contains(
        "identity_http_request_duration_seconds_count{method=\"POST\",route=\"/account/sign-in\",status=\"303\"} 1"
    ));
    assert!(text.contains("identity_http_request_duration_seconds_count{method=\"POST\",route=\"/account/sign-in\",status=\"401\"} 1"));
    // The registration mail waits in the outbox (no delivery worker here).
    assert!(
        text.contains("identity_outbox_messages{state=\"pending\"} 1"),
        "{text}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_needs_the_database_and_every_migration() {
    let h = identity_testkit::sqlite().await;
    let server = TestServer::start(h.service.clone()).await;
    let mut b = Browser::new(server.addr);
    assert_eq!(b.send("GET", "/healthz", &[]).await.status, 200);
    let ready = b.send("GET", "/readyz", &[]).await;
    assert_eq!(ready.status, 200);
    assert!(ready.body.contains("\"migrations\":\"applied\""));
    // A migration this build knows of, but the database lost: not ready.
    h.store
        .execute_raw("DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)")
        .await
        .unwrap();
    let not = b.send("GET", "/readyz", &[]).await;
    assert_eq!(not.status, 503);
    assert!(not.body.contains("1 pending"));
    server.stop().await;
}
