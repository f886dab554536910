//! `import holders FILE.csv`: bulk import of holders. The first line names the
//! columns (those of the registration form); each further line is one holder,
//! imported in a transaction of its own or refused with the reasons. A progress
//! bar runs on standard error when it is a terminal; the report lists every
//! refused row (row number as in a spreadsheet, column, message).

use std::path::{Path, PathBuf};

use clap::Subcommand;
use identity_core::Lang;
use identity_service::OperatorRole;
use identity_service::usecases::import::{RowOutcome, RowProblem};
use identity_service::usecases::register_input::RegistrationInput;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;

use crate::{Cli, Failure, context, output};

/// Import commands.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import holders from a CSV file (UTF-8, comma-separated, first line the
    /// column names). Columns: subject_kind, given_name, family_name, tax_code,
    /// birth_date, sex, birth_place, birth_province, company_name, vat_number,
    /// sdi_code, invoicing_pec, street, postal_code, municipality, province,
    /// country, email, phone, pec, lang (it or en). Imported logins have no
    /// password: the holder sets one with a reset code.
    Holders {
        /// The CSV file.
        file: PathBuf,
        /// Check every row and report, but store nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// The columns an import file may have.
pub const COLUMNS: [&str; 21] = [
    "subject_kind",
    "given_name",
    "family_name",
    "tax_code",
    "birth_date",
    "sex",
    "birth_place",
    "birth_province",
    "company_name",
    "vat_number",
    "sdi_code",
    "invoicing_pec",
    "street",
    "postal_code",
    "municipality",
    "province",
    "country",
    "email",
    "phone",
    "pec",
    "lang",
];

/// Sets column `name` of `row` to `value`.
fn set(row: &mut RegistrationInput, name: &str, value: &str) -> Result<(), RowProblem> {
    let v = value.to_owned();
    match name {
        "subject_kind" => row.subject_kind = v,
        "given_name" => row.given_name = v,
        "family_name" => row.family_name = v,
        "tax_code" => row.tax_code = v,
        "birth_date" => row.birth_date = v,
        "sex" => row.sex = v,
        "birth_place" => row.birth_place = v,
        "birth_province" => row.birth_province = v,
        "company_name" => row.company_name = v,
        "vat_number" => row.vat_number = v,
        "sdi_code" => row.sdi_code = v,
        "invoicing_pec" => row.invoicing_pec = v,
        "street" => row.street = v,
        "postal_code" => row.postal_code = v,
        "municipality" => row.municipality = v,
        "province" => row.province = v,
        "country" => row.country = v,
        "email" => row.email = v,
        "phone" => row.phone = v,
        "pec" => row.pec = v,
        "lang" => {
            row.lang = match value.trim().to_ascii_lowercase().as_str() {
                "" | "it" => Lang::It,
                "en" => Lang::En,
                other => {
                    return Err(RowProblem {
                        field: "lang".into(),
                        message: format!("{other:?} is not a language: use it or en"),
                    });
                }
            }
        }
        // The header is checked before any row: no other column gets here.
        _ => {}
    }
    Ok(())
}

/// Opens the file and checks its header: a usage error (nothing touched) when
/// it cannot be read, is empty, or names an unknown or repeated column.
fn open(path: &Path) -> Result<(csv::Reader<std::fs::File>, Vec<String>, u64), Failure> {
    let count = {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_path(path)
            .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
        r.records().count() as u64
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    if headers.iter().all(String::is_empty) {
        return Err(Failure::Usage(format!(
            "{}: the first line must name the columns",
            path.display()
        )));
    }
    for (i, h) in headers.iter().enumerate() {
        if !COLUMNS.contains(&h.as_str()) {
            return Err(Failure::Usage(format!(
                "{}: unknown column {h:?}; the columns are {}",
                path.display(),
                COLUMNS.join(", ")
            )));
        }
        if headers[..i].contains(h) {
            return Err(Failure::Usage(format!(
                "{}: column {h:?} appears twice",
                path.display()
            )));
        }
    }
    Ok((reader, headers, count))
}

fn progress(total: u64) -> ProgressBar {
    use std::io::IsTerminal as _;
    let bar = ProgressBar::with_draw_target(
        Some(total),
        if std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        },
    );
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} rows ({per_sec}, {eta} left) {msg}",
    ) {
        bar.set_style(style);
    }
    bar
}

pub async fn run(cli: &Cli, command: &ImportCommand) -> Result<(), Failure> {
    let ImportCommand::Holders { file, dry_run } = command;
    let (mut reader, headers, total) = open(file)?;
    let (service, operator) = context::acting(cli, OperatorRole::Operator).await?;
    let bar = progress(total);
    let started = std::time::Instant::now();
    let mut imported = 0_u64;
    let mut refused: Vec<(u64, RowProblem)> = Vec::new();
    let mut refused_rows = 0_u64;
    for (i, record) in reader.records().enumerate() {
        // Row 1 is the header, as in a spreadsheet.
        let row_number = i as u64 + 2;
        let mut problems = Vec::new();
        let mut row = RegistrationInput::default();
        match record {
            Err(e) => problems.push(RowProblem {
                field: "row".into(),
                message: format!("unreadable: {e}"),
            }),
            Ok(record) => {
                for (name, value) in headers.iter().zip(record.iter()) {
                    if let Err(p) = set(&mut row, name, value) {
                        problems.push(p);
                    }
                }
            }
        }
        // A row with a bad column is still checked (without storing it), so the
        // report lists all of its problems at once.
        let check_only = *dry_run || !problems.is_empty();
        match service
            .import_holder(&row, check_only, &operator)
            .await
            .map_err(|e| Failure::Refused(format!("row {row_number}: {e}")))?
        {
            RowOutcome::Imported { .. } if problems.is_empty() => imported += 1,
            RowOutcome::Imported { .. } => {}
            RowOutcome::Refused(p) => problems.extend(p),
        }
        if !problems.is_empty() {
            refused_rows += 1;
            refused.extend(problems.into_iter().map(|p| (row_number, p)));
            bar.set_message(format!("{refused_rows} refused"));
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    let rate = if seconds > 0.0 {
        (imported + refused_rows) as f64 / seconds
    } else {
        0.0
    };
    if cli.json {
        output::json(&json!({
            "dry_run": dry_run,
            "rows": imported + refused_rows,
            "imported": imported,
            "refused": refused_rows,
            "seconds": seconds,
            "problems": refused.iter().map(|(row, p)| json!({ "row": row, "field": p.field, "message": p.message })).collect::<Vec<_>>(),
        }))?;
    } else {
        if !refused.is_empty() {
            let rows: Vec<Vec<String>> = refused
                .iter()
                .map(|(row, p)| vec![row.to_string(), p.field.clone(), p.message.clone()])
                .collect();
            output::table(&["ROW", "FIELD", "PROBLEM"], &rows);
            println!();
        }
        let verb = if *dry_run {
            "would be imported"
        } else {
            "imported"
        };
        println!(
            "{imported} holders {verb}, {refused_rows} rows refused, in {seconds:.1} s ({rate:.0} rows/s){}",
            if *dry_run {
                " (dry run: nothing was stored)"
            } else {
                ""
            }
        );
    }
    if refused_rows > 0 {
        return Err(Failure::Refused(format!(
            "{refused_rows} rows refused (see the report), {imported} {}",
            if *dry_run { "would be imported" } else { "imported" }
        )));
    }
    Ok(())
}
