//! The real server on a free loopback port, for tests here and in `tests/e2e`.

#![allow(dead_code, clippy::unwrap_used, missing_docs)]

use std::collections::BTreeMap;
use std::net::SocketAddr;

use identity_http::AppState;
use identity_service::Service;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

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

    pub async fn stop(self) {
        self.stop.send(()).unwrap();
        self.task.await.unwrap().unwrap();
    }
}

/// A minimal browser: keeps cookies, sends forms, does not follow redirects.
pub struct Browser {
    pub addr: SocketAddr,
    pub cookies: BTreeMap<String, String>,
}

pub struct Reply {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
    /// Raw `Set-Cookie` headers.
    pub set_cookies: Vec<String>,
    /// The `Retry-After` header, if any.
    pub retry_after: Option<String>,
}

pub fn encode(s: &str) -> String {
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
    /// A browser with no cookies, talking to `addr`.
    pub fn new(addr: SocketAddr) -> Browser {
        Browser {
            addr,
            cookies: BTreeMap::new(),
        }
    }

    pub async fn send(&mut self, method: &str, path: &str, form: &[(&str, &str)]) -> Reply {
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
        let mut retry_after = None;
        let mut set_cookies = Vec::new();
        for line in head.lines().skip(1) {
            let (name, value) = line.split_once(": ").unwrap();
            match name.to_ascii_lowercase().as_str() {
                "set-cookie" => {
                    set_cookies.push(value.to_owned());
                    let pair = value.split(';').next().unwrap();
                    let (k, v) = pair.split_once('=').unwrap();
                    if v.is_empty() || value.contains("Max-Age=0") {
                        self.cookies.remove(k);
                    } else {
                        self.cookies.insert(k.to_owned(), v.to_owned());
                    }
                }
                "location" => location = Some(value.to_owned()),
                "retry-after" => retry_after = Some(value.to_owned()),
                _ => {}
            }
        }
        let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
        Reply {
            status,
            location,
            body: body.to_owned(),
            set_cookies,
            retry_after,
        }
    }
}

pub fn csrf_of(page: &str) -> String {
    let at =
        page.find("name=\"csrf\" value=\"").expect("a CSRF field") + "name=\"csrf\" value=\"".len();
    page[at..].split('"').next().unwrap().to_owned()
}
