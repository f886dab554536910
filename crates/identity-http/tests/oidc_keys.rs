//! The OpenID Connect provider's published signing keys over real HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use identity_testkit::{Browser, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_jwks_publishes_one_public_key_per_algorithm() {
    let h = identity_testkit::sqlite().await;
    let server = TestServer::start(h.service.clone()).await;
    let mut b = Browser::new(server.addr);
    let page = b.send("GET", "/oidc/jwks", &[]).await;
    assert_eq!(page.status, 200);
    let jwks: serde_json::Value = serde_json::from_str(&page.body).unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    let mut algs: Vec<&str> = keys.iter().map(|k| k["alg"].as_str().unwrap()).collect();
    algs.sort_unstable();
    assert_eq!(algs, ["ES256", "RS256"]);
    for key in keys {
        assert_eq!(key["use"], "sig");
        assert!(
            key["kid"].as_str().unwrap().len() >= 40,
            "an RFC 7638 thumbprint"
        );
        assert!(key.get("d").is_none(), "no private part: {key}");
    }
    // The same keys on the next request: made once, then reused.
    let again = b.send("GET", "/oidc/jwks", &[]).await;
    assert_eq!(again.body, page.body);
    server.stop().await;
}
