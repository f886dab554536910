//! One page shape for the selfcare's steps and operations without a session:
//! a heading, paragraphs, then one or more forms (each with its own heading),
//! the error summary on top and links after.

use askama::Template;
use axum::response::Response;
use identity_core::Lang;

use crate::form::{FieldMessages, Fieldset, attach_errors, error_summary};
use crate::web::{Chrome, Ctx};

/// One form on the page.
pub(crate) struct FormBox {
    /// The `id` of its section (tests and links find it).
    pub id: &'static str,
    pub title: Option<String>,
    pub intro: Option<String>,
    pub action: &'static str,
    pub submit: String,
    pub sets: Vec<Fieldset>,
    /// A secondary action (a lighter button).
    pub secondary: bool,
}

impl FormBox {
    pub(crate) fn new(
        id: &'static str,
        action: &'static str,
        submit: &str,
        sets: Vec<Fieldset>,
    ) -> FormBox {
        FormBox {
            id,
            title: None,
            intro: None,
            action,
            submit: submit.to_owned(),
            sets,
            secondary: false,
        }
    }

    pub(crate) fn titled(mut self, title: &str, intro: &str) -> FormBox {
        self.title = Some(title.to_owned());
        self.intro = Some(intro.to_owned());
        self
    }

    pub(crate) fn secondary(mut self) -> FormBox {
        self.secondary = true;
        self
    }
}

#[derive(Template)]
#[template(path = "selfcare_forms.html")]
pub(crate) struct FormsPage {
    pub c: Chrome,
    /// "SPID" while the holder signs in for a service provider, else "Selfcare".
    pub area: &'static str,
    pub title: String,
    pub paragraphs: Vec<String>,
    pub forms: Vec<FormBox>,
    pub summary: Vec<(String, String)>,
    pub notices: Vec<String>,
    pub after: Vec<(String, String)>,
}

impl FormsPage {
    /// Renders the page with `errors` beside their fields and `notices` on top;
    /// 422 when there is any.
    pub(crate) fn render(
        mut ctx: Ctx,
        title: &str,
        paragraphs: Vec<String>,
        mut forms: Vec<FormBox>,
        errors: &FieldMessages,
        mut notices: Vec<String>,
        after: Vec<(String, String)>,
    ) -> Response {
        let lang: Lang = ctx.lang;
        let mut summary = Vec::new();
        let mut orphans: Option<Vec<String>> = None;
        for f in &mut forms {
            let left = attach_errors(&mut f.sets, errors, lang);
            // An error is an orphan only if no form on the page has its field.
            orphans = Some(match orphans {
                None => left,
                Some(prev) => prev.into_iter().filter(|m| left.contains(m)).collect(),
            });
            summary.extend(error_summary(&f.sets));
        }
        notices.extend(orphans.unwrap_or_default());
        let failed = !summary.is_empty() || !notices.is_empty();
        let area = if crate::oidc::pending_request(&ctx).is_some() {
            "SPID"
        } else {
            "Selfcare"
        };
        let c = ctx.selfcare_chrome(false);
        let page = FormsPage {
            c,
            area,
            title: title.to_owned(),
            paragraphs,
            forms,
            summary,
            notices,
            after,
        };
        ctx.form_page(&page, failed)
    }
}
