//! Italian municipalities and foreign countries by Belfiore (cadastral) code, the
//! code a tax code carries for the place of birth.
//!
//! Source: the data files of the PyPI package `python-codicefiscale` 0.12.1 by
//! Fabio Caccamo (MIT licence, copied in `data/LICENSE-python-codicefiscale.txt`),
//! derived from the Italian registries (ANPR / ISTAT). Historical municipalities
//! are included, with the dates each name and code was valid, because older people
//! were born in them. The CSV files are embedded with `include_str!` and parsed
//! once, on first use, into immutable tables; nothing here does IO.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::NaiveDate;

use super::name_codes::fold_letters;
use crate::lang::Lang;

static MUNICIPALITIES_CSV: &str = include_str!("../../data/municipalities.csv");
static COUNTRIES_CSV: &str = include_str!("../../data/countries.csv");

/// Most results [`municipality_search`] and [`country_search`] return.
pub const SEARCH_LIMIT: usize = 50;

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

impl Municipality {
    /// Whether this name and code were valid on `date`.
    #[must_use]
    pub fn is_valid_on(&self, date: NaiveDate) -> bool {
        self.valid_from <= date && self.valid_to.is_none_or(|to| date <= to)
    }
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
    /// First day of validity, when recorded.
    pub valid_from: Option<NaiveDate>,
    /// Last day of validity, if the country ceased to exist.
    pub valid_to: Option<NaiveDate>,
}

impl Country {
    /// The name in `lang`.
    #[must_use]
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::It => &self.name_it,
            Lang::En => &self.name_en,
        }
    }
}

struct Tables {
    municipalities: Vec<Municipality>,
    /// `fold_letters` of each municipality's name, same order.
    folded_names: Vec<String>,
    by_code: HashMap<String, Vec<usize>>,
    countries: Vec<Country>,
    countries_by_code: HashMap<String, usize>,
}

/// Splits one CSV line, honouring double-quoted fields (a few country names hold
/// commas); fields are trimmed.
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
    fields.into_iter().map(|f| f.trim().to_owned()).collect()
}

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

fn load() -> Tables {
    let municipalities: Vec<Municipality> = MUNICIPALITIES_CSV
        .lines()
        .skip(1)
        .filter_map(|line| match &split_csv(line)[..] {
            [code, name, province, active, from, to] => Some(Municipality {
                belfiore_code: code.to_ascii_uppercase(),
                name: name.clone(),
                province: province.clone(),
                active: active == "1",
                valid_from: date(from)?,
                valid_to: date(to),
            }),
            _ => None,
        })
        .collect();
    let folded_names = municipalities
        .iter()
        .map(|m| fold_letters(&m.name))
        .collect();
    let mut by_code: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, m) in municipalities.iter().enumerate() {
        by_code.entry(m.belfiore_code.clone()).or_default().push(i);
    }
    for rows in by_code.values_mut() {
        rows.sort_by_key(|&i| municipalities[i].valid_from);
    }
    let countries: Vec<Country> = COUNTRIES_CSV
        .lines()
        .skip(1)
        .filter_map(|line| match &split_csv(line)[..] {
            [code, it, en, active, from, to, ..] => Some(Country {
                belfiore_code: code.to_ascii_uppercase(),
                name_it: it.clone(),
                name_en: en.clone(),
                active: active == "1",
                valid_from: date(from),
                valid_to: date(to),
            }),
            _ => None,
        })
        .collect();
    let countries_by_code = countries
        .iter()
        .enumerate()
        .map(|(i, c)| (c.belfiore_code.clone(), i))
        .collect();
    Tables {
        municipalities,
        folded_names,
        by_code,
        countries,
        countries_by_code,
    }
}

static TABLES: LazyLock<Tables> = LazyLock::new(load);

/// Every recorded name of the municipality with this code (case-insensitive),
/// oldest first; empty for an unknown code.
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
    municipalities_by_code(code).find(|m| m.is_valid_on(date))
}

/// The foreign country with this `Z...` code (case-insensitive).
#[must_use]
pub fn country_by_code(code: &str) -> Option<&'static Country> {
    let t = &*TABLES;
    t.countries_by_code
        .get(&code.trim().to_ascii_uppercase())
        .map(|&i| &t.countries[i])
}

/// Whether a Belfiore code names a known municipality (current or historical)
/// or country.
#[must_use]
pub fn is_known_place_code(code: &str) -> bool {
    municipalities_by_code(code).next().is_some() || country_by_code(code).is_some()
}

/// A name for a place code, for messages: the latest name of a municipality with
/// its province (`Roma (RM)`), or a country's name in `lang`.
#[must_use]
pub fn place_name(code: &str, lang: Lang) -> Option<String> {
    municipalities_by_code(code)
        .last()
        .map(|m| format!("{} ({})", m.name, m.province))
        .or_else(|| country_by_code(code).map(|c| c.name(lang).to_owned()))
}

/// Municipalities whose name starts with `prefix`, for a form's autocomplete.
///
/// Case, accents, spaces and apostrophes are ignored (`reggio nell emilia`
/// finds `Reggio Nell'Emilia`). With `on`, only the names valid on that date;
/// without, every name ever used, each name of a code once (its latest period).
/// Current municipalities come first, then by name; at most [`SEARCH_LIMIT`].
#[must_use]
pub fn municipality_search(prefix: &str, on: Option<NaiveDate>) -> Vec<&'static Municipality> {
    let wanted = fold_letters(prefix);
    if wanted.is_empty() {
        return Vec::new();
    }
    let t = &*TABLES;
    let mut found: Vec<&Municipality> = t
        .municipalities
        .iter()
        .zip(&t.folded_names)
        .filter(|(m, folded)| folded.starts_with(&wanted) && on.is_none_or(|d| m.is_valid_on(d)))
        .map(|(m, _)| m)
        .collect();
    // Each name of a code once, keeping its latest period.
    found.sort_by(|a, b| {
        (&a.belfiore_code, &a.name, std::cmp::Reverse(a.valid_from)).cmp(&(
            &b.belfiore_code,
            &b.name,
            std::cmp::Reverse(b.valid_from),
        ))
    });
    found.dedup_by(|later, kept| {
        later.belfiore_code == kept.belfiore_code && later.name == kept.name
    });
    found.sort_by(|a, b| (!a.active, &a.name, &a.province).cmp(&(!b.active, &b.name, &b.province)));
    found.truncate(SEARCH_LIMIT);
    found
}

/// Countries whose Italian or English name starts with `prefix` (case and accents
/// ignored), current ones first, then by Italian name; at most [`SEARCH_LIMIT`].
#[must_use]
pub fn country_search(prefix: &str) -> Vec<&'static Country> {
    let wanted = fold_letters(prefix);
    if wanted.is_empty() {
        return Vec::new();
    }
    let mut found: Vec<&Country> = TABLES
        .countries
        .iter()
        .filter(|c| {
            fold_letters(&c.name_it).starts_with(&wanted)
                || fold_letters(&c.name_en).starts_with(&wanted)
        })
        .collect();
    found.sort_by(|a, b| (!a.active, &a.name_it).cmp(&(!b.active, &b.name_it)));
    found.truncate(SEARCH_LIMIT);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    #[test]
    fn every_row_is_loaded() {
        let rows = |csv: &str| csv.lines().skip(1).filter(|l| !l.trim().is_empty()).count();
        assert_eq!(TABLES.municipalities.len(), rows(MUNICIPALITIES_CSV));
        assert_eq!(TABLES.countries.len(), rows(COUNTRIES_CSV));
        assert_eq!(TABLES.countries_by_code.len(), TABLES.countries.len());
    }

    #[test]
    fn finds_current_and_historical_names() {
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
        assert!(municipality_valid_on("A001", d(1800, 1, 1)).is_none());
        let abano: Vec<_> = municipalities_by_code(" a001 ").collect();
        assert!(abano.len() >= 2);
        assert!(abano.windows(2).all(|w| w[0].valid_from <= w[1].valid_from));
        // Forlì changed province (FO -> FC) in 1992.
        assert_eq!(
            municipality_valid_on("D704", d(1980, 1, 1))
                .unwrap()
                .province,
            "FO"
        );
        assert_eq!(
            municipality_valid_on("D704", d(2020, 1, 1))
                .unwrap()
                .province,
            "FC"
        );
        assert!(municipalities_by_code("Q999").next().is_none());
    }

    #[test]
    fn finds_countries() {
        assert_eq!(country_by_code("Z404").unwrap().name_en, "United States");
        assert_eq!(
            country_by_code("z140").unwrap().name_en,
            "Moldova, Republic Of"
        );
        let tanganica = country_by_code("Z350").unwrap();
        assert!(!tanganica.active);
        assert_eq!(tanganica.valid_to, Some(d(1964, 4, 25)));
        assert!(country_by_code("H501").is_none());
        assert!(is_known_place_code("F205"));
        assert!(is_known_place_code("Z404"));
        assert!(!is_known_place_code("Q999"));
        assert!(!is_known_place_code(""));
    }

    #[test]
    fn names_places_for_messages() {
        assert_eq!(place_name("H501", Lang::It).as_deref(), Some("Roma (RM)"));
        assert_eq!(
            place_name("Z404", Lang::En).as_deref(),
            Some("United States")
        );
        assert_eq!(place_name("Q999", Lang::En), None);
    }

    #[test]
    fn search_ignores_case_accents_and_apostrophes() {
        let found = municipality_search("forli", None);
        assert!(found.iter().any(|m| m.name == "Forlì"), "{found:?}");
        // One entry per name of a code, although Forlì has three periods.
        assert_eq!(found.iter().filter(|m| m.name == "Forlì").count(), 1);
        assert!(
            found
                .iter()
                .all(|m| fold_letters(&m.name).starts_with("FORLI"))
        );
        assert!(municipality_search("", None).is_empty());
        assert!(municipality_search(" '", None).is_empty());
        assert!(
            municipality_search("reggio nell emilia", Some(d(2024, 1, 1)))
                .iter()
                .any(|m| m.belfiore_code == "H223")
        );
        let roma = municipality_search("ROMA", Some(d(2024, 1, 1)));
        assert!(roma.iter().any(|m| m.belfiore_code == "H501"));
        assert!(roma.iter().all(|m| m.is_valid_on(d(2024, 1, 1))));
        // Current municipalities come first.
        let a = municipality_search("a", None);
        assert_eq!(a.len(), SEARCH_LIMIT);
        assert!(a[0].active);
    }

    #[test]
    fn country_search_uses_both_languages() {
        assert!(
            country_search("stati uniti")
                .iter()
                .any(|c| c.belfiore_code == "Z404")
        );
        assert!(
            country_search("united st")
                .iter()
                .any(|c| c.belfiore_code == "Z404")
        );
        assert!(country_search("").is_empty());
    }
}
