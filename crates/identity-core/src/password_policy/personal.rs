//! The "no personal data in the password" rules: names, tax code, login numbers
//! and date of birth, compared case-insensitively and ignoring common accents.

use chrono::{Datelike, NaiveDate};

use super::{PasswordContext, PasswordViolation};

/// Shortest name word that is checked: shorter ones ("Li", "De") would refuse too
/// many innocent passwords.
pub(super) const MIN_NAME_WORD: usize = 3;

/// Lower-cases `s` and folds the common Latin accented letters to their base
/// letter (`è` -> `e`, `ß` -> `ss`), so "Nicolò" and "NICOLO" compare equal.
pub(crate) fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => out.push('a'),
            'ç' | 'ć' | 'č' => out.push('c'),
            'ď' | 'đ' => out.push('d'),
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => out.push('e'),
            'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => out.push('i'),
            'ł' | 'ľ' | 'ĺ' => out.push('l'),
            'ñ' | 'ń' | 'ň' => out.push('n'),
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => out.push('o'),
            'ŕ' | 'ř' => out.push('r'),
            'ś' | 'š' | 'ş' => out.push('s'),
            'ß' => out.push_str("ss"),
            'ť' | 'ţ' => out.push('t'),
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => out.push('u'),
            'ý' | 'ÿ' => out.push('y'),
            'ź' | 'ż' | 'ž' => out.push('z'),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            other => out.push(other),
        }
    }
    out
}

/// The folded words of a name worth checking: each alphanumeric run of at least
/// [`MIN_NAME_WORD`] characters, plus the whole name without separators when that
/// is long enough ("Li Bo" -> "libo", "D'Angelo" -> "angelo", "dangelo").
fn name_words(name: &str) -> Vec<String> {
    let folded = fold(name);
    let mut words: Vec<String> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= MIN_NAME_WORD)
        .map(str::to_owned)
        .collect();
    let joined: String = folded.chars().filter(|c| c.is_alphanumeric()).collect();
    if joined.chars().count() >= MIN_NAME_WORD && !words.contains(&joined) {
        words.push(joined);
    }
    words
}

/// The date of birth written the ways people write it in a password.
fn birth_date_forms(date: NaiveDate) -> Vec<String> {
    let (d, m, y) = (date.day(), date.month(), date.year());
    let yy = y.rem_euclid(100);
    let mut forms = vec![
        format!("{d:02}{m:02}{y:04}"),
        format!("{y:04}{m:02}{d:02}"),
        format!("{d:02}{m:02}{yy:02}"),
        format!("{yy:02}{m:02}{d:02}"),
        format!("{m:02}{d:02}{y:04}"),
        format!("{d}{m}{y:04}"),
    ];
    for sep in ['-', '/', '.', '_'] {
        forms.push(format!("{d:02}{sep}{m:02}{sep}{y:04}"));
        forms.push(format!("{y:04}{sep}{m:02}{sep}{d:02}"));
        forms.push(format!("{d:02}{sep}{m:02}{sep}{yy:02}"));
        forms.push(format!("{d}{sep}{m}{sep}{y:04}"));
        forms.push(format!("{d}{sep}{m}{sep}{yy:02}"));
        forms.push(format!("{m:02}{sep}{d:02}{sep}{y:04}"));
    }
    forms.sort();
    forms.dedup();
    forms
}

/// Pushes onto `out` the personal-data violations of `candidate`.
pub(super) fn check_personal_data(
    candidate: &str,
    ctx: &PasswordContext<'_>,
    out: &mut Vec<PasswordViolation>,
) {
    let folded = fold(candidate);

    if ctx
        .names
        .iter()
        .flat_map(|n| name_words(n))
        .any(|w| folded.contains(&w))
    {
        out.push(PasswordViolation::ContainsName);
    }

    if let Some(tax_code) = ctx.tax_code {
        let tc: String = fold(tax_code)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if !tc.is_empty() && folded.contains(&tc) {
            out.push(PasswordViolation::ContainsTaxCode);
        }
    }

    let login_hit = ctx.login_numbers.iter().any(|login| {
        let full: String = fold(login).chars().filter(|c| !c.is_whitespace()).collect();
        let digits: String = login.chars().filter(char::is_ascii_digit).collect();
        (full.chars().count() >= MIN_NAME_WORD && folded.contains(&full))
            || (digits.len() >= 4 && folded.contains(&digits))
    });
    if login_hit {
        out.push(PasswordViolation::ContainsLoginNumber);
    }

    if let Some(date) = ctx.birth_date
        && birth_date_forms(date)
            .iter()
            .any(|f| folded.contains(f.as_str()))
    {
        out.push(PasswordViolation::ContainsBirthDate);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_removes_case_and_accents() {
        assert_eq!(fold("NICOLÒ Àlberto Straße"), "nicolo alberto strasse");
    }

    #[test]
    fn name_words_skip_short_particles() {
        assert_eq!(
            name_words("De Luca"),
            vec!["luca".to_owned(), "deluca".to_owned()]
        );
        assert_eq!(
            name_words("D'Angelo"),
            vec!["angelo".to_owned(), "dangelo".to_owned()]
        );
        assert_eq!(name_words("Li"), Vec::<String>::new());
        assert_eq!(name_words("Li Bo"), vec!["libo".to_owned()]);
    }

    #[test]
    fn birth_date_forms_cover_common_writings() {
        let forms = birth_date_forms(NaiveDate::from_ymd_opt(1980, 2, 1).expect("date"));
        for f in [
            "01021980",
            "19800201",
            "010280",
            "800201",
            "01-02-1980",
            "1980-02-01",
            "01/02/1980",
            "1/2/1980",
            "01.02.80",
            "1/2/80",
            "1980/02/01",
        ] {
            assert!(forms.iter().any(|x| x == f), "missing {f}");
        }
    }
}
