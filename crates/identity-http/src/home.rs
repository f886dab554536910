//! The home page.

use axum::Router;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;

use crate::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}

const HOME: &str = r#"<!doctype html>
<html lang="it">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Identità digitale</title>
<style>
body { font-family: system-ui, sans-serif; margin: 0; color: #1a1a1a; background: #fff; line-height: 1.5; }
header { background: #0047ab; color: #fff; padding: 1rem 1.5rem; }
main { max-width: 48rem; margin: 0 auto; padding: 1.5rem; }
h1 { margin: 0; font-size: 1.5rem; }
</style>
</head>
<body>
<header><h1>Identità digitale</h1></header>
<main>
<p>Servizio di registrazione e gestione dell'identità digitale.</p>
<p lang="en">Digital identity registration and management service.</p>
<p><a href="/account">Area clienti</a> · <a href="/account" lang="en">Customer area</a></p>
</main>
</body>
</html>
"#;

async fn home() -> impl IntoResponse {
    ([(header::CACHE_CONTROL, "no-cache")], Html(HOME))
}
