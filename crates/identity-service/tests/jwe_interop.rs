//! Encrypted JWTs checked by an independent implementation: Python joserfc
//! decrypts what `encrypt_jwt` makes, and `decrypt_jwt` decrypts what joserfc
//! makes, for each offered `alg` × `enc`. A relying party decrypts with its own
//! library, not ours: a round trip through one library alone would not show
//! that the two agree on the format.
//!
//! Without python3 and joserfc the tests say so and pass, unless
//! `REQUIRE_PYTHON_CLIENT_TESTS` is set (CI), which fails them.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::Write;
use std::process::{Command, Stdio};

use identity_service::usecases::oidc::jwe::{
    ENCRYPTION_ALGS, ENCRYPTION_ENCS, EncryptionChoice, decrypt_jwt, encrypt_jwt,
};
use josekit::jwk::Jwk;
use serde_json::{Value, json};

/// What is encrypted: a compact JWS (the provider's signed userinfo answer in
/// real use; its signature is not what these tests check).
const JWS: &str = "eyJhbGciOiJSUzI1NiIsImtpZCI6InAifQ.eyJzdWIiOiJhYmMiLCJmYW1pbHlfbmFtZSI6IlJvc3NpIn0.c2lnbmF0dXJl";

/// Reads one JSON request on stdin and writes one JSON answer on stdout:
/// `decrypt` with a private JWK, or `encrypt` to a public JWK. Only the
/// requested `alg`/`enc` are allowed, so joserfc checks the header as well.
const SCRIPT: &str = r#"
import json, sys
from joserfc import jwe
from joserfc.jwk import RSAKey

req = json.load(sys.stdin)
key = RSAKey.import_key(req["key"])
algorithms = [req["alg"], req["enc"]]
if req["op"] == "decrypt":
    out = jwe.decrypt_compact(req["jwe"], key, algorithms=algorithms)
    print(json.dumps({"plaintext": out.plaintext.decode(), "header": out.protected}))
else:
    header = {"alg": req["alg"], "enc": req["enc"], "cty": "JWT", "kid": req["key"]["kid"]}
    print(json.dumps({"jwe": jwe.encrypt_compact(header, req["plaintext"], key, algorithms=algorithms)}))
"#;

/// Whether python3 with joserfc is here; when it is not the test says so and
/// is skipped, unless `REQUIRE_PYTHON_CLIENT_TESTS` is set (CI), which fails it.
fn joserfc_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import joserfc"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var("REQUIRE_PYTHON_CLIENT_TESTS").is_err(),
            "REQUIRE_PYTHON_CLIENT_TESTS is set but python3 or joserfc is missing (pip install joserfc)"
        );
        eprintln!("python3 with joserfc not found: test skipped (pip install joserfc)");
    }
    ok
}

fn python(request: &Value) -> Value {
    let mut child = Command::new("python3")
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(request.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "joserfc failed for {} {}: {}",
        request["alg"],
        request["enc"],
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A fresh 2048-bit RSA key as a relying party holds it: (private JWK, public JWK).
fn rp_key() -> (Value, Value) {
    let mut jwk = Jwk::generate_rsa_key(2048).unwrap();
    jwk.set_key_id("rp-enc-1");
    jwk.set_key_use("enc");
    let private = Value::Object(jwk.into());
    let mut public = private.clone();
    for part in ["d", "p", "q", "dp", "dq", "qi"] {
        public.as_object_mut().unwrap().remove(part);
    }
    (private, public)
}

fn combinations() -> impl Iterator<Item = EncryptionChoice> {
    ENCRYPTION_ALGS.into_iter().flat_map(|alg| {
        ENCRYPTION_ENCS
            .into_iter()
            .map(move |enc| EncryptionChoice {
                alg: alg.to_owned(),
                enc: enc.to_owned(),
            })
    })
}

#[test]
fn joserfc_decrypts_what_we_encrypt() {
    if !joserfc_available() {
        return;
    }
    let (private, public) = rp_key();
    // A signing key beside it, as in a relying party's metadata: not chosen.
    let mut sig = rp_key().1;
    sig["kid"] = json!("rp-sig-1");
    sig["use"] = json!("sig");
    let jwks = json!({ "keys": [sig, public] });
    for choice in combinations() {
        let jwe = encrypt_jwt(JWS, &jwks, &choice).unwrap();
        let out = python(&json!({
            "op": "decrypt", "jwe": jwe, "key": private, "alg": choice.alg, "enc": choice.enc,
        }));
        assert_eq!(out["plaintext"], JWS, "{choice:?}");
        assert_eq!(
            out["header"],
            json!({ "alg": choice.alg, "enc": choice.enc, "cty": "JWT", "kid": "rp-enc-1" }),
            "{choice:?}"
        );
    }
}

#[test]
fn we_decrypt_what_joserfc_encrypts() {
    if !joserfc_available() {
        return;
    }
    let (private, public) = rp_key();
    for choice in combinations() {
        let out = python(&json!({
            "op": "encrypt", "plaintext": JWS, "key": public, "alg": choice.alg, "enc": choice.enc,
        }));
        let jwe = out["jwe"].as_str().unwrap();
        assert_eq!(decrypt_jwt(jwe, &private).unwrap(), JWS, "{choice:?}");
    }
}
