//! `operator add|list|disable|token`: the operator accounts. The first operator
//! is added without a token (once per database) and is an admin; after that an
//! admin adds the others. Tokens are shown once.

use clap::{Subcommand, ValueEnum};
use identity_service::usecases::operators::OperatorError;
use identity_service::{Operator, OperatorRole};
use serde_json::json;

use crate::{Cli, Failure, context, output};

/// Operator commands.
#[derive(Debug, Subcommand)]
pub enum OperatorCommand {
    /// Add an operator and print its token (shown only now). With no operator in
    /// the database yet, and no token set, this adds the first admin.
    Add {
        /// A name of letters, digits, '-', '_' or '.', recorded in the audit log.
        name: String,
        /// What it may do.
        #[arg(long, value_enum)]
        role: Role,
    },
    /// List the operators: role, who added them, disabled, last use.
    List,
    /// Disable an operator: its token stops working at once.
    Disable {
        /// Operator name.
        name: String,
    },
    /// Give an operator a new token (the old one stops working).
    Token {
        /// Operator name.
        name: String,
    },
}

/// Roles as CLI values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Role {
    /// Reads only: holders, identities, accesses, the audit log, job status.
    Viewer,
    /// Also changes holders, logins, identities and orders, runs jobs, imports.
    Operator,
    /// Also manages operators, API clients, service providers and the schema.
    Admin,
}

impl Role {
    fn role(self) -> OperatorRole {
        match self {
            Role::Viewer => OperatorRole::Viewer,
            Role::Operator => OperatorRole::Operator,
            Role::Admin => OperatorRole::Admin,
        }
    }
}

fn refused(e: &OperatorError) -> Failure {
    match e {
        OperatorError::BadName => Failure::Usage(e.to_string()),
        _ => Failure::Refused(e.to_string()),
    }
}

fn print_token(cli: &Cli, operator: &Operator, token: &str) -> Result<(), Failure> {
    let note = format!(
        "The token is shown only now: give it to {} to set as {} (or to type at the prompt). \
         If it is lost, an admin issues a new one with `identity-admin operator token {}`.",
        operator.name,
        context::TOKEN_VARIABLE,
        operator.name
    );
    if cli.json {
        eprintln!("note: {note}");
        return output::json(&json!({ "operator": operator, "token": token }));
    }
    output::fields(&[
        ("Name", operator.name.clone()),
        ("Role", operator.role.code().to_owned()),
        ("Added by", operator.created_by.clone()),
        ("Token", token.to_owned()),
    ]);
    println!();
    println!("{note}");
    Ok(())
}

pub async fn run(cli: &Cli, command: &OperatorCommand) -> Result<(), Failure> {
    match command {
        OperatorCommand::Add { name, role } => {
            let token_set =
                std::env::var(context::TOKEN_VARIABLE).is_ok_and(|t| !t.trim().is_empty());
            if !token_set && role.role() == OperatorRole::Admin {
                // Perhaps the very first operator, who needs no token: only while
                // the database has none. Otherwise an admin's token is asked for.
                let service = context::service(cli).await?;
                match service.bootstrap_operator(name).await {
                    Ok((operator, token)) => return print_token(cli, &operator, &token),
                    Err(OperatorError::AlreadyBootstrapped) => {}
                    Err(e) => return Err(refused(&e)),
                }
            }
            let (service, admin) = context::acting(cli, OperatorRole::Admin).await?;
            let (operator, token) = service
                .add_operator(name, role.role(), &admin)
                .await
                .map_err(|e| refused(&e))?;
            print_token(cli, &operator, &token)
        }
        OperatorCommand::List => {
            let (service, _) = context::acting(cli, OperatorRole::Admin).await?;
            let operators = service
                .operators()
                .await
                .map_err(|e| Failure::Refused(e.to_string()))?;
            if cli.json {
                return output::json(&operators);
            }
            let rows: Vec<Vec<String>> = operators
                .iter()
                .map(|o| {
                    vec![
                        o.name.clone(),
                        o.role.code().to_owned(),
                        o.created_by.clone(),
                        output::rome(o.created_at),
                        output::rome_opt(o.disabled_at),
                        output::rome_opt(o.last_used_at),
                    ]
                })
                .collect();
            output::table(
                &[
                    "NAME",
                    "ROLE",
                    "ADDED BY",
                    "ADDED AT",
                    "DISABLED AT",
                    "LAST USED",
                ],
                &rows,
            );
            Ok(())
        }
        OperatorCommand::Disable { name } => {
            let (service, admin) = context::acting(cli, OperatorRole::Admin).await?;
            let operator = service
                .disable_operator(name, &admin)
                .await
                .map_err(|e| refused(&e))?;
            if cli.json {
                return output::json(&operator);
            }
            println!("operator {} is disabled", operator.name);
            Ok(())
        }
        OperatorCommand::Token { name } => {
            let (service, admin) = context::acting(cli, OperatorRole::Admin).await?;
            let (operator, token) = service
                .reissue_operator_token(name, &admin)
                .await
                .map_err(|e| refused(&e))?;
            print_token(cli, &operator, &token)
        }
    }
}
