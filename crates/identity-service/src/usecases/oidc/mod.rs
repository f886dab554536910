//! The OpenID Connect provider (DOMAIN.md section 6), built step by step: its
//! signing keys and their rotation come first.

pub mod keys;
