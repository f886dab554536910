//! The server starts on a free port and answers its health endpoints.

#![allow(clippy::unwrap_used, missing_docs)]

use identity_testkit::TestServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Status and the whole response (headers and body).
async fn get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let status = response.split_whitespace().nth(1).unwrap().parse().unwrap();
    // Headers and body together: tests look for both.
    (status, response)
}

#[tokio::test]
async fn serves_home_and_health_on_a_free_port() {
    let h = identity_testkit::sqlite().await;
    let server = TestServer::start(h.service.clone()).await;
    let addr = server.addr;

    let (status, body) = get(addr, "/healthz").await;
    assert_eq!(status, 200);
    assert!(body.contains("\"ok\""));
    let (status, body) = get(addr, "/readyz").await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"database\":\"ok\""));
    let (status, body) = get(addr, "/").await;
    assert_eq!(status, 200);
    assert!(body.contains("<html lang=\"it\">"));
    let lower = body.to_ascii_lowercase();
    for header in [
        "content-security-policy: default-src 'self'",
        "x-frame-options: deny",
        "x-content-type-options: nosniff",
        "referrer-policy: no-referrer",
    ] {
        assert!(lower.contains(header), "missing {header}");
    }
    assert!(
        !lower.contains("strict-transport-security"),
        "no HSTS over plain http"
    );
    let (status, _) = get(addr, "/no-such-page").await;
    assert_eq!(status, 404);

    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_out_of_reach_is_503_with_retry_after_and_not_ready() {
    let h = identity_testkit::sqlite().await;
    let anna = identity_core::identity::Actor::Operator("anna".into());
    let (_, token) = h
        .service
        .add_api_client("reader", &[identity_service::ApiScope::HoldersRead], &anna)
        .await
        .unwrap();
    let server = TestServer::start(h.service.clone()).await;
    // The pool closed: every statement now fails the way a lost database does.
    h.store.close().await;

    let (status, body) = get(server.addr, "/readyz").await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("\"database\":\"error\""), "{body}");

    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let request = format!(
        "GET /api/v1/holders/00000000-0000-0000-0000-000000000000 HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\nAccept-Language: en\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 503"), "{response}");
    assert!(
        response.to_ascii_lowercase().contains("retry-after: 5"),
        "{response}"
    );
    assert!(response.contains("\"code\":\"unavailable\""), "{response}");
    assert!(response.contains("try again shortly"), "{response}");

    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_finishes_its_headers_is_cut_off_and_others_are_served() {
    let h = identity_testkit::sqlite().await;
    let server = TestServer::start(h.service.clone()).await;
    let started = std::time::Instant::now();
    // A few slow clients: the first bytes of a request, then nothing.
    let mut slow = Vec::new();
    for _ in 0..20 {
        let mut stream = TcpStream::connect(server.addr).await.unwrap();
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: loc")
            .await
            .unwrap();
        slow.push(stream);
    }
    // Meanwhile everybody else is answered.
    let (status, _) = get(server.addr, "/healthz").await;
    assert_eq!(status, 200);
    // Each slow connection is closed by the server once the header timeout
    // passes (read returns: end of stream, or the 408 hyper may write first).
    for mut stream in slow {
        let mut rest = Vec::new();
        let closed = tokio::time::timeout(
            identity_http::server::HEADER_READ_TIMEOUT + std::time::Duration::from_secs(10),
            stream.read_to_end(&mut rest),
        )
        .await;
        assert!(closed.is_ok(), "a slow client kept its connection");
    }
    assert!(started.elapsed() >= identity_http::server::HEADER_READ_TIMEOUT);
    server.stop().await;
}
