//! `approval list|confirm|reject`: the two-person rule. With
//! `two_person_approval` on (the default), `identity verify` and `correction
//! approve` only ask; a second, different operator confirms (which carries the
//! decision out) or rejects.

use clap::{Subcommand, ValueEnum};
use identity_service::usecases::approvals::{ApprovalError, ApprovedAction};
use identity_service::{Approval, ApprovalState, Operator, OperatorRole, Service};
use serde_json::json;
use uuid::Uuid;

use crate::{Cli, Failure, context, output};

/// Approval commands.
#[derive(Debug, Subcommand)]
pub enum ApprovalCommand {
    /// List decisions waiting for a second operator (or in another state).
    List {
        /// Which ones.
        #[arg(long, value_enum, default_value_t = StateFilter::Pending)]
        state: StateFilter,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Confirm a decision another operator asked for; it is carried out at once.
    Confirm {
        /// Approval id.
        id: Uuid,
    },
    /// Reject a decision another operator asked for.
    Reject {
        /// Approval id.
        id: Uuid,
        /// Why, for the operator who asked.
        #[arg(long)]
        reason: String,
    },
}

/// Approval states as CLI values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StateFilter {
    /// Waiting for a second operator.
    Pending,
    /// Confirmed and carried out.
    Confirmed,
    /// Rejected.
    Rejected,
    /// Confirmed but could not be carried out.
    Failed,
    /// Every state.
    All,
}

impl StateFilter {
    fn state(self) -> Option<ApprovalState> {
        match self {
            StateFilter::Pending => Some(ApprovalState::Pending),
            StateFilter::Confirmed => Some(ApprovalState::Confirmed),
            StateFilter::Rejected => Some(ApprovalState::Rejected),
            StateFilter::Failed => Some(ApprovalState::Failed),
            StateFilter::All => None,
        }
    }
}

/// Asks for a second operator's confirmation of `action` and says how to give it.
pub async fn requested(
    cli: &Cli,
    service: &Service,
    action: &ApprovedAction,
    operator: &Operator,
) -> Result<(), Failure> {
    let approval = service
        .request_approval(action, operator)
        .await
        .map_err(|e| Failure::Refused(e.to_string()))?;
    if cli.json {
        return output::json(&approval);
    }
    println!(
        "{} of {} waits for a second operator (two-person rule): approval {}",
        approval.kind, approval.subject, approval.id
    );
    println!(
        "another operator confirms it with: identity-admin approval confirm {}",
        approval.id
    );
    Ok(())
}

fn print(cli: &Cli, approvals: &[Approval]) -> Result<(), Failure> {
    if cli.json {
        return output::json(&approvals);
    }
    if approvals.is_empty() {
        println!("no approvals");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = approvals
        .iter()
        .map(|a| {
            vec![
                a.id.to_string(),
                a.kind.clone(),
                a.subject.clone(),
                a.requested_by.clone(),
                output::rome(a.requested_at),
                a.state.code().to_owned(),
                a.decided_by.clone().unwrap_or_default(),
                output::cell(a.note.as_deref().unwrap_or_default(), 40),
            ]
        })
        .collect();
    output::table(
        &[
            "ID",
            "KIND",
            "SUBJECT",
            "ASKED BY",
            "ASKED AT",
            "STATE",
            "DECIDED BY",
            "NOTE",
        ],
        &rows,
    );
    Ok(())
}

fn refused(e: &ApprovalError) -> Failure {
    Failure::Refused(e.to_string())
}

pub async fn run(cli: &Cli, command: &ApprovalCommand) -> Result<(), Failure> {
    match command {
        ApprovalCommand::List { state, limit } => {
            let (service, _) = context::acting(cli, OperatorRole::Viewer).await?;
            let list = service
                .approvals(state.state(), *limit)
                .await
                .map_err(|e| Failure::Refused(e.to_string()))?;
            print(cli, &list)
        }
        ApprovalCommand::Confirm { id } => {
            let (service, operator) = context::acting(cli, OperatorRole::Operator).await?;
            let approval = service
                .confirm_approval(*id, &operator)
                .await
                .map_err(|e| refused(&e))?;
            if cli.json {
                return output::json(&approval);
            }
            println!(
                "approval {} confirmed: {} of {} is done",
                approval.id, approval.kind, approval.subject
            );
            Ok(())
        }
        ApprovalCommand::Reject { id, reason } => {
            if reason.trim().is_empty() {
                return Err(Failure::Usage("--reason must say why".into()));
            }
            let (service, operator) = context::acting(cli, OperatorRole::Operator).await?;
            let approval = service
                .reject_approval(*id, reason, &operator)
                .await
                .map_err(|e| refused(&e))?;
            if cli.json {
                return output::json(&json!(approval));
            }
            println!("approval {} rejected", approval.id);
            Ok(())
        }
    }
}
