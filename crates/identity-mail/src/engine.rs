//! A tiny template engine for the mail files.
//!
//! A placeholder is `{name}`, where `name` is a lowercase letter followed by
//! lowercase letters, digits or `_`; any other brace is plain text. Values are
//! written raw in text and HTML-escaped in HTML (a line break becomes `<br>`).
//! A value can be a list: one `- item` line each in text, a `<ul>` in HTML, so a
//! list placeholder stands on a line of its own.
//!
//! Optional parts need no conditionals: a line whose placeholders all come out
//! empty and that shows no text (blank, or only tags such as `<p ...></p>`) is
//! dropped, and in text runs of blank lines are folded into one.
//!
//! A layout is a template with a line `{body}`: [`wrap`] puts a body's source
//! there, and the whole is then filled as one template.

/// How substituted values are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Plain text: values as they are.
    Text,
    /// HTML: values escaped.
    Html,
}

/// A value to substitute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    /// A piece of text (may be empty, may span lines).
    Text(String),
    /// A list of items.
    List(Vec<String>),
}

impl Value {
    /// A text value.
    pub(crate) fn text(text: impl Into<String>) -> Value {
        Value::Text(text.into())
    }

    fn write(&self, mode: Mode, out: &mut String) {
        match (self, mode) {
            (Value::Text(t), Mode::Text) => out.push_str(t),
            (Value::Text(t), Mode::Html) => out.push_str(&escape(t).replace('\n', "<br>\n")),
            (Value::List(items), Mode::Text) => {
                let lines: Vec<String> = items.iter().map(|i| format!("- {i}")).collect();
                out.push_str(&lines.join("\n"));
            }
            (Value::List(items), Mode::Html) if items.is_empty() => {}
            (Value::List(items), Mode::Html) => {
                out.push_str("<ul>\n");
                for item in items {
                    out.push_str("<li>");
                    out.push_str(&escape(item));
                    out.push_str("</li>\n");
                }
                out.push_str("</ul>");
            }
        }
    }
}

/// The values a template is filled with, by name.
#[derive(Debug, Clone, Default)]
pub(crate) struct Context {
    values: Vec<(&'static str, Value)>,
}

impl Context {
    /// Sets `name` to `value`, replacing an earlier value.
    pub(crate) fn set(&mut self, name: &'static str, value: Value) {
        match self.values.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.values.push((name, value)),
        }
    }

    /// The value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&Value> {
        self.values.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }
}

/// Escapes text for HTML content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A piece of a template: literal text or a placeholder's name.
#[derive(Debug, PartialEq, Eq)]
enum Piece<'a> {
    Literal(&'a str),
    Placeholder(&'a str),
}

/// Splits `source` into literals and placeholders.
fn pieces(source: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut literal_start = 0;
    let mut i = 0;
    while let Some(offset) = source[i..].find('{') {
        let open = i + offset;
        let after = &source[open + 1..];
        let len = after
            .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(after.len());
        let name = &after[..len];
        let is_name = name.starts_with(|c: char| c.is_ascii_lowercase());
        if is_name && after[len..].starts_with('}') {
            if literal_start < open {
                pieces.push(Piece::Literal(&source[literal_start..open]));
            }
            pieces.push(Piece::Placeholder(name));
            i = open + 1 + len + 1;
            literal_start = i;
        } else {
            i = open + 1;
        }
    }
    if literal_start < source.len() {
        pieces.push(Piece::Literal(&source[literal_start..]));
    }
    pieces
}

/// The names of the placeholders in `source`, in order, with repeats.
#[cfg(test)]
pub(crate) fn placeholders(source: &str) -> Vec<&str> {
    pieces(source)
        .into_iter()
        .filter_map(|p| match p {
            Piece::Placeholder(name) => Some(name),
            Piece::Literal(_) => None,
        })
        .collect()
}

/// Puts `body` in place of the line `{body}` of `layout`.
pub(crate) fn wrap(layout: &str, body: &str) -> String {
    let mut out = String::with_capacity(layout.len() + body.len());
    for line in layout.split_inclusive('\n') {
        if line.trim_end() == "{body}" {
            out.push_str(body);
            if !body.ends_with('\n') {
                out.push('\n');
            }
        } else {
            out.push_str(line);
        }
    }
    out
}

/// Fills `source` from `context`. Fails with the name of the first placeholder
/// that has no value.
pub(crate) fn fill(source: &str, mode: Mode, context: &Context) -> Result<String, String> {
    let mut out = String::with_capacity(source.len() + source.len() / 2);
    for line in source.split_inclusive('\n') {
        let mut filled = String::with_capacity(line.len());
        let (mut placeholders, mut all_empty) = (false, true);
        for piece in pieces(line) {
            match piece {
                Piece::Literal(text) => filled.push_str(text),
                Piece::Placeholder(name) => {
                    let value = context.get(name).ok_or_else(|| name.to_owned())?;
                    let before = filled.len();
                    value.write(mode, &mut filled);
                    placeholders = true;
                    all_empty &= filled.len() == before;
                }
            }
        }
        let blank = visible_text(&filled, mode).trim().is_empty();
        if !(placeholders && all_empty && blank) {
            out.push_str(&filled);
        }
    }
    Ok(match mode {
        Mode::Text => tidy(&out),
        Mode::Html => out,
    })
}

/// What a reader would see of `line`: in HTML, without its tags.
fn visible_text(line: &str, mode: Mode) -> String {
    if mode == Mode::Text {
        return line.to_owned();
    }
    let mut text = String::new();
    let mut in_tag = false;
    for c in line.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

/// Trims trailing spaces, folds runs of blank lines into one and ends the text
/// with exactly one line break.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_before = true;
    for line in text.lines().map(str::trim_end) {
        if line.is_empty() {
            if !blank_before {
                out.push('\n');
            }
            blank_before = true;
        } else {
            out.push_str(line);
            out.push('\n');
            blank_before = false;
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> Context {
        let mut c = Context::default();
        c.set("name", Value::text("Anna <b> & \"co\""));
        c.set("empty", Value::text(""));
        c.set("lines", Value::text("uno\ndue"));
        c.set("list", Value::List(vec!["a<1>".into(), "b".into()]));
        c
    }

    #[test]
    fn only_well_formed_names_are_placeholders() {
        let source = "{name} {Name} { name} {} {9x} {a-b} {{x}} {x_1}";
        assert_eq!(placeholders(source), ["name", "x", "x_1"]);
    }

    #[test]
    fn text_is_raw_and_html_is_escaped() {
        let c = context();
        assert_eq!(
            fill("Ciao {name}.\n", Mode::Text, &c).unwrap(),
            "Ciao Anna <b> & \"co\".\n"
        );
        assert_eq!(
            fill("<p>Ciao {name}.</p>\n<p>{lines}</p>\n", Mode::Html, &c).unwrap(),
            "<p>Ciao Anna &lt;b&gt; &amp; &quot;co&quot;.</p>\n<p>uno<br>\ndue</p>\n"
        );
    }

    #[test]
    fn lists_are_dashes_in_text_and_ul_in_html() {
        let c = context();
        assert_eq!(
            fill("x\n{list}\n", Mode::Text, &c).unwrap(),
            "x\n- a<1>\n- b\n"
        );
        assert_eq!(
            fill("{list}\n", Mode::Html, &c).unwrap(),
            "<ul>\n<li>a&lt;1&gt;</li>\n<li>b</li>\n</ul>\n"
        );
    }

    #[test]
    fn lines_left_without_text_are_dropped() {
        let c = context();
        assert_eq!(
            fill("a\n\n{empty}\n\nb {empty}\n\n\n", Mode::Text, &c).unwrap(),
            "a\n\nb\n"
        );
        assert_eq!(
            fill(
                "<p>a</p>\n<p style=\"x\">{empty}</p>\n<p></p>\n<a href=\"{name}\"></a>\n",
                Mode::Html,
                &c
            )
            .unwrap(),
            "<p>a</p>\n<p></p>\n<a href=\"Anna &lt;b&gt; &amp; &quot;co&quot;\"></a>\n",
            "only lines whose placeholders are all empty are dropped"
        );
    }

    #[test]
    fn wrap_puts_the_body_on_the_layout_body_line() {
        let layout = "<p>{name}</p>\n{body}\n<p>end {body}</p>\n";
        let wrapped = "<p>{name}</p>\n<p>a</p>\n<p>b</p>\n<p>end {body}</p>\n";
        assert_eq!(wrap(layout, "<p>a</p>\n<p>b</p>\n"), wrapped);
        assert_eq!(wrap(layout, "<p>a</p>\n<p>b</p>"), wrapped);
    }

    #[test]
    fn a_placeholder_without_value_is_an_error() {
        assert_eq!(
            fill("{name} {nope}", Mode::Text, &context()),
            Err("nope".to_owned())
        );
    }
}
