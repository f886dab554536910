//! Italian municipalities and foreign countries by Belfiore (cadastral) code, the
//! code a tax code carries for the place of birth.
//!
//! Source: the data files of the PyPI package `python-codicefiscale` 0.12.1 (MIT
//! licence, `data/LICENSE-python-codicefiscale.txt`), derived from the Italian
//! registries (ANPR / ISTAT). Historical municipalities are included, with the
//! dates each name and code was valid, because older people were born in them.
//! The CSV files are embedded and parsed once, on first use, into immutable tables.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::NaiveDate;

use super::name_codes::fold_letters;

static MUNICIPALITIES_CSV: &str = include_str!("../../data/municipalities.csv");
static COUNTRIES_CSV: &str = include_str!("../../data/countries.csv");

/// One name of an Italian municipality over a period of validity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Municipality {
    /// Belfiore code, e.g. `H501` (Roma).
    pub belfiore_code: String,
    /// Name in that period.
    pub name: String,
    /// Province code in that period.
    pub province: String,
    /// Whether this is the current name of a municipality that exists today.
    pub active: bool,
    /// First day of validity.
    pub valid_from: NaiveDate,
    /// Last day of validity, if it ended.
    pub valid_to: Option<NaiveDate>,
}

/// A foreign country, with its `Z...` code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Country {
    /// Belfiore code, e.g. `Z404` (United States).
    pub belfiore_code: String,
    /// Italian name.
    pub name_it: String,
    /// English name.
    pub name_en: String,
    /// Whether the country exists today.
    pub active: bool,
}

struct Tables {
    municipalities: Vec<Municipality>,
    by_code: HashMap<String, Vec<usize>>,
    countries: HashMap<String, Country>,
}

/// Splits one CSV line, honouring double-quoted fields (a few country names hold commas).
fn split_csv(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                if let Some(f) = fields.last_mut() {
                    f.push('"');
                }
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(String::new()),
            c => {
                if let Some(f) = fields.last_mut() {
                    f.push(c);
                }
            }
        }
    }
    fields
}

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

fn load() -> Tables {
    let mut municipalities = Vec::new();
    for line in MUNICIPALITIES_CSV.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if let [code, name, province, active, from, to] = f[..]
            && let Some(valid_from) = date(from)
        {
            municipalities.push(Municipality {
                belfiore_code: code.to_owned(),
                name: name.to_owned(),
                province: province.to_owned(),
                active: active == "1",
                valid_from,
                valid_to: date(to),
            });
        }
    }
    let mut by_code: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, m) in municipalities.iter().enumerate() {
        by_code.entry(m.belfiore_code.clone()).or_default().push(i);
    }
    let countries = COUNTRIES_CSV
        .lines()
        .skip(1)
        .filter_map(|line| match &split_csv(line)[..] {
            [code, it, en, active, ..] => Some((
                code.clone(),
                Country {
                    belfiore_code: code.clone(),
                    name_it: it.clone(),
                    name_en: en.clone(),
                    active: active == "1",
                },
            )),
            _ => None,
        })
        .collect();
    Tables {
        municipalities,
        by_code,
        countries,
    }
}

static TABLES: LazyLock<Tables> = LazyLock::new(load);

/// Every recorded name of the municipality with this code, oldest first.
pub fn municipalities_by_code(code: &str) -> impl Iterator<Item = &'static Municipality> {
    let t = &*TABLES;
    t.by_code
        .get(&code.trim().to_ascii_uppercase())
        .into_iter()
        .flatten()
        .map(move |&i| &t.municipalities[i])
}

/// The municipality with this code as it was on `date` (its name then).
#[must_use]
pub fn municipality_valid_on(code: &str, date: NaiveDate) -> Option<&'static Municipality> {
    municipalities_by_code(code)
        .find(|m| m.valid_from <= date && m.valid_to.is_none_or(|to| date <= to))
}

/// The foreign country with this `Z...` code.
#[must_use]
pub fn country_by_code(code: &str) -> Option<&'static Country> {
    TABLES.countries.get(&code.trim().to_ascii_uppercase())
}

/// Whether a Belfiore code names a known municipality or country.
#[must_use]
pub fn is_known_place_code(code: &str) -> bool {
    municipalities_by_code(code).next().is_some() || country_by_code(code).is_some()
}

/// Municipalities whose name starts with `prefix` (case and accents ignored),
/// valid on `on` when given, for a form's autocomplete; at most 50.
#[must_use]
pub fn municipality_search(prefix: &str, on: Option<NaiveDate>) -> Vec<&'static Municipality> {
    let wanted = fold_letters(prefix);
    if wanted.is_empty() {
        return Vec::new();
    }
    TABLES
        .municipalities
        .iter()
        .filter(|m| on.is_none_or(|d| m.valid_from <= d && m.valid_to.is_none_or(|to| d <= to)))
        .filter(|m| fold_letters(&m.name).starts_with(&wanted))
        .take(50)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_current_and_historical_names() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(
            municipality_valid_on("H501", d(1980, 1, 1)).unwrap().name,
            "Roma"
        );
        assert_eq!(
            municipality_valid_on("a001", d(1900, 1, 1)).unwrap().name,
            "Abano"
        );
        assert_eq!(
            municipality_valid_on("A001", d(2000, 1, 1)).unwrap().name,
            "Abano Terme"
        );
        assert!(municipalities_by_code("A001").count() >= 2);
        assert_eq!(country_by_code("Z404").unwrap().name_en, "United States");
        assert_eq!(
            country_by_code("Z140").unwrap().name_en,
            "Moldova, Republic Of"
        );
        assert!(is_known_place_code("F205"));
        assert!(!is_known_place_code("Q999"));
    }

    #[test]
    fn search_ignores_case_and_accents() {
        let found = municipality_search("forli", None);
        assert!(
            found.iter().any(|m| m.name.starts_with("Forl")),
            "{found:?}"
        );
        assert!(municipality_search("", None).is_empty());
        assert!(
            municipality_search("roma", None)
                .iter()
                .any(|m| m.belfiore_code == "H501")
        );
    }
}
