//! The real server on a free loopback port, for tests here and in `tests/e2e`.

#![allow(dead_code, clippy::unwrap_used, missing_docs)]

use std::net::SocketAddr;

use identity_http::AppState;
use identity_service::Service;

/// A running server; [`TestServer::stop`] shuts it down and checks it ended cleanly.
pub struct TestServer {
    pub addr: SocketAddr,
    /// `http://localhost:<port>`, the public URL.
    pub base: String,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl TestServer {
    pub async fn start(service: Service) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let base = format!("http://localhost:{}", addr.port());
        let state = AppState {
            service: service.with_public_url(&base),
            public_url: base.clone(),
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

    pub async fn stop(self) {
        self.stop.send(()).unwrap();
        self.task.await.unwrap().unwrap();
    }
}
