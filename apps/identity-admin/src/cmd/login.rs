//! `login disable|enable|reset-password`.

use clap::Subcommand;
use identity_core::LoginId;
use identity_core::lang::Lang;
use identity_words::Words;
use serde_json::json;

use identity_service::OperatorRole;

use crate::{Cli, Failure, context, output};

/// Login commands.
#[derive(Debug, Subcommand)]
pub enum LoginCommand {
    /// Disable a login (its sessions end at once).
    Disable {
        /// Login id (123456@domain) or the bare number.
        login: String,
    },
    /// Enable a disabled login.
    Enable {
        /// Login id (123456@domain) or the bare number.
        login: String,
    },
    /// Mail the holder a password reset code (valid 30 minutes): the holder
    /// chooses the new password; operators never set one.
    ResetPassword {
        /// Login id (123456@domain) or the bare number.
        login: String,
    },
}

pub async fn run(cli: &Cli, command: &LoginCommand) -> Result<(), Failure> {
    let settings = context::settings(cli)?;
    let (LoginCommand::Disable { login }
    | LoginCommand::Enable { login }
    | LoginCommand::ResetPassword { login }) = command;
    let id = LoginId::parse(login, &settings.login_domain)
        .map_err(|e| Failure::Usage(e.words(Lang::En)))?;
    let (service, operator) = context::acting(cli, OperatorRole::Operator).await?;
    if let LoginCommand::ResetPassword { .. } = command {
        service
            .operator_password_reset(id.number(), &operator)
            .await
            .map_err(|e| Failure::Refused(e.to_string()))?;
        if cli.json {
            return output::json(&json!({ "login": id.to_string(), "reset_code_sent": true }));
        }
        println!("a password reset code for {id} was mailed to its holder");
        return Ok(());
    }
    let operator = operator.actor();
    let (result, state) = match command {
        LoginCommand::Disable { .. } => (
            service.disable_login(id.number(), &operator).await,
            "disabled",
        ),
        LoginCommand::Enable { .. } => {
            (service.enable_login(id.number(), &operator).await, "active")
        }
        LoginCommand::ResetPassword { .. } => {
            return Err(Failure::Usage("handled above".into()));
        }
    };
    result.map_err(|e| Failure::Refused(e.words(Lang::En)))?;
    if cli.json {
        return output::json(&json!({ "login": id.to_string(), "status": state }));
    }
    println!("login {id} is now {state}");
    Ok(())
}
