//! The holder's orders (e.g. a digital-identity request), newest first.

use askama::Template;
use axum::Router;
use axum::routing::get;
use identity_words::Label as _;

use super::{Frame, Section, Signed};
use crate::AppState;
use crate::web::rome_time;
use crate::web::{Chrome, Ctx, Page};
use identity_words::L;

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

async fn show(ctx: Ctx) -> Page {
    let mut s = Signed::from(ctx).await?;
    let lang = s.lang();
    let holder = s.holder().await?;
    let orders = s.service().orders_of(s.session.holder_id).await?;
    let rows = orders
        .iter()
        .map(|o| {
            let id = o.id.to_string();
            (
                id.chars().take(8).collect(),
                o.kind.label().get(lang),
                rome_time(o.created_at),
                o.state.label().get(lang),
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
    Ok(s.ctx.page(&page))
}
