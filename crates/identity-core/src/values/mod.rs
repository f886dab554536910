//! Value types: validated on construction, immutable, with precise bilingual errors.

pub mod email;
pub mod login_id;
pub mod name_codes;
pub mod phone;
pub mod place_lookup;
pub mod places;
pub mod postal_code;
pub mod province;
pub mod tax_code;
pub mod vat_number;
