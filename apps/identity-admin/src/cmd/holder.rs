//! `holder search` (one line per holder), `holder show` (everything about one:
//! see [`show`]) and `holder export` (everything kept about one, as JSON).

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
    /// Export everything kept about one holder as one JSON document (holder data,
    /// logins, identities with proofing, consents, corrections, orders, sessions,
    /// audit trail; never secrets). The export is audited.
    Export {
        /// Holder id, login id, tax code, VAT number or reference email; it must
        /// match one holder.
        query: String,
        /// Write to this file instead of standard output (it must not exist).
        #[arg(long, value_name = "FILE")]
        output: Option<std::path::PathBuf>,
    },
}

pub async fn run(cli: &Cli, command: &HolderCommand) -> Result<(), Failure> {
    let (HolderCommand::Show { query, .. }
    | HolderCommand::Search { query }
    | HolderCommand::Export { query, .. }) = command;
    if query.trim().is_empty() {
        return Err(Failure::Usage(
            "give a holder id, login id, tax code or VAT number".into(),
        ));
    }
    if let HolderCommand::Export { query, output } = command {
        return export(cli, query, output.as_deref()).await;
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
        HolderCommand::Export { .. } => Err(Failure::Usage("export is handled above".into())),
    }
}

/// `holder export`: one holder's whole record, as the holder's own data export.
async fn export(cli: &Cli, query: &str, path: Option<&std::path::Path>) -> Result<(), Failure> {
    if let Some(p) = path
        && p.exists()
    {
        return Err(Failure::Usage(format!(
            "{} exists: give a new file",
            p.display()
        )));
    }
    let (service, operator) = context::acting(cli, OperatorRole::Operator).await?;
    let ids = service
        .find_holders(query)
        .await
        .map_err(|e| Failure::Refused(e.to_string()))?;
    let holder = match ids.as_slice() {
        [one] => *one,
        [] => return Err(Failure::Refused(format!("no holder matches {query:?}"))),
        _ => {
            return Err(Failure::Refused(format!(
                "{} holders match {query:?}: give a holder id",
                ids.len()
            )));
        }
    };
    let document = service
        .export_holder_data(holder, &operator.actor())
        .await
        .map_err(|e| Failure::Refused(e.to_string()))?;
    let text =
        serde_json::to_string_pretty(&document).map_err(|e| Failure::Refused(e.to_string()))?;
    match path {
        None => println!("{text}"),
        Some(p) => {
            use std::io::Write as _;
            output::new_private_file(p)?
                .write_all((text + "\n").as_bytes())
                .map_err(|e| Failure::Refused(format!("{}: {e}", p.display())))?;
            if !cli.json {
                eprintln!("holder {holder} exported to {}", p.display());
            }
        }
    }
    Ok(())
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
