//! Form fields as data: each page lists its fieldsets and fields, and one partial
//! template renders them the same accessible way everywhere (a `<label>` for every
//! control, hints and errors tied to it with `aria-describedby`, `aria-invalid` on
//! errors). Values typed are kept on errors; passwords never are.

use identity_core::Lang;
use identity_service::forms::FieldErrors;
use identity_words::Words;

use identity_words::L;

/// One option of a select or radio group.
#[derive(Debug, Clone)]
pub(crate) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// One control with its label, hint and error.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    /// Form field name (also the error key).
    pub name: &'static str,
    pub label: String,
    /// `text`, `email`, `tel`, `date`, `password`, `select`, `radio`, `checkbox`, `textarea`.
    pub kind: &'static str,
    pub value: String,
    pub hint: Option<String>,
    /// A hint with markup (a link): only ever a constant of ours, never data.
    pub hint_html: Option<&'static str>,
    pub error: Option<String>,
    pub required: bool,
    /// The `autocomplete` attribute (`off` when nothing fits).
    pub autocomplete: &'static str,
    pub options: Vec<Choice>,
    /// For a checkbox: whether it is ticked.
    pub checked: bool,
}

impl Field {
    /// A text-like field.
    pub(crate) fn new(name: &'static str, label: L, kind: &'static str, lang: Lang) -> Field {
        Field {
            name,
            label: label.get(lang).to_owned(),
            kind,
            value: String::new(),
            hint: None,
            hint_html: None,
            error: None,
            required: true,
            autocomplete: "off",
            options: Vec::new(),
            checked: false,
        }
    }

    pub(crate) fn value(mut self, v: &str) -> Field {
        if self.kind != "password" {
            v.clone_into(&mut self.value);
        }
        self
    }

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Field {
        self.hint = Some(hint.into());
        self
    }

    /// A hint with markup; `&'static str`, so it cannot carry user data.
    pub(crate) fn hint_html(mut self, html: &'static str) -> Field {
        self.hint_html = Some(html);
        self
    }

    pub(crate) fn optional(mut self) -> Field {
        self.required = false;
        self
    }

    pub(crate) fn autocomplete(mut self, a: &'static str) -> Field {
        self.autocomplete = a;
        self
    }

    pub(crate) fn checked(mut self, on: bool) -> Field {
        self.checked = on;
        self
    }

    /// Options; the one equal to the field's value is selected.
    pub(crate) fn options(mut self, options: impl IntoIterator<Item = (String, String)>) -> Field {
        let current = self.value.clone();
        self.options = options
            .into_iter()
            .map(|(value, label)| Choice {
                selected: value == current,
                value,
                label,
            })
            .collect();
        self
    }

    /// `aria-describedby`: the hint and the error, when present.
    pub(crate) fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if self.hint.is_some() || self.hint_html.is_some() {
            ids.push(format!("{}-hint", self.name));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.name));
        }
        ids.join(" ")
    }
}

/// A group of fields under a legend.
#[derive(Debug, Clone)]
pub(crate) struct Fieldset {
    pub legend: String,
    pub fields: Vec<Field>,
}

impl Fieldset {
    pub(crate) fn new(legend: L, lang: Lang, fields: Vec<Field>) -> Fieldset {
        Fieldset {
            legend: legend.get(lang).to_owned(),
            fields,
        }
    }
}

/// A page's field errors: the service's [`FieldErrors`] (codes), and the use
/// cases' outcomes a page shows beside a field; put in words when the page is
/// rendered, in its language.
#[derive(Default)]
pub(crate) struct FieldMessages(Vec<(&'static str, Box<dyn Words + Send + Sync>)>);

impl FieldMessages {
    /// No errors.
    pub(crate) fn new() -> FieldMessages {
        FieldMessages::default()
    }

    /// Shows `outcome` beside `field` (unless the field has an error already).
    pub(crate) fn add(&mut self, field: &'static str, outcome: impl Words + Send + Sync + 'static) {
        if !self.0.iter().any(|(f, _)| *f == field) {
            self.0.push((field, Box::new(outcome)));
        }
    }

    /// Whether there are none.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<FieldErrors> for FieldMessages {
    fn from(errors: FieldErrors) -> FieldMessages {
        let mut messages = FieldMessages::new();
        for e in errors.iter() {
            messages.add(e.field, e.problem.clone());
        }
        messages
    }
}

impl From<&FieldErrors> for FieldMessages {
    fn from(errors: &FieldErrors) -> FieldMessages {
        errors.clone().into()
    }
}

/// Attaches each error to its field; returns the messages of errors whose field is
/// not on the page (shown at the top).
pub(crate) fn attach_errors(
    sets: &mut [Fieldset],
    errors: &FieldMessages,
    lang: Lang,
) -> Vec<String> {
    let mut orphans = Vec::new();
    for (name, outcome) in &errors.0 {
        let field = sets
            .iter_mut()
            .flat_map(|s| s.fields.iter_mut())
            .find(|f| f.name == *name);
        match field {
            Some(f) => f.error = Some(outcome.words(lang)),
            None => orphans.push(outcome.words(lang)),
        }
    }
    orphans
}

/// A summary of the errors for the top of the form: each links to its field.
pub(crate) fn error_summary(sets: &[Fieldset]) -> Vec<(String, String)> {
    sets.iter()
        .flat_map(|s| s.fields.iter())
        .filter_map(|f| {
            f.error
                .as_ref()
                .map(|e| (format!("f-{}", f.name), format!("{}: {e}", f.label)))
        })
        .collect()
}
