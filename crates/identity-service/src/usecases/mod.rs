//! The use cases, one module each, each with its own error type.

pub mod api_clients;
pub mod approvals;
pub mod closure;
pub mod codes;
pub mod contacts;
pub mod corrections;
pub mod email;
pub mod export;
pub mod identity;
pub mod jobs;
pub mod limits;
pub mod logins;
pub mod lookup;
pub mod new_login;
pub mod operators;
pub mod outbox;
pub mod password;
pub mod privacy;
pub mod recovery;
pub mod register;
pub mod register_input;
pub mod selfcare;
pub mod sessions;
pub mod sign_in;
