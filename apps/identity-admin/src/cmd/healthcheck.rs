//! `healthcheck`: the database answers and has every migration of this build.

use identity_service::Store as _;
use serde_json::json;

use crate::{Cli, Failure, context, output};

/// `healthcheck`: exit 0 when the database answers and no migration is pending.
pub async fn healthcheck(cli: &Cli) -> Result<(), Failure> {
    let settings = context::settings(cli)?;
    let store = context::store_without_migrating(&settings, false).await?;
    store
        .ping()
        .await
        .map_err(|e| Failure::Refused(format!("database unreachable: {e}")))?;
    let pending = store
        .pending_migrations()
        .await
        .map_err(|e| Failure::Refused(e.to_string()))?;
    if cli.json {
        output::json(&json!({ "database": "ok", "pending_migrations": pending }))?;
    } else {
        println!("database ok; pending migrations: {pending}");
    }
    if pending > 0 {
        return Err(Failure::Refused(format!(
            "{pending} migrations pending (run `identity-admin db migrate`)"
        )));
    }
    Ok(())
}
