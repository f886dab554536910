//! Whether a personal tax code agrees with the data a person declares.

use chrono::NaiveDate;

use super::{PersonalTaxCode, Sex, family_name_code, given_name_code};

/// The data a person declares, to check against the tax code.
#[derive(Debug, Clone, Copy)]
pub struct PersonCheck<'a> {
    /// Family name(s).
    pub family_name: &'a str,
    /// Given name(s).
    pub given_name: &'a str,
    /// Date of birth.
    pub birth_date: NaiveDate,
    /// Sex.
    pub sex: Sex,
    /// Belfiore code of the place of birth, when declared.
    pub birth_place_code: Option<&'a str>,
}

/// One way the tax code disagrees with the declared data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaxCodeMismatch {
    /// Characters 1-3 do not derive from the family name.
    #[error("the tax code has {in_code} for the family name, which gives {from_name}")]
    FamilyName {
        /// Letters in the code.
        in_code: String,
        /// Letters the name gives.
        from_name: String,
    },
    /// Characters 4-6 do not derive from the given name.
    #[error("the tax code has {in_code} for the given name, which gives {from_name}")]
    GivenName {
        /// Letters in the code.
        in_code: String,
        /// Letters the name gives.
        from_name: String,
    },
    /// The date of birth differs (characters 7-11).
    #[error(
        "the date of birth {declared} does not match the tax code, which gives {day:02}/{month:02} of a year ending in {year_two_digits:02}"
    )]
    BirthDate {
        /// Day in the code (1-31).
        day: u32,
        /// Month in the code (1-12).
        month: u32,
        /// Two-digit year in the code.
        year_two_digits: u32,
        /// The declared date.
        declared: NaiveDate,
    },
    /// The sex differs (the day of women is increased by 40).
    #[error("the declared sex ({declared:?}) does not match the tax code ({in_code:?})")]
    Sex {
        /// Sex in the code.
        in_code: Sex,
        /// Sex declared.
        declared: Sex,
    },
    /// The place of birth differs (characters 12-15).
    #[error("the place of birth ({declared}) does not match the tax code ({in_code})")]
    BirthPlace {
        /// Belfiore code in the tax code (omocode letters turned into digits).
        in_code: String,
        /// Belfiore code declared, upper-case.
        declared: String,
    },
}

impl PersonalTaxCode {
    /// Checks the code against the data a person declared; lists every
    /// disagreement, in the order of the code's characters. Omocodes are read
    /// through their canonical digits, so they pass like the original code.
    pub fn check_person(&self, details: &PersonCheck<'_>) -> Result<(), Vec<TaxCodeMismatch>> {
        let mut mismatches = Vec::new();
        let code = self.as_str();
        let family = family_name_code(details.family_name);
        if code[0..3] != family {
            mismatches.push(TaxCodeMismatch::FamilyName {
                in_code: code[0..3].to_owned(),
                from_name: family,
            });
        }
        let given = given_name_code(details.given_name);
        if code[3..6] != given {
            mismatches.push(TaxCodeMismatch::GivenName {
                in_code: code[3..6].to_owned(),
                from_name: given,
            });
        }
        if self.birth_date_with(details.birth_date) != Some(details.birth_date) {
            mismatches.push(TaxCodeMismatch::BirthDate {
                day: self.birth_day(),
                month: self.birth_month(),
                year_two_digits: self.birth_year_two_digits(),
                declared: details.birth_date,
            });
        }
        if self.sex() != details.sex {
            mismatches.push(TaxCodeMismatch::Sex {
                in_code: self.sex(),
                declared: details.sex,
            });
        }
        if let Some(place) = details.birth_place_code {
            let in_code = self.birth_place_code();
            let declared = place.trim().to_ascii_uppercase();
            if declared != in_code {
                mismatches.push(TaxCodeMismatch::BirthPlace { in_code, declared });
            }
        }
        if mismatches.is_empty() {
            Ok(())
        } else {
            Err(mismatches)
        }
    }
}
