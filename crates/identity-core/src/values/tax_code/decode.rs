//! What a personal tax code says about its holder: sex, date and place of birth,
//! and the code without omocodia.

use chrono::{Datelike, NaiveDate};

use super::omocodia::{DIGIT_POSITIONS, check_character, digit_value, month_number};
use super::{PersonalTaxCode, Sex};

impl PersonalTaxCode {
    /// The number written at `positions` (0-based), omocode letters read as digits.
    fn number_at(&self, positions: &[usize]) -> u32 {
        let b = self.0.as_bytes();
        positions.iter().fold(0, |acc, &p| {
            acc * 10 + u32::from(b.get(p).copied().and_then(digit_value).unwrap_or(0))
        })
    }

    /// The day as encoded (1-31, or 41-71 for women).
    pub(super) fn encoded_day(&self) -> u32 {
        self.number_at(&[9, 10])
    }

    /// Whether any digit was replaced by an omocode letter.
    #[must_use]
    pub fn is_omocode(&self) -> bool {
        let b = self.0.as_bytes();
        DIGIT_POSITIONS
            .iter()
            .any(|&p| b.get(p).is_some_and(|c| !c.is_ascii_digit()))
    }

    /// The code with omocode letters turned back into digits and the check
    /// character recomputed: the code as it was before any omocodia. A code
    /// that is not an omocode is returned unchanged.
    #[must_use]
    pub fn canonical(&self) -> PersonalTaxCode {
        let mut b = self.0.as_bytes().to_vec();
        for &p in &DIGIT_POSITIONS {
            if let Some(d) = b.get(p).copied().and_then(digit_value) {
                b[p] = b'0' + d;
            }
        }
        let check = check_character(&b[..15]);
        b[15] = check;
        // Only ASCII bytes were written over ASCII bytes.
        PersonalTaxCode(String::from_utf8_lossy(&b).into_owned())
    }

    /// Sex encoded in the day (+40 for women).
    #[must_use]
    pub fn sex(&self) -> Sex {
        if self.encoded_day() > 40 {
            Sex::Female
        } else {
            Sex::Male
        }
    }

    /// Day of birth (1-31).
    #[must_use]
    pub fn birth_day(&self) -> u32 {
        self.encoded_day() % 40
    }

    /// Month of birth (1-12).
    #[must_use]
    pub fn birth_month(&self) -> u32 {
        month_number(self.0.as_bytes()[8]).unwrap_or(1)
    }

    /// The two-digit year of birth (0-99); the century is not in the code.
    #[must_use]
    pub fn birth_year_two_digits(&self) -> u32 {
        self.number_at(&[6, 7])
    }

    /// The Belfiore code of the place of birth (`H501`, or `Z...` abroad), with
    /// omocode letters turned back into digits.
    #[must_use]
    pub fn birth_place_code(&self) -> String {
        let b = self.0.as_bytes();
        format!("{}{:03}", char::from(b[11]), self.number_at(&[12, 13, 14]))
    }

    /// The date of birth, taking the century that puts the year nearest to the
    /// year of `declared` (the date the person states, typically): with the right
    /// declared date the result is that date. `None` if the day does not exist in
    /// that year (29 February of a common year).
    #[must_use]
    pub fn birth_date_with(&self, declared: NaiveDate) -> Option<NaiveDate> {
        let yy = i32::try_from(self.birth_year_two_digits()).ok()?;
        let century = declared.year() - declared.year().rem_euclid(100);
        let year = [century - 100, century, century + 100]
            .into_iter()
            .map(|c| c + yy)
            .min_by_key(|y| (y - declared.year()).abs())?;
        NaiveDate::from_ymd_opt(year, self.birth_month(), self.birth_day())
    }

    /// The latest date of birth the code allows that is not after `reference`
    /// (usually today): the century is chosen so the person is born on or before
    /// it, and at most 100 years earlier. `None` if the day does not exist in that
    /// year (29 February of a common year).
    #[must_use]
    pub fn birth_date_not_after(&self, reference: NaiveDate) -> Option<NaiveDate> {
        let yy = i32::try_from(self.birth_year_two_digits()).ok()?;
        let century = reference.year() - reference.year().rem_euclid(100);
        let (month, day) = (self.birth_month(), self.birth_day());
        let this_century = century + yy;
        let year = if (this_century, month, day)
            <= (reference.year(), reference.month(), reference.day())
        {
            this_century
        } else {
            this_century - 100
        };
        NaiveDate::from_ymd_opt(year, month, day)
    }
}
