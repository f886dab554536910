//! The OpenID Connect provider on the SPID profile (docs/domain.md §6): its
//! signing keys and their rotation, how service providers authenticate at the
//! token endpoint, the authorization request waiting for the holder and the
//! consent, codes, access, ID and refresh tokens, the userinfo attributes, and
//! the transaction log.

pub mod authorization_codes;
pub mod claims;
pub mod client_auth;
pub mod jwe;
pub mod keys;
pub mod keystore;
pub mod log;
pub mod provider;
pub mod refresh;
pub mod tokens;
