//! `identity-admin`: the operator CLI. Exit codes: 0 done, 1 refused / not found /
//! failed, 2 bad usage (rejected before touching the database).

mod cmd;
mod context;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// What `--help` and the manual page say after the commands.
const AFTER_HELP: &str = "\
Operator:
  Every command but config check, healthcheck, db status, completions and man acts
  as the operator whose token is in IDENTITY_OPERATOR_TOKEN (asked at the terminal
  when it is unset). While the database has no operator, `identity-admin operator
  add NAME --role admin` adds the first one without a token and prints its token.

Configuration:
  The web app's: --config FILE (or IDENTITY_CONFIG), then IDENTITY_* variables,
  e.g. IDENTITY_DATABASE_URL, IDENTITY_PUBLIC_URL (links in mail). See
  docs/operations.md.

Exit status:
  0 done; 1 refused, not found or failed; 2 bad usage (nothing was touched);
  141 the reader of the output went away.";

/// Operator commands of the digital-identity system, on the web app's database.
#[derive(Debug, Parser)]
#[command(version, about, propagate_version = true, after_help = AFTER_HELP)]
pub struct Cli {
    /// TOML configuration file (also `IDENTITY_CONFIG`).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Database URL, overriding the configuration (also `IDENTITY_DATABASE_URL`).
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,
    /// Print JSON instead of tables, for scripts.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Holders: search, show, export everything kept about one.
    #[command(subcommand)]
    Holder(cmd::holder::HolderCommand),
    /// Digital identities: verify, suspend, reactivate, revoke, record a police
    /// report or a new document, show, history.
    #[command(subcommand)]
    Identity(cmd::identity::IdentityCommand),
    /// Credentials of an identity: unblock a blocked level.
    #[command(subcommand)]
    Credential(cmd::credential::CredentialCommand),
    /// Orders tied to holders: list, show, complete or cancel.
    #[command(subcommand)]
    Order(cmd::order::OrderCommand),
    /// The audit log: query it, export it as JSON lines.
    #[command(subcommand)]
    Audit(cmd::audit::AuditCommand),
    /// The holders' access history (last accesses).
    #[command(subcommand)]
    Access(cmd::access::AccessCommand),
    /// Logins: disable, enable, send a password reset code.
    #[command(subcommand)]
    Login(cmd::login::LoginCommand),
    /// The mail outbox: list it, retry a message.
    #[command(subcommand)]
    Outbox(cmd::outbox::OutboxCommand),
    /// Holders' correction requests: list them, approve or reject one.
    #[command(subcommand)]
    Correction(cmd::correction::CorrectionCommand),
    /// Clients of the JSON API: add one (its token is shown once), list, revoke.
    #[command(subcommand)]
    ApiClient(cmd::api_client::ApiClientCommand),
    /// Service providers (OpenID Connect clients): add, list, show, disable, rotate-secret, add-key, log.
    #[command(subcommand)]
    Sp(cmd::sp::SpCommand),
    /// The OpenID Federation: trust anchors, trust marks held, what the
    /// provider publishes about itself.
    #[command(subcommand)]
    Federation(cmd::federation::FederationCommand),
    /// Decisions waiting for a second operator (two-person rule): list, confirm, reject.
    #[command(subcommand)]
    Approval(cmd::approval::ApprovalCommand),
    /// The calendar jobs: run them (now or as of a date), see their last runs.
    #[command(subcommand)]
    Jobs(cmd::jobs::JobsCommand),
    /// Operator accounts: add (the first one without a token), list, disable, new token.
    #[command(subcommand)]
    Operator(cmd::operator::OperatorCommand),
    /// Bulk imports: holders from a CSV file.
    #[command(subcommand)]
    Import(cmd::import::ImportCommand),
    /// Database schema.
    #[command(subcommand)]
    Db(cmd::db::DbCommand),
    /// The configuration: check it.
    #[command(subcommand)]
    Config(cmd::config::ConfigCommand),
    /// Exit 0 when the database answers and has every migration of this build.
    Healthcheck,
    /// Print the shell completion script (bash, zsh or fish).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: cmd::docs::Shell,
    },
    /// Print the manual page (roff): `identity-admin man > identity-admin.1`;
    /// with --dir, write the pages of every command into a folder.
    Man {
        /// Write identity-admin.1 and one page per command here.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// What a command reports when it cannot do its job.
#[derive(Debug)]
pub enum Failure {
    /// Bad usage detected after parsing (exit code 2).
    Usage(String),
    /// Refused, not found, or failed (exit code 1).
    Refused(String),
}

impl From<identity_service::InfraError> for Failure {
    fn from(e: identity_service::InfraError) -> Self {
        Failure::Refused(identity_service::error_chain(&e))
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Refused(format!("{e:#}"))
    }
}

/// A reader that went away (`identity-admin audit query | head`) ends the
/// program quietly, as it would end a classic Unix tool (status 141, SIGPIPE's),
/// instead of with the panic `println!` raises.
fn quiet_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}

fn main() -> ExitCode {
    quiet_on_closed_pipe();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(async {
        match &cli.command {
            Command::Holder(c) => cmd::holder::run(&cli, c).await,
            Command::Identity(c) => cmd::identity::run(&cli, c).await,
            Command::Login(c) => cmd::login::run(&cli, c).await,
            Command::Credential(c) => cmd::credential::run(&cli, c).await,
            Command::Access(c) => cmd::access::run(&cli, c).await,
            Command::Outbox(c) => cmd::outbox::run(&cli, c).await,
            Command::Correction(c) => cmd::correction::run(&cli, c).await,
            Command::ApiClient(c) => cmd::api_client::run(&cli, c).await,
            Command::Order(c) => cmd::order::run(&cli, c).await,
            Command::Audit(c) => cmd::audit::run(&cli, c).await,
            Command::Sp(c) => cmd::sp::run(&cli, c).await,
            Command::Federation(c) => cmd::federation::run(&cli, c).await,
            Command::Approval(c) => cmd::approval::run(&cli, c).await,
            Command::Jobs(c) => cmd::jobs::run(&cli, c).await,
            Command::Operator(c) => cmd::operator::run(&cli, c).await,
            Command::Import(c) => cmd::import::run(&cli, c).await,
            Command::Db(c) => cmd::db::run(&cli, c).await,
            Command::Config(cmd::config::ConfigCommand::Check) => cmd::config::config_check(&cli),
            Command::Healthcheck => cmd::healthcheck::healthcheck(&cli).await,
            Command::Completions { shell } => cmd::docs::completions(*shell),
            Command::Man { dir } => cmd::docs::man(dir.as_deref()),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
        Err(Failure::Refused(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_cli_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
