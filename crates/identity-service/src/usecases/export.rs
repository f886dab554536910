//! The holder as JSON, for the data export, the JSON API and the CLI: every field,
//! with stable names.

use identity_core::{Holder, HolderKind, InvoicingChannel};
use serde_json::{Value, json};

/// The holder's data as a JSON object.
#[must_use]
pub fn holder_json(h: &Holder) -> Value {
    let person = h.person().map(|p| {
        json!({
            "given_name": p.given_name(),
            "family_name": p.family_name(),
            "tax_code": p.tax_code().as_str(),
            "birth_date": p.birth_date(),
            "birth_place_code": p.birth_place_code(),
            "birth_place": identity_core::values::places::place_name(p.birth_place_code(), h.lang()),
            "sex": match p.sex() {
                identity_core::Sex::Male => "M",
                identity_core::Sex::Female => "F",
            },
        })
    });
    let (company_name, invoicing) = match h.kind() {
        HolderKind::Person(_) => (None, None),
        HolderKind::Professional(p) => (Some(p.business_name().to_owned()), None),
        HolderKind::Company(c) => (
            Some(c.business.name().to_owned()),
            c.invoicing.as_ref().map(|i| match i {
                InvoicingChannel::Sdi(code) => json!({ "sdi_code": code }),
                InvoicingChannel::Pec(pec) => json!({ "pec": pec.to_string() }),
            }),
        ),
    };
    json!({
        "id": h.id(),
        "subject_kind": h.subject_kind().code(),
        "person": person,
        "company_name": company_name,
        "tax_code": h.tax_code().map(|c| c.as_str().to_owned()),
        "vat_number": h.vat_number().map(|v| v.as_str().to_owned()),
        "invoicing": invoicing,
        "address": h.address(),
        "email": h.contacts().email.to_string(),
        "email_verified": h.email_verified(),
        "phone": h.contacts().phone.to_string(),
        "pec": h.contacts().pec.as_ref().map(ToString::to_string),
        "lang": h.lang().code(),
        "created_at": h.created_at(),
    })
}
