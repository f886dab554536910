//! Credentials: the levels an identity has activated (1 password, 2 one-time code
//! from an authenticator app, 3 hardware-bound key), TOTP (RFC 6238), emergency
//! codes and the random one-time codes and tokens sent by email or SMS.
//!
//! Everything here is pure: the random-number generator and the time are passed in.

pub mod emergency_code;
pub mod levels;
pub mod random_secrets;
pub mod totp;

pub use emergency_code::EmergencyCode;
pub use levels::{
    CredentialLevel, CredentialLevels, LevelState, LevelTransitionError, SignInBlocked,
};
pub use random_secrets::{
    constant_time_eq, normalize_readable_code, random_numeric_code, random_readable_code,
    random_token,
};
pub use totp::{TotpError, TotpSecret, TotpState, totp_code};
