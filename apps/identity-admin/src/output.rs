//! Printing results: aligned key/value blocks and tables for people, JSON for scripts.

use serde::Serialize;

use crate::Failure;

/// Prints `value` as pretty JSON.
pub fn json<T: Serialize>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Failure::Refused(e.to_string()))?;
    println!("{text}");
    Ok(())
}

/// Prints `label: value` lines with the values aligned.
pub fn fields(rows: &[(&str, String)]) {
    let width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    for (k, v) in rows {
        println!("{k:<width$}  {v}");
    }
}

/// Prints a table with a header row and aligned columns.
pub fn table(header: &[&str], rows: &[Vec<String>]) {
    // Cells can hold what anyone sent (a client id in the provider's log):
    // control characters would move the cursor or retitle the terminal.
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|cell| {
                    cell.chars()
                        .map(|c| if c.is_control() { '?' } else { c })
                        .collect()
                })
                .collect()
        })
        .collect();
    let rows = &rows;
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        println!("{}", parts.join("  ").trim_end());
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}

/// A time on the Rome wall clock, as holders and operators see it.
pub fn rome(at: chrono::DateTime<chrono::Utc>) -> String {
    identity_core::calendar::in_rome(at)
        .format("%Y-%m-%d %H:%M %Z")
        .to_string()
}

/// [`rome`] for an optional time; empty when there is none.
pub fn rome_opt(at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    at.map(rome).unwrap_or_default()
}

/// Free text fit for one table cell: whitespace runs (newlines included) become
/// one space, and text longer than `max` characters is cut with an ellipsis.
pub fn cell(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end())
}

/// Creates `path` for an export of personal data: a new file (never an existing
/// one, nor through a symbolic link), readable by its owner only.
pub fn new_private_file(path: &std::path::Path) -> Result<std::fs::File, Failure> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options
        .open(path)
        .map_err(|e| Failure::Refused(format!("{}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn cells_are_one_line_and_bounded() {
        assert_eq!(cell("short", 10), "short");
        assert_eq!(cell("two\nlines  here", 20), "two lines here");
        assert_eq!(cell("accent missing on the last letter", 10), "accent mi…");
        assert_eq!(cell("àèìòùàèìòù", 5), "àèìò…");
    }
}
