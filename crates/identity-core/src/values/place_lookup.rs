//! Turning what a person types on a form ("Reggio nell'Emilia", province "RE")
//! into a place: the Belfiore code of a municipality (current or historical) or of
//! a foreign country. Forms work without JavaScript, so the name is resolved on
//! the server, and an ambiguous or unknown name comes back as a field error with
//! suggestions.

use chrono::NaiveDate;

use super::name_codes::fold_letters;
use super::places::{Country, Municipality, country_search, municipality_search};

/// Why a typed place name did not resolve to one place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlaceError {
    /// Nothing was typed.
    #[error("the place is required")]
    Required,
    /// No municipality (or country) has this name; `suggestions` start alike.
    #[error("unknown place")]
    Unknown {
        /// Names that start with what was typed, for the message.
        suggestions: Vec<String>,
    },
    /// Several municipalities have this name: the province decides.
    #[error("ambiguous place")]
    Ambiguous {
        /// `Name (PR)` of each.
        candidates: Vec<String>,
    },
}

fn label(m: &Municipality) -> String {
    format!("{} ({})", m.name, m.province)
}

fn suggestions(name: &str) -> Vec<String> {
    let mut s: Vec<String> = municipality_search(name, None)
        .into_iter()
        .take(5)
        .map(label)
        .collect();
    s.dedup();
    s
}

/// The municipality a person names as a place of birth: any name it ever had
/// (people born in Abano may write Abano or Abano Terme), in `province` when given
/// (the province then, or now), the one valid on `birth_date` when the name was
/// used by several.
pub fn birth_municipality(
    name: &str,
    province: Option<&str>,
    birth_date: Option<NaiveDate>,
) -> Result<&'static Municipality, PlaceError> {
    let wanted = fold_letters(name);
    if wanted.is_empty() {
        return Err(PlaceError::Required);
    }
    let same_name: Vec<&Municipality> = municipality_search(name, None)
        .into_iter()
        .filter(|m| fold_letters(&m.name) == wanted)
        .collect();
    let in_province: Vec<&Municipality> = match province {
        Some(p) => {
            let p = p.trim().to_ascii_uppercase();
            // A province matches if the municipality had it under any of its names.
            same_name
                .iter()
                .copied()
                .filter(|m| {
                    m.province == p
                        || super::places::municipalities_by_code(&m.belfiore_code)
                            .any(|other| other.province == p)
                })
                .collect()
        }
        None => same_name.clone(),
    };
    let mut codes: Vec<&Municipality> = in_province.clone();
    codes.sort_by(|a, b| a.belfiore_code.cmp(&b.belfiore_code));
    codes.dedup_by(|a, b| a.belfiore_code == b.belfiore_code);
    match codes.len() {
        0 if same_name.is_empty() => Err(PlaceError::Unknown {
            suggestions: suggestions(name),
        }),
        0 => Err(PlaceError::Unknown {
            suggestions: same_name.into_iter().map(label).collect(),
        }),
        1 => Ok(codes[0]),
        _ => {
            if let Some(date) = birth_date {
                let valid: Vec<&&Municipality> =
                    codes.iter().filter(|m| m.is_valid_on(date)).collect();
                if let [only] = valid[..] {
                    return Ok(only);
                }
            }
            Err(PlaceError::Ambiguous {
                candidates: codes.into_iter().map(label).collect(),
            })
        }
    }
}

/// A municipality of residence or registered office: one that exists today with
/// this name, in `province`.
pub fn current_municipality(
    name: &str,
    province: &str,
) -> Result<&'static Municipality, PlaceError> {
    let wanted = fold_letters(name);
    if wanted.is_empty() {
        return Err(PlaceError::Required);
    }
    let province = province.trim().to_ascii_uppercase();
    let found: Vec<&Municipality> = municipality_search(name, None)
        .into_iter()
        .filter(|m| m.active && fold_letters(&m.name) == wanted)
        .collect();
    if let Some(m) = found.iter().find(|m| m.province == province) {
        return Ok(m);
    }
    Err(PlaceError::Unknown {
        suggestions: if found.is_empty() {
            suggestions(name)
        } else {
            found.into_iter().map(label).collect()
        },
    })
}

/// A foreign country by its Italian or English name.
pub fn country_named(name: &str) -> Result<&'static Country, PlaceError> {
    let wanted = fold_letters(name);
    if wanted.is_empty() {
        return Err(PlaceError::Required);
    }
    let found = country_search(name);
    found
        .iter()
        .find(|c| fold_letters(&c.name_it) == wanted || fold_letters(&c.name_en) == wanted)
        .copied()
        .ok_or_else(|| PlaceError::Unknown {
            suggestions: found.iter().take(5).map(|c| c.name_it.clone()).collect(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    #[test]
    fn birth_places_resolve_by_any_name_and_province() {
        assert_eq!(
            birth_municipality("roma", Some("RM"), None)
                .unwrap()
                .belfiore_code,
            "H501"
        );
        assert_eq!(
            birth_municipality("Abano", Some("PD"), Some(d(1920, 1, 1)))
                .unwrap()
                .belfiore_code,
            "A001"
        );
        assert_eq!(
            birth_municipality("reggio nell emilia", None, None)
                .unwrap()
                .belfiore_code,
            "H223"
        );
        assert!(matches!(
            birth_municipality("Roma", Some("MI"), None),
            Err(PlaceError::Unknown { .. })
        ));
        assert!(matches!(
            birth_municipality("Nowhereville", None, None),
            Err(PlaceError::Unknown { .. })
        ));
        assert_eq!(
            birth_municipality(" ", None, None),
            Err(PlaceError::Required)
        );
    }

    #[test]
    fn a_name_shared_by_two_municipalities_needs_the_province() {
        // Samone is in Piedmont (TO) and in Trentino (TN).
        assert!(matches!(
            birth_municipality("Samone", None, None),
            Err(PlaceError::Ambiguous { .. })
        ));
        assert_ne!(
            birth_municipality("Samone", Some("TO"), None)
                .unwrap()
                .belfiore_code,
            birth_municipality("Samone", Some("TN"), None)
                .unwrap()
                .belfiore_code
        );
    }

    #[test]
    fn residence_must_exist_today_in_the_province() {
        assert_eq!(current_municipality("Milano", "MI").unwrap().name, "Milano");
        assert!(current_municipality("Milano", "RM").is_err());
        assert_eq!(country_named("germania").unwrap().belfiore_code, "Z112");
        assert_eq!(country_named("Germany").unwrap().belfiore_code, "Z112");
        assert!(country_named("Atlantis").is_err());
    }
}
