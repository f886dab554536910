//! [`Browser`]: an HTTP client (reqwest) that keeps cookies like a browser, sends
//! forms, and does not follow redirects, so a test sees each step.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use reqwest::cookie::CookieStore;
use reqwest::header::HeaderValue;

/// The cookies a [`Browser`] holds, by name (the tests talk to one site).
#[derive(Debug, Default)]
struct Jar(Mutex<BTreeMap<String, String>>);

impl Jar {
    fn map(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, String>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl CookieStore for Jar {
    fn set_cookies(&self, headers: &mut dyn Iterator<Item = &HeaderValue>, _url: &reqwest::Url) {
        let mut map = self.map();
        for header in headers {
            let Ok(value) = header.to_str() else { continue };
            let Some((name, cookie_value)) =
                value.split(';').next().and_then(|p| p.split_once('='))
            else {
                continue;
            };
            if cookie_value.is_empty() || value.contains("Max-Age=0") {
                map.remove(name.trim());
            } else {
                map.insert(name.trim().to_owned(), cookie_value.to_owned());
            }
        }
    }

    fn cookies(&self, _url: &reqwest::Url) -> Option<HeaderValue> {
        let map = self.map();
        if map.is_empty() {
            return None;
        }
        let line = map
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        HeaderValue::from_str(&line).ok()
    }
}

/// A minimal browser: keeps cookies, sends forms in Italian (`Accept-Language:
/// it-IT`), does not follow redirects.
pub struct Browser {
    /// The server it talks to.
    pub addr: SocketAddr,
    jar: Arc<Jar>,
    client: reqwest::Client,
}

/// One answer.
#[derive(Debug)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// The `Location` header, if any.
    pub location: Option<String>,
    /// The body as text.
    pub body: String,
    /// Raw `Set-Cookie` headers.
    pub set_cookies: Vec<String>,
    /// The `Retry-After` header, if any.
    pub retry_after: Option<String>,
    /// Every header (lower-case names; the last value of a repeated one).
    pub headers: BTreeMap<String, String>,
}

impl Browser {
    /// A browser with no cookies, talking to `addr` as `localhost`.
    #[must_use]
    pub fn new(addr: SocketAddr) -> Browser {
        Browser::with_jar(addr, Arc::default())
    }

    fn with_jar(addr: SocketAddr, jar: Arc<Jar>) -> Browser {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("it-IT"),
        );
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_provider(jar.clone())
            .default_headers(headers)
            .resolve("localhost", addr)
            .build()
            .unwrap();
        Browser { addr, jar, client }
    }

    /// Another browser starting with a copy of this one's cookies.
    #[must_use]
    pub fn with_cookies_of(other: &Browser) -> Browser {
        let jar = Jar(Mutex::new(other.jar.map().clone()));
        Browser::with_jar(other.addr, Arc::new(jar))
    }

    /// The value of the cookie `name`, if the browser holds it.
    #[must_use]
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.jar.map().get(name).cloned()
    }

    /// Sets the cookie `name` to `value` (as if the site had set it).
    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.jar.map().insert(name.to_owned(), value.to_owned());
    }

    /// Forgets the cookie `name`.
    pub fn remove_cookie(&mut self, name: &str) {
        self.jar.map().remove(name);
    }

    /// Sends `method` to `path`; for a POST, `form` as the urlencoded body.
    pub async fn send(&mut self, method: &str, path: &str, form: &[(&str, &str)]) -> Reply {
        let url = format!("http://localhost:{}{path}", self.addr.port());
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self.client.request(method.clone(), url);
        if method == reqwest::Method::POST {
            request = request.form(form);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let location = header("location");
        let retry_after = header("retry-after");
        let set_cookies = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        let headers = response
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect();
        let body = response.text().await.unwrap();
        Reply {
            status,
            location,
            body,
            set_cookies,
            retry_after,
            headers,
        }
    }
}

/// The CSRF token of the first form on `page`.
#[must_use]
pub fn csrf_of(page: &str) -> String {
    let at =
        page.find("name=\"csrf\" value=\"").expect("a CSRF field") + "name=\"csrf\" value=\"".len();
    page[at..].split('"').next().unwrap().to_owned()
}

/// `s` percent-encoded for a query string or a form (everything but the RFC 3986
/// unreserved characters).
#[must_use]
pub fn encode(s: &str) -> String {
    const NOT_UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(s, NOT_UNRESERVED).to_string()
}
