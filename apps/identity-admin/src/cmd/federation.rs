//! `federation trust-anchor add|list|remove`, `federation trust-mark
//! add|list|remove`, `federation show`: the provider's place in its OpenID
//! Federation (docs/federation.md). Changes are audited.

use std::path::PathBuf;

use clap::Subcommand;
use identity_service::usecases::federation::admin::{
    FederationAdminError, check_entity_id, check_federation_jwks,
};
use identity_service::usecases::federation::jwt::unverified_claims;
use identity_service::{OperatorRole, Service};
use serde_json::{Value, json};

use crate::{Cli, Failure, context, output};

/// Federation commands.
#[derive(Debug, Subcommand)]
pub enum FederationCommand {
    /// Trust anchors: relying parties are recognised through a chain to one.
    #[command(subcommand)]
    TrustAnchor(TrustAnchorCommand),
    /// Trust marks this provider holds (published in its entity configuration).
    #[command(subcommand)]
    TrustMark(TrustMarkCommand),
    /// The provider's entity id, superiors, anchors, trust marks, the trust
    /// marks asked of relying parties, and its published federation keys (give
    /// a new one to the trust anchor within its 14 days of notice).
    Show,
}

/// Trust-anchor commands.
#[derive(Debug, Subcommand)]
pub enum TrustAnchorCommand {
    /// Add a trust anchor (or replace its keys). Give its federation keys in a
    /// JWKS file, or --fetch them from its entity configuration and compare the
    /// printed key ids with those its authority announces.
    Add {
        /// Its entity id, exactly (trailing slash included).
        #[arg(long)]
        entity_id: String,
        /// A file with its federation public keys (a JWKS document).
        #[arg(
            long,
            value_name = "FILE",
            conflicts_with = "fetch",
            required_unless_present = "fetch"
        )]
        jwks_file: Option<PathBuf>,
        /// Take the keys it publishes in its own entity configuration.
        #[arg(long)]
        fetch: bool,
    },
    /// List the trust anchors (configuration file and added ones).
    List,
    /// Remove a trust anchor added with `add`.
    Remove {
        /// Its entity id, exactly.
        entity_id: String,
    },
}

/// Trust-mark commands.
#[derive(Debug, Subcommand)]
pub enum TrustMarkCommand {
    /// Add a trust mark issued to this provider (a signed JWT, or the JSON
    /// element `{"trust_mark": "…"}` of a trust_marks list; replaces one with
    /// the same id).
    Add {
        /// A file holding the trust mark.
        #[arg(
            long,
            value_name = "FILE",
            conflicts_with = "jwt",
            required_unless_present = "jwt"
        )]
        file: Option<PathBuf>,
        /// The trust mark itself.
        #[arg(long, value_name = "JWT")]
        jwt: Option<String>,
    },
    /// List the trust marks held.
    List,
    /// Remove a trust mark added with `add`.
    Remove {
        /// Its id.
        id: String,
    },
}

/// What the operator typed is wrong (exit code 2): checked before the
/// database is opened.
fn usage(e: FederationAdminError) -> Failure {
    Failure::Usage(e.to_string())
}

/// A well-formed request the provider refuses (exit code 1): a trust mark
/// about another entity or expired, keys that cannot be fetched or do not
/// verify, an unknown id, an operator without the role.
fn refused(e: FederationAdminError) -> Failure {
    match e {
        FederationAdminError::Invalid(m) => Failure::Refused(m),
        other => Failure::Refused(other.to_string()),
    }
}

/// [`refused`], with the setting to turn on when plain http to the loopback
/// (a local federation) was refused because it is off.
fn fetch_refused(service: &Service, entity_id: &str, e: FederationAdminError) -> Failure {
    let message = e.to_string();
    if entity_id.trim().starts_with("http://")
        && !service.config().federation.fetch.allow_http_loopback
    {
        Failure::Refused(format!(
            "{message} (plain http, to the loopback only, is fetched for a local federation \
             when federation.fetch.allow_http_loopback is true: \
             IDENTITY_FEDERATION__FETCH__ALLOW_HTTP_LOOPBACK=true)"
        ))
    } else {
        Failure::Refused(message)
    }
}

fn kids(jwks: &Value) -> String {
    jwks["keys"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|k| k.get("kid").and_then(Value::as_str))
        .collect::<Vec<_>>()
        .join(", ")
}

pub async fn run(cli: &Cli, command: &FederationCommand) -> Result<(), Failure> {
    match command {
        FederationCommand::TrustAnchor(c) => trust_anchor(cli, c).await,
        FederationCommand::TrustMark(c) => trust_mark(cli, c).await,
        FederationCommand::Show => {
            let (service, _) = context::acting(cli, OperatorRole::Viewer).await?;
            let anchors = service
                .trust_anchors()
                .await
                .map_err(|e| Failure::Refused(e.to_string()))?;
            let marks = service
                .held_trust_marks()
                .await
                .map_err(|e| Failure::Refused(e.to_string()))?;
            let federation_keys = service
                .published_keys(identity_service::ports::KeyPurpose::Federation)
                .await
                .map_err(|e| Failure::Refused(identity_service::error_chain(&e)))?;
            let f = &service.config().federation;
            let hints: Vec<String> = if f.authority_hints.is_empty() {
                anchors.iter().map(|a| a.entity_id.clone()).collect()
            } else {
                f.authority_hints.clone()
            };
            if cli.json {
                return output::json(&json!({
                    "entity_id": service.entity_id(),
                    "authority_hints": hints,
                    "trust_anchors": anchors.iter().map(|a| &a.entity_id).collect::<Vec<_>>(),
                    "trust_marks": marks.iter().map(|(id, _)| id).collect::<Vec<_>>(),
                    "required_trust_marks": f.required_trust_marks,
                    "federation_keys": federation_keys,
                }));
            }
            output::fields(&[
                ("Entity id", service.entity_id()),
                ("Authority hints", hints.join(" ")),
                (
                    "Trust anchors",
                    anchors
                        .iter()
                        .map(|a| a.entity_id.clone())
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
                (
                    "Trust marks held",
                    marks
                        .iter()
                        .map(|(id, _)| id.clone())
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
                (
                    "Trust marks asked of relying parties",
                    f.required_trust_marks.join(" "),
                ),
                ("Federation key ids (published)", kids(&federation_keys)),
            ]);
            Ok(())
        }
    }
}

async fn trust_anchor(cli: &Cli, command: &TrustAnchorCommand) -> Result<(), Failure> {
    match command {
        TrustAnchorCommand::Add {
            entity_id,
            jwks_file,
            fetch,
        } => {
            // The entity id and the key file are what the operator typed:
            // checked before the database is opened, whether the keys come
            // from the file or are to be fetched.
            check_entity_id(entity_id.trim()).map_err(usage)?;
            let from_file = match jwks_file {
                Some(path) => {
                    let text = std::fs::read_to_string(path)
                        .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
                    let jwks = serde_json::from_str::<Value>(&text).map_err(|e| {
                        Failure::Usage(format!("{}: not JSON: {e}", path.display()))
                    })?;
                    check_federation_jwks(&jwks)
                        .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
                    Some(jwks)
                }
                None if *fetch => None,
                None => return Err(Failure::Usage("give --jwks-file or --fetch".into())),
            };
            let (service, admin) = context::acting(cli, OperatorRole::Admin).await?;
            let jwks = match from_file {
                Some(jwks) => jwks,
                None => service
                    .fetch_published_federation_keys(entity_id)
                    .await
                    .map_err(|e| fetch_refused(&service, entity_id, e))?,
            };
            // What is left to refuse is about fetched keys (one without kid).
            let anchor = service
                .add_trust_anchor(entity_id, &jwks, &admin)
                .await
                .map_err(refused)?;
            if cli.json {
                return output::json(&anchor);
            }
            output::fields(&[
                ("Trust anchor", anchor.entity_id.clone()),
                ("Key ids", kids(&anchor.jwks)),
                ("Added by", anchor.added_by.clone()),
            ]);
            Ok(())
        }
        TrustAnchorCommand::List => {
            let (service, _) = context::acting(cli, OperatorRole::Viewer).await?;
            let anchors = service
                .trust_anchors()
                .await
                .map_err(|e| Failure::Refused(e.to_string()))?;
            if cli.json {
                return output::json(&anchors);
            }
            if anchors.is_empty() {
                println!("no trust anchors");
                return Ok(());
            }
            let rows: Vec<Vec<String>> = anchors
                .iter()
                .map(|a| {
                    vec![
                        a.entity_id.clone(),
                        kids(&a.jwks),
                        a.added_by.clone(),
                        if a.added_by == "config" {
                            String::new()
                        } else {
                            output::rome(a.added_at)
                        },
                    ]
                })
                .collect();
            output::table(&["ENTITY ID", "KEY IDS", "ADDED BY", "ADDED AT"], &rows);
            Ok(())
        }
        TrustAnchorCommand::Remove { entity_id } => {
            let (service, admin) = context::acting(cli, OperatorRole::Admin).await?;
            service
                .remove_trust_anchor(entity_id, &admin)
                .await
                .map_err(|e| match e {
                    FederationAdminError::NotFound => Failure::Refused(format!(
                        "no trust anchor {entity_id:?} was added (those of the configuration file are removed there)"
                    )),
                    other => refused(other),
                })?;
            if cli.json {
                return output::json(&json!({ "entity_id": entity_id, "removed": true }));
            }
            println!("trust anchor {entity_id} removed");
            Ok(())
        }
    }
}

async fn trust_mark(cli: &Cli, command: &TrustMarkCommand) -> Result<(), Failure> {
    match command {
        TrustMarkCommand::Add { file, jwt } => {
            let text = match (file, jwt) {
                (Some(path), _) => std::fs::read_to_string(path)
                    .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?,
                (None, Some(jwt)) => jwt.clone(),
                (None, None) => return Err(Failure::Usage("give --file or --jwt".into())),
            };
            // A trust mark as its issuer hands it out: the JWT itself, or the
            // element of a `trust_marks` array (`{"trust_mark": "…", …}`).
            let text = match serde_json::from_str::<Value>(text.trim()) {
                Ok(element) => element
                    .get("trust_mark")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| {
                        Failure::Usage(
                            "a JSON trust mark must have a \"trust_mark\" member (the JWT)".into(),
                        )
                    })?,
                Err(_) => text,
            };
            // Not a JWT at all was typed wrong (2, before the database is
            // opened); a JWT about another entity, expired or without an id
            // is a trust mark the provider refuses (1).
            unverified_claims(text.trim())
                .map_err(|e| Failure::Usage(format!("the trust mark is not a signed JWT: {e}")))?;
            let (service, admin) = context::acting(cli, OperatorRole::Admin).await?;
            let mark = service
                .add_held_trust_mark(&text, &admin)
                .await
                .map_err(refused)?;
            if cli.json {
                return output::json(&mark);
            }
            output::fields(&[("Trust mark", mark.id.clone()), ("Added by", mark.added_by)]);
            Ok(())
        }
        TrustMarkCommand::List => {
            let (service, _) = context::acting(cli, OperatorRole::Viewer).await?;
            let marks = service
                .held_trust_marks()
                .await
                .map_err(|e| Failure::Refused(e.to_string()))?;
            if cli.json {
                return output::json(
                    &marks
                        .iter()
                        .map(|(id, jwt)| json!({ "id": id, "trust_mark": jwt }))
                        .collect::<Vec<_>>(),
                );
            }
            if marks.is_empty() {
                println!("no trust marks");
                return Ok(());
            }
            let rows: Vec<Vec<String>> = marks
                .iter()
                .map(|(id, jwt)| vec![id.clone(), output::cell(jwt, 40)])
                .collect();
            output::table(&["ID", "TRUST MARK"], &rows);
            Ok(())
        }
        TrustMarkCommand::Remove { id } => {
            let (service, admin) = context::acting(cli, OperatorRole::Admin).await?;
            service
                .remove_held_trust_mark(id, &admin)
                .await
                .map_err(|e| match e {
                    FederationAdminError::NotFound => Failure::Refused(format!(
                        "no trust mark {id:?} was added (those of the configuration file are removed there)"
                    )),
                    other => refused(other),
                })?;
            if cli.json {
                return output::json(&json!({ "id": id, "removed": true }));
            }
            println!("trust mark {id} removed");
            Ok(())
        }
    }
}
