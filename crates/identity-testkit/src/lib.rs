//! # identity-testkit
//!
//! What every test of the workspace starts from, in the spirit of crates.io's
//! `TestApp`:
//!
//! - [`TestApp`]: the service on a fresh database (SQLite in a temporary directory,
//!   or PostgreSQL from `TEST_POSTGRES_URL`), a manual clock and a seeded source of
//!   randomness; [`TestApp::builder`] for other settings, [`both_backends!`] to run
//!   a test on each backend;
//! - [`TestServer`]: the real server on a free port ([`TestApp::serve`]);
//! - [`Browser`]: a cookie-keeping HTTP client (reqwest) that sends forms and shows
//!   each redirect;
//! - [`Mailbox`]: mail and SMS delivered by the real outbox worker into memory, and
//!   [`outbox`]/[`last_code`] for what is queued;
//! - [`first_admin`]: an operator to act as;
//! - the test people ([`mario`], [`person_registration`], [`mario_input`], ...)
//!   and the selfcare flows ([`active_identity`], [`enrol`], [`sign_in_l2`], ...);
//! - [`people_csv`]: import files of many made-up people with valid data;
//! - [`federation`]: a local OpenID Federation (trust anchor, intermediate,
//!   relying party) over http on loopback, each negative case one switch.
//!
//! A dev-dependency only: it panics on any failure, which is what a test wants.

#![deny(missing_docs)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::missing_panics_doc,
    reason = "a test kit fails the test by panicking"
)]

mod app;
mod client;
pub mod enumeration;
pub mod federation;
mod mailbox;
mod operators;
mod outbox;
mod people;
pub mod people_csv;
mod selfcare;
mod server;

pub use app::{Backend, LOGIN_DOMAIN, SEED, TestApp, TestAppBuilder, postgres, sqlite, start_time};
pub use client::{Browser, Reply, csrf_of, encode};
pub use mailbox::Mailbox;
pub use operators::first_admin;
pub use outbox::{Param, last_code, outbox};
pub use people::*;
pub use selfcare::*;
pub use server::{TestServer, free_port, wait_for_port};
