//! `holder show`: a holder with its logins and identities.

use clap::Subcommand;
use identity_core::Lang;
use identity_core::calendar;
use identity_core::identity::IdentityState;
use identity_core::values::places;
use identity_service::StoreError;
use identity_service::usecases::lookup::HolderOverview;
use serde_json::json;

use crate::{Cli, Failure, context, output};

/// Holder commands.
#[derive(Debug, Subcommand)]
pub enum HolderCommand {
    /// List holders found by holder id, login id, tax code, VAT number or email, one line each.
    Search {
        /// Holder id, login id (or the bare number), tax code, VAT number or reference email.
        query: String,
    },
    /// Show holders found by holder id, login id, tax code or VAT number.
    Show {
        /// Holder id, login id (123456@domain or the bare number), tax code or VAT number.
        query: String,
    },
}

pub async fn run(cli: &Cli, command: &HolderCommand) -> Result<(), Failure> {
    let (HolderCommand::Show { query } | HolderCommand::Search { query }) = command;
    if query.trim().is_empty() {
        return Err(Failure::Usage(
            "give a holder id, login id, tax code or VAT number".into(),
        ));
    }
    let service = context::service(cli).await?;
    let ids = service
        .find_holders(query)
        .await
        .map_err(|e| Failure::Refused(e.to_string()))?;
    let mut found = Vec::new();
    for id in ids {
        match service.holder_overview(id).await {
            Ok(o) => found.push(o),
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(Failure::Refused(e.to_string())),
        }
    }
    if found.is_empty() {
        return Err(Failure::Refused(format!("no holder matches {query:?}")));
    }
    let domain = &service.config().login_domain;
    if cli.json {
        return output::json(&found.iter().map(|o| to_json(o, domain)).collect::<Vec<_>>());
    }
    if matches!(command, HolderCommand::Search { .. }) {
        let rows: Vec<Vec<String>> = found
            .iter()
            .map(|o| {
                let h = &o.holder;
                vec![
                    h.id().to_string(),
                    h.subject_kind().code().to_owned(),
                    h.display_name(),
                    h.tax_code()
                        .map(|t| t.as_str().to_owned())
                        .unwrap_or_default(),
                    h.contacts().email.to_string(),
                    o.logins.len().to_string(),
                ]
            })
            .collect();
        output::table(
            &["HOLDER", "KIND", "NAME", "TAX CODE", "EMAIL", "LOGINS"],
            &rows,
        );
        return Ok(());
    }
    for (i, o) in found.iter().enumerate() {
        if i > 0 {
            println!();
        }
        print_overview(o, domain);
    }
    Ok(())
}

/// Times are shown on the Rome wall clock, as the holder sees them.
fn rome(at: chrono::DateTime<chrono::Utc>) -> String {
    calendar::in_rome(at)
        .format("%Y-%m-%d %H:%M %Z")
        .to_string()
}

fn identity_state(state: &IdentityState) -> String {
    match state {
        IdentityState::Pending => "pending".into(),
        IdentityState::Active => "active".into(),
        IdentityState::Suspended {
            reason,
            deadline: Some(d),
            ..
        } => {
            format!("suspended ({}) until {}", reason.code(), rome(*d))
        }
        IdentityState::Suspended {
            reason,
            deadline: None,
            ..
        } => {
            format!("suspended ({})", reason.code())
        }
        IdentityState::Revoked { cause, at } => {
            format!("revoked ({}) on {}", cause.code(), rome(*at))
        }
    }
}

fn to_json(o: &HolderOverview, domain: &str) -> serde_json::Value {
    let h = &o.holder;
    json!({
        "id": h.id(),
        "subject_kind": h.subject_kind().code(),
        "name": h.display_name(),
        "tax_code": h.tax_code().map(|t| t.as_str().to_owned()),
        "vat_number": h.vat_number().map(|v| v.as_str().to_owned()),
        "birth_date": h.person().map(|p| p.birth_date()),
        "email": h.contacts().email.to_string(),
        "phone": h.contacts().phone.as_str(),
        "pec": h.contacts().pec.as_ref().map(ToString::to_string),
        "address": h.address(),
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

fn print_overview(o: &HolderOverview, domain: &str) {
    let h = &o.holder;
    let mut rows = vec![
        ("Holder", h.id().to_string()),
        ("Kind", h.subject_kind().label(Lang::En).to_owned()),
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
    rows.push(("Email", h.contacts().email.to_string()));
    rows.push(("Phone", h.contacts().phone.to_string()));
    rows.push(("Registered", rome(h.created_at())));
    output::fields(&rows);
    println!();
    let logins: Vec<Vec<String>> = o
        .logins
        .iter()
        .map(|l| {
            vec![
                format!("{}@{domain}", l.number()),
                l.status().code().into(),
                l.created_at().format("%Y-%m-%d").to_string(),
            ]
        })
        .collect();
    output::table(&["LOGIN", "STATUS", "CREATED"], &logins);
    if !o.identities.is_empty() {
        println!();
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
}
