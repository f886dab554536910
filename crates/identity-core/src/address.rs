//! A postal address: residence for people, registered office for bodies.

use std::fmt;

use crate::holder::HolderError;
use crate::values::postal_code::PostalCode;
use crate::values::province::ProvinceCode;

/// A postal address (residence for people, registered office for bodies).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Address {
    /// Street and number.
    pub street: String,
    /// CAP; absent abroad.
    #[serde(serialize_with = "crate::address::ser_display_opt")]
    pub postal_code: Option<PostalCode>,
    /// Municipality (or foreign town).
    pub municipality: String,
    /// Province code, `EE` abroad.
    #[serde(serialize_with = "crate::address::ser_display")]
    pub province: ProvinceCode,
    /// Country name; `Italia` at home.
    pub country: String,
}

impl Address {
    /// Builds an address; an Italian address needs a CAP.
    pub fn new(
        street: &str,
        postal_code: Option<PostalCode>,
        municipality: &str,
        province: ProvinceCode,
        country: &str,
    ) -> Result<Address, HolderError> {
        let street = street.split_whitespace().collect::<Vec<_>>().join(" ");
        let municipality = municipality
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if street.is_empty() {
            return Err(HolderError::Required("street"));
        }
        if municipality.is_empty() {
            return Err(HolderError::Required("municipality"));
        }
        if !province.is_abroad() && postal_code.is_none() {
            return Err(HolderError::Required("postal_code"));
        }
        let country = if province.is_abroad() {
            let c = country.trim();
            if c.is_empty() {
                return Err(HolderError::Required("country"));
            }
            c.to_owned()
        } else {
            "Italia".to_owned()
        };
        Ok(Address {
            street,
            postal_code,
            municipality,
            province,
            country,
        })
    }
}

impl fmt::Display for Address {
    /// One line, as on an envelope: `Via Roma 1, 00184 Roma (RM), Italia`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, ", self.street)?;
        if let Some(cap) = &self.postal_code {
            write!(f, "{cap} ")?;
        }
        write!(
            f,
            "{} ({}), {}",
            self.municipality, self.province, self.country
        )
    }
}

pub(crate) fn ser_display<T: fmt::Display, S: serde::Serializer>(
    v: &T,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

pub(crate) fn ser_display_opt<T: fmt::Display, S: serde::Serializer>(
    v: &Option<T>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.collect_str(v),
        None => s.serialize_none(),
    }
}
