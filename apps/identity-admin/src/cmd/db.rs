//! `db migrate` and `db status`.

use clap::Subcommand;

use crate::{Cli, Failure, context, output};

/// Database schema commands.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Apply pending migrations (the web app also does this at start).
    Migrate,
    /// Show applied and pending migrations.
    Status,
}

pub async fn run(cli: &Cli, command: &DbCommand) -> Result<(), Failure> {
    let settings = context::settings(cli)?;
    let create = matches!(command, DbCommand::Migrate);
    let store = context::store_without_migrating(&settings, create).await?;
    // Once the database has operators, changing its schema is an admin's act.
    if create
        && store
            .has_operators()
            .await
            .map_err(|e| Failure::Refused(e.to_string()))?
    {
        context::authenticate_without_migrating(&settings, identity_service::OperatorRole::Admin)
            .await?;
    }
    if matches!(command, DbCommand::Migrate) {
        store
            .migrate()
            .await
            .map_err(|e| Failure::Refused(e.to_string()))?;
    }
    let (applied, pending) = store
        .migration_status()
        .await
        .map_err(|e| Failure::Refused(e.to_string()))?;
    if cli.json {
        return output::json(&serde_json::json!({
            "backend": format!("{:?}", store.backend()).to_lowercase(),
            "applied": applied.iter().map(|(v, d)| serde_json::json!({"version": v, "description": d})).collect::<Vec<_>>(),
            "pending": pending.iter().map(|(v, d)| serde_json::json!({"version": v, "description": d})).collect::<Vec<_>>(),
        }));
    }
    let rows: Vec<Vec<String>> = applied
        .iter()
        .map(|(v, d)| vec![v.to_string(), d.clone(), "applied".into()])
        .chain(
            pending
                .iter()
                .map(|(v, d)| vec![v.to_string(), d.clone(), "pending".into()]),
        )
        .collect();
    output::table(&["VERSION", "DESCRIPTION", "STATE"], &rows);
    Ok(())
}
