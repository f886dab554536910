//! One module per command group.

pub mod api_client;
pub mod correction;
pub mod db;
pub mod holder;
pub mod identity;
pub mod login;
pub mod outbox;
