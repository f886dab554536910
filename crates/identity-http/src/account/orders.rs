//! The holder's orders (e.g. a digital-identity request), newest first.

use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::routing::get;

use super::{Frame, Section, Signed};
use crate::AppState;
use crate::i18n::{L, rome_time};
use crate::web::{Chrome, Ctx};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/account/orders", get(show))
}

#[derive(Template)]
#[template(path = "account_orders.html")]
struct OrdersPage {
    c: Chrome,
    f: Frame,
    title: &'static str,
    none: &'static str,
    h_order: &'static str,
    h_kind: &'static str,
    h_date: &'static str,
    h_state: &'static str,
    rows: Vec<(String, &'static str, String, &'static str)>,
}

async fn show(ctx: Ctx) -> Response {
    let mut s = match Signed::from(ctx).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let lang = s.lang();
    let holder = match s.holder().await {
        Ok(h) => h,
        Err(e) => return s.ctx.failure(&e),
    };
    let orders = match s.ctx.state.service.orders_of(s.session.holder_id).await {
        Ok(o) => o,
        Err(e) => return s.ctx.failure(&e),
    };
    let rows = orders
        .iter()
        .map(|o| {
            let id = o.id.to_string();
            (
                id.chars().take(8).collect(),
                o.kind.label(lang),
                rome_time(o.created_at),
                o.state.label(lang),
            )
        })
        .collect();
    let f = Frame::new(&mut s, Section::Orders, &holder);
    let c = s.ctx.chrome(true);
    let page = OrdersPage {
        c,
        f,
        title: L("Ordini", "Orders").get(lang),
        none: L("Non hai ordini.", "You have no orders.").get(lang),
        h_order: L("Ordine", "Order").get(lang),
        h_kind: L("Servizio", "Service").get(lang),
        h_date: L("Data", "Date").get(lang),
        h_state: L("Stato", "State").get(lang),
        rows,
    };
    s.ctx.page(&page)
}
