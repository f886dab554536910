//! The pure parts of OpenID Federation 1.0 as the Italian SPID/CIE OpenID
//! Connect federation uses it (docs/federation.md): entity statements and
//! their checks, trust chains, and metadata policies.

pub mod policy;
pub mod statement;
