//! Single-use codes sent by email, and what each proves.

use chrono::{DateTime, Utc};
use identity_core::{HolderId, LoginNumber};

/// What a single-use code sent by email proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CodePurpose {
    /// The reference email given at registration reaches the holder.
    VerifyEmail,
    /// A new reference email (the code's target) reaches the holder.
    ChangeEmail,
    /// The holder of the login may choose a new password.
    ResetPassword,
    /// The mobile phone (the code's target) reaches the holder: sent by SMS when
    /// a digital identity is requested or the authenticator is re-enrolled.
    VerifyPhone,
    /// Blocks the holder's identity in an emergency (sent to the reference email).
    EmergencyBlock,
    /// Confirms the reactivation of a suspended identity.
    ReactivateIdentity,
    /// Confirms the holder's request to revoke its identity.
    RevokeIdentity,
    /// Proves control of the reference email to get a new emergency code.
    NewEmergencyCode,
    /// Unblocks level 2 after too many wrong one-time codes.
    UnblockLevel2,
    /// Proves control of the reference email to re-enrol the authenticator.
    ReenrolAuthenticator,
    /// The holder of an identity's username, who gave the emergency code, may
    /// choose a new password.
    ResetIdentityPassword,
    /// A new mobile phone (the code's target) reaches the holder of an identity.
    ChangePhone,
}

impl CodePurpose {
    /// Stable storage code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            CodePurpose::VerifyEmail => "verify_email",
            CodePurpose::ChangeEmail => "change_email",
            CodePurpose::ResetPassword => "reset_password",
            CodePurpose::VerifyPhone => "verify_phone",
            CodePurpose::EmergencyBlock => "emergency_block",
            CodePurpose::ReactivateIdentity => "reactivate_identity",
            CodePurpose::RevokeIdentity => "revoke_identity",
            CodePurpose::NewEmergencyCode => "new_emergency_code",
            CodePurpose::UnblockLevel2 => "unblock_level2",
            CodePurpose::ReenrolAuthenticator => "reenrol_authenticator",
            CodePurpose::ResetIdentityPassword => "reset_identity_password",
            CodePurpose::ChangePhone => "change_phone",
        }
    }

    /// Inverse of [`CodePurpose::code`].
    #[must_use]
    pub fn from_code(code: &str) -> Option<CodePurpose> {
        [
            CodePurpose::VerifyEmail,
            CodePurpose::ChangeEmail,
            CodePurpose::ResetPassword,
            CodePurpose::VerifyPhone,
            CodePurpose::EmergencyBlock,
            CodePurpose::ReactivateIdentity,
            CodePurpose::RevokeIdentity,
            CodePurpose::NewEmergencyCode,
            CodePurpose::UnblockLevel2,
            CodePurpose::ReenrolAuthenticator,
            CodePurpose::ResetIdentityPassword,
            CodePurpose::ChangePhone,
        ]
        .into_iter()
        .find(|p| p.code() == code)
    }

    /// How long a code of this purpose stays usable.
    #[must_use]
    pub fn lifetime(self) -> chrono::Duration {
        match self {
            CodePurpose::VerifyEmail | CodePurpose::ChangeEmail => chrono::Duration::hours(48),
            CodePurpose::ResetPassword
            | CodePurpose::EmergencyBlock
            | CodePurpose::ReactivateIdentity
            | CodePurpose::RevokeIdentity
            | CodePurpose::NewEmergencyCode
            | CodePurpose::UnblockLevel2
            | CodePurpose::ReenrolAuthenticator
            | CodePurpose::ResetIdentityPassword => chrono::Duration::minutes(30),
            CodePurpose::VerifyPhone | CodePurpose::ChangePhone => chrono::Duration::minutes(15),
        }
    }
}

/// A single-use code sent by email, stored by the hash of its text only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneTimeCode {
    /// SHA-256 of the normalized code.
    pub code_hash: String,
    /// What it proves.
    pub purpose: CodePurpose,
    /// The holder it was sent to.
    pub holder_id: HolderId,
    /// The login a password reset is for.
    pub login: Option<LoginNumber>,
    /// The new address an email change is for.
    pub target: Option<String>,
    /// When it was sent.
    pub created_at: DateTime<Utc>,
    /// After this it is refused.
    pub expires_at: DateTime<Utc>,
    /// When it was used; a used code is refused.
    pub used_at: Option<DateTime<Utc>>,
}

impl OneTimeCode {
    /// Whether the code can still be used at `now` for `purpose`.
    #[must_use]
    pub fn usable(&self, purpose: CodePurpose, now: DateTime<Utc>) -> bool {
        self.purpose == purpose && self.used_at.is_none() && now < self.expires_at
    }
}
