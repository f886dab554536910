//! The shipped [`EntityFetcher`]: reqwest over rustls, within the bounds of
//! [`FetchLimits`]. A relying party names the URLs the provider fetches, so
//! each is checked: https only (plain http only to loopback, when the
//! development setting allows it), no private addresses (checked on the
//! literal host and on every address a name resolves to), redirects only
//! within the same origin, bounded time and size.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use async_trait::async_trait;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::settings::FetchLimits;
use crate::ports::{EntityFetcher, FetchError};

/// The shipped fetcher.
#[derive(Debug, Clone)]
pub struct HttpEntityFetcher {
    client: reqwest::Client,
    limits: FetchLimits,
}

/// Whether an address is one a relying party must not make the provider reach:
/// loopback, private, link-local, shared (CGNAT), unspecified, multicast,
/// documentation or unique-local.
#[must_use]
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || (a == 100 && (64..128).contains(&b))
                || a == 0
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_internal(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
    }
}

/// Whether an address may be reached under `limits`.
fn reachable(ip: IpAddr, limits: &FetchLimits) -> bool {
    limits.allow_private_addresses
        || !is_internal(ip)
        || (limits.allow_http_loopback && ip.is_loopback())
}

/// Resolves names, then drops the addresses that may not be reached: a name
/// that points into the provider's network resolves to nothing.
struct GuardedResolver {
    limits: FetchLimits,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let limits = self.limits.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| reachable(a.ip(), &limits))
                .collect();
            if found.is_empty() {
                return Err(format!("{host} resolves to no address the provider may reach").into());
            }
            let addrs: Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

impl HttpEntityFetcher {
    /// A fetcher within `limits`.
    ///
    /// # Panics
    /// Never in practice: building a client with rustls and no system
    /// configuration does not fail.
    #[must_use]
    pub fn new(limits: &FetchLimits) -> HttpEntityFetcher {
        let policy = reqwest::redirect::Policy::custom(|attempt| {
            let same_origin = attempt
                .previous()
                .first()
                .is_some_and(|first| first.origin() == attempt.url().origin());
            if attempt.previous().len() >= 3 {
                attempt.error("too many redirects")
            } else if same_origin {
                attempt.follow()
            } else {
                attempt.error("redirect to another origin")
            }
        });
        let client = reqwest::Client::builder()
            .connect_timeout(limits.connect_timeout())
            .timeout(limits.timeout())
            .redirect(policy)
            .dns_resolver(Arc::new(GuardedResolver {
                limits: limits.clone(),
            }))
            .user_agent(concat!("identity-federation/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        HttpEntityFetcher {
            client,
            limits: limits.clone(),
        }
    }

    /// Whether `url` may be fetched at all (scheme and literal address).
    fn check_url(&self, url: &str) -> Result<url::Url, FetchError> {
        let refused = |why: &str| FetchError::Refused {
            url: url.to_owned(),
            why: why.to_owned(),
        };
        let parsed = url::Url::parse(url).map_err(|e| refused(&e.to_string()))?;
        let loopback = match parsed.host() {
            Some(url::Host::Ipv4(ip)) => {
                if !reachable(IpAddr::V4(ip), &self.limits) {
                    return Err(refused("an internal address"));
                }
                ip.is_loopback()
            }
            Some(url::Host::Ipv6(ip)) => {
                if !reachable(IpAddr::V6(ip), &self.limits) {
                    return Err(refused("an internal address"));
                }
                ip.is_loopback()
            }
            Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
            None => return Err(refused("no host")),
        };
        match parsed.scheme() {
            "https" => {}
            "http" if loopback && self.limits.allow_http_loopback => {}
            _ => return Err(refused("only https URLs are fetched")),
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(refused("credentials in the URL"));
        }
        Ok(parsed)
    }
}

#[async_trait]
impl EntityFetcher for HttpEntityFetcher {
    #[tracing::instrument(skip(self), fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    async fn fetch(&self, url: &str) -> Result<String, FetchError> {
        let parsed = self.check_url(url)?;
        let failed = |why: String| FetchError::Failed {
            url: url.to_owned(),
            why,
        };
        let limit = |why: &str| FetchError::Limit {
            url: url.to_owned(),
            why: why.to_owned(),
        };
        let work = async {
            let mut response = self.client.get(parsed).send().await.map_err(|e| {
                if e.is_timeout() {
                    limit("timeout")
                } else if e.is_redirect() {
                    FetchError::Refused {
                        url: url.to_owned(),
                        why: "a redirect to another origin".into(),
                    }
                } else {
                    failed(crate::error_chain(&e))
                }
            })?;
            if !response.status().is_success() {
                return Err(failed(format!("HTTP {}", response.status())));
            }
            if response
                .content_length()
                .is_some_and(|n| n > self.limits.max_bytes as u64)
            {
                return Err(limit("the answer is too large"));
            }
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(|e| {
                if e.is_timeout() {
                    limit("timeout")
                } else {
                    failed(crate::error_chain(&e))
                }
            })? {
                if body.len() + chunk.len() > self.limits.max_bytes {
                    return Err(limit("the answer is too large"));
                }
                body.extend_from_slice(&chunk);
            }
            String::from_utf8(body).map_err(|_| failed("the answer is not text".into()))
        };
        // reqwest's own timeout covers the whole request; this one also
        // bounds a body that trickles in.
        tokio::time::timeout(self.limits.timeout(), work)
            .await
            .map_err(|_| limit("timeout"))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_recognised() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fc00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
            "224.0.0.1",
        ] {
            assert!(is_internal(internal.parse().unwrap()), "{internal}");
        }
        for public in ["93.184.216.34", "2a00:1450:4002:800::200e", "8.8.8.8"] {
            assert!(!is_internal(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn only_https_and_no_internal_literal_addresses_by_default() {
        let f = HttpEntityFetcher::new(&FetchLimits::default());
        assert!(
            f.check_url("https://rp.example.it/.well-known/openid-federation")
                .is_ok()
        );
        assert!(f.check_url("http://rp.example.it/").is_err());
        assert!(f.check_url("https://127.0.0.1/").is_err());
        assert!(f.check_url("https://[::1]/").is_err());
        assert!(f.check_url("https://169.254.169.254/latest").is_err());
        assert!(f.check_url("https://user:pw@rp.example.it/").is_err());
        assert!(f.check_url("file:///etc/passwd").is_err());
        let dev = HttpEntityFetcher::new(&FetchLimits {
            allow_http_loopback: true,
            ..FetchLimits::default()
        });
        assert!(dev.check_url("http://127.0.0.1:8101/").is_ok());
        assert!(dev.check_url("http://localhost:8101/").is_ok());
        assert!(dev.check_url("http://10.0.0.1/").is_err());
        assert!(dev.check_url("http://rp.example.it/").is_err());
    }
}
