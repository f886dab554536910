//! `order list|show|set-state`: the orders tied to holders (the digital-identity
//! request, renewals), which holders follow in the customer area.

use clap::{Subcommand, ValueEnum};
use identity_core::OrderState;
use identity_core::{Order, OrderId};
use identity_service::{OperatorRole, StoreError};

use crate::{Cli, Failure, context, output};

/// Order commands.
#[derive(Debug, Subcommand)]
pub enum OrderCommand {
    /// List orders, newest first.
    List {
        /// Which ones.
        #[arg(long, value_enum, default_value_t = StateFilter::Open)]
        state: StateFilter,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Show one order.
    Show {
        /// Order id.
        id: OrderId,
    },
    /// Move an open order on: completed or cancelled (both final).
    SetState {
        /// Order id.
        id: OrderId,
        /// The new state.
        #[arg(value_enum)]
        state: NewState,
    },
}

/// Order states to list.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StateFilter {
    /// In progress.
    Open,
    /// Completed.
    Completed,
    /// Cancelled.
    Cancelled,
    /// Every state.
    All,
}

/// States an operator can set.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum NewState {
    /// Done.
    Completed,
    /// Not going ahead.
    Cancelled,
}

fn print(cli: &Cli, orders: &[Order]) -> Result<(), Failure> {
    if cli.json {
        return output::json(&orders);
    }
    if orders.is_empty() {
        println!("no orders");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = orders
        .iter()
        .map(|o| {
            vec![
                o.id.to_string(),
                o.holder_id.to_string(),
                o.kind.code().to_owned(),
                o.state.code().to_owned(),
                output::rome(o.created_at),
            ]
        })
        .collect();
    output::table(&["ORDER", "HOLDER", "KIND", "STATE", "PLACED"], &rows);
    Ok(())
}

pub async fn run(cli: &Cli, command: &OrderCommand) -> Result<(), Failure> {
    match command {
        OrderCommand::List { state, limit } => {
            let state = match state {
                StateFilter::Open => Some(OrderState::Open),
                StateFilter::Completed => Some(OrderState::Completed),
                StateFilter::Cancelled => Some(OrderState::Cancelled),
                StateFilter::All => None,
            };
            let (service, _) = context::acting(cli, OperatorRole::Viewer).await?;
            let orders = service
                .list_orders(state, *limit)
                .await
                .map_err(|e| Failure::Refused(e.to_string()))?;
            print(cli, &orders)
        }
        OrderCommand::Show { id } => {
            let (service, _) = context::acting(cli, OperatorRole::Viewer).await?;
            let order = service.order(*id).await.map_err(|e| match e {
                StoreError::NotFound => Failure::Refused(format!("no order {id}")),
                other => Failure::Refused(other.to_string()),
            })?;
            if cli.json {
                return output::json(&order);
            }
            output::fields(&[
                ("Order", order.id.to_string()),
                ("Holder", order.holder_id.to_string()),
                ("Kind", order.kind.code().to_owned()),
                ("State", order.state.code().to_owned()),
                ("Placed", output::rome(order.created_at)),
            ]);
            Ok(())
        }
        OrderCommand::SetState { id, state } => {
            let state = match state {
                NewState::Completed => OrderState::Completed,
                NewState::Cancelled => OrderState::Cancelled,
            };
            let (service, operator) = context::acting(cli, OperatorRole::Operator).await?;
            let order = service
                .set_order_state(*id, state, &operator)
                .await
                .map_err(|e| Failure::Refused(format!("order {id}: {e}")))?;
            if cli.json {
                return output::json(&order);
            }
            println!("order {} is now {}", order.id, order.state.code());
            Ok(())
        }
    }
}
