//! The real server on a free loopback port.

use std::net::SocketAddr;

use identity_http::AppState;
use identity_service::Service;

/// A running server; [`TestServer::stop`] shuts it down and checks it ended cleanly.
pub struct TestServer {
    /// Where it listens (127.0.0.1 and a free port).
    pub addr: SocketAddr,
    /// `http://localhost:<port>`, the public URL.
    pub base: String,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl TestServer {
    /// Serves `service` (its public URL set to the server's) on a free port.
    pub async fn start(service: Service) -> TestServer {
        TestServer::start_as(service, "localhost").await
    }

    /// Serves `service` on a free port with the public URL
    /// `http://<host>:<port>` (`127.0.0.1` for the reference federation
    /// entities, which want a dotted host).
    pub async fn start_as(service: Service, host: &str) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let base = format!("http://{host}:{}", addr.port());
        let state = AppState {
            service: service.with_public_url(&base),
            public_url: base.clone(),
            client_ip_header: None,
        };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(identity_http::serve(listener, state, async {
            let _ = stopped.await;
        }));
        TestServer {
            addr,
            base,
            stop,
            task,
        }
    }

    /// Shuts the server down gracefully and checks it ended without error.
    pub async fn stop(self) {
        self.stop.send(()).unwrap();
        self.task.await.unwrap().unwrap();
    }
}

/// Waits (up to 20 s) until something listens on `127.0.0.1:port`; for test
/// servers started as child processes (an SMTP server, chromedriver).
pub async fn wait_for_port(port: u16, what: &str) {
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{what} did not start"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// A free TCP port on loopback (free when asked; the caller binds it soon after).
#[must_use]
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
