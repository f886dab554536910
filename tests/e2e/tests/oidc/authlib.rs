//! Python authlib as the service provider: a signed request object (and a
//! forged one refused), `private_key_jwt` with its own ES256 key, PKCE, ID
//! token validation with joserfc, userinfo, refresh rotation, revocation, and
//! a key it did not register refused.

use std::process::Command;

use crate::{CLIENT, L2, Provider, REDIRECT, query_of};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oidc/authlib_client.py");

/// Whether Python authlib is installed; when it is not the test says so and
/// is skipped, unless `REQUIRE_PYTHON_CLIENT_TESTS` is set (CI), which fails it.
fn authlib_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import authlib, joserfc, requests"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var("REQUIRE_PYTHON_CLIENT_TESTS").is_err(),
            "REQUIRE_PYTHON_CLIENT_TESTS is set but authlib is missing (pip install authlib requests)"
        );
        eprintln!("Python authlib not installed: test skipped (pip install authlib requests)");
    }
    ok
}

fn run(step: &str, env: &[(&str, &str)]) -> Result<serde_json::Value, String> {
    let out = Command::new("python3")
        .arg(SCRIPT)
        .arg(step)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    if !out.status.success() {
        return Err(format!("{step}: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(serde_json::from_slice(&out.stdout).unwrap())
}

/// The step's output, or a failure with the provider's transaction log (it
/// says why a request was refused).
async fn ok(p: &Provider, outcome: Result<serde_json::Value, String>) -> serde_json::Value {
    match outcome {
        Ok(v) => v,
        Err(e) => {
            let log = p.h.service.oidc_transactions(None, 20).await.unwrap();
            panic!("{e}\nprovider log: {log:#?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authlib_signs_in_with_private_key_jwt() {
    if !authlib_available() {
        return;
    }
    let p = Provider::start().await;
    let keys = ok(
        &p,
        tokio::task::spawn_blocking(|| run("keygen", &[]))
            .await
            .unwrap(),
    )
    .await;
    assert!(p.register(Some(keys["public"].clone())).await.is_none());
    let private = keys["private"].to_string();
    let base = p.server.base.clone();
    let env = move |extra: &[(&'static str, String)]| {
        let mut all = vec![
            ("ISSUER", base.clone()),
            ("CLIENT_ID", CLIENT.to_owned()),
            ("REDIRECT_URI", REDIRECT.to_owned()),
            ("PRIVATE_JWK", private.clone()),
        ];
        all.extend_from_slice(extra);
        all
    };
    let start_env = env(&[]);
    let start = tokio::task::spawn_blocking(move || {
        let pairs: Vec<(&str, &str)> = start_env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        run("authorize", &pairs)
    })
    .await
    .unwrap();
    let start = ok(&p, start).await;
    let mut b = p.browser();
    // A request object signed with another key is refused back to the client.
    let forged = p
        .follow(&mut b, &p.path_of(start["forged_url"].as_str().unwrap()))
        .await;
    let q = query_of(forged.location.as_ref().unwrap());
    assert_eq!(q["error"], "invalid_request_object");
    assert_eq!(q["state"], start["state"].as_str().unwrap());
    // The signed request object carries the whole request.
    let back = p
        .authorize(&mut b, start["signed_url"].as_str().unwrap(), "accept")
        .await;
    let q = query_of(back.location.as_ref().unwrap());
    assert_eq!(q["state"], start["state"].as_str().unwrap());
    let exchange_env = env(&[
        ("CODE", q["code"].clone()),
        ("VERIFIER", start["verifier"].as_str().unwrap().to_owned()),
        ("NONCE", start["nonce"].as_str().unwrap().to_owned()),
    ]);
    let seen = tokio::task::spawn_blocking(move || {
        let pairs: Vec<(&str, &str)> = exchange_env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        run("exchange", &pairs)
    })
    .await
    .unwrap();
    let seen = ok(&p, seen).await;
    assert_eq!(seen["acr"], L2);
    assert_eq!(seen["exp_in_future"], true);
    assert_eq!(seen["userinfo"]["given_name"], "Mario");
    assert_eq!(seen["userinfo"]["sub"], seen["sub"]);
    assert!(
        seen["userinfo"]["https://attributes.eid.gov.it/fiscal_number"]
            .as_str()
            .unwrap()
            .starts_with("TINIT-")
    );
    assert_eq!(seen["tampered_rejected"], true);
    assert_eq!(seen["rotated"], true);
    assert_eq!(seen["wrong_key"], "invalid_client");
    assert_eq!(seen["revoke_status"], 200);
    assert_eq!(seen["userinfo_after_revoke"], 401);
    assert_eq!(seen["stale_refresh"], "invalid_grant");
    assert_eq!(seen["family_after_reuse"], "invalid_grant");
    p.server.stop().await;
}
