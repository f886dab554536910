//! RFC 4648 base32 (alphabet `A-Z2-7`), unpadded: the form authenticator apps
//! expect for a manually typed TOTP key.

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Encodes `bytes` as unpadded upper-case RFC 4648 base32.
#[must_use]
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buffer: u32 = 0;
    let mut bits: u32 = 0;
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 0x1f) as usize]));
        }
        buffer &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(char::from(
            ALPHABET[((buffer << (5 - bits)) & 0x1f) as usize],
        ));
    }
    out
}

/// Decodes RFC 4648 base32, case-insensitively, ignoring spaces, dashes and
/// trailing `=` padding (as people copy keys grouped in fours). `None` for any
/// other character, for a length no encoder produces, or for non-zero leftover bits.
#[must_use]
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let trimmed = text.trim_end_matches(|c: char| c == '=' || c.is_whitespace());
    let mut out = Vec::with_capacity(trimmed.len() * 5 / 8);
    let mut buffer: u32 = 0;
    let mut bits: u32 = 0;
    let mut symbols = 0usize;
    for c in trimmed.chars() {
        if c.is_whitespace() || c == '-' {
            continue;
        }
        let value = match c.to_ascii_uppercase() {
            u @ 'A'..='Z' => u32::from(u) - u32::from('A'),
            d @ '2'..='7' => u32::from(d) - u32::from('2') + 26,
            _ => return None,
        };
        symbols += 1;
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    // Valid unpadded lengths leave 0, 2, 4, 5 or 7 symbols in the last group.
    if matches!(symbols % 8, 1 | 3 | 6) || buffer != 0 {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rfc4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(encode(plain.as_bytes()), encoded);
            assert_eq!(decode(encoded).as_deref(), Some(plain.as_bytes()));
        }
        assert_eq!(decode("MZXW6YTBOI======").as_deref(), Some(&b"foobar"[..]));
        assert_eq!(decode("mzxw 6ytb oi").as_deref(), Some(&b"foobar"[..]));
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(decode("MZ1W"), None);
        assert_eq!(decode("M"), None);
        assert_eq!(decode("MZXW6YTBO"), None);
        // "MZ" encodes "f"; "MZ" with extra bits set in the last symbol is not canonical.
        assert_eq!(decode("M3"), None);
    }

    proptest! {
        #[test]
        fn roundtrip(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let encoded = encode(&bytes);
            prop_assert!(!encoded.contains('='));
            prop_assert_eq!(decode(&encoded), Some(bytes.clone()));
            prop_assert_eq!(decode(&encoded.to_lowercase()), Some(bytes));
        }
    }
}
