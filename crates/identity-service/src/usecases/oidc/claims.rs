//! The attributes a service provider receives (userinfo), by their SPID names,
//! limited to what the holder consented to.

use identity_core::{Holder, HolderKind, LoginNumber, Sex};
use serde_json::{Map, Value, json};

/// The SPID attribute namespace of the non-standard claims.
pub const SPID_ATTRIBUTES: &str = "https://attributes.eid.gov.it/";

/// The SPID code of an identity: the provider's prefix and its username.
#[must_use]
pub fn spid_code(username: LoginNumber) -> String {
    format!("IDIT{:010}", username.get())
}

/// The claim that carries `attribute`: the SPID attributes that are not
/// standard OpenID Connect claims are under [`SPID_ATTRIBUTES`].
#[must_use]
pub fn claim_name(attribute: &str) -> String {
    match attribute {
        "fiscal_number" | "spid_code" | "company_name" | "vat_number" | "place_of_birth" => {
            format!("{SPID_ATTRIBUTES}{attribute}")
        }
        other => other.to_owned(),
    }
}

/// The claims of `holder` for `attributes` (names as registered: `given_name`,
/// `fiscal_number`, ...); an attribute the holder does not have (a person's
/// VAT number) is left out.
#[must_use]
pub fn userinfo_claims(
    holder: &Holder,
    username: LoginNumber,
    attributes: &[String],
) -> Map<String, Value> {
    let person = holder.person();
    let business_name = match holder.kind() {
        HolderKind::Professional(p) => Some(p.business_name().to_owned()),
        HolderKind::Company(c) => Some(c.business.name().to_owned()),
        HolderKind::Person(_) => None,
    };
    let mut claims = Map::new();
    for attribute in attributes {
        let value = match attribute.as_str() {
            "given_name" => person.map(|p| json!(p.given_name())),
            "family_name" => person.map(|p| json!(p.family_name())),
            "email" => Some(json!(holder.contacts().email.to_string())),
            "phone_number" => Some(json!(holder.contacts().phone.to_string())),
            "birthdate" => person.map(|p| json!(p.birth_date().format("%Y-%m-%d").to_string())),
            "gender" => person.map(|p| {
                json!(if p.sex() == Sex::Female {
                    "female"
                } else {
                    "male"
                })
            }),
            "place_of_birth" => person.map(|p| json!(p.birth_place_code())),
            "address" => Some(json!({ "formatted": holder.address().to_string() })),
            "fiscal_number" => holder
                .tax_code()
                .map(|c| json!(format!("TINIT-{}", c.as_str()))),
            "spid_code" => Some(json!(spid_code(username))),
            "company_name" => business_name.clone().map(|n| json!(n)),
            "vat_number" => holder
                .vat_number()
                .map(|v| json!(format!("VATIT-{}", v.as_str()))),
            _ => continue,
        };
        if let Some(value) = value {
            claims.insert(claim_name(attribute), value);
        }
    }
    claims
}
