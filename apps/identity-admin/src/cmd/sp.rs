//! `sp add|list|show|disable|rotate-secret|add-key|log`: the service providers
//! (OpenID Connect relying parties) that sign holders in with their digital
//! identity.

use std::path::PathBuf;

use clap::Subcommand;
use identity_service::usecases::service_providers::{
    NewServiceProvider, ServiceProviderError, check_public_jwks,
};
use identity_service::{OperatorRole, ServiceProvider, StoreError};
use serde_json::json;

use crate::{Cli, Failure, context, output};

/// Service-provider commands.
#[derive(Debug, Subcommand)]
pub enum SpCommand {
    /// Register a service provider. Give its keys (--jwks-file or --jwks-uri,
    /// for private_key_jwt) or ask for a client secret (development only).
    Add {
        /// The OAuth client_id (in the SPID profile, the provider's URL).
        #[arg(long)]
        client_id: String,
        /// The name holders see on the consent screen and in their accesses.
        #[arg(long)]
        name: String,
        /// An exact redirect URI (repeat for more).
        #[arg(long = "redirect-uri", value_name = "URI", required = true)]
        redirect_uris: Vec<String>,
        /// A file with its public keys (a JWKS document).
        #[arg(long, value_name = "FILE")]
        jwks_file: Option<PathBuf>,
        /// Where its public keys are published (https://).
        #[arg(long, value_name = "URI")]
        jwks_uri: Option<String>,
        /// Generate a client secret (client_secret_basic), shown once: development only.
        #[arg(long)]
        client_secret: bool,
        /// An attribute it may ask for (repeat): given_name, family_name, email,
        /// phone_number, fiscal_number, spid_code, birthdate, place_of_birth,
        /// gender, address, company_name, vat_number.
        #[arg(long = "attribute", value_name = "NAME")]
        attributes: Vec<String>,
        /// A SPID level it may ask for (repeat; 1, 2, 3); none: all three.
        #[arg(long = "level", value_name = "LEVEL")]
        levels: Vec<u8>,
    },
    /// List the service providers.
    List,
    /// Show one service provider.
    Show {
        /// Its client_id.
        client_id: String,
    },
    /// Disable a service provider: no more sign-ins through it.
    Disable {
        /// Its client_id.
        client_id: String,
    },
    /// Give a client_secret_basic provider a new secret, shown once (the old one
    /// stops working).
    RotateSecret {
        /// Its client_id.
        client_id: String,
    },
    /// The provider's transaction log, newest first: authorization, consent,
    /// token, userinfo, revocation and end-session requests with their outcome
    /// and reason (kept 24 months).
    Log {
        /// Only this provider's requests (its client_id).
        #[arg(value_name = "CLIENT_ID")]
        client_id: Option<String>,
        /// How many entries (at most 1000).
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=1000))]
        limit: u32,
    },
    /// Add public keys (a JWKS file) to a private_key_jwt provider, for its key
    /// rotation.
    AddKey {
        /// Its client_id.
        client_id: String,
        /// A file with the new public keys (a JWKS document).
        #[arg(long, value_name = "FILE")]
        jwks_file: PathBuf,
    },
}

/// Reads a JWKS file: a usage error when it cannot be read or is not JSON.
fn read_jwks(path: &std::path::Path) -> Result<serde_json::Value, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
    serde_json::from_str(&text)
        .map_err(|e| Failure::Usage(format!("{}: not JSON: {e}", path.display())))
}

fn refused(e: &ServiceProviderError) -> Failure {
    match e {
        ServiceProviderError::Invalid(m) => Failure::Usage(m.clone()),
        other => Failure::Refused(other.to_string()),
    }
}

fn show(sp: &ServiceProvider) {
    output::fields(&[
        ("Client id", sp.client_id.clone()),
        ("Name", sp.name.clone()),
        ("Redirect URIs", sp.redirect_uris.join(" ")),
        ("Authentication", sp.auth_method.code().to_owned()),
        (
            "Keys",
            match (&sp.jwks, &sp.jwks_uri) {
                (Some(j), _) => format!("{} inline", j["keys"].as_array().map_or(0, Vec::len)),
                (None, Some(uri)) => uri.clone(),
                (None, None) => "client secret".into(),
            },
        ),
        ("Attributes", sp.attributes.join(", ")),
        (
            "Levels",
            sp.allowed_levels
                .iter()
                .map(u8::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ("Added by", sp.created_by.clone()),
        ("Added at", output::rome(sp.created_at)),
        ("Disabled at", output::rome_opt(sp.disabled_at)),
    ]);
}

pub async fn run(cli: &Cli, command: &SpCommand) -> Result<(), Failure> {
    match command {
        SpCommand::Add {
            client_id,
            name,
            redirect_uris,
            jwks_file,
            jwks_uri,
            client_secret,
            attributes,
            levels,
        } => {
            let jwks = jwks_file.as_deref().map(read_jwks).transpose()?;
            let new = NewServiceProvider {
                client_id: client_id.clone(),
                name: name.clone(),
                redirect_uris: redirect_uris.clone(),
                jwks,
                jwks_uri: jwks_uri.clone(),
                client_secret: *client_secret,
                attributes: attributes.clone(),
                levels: levels.clone(),
            };
            // Every field is checked before the database is opened.
            new.check().map_err(|e| refused(&e))?;
            let (service, admin) = context::acting(cli, OperatorRole::Admin).await?;
            let (sp, secret) = service
                .add_service_provider(&new, &admin)
                .await
                .map_err(|e| refused(&e))?;
            if cli.json {
                return output::json(&json!({ "service_provider": sp, "client_secret": secret }));
            }
            show(&sp);
            if let Some(secret) = secret {
                println!();
                println!("Client secret: {secret}");
                println!(
                    "It is shown only now. Use it for development only: production providers sign with their keys."
                );
            }
            Ok(())
        }
        SpCommand::List => {
            let (service, _) = context::acting(cli, OperatorRole::Viewer).await?;
            let list = service
                .service_providers()
                .await
                .map_err(|e| Failure::Refused(e.to_string()))?;
            if cli.json {
                return output::json(&list);
            }
            if list.is_empty() {
                println!("no service providers");
                return Ok(());
            }
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|sp| {
                    vec![
                        sp.client_id.clone(),
                        sp.name.clone(),
                        sp.auth_method.code().to_owned(),
                        sp.attributes.join(","),
                        if sp.disabled_at.is_some() {
                            "disabled"
                        } else {
                            "enabled"
                        }
                        .to_owned(),
                    ]
                })
                .collect();
            output::table(&["CLIENT ID", "NAME", "AUTH", "ATTRIBUTES", "STATE"], &rows);
            Ok(())
        }
        SpCommand::Log { client_id, limit } => {
            let (service, _) = context::acting(cli, OperatorRole::Viewer).await?;
            let entries = service
                .oidc_transactions(client_id.as_deref(), *limit)
                .await
                .map_err(|e| Failure::Refused(e.to_string()))?;
            if cli.json {
                return output::json(&entries);
            }
            if entries.is_empty() {
                println!("no requests logged");
                return Ok(());
            }
            let rows: Vec<Vec<String>> = entries
                .iter()
                .map(|e| {
                    vec![
                        output::rome(e.at),
                        e.endpoint.clone(),
                        e.client_id.clone().unwrap_or_default(),
                        e.outcome.clone(),
                        output::cell(e.detail.as_deref().unwrap_or_default(), 60),
                        e.client_ip.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            output::table(
                &[
                    "AT",
                    "ENDPOINT",
                    "CLIENT ID",
                    "OUTCOME",
                    "DETAIL",
                    "ADDRESS",
                ],
                &rows,
            );
            Ok(())
        }
        SpCommand::Show { client_id } => {
            let (service, _) = context::acting(cli, OperatorRole::Viewer).await?;
            let sp = service
                .service_provider(client_id)
                .await
                .map_err(|e| match e {
                    StoreError::NotFound => {
                        Failure::Refused(format!("no service provider {client_id:?}"))
                    }
                    other => Failure::Refused(other.to_string()),
                })?;
            let federation = service
                .federation_client(client_id)
                .await
                .map_err(|e| Failure::Refused(e.to_string()))?;
            if cli.json {
                // The provider as before, with its federation registration (or null).
                let mut shown =
                    serde_json::to_value(&sp).map_err(|e| Failure::Refused(e.to_string()))?;
                shown["federation"] = json!(federation);
                return output::json(&shown);
            }
            show(&sp);
            // Registered through the federation: what the chain gave.
            if let Some(f) = federation {
                output::fields(&[
                    ("Trust anchor", f.trust_anchor.clone()),
                    ("Trust marks", f.trust_marks.join(" ")),
                    ("Chain resolved at", output::rome(f.resolved_at)),
                    ("Resolved again after", output::rome(f.expires_at)),
                ]);
            }
            Ok(())
        }
        SpCommand::Disable { client_id } => {
            let (service, admin) = context::acting(cli, OperatorRole::Admin).await?;
            service
                .disable_service_provider(client_id, &admin)
                .await
                .map_err(|e| match e {
                    ServiceProviderError::NotFound => {
                        Failure::Refused(format!("no enabled service provider {client_id:?}"))
                    }
                    other => refused(&other),
                })?;
            if cli.json {
                return output::json(&json!({ "client_id": client_id, "disabled": true }));
            }
            println!("service provider {client_id} is disabled");
            Ok(())
        }
        SpCommand::RotateSecret { client_id } => {
            let (service, admin) = context::acting(cli, OperatorRole::Admin).await?;
            let secret = service
                .rotate_service_provider_secret(client_id, &admin)
                .await
                .map_err(|e| match e {
                    ServiceProviderError::Invalid(m) => Failure::Refused(m),
                    other => refused(&other),
                })?;
            if cli.json {
                return output::json(&json!({ "client_id": client_id, "client_secret": secret }));
            }
            println!("Client secret: {secret}");
            println!("It is shown only now; the old secret no longer works.");
            Ok(())
        }
        SpCommand::AddKey {
            client_id,
            jwks_file,
        } => {
            let keys = read_jwks(jwks_file)?;
            check_public_jwks(&keys).map_err(|e| refused(&e))?;
            let (service, admin) = context::acting(cli, OperatorRole::Admin).await?;
            let sp = service
                .add_service_provider_keys(client_id, &keys, &admin)
                .await
                .map_err(|e| match e {
                    // The file was checked above: what is left is about the
                    // registered provider (a key already there, no inline keys).
                    ServiceProviderError::Invalid(m) => Failure::Refused(m),
                    other => refused(&other),
                })?;
            if cli.json {
                return output::json(&sp);
            }
            show(&sp);
            Ok(())
        }
    }
}
