//! The pure parts of the OpenID Connect provider on the SPID profile (docs/domain.md
//! §6): the SPID levels as `acr` values, the level a request asks for,
//! PKCE (S256), pairwise subject identifiers, and the authorization request's
//! checks ([`authorize`]).

pub mod authorize;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::credentials::CredentialLevel;

/// The `acr` value of a SPID level.
#[must_use]
pub fn acr_of(level: CredentialLevel) -> &'static str {
    match level {
        CredentialLevel::L1 => "https://www.spid.gov.it/SpidL1",
        CredentialLevel::L2 => "https://www.spid.gov.it/SpidL2",
        CredentialLevel::L3 => "https://www.spid.gov.it/SpidL3",
    }
}

/// The SPID level of an `acr` value, if it is one.
#[must_use]
pub fn level_of_acr(acr: &str) -> Option<CredentialLevel> {
    CredentialLevel::ALL.into_iter().find(|l| acr_of(*l) == acr)
}

/// The level an `acr_values` request parameter asks for: the lowest SPID level
/// it lists (the user signs in at no less than that). Values that are not SPID
/// levels are ignored; `None` when it lists none.
#[must_use]
pub fn requested_level(acr_values: &str) -> Option<CredentialLevel> {
    acr_values.split_whitespace().filter_map(level_of_acr).min()
}

/// The SPID levels an `acr_values` request parameter lists, in its order of
/// preference, each once; values that are not SPID levels are ignored.
#[must_use]
pub fn requested_levels(acr_values: &str) -> Vec<CredentialLevel> {
    let mut levels = Vec::new();
    for level in acr_values.split_whitespace().filter_map(level_of_acr) {
        if !levels.contains(&level) {
            levels.push(level);
        }
    }
    levels
}

/// Whether a PKCE `code_verifier` (RFC 7636: 43 to 128 characters of
/// `A-Z a-z 0-9 - . _ ~`) matches the S256 `code_challenge` sent with the
/// authorization request (base64url of its SHA-256, without padding).
#[must_use]
pub fn pkce_s256_matches(verifier: &str, challenge: &str) -> bool {
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    well_formed
        && crate::credentials::constant_time_eq(
            base64url(&Sha256::digest(verifier.as_bytes())).as_bytes(),
            challenge.as_bytes(),
        )
}

/// The pairwise subject identifier of a holder for a service provider: the
/// same holder gets a different, stable `sub` at each provider, so providers
/// cannot link their users by it. An HMAC-SHA256, under the provider's secret
/// salt, of the provider's sector (its client id) and the holder's id.
#[must_use]
pub fn pairwise_sub(salt: &[u8], sector: &str, holder: &str) -> String {
    // HMAC accepts keys of any length.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(salt) else {
        unreachable!("HMAC takes keys of any length")
    };
    mac.update(sector.as_bytes());
    mac.update(b"\0");
    mac.update(holder.as_bytes());
    base64url(&mac.finalize().into_bytes())
}

/// Base64url without padding (RFC 4648 section 5), as JOSE and PKCE use it.
fn base64url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acr_values_ask_for_their_lowest_spid_level() {
        assert_eq!(
            requested_level("https://www.spid.gov.it/SpidL3 https://www.spid.gov.it/SpidL2"),
            Some(CredentialLevel::L2)
        );
        assert_eq!(
            requested_level("urn:other https://www.spid.gov.it/SpidL3"),
            Some(CredentialLevel::L3)
        );
        assert_eq!(requested_level("urn:other"), None);
        assert_eq!(requested_level(""), None);
        for level in CredentialLevel::ALL {
            assert_eq!(level_of_acr(acr_of(level)), Some(level));
        }
    }

    #[test]
    fn acr_values_keep_their_order_of_preference() {
        let l = |n| format!("https://www.spid.gov.it/SpidL{n}");
        assert_eq!(
            requested_levels(&format!("{} urn:x {} {}", l(2), l(1), l(2))),
            vec![CredentialLevel::L2, CredentialLevel::L1]
        );
        assert_eq!(requested_levels(&l(3)), vec![CredentialLevel::L3]);
        assert!(requested_levels("urn:x").is_empty());
    }

    #[test]
    fn pkce_matches_the_rfc_7636_example_and_nothing_else() {
        // RFC 7636 appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(pkce_s256_matches(verifier, challenge));
        assert!(!pkce_s256_matches(
            verifier,
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN"
        ));
        assert!(!pkce_s256_matches("short", challenge));
        assert!(!pkce_s256_matches(&format!("{verifier}!"), challenge));
    }

    #[test]
    fn base64url_has_no_padding_and_the_url_alphabet() {
        assert_eq!(base64url(b""), "");
        assert_eq!(base64url(b"f"), "Zg");
        assert_eq!(base64url(b"fo"), "Zm8");
        assert_eq!(base64url(b"foo"), "Zm9v");
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn pairwise_subjects_differ_per_provider_and_stay_stable() {
        let salt = b"per-deployment secret";
        let holder = "01a20cee-a780-7596-a162-cb5560bd9ec1";
        let a = pairwise_sub(salt, "https://a.example.it", holder);
        let b = pairwise_sub(salt, "https://b.example.it", holder);
        assert_ne!(a, b);
        assert_eq!(a, pairwise_sub(salt, "https://a.example.it", holder));
        assert_eq!(a.len(), 43, "256 bits, base64url");
        assert_ne!(
            a,
            pairwise_sub(b"another salt", "https://a.example.it", holder)
        );
    }
}
