//! What the benchmarks that drive the real `identity-web` binary share: a
//! registered holder with logins on a fresh SQLite database, the server started
//! on it, a minimal HTTP/1.1 client, and the server process's CPU time.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

pub use identity_service::HashCost;

/// The password of every benchmark login.
pub const PASSWORD: &str = "Ver0-Sicura!x";

/// CPU time (user + system) of process `pid`, from `/proc/<pid>/stat`.
pub fn cpu_of(pid: &str) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command name (which may hold spaces, inside parentheses).
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap();
    // USER_HZ is 100 on Linux.
    Duration::from_millis(ticks * 10)
}

/// One keep-alive connection speaking just enough HTTP/1.1.
pub struct Conn {
    reader: BufReader<TcpStream>,
}

impl Conn {
    pub fn open(addr: &str) -> Conn {
        let s = TcpStream::connect(addr).unwrap();
        s.set_nodelay(true).unwrap();
        Conn {
            reader: BufReader::new(s),
        }
    }

    /// Sends `request`; returns the status and the headers (lower-cased names).
    pub fn call(&mut self, request: &[u8]) -> (u16, Vec<(String, String)>, Vec<u8>) {
        self.reader.get_mut().write_all(request).unwrap();
        let mut line = String::new();
        self.reader.read_line(&mut line).unwrap();
        let status: u16 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
        let mut headers = Vec::new();
        let mut length = 0usize;
        loop {
            line.clear();
            self.reader.read_line(&mut line).unwrap();
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            let (k, v) = l.split_once(": ").unwrap();
            let k = k.to_ascii_lowercase();
            if k == "content-length" {
                length = v.parse().unwrap();
            }
            headers.push((k, v.to_owned()));
        }
        let mut body = vec![0u8; length];
        self.reader.read_exact(&mut body).unwrap();
        (status, headers, body)
    }
}

pub fn cookie_of(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .filter(|(k, _)| k == "set-cookie")
        .find_map(|(_, v)| {
            v.strip_prefix(&format!("{name}="))
                .map(|r| r.split(';').next().unwrap().to_owned())
        })
}

pub struct Server {
    pub child: Child,
    pub addr: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A registered holder on a fresh database, then the real binary serving it.
/// `env` is added to the server's environment.
pub fn start_server(logins: usize, env: &[(&str, &str)]) -> (Server, Vec<String>) {
    start_server_with(None, HashCost::default(), logins, env)
}

/// The same on the database at `url` (a fresh SQLite file when `None`), with
/// the logins' passwords hashed at `cost` and the server configured with it.
pub fn start_server_with(
    url: Option<&str>,
    cost: HashCost,
    logins: usize,
    env: &[(&str, &str)],
) -> (Server, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let url = url.map_or_else(
        || format!("sqlite://{}/identity.db", dir.path().display()),
        str::to_owned,
    );
    let logins = register_with(&url, cost, logins);
    // BENCH_SERVER_BIN: another build of the server (a copy kept aside, so
    // builds in the shared target folder do not change it between runs).
    let bin = std::env::var("BENCH_SERVER_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_identity-web").to_owned());
    let mut child = Command::new(bin)
        .env("IDENTITY_DATA_DIR", dir.path())
        .env("IDENTITY_DATABASE_URL", &url)
        .env("IDENTITY_LISTEN", "127.0.0.1:0")
        .env("IDENTITY_LOGIN_DOMAIN", "bench.example.it")
        .env("IDENTITY_ARGON2__MEMORY_KIB", cost.memory_kib.to_string())
        .env("IDENTITY_ARGON2__ITERATIONS", cost.iterations.to_string())
        .env("IDENTITY_ARGON2__PARALLELISM", cost.parallelism.to_string())
        .env("RUST_LOG", "warn")
        .env_remove("IDENTITY_CONFIG")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.contains("listening on http://") {
        line.clear();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "identity-web ended before listening"
        );
    }
    let addr = line
        .split("http://")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    (
        Server {
            child,
            addr,
            _dir: dir,
        },
        logins,
    )
}

/// Registers Mario (as several holders when more than a holder may have) with
/// `logins` logins in all, all with `PASSWORD`.
pub fn register(url: &str, logins: usize) -> Vec<String> {
    register_with(url, HashCost::default(), logins)
}

/// The same, the passwords hashed at `cost` (a verification uses the cost its
/// stored hash names, whatever the server's setting).
pub fn register_with(url: &str, cost: HashCost, logins: usize) -> Vec<String> {
    use identity_service::usecases::register_input::RegistrationInput;
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store =
            identity_store::SqlStore::connect(url, &identity_store::ConnectOptions::default())
                .await
                .unwrap();
        let service = identity_service::Service::new(
            Arc::new(store),
            Arc::new(identity_service::SystemClock),
            identity_service::PasswordHasher::new(cost, 2).unwrap(),
            identity_service::ServiceConfig {
                login_domain: "bench.example.it".into(),
                ..identity_service::ServiceConfig::default()
            },
        );
        let input = RegistrationInput {
            password: PASSWORD.into(),
            password_confirm: PASSWORD.into(),
            ..identity_testkit::mario_input()
        };
        // As many holders as needed: each may have up to MAX_LOGINS logins.
        let operator = identity_core::Actor::Operator("bench".into());
        let mut ids = Vec::new();
        while ids.len() < logins {
            let r = service.register_input(&input, None).await.unwrap();
            ids.push(r.login_id.to_string());
            for _ in 1..identity_service::usecases::new_login::MAX_LOGINS {
                if ids.len() == logins {
                    break;
                }
                let id = service
                    .create_login(r.holder_id, PASSWORD, PASSWORD, &operator)
                    .await
                    .unwrap();
                ids.push(id.to_string());
            }
        }
        ids
    })
}

/// The sign-in page's CSRF cookie and token, shared by every request of a run.
pub struct SignInForm {
    /// The `csrf` cookie's value.
    pub csrf_cookie: String,
    /// The token the form carries (the same as the cookie: a double submit).
    pub token: String,
}

impl SignInForm {
    /// Reads them off `/account/sign-in`.
    pub fn fetch(addr: &str) -> SignInForm {
        let mut c = Conn::open(addr);
        let (_, headers, body) =
            c.call(b"GET /account/sign-in HTTP/1.1\r\nHost: localhost\r\n\r\n");
        let csrf_cookie = cookie_of(&headers, "csrf").unwrap();
        let page = String::from_utf8_lossy(&body);
        let at = page.find("name=\"csrf\" value=\"").unwrap() + 19;
        let token = page[at..].split('"').next().unwrap().to_owned();
        SignInForm { csrf_cookie, token }
    }

    /// The whole request signing `login` in with [`PASSWORD`].
    pub fn request(&self, login: &str) -> Vec<u8> {
        self.request_from(login, None)
    }

    /// The same, with `X-Forwarded-For: client` when given (for a server that
    /// takes the client's address from that header).
    pub fn request_from(&self, login: &str, client: Option<&str>) -> Vec<u8> {
        let forwarded = client.map_or_else(String::new, |c| format!("X-Forwarded-For: {c}\r\n"));
        let form = format!(
            "csrf={}&login_id={}&password={}",
            self.token,
            login.replace('@', "%40"),
            PASSWORD.replace('!', "%21")
        );
        format!(
            "POST /account/sign-in HTTP/1.1\r\nHost: localhost\r\n{forwarded}Cookie: csrf={}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
            self.csrf_cookie,
            form.len()
        )
        .into_bytes()
    }
}

/// Runs `sql` on the PostgreSQL database at `url`, without migrating it.
fn postgres_admin(url: &str, sql: &str) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let admin = identity_store::SqlStore::connect_without_migrating(
            url,
            &identity_store::ConnectOptions::default(),
        )
        .await
        .unwrap();
        admin.execute_raw(sql).await.unwrap();
        admin.close().await;
    });
}

/// A fresh database `<name>_bench_<n>` on the PostgreSQL server of `base` (a
/// URL with a database path): its URL.
pub fn fresh_postgres(base: &str) -> String {
    let (server, base_db) = base.rsplit_once('/').unwrap();
    let base_db = base_db.split('?').next().unwrap();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let name = format!("{base_db}_bench_{}_{nanos}", std::process::id());
    postgres_admin(base, &format!("CREATE DATABASE \"{name}\""));
    format!("{server}/{name}")
}

/// Drops the database of `url`, made by [`fresh_postgres`] from `base`.
pub fn drop_postgres(base: &str, url: &str) {
    let name = url.rsplit('/').next().unwrap();
    postgres_admin(
        base,
        &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
    );
}
