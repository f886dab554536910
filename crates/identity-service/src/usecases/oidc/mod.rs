//! The OpenID Connect provider (DOMAIN.md section 6), built step by step: its
//! signing keys and their rotation, and how service providers authenticate at
//! the token endpoint, come first.

pub mod claims;
pub mod client_auth;
pub mod codes;
pub mod keys;
pub mod refresh;
