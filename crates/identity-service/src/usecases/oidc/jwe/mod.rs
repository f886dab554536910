//! Encrypted JWTs for relying parties, as the SPID/CIE OpenID Connect
//! federation rules ask: the provider signs (a compact JWS), then encrypts that
//! JWS to the relying party (a compact JWE whose `cty` is `JWT`), so only the
//! relying party reads the holder's attributes and can still check who signed
//! them. The userinfo answer is always sent this way; an ID token when the
//! relying party's metadata sets `id_token_encrypted_response_alg`/`_enc`.
//!
//! Only RSA-OAEP / RSA-OAEP-256 key management with A128CBC-HS256 /
//! A256CBC-HS512 content encryption: the algorithms the SPID/CIE profile
//! allows. RSA1_5 (padding-oracle prone), `dir` and the symmetric key
//! wrappings (they need a secret shared with the relying party) are refused.
//!
//! The cryptography is josekit's (on OpenSSL): nothing here is hand-written.
//! Our own code only chooses the key and the algorithms and checks them, so the
//! library is never asked for anything outside those lists.

use josekit::jwe::alg::rsaes::RsaesJweAlgorithm;
use josekit::jwe::{self, JweHeader};
use josekit::jwk::Jwk;
use serde_json::{Map, Value};

/// The key-management algorithms offered (discovery lists them): RSA-OAEP, RSA-OAEP-256.
pub const ENCRYPTION_ALGS: [&str; 2] = ["RSA-OAEP", "RSA-OAEP-256"];

/// The content encryptions offered: A128CBC-HS256, A256CBC-HS512.
pub const ENCRYPTION_ENCS: [&str; 2] = ["A128CBC-HS256", "A256CBC-HS512"];

/// The content encryption when a relying party names only the algorithm
/// (OpenID Connect Dynamic Client Registration §2, `*_encrypted_response_enc`).
const DEFAULT_ENC: &str = "A128CBC-HS256";

/// Why a JWT was not encrypted (or decrypted).
#[derive(Debug, thiserror::Error)]
pub enum JweError {
    /// The key-management algorithm is not one of [`ENCRYPTION_ALGS`] (or is missing).
    #[error("unsupported JWE key-management algorithm: {0}")]
    UnsupportedAlg(String),
    /// The content encryption is not one of [`ENCRYPTION_ENCS`].
    #[error("unsupported JWE content encryption: {0}")]
    UnsupportedEnc(String),
    /// The relying party's JWKS has no RSA key usable for encryption.
    #[error("the relying party publishes no RSA encryption key")]
    NoEncryptionKey,
    /// The library refused the key or the input, or decryption failed.
    #[error("JWE: {0}")]
    Crypto(String),
}

/// What a relying party asked for: alg + enc (defaults per the SPID rules /
/// OpenID Connect Registration: if only alg is given enc defaults to A128CBC-HS256).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptionChoice {
    /// The key-management algorithm (`alg`), one of [`ENCRYPTION_ALGS`].
    pub alg: String,
    /// The content encryption (`enc`), one of [`ENCRYPTION_ENCS`].
    pub enc: String,
}

impl EncryptionChoice {
    /// The choice a relying party made in its `metadata` (the
    /// `openid_relying_party` object) through the pair of parameters
    /// `alg_param`/`enc_param`, e.g. `userinfo_encrypted_response_alg` and
    /// `userinfo_encrypted_response_enc`, or the `id_token_…` pair.
    ///
    /// `None` when the relying party did not ask (neither is set; JSON `null`
    /// counts as not set). An error when it asked for something not offered,
    /// or set `enc` without `alg` (Registration §2 requires `alg` then): the
    /// caller must refuse rather than answer in the clear.
    #[must_use]
    pub fn from_metadata(
        metadata: &Value,
        alg_param: &str,
        enc_param: &str,
    ) -> Option<Result<EncryptionChoice, JweError>> {
        let set = |param: &str| metadata.get(param).filter(|v| !v.is_null());
        let (alg, enc) = match (set(alg_param), set(enc_param)) {
            (None, None) => return None,
            (None, Some(_)) => {
                return Some(Err(JweError::UnsupportedAlg(format!(
                    "{enc_param} is set without {alg_param}"
                ))));
            }
            (Some(alg), enc) => (alg, enc),
        };
        let choice = || -> Result<EncryptionChoice, JweError> {
            let alg = alg
                .as_str()
                .ok_or_else(|| JweError::UnsupportedAlg(alg.to_string()))?;
            key_management(alg)?;
            let enc = match enc {
                None => DEFAULT_ENC,
                Some(enc) => enc
                    .as_str()
                    .ok_or_else(|| JweError::UnsupportedEnc(enc.to_string()))?,
            };
            check_enc(enc)?;
            Ok(EncryptionChoice {
                alg: alg.to_owned(),
                enc: enc.to_owned(),
            })
        };
        Some(choice())
    }
}

/// josekit's algorithm for `alg`, only for the two offered: the library knows
/// more (RSA1_5 among them), and must never be handed those.
fn key_management(alg: &str) -> Result<RsaesJweAlgorithm, JweError> {
    match alg {
        "RSA-OAEP" => Ok(jwe::RSA_OAEP),
        "RSA-OAEP-256" => Ok(jwe::RSA_OAEP_256),
        other => Err(JweError::UnsupportedAlg(other.to_owned())),
    }
}

/// Only the offered content encryptions (josekit also knows AES-GCM and A192CBC-HS384).
fn check_enc(enc: &str) -> Result<(), JweError> {
    if ENCRYPTION_ENCS.contains(&enc) {
        Ok(())
    } else {
        Err(JweError::UnsupportedEnc(enc.to_owned()))
    }
}

fn crypto(err: impl std::fmt::Display) -> JweError {
    JweError::Crypto(err.to_string())
}

/// The relying party's key to encrypt to with `alg`: the first RSA key with
/// `use` = `enc`, or, when there is none, the only RSA key if it has no `use`
/// (a JWKS of a single key need not say what it is for). A key whose `alg`
/// names another algorithm, or whose `key_ops` allow neither `encrypt` nor
/// `wrapKey`, is passed over: the relying party said it is not for this.
fn encryption_key<'k>(jwks: &'k Value, alg: &str) -> Result<&'k Map<String, Value>, JweError> {
    let keys = jwks
        .get("keys")
        .and_then(Value::as_array)
        .ok_or(JweError::NoEncryptionKey)?;
    let field = |key: &'k Map<String, Value>, name: &str| key.get(name).and_then(Value::as_str);
    let rsa: Vec<&Map<String, Value>> = keys
        .iter()
        .filter_map(Value::as_object)
        .filter(|key| field(key, "kty") == Some("RSA"))
        .collect();
    let fits = |key: &Map<String, Value>| {
        let alg_fits = key.get("alg").is_none_or(|a| a.as_str() == Some(alg));
        let ops_fit = key.get("key_ops").is_none_or(|ops| {
            ops.as_array().is_some_and(|ops| {
                ops.iter()
                    .any(|op| matches!(op.as_str(), Some("encrypt" | "wrapKey")))
            })
        });
        alg_fits && ops_fit
    };
    if let Some(key) = rsa
        .iter()
        .find(|key| field(key, "use") == Some("enc") && fits(key))
    {
        return Ok(key);
    }
    match rsa.as_slice() {
        [only] if only.get("use").is_none() && fits(only) => Ok(only),
        _ => Err(JweError::NoEncryptionKey),
    }
}

/// Encrypts a compact JWS (`cty` JWT) to the RP's encryption key from `jwks` (a
/// JWKS document): the RSA key with use=enc (or without `use` when it is the
/// only RSA key), its `kid` in the JWE header.
///
/// The relying party finds its decryption key by that `kid`. josekit refuses
/// RSA keys under 2048 bits ([`JweError::Crypto`]).
pub fn encrypt_jwt(jws: &str, jwks: &Value, choice: &EncryptionChoice) -> Result<String, JweError> {
    // The fields are public: check again what may not come from `from_metadata`.
    let algorithm = key_management(&choice.alg)?;
    check_enc(&choice.enc)?;
    let mut key = encryption_key(jwks, &choice.alg)?.clone();
    // josekit insists on `encrypt` in `key_ops`, while RFC 7517 names
    // `wrapKey` for a key that encrypts a content key: `encryption_key` has
    // checked either, so the library need not see them.
    key.remove("key_ops");
    let jwk = Jwk::from_map(key).map_err(crypto)?;
    let encrypter = algorithm.encrypter_from_jwk(&jwk).map_err(crypto)?;

    let mut header = JweHeader::new();
    header.set_algorithm(&choice.alg);
    header.set_content_encryption(&choice.enc);
    // The content is itself a JWT (nested JWT, RFC 7519 §5.2).
    header.set_content_type("JWT");
    if let Some(kid) = jwk.key_id() {
        header.set_key_id(kid);
    }
    jwe::serialize_compact(jws.as_bytes(), &header, &encrypter).map_err(crypto)
}

/// Decrypts (for tests and tools): with a private RSA JWK.
///
/// Only the offered `alg`/`enc` pairs, and no compressed (`zip`) content. One
/// message for every failure once the key is read, so a caller that shows the
/// error does not tell a wrong key from an altered ciphertext. Not for JWEs
/// from outside in a server: josekit's AES-CBC-HMAC decryption removes the
/// padding before it checks the tag (RFC 7518 §5.2.2.2 says the reverse) and
/// compares the tag in variable time, a padding/timing oracle if exposed.
pub fn decrypt_jwt(jwe: &str, private_jwk: &Value) -> Result<String, JweError> {
    // The protected header says which algorithm: checked against our lists
    // before the library decrypts anything.
    let header = josekit::jwt::decode_header(jwe).map_err(crypto)?;
    let claim = |name: &str| header.claim(name).and_then(Value::as_str);
    let algorithm =
        key_management(claim("alg").ok_or_else(|| JweError::UnsupportedAlg("(none)".to_owned()))?)?;
    check_enc(claim("enc").ok_or_else(|| JweError::UnsupportedEnc("(none)".to_owned()))?)?;
    if header.claim("zip").is_some() {
        return Err(JweError::Crypto(
            "compressed JWE content is refused".to_owned(),
        ));
    }
    let key = private_jwk
        .as_object()
        .ok_or_else(|| JweError::Crypto("the private JWK is not a JSON object".to_owned()))?;
    let jwk = Jwk::from_map(key.clone()).map_err(crypto)?;
    let decrypter = algorithm.decrypter_from_jwk(&jwk).map_err(crypto)?;
    let (plaintext, _) = jwe::deserialize_compact(jwe, &decrypter)
        .map_err(|_| JweError::Crypto("the JWE does not decrypt with this key".to_owned()))?;
    String::from_utf8(plaintext).map_err(crypto)
}

#[cfg(test)]
mod tests;
