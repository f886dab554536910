//! One module per command group.

pub mod access;
pub mod api_client;
pub mod approval;
pub mod audit;
pub mod config;
pub mod correction;
pub mod credential;
pub mod db;
pub mod docs;
pub mod federation;
pub mod healthcheck;
pub mod holder;
pub mod identity;
pub mod import;
pub mod jobs;
pub mod login;
pub mod operator;
pub mod order;
pub mod outbox;
pub mod sp;
