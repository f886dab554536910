//! `config check`: the configuration loads and is usable (secrets not shown).

use clap::Subcommand;
use serde_json::json;

use crate::{Cli, Failure, context, output};

/// Configuration commands.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Load the configuration (file, then IDENTITY_* variables) and check it.
    Check,
}

/// `config check`: exit 0 when the settings load and every part builds; 2 when
/// they are malformed.
pub fn config_check(cli: &Cli) -> Result<(), Failure> {
    let settings = context::settings(cli)?;
    settings
        .service_config_without_new_keys()
        .map_err(|e| Failure::Usage(e.to_string()))?;
    settings
        .password_hasher()
        .map_err(|e| Failure::Usage(e.to_string()))?;
    settings
        .mail_transport()
        .map_err(|e| Failure::Usage(e.to_string()))?;
    // The web app binds `listen` as host:port (a name is resolved).
    if std::net::ToSocketAddrs::to_socket_addrs(settings.listen.as_str()).is_err() {
        return Err(Failure::Usage(format!(
            "listen {:?} is not an address to bind: give host:port, e.g. 127.0.0.1:8080",
            settings.listen
        )));
    }
    if let Some(url) = &settings.public_url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        return Err(Failure::Usage(format!(
            "public_url {url:?} must start with https:// (or http:// for development)"
        )));
    }
    let summary = json!({
        "listen": settings.listen,
        "data_dir": settings.data_dir,
        "database": database_kind(&settings.database_url()),
        "public_url": settings.public_url,
        "login_domain": settings.login_domain,
        "mail_transport": format!("{:?}", settings.mail.transport).to_lowercase(),
        "totp_keys": if settings.totp_keys.0.is_empty() { "key file in the data folder" } else { "configured" },
    });
    if cli.json {
        return output::json(&summary);
    }
    if let Some(map) = summary.as_object() {
        let rows: Vec<(&str, String)> = map
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str(),
                    v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                )
            })
            .collect();
        output::fields(&rows);
    }
    println!("configuration ok");
    Ok(())
}

/// The database's kind, never its URL (which may hold a password).
fn database_kind(url: &str) -> &'static str {
    if url.starts_with("sqlite:") {
        "sqlite"
    } else {
        "postgres"
    }
}
