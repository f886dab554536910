//! `holder search` (one line per holder) and `holder show` (everything about one:
//! see [`show`]).

mod show;

use clap::Subcommand;
use identity_service::StoreError;
use identity_service::usecases::lookup::HolderOverview;

use identity_service::OperatorRole;

use crate::{Cli, Failure, context, output};

/// Holder commands.
#[derive(Debug, Subcommand)]
pub enum HolderCommand {
    /// List holders found by holder id, login id, tax code, VAT number or email, one line each.
    Search {
        /// Holder id, login id (or the bare number), tax code, VAT number or reference email.
        query: String,
    },
    /// Show holders found by holder id, login id, tax code or VAT number: holder data,
    /// logins, identities, consents, correction requests, orders and the audit trail.
    Show {
        /// Holder id, login id (123456@domain or the bare number), tax code or VAT number.
        query: String,
        /// How many audit entries to show, the most recent (0 = the whole trail).
        #[arg(long, default_value_t = 20, value_name = "N")]
        audit: usize,
    },
}

pub async fn run(cli: &Cli, command: &HolderCommand) -> Result<(), Failure> {
    let (HolderCommand::Show { query, .. } | HolderCommand::Search { query }) = command;
    if query.trim().is_empty() {
        return Err(Failure::Usage(
            "give a holder id, login id, tax code or VAT number".into(),
        ));
    }
    let service = context::acting(cli, OperatorRole::Viewer).await?.0;
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
    match command {
        HolderCommand::Search { .. } => search(cli, &found, &service.config().login_domain),
        HolderCommand::Show { audit, .. } => show::run(cli, &service, found, *audit).await,
    }
}

fn search(cli: &Cli, found: &[HolderOverview], domain: &str) -> Result<(), Failure> {
    if cli.json {
        return output::json(
            &found
                .iter()
                .map(|o| show::overview_json(o, domain))
                .collect::<Vec<_>>(),
        );
    }
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
    Ok(())
}
