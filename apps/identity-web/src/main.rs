//! `identity-web`: loads the settings, opens (and migrates) the database, and
//! serves the web application until interrupted.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use clap::Parser;
use identity_config::{MailTransportKind, Settings};
use identity_http::AppState;
use identity_service::usecases::jobs::{JobOptions, this_node};
use identity_service::{Service, SystemClock};
use identity_store::{ConnectOptions, SqlStore};
use tokio::net::TcpListener;

/// The digital-identity web application.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// TOML configuration file (also `IDENTITY_CONFIG`); `IDENTITY_*` variables override it.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Log one JSON object per line (for log collectors) instead of text.
    #[arg(long, env = "IDENTITY_LOG_JSON")]
    log_json: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    if args.log_json {
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init();
    } else {
        // Colours only for a terminal: a log redirected to a file stays plain text.
        use std::io::IsTerminal as _;
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(std::io::stdout().is_terminal())
            .init();
    }
    let settings = Settings::load(args.config.as_deref())?;

    let url = settings.database_url();
    let options = ConnectOptions {
        max_connections: settings.database_max_connections,
        ..ConnectOptions::default()
    };
    let store = SqlStore::connect(&url, &options)
        .await
        .with_context(|| "opening the database")?;
    tracing::info!(backend = ?store.backend(), "database ready, migrations applied");

    let config = settings.service_config()?;
    let hasher = settings.password_hasher()?;
    let transport = settings.mail_transport()?;
    match settings.mail.transport {
        MailTransportKind::File => println!(
            "mail: written as .eml files to {}",
            settings.mail_dir().display()
        ),
        MailTransportKind::Smtp => println!(
            "mail: sent through {}:{}",
            settings.mail.smtp.host, settings.mail.smtp.port
        ),
    }
    let store: Arc<dyn identity_service::Store> = Arc::new(store);
    let clock = Arc::new(SystemClock);
    let service = Service::new(store.clone(), clock.clone(), hasher, config);

    // The outbox worker delivers queued mail until shutdown.
    let (stop_mail, mail_stopped) = tokio::sync::oneshot::channel::<()>();
    let delivery =
        identity_mail::Delivery::new(store, transport, clock).with_sms(settings.sms_sender());
    let interval = std::time::Duration::from_secs(settings.mail.delivery_interval_secs.max(1));
    let mail_worker = tokio::spawn(delivery.run(interval, async {
        let _ = mail_stopped.await;
    }));

    // The OpenID Connect signing keys are made now, not by the first
    // (anonymous) request that needs one.
    if let Err(e) = service.jwks().await {
        tracing::warn!(error = %e, "making the OpenID Connect signing keys failed; the first request will try again");
    }
    // The calendar jobs (deadlines, inactivity, expiry warnings, retention) run
    // at start and then every `jobs_interval_secs`; other nodes may run them too.
    let jobs = (settings.jobs_interval_secs > 0).then(|| {
        let service = service.clone();
        let every = std::time::Duration::from_secs(settings.jobs_interval_secs);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let options = JobOptions {
                as_of: None,
                dry_run: false,
                only: None,
                node: this_node(),
            };
            loop {
                ticks.tick().await;
                // Each run logs and records its own report.
                let _ = service.run_jobs(&options).await;
            }
        })
    });

    let listener = TcpListener::bind(&settings.listen)
        .await
        .with_context(|| format!("binding {}", settings.listen))?;
    let addr = listener.local_addr()?;
    let public_url = settings
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://localhost:{}", addr.port()));
    println!("identity-web listening on http://{addr} (public URL {public_url})");
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
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    })
    .await?;
    if let Some(jobs) = jobs {
        jobs.abort();
    }
    let _ = stop_mail.send(());
    let _ = mail_worker.await;
    Ok(())
}
