//! Logins and their passwords: the `logins` and `passwords` tables' queries and
//! row mappers.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use identity_core::password_policy::PasswordHistoryEntry;
use identity_core::{HolderId, Login, LoginNumber, LoginStatus};
use identity_service::StoreError;
use identity_service::ports::LoginTx;
use sqlx::any::AnyRow;

use crate::sql::{AnyQuery, Columns, Run, SqlTx, number_to_db, touched};
use crate::time;

pub(crate) const INSERT_LOGIN: &str = "INSERT INTO logins (number, holder_id, status, created_at) \
     VALUES ($1, $2, $3, $4) ON CONFLICT (number) DO NOTHING";

pub(crate) const INSERT_PASSWORD: &str =
    "INSERT INTO passwords (login_number, hash, set_at) VALUES ($1, $2, $3)";

/// Binds the 4 columns of [`INSERT_LOGIN`].
pub(crate) fn bind_login<'q>(q: AnyQuery<'q>, login: &Login) -> AnyQuery<'q> {
    q.bind(number_to_db(login.number()))
        .bind(login.holder_id().to_string())
        .bind(login.status().code())
        .bind(time::to_db(login.created_at()))
}

/// Binds the 3 columns of [`INSERT_PASSWORD`].
pub(crate) fn bind_password<'q>(
    q: AnyQuery<'q>,
    number: LoginNumber,
    hash: &str,
    at: DateTime<Utc>,
) -> AnyQuery<'q> {
    q.bind(number_to_db(number))
        .bind(hash.to_owned())
        .bind(time::to_db(at))
}

/// Rebuilds a login from its row.
fn login_from_row(row: &AnyRow) -> Result<Login, StoreError> {
    let c = Columns::of(row, "login");
    Ok(Login::restore(
        c.login_number("number")?,
        c.parsed("holder_id")?,
        c.decoded("status", LoginStatus::from_code)?,
        c.time("created_at")?,
    ))
}

/// Rebuilds a password history entry from its row.
fn password_from_row(row: &AnyRow) -> Result<PasswordHistoryEntry, StoreError> {
    let c = Columns::of(row, "password");
    Ok(PasswordHistoryEntry {
        hash: c.text("hash")?,
        set_at: c.time("set_at")?,
        retired_at: c.opt_time("retired_at")?,
    })
}

#[async_trait]
impl LoginTx for SqlTx {
    #[tracing::instrument(name = "store.insert_login", skip_all, level = "debug")]
    async fn insert_login(&mut self, login: &Login) -> Result<(), StoreError> {
        // ON CONFLICT keeps the transaction usable on PostgreSQL, so the caller can
        // draw another number and retry.
        let done = bind_login(sqlx::query(INSERT_LOGIN), login)
            .insert_in(self, "login_number")
            .await?;
        touched(&done, StoreError::Duplicate("login_number"))
    }

    #[tracing::instrument(name = "store.login", skip_all, level = "debug", fields(login = %number))]
    async fn login(&mut self, number: LoginNumber) -> Result<Login, StoreError> {
        let row = sqlx::query(
            "SELECT number, holder_id, status, created_at FROM logins WHERE number = $1",
        )
        .bind(number_to_db(number))
        .fetch_one_in(self)
        .await?;
        login_from_row(&row)
    }

    #[tracing::instrument(name = "store.logins_of", skip_all, level = "debug", fields(holder = %holder))]
    async fn logins_of(&mut self, holder: HolderId) -> Result<Vec<Login>, StoreError> {
        let rows = sqlx::query(
            "SELECT number, holder_id, status, created_at FROM logins WHERE holder_id = $1 ORDER BY created_at, number",
        )
        .bind(holder.to_string())
        .fetch_all_in(self).await?;
        rows.iter().map(login_from_row).collect()
    }

    #[tracing::instrument(name = "store.set_login_status", skip_all, level = "debug", fields(login = %number))]
    async fn set_login_status(
        &mut self,
        number: LoginNumber,
        status: LoginStatus,
    ) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE logins SET status = $2 WHERE number = $1")
            .bind(number_to_db(number))
            .bind(status.code())
            .execute_in(self)
            .await?;
        touched(&done, StoreError::NotFound)
    }

    #[tracing::instrument(name = "store.set_password", skip_all, level = "debug", fields(login = %number))]
    async fn set_password(
        &mut self,
        number: LoginNumber,
        hash: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE passwords SET retired_at = $2 WHERE login_number = $1 AND retired_at IS NULL",
        )
        .bind(number_to_db(number))
        .bind(time::to_db(at))
        .execute_in(self)
        .await?;
        bind_password(sqlx::query(INSERT_PASSWORD), number, hash, at)
            .insert_in(self, "password")
            .await?;
        Ok(())
    }

    #[tracing::instrument(name = "store.password_history", skip_all, level = "debug", fields(login = %number))]
    async fn password_history(
        &mut self,
        number: LoginNumber,
    ) -> Result<Vec<PasswordHistoryEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT hash, set_at, retired_at FROM passwords WHERE login_number = $1 ORDER BY set_at DESC",
        )
        .bind(number_to_db(number))
        .fetch_all_in(self).await?;
        rows.iter().map(password_from_row).collect()
    }

    #[tracing::instrument(name = "store.login_with_password", skip_all, level = "debug", fields(login = %number))]
    async fn login_with_password(
        &mut self,
        number: LoginNumber,
    ) -> Result<(Login, Option<PasswordHistoryEntry>), StoreError> {
        let row = sqlx::query(
            "SELECT l.number, l.holder_id, l.status, l.created_at, p.hash, p.set_at, p.retired_at \
             FROM logins l LEFT JOIN passwords p ON p.login_number = l.number AND p.retired_at IS NULL \
             WHERE l.number = $1 ORDER BY p.set_at DESC LIMIT 1",
        )
        .bind(number_to_db(number))
        .fetch_one_in(self)
        .await?;
        let login = login_from_row(&row)?;
        let has_password = Columns::of(&row, "password").opt_text("hash")?.is_some();
        let current = if has_password {
            Some(password_from_row(&row)?)
        } else {
            None
        };
        Ok((login, current))
    }
}
