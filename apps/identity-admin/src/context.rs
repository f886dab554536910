//! What every command needs: the settings, the service on the configured database,
//! and the operator acting.

use std::sync::Arc;

use identity_config::Settings;
use identity_core::identity::Actor;
use identity_service::{Service, SystemClock};
use identity_store::{ConnectOptions, SqlStore};

use crate::{Cli, Failure};

/// Loads the settings with the command-line overrides applied.
pub fn settings(cli: &Cli) -> Result<Settings, Failure> {
    let mut settings =
        Settings::load(cli.config.as_deref()).map_err(|e| Failure::Usage(e.to_string()))?;
    if let Some(url) = &cli.database_url {
        settings.database_url = Some(url.clone());
    }
    Ok(settings)
}

/// Opens the database without migrating (for `db status` and `db migrate`); only
/// `create` lets a missing SQLite file be created.
pub async fn store_without_migrating(
    settings: &Settings,
    create: bool,
) -> Result<SqlStore, Failure> {
    let options = ConnectOptions {
        create_if_missing: create,
        ..connect_options(settings)
    };
    SqlStore::connect_without_migrating(&settings.database_url(), &options)
        .await
        .map_err(|e| Failure::Refused(e.to_string()))
}

/// A CLI command needs few connections, whatever the web app is configured with.
fn connect_options(settings: &Settings) -> ConnectOptions {
    ConnectOptions {
        max_connections: settings.database_max_connections.clamp(1, 2),
        ..ConnectOptions::default()
    }
}

/// The service on the configured database (migrated, as the web app would).
pub async fn service(cli: &Cli) -> Result<Service, Failure> {
    let settings = settings(cli)?;
    let config = settings
        .service_config_without_new_keys()
        .map_err(|e| Failure::Usage(e.to_string()))?;
    let hasher = settings
        .password_hasher()
        .map_err(|e| Failure::Usage(e.to_string()))?;
    let store = SqlStore::connect(&settings.database_url(), &connect_options(&settings))
        .await
        .map_err(|e| Failure::Refused(e.to_string()))?;
    Ok(Service::new(
        Arc::new(store),
        Arc::new(SystemClock),
        hasher,
        config,
    ))
}

/// The operator making a change; required for every command that changes data.
pub fn operator(cli: &Cli) -> Result<Actor, Failure> {
    match cli.operator.as_deref().map(str::trim) {
        Some(name) if !name.is_empty() => Ok(Actor::Operator(name.to_owned())),
        _ => Err(Failure::Usage(
            "name the operator with --operator NAME or IDENTITY_OPERATOR".into(),
        )),
    }
}
