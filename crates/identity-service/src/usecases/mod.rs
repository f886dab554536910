//! The use cases, one module each, each with its own error type.

pub mod identity;
pub mod logins;
pub mod lookup;
pub mod outbox;
pub mod register;
pub mod sessions;
pub mod sign_in;
