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
