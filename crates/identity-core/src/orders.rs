//! Orders tied to a holder (a digital-identity request and what follows it), and
//! the states they move through.

use chrono::{DateTime, Utc};

use crate::ids::{HolderId, OrderId};

/// What an order is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderKind {
    /// A digital identity request.
    DigitalIdentity,
    /// Renewal of a service.
    Renewal,
}

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    /// Placed, being processed.
    Open,
    /// Fulfilled.
    Completed,
    /// Cancelled.
    Cancelled,
}

/// An illegal change of an order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    /// Completed and cancelled orders do not change any more.
    #[error("the order is already completed or cancelled")]
    Final,
}

impl OrderKind {
    /// Stable storage code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            OrderKind::DigitalIdentity => "digital_identity",
            OrderKind::Renewal => "renewal",
        }
    }

    /// Inverse of [`OrderKind::code`].
    #[must_use]
    pub fn from_code(code: &str) -> Option<OrderKind> {
        [OrderKind::DigitalIdentity, OrderKind::Renewal]
            .into_iter()
            .find(|k| k.code() == code)
    }
}

impl OrderState {
    /// Stable storage code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            OrderState::Open => "open",
            OrderState::Completed => "completed",
            OrderState::Cancelled => "cancelled",
        }
    }

    /// Inverse of [`OrderState::code`].
    #[must_use]
    pub fn from_code(code: &str) -> Option<OrderState> {
        [
            OrderState::Open,
            OrderState::Completed,
            OrderState::Cancelled,
        ]
        .into_iter()
        .find(|k| k.code() == code)
    }
}

/// An order tied to a holder.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Order {
    /// Id.
    pub id: OrderId,
    /// Holder.
    pub holder_id: HolderId,
    /// What for.
    pub kind: OrderKind,
    /// State.
    pub state: OrderState,
    /// When it was placed.
    pub created_at: DateTime<Utc>,
}

impl Order {
    /// Moves to a new state; completed and cancelled orders are final.
    pub fn set_state(&mut self, state: OrderState) -> Result<(), OrderError> {
        if self.state != OrderState::Open {
            return Err(OrderError::Final);
        }
        self.state = state;
        Ok(())
    }
}
