//! The local federation's keys: made once per test process (RSA keys are the
//! slow part) and shared by every fixture.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use josekit::jwk::Jwk;
use josekit::jwk::alg::ec::EcCurve;
use josekit::jws::{JwsHeader, JwsSigner};
use serde_json::Value;

use super::Entity;

/// The keys of the federation: the same for every fixture of the test process,
/// since making RSA keys is the slow part.
pub(super) struct Keys {
    pub(super) federation: BTreeMap<Entity, Key>,
    pub(super) rp_sig: Key,
    pub(super) rp_enc: Key,
    pub(super) foreign: Key,
}

/// A private key and what signing with it needs.
pub(super) struct Key {
    /// How it signs (the encryption key never does).
    pub(super) alg: &'static str,
    pub(super) private: Jwk,
    pub(super) public: Value,
}

impl Key {
    fn new(private: Jwk, kid: &str, key_use: &str, alg: Option<&'static str>) -> Key {
        let mut private = private;
        private.set_key_id(kid);
        private.set_key_use(key_use);
        if let Some(alg) = alg {
            private.set_algorithm(alg);
        }
        let mut public = private.to_public_key().expect("a public key");
        public.set_key_id(kid);
        if let Some(alg) = alg {
            public.set_algorithm(alg);
        }
        Key {
            alg: alg.unwrap_or("RS256"),
            private,
            public: Value::Object(public.into()),
        }
    }

    fn rsa(kid: &str, key_use: &str, alg: Option<&'static str>) -> Key {
        Key::new(
            Jwk::generate_rsa_key(2048).expect("an RSA key"),
            kid,
            key_use,
            alg,
        )
    }

    fn ec(kid: &str) -> Key {
        Key::new(
            Jwk::generate_ec_key(EcCurve::P256).expect("an EC key"),
            kid,
            "sig",
            Some("ES256"),
        )
    }

    pub(super) fn kid(&self) -> &str {
        self.private.key_id().unwrap_or_default()
    }

    /// A compact JWS of `claims`, with `typ` (if any) and the key's `kid`.
    pub(super) fn sign(&self, typ: Option<&str>, claims: &Value) -> String {
        let mut header = JwsHeader::new();
        header.set_key_id(self.kid());
        if let Some(typ) = typ {
            header.set_token_type(typ);
        }
        let signer: Box<dyn JwsSigner> = match self.alg {
            "ES256" => Box::new(josekit::jws::ES256.signer_from_jwk(&self.private).unwrap()),
            _ => Box::new(josekit::jws::RS256.signer_from_jwk(&self.private).unwrap()),
        };
        josekit::jws::serialize_compact(claims.to_string().as_bytes(), &header, signer.as_ref())
            .unwrap()
    }
}

pub(super) static KEYS: LazyLock<Keys> = LazyLock::new(|| Keys {
    federation: Entity::ALL
        .into_iter()
        .map(|e| {
            let kid = format!("{}-federation", e.path().trim_start_matches('/'));
            // The anchor signs with RS256, the others with ES256: both kinds
            // the provider accepts are exercised.
            let key = if e == Entity::Ta {
                Key::rsa(&kid, "sig", Some("RS256"))
            } else {
                Key::ec(&kid)
            };
            (e, key)
        })
        .collect(),
    rp_sig: Key::rsa("rp-sig", "sig", Some("RS256")),
    // No `alg`: the provider may choose RSA-OAEP or RSA-OAEP-256 with it.
    rp_enc: Key::rsa("rp-enc", "enc", None),
    // The relying party's signing kid on a key the chain never names, so a
    // verifier finds the kid and must refuse the signature itself.
    foreign: Key::rsa("rp-sig", "sig", Some("RS256")),
});
