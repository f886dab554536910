//! Every enumerable thing shown to people has a distinct name in each language.

use std::collections::HashSet;

use identity_core::SubjectKind;
use identity_core::consent::ConsentKind;
use identity_core::correction::CorrectableField;
use identity_core::identity::RevocationCause;
use identity_words::{Label, Lang};

fn distinct_names<T: Label + std::fmt::Debug>(all: &[T]) {
    for lang in [Lang::It, Lang::En] {
        let mut seen = HashSet::new();
        for thing in all {
            let name = thing.label().get(lang);
            assert!(!name.is_empty(), "{thing:?} has no name");
            assert!(seen.insert(name), "{thing:?} shares its name {name:?}");
        }
    }
}

#[test]
fn kinds_fields_consents_and_causes_have_distinct_names() {
    distinct_names(&SubjectKind::ALL);
    distinct_names(&CorrectableField::ALL);
    distinct_names(&ConsentKind::ALL);
    distinct_names(&RevocationCause::ALL);
}
