//! Random one-time codes (email/SMS) and opaque tokens (sessions, links), and a
//! constant-time comparison for secrets.

use rand::Rng;

/// Bytes of randomness in a [`random_token`]: 256 bits.
pub const TOKEN_BYTES: usize = 32;

/// A code of `digits` decimal digits, each uniformly drawn from `rng` (leading
/// zeros kept), for codes sent by email or SMS. 6 digits give about 20 bits: such
/// codes must be short-lived and rate-limited.
#[must_use]
pub fn random_numeric_code(rng: &mut impl Rng, digits: usize) -> String {
    (0..digits)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

/// A random opaque token of [`TOKEN_BYTES`] bytes (256 bits), base64url-encoded
/// without padding (43 characters of `A-Z a-z 0-9 - _`), safe in URLs and cookies.
/// Store only a hash of it.
#[must_use]
pub fn random_token(rng: &mut impl Rng) -> String {
    let mut bytes = [0u8; TOKEN_BYTES];
    rng.fill(&mut bytes[..]);
    base64url(&bytes)
}

/// Crockford's base32 alphabet: no I, L, O or U, so a code read aloud or copied by
/// hand is not misread.
const READABLE: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Characters in a [`random_readable_code`]: 16 of 32 symbols, 80 bits.
pub const READABLE_CODE_LEN: usize = 16;

/// A single-use code for links and forms sent by email (verify an address, reset a
/// password): 80 random bits as 16 characters in groups of four
/// (`7KQ2-M9XD-...`), long enough that guessing is hopeless even before rate
/// limits, short enough to type. Store only a hash of [`normalize_readable_code`].
#[must_use]
pub fn random_readable_code(rng: &mut impl Rng) -> String {
    let mut out = String::with_capacity(READABLE_CODE_LEN + 3);
    for i in 0..READABLE_CODE_LEN {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(char::from(READABLE[rng.random_range(0..32usize)]));
    }
    out
}

/// A readable code as typed by a person, in its canonical form: spaces and hyphens
/// dropped, upper case, and the letters people confuse with digits read as those
/// digits (O as 0, I and L as 1), as Crockford's base32 prescribes.
#[must_use]
pub fn normalize_readable_code(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect()
}

/// Unpadded base64url (RFC 4648 section 5).
fn base64url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Whether `a` and `b` are equal, taking the same time whatever bytes differ
/// (only the lengths may leak). Use it to compare codes and secrets.
pub use constant_time_eq::constant_time_eq;

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn numeric_codes_have_the_requested_digits() {
        let mut rng = StdRng::seed_from_u64(1);
        for digits in [0, 1, 6, 8] {
            let code = random_numeric_code(&mut rng, digits);
            assert_eq!(code.len(), digits);
            assert!(code.chars().all(|c| c.is_ascii_digit()));
        }
    }

    #[test]
    fn numeric_codes_use_every_digit_in_every_position() {
        let mut rng = StdRng::seed_from_u64(2);
        let mut seen = [[false; 10]; 6];
        for _ in 0..2000 {
            for (pos, c) in random_numeric_code(&mut rng, 6).bytes().enumerate() {
                seen[pos][usize::from(c - b'0')] = true;
            }
        }
        assert!(seen.iter().all(|p| p.iter().all(|&s| s)));
    }

    #[test]
    fn tokens_are_url_safe_and_distinct() {
        let mut rng = StdRng::seed_from_u64(3);
        let a = random_token(&mut rng);
        let b = random_token(&mut rng);
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }

    #[test]
    fn base64url_vectors() {
        assert_eq!(base64url(b""), "");
        assert_eq!(base64url(b"f"), "Zg");
        assert_eq!(base64url(b"fo"), "Zm8");
        assert_eq!(base64url(b"foo"), "Zm9v");
        assert_eq!(base64url(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn readable_codes_have_80_bits_and_survive_retyping() {
        let mut rng = StdRng::seed_from_u64(4);
        let code = random_readable_code(&mut rng);
        assert_eq!(code.len(), 19);
        assert_eq!(code.matches('-').count(), 3);
        let canonical = normalize_readable_code(&code);
        assert_eq!(canonical.len(), READABLE_CODE_LEN);
        let retyped = code.to_lowercase().replace('-', " ").replace('0', "o");
        assert_eq!(normalize_readable_code(&retyped), canonical);
        assert_ne!(code, random_readable_code(&mut rng));
    }

    #[test]
    fn constant_time_eq_compares() {
        assert!(constant_time_eq(b"123456", b"123456"));
        assert!(!constant_time_eq(b"123456", b"123457"));
        assert!(!constant_time_eq(b"123456", b"12345"));
        assert!(constant_time_eq(b"", b""));
    }
}
