//! # identity-scale
//!
//! A national provider's database on demand, and the use cases measured on it:
//! `scale-populate` fills a SQLite or PostgreSQL database with a million holders
//! (valid tax codes, every subject kind, several logins each, identities in every
//! state) and tens of millions of access records and audit entries through the
//! store's bulk path; `scale-measure` times the hot requests and the calendar
//! jobs on it. docs/benchmarks.md has the figures and the commands.

pub mod people;
pub mod populate;
