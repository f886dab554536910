//! Orders tied to holders (the digital-identity request, renewals): the holder
//! sees them in the customer area; operators list them and move them on.

use identity_core::{HolderId, Order, OrderId};
use identity_core::{OrderError, OrderKind, OrderState};
use serde_json::json;
use uuid::Uuid;

use crate::error::{Found, InfraError, infra_error};
use crate::model::{Operator, OperatorRole};
use crate::ports::{StoreError, StoreTx};
use crate::service::{Service, audit};
use crate::usecases::operators::OperatorError;

/// Why an order could not change.
#[derive(Debug, thiserror::Error)]
pub enum OrderOpError {
    /// No such order.
    #[error("no such order")]
    NotFound,
    /// Completed and cancelled orders are final.
    #[error(transparent)]
    Order(#[from] OrderError),
    /// The operator may not do it.
    #[error(transparent)]
    Operator(#[from] OperatorError),
    /// The machinery failed (storage, hashing, sealing): nothing the user can fix.
    #[error(transparent)]
    Infra(#[from] InfraError),
}

infra_error!(OrderOpError);

/// Opens an order of `kind` for `holder`, inside the caller's transaction.
pub(crate) async fn open_order(
    tx: &mut dyn StoreTx,
    holder: HolderId,
    kind: OrderKind,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<Order, StoreError> {
    let order = Order {
        id: OrderId::from_uuid(Uuid::now_v7()),
        holder_id: holder,
        kind,
        state: OrderState::Open,
        created_at: at,
    };
    tx.insert_order(&order).await?;
    Ok(order)
}

/// Moves the holder's open orders of `kind` to `to` (completed or cancelled),
/// inside the caller's transaction.
pub(crate) async fn settle_open_orders(
    tx: &mut dyn StoreTx,
    holder: HolderId,
    kind: OrderKind,
    to: OrderState,
) -> Result<(), StoreError> {
    for mut order in tx.orders_of(holder).await? {
        if order.kind == kind && order.state == OrderState::Open {
            order.state = to;
            tx.update_order(&order).await?;
        }
    }
    Ok(())
}

impl Service {
    /// Orders in `state` (all with `None`), newest first.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn list_orders(
        &self,
        state: Option<OrderState>,
        limit: u32,
    ) -> Result<Vec<Order>, StoreError> {
        let mut tx = self.store.begin_read().await?;
        tx.orders(state.map(OrderState::code), limit).await
    }

    /// One order.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), order = %id))]
    pub async fn order(&self, id: OrderId) -> Result<Order, StoreError> {
        let mut tx = self.store.begin_read().await?;
        tx.order(id, false).await
    }

    /// An operator moves an open order on (completed or cancelled), audited.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), order = %id, operator = %by.name))]
    pub async fn set_order_state(
        &self,
        id: OrderId,
        state: OrderState,
        by: &Operator,
    ) -> Result<Order, OrderOpError> {
        by.require(OperatorRole::Operator)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut order = tx
            .order(id, true)
            .await
            .or_missing(OrderOpError::NotFound)?;
        let from = order.state;
        order.set_state(state)?;
        tx.update_order(&order).await?;
        audit(
            tx.as_mut(),
            now,
            &by.actor().to_audit_string(),
            "order.state_changed",
            Some(order.holder_id),
            json!({ "order": order.id, "kind": order.kind.code(), "from": from.code(), "to": state.code() }),
        )
        .await?;
        tx.commit().await?;
        Ok(order)
    }
}
