//! Bulk import of holders (`identity-admin import holders FILE.csv`): each row is
//! checked like a registration and stored with one login in a transaction of
//! its own (all or nothing per row). No password is set: the holder chooses one
//! with a reset code ("forgot password", or `login reset-password`), which also
//! verifies the reference email. Consents are not recorded: the holder decides
//! them in the customer area.

use identity_core::{HolderId, Login, LoginId};
use serde_json::json;

use crate::error::{InfraError, infra_error};
use crate::forms::{FieldProblem, InputRule};
use crate::model::{Operator, OperatorRole};
use crate::ports::StoreError;
use crate::service::{Service, audit};
use crate::usecases::operators::OperatorError;
use crate::usecases::register::{RegisterError, Registration, login_numbers_from};
use crate::usecases::register_input::RegistrationInput;

/// One problem of a row: the column and what is wrong (a code: the CLI words it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    /// The column (`tax_code`).
    pub field: String,
    /// What is wrong.
    pub problem: FieldProblem,
}

/// What became of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowOutcome {
    /// Stored (or, in a dry run, would have been).
    Imported {
        /// The new holder.
        holder: HolderId,
        /// Its login.
        login: LoginId,
    },
    /// A holder with the row's tax code or VAT number is on file already (an
    /// earlier run of the same file): nothing was stored.
    AlreadyOnFile {
        /// That holder.
        holder: HolderId,
    },
    /// Refused; nothing of the row was stored.
    Refused(Vec<RowProblem>),
}

fn problem(field: &str, problem: impl Into<FieldProblem>) -> RowProblem {
    RowProblem {
        field: field.to_owned(),
        problem: problem.into(),
    }
}

/// How many login numbers to draw before giving up on a row.
const LOGIN_NUMBER_ATTEMPTS: usize = 10;

impl Service {
    /// Imports one holder from a row of the import file. A row is refused when a
    /// field is wrong or the tax code disagrees with the declared data; a row
    /// whose tax code or VAT number is a holder's already is skipped (so running
    /// a file again imports nobody twice: [`RowOutcome::AlreadyOnFile`]).
    /// With `dry_run` nothing is kept.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default(), operator = %by.name))]
    pub async fn import_holder(
        &self,
        row: &RegistrationInput,
        dry_run: bool,
        by: &Operator,
    ) -> Result<RowOutcome, ImportError> {
        by.require(OperatorRole::Operator)?;
        let mut row = row.clone();
        row.email_confirm.clone_from(&row.email);
        let (kind, address, contacts) = match row.parse_holder() {
            Ok(parts) => parts,
            Err(errors) => {
                return Ok(RowOutcome::Refused(
                    errors
                        .iter()
                        .map(|e| problem(e.field, e.problem.clone()))
                        .collect(),
                ));
            }
        };
        let registration = Registration {
            kind,
            address,
            contacts,
            lang: row.lang,
            password: String::new(),
            consents: Vec::new(),
            accept_tax_code_mismatch: false,
        };
        let holder = match self.new_holder(&registration) {
            Ok((holder, _)) => holder,
            Err(RegisterError::TaxCodeMismatch(mismatches)) => {
                return Ok(RowOutcome::Refused(
                    mismatches
                        .into_iter()
                        .map(|m| problem("tax_code", m))
                        .collect(),
                ));
            }
            Err(RegisterError::BirthDateInFuture) => {
                return Ok(RowOutcome::Refused(vec![problem(
                    "birth_date",
                    InputRule::BirthDateInFuture,
                )]));
            }
            Err(RegisterError::Password(v)) => {
                return Ok(RowOutcome::Refused(vec![problem("password", v)]));
            }
            Err(RegisterError::Infra(e)) => return Err(e.into()),
        };
        let now = holder.created_at();
        let mut tx = self.store.begin().await?;
        for (code, vat) in [
            (holder.tax_code().map(|c| c.as_str().to_owned()), false),
            (holder.vat_number().map(|v| v.as_str().to_owned()), true),
        ] {
            let Some(code) = code else { continue };
            // Two imports of one file at once must not both find it absent.
            tx.lock_fiscal_code(&code).await?;
            if let Some(existing) = tx.holders_by_fiscal_code(&code, vat).await?.first() {
                return Ok(RowOutcome::AlreadyOnFile {
                    holder: existing.id(),
                });
            }
        }
        tx.insert_holder(&holder).await?;
        let mut login = None;
        for number in login_numbers_from(self.random.clone()).take(LOGIN_NUMBER_ATTEMPTS) {
            let candidate = Login::new(number, holder.id(), now);
            match tx.insert_login(&candidate).await {
                Ok(()) => {
                    login = Some(candidate);
                    break;
                }
                Err(StoreError::Duplicate(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        let login = login.ok_or(StoreError::Duplicate("login_number"))?;
        let login_id = LoginId::new(login.number(), &self.config.login_domain);
        audit(
            tx.as_mut(),
            now,
            &by.actor().to_audit_string(),
            "holder.imported",
            Some(holder.id()),
            json!({ "subject_kind": holder.subject_kind().code(), "login": login_id.to_string() }),
        )
        .await?;
        if !dry_run {
            tx.commit().await?;
        }
        Ok(RowOutcome::Imported {
            holder: holder.id(),
            login: login_id,
        })
    }
}

/// Why the import stopped (a refused row is not an error: see [`RowOutcome`]).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The operator may not import.
    #[error(transparent)]
    Operator(#[from] OperatorError),
    /// The machinery failed (storage, hashing, sealing): nothing the user can fix.
    #[error(transparent)]
    Infra(#[from] InfraError),
}

infra_error!(ImportError);
