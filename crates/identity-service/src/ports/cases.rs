//! Storage of the cases operators decide (correction requests) and of orders.

use async_trait::async_trait;
use identity_core::correction::CorrectionRequest;
use identity_core::{CorrectionId, HolderId, Order, OrderId};

use super::StoreError;

/// Part of [`super::StoreTx`]: methods work inside the transaction.
#[async_trait]
pub trait CaseTx: Send {
    /// Stores a new correction request. MUST return `Duplicate("correction")` if the
    /// id exists.
    async fn insert_correction(&mut self, request: &CorrectionRequest) -> Result<(), StoreError>;

    /// Loads a correction request and locks it until the transaction ends. MUST
    /// return `NotFound` if there is none.
    async fn correction_for_update(
        &mut self,
        id: CorrectionId,
    ) -> Result<CorrectionRequest, StoreError>;

    /// Saves the decision on a correction request. MUST return `NotFound` if absent.
    async fn update_correction(&mut self, request: &CorrectionRequest) -> Result<(), StoreError>;

    /// The holder's correction requests, newest first.
    async fn corrections_of(
        &mut self,
        holder: HolderId,
    ) -> Result<Vec<CorrectionRequest>, StoreError>;

    /// Correction requests in state `state` (`open`, `approved`, `rejected`; all
    /// with `None`), oldest first, at most `limit`.
    async fn corrections(
        &mut self,
        state: Option<&str>,
        limit: u32,
    ) -> Result<Vec<CorrectionRequest>, StoreError>;

    /// Stores a new order. MUST return `Duplicate("order")` if the id exists.
    async fn insert_order(&mut self, order: &Order) -> Result<(), StoreError>;

    /// The holder's orders, newest first.
    async fn orders_of(&mut self, holder: HolderId) -> Result<Vec<Order>, StoreError>;

    /// Orders in state `state` (`open`, `completed`, `cancelled`; all with
    /// `None`), newest first, at most `limit`.
    async fn orders(&mut self, state: Option<&str>, limit: u32) -> Result<Vec<Order>, StoreError>;

    /// The order `id`, locked until the transaction ends when `lock` (only in a
    /// transaction from `begin`). MUST return `NotFound` if none.
    async fn order(&mut self, id: OrderId, lock: bool) -> Result<Order, StoreError>;

    /// Saves an order's state. MUST return `NotFound` if absent.
    async fn update_order(&mut self, order: &Order) -> Result<(), StoreError>;
}
