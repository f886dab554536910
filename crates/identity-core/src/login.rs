//! Logins (codici di autenticazione): a login id plus its password, owned by a holder.
//! A holder may own several; all share the one holder record.

use chrono::{DateTime, Utc};

use crate::ids::{HolderId, LoginNumber};

/// Whether a login can be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoginStatus {
    /// Usable.
    Active,
    /// Disabled by the holder (an extra login) or by an operator.
    Disabled,
    /// Deleted by the holder, or closed with the account: final. The number is
    /// never handed out again.
    Deleted,
}

impl LoginStatus {
    /// Stable storage code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            LoginStatus::Active => "active",
            LoginStatus::Disabled => "disabled",
            LoginStatus::Deleted => "deleted",
        }
    }

    /// Inverse of [`LoginStatus::code`].
    #[must_use]
    pub fn from_code(code: &str) -> Option<LoginStatus> {
        match code {
            "active" => Some(LoginStatus::Active),
            "disabled" => Some(LoginStatus::Disabled),
            "deleted" => Some(LoginStatus::Deleted),
            _ => None,
        }
    }
}

/// A login of a holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    number: LoginNumber,
    holder_id: HolderId,
    status: LoginStatus,
    created_at: DateTime<Utc>,
}

/// Why a login cannot change state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginError {
    /// The holder must keep at least one active login.
    #[error("the last active login of a holder cannot be disabled")]
    LastActiveLogin,
    /// The login already has the requested status.
    #[error("the login is already {0:?}")]
    AlreadyInStatus(LoginStatus),
    /// A deleted login never comes back.
    #[error("the login was deleted")]
    Deleted,
}

impl Login {
    /// A new, active login.
    #[must_use]
    pub fn new(number: LoginNumber, holder_id: HolderId, created_at: DateTime<Utc>) -> Login {
        Login {
            number,
            holder_id,
            status: LoginStatus::Active,
            created_at,
        }
    }

    /// Rebuilds a login from storage.
    #[must_use]
    pub fn restore(
        number: LoginNumber,
        holder_id: HolderId,
        status: LoginStatus,
        created_at: DateTime<Utc>,
    ) -> Login {
        Login {
            number,
            holder_id,
            status,
            created_at,
        }
    }

    /// The login number.
    #[must_use]
    pub fn number(&self) -> LoginNumber {
        self.number
    }
    /// The owning holder.
    #[must_use]
    pub fn holder_id(&self) -> HolderId {
        self.holder_id
    }
    /// Current status.
    #[must_use]
    pub fn status(&self) -> LoginStatus {
        self.status
    }
    /// Whether the login can sign in.
    #[must_use]
    pub fn is_active(&self) -> bool {
        self.status == LoginStatus::Active
    }
    /// Creation time.
    #[must_use]
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }

    /// Disables this login. `other_active_logins` is how many *other* logins of
    /// the same holder are active: the holder must keep one. Operators bypass the
    /// rule with [`Login::disable_by_operator`].
    pub fn disable_by_holder(&mut self, other_active_logins: usize) -> Result<(), LoginError> {
        if self.status != LoginStatus::Active {
            return Err(LoginError::AlreadyInStatus(self.status));
        }
        if other_active_logins == 0 {
            return Err(LoginError::LastActiveLogin);
        }
        self.status = LoginStatus::Disabled;
        Ok(())
    }

    /// Disables this login on an operator's decision.
    pub fn disable_by_operator(&mut self) -> Result<(), LoginError> {
        if self.status != LoginStatus::Active {
            return Err(LoginError::AlreadyInStatus(self.status));
        }
        self.status = LoginStatus::Disabled;
        Ok(())
    }

    /// Deletes an extra login on the holder's request (seed: "Cancellazione
    /// username"). `other_active_logins` as for [`Login::disable_by_holder`]: the
    /// last active login goes only with the whole account.
    pub fn delete_by_holder(&mut self, other_active_logins: usize) -> Result<(), LoginError> {
        if self.status == LoginStatus::Deleted {
            return Err(LoginError::Deleted);
        }
        if self.is_active() && other_active_logins == 0 {
            return Err(LoginError::LastActiveLogin);
        }
        self.status = LoginStatus::Deleted;
        Ok(())
    }

    /// Enables a disabled login.
    pub fn enable(&mut self) -> Result<(), LoginError> {
        if self.status == LoginStatus::Deleted {
            return Err(LoginError::Deleted);
        }
        if self.status == LoginStatus::Active {
            return Err(LoginError::AlreadyInStatus(LoginStatus::Active));
        }
        self.status = LoginStatus::Active;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login() -> Login {
        let holder = HolderId::from_uuid(uuid::Uuid::nil());
        Login::new(
            LoginNumber::new(123_456).unwrap(),
            holder,
            DateTime::<Utc>::MIN_UTC,
        )
    }

    #[test]
    fn the_last_active_login_stays() {
        let mut l = login();
        assert_eq!(l.disable_by_holder(0), Err(LoginError::LastActiveLogin));
        assert!(l.is_active());
        l.disable_by_holder(1).unwrap();
        assert_eq!(
            l.disable_by_holder(1),
            Err(LoginError::AlreadyInStatus(LoginStatus::Disabled))
        );
        l.enable().unwrap();
        l.disable_by_operator().unwrap();
        assert_eq!(l.status(), LoginStatus::Disabled);
    }

    #[test]
    fn a_deleted_login_stays_deleted() {
        let mut l = login();
        assert_eq!(l.delete_by_holder(0), Err(LoginError::LastActiveLogin));
        l.delete_by_holder(1).unwrap();
        assert_eq!(l.enable(), Err(LoginError::Deleted));
        assert_eq!(l.delete_by_holder(1), Err(LoginError::Deleted));
        let mut disabled = login();
        disabled.disable_by_operator().unwrap();
        disabled
            .delete_by_holder(0)
            .expect("a disabled login is not the last active one");
    }
}
