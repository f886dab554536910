//! `correction list|approve|reject`: the holders' requests to fix a typo in an
//! identity field.

use clap::{Subcommand, ValueEnum};
use identity_core::Lang;
use identity_core::{CorrectionError, CorrectionId, CorrectionRequest, CorrectionState};
use identity_service::usecases::corrections::CorrectionOpError;
use identity_words::Words;
use serde_json::{Value, json};

use identity_service::OperatorRole;
use identity_service::usecases::approvals::ApprovedAction;

use crate::{Cli, Failure, context, output};

/// Correction request commands.
#[derive(Debug, Subcommand)]
pub enum CorrectionCommand {
    /// List correction requests, oldest first.
    List {
        /// Only requests in this state.
        #[arg(long, value_enum, default_value_t = StateFilter::Open)]
        state: StateFilter,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Approve a request: the value is corrected on the holder (checked against the
    /// tax code as at registration), and the holder is told by email.
    Approve {
        /// Correction request id (see `correction list`).
        id: CorrectionId,
    },
    /// Reject a request; the holder is told by email, with the reason.
    Reject {
        /// Correction request id (see `correction list`).
        id: CorrectionId,
        /// Why, in words for the holder (at most 500 characters).
        #[arg(long)]
        reason: String,
    },
}

/// Request states as CLI values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StateFilter {
    /// Waiting for an operator.
    Open,
    /// Approved and applied.
    Approved,
    /// Rejected.
    Rejected,
    /// Every request.
    All,
}

impl StateFilter {
    fn code(self) -> Option<&'static str> {
        match self {
            StateFilter::Open => Some("open"),
            StateFilter::Approved => Some("approved"),
            StateFilter::Rejected => Some("rejected"),
            StateFilter::All => None,
        }
    }
}

/// Who decided, when, and (for a rejection) why.
fn decision(
    c: &CorrectionRequest,
) -> (
    Option<&str>,
    Option<chrono::DateTime<chrono::Utc>>,
    Option<&str>,
) {
    match &c.state {
        CorrectionState::Open => (None, None, None),
        CorrectionState::Approved { by, at } => (Some(by), Some(*at), None),
        CorrectionState::Rejected { by, at, reason } => (Some(by), Some(*at), Some(reason)),
    }
}

/// A request as JSON, with every text in full (shared with `holder show`).
pub fn to_json(c: &CorrectionRequest) -> Value {
    let (decided_by, decided_at, rejection_reason) = decision(c);
    json!({
        "id": c.id,
        "holder_id": c.holder_id,
        "field": c.field.code(),
        "current_value": c.current_value,
        "requested_value": c.requested_value,
        "reason": c.reason,
        "opened_at": c.opened_at,
        "state": c.state.code(),
        "decided_by": decided_by,
        "decided_at": decided_at,
        "rejection_reason": rejection_reason,
    })
}

/// Prints requests as a table; `with_holder` adds the holder id column.
pub fn print_table(requests: &[CorrectionRequest], with_holder: bool) {
    let mut header = vec!["ID"];
    if with_holder {
        header.push("HOLDER");
    }
    header.extend([
        "FIELD",
        "ON RECORD",
        "REQUESTED",
        "REASON",
        "OPENED",
        "STATE",
        "DECIDED BY",
    ]);
    let rows: Vec<Vec<String>> = requests
        .iter()
        .map(|c| {
            let mut row = vec![c.id.to_string()];
            if with_holder {
                row.push(c.holder_id.to_string());
            }
            row.extend([
                c.field.code().to_owned(),
                output::cell(&c.current_value, 30),
                output::cell(&c.requested_value, 30),
                output::cell(&c.reason, 30),
                output::rome(c.opened_at),
                c.state.code().to_owned(),
                decision(c).0.unwrap_or_default().to_owned(),
            ]);
            row
        })
        .collect();
    output::table(&header, &rows);
}

pub async fn run(cli: &Cli, command: &CorrectionCommand) -> Result<(), Failure> {
    match command {
        CorrectionCommand::List { state, limit } => {
            let (service, _) = context::acting(cli, OperatorRole::Viewer).await?;
            let requests = service
                .list_corrections(state.code(), *limit)
                .await
                .map_err(|e| Failure::Refused(e.to_string()))?;
            if cli.json {
                return output::json(&requests.iter().map(to_json).collect::<Vec<_>>());
            }
            if requests.is_empty() {
                println!("no correction requests");
                return Ok(());
            }
            print_table(&requests, true);
            Ok(())
        }
        CorrectionCommand::Approve { id } => {
            let (service, operator) = context::acting(cli, OperatorRole::Operator).await?;
            if context::settings(cli)?.two_person_approval {
                let action = ApprovedAction::ApproveCorrection { correction: *id };
                return super::approval::requested(cli, &service, &action, &operator).await;
            }
            let request = service
                .approve_correction(*id, &operator.actor())
                .await
                .map_err(|e| refused("approve", *id, &e))?;
            report(cli, &request)
        }
        CorrectionCommand::Reject { id, reason } => {
            if reason.trim().is_empty() {
                return Err(Failure::Usage(
                    "--reason must say why, for the holder".into(),
                ));
            }
            let (service, operator) = context::acting(cli, OperatorRole::Operator).await?;
            let request = service
                .reject_correction(*id, reason, &operator.actor())
                .await
                .map_err(|e| refused("reject", *id, &e))?;
            report(cli, &request)
        }
    }
}

fn refused(verb: &str, id: CorrectionId, e: &CorrectionOpError) -> Failure {
    let message = format!(
        "cannot {verb} correction request {id}: {}",
        e.words(Lang::En)
    );
    match e {
        // Only the rejection reason can be wrong on the command line.
        CorrectionOpError::Refused(CorrectionError::Required(_)) => {
            Failure::Usage(format!("--reason: {}", e.words(Lang::En)))
        }
        _ => Failure::Refused(message),
    }
}

fn report(cli: &Cli, c: &CorrectionRequest) -> Result<(), Failure> {
    if cli.json {
        return output::json(&to_json(c));
    }
    match &c.state {
        CorrectionState::Approved { .. } => println!(
            "correction request {} approved: {} of holder {} is now {:?} (was {:?}); the holder is told by email",
            c.id,
            c.field.code(),
            c.holder_id,
            c.requested_value,
            c.current_value,
        ),
        _ => println!(
            "correction request {} {}: {} of holder {} stays {:?}; the holder is told by email",
            c.id,
            c.state.code(),
            c.field.code(),
            c.holder_id,
            c.current_value,
        ),
    }
    Ok(())
}
