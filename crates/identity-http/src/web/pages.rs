//! Rendering pages: the frame every page template gets ([`Chrome`]), the page
//! responses of a [`Ctx`] (a page, a form sent back with errors, a message), the
//! two shared templates, and redirects that stay on site.

use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use identity_words::L;

use super::cookies::csrf_token;
use super::frame_texts::{Texts, texts};
use super::request::Ctx;
use crate::form::Fieldset;

/// The frame every page template gets as `c`.
pub(crate) struct Chrome {
    pub t: Texts,
    /// This page's path, for the language switch to come back to.
    pub back: String,
    /// The CSRF token for this page's forms.
    pub csrf: String,
    /// Whether to show the sign-out button.
    pub signed_in: bool,
    /// Where the sign-out button posts (the customer area's or the selfcare's).
    pub sign_out: &'static str,
}

impl Ctx {
    /// The frame for a page, creating the CSRF cookie if needed.
    pub(crate) fn chrome(&mut self, signed_in: bool) -> Chrome {
        let (jar, csrf) = csrf_token(std::mem::take(&mut self.jar), self.state.secure());
        self.jar = jar;
        Chrome {
            t: texts(self.lang),
            back: self.path.clone(),
            csrf,
            signed_in,
            sign_out: "/account/sign-out",
        }
    }

    /// The frame for a selfcare page: its sign-out button ends the selfcare session.
    pub(crate) fn selfcare_chrome(&mut self, signed_in: bool) -> Chrome {
        Chrome {
            sign_out: "/selfcare/sign-out",
            ..self.chrome(signed_in)
        }
    }

    /// A rendered page with this context's cookies.
    pub(crate) fn page(self, template: &impl askama::Template) -> Response {
        let body = page(template);
        self.respond(body)
    }

    /// A rendered page: 422 when the form on it was sent back with errors.
    pub(crate) fn form_page(self, template: &impl askama::Template, failed: bool) -> Response {
        let mut resp = self.page(template);
        if failed && resp.status().is_success() {
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        }
        resp
    }

    /// this request's language, inside the frame `c`.
    pub(crate) fn message(
        self,
        c: Chrome,
        title: L,
        message: L,
        link: Option<(&str, L)>,
    ) -> Response {
        let lang = self.lang;
        let body = MessagePage {
            c,
            title: title.get(lang).to_owned(),
            message: message.get(lang).to_owned(),
            link: link.map(|(href, text)| (href.to_owned(), text.get(lang).to_owned())),
        };
        self.page(&body)
    }

    /// A page saying the form expired (stale or forged CSRF token).
    pub(crate) fn form_expired(mut self) -> Response {
        let c = self.chrome(false);
        let mut resp = self.message(
            c,
            L("Modulo scaduto", "Form expired"),
            L(
                "Il modulo è scaduto o non proviene da questo sito. Torna indietro, ricarica la pagina e riprova.",
                "The form expired or did not come from this site. Go back, reload the page and try again.",
            ),
            Some(("/", L("Torna alla home", "Back to the home page"))),
        );
        *resp.status_mut() = StatusCode::FORBIDDEN;
        resp
    }
}

/// A page with a heading, one message and an optional link onwards.
#[derive(askama::Template)]
#[template(path = "message.html")]
pub(crate) struct MessagePage {
    pub c: Chrome,
    pub title: String,
    pub message: String,
    pub link: Option<(String, String)>,
}

/// A page with one form: heading, introduction, fields, submit, links after.
#[derive(askama::Template)]
#[template(path = "simple_form.html")]
pub(crate) struct SimpleForm {
    pub c: Chrome,
    pub title: String,
    pub intro: String,
    pub action: &'static str,
    pub submit: String,
    pub sets: Vec<Fieldset>,
    pub summary: Vec<(String, String)>,
    pub notices: Vec<String>,
    pub after: Vec<(String, String)>,
}

/// Renders a template into an HTML response; a template error is a 500 with detail logged.
pub(crate) fn page(template: &impl askama::Template) -> Response {
    match template.render() {
        Ok(html) => ([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "internal error",
            )
                .into_response()
        }
    }
}

/// A redirect after a form post (303, so the browser follows with GET).
pub(crate) fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// Only same-site paths (`/x`, never `//host` or a full URL) may be redirect targets.
pub(crate) fn safe_path(path: Option<&str>) -> &str {
    match path {
        // Browsers drop tabs and newlines from URLs, so `/\t/evil` would become
        // `//evil`: any control character or space disqualifies the path.
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.contains('\\')
                && !p.chars().any(|c| c.is_control() || c.is_whitespace()) =>
        {
            p
        }
        _ => "/",
    }
}
