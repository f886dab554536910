//! `identity-web`: loads the settings, opens (and migrates) the database, and
//! serves the web application until interrupted.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Parser;
use identity::IdentityBuilder;
use identity_config::{MailTransportKind, Settings};
use identity_http::AppState;
use tokio::net::TcpListener;
use tracing_subscriber::fmt::format::FmtSpan;

/// The digital-identity web application.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// TOML configuration file (also `IDENTITY_CONFIG`); `IDENTITY_*` variables override it.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Log one JSON object per line (for log collectors) instead of text; each
    /// line carries its spans (the request with its id, the use case, the store
    /// call).
    #[arg(long, env = "IDENTITY_LOG_JSON")]
    log_json: bool,
    /// Also log every span as it closes, with how long it took: each request, use
    /// case and (with `RUST_LOG=info,identity_store=debug`) store call.
    #[arg(long, env = "IDENTITY_LOG_SPANS")]
    log_spans: bool,
}

mod memory_tuning;

fn main() -> anyhow::Result<()> {
    // Before any thread starts: this may replace the process.
    let tuning = memory_tuning::restart_with_tuned_allocator();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?
        .block_on(run(tuning))
}

async fn run(tuning: Option<String>) -> anyhow::Result<()> {
    let args = Args::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    let span_events = if args.log_spans {
        FmtSpan::CLOSE
    } else {
        FmtSpan::NONE
    };
    if args.log_json {
        tracing_subscriber::fmt()
            .json()
            .with_span_events(span_events)
            .with_env_filter(filter)
            .init();
    } else {
        // Colours only for a terminal: a log redirected to a file stays plain text.
        use std::io::IsTerminal as _;
        tracing_subscriber::fmt()
            .with_span_events(span_events)
            .with_env_filter(filter)
            .with_ansi(std::io::stdout().is_terminal())
            .init();
    }
    if let Some(problem) = tuning {
        tracing::warn!("{problem}");
    }
    // The start-up lines for a person: on standard error when standard output
    // carries JSON lines for a log collector.
    let say = |line: String| {
        if args.log_json {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
    };
    let settings = Settings::load(args.config.as_deref())?;

    // The store, hasher, keyring, outbox worker and calendar jobs, wired by the
    // library facade exactly as an embedding application gets them.
    let identity = IdentityBuilder::from_settings(settings.clone())
        .open()
        .await
        .context("opening the database")?;
    tracing::info!(backend = ?identity.backend(), "database ready, migrations applied");
    match settings.mail.transport {
        MailTransportKind::File => say(format!(
            "mail: written as .eml files to {}",
            settings.mail_dir().display()
        )),
        MailTransportKind::Smtp => say(format!(
            "mail: sent through {}:{}",
            settings.mail.smtp.host, settings.mail.smtp.port
        )),
    }
    let service = identity.service().clone();
    // The OpenID Connect signing keys are made now, not by the first
    // (anonymous) request that needs one.
    if let Err(e) = service.jwks().await {
        tracing::warn!(error = %e, "making the OpenID Connect signing keys failed; the first request will try again");
    }

    let listener = TcpListener::bind(&settings.listen)
        .await
        .with_context(|| format!("binding {}", settings.listen))?;
    let addr = listener.local_addr()?;
    let public_url = settings
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://localhost:{}", addr.port()));
    say(format!(
        "identity-web listening on http://{addr} (public URL {public_url})"
    ));
    tracing::info!(%addr, %public_url, "listening");

    let state = AppState {
        service: service.with_public_url(&public_url),
        public_url,
        client_ip_header: settings
            .client_ip_header
            .as_ref()
            .map(|h| h.trim().to_ascii_lowercase()),
    };
    identity_http::serve(listener, state, async {
        let signal = stop_signal().await;
        tracing::info!(signal, "shutting down");
    })
    .await?;
    identity.shutdown().await;
    Ok(())
}

/// Waits for Ctrl-C (SIGINT) or SIGTERM, the signal service managers and
/// container runtimes stop a process with; either ends the server gracefully
/// (requests under way are answered, new connections refused).
async fn stop_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => return "SIGINT",
                _ = term.recv() => return "SIGTERM",
            }
        }
    }
    let _ = tokio::signal::ctrl_c().await;
    "SIGINT"
}
