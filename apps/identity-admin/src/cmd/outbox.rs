//! `outbox list` and `outbox retry`.

use clap::{Subcommand, ValueEnum};
use identity_core::calendar;
use identity_service::{OutboxStatus, StoreError};
use serde_json::json;
use uuid::Uuid;

use identity_service::OperatorRole;

use crate::{Cli, Failure, context, output};

/// Outbox commands.
#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// List queued, sent or failed mail, oldest first.
    List {
        /// Only messages in this state.
        #[arg(long, value_enum)]
        status: Option<Status>,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Queue a message again, due now (after fixing the mail server).
    Retry {
        /// Message id (see `outbox list`).
        id: Uuid,
    },
}

/// Delivery states as CLI values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Status {
    /// Waiting to be sent.
    Pending,
    /// Delivered.
    Sent,
    /// Given up.
    Failed,
}

pub async fn run(cli: &Cli, command: &OutboxCommand) -> Result<(), Failure> {
    match command {
        OutboxCommand::List { status, limit } => {
            let status = status.map(|s| match s {
                Status::Pending => OutboxStatus::Pending,
                Status::Sent => OutboxStatus::Sent,
                Status::Failed => OutboxStatus::Failed,
            });
            let service = context::acting(cli, OperatorRole::Viewer).await?.0;
            let mut messages = service
                .outbox(status, *limit)
                .await
                .map_err(|e| Failure::Refused(e.to_string()))?;
            // Codes and links of queued mail are the holders' secrets, not the
            // operator's: never printed.
            for m in &mut messages {
                m.params = identity_service::model::redact_secrets(&m.params);
            }
            if cli.json {
                return output::json(&messages);
            }
            let rows: Vec<Vec<String>> = messages
                .iter()
                .map(|m| {
                    vec![
                        m.id.to_string(),
                        calendar::in_rome(m.created_at)
                            .format("%Y-%m-%d %H:%M")
                            .to_string(),
                        m.to.clone(),
                        m.template.clone(),
                        m.status.code().to_owned(),
                        m.attempts.to_string(),
                        m.last_error.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            output::table(
                &[
                    "ID",
                    "QUEUED",
                    "TO",
                    "TEMPLATE",
                    "STATUS",
                    "ATTEMPTS",
                    "LAST ERROR",
                ],
                &rows,
            );
            Ok(())
        }
        OutboxCommand::Retry { id } => {
            let (service, operator) = context::acting(cli, OperatorRole::Operator).await?;
            match service.retry_mail(*id, &operator.actor()).await {
                Ok(()) if cli.json => output::json(&json!({ "id": id, "status": "pending" })),
                Ok(()) => {
                    println!("message {id} queued again");
                    Ok(())
                }
                Err(StoreError::NotFound) => {
                    Err(Failure::Refused(format!("no message {id} in the outbox")))
                }
                Err(StoreError::Conflict) => Err(Failure::Refused(format!(
                    "message {id} failed for good and its codes were blanked: sent again it would carry none; the holder must ask for a new code"
                ))),
                Err(e) => Err(Failure::Refused(e.to_string())),
            }
        }
    }
}
