//! Credential levels 1-3 and their lifecycle.
//!
//! Level 1 is the username's password, level 2 a one-time code from an
//! authenticator app (TOTP), level 3 a credential whose private key lives on a
//! device. Each level is `NotActivated`, `Active`, `Blocked` (level 2 after 5 wrong
//! codes; unblocked with an email code or the emergency code) or `Revoked` (with the
//! identity: terminal, for every level at once).
//!
//! **A block is never a downgrade.** The identity signs in with the highest level
//! it holds, active *or blocked* ([`CredentialLevels::required_sign_in_level`]):
//! if level 2 is blocked, sign-in is refused until it is unblocked; it does not
//! fall back to the password alone, which would defeat the block. For the same
//! reason a blocked level cannot be removed, only unblocked first.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A credential level (SPID "livello").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum CredentialLevel {
    /// Level 1: password.
    L1,
    /// Level 2: password + one-time code (TOTP).
    L2,
    /// Level 3: password + device-bound key (WebAuthn with user verification, or a client certificate).
    L3,
}

impl CredentialLevel {
    /// All levels, lowest first.
    pub const ALL: [CredentialLevel; 3] = [
        CredentialLevel::L1,
        CredentialLevel::L2,
        CredentialLevel::L3,
    ];

    /// 1, 2 or 3.
    #[must_use]
    pub const fn as_u8(self) -> u8 {
        match self {
            CredentialLevel::L1 => 1,
            CredentialLevel::L2 => 2,
            CredentialLevel::L3 => 3,
        }
    }

    /// The level numbered `n`; `None` unless 1, 2 or 3.
    #[must_use]
    pub const fn from_u8(n: u8) -> Option<CredentialLevel> {
        match n {
            1 => Some(CredentialLevel::L1),
            2 => Some(CredentialLevel::L2),
            3 => Some(CredentialLevel::L3),
            _ => None,
        }
    }

    /// The SPID authentication context class (`acr`), e.g. `https://www.spid.gov.it/SpidL2`.
    #[must_use]
    pub const fn spid_acr(self) -> &'static str {
        match self {
            CredentialLevel::L1 => "https://www.spid.gov.it/SpidL1",
            CredentialLevel::L2 => "https://www.spid.gov.it/SpidL2",
            CredentialLevel::L3 => "https://www.spid.gov.it/SpidL3",
        }
    }

    /// The level of a SPID `acr` value; `None` for any other string.
    #[must_use]
    pub fn from_spid_acr(acr: &str) -> Option<CredentialLevel> {
        CredentialLevel::ALL
            .into_iter()
            .find(|l| l.spid_acr() == acr)
    }

    fn index(self) -> usize {
        usize::from(self.as_u8() - 1)
    }
}

impl fmt::Display for CredentialLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "L{}", self.as_u8())
    }
}

/// The state of one credential level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LevelState {
    /// Never activated, or removed.
    #[default]
    NotActivated,
    /// Usable.
    Active,
    /// Temporarily unusable (e.g. 5 wrong one-time codes) until unblocked.
    Blocked,
    /// Revoked with the identity: terminal.
    Revoked,
}

impl LevelState {
    /// Every state.
    pub const ALL: [LevelState; 4] = [
        LevelState::NotActivated,
        LevelState::Active,
        LevelState::Blocked,
        LevelState::Revoked,
    ];

    /// Stable storage code (the same as its serde name).
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            LevelState::NotActivated => "not_activated",
            LevelState::Active => "active",
            LevelState::Blocked => "blocked",
            LevelState::Revoked => "revoked",
        }
    }

    /// Inverse of [`LevelState::code`].
    #[must_use]
    pub fn from_code(code: &str) -> Option<LevelState> {
        LevelState::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// Why a credential-level change was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LevelTransitionError {
    /// The credentials were revoked with the identity; nothing can change any more.
    #[error("the credentials are revoked")]
    Revoked,
    /// Level 2 or 3 needs level 1 (a password) to be active first.
    #[error("level {0} needs level 1 to be active first")]
    RequiresLevel1(CredentialLevel),
    /// The level is already active.
    #[error("level {0} is already active")]
    AlreadyActive(CredentialLevel),
    /// The level is blocked: unblock it instead.
    #[error("level {0} is blocked")]
    Blocked(CredentialLevel),
    /// The level is not active (block or remove of a level never activated).
    #[error("level {0} is not active")]
    NotActive(CredentialLevel),
    /// Unblock of a level that is not blocked.
    #[error("level {0} is not blocked")]
    NotBlocked(CredentialLevel),
    /// Level 1 is never blocked (failed passwords only slow down, never lock).
    #[error("level 1 cannot be blocked")]
    CannotBlockLevel1,
    /// Level 1 cannot be removed while the identity exists.
    #[error("level 1 cannot be removed")]
    CannotRemoveLevel1,
    /// Stored states that break the invariants (see [`CredentialLevels::from_states`]).
    #[error("inconsistent credential level states")]
    Inconsistent,
}

/// Why the identity cannot sign in (at the requested level).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignInBlocked {
    /// A level the identity holds is blocked: no sign-in until it is unblocked.
    #[error("level {0} is blocked")]
    LevelBlocked(CredentialLevel),
    /// The requested level is not active for this identity.
    #[error("level {0} is not active")]
    LevelNotActive(CredentialLevel),
    /// The credentials are revoked.
    #[error("the credentials are revoked")]
    Revoked,
    /// No credential is active (no password yet).
    #[error("no credential is active")]
    NoCredential,
}

/// The state of each credential level of one identity. Changes return a new
/// value (the type is `Copy`); invariants: a revoked level means all are revoked,
/// level 2 or 3 active or blocked means level 1 is active, level 1 is never blocked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "[LevelState; 3]", into = "[LevelState; 3]")]
pub struct CredentialLevels {
    states: [LevelState; 3],
}

impl TryFrom<[LevelState; 3]> for CredentialLevels {
    type Error = LevelTransitionError;

    fn try_from(states: [LevelState; 3]) -> Result<Self, Self::Error> {
        CredentialLevels::from_states(states[0], states[1], states[2])
    }
}

impl From<CredentialLevels> for [LevelState; 3] {
    fn from(levels: CredentialLevels) -> Self {
        levels.states
    }
}

impl CredentialLevels {
    /// Nothing activated (no password yet).
    #[must_use]
    pub const fn new() -> CredentialLevels {
        CredentialLevels {
            states: [LevelState::NotActivated; 3],
        }
    }

    /// Level 1 active, as soon as a password exists.
    #[must_use]
    pub const fn with_password() -> CredentialLevels {
        CredentialLevels {
            states: [
                LevelState::Active,
                LevelState::NotActivated,
                LevelState::NotActivated,
            ],
        }
    }

    /// Rebuilds stored states, checking the invariants.
    ///
    /// # Errors
    ///
    /// [`LevelTransitionError::Inconsistent`] when they do not hold.
    pub fn from_states(
        l1: LevelState,
        l2: LevelState,
        l3: LevelState,
    ) -> Result<CredentialLevels, LevelTransitionError> {
        let states = [l1, l2, l3];
        let revoked = states.iter().filter(|s| **s == LevelState::Revoked).count();
        let upper_in_use = [l2, l3]
            .iter()
            .any(|s| matches!(s, LevelState::Active | LevelState::Blocked));
        let consistent = (revoked == 0 || revoked == 3)
            && l1 != LevelState::Blocked
            && (!upper_in_use || l1 == LevelState::Active);
        if consistent {
            Ok(CredentialLevels { states })
        } else {
            Err(LevelTransitionError::Inconsistent)
        }
    }

    /// The state of `level`.
    #[must_use]
    pub fn state(&self, level: CredentialLevel) -> LevelState {
        self.states[level.index()]
    }

    /// Whether the credentials were revoked with the identity.
    #[must_use]
    pub fn is_revoked(&self) -> bool {
        self.states[0] == LevelState::Revoked
    }

    /// The highest level whose state is `Active` (ignoring blocked ones: to decide
    /// how to sign in, use [`CredentialLevels::required_sign_in_level`]).
    #[must_use]
    pub fn highest_active(&self) -> Option<CredentialLevel> {
        CredentialLevel::ALL
            .into_iter()
            .rev()
            .find(|l| self.state(*l) == LevelState::Active)
    }

    /// The level the identity must sign in with to the selfcare: the highest level
    /// that is active or blocked.
    ///
    /// # Errors
    ///
    /// [`SignInBlocked::LevelBlocked`] when that level is blocked (there is no
    /// fallback to a lower level), [`SignInBlocked::Revoked`] or
    /// [`SignInBlocked::NoCredential`].
    pub fn required_sign_in_level(&self) -> Result<CredentialLevel, SignInBlocked> {
        if self.is_revoked() {
            return Err(SignInBlocked::Revoked);
        }
        let held = CredentialLevel::ALL
            .into_iter()
            .rev()
            .find(|l| matches!(self.state(*l), LevelState::Active | LevelState::Blocked))
            .ok_or(SignInBlocked::NoCredential)?;
        match self.state(held) {
            LevelState::Blocked => Err(SignInBlocked::LevelBlocked(held)),
            _ => Ok(held),
        }
    }

    /// The level a service provider's request is performed at: the first of
    /// `preferences` (its `acr_values`, in order) the identity may sign in at
    /// (see [`Self::check_sign_in_at`]).
    ///
    /// # Errors
    ///
    /// When none can be performed, why the first one cannot.
    pub fn level_to_perform(
        &self,
        preferences: &[CredentialLevel],
    ) -> Result<CredentialLevel, SignInBlocked> {
        let mut first_refusal = None;
        for level in preferences {
            match self.check_sign_in_at(*level) {
                Ok(()) => return Ok(*level),
                Err(why) => {
                    first_refusal.get_or_insert(why);
                }
            }
        }
        Err(first_refusal.unwrap_or(SignInBlocked::NoCredential))
    }

    /// Whether the identity may sign in at exactly `level` (e.g. a service provider
    /// asking for level 1 when level 2 is also active): `level` must be active and
    /// no level at or above it may be blocked, so a blocked level 2 stops sign-ins
    /// at levels 1 and 2 (no downgrade) but not at an active level 3.
    ///
    /// # Errors
    ///
    /// [`SignInBlocked::Revoked`], [`SignInBlocked::LevelBlocked`] (a blocked level
    /// at or above `level`, the lowest one) or [`SignInBlocked::LevelNotActive`].
    pub fn check_sign_in_at(&self, level: CredentialLevel) -> Result<(), SignInBlocked> {
        if self.is_revoked() {
            return Err(SignInBlocked::Revoked);
        }
        if let Some(blocked) = CredentialLevel::ALL
            .into_iter()
            .find(|l| *l >= level && self.state(*l) == LevelState::Blocked)
        {
            return Err(SignInBlocked::LevelBlocked(blocked));
        }
        if self.state(level) == LevelState::Active {
            Ok(())
        } else {
            Err(SignInBlocked::LevelNotActive(level))
        }
    }

    /// Activates `level` (not activated -> active).
    ///
    /// # Errors
    ///
    /// `Revoked`, `AlreadyActive`, `Blocked` (use [`CredentialLevels::unblock`]),
    /// `RequiresLevel1` for level 2 or 3 without an active password.
    pub fn activate(
        self,
        level: CredentialLevel,
    ) -> Result<CredentialLevels, LevelTransitionError> {
        self.ensure_not_revoked()?;
        match self.state(level) {
            LevelState::Active => return Err(LevelTransitionError::AlreadyActive(level)),
            LevelState::Blocked => return Err(LevelTransitionError::Blocked(level)),
            LevelState::NotActivated | LevelState::Revoked => {}
        }
        if level != CredentialLevel::L1 && self.state(CredentialLevel::L1) != LevelState::Active {
            return Err(LevelTransitionError::RequiresLevel1(level));
        }
        Ok(self.with(level, LevelState::Active))
    }

    /// Blocks `level` (active -> blocked), e.g. level 2 after 5 wrong codes.
    ///
    /// # Errors
    ///
    /// `Revoked`, `CannotBlockLevel1`, `Blocked` when already blocked, `NotActive`.
    pub fn block(self, level: CredentialLevel) -> Result<CredentialLevels, LevelTransitionError> {
        self.ensure_not_revoked()?;
        if level == CredentialLevel::L1 {
            return Err(LevelTransitionError::CannotBlockLevel1);
        }
        match self.state(level) {
            LevelState::Active => Ok(self.with(level, LevelState::Blocked)),
            LevelState::Blocked => Err(LevelTransitionError::Blocked(level)),
            LevelState::NotActivated | LevelState::Revoked => {
                Err(LevelTransitionError::NotActive(level))
            }
        }
    }

    /// Unblocks `level` (blocked -> active), after an email code or the emergency code.
    ///
    /// # Errors
    ///
    /// `Revoked`, `NotBlocked`.
    pub fn unblock(self, level: CredentialLevel) -> Result<CredentialLevels, LevelTransitionError> {
        self.ensure_not_revoked()?;
        match self.state(level) {
            LevelState::Blocked => Ok(self.with(level, LevelState::Active)),
            _ => Err(LevelTransitionError::NotBlocked(level)),
        }
    }

    /// Removes level 2 or 3 (active -> not activated). The caller ends the
    /// sessions signed in with it.
    ///
    /// # Errors
    ///
    /// `Revoked`, `CannotRemoveLevel1`, `Blocked` (unblock first: removing a
    /// blocked level would bypass the block), `NotActive`.
    pub fn remove(self, level: CredentialLevel) -> Result<CredentialLevels, LevelTransitionError> {
        self.ensure_not_revoked()?;
        if level == CredentialLevel::L1 {
            return Err(LevelTransitionError::CannotRemoveLevel1);
        }
        match self.state(level) {
            LevelState::Active => Ok(self.with(level, LevelState::NotActivated)),
            LevelState::Blocked => Err(LevelTransitionError::Blocked(level)),
            LevelState::NotActivated | LevelState::Revoked => {
                Err(LevelTransitionError::NotActive(level))
            }
        }
    }

    /// Revokes every level (with the identity). Terminal and idempotent.
    #[must_use]
    pub fn revoke_all(self) -> CredentialLevels {
        CredentialLevels {
            states: [LevelState::Revoked; 3],
        }
    }

    fn ensure_not_revoked(&self) -> Result<(), LevelTransitionError> {
        if self.is_revoked() {
            Err(LevelTransitionError::Revoked)
        } else {
            Ok(())
        }
    }

    fn with(mut self, level: CredentialLevel, state: LevelState) -> CredentialLevels {
        self.states[level.index()] = state;
        self
    }
}

#[cfg(test)]
mod tests;
