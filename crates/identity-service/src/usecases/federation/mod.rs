//! The provider as a member of an OpenID Federation (docs/federation.md): its
//! entity configuration, the trust anchors and trust marks the operators set,
//! trust-chain resolution with its bounded fetches, the automatic
//! registration of relying parties, and the resolve endpoint.

pub mod admin;
pub mod chain;
pub mod configuration;
pub mod encrypted;
pub mod fetch;
pub mod jwt;
pub mod registration;
pub mod resolve;
pub mod settings;
