//! What every command needs: the settings, the service on the configured database,
//! and the operator acting.

use std::sync::Arc;

use identity_config::Settings;
use identity_service::{Operator, OperatorRole, Service, SystemClock};
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
    connect_options_for(settings, 2)
}

/// At most `most` connections, and never more than the configuration allows.
fn connect_options_for(settings: &Settings, most: u32) -> ConnectOptions {
    ConnectOptions {
        max_connections: settings.database_max_connections.clamp(1, most.max(1)),
        ..ConnectOptions::default()
    }
}

/// The service on the configured database (migrated, as the web app would),
/// for the only command that acts without an operator: adding the first one.
pub async fn service(cli: &Cli) -> Result<Service, Failure> {
    let settings = settings(cli)?;
    let store = SqlStore::connect(&settings.database_url(), &connect_options(&settings))
        .await
        .map_err(|e| Failure::Refused(e.to_string()))?;
    service_on(&settings, Arc::new(store))
}

/// Whether the configured database is PostgreSQL (which takes concurrent
/// writers; SQLite serializes them).
pub fn is_postgres(cli: &Cli) -> Result<bool, Failure> {
    Ok(settings(cli)?.database_url().starts_with("postgres"))
}

/// The service on `store`, with the settings' policies.
fn service_on(settings: &Settings, store: Arc<SqlStore>) -> Result<Service, Failure> {
    let config = settings
        .service_config_without_new_keys()
        .map_err(|e| Failure::Usage(e.to_string()))?;
    let hasher = settings
        .password_hasher()
        .map_err(|e| Failure::Usage(e.to_string()))?;
    let service = Service::new(store, Arc::new(SystemClock), hasher, config);
    // Links in the mail the CLI queues point where the web app answers.
    Ok(match public_url(settings) {
        Some(url) => service.with_public_url(&url),
        None => service,
    })
}

/// The web app's external URL: the configured one, or (as the web app does)
/// `http://localhost:<port it listens on>`.
fn public_url(settings: &Settings) -> Option<String> {
    settings.public_url.clone().or_else(|| {
        let port: u16 = settings.listen.rsplit(':').next()?.parse().ok()?;
        (port != 0).then(|| format!("http://localhost:{port}"))
    })
}

/// The variable that carries the operator's token to every command.
pub const TOKEN_VARIABLE: &str = "IDENTITY_OPERATOR_TOKEN";

/// The operator's token: from `IDENTITY_OPERATOR_TOKEN`, else asked at the
/// terminal (not echoed). Without either it is a usage error: nothing is touched.
fn operator_token() -> Result<String, Failure> {
    use std::io::IsTerminal as _;
    if let Ok(token) = std::env::var(TOKEN_VARIABLE)
        && !token.trim().is_empty()
    {
        return Ok(token.trim().to_owned());
    }
    if std::io::stdin().is_terminal() {
        let token = rpassword::prompt_password("operator token: ")
            .map_err(|e| Failure::Usage(format!("cannot read the token: {e}")))?;
        if !token.trim().is_empty() {
            return Ok(token.trim().to_owned());
        }
    }
    Err(Failure::Usage(format!(
        "this command needs an operator: set {TOKEN_VARIABLE} to your operator token \
         (an admin adds operators with `identity-admin operator add`)"
    )))
}

/// Checks that the operator has at least `role`, on the database as it is (for
/// `db migrate`, which must not change the schema before).
pub async fn authenticate_without_migrating(
    settings: &Settings,
    role: OperatorRole,
) -> Result<Operator, Failure> {
    let token = operator_token()?;
    let store = Arc::new(store_without_migrating(settings, false).await?);
    let service = service_on(settings, store.clone())?;
    authenticate(&store, &service, &token, role).await
}

async fn authenticate(
    store: &SqlStore,
    service: &Service,
    token: &str,
    role: OperatorRole,
) -> Result<Operator, Failure> {
    if !store
        .has_operators()
        .await
        .map_err(|e| Failure::Refused(e.to_string()))?
    {
        return Err(Failure::Refused(
            "this database has no operator yet: add the first admin with \
             `identity-admin operator add NAME --role admin` (no token needed)"
                .into(),
        ));
    }
    let operator = service
        .authenticate_operator(token)
        .await
        .map_err(|e| Failure::Refused(e.to_string()))?;
    operator
        .require(role)
        .map_err(|e| Failure::Refused(e.to_string()))?;
    Ok(operator)
}

/// The service and the authenticated operator, who must have at least `role`.
/// The token is read (and refused if missing) before the database is opened,
/// and checked before any pending migration is applied.
pub async fn acting(cli: &Cli, role: OperatorRole) -> Result<(Service, Operator), Failure> {
    acting_with_connections(cli, role, 2).await
}

/// [`acting`] with a pool of up to `connections` connections.
pub async fn acting_with_connections(
    cli: &Cli,
    role: OperatorRole,
    connections: u32,
) -> Result<(Service, Operator), Failure> {
    let token = operator_token()?;
    let settings = settings(cli)?;
    let options = ConnectOptions {
        create_if_missing: false,
        ..connect_options_for(&settings, connections)
    };
    let store = Arc::new(
        SqlStore::connect_without_migrating(&settings.database_url(), &options)
            .await
            .map_err(|e| Failure::Refused(e.to_string()))?,
    );
    let service = service_on(&settings, store.clone())?;
    let operator = authenticate(&store, &service, &token, role).await?;
    // Like the web app, bring the schema up to this build (an authenticated act).
    store
        .migrate()
        .await
        .map_err(|e| Failure::Refused(e.to_string()))?;
    Ok((service, operator))
}
