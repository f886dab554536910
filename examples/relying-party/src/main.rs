//! Runs the example service provider. Configuration from the environment:
//! `RP_ISSUER` (default `http://localhost:8080`), `RP_CLIENT_ID` (default
//! `http://localhost:9090`), `RP_CLIENT_SECRET` (required: from
//! `identity-admin sp add --client-secret`), `RP_LISTEN` (default
//! `127.0.0.1:9090`) and `RP_BASE_URL` (default `http://localhost:<port>`).

use anyhow::Context as _;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("info"))
        // Plain text when the log goes to a file.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
    let var =
        |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
    let listen = var("RP_LISTEN", "127.0.0.1:9090");
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| format!("binding {listen}"))?;
    let port = listener.local_addr()?.port();
    let config = identity_example_rp::RpConfig {
        issuer: var("RP_ISSUER", "http://localhost:8080"),
        client_id: var("RP_CLIENT_ID", "http://localhost:9090"),
        client_secret: std::env::var("RP_CLIENT_SECRET").context(
            "set RP_CLIENT_SECRET to the secret `identity-admin sp add --client-secret` printed",
        )?,
        base_url: var("RP_BASE_URL", &format!("http://localhost:{port}")),
    };
    let app = identity_example_rp::app(config).await?;
    tracing::info!("example service provider on http://localhost:{port}");
    axum::serve(listener, app).await?;
    Ok(())
}
