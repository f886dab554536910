//! `credential unblock`: an operator unblocks level 2 of an identity after 5
//! wrong one-time codes, for a holder who proved who they are.

use clap::Subcommand;
use identity_core::CredentialLevel;
use identity_core::ids::IdentityId;
use serde_json::json;

use identity_service::OperatorRole;
use identity_service::usecases::selfcare::operator::OperatorUnblockError;

use crate::{Cli, Failure, context, output};

/// Credential commands.
#[derive(Debug, Subcommand)]
pub enum CredentialCommand {
    /// Unblock a blocked credential level (level 2 after 5 wrong codes); the holder is told.
    Unblock {
        /// Identity id.
        id: IdentityId,
        /// The level to unblock (only level 2 can be blocked).
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(2..=3))]
        level: u8,
    },
}

pub async fn run(cli: &Cli, command: &CredentialCommand) -> Result<(), Failure> {
    let CredentialCommand::Unblock { id, level } = command;
    let level = CredentialLevel::from_u8(*level)
        .ok_or_else(|| Failure::Usage("--level must be 2 or 3".into()))?;
    let (service, operator) = context::acting(cli, OperatorRole::Operator).await?;
    let creds = service
        .operator_unblock_level(*id, level, operator.actor())
        .await
        .map_err(|e| match e {
            OperatorUnblockError::Infra(e) => Failure::from(e),
            refused => Failure::Refused(refused.to_string()),
        })?;
    if cli.json {
        return output::json(
            &json!({ "id": id, "level": level.as_u8(), "state": "active", "consecutive_failures": creds.totp_state.consecutive_failures() }),
        );
    }
    println!("level {} of identity {id} is active again", level.as_u8());
    Ok(())
}
