//! `holder show`: the holder data (with whether the email is verified), logins with
//! their status, identities, consents in force, correction requests, orders and
//! the audit trail, as blocks and tables or as JSON.

use identity_core::Order;
use identity_core::identity::IdentityState;
use identity_core::values::places;
use identity_core::{CorrectionRequest, Lang};
use identity_service::usecases::lookup::HolderOverview;
use identity_service::usecases::privacy::ConsentStatus;
use identity_service::{AuditQuery, AuditRecord, Service};
use identity_words::Label;
use serde_json::{Value, json};

use crate::cmd::correction;
use crate::{Cli, Failure, output};

/// Everything shown about one holder.
struct Details {
    overview: HolderOverview,
    consents: Vec<ConsentStatus>,
    corrections: Vec<CorrectionRequest>,
    orders: Vec<Order>,
    /// The most recent audit entries, oldest first.
    trail: Vec<AuditRecord>,
    /// How many older entries were left out.
    omitted: usize,
}

fn failed(e: impl std::fmt::Display) -> Failure {
    Failure::Refused(e.to_string())
}

async fn load(
    service: &Service,
    overview: HolderOverview,
    audit: usize,
) -> Result<Details, Failure> {
    let id = overview.holder.id();
    let consents = service.consents(id).await.map_err(failed)?;
    let corrections = service.corrections_of(id).await.map_err(failed)?;
    let orders = service.orders_of(id).await.map_err(failed)?;
    let mut tx = service.store().begin_read().await.map_err(failed)?;
    let mut trail = tx
        .audit(&AuditQuery {
            holder_id: Some(id),
            limit: u32::MAX,
            ..AuditQuery::default()
        })
        .await
        .map_err(failed)?;
    drop(tx);
    let omitted = if audit == 0 {
        0
    } else {
        trail.len().saturating_sub(audit)
    };
    trail.drain(..omitted);
    Ok(Details {
        overview,
        consents,
        corrections,
        orders,
        trail,
        omitted,
    })
}

pub async fn run(
    cli: &Cli,
    service: &Service,
    found: Vec<HolderOverview>,
    audit: usize,
) -> Result<(), Failure> {
    let mut all = Vec::with_capacity(found.len());
    for overview in found {
        all.push(load(service, overview, audit).await?);
    }
    let domain = &service.config().login_domain;
    if cli.json {
        return output::json(&all.iter().map(|d| to_json(d, domain)).collect::<Vec<_>>());
    }
    for (i, d) in all.iter().enumerate() {
        if i > 0 {
            println!();
        }
        print(d, domain);
    }
    Ok(())
}

fn identity_state(state: &IdentityState) -> String {
    match state {
        IdentityState::Pending => "pending".into(),
        IdentityState::Active => "active".into(),
        IdentityState::Suspended {
            reason,
            deadline: Some(d),
            ..
        } => format!("suspended ({}) until {}", reason.code(), output::rome(*d)),
        IdentityState::Suspended {
            reason,
            deadline: None,
            ..
        } => format!("suspended ({})", reason.code()),
        IdentityState::Revoked { cause, at } => {
            format!("revoked ({}) on {}", cause.code(), output::rome(*at))
        }
    }
}

/// The holder with its logins and identities (also what `holder search --json` prints).
pub fn overview_json(o: &HolderOverview, domain: &str) -> Value {
    let h = &o.holder;
    json!({
        "id": h.id(),
        "subject_kind": h.subject_kind().code(),
        "name": h.display_name(),
        "given_name": h.person().map(|p| p.given_name()),
        "family_name": h.person().map(|p| p.family_name()),
        "tax_code": h.tax_code().map(|t| t.as_str().to_owned()),
        "vat_number": h.vat_number().map(|v| v.as_str().to_owned()),
        "birth_date": h.person().map(|p| p.birth_date()),
        "birth_place_code": h.person().map(|p| p.birth_place_code()),
        "email": h.contacts().email.to_string(),
        "email_verified": h.email_verified(),
        "email_verified_at": h.email_verified_at(),
        "phone": h.contacts().phone.as_str(),
        "pec": h.contacts().pec.as_ref().map(ToString::to_string),
        "address": h.address(),
        "lang": h.lang().code(),
        "created_at": h.created_at(),
        "logins": o.logins.iter().map(|l| json!({
            "login_id": format!("{}@{domain}", l.number()),
            "status": l.status().code(),
            "created_at": l.created_at(),
        })).collect::<Vec<_>>(),
        "identities": o.identities.iter().map(|i| json!({
            "id": i.id(),
            "username": format!("{}@{domain}", i.username()),
            "state": i.state().code(),
            "detail": identity_state(i.state()),
            "requested_at": i.requested_at(),
            "activated_at": i.activated_at(),
        })).collect::<Vec<_>>(),
    })
}

fn to_json(d: &Details, domain: &str) -> Value {
    let mut value = overview_json(&d.overview, domain);
    if let Some(object) = value.as_object_mut() {
        object.insert("consents".into(), json!(d.consents));
        object.insert(
            "correction_requests".into(),
            d.corrections.iter().map(correction::to_json).collect(),
        );
        object.insert("orders".into(), json!(d.orders));
        object.insert("audit_trail".into(), json!(d.trail));
        object.insert("audit_entries_omitted".into(), json!(d.omitted));
    }
    value
}

fn print(d: &Details, domain: &str) {
    let o = &d.overview;
    let h = &o.holder;
    let mut rows = vec![
        ("Holder", h.id().to_string()),
        ("Kind", h.subject_kind().label().text(Lang::En)),
        ("Name", h.display_name()),
    ];
    if let Some(tc) = h.tax_code() {
        rows.push(("Tax code", tc.as_str().to_owned()));
    }
    if let Some(vat) = h.vat_number() {
        rows.push(("VAT number", vat.as_str().to_owned()));
    }
    if let Some(person) = h.person() {
        let code = person.birth_place_code();
        let place = places::place_name(code, Lang::En).unwrap_or_else(|| "unknown place".into());
        rows.push((
            "Born",
            format!("{} in {place} ({code})", person.birth_date()),
        ));
    }
    rows.push(("Address", h.address().to_string()));
    let verified = match h.email_verified_at() {
        Some(at) => format!("verified {}", output::rome(at)),
        None => "not verified".into(),
    };
    rows.push(("Email", format!("{} ({verified})", h.contacts().email)));
    if let Some(pec) = &h.contacts().pec {
        rows.push(("PEC", pec.to_string()));
    }
    rows.push(("Phone", h.contacts().phone.to_string()));
    rows.push(("Language", h.lang().code().to_owned()));
    rows.push(("Registered", output::rome(h.created_at())));
    output::fields(&rows);

    println!();
    let logins: Vec<Vec<String>> = o
        .logins
        .iter()
        .map(|l| {
            vec![
                format!("{}@{domain}", l.number()),
                l.status().code().into(),
                output::rome(l.created_at()),
            ]
        })
        .collect();
    output::table(&["LOGIN", "STATUS", "CREATED"], &logins);

    println!();
    if o.identities.is_empty() {
        println!("No digital identities.");
    } else {
        let ids: Vec<Vec<String>> = o
            .identities
            .iter()
            .map(|i| {
                vec![
                    i.id().to_string(),
                    format!("{}@{domain}", i.username()),
                    identity_state(i.state()),
                ]
            })
            .collect();
        output::table(&["IDENTITY", "USERNAME", "STATE"], &ids);
    }

    println!();
    let consents: Vec<Vec<String>> = d
        .consents
        .iter()
        .map(|c| {
            vec![
                c.kind.code().to_owned(),
                if c.given { "given" } else { "not given" }.to_owned(),
                output::rome_opt(c.since),
            ]
        })
        .collect();
    output::table(&["CONSENT", "IN FORCE", "SINCE"], &consents);

    println!();
    if d.corrections.is_empty() {
        println!("No correction requests.");
    } else {
        correction::print_table(&d.corrections, false);
    }

    println!();
    if d.orders.is_empty() {
        println!("No orders.");
    } else {
        let orders: Vec<Vec<String>> = d
            .orders
            .iter()
            .map(|r| {
                vec![
                    r.id.to_string(),
                    r.kind.code().to_owned(),
                    r.state.code().to_owned(),
                    output::rome(r.created_at),
                ]
            })
            .collect();
        output::table(&["ORDER", "KIND", "STATE", "PLACED"], &orders);
    }

    println!();
    if d.omitted > 0 {
        println!(
            "Audit trail: the last {} entries ({} earlier ones: --audit 0 shows them all).",
            d.trail.len(),
            d.omitted
        );
    }
    let trail: Vec<Vec<String>> = d
        .trail
        .iter()
        .map(|a| {
            vec![
                output::rome(a.at),
                a.actor.clone(),
                a.event.clone(),
                output::cell(&a.details.to_string(), 60),
            ]
        })
        .collect();
    output::table(&["AT", "ACTOR", "EVENT", "DETAILS"], &trail);
}
