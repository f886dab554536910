//! The character tables of DM 23/12/1976: check character, month letters and the
//! omocode letters that may stand for digits.

/// The letters that stand for 0-9 in omocodes (`L` = 0, ..., `V` = 9).
pub(super) const OMOCODE_LETTERS: &[u8; 10] = b"LMNPQRSTUV";

/// Positions (0-based) that hold digits, or their omocode letters: year (6, 7),
/// day (9, 10) and the three digits of the place code (12, 13, 14).
pub(super) const DIGIT_POSITIONS: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];

/// Month letters, January to December.
pub(super) const MONTHS: &[u8; 12] = b"ABCDEHLMPRST";

/// Values of characters in odd (1st, 3rd, ...) positions for the check character,
/// indexed by the digit (0-9) or the letter (A = 0 ... Z = 25): the two share the
/// table, `0` weighing like `A`, `1` like `B`, and so on.
const ODD_VALUES: [u8; 26] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];

/// The index of an upper-case ASCII letter or digit in the tables (`A`/`0` = 0).
fn table_index(c: u8) -> usize {
    if c.is_ascii_digit() {
        usize::from(c - b'0')
    } else {
        usize::from(c.saturating_sub(b'A')).min(25)
    }
}

/// The check character of the first 15 characters (upper-case ASCII letters and
/// digits), computed over the code as written: omocode letters count as letters.
pub(super) fn check_character(first15: &[u8]) -> u8 {
    let sum: usize = first15
        .iter()
        .take(15)
        .enumerate()
        .map(|(i, &c)| {
            let index = table_index(c);
            // Positions are counted from 1: index 0 is the first, odd, position.
            if i % 2 == 0 {
                usize::from(ODD_VALUES[index])
            } else {
                index
            }
        })
        .sum();
    // `sum % 26` is below 26, so the conversion cannot fail.
    b'A' + u8::try_from(sum % 26).unwrap_or(0)
}

/// The digit a position stands for: a digit, or an omocode letter.
pub(super) fn digit_value(c: u8) -> Option<u8> {
    if c.is_ascii_digit() {
        Some(c - b'0')
    } else {
        OMOCODE_LETTERS
            .iter()
            .position(|&l| l == c)
            .and_then(|p| u8::try_from(p).ok())
    }
}

/// The month (1-12) of a month letter.
pub(super) fn month_number(c: u8) -> Option<u32> {
    MONTHS
        .iter()
        .position(|&m| m == c)
        .and_then(|p| u32::try_from(p + 1).ok())
}

/// The largest day a month can have, whatever the year: the century is not in
/// the code, so 29 February is always accepted.
pub(super) fn max_day(month: u32) -> u32 {
    match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_character_of_a_known_code() {
        assert_eq!(check_character(b"RSSMRA85T10A562"), b'S');
    }

    #[test]
    fn omocode_letters_stand_for_digits() {
        assert_eq!(digit_value(b'L'), Some(0));
        assert_eq!(digit_value(b'V'), Some(9));
        assert_eq!(digit_value(b'7'), Some(7));
        assert_eq!(digit_value(b'O'), None);
        assert_eq!(digit_value(b'A'), None);
    }

    #[test]
    fn months_and_days() {
        assert_eq!(month_number(b'A'), Some(1));
        assert_eq!(month_number(b'T'), Some(12));
        assert_eq!(month_number(b'F'), None);
        assert_eq!(max_day(2), 29);
        assert_eq!(max_day(11), 30);
        assert_eq!(max_day(12), 31);
    }
}
