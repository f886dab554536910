//! `api-client add|list|revoke`: the integrating systems allowed to call the JSON API.

use clap::Subcommand;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use identity_service::usecases::api_clients::ApiClientError;
use identity_service::{ApiClient, ApiScope};
use serde_json::json;

use identity_service::OperatorRole;

use crate::{Cli, Failure, context, output};

/// API client commands.
#[derive(Debug, Subcommand)]
pub enum ApiClientCommand {
    /// Register a client and print its bearer token. The token is shown this once:
    /// only its hash is stored.
    Add {
        /// Unique name (1-64 letters, digits, '-', '_' or '.'); its calls are audited
        /// as `api:<name>`.
        name: String,
        /// What the client may do; repeat the option for several scopes.
        #[arg(long = "scope", value_name = "SCOPE", required = true, value_parser = scope_parser())]
        scopes: Vec<ApiScope>,
    },
    /// List every client, oldest first (never a token).
    List,
    /// Revoke a client: its token stops working at once. Final.
    Revoke {
        /// The client's name.
        name: String,
    },
}

/// Accepts exactly the scope names the service knows (listed in `--help`), so a
/// wrong one is a usage error before anything touches the database.
fn scope_parser() -> impl TypedValueParser<Value = ApiScope> {
    PossibleValuesParser::new(ApiScope::ALL.map(ApiScope::code))
        .try_map(|code| ApiScope::from_code(&code).ok_or("unknown scope"))
}

fn scopes(client: &ApiClient) -> String {
    client
        .scopes
        .iter()
        .map(|s| s.code())
        .collect::<Vec<_>>()
        .join(", ")
}

pub async fn run(cli: &Cli, command: &ApiClientCommand) -> Result<(), Failure> {
    match command {
        ApiClientCommand::Add { name, scopes } => add(cli, name, scopes).await,
        ApiClientCommand::List => list(cli).await,
        ApiClientCommand::Revoke { name } => revoke(cli, name).await,
    }
}

async fn add(cli: &Cli, name: &str, scopes: &[ApiScope]) -> Result<(), Failure> {
    let (service, operator) = context::acting(cli, OperatorRole::Admin).await?;
    let (client, token) = service
        .add_api_client(name, scopes, &operator.actor())
        .await
        .map_err(|e| match e {
            ApiClientError::BadName | ApiClientError::NoScope => Failure::Usage(e.to_string()),
            ApiClientError::Duplicate => {
                Failure::Refused(format!("an API client named {:?} exists", name.trim()))
            }
            other => Failure::Refused(other.to_string()),
        })?;
    let note = "The token is shown only now and cannot be shown again: store it safely. \
                If it is lost, revoke the client and add a new one.";
    if cli.json {
        let mut value =
            serde_json::to_value(&client).map_err(|e| Failure::Refused(e.to_string()))?;
        if let Some(object) = value.as_object_mut() {
            object.insert("token".into(), json!(token));
        }
        // The note goes to stderr so that stdout stays one JSON document.
        eprintln!("note: {note}");
        return output::json(&value);
    }
    output::fields(&[
        ("Name", client.name.clone()),
        ("Scopes", self::scopes(&client)),
        ("Created by", client.created_by.clone()),
        ("Created at", output::rome(client.created_at)),
        ("Token", token),
    ]);
    println!();
    println!("{note}");
    Ok(())
}

async fn list(cli: &Cli) -> Result<(), Failure> {
    let (service, _) = context::acting(cli, OperatorRole::Admin).await?;
    let clients = service
        .api_clients()
        .await
        .map_err(|e| Failure::Refused(e.to_string()))?;
    if cli.json {
        // `ApiClient` has no token and no hash: nothing secret to leave out.
        return output::json(&clients);
    }
    if clients.is_empty() {
        println!("no API clients");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = clients
        .iter()
        .map(|c| {
            vec![
                c.name.clone(),
                scopes(c),
                c.created_by.clone(),
                output::rome(c.created_at),
                output::rome_opt(c.revoked_at),
                output::rome_opt(c.last_used_at),
            ]
        })
        .collect();
    output::table(
        &[
            "NAME",
            "SCOPES",
            "CREATED BY",
            "CREATED AT",
            "REVOKED AT",
            "LAST USED",
        ],
        &rows,
    );
    Ok(())
}

async fn revoke(cli: &Cli, name: &str) -> Result<(), Failure> {
    if name.trim().is_empty() {
        return Err(Failure::Usage("give the name of the API client".into()));
    }
    let (service, operator) = context::acting(cli, OperatorRole::Admin).await?;
    match service.revoke_api_client(name, &operator.actor()).await {
        Ok(()) if cli.json => output::json(&json!({ "name": name.trim(), "revoked": true })),
        Ok(()) => {
            println!("API client {} is revoked", name.trim());
            Ok(())
        }
        Err(ApiClientError::NotFound) => Err(Failure::Refused(format!(
            "no API client named {:?} that is not already revoked",
            name.trim()
        ))),
        Err(e) => Err(Failure::Refused(e.to_string())),
    }
}
