//! The three-letter codes a tax code derives from family and given names
//! (DM 23/12/1976): consonants first, then vowels, then `X` as padding; a given
//! name with four or more consonants takes the first, third and fourth.

/// Upper-cases and folds accented Latin letters to their base letter, dropping
/// everything that is not a letter (spaces, apostrophes, hyphens, dots).
#[must_use]
pub fn fold_letters(name: &str) -> String {
    name.chars()
        .flat_map(char::to_uppercase)
        .filter_map(|c| {
            let base = match c {
                'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'A',
                'È' | 'É' | 'Ê' | 'Ë' => 'E',
                'Ì' | 'Í' | 'Î' | 'Ï' => 'I',
                'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' => 'O',
                'Ù' | 'Ú' | 'Û' | 'Ü' => 'U',
                'Ç' => 'C',
                'Ñ' => 'N',
                'Ý' | 'Ÿ' => 'Y',
                'Š' => 'S',
                'Ž' => 'Z',
                c if c.is_ascii_uppercase() => c,
                _ => return None,
            };
            Some(base)
        })
        .collect()
}

fn split(name: &str) -> (Vec<char>, Vec<char>) {
    fold_letters(name)
        .chars()
        .partition(|c| !"AEIOU".contains(*c))
}

fn pad(letters: impl Iterator<Item = char>) -> String {
    letters.chain(std::iter::repeat('X')).take(3).collect()
}

/// The family-name part of a tax code (`Rossi` -> `RSS`, `Fo` -> `FOX`).
#[must_use]
pub fn family_name_code(family_name: &str) -> String {
    let (consonants, vowels) = split(family_name);
    pad(consonants.into_iter().chain(vowels))
}

/// The given-name part of a tax code (`Mario` -> `MRA`, `Gianfranco` -> `GFR`).
#[must_use]
pub fn given_name_code(given_name: &str) -> String {
    let (consonants, vowels) = split(given_name);
    if consonants.len() >= 4 {
        return [consonants[0], consonants[2], consonants[3]]
            .iter()
            .collect();
    }
    pad(consonants.into_iter().chain(vowels))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn family_names() {
        assert_eq!(family_name_code("Rossi"), "RSS");
        assert_eq!(family_name_code("Bianchi"), "BNC");
        assert_eq!(family_name_code("Fo"), "FOX");
        assert_eq!(family_name_code("Rè"), "REX");
        assert_eq!(family_name_code("D'Angelo"), "DNG");
        assert_eq!(family_name_code("De Luca"), "DLC");
        assert_eq!(family_name_code("Aiello"), "LLA");
        assert_eq!(family_name_code("Oe"), "OEX");
    }

    #[test]
    fn given_names() {
        assert_eq!(given_name_code("Mario"), "MRA");
        assert_eq!(given_name_code("Gianfranco"), "GFR");
        assert_eq!(given_name_code("Giovanni"), "GNN");
        assert_eq!(given_name_code("Luca"), "LCU");
        assert_eq!(given_name_code("Maria Chiara"), "MCH");
        assert_eq!(given_name_code("Niccolò"), "NCL");
        assert_eq!(given_name_code("Ida"), "DIA");
        assert_eq!(given_name_code("Al"), "LAX");
    }
}
