//! Emergency codes: a random secret the holder keeps on paper, used to block the
//! identity, recover the password or re-enrol the authenticator without signing in.
//!
//! 16 symbols of Crockford base32 (`0-9 A-Z` without `I L O U`), 5 bits each: 80
//! bits of entropy, shown as `XXXX-XXXX-XXXX-XXXX`. Typing is forgiving: case,
//! dashes and spaces do not matter, and `O` reads as `0`, `I` and `L` as `1`.
//! Store only a hash of [`EmergencyCode::as_str`] (the canonical form), and hash
//! [`EmergencyCode::normalize_input`] of what the user types before comparing.

use std::fmt;

use rand::Rng;

/// Crockford's base32 alphabet.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Symbols in a code.
pub const SYMBOLS: usize = 16;
/// Symbols per dash-separated group.
const GROUP: usize = 4;
/// Bits of entropy in a generated code.
pub const ENTROPY_BITS: usize = SYMBOLS * 5;
const _: () = assert!(ENTROPY_BITS >= 80, "emergency codes need at least 80 bits");

/// A freshly generated emergency code. `Debug` never shows it; there is no
/// `Display`, so printing it takes an explicit [`EmergencyCode::as_str`].
#[derive(Clone, PartialEq, Eq)]
pub struct EmergencyCode {
    /// Canonical form `XXXX-XXXX-XXXX-XXXX`.
    text: String,
}

impl fmt::Debug for EmergencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EmergencyCode(****-****-****-****)")
    }
}

impl EmergencyCode {
    /// Draws a new code from `rng` (80 bits of entropy).
    #[must_use]
    pub fn generate(rng: &mut impl Rng) -> EmergencyCode {
        let symbols: Vec<u8> = (0..SYMBOLS)
            .map(|_| CROCKFORD[rng.random_range(0..32usize)])
            .collect();
        EmergencyCode {
            text: format_groups(&symbols),
        }
    }

    /// Reads a code typed by the user (see [`EmergencyCode::normalize_input`]).
    #[must_use]
    pub fn parse(input: &str) -> Option<EmergencyCode> {
        EmergencyCode::normalize_input(input).map(|text| EmergencyCode { text })
    }

    /// The canonical form, `XXXX-XXXX-XXXX-XXXX`: show it once, hash it, forget it.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The two halves (`XXXX-XXXX` each) to deliver on two different channels
    /// (e.g. email and SMS), so neither channel alone reveals the code. The holder
    /// types them one after the other.
    #[must_use]
    pub fn halves(&self) -> (String, String) {
        // 8 symbols and the dash between their two groups.
        let cut = SYMBOLS / 2 + SYMBOLS / 2 / GROUP - 1;
        let (first, second) = self.text.split_at(cut);
        (first.to_owned(), second.trim_start_matches('-').to_owned())
    }

    /// The canonical form of a code as typed: case-insensitive, spaces and dashes
    /// anywhere ignored, `O` read as `0` and `I`/`L` as `1`. `None` when it is not
    /// 16 symbols of the alphabet (`U` is not part of it).
    #[must_use]
    pub fn normalize_input(input: &str) -> Option<String> {
        let mut symbols = Vec::with_capacity(SYMBOLS);
        for c in input.chars() {
            if c.is_whitespace() || matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}') {
                continue;
            }
            let symbol = match c.to_ascii_uppercase() {
                'O' => b'0',
                'I' | 'L' => b'1',
                u if u.is_ascii() && CROCKFORD.contains(&(u as u8)) => u as u8,
                _ => return None,
            };
            if symbols.len() == SYMBOLS {
                return None;
            }
            symbols.push(symbol);
        }
        (symbols.len() == SYMBOLS).then(|| format_groups(&symbols))
    }
}

/// `XXXX-XXXX-...` from bare ASCII symbols.
fn format_groups(symbols: &[u8]) -> String {
    let mut out = String::with_capacity(symbols.len() + symbols.len() / GROUP);
    for (i, &s) in symbols.iter().enumerate() {
        if i > 0 && i % GROUP == 0 {
            out.push('-');
        }
        out.push(char::from(s));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn generated_codes_have_the_expected_shape() {
        let mut rng = StdRng::seed_from_u64(42);
        let code = EmergencyCode::generate(&mut rng);
        let s = code.as_str();
        assert_eq!(s.len(), 19);
        let groups: Vec<&str> = s.split('-').collect();
        assert_eq!(groups.len(), 4);
        assert!(groups.iter().all(|g| g.len() == 4));
        assert!(
            s.chars()
                .all(|c| c == '-' || CROCKFORD.contains(&(c as u8)))
        );
        assert!(!s.contains(['I', 'L', 'O', 'U']));
        assert_ne!(EmergencyCode::generate(&mut rng), code);
    }

    #[test]
    fn debug_hides_the_code() {
        let code = EmergencyCode::parse("ABCD-EFGH-JKMN-PQRS").expect("valid");
        let debug = format!("{code:?}");
        assert!(!debug.contains("ABCD"));
        assert!(!debug.contains("PQRS"));
    }

    #[test]
    fn halves_split_the_code_in_two() {
        let code = EmergencyCode::parse("ABCD-EFGH-JKMN-PQRS").expect("valid");
        assert_eq!(
            code.halves(),
            ("ABCD-EFGH".to_owned(), "JKMN-PQRS".to_owned())
        );
        let (a, b) = code.halves();
        assert_eq!(
            EmergencyCode::normalize_input(&format!("{a}{b}")).as_deref(),
            Some(code.as_str())
        );
    }

    #[test]
    fn typing_is_forgiving() {
        let canonical = Some("0123-4567-89AB-CDEF".to_owned());
        assert_eq!(
            EmergencyCode::normalize_input("0123-4567-89AB-CDEF"),
            canonical
        );
        assert_eq!(
            EmergencyCode::normalize_input("0123456789abcdef"),
            canonical
        );
        assert_eq!(
            EmergencyCode::normalize_input(" o123 4567 89ab cdef "),
            canonical
        );
        assert_eq!(
            EmergencyCode::normalize_input("OI23-4567–89AB-CDEF"),
            canonical
        );
        assert_eq!(
            EmergencyCode::normalize_input("0l23456789ABCDEF"),
            canonical
        );
    }

    #[test]
    fn malformed_input_is_refused() {
        assert_eq!(EmergencyCode::normalize_input(""), None);
        assert_eq!(EmergencyCode::normalize_input("0123-4567-89AB-CDE"), None);
        assert_eq!(EmergencyCode::normalize_input("0123-4567-89AB-CDEF0"), None);
        assert_eq!(EmergencyCode::normalize_input("0123-4567-89AB-CDEU"), None);
        assert_eq!(EmergencyCode::normalize_input("0123-4567-89AB-CDE!"), None);
        assert_eq!(EmergencyCode::normalize_input("0123-4567-89AB-CDEÉ"), None);
    }

    proptest! {
        #[test]
        fn normalize_of_generate_is_identity(seed in any::<u64>(), lower in any::<bool>(), spaced in any::<bool>()) {
            let code = EmergencyCode::generate(&mut StdRng::seed_from_u64(seed));
            let mut typed = code.as_str().to_owned();
            if lower { typed = typed.to_lowercase(); }
            if spaced { typed = typed.replace('-', " "); }
            let expected = Some(code.as_str().to_owned());
            prop_assert_eq!(EmergencyCode::normalize_input(&typed), expected.clone());
            prop_assert_eq!(EmergencyCode::normalize_input(&typed.replace(['-', ' '], "")), expected);
        }
    }
}
