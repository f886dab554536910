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
use identity_words::Words;
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

/// The columns every file needs, whatever the subject kind (each kind needs
/// more, checked row by row).
const REQUIRED_COLUMNS: [&str; 6] = [
    "subject_kind",
    "street",
    "municipality",
    "province",
    "email",
    "phone",
];

/// Sets column `name` of `row` to `value`.
fn set(row: &mut RegistrationInput, name: &str, value: &str) -> Result<(), Problem> {
    let v = value.to_owned();
    match name {
        "subject_kind" => {
            let kind = value.trim().to_ascii_lowercase();
            if identity_core::SubjectKind::from_code(&kind).is_none() {
                let kinds: Vec<&str> = identity_core::SubjectKind::ALL
                    .iter()
                    .map(|k| k.code())
                    .collect();
                return Err(Problem {
                    field: "subject_kind".into(),
                    message: format!(
                        "{value:?} is not a subject kind: one of {}",
                        kinds.join(", ")
                    ),
                });
            }
            row.subject_kind = kind;
        }
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
                    return Err(Problem {
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
    let missing: Vec<&str> = REQUIRED_COLUMNS
        .iter()
        .copied()
        .filter(|c| !headers.iter().any(|h| h == c))
        .collect();
    if !missing.is_empty() {
        return Err(Failure::Usage(format!(
            "{}: missing column(s) {}; every file needs {}",
            path.display(),
            missing.join(", "),
            REQUIRED_COLUMNS.join(", ")
        )));
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

/// How many rows are imported at once: PostgreSQL overlaps their commits;
/// SQLite has one writer at a time, so more would only wait.
const POSTGRES_PARALLEL_ROWS: usize = 4;

/// The row's fiscal ids as the file writes them, normalised, to find a holder
/// that appears twice in one file (rows imported in parallel cannot see each
/// other in the database).
fn fiscal_ids(row: &RegistrationInput) -> Vec<String> {
    [&row.tax_code, &row.vat_number]
        .into_iter()
        .map(|v| v.trim().to_ascii_uppercase())
        .filter(|v| !v.is_empty())
        .collect()
}

/// Reads row `row_number` of the file into the registration fields; the
/// problems of columns that cannot even be read.
fn read_row(
    headers: &[String],
    record: Result<csv::StringRecord, csv::Error>,
) -> (RegistrationInput, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut row = RegistrationInput::default();
    match record {
        Err(e) => problems.push(Problem {
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
    (row, problems)
}

pub async fn run(cli: &Cli, command: &ImportCommand) -> Result<(), Failure> {
    let ImportCommand::Holders { file, dry_run } = command;
    let (mut reader, headers, total) = open(file)?;
    let parallel = if context::is_postgres(cli)? {
        POSTGRES_PARALLEL_ROWS
    } else {
        1
    };
    let connections = u32::try_from(parallel).unwrap_or(1).max(2);
    let (service, operator) =
        context::acting_with_connections(cli, OperatorRole::Operator, connections).await?;
    let bar = progress(total);
    let started = std::time::Instant::now();
    let mut seen: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    let mut outcomes: Vec<(u64, Checked)> = Vec::new();
    let mut running = tokio::task::JoinSet::new();
    for (i, record) in reader.records().enumerate() {
        // Row 1 is the header, as in a spreadsheet.
        let row_number = i as u64 + 2;
        let (row, mut problems) = read_row(&headers, record);
        for id in fiscal_ids(&row) {
            match seen.get(&id) {
                Some(first) => problems.push(Problem {
                    field: "tax_code".into(),
                    message: format!("{id} is also on row {first} of this file"),
                }),
                None => {
                    seen.insert(id, row_number);
                }
            }
        }
        while running.len() >= parallel {
            if let Some(done) = running.join_next().await {
                outcomes.push(finished(done, &bar)?);
            }
        }
        let (service, operator, dry_run) = (service.clone(), operator.clone(), *dry_run);
        running.spawn(async move {
            // A row with a bad column is still checked (without storing it), so
            // the report lists all of its problems at once.
            let check_only = dry_run || !problems.is_empty();
            let outcome = service
                .import_holder(&row, check_only, &operator)
                .await
                .map_err(|e| format!("row {row_number}: {e}"))?;
            let outcome = match outcome {
                RowOutcome::Refused(p) => {
                    problems.extend(p.iter().map(Problem::from));
                    Checked::Refused(problems)
                }
                _ if !problems.is_empty() => Checked::Refused(problems),
                RowOutcome::Imported { holder, login } => Checked::Imported { holder, login },
                RowOutcome::AlreadyOnFile { holder } => Checked::AlreadyOnFile { holder },
            };
            Ok::<_, String>((row_number, outcome))
        });
    }
    while let Some(done) = running.join_next().await {
        outcomes.push(finished(done, &bar)?);
    }
    bar.finish_and_clear();
    outcomes.sort_by_key(|(row, _)| *row);
    report(cli, *dry_run, &outcomes, started.elapsed().as_secs_f64())
}

/// Prints the report: the refused rows' problems, then the counts. Exit 1 when
/// a row was refused; rows already on file (an earlier run) are only counted.
fn report(
    cli: &Cli,
    dry_run: bool,
    outcomes: &[(u64, Checked)],
    seconds: f64,
) -> Result<(), Failure> {
    let mut imported = Vec::new();
    let mut skipped = Vec::new();
    let mut problems = Vec::new();
    for (row, outcome) in outcomes {
        match outcome {
            Checked::Imported { holder, login } => {
                imported.push(json!({ "row": row, "holder": holder, "login": login.to_string() }));
            }
            Checked::AlreadyOnFile { holder } => {
                skipped.push(json!({ "row": row, "holder": holder }));
            }
            Checked::Refused(p) => problems.extend(p.iter().map(|p| (*row, p))),
        }
    }
    let refused = outcomes
        .iter()
        .filter(|(_, o)| matches!(o, Checked::Refused(_)))
        .count();
    let rate = if seconds > 0.0 {
        outcomes.len() as f64 / seconds
    } else {
        0.0
    };
    if cli.json {
        output::json(&json!({
            "dry_run": dry_run,
            "rows": outcomes.len(),
            "imported": imported.len(),
            "already_on_file": skipped.len(),
            "refused": refused,
            "seconds": seconds,
            "holders": imported,
            "skipped": skipped,
            "problems": problems.iter().map(|(row, p)| json!({ "row": row, "field": p.field, "message": p.message })).collect::<Vec<_>>(),
        }))?;
    } else {
        if !problems.is_empty() {
            let rows: Vec<Vec<String>> = problems
                .iter()
                .map(|(row, p)| vec![row.to_string(), p.field.clone(), p.message.clone()])
                .collect();
            output::table(&["ROW", "FIELD", "PROBLEM"], &rows);
            println!();
        }
        let verb = if dry_run {
            "would be imported"
        } else {
            "imported"
        };
        println!(
            "{} {verb}, {} already on file (skipped), {} refused, in {seconds:.1} s ({rate:.0} rows/s){}",
            count(imported.len(), "holder", "holders"),
            count(skipped.len(), "row", "rows"),
            count(refused, "row", "rows"),
            if dry_run {
                " (dry run: nothing was stored)"
            } else {
                ""
            }
        );
    }
    if refused > 0 {
        return Err(Failure::Refused(format!(
            "{} refused (see the report); fix them and run the file again: rows already on file are skipped",
            count(refused, "row", "rows")
        )));
    }
    Ok(())
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// What became of a row: its number and outcome.
/// One problem of a refused row, as the report shows it.
#[derive(Debug)]
struct Problem {
    /// The column.
    field: String,
    /// What is wrong, in English (the operators' language).
    message: String,
}

impl From<&RowProblem> for Problem {
    fn from(p: &RowProblem) -> Problem {
        Problem {
            field: p.field.clone(),
            message: p.problem.words(Lang::En),
        }
    }
}

/// What became of a row: the service's outcome, with the problems of a refused
/// row (the file's and the service's) in words.
#[derive(Debug)]
enum Checked {
    Imported {
        holder: identity_core::HolderId,
        login: identity_core::LoginId,
    },
    AlreadyOnFile {
        holder: identity_core::HolderId,
    },
    Refused(Vec<Problem>),
}

/// The outcome of a finished row task, counted on the progress bar; a storage
/// failure (or a task that died) stops the import.
fn finished(
    done: Result<Result<(u64, Checked), String>, tokio::task::JoinError>,
    bar: &ProgressBar,
) -> Result<(u64, Checked), Failure> {
    let outcome = done
        .map_err(|e| Failure::Refused(format!("an import task failed: {e}")))?
        .map_err(Failure::Refused)?;
    if matches!(outcome.1, Checked::Refused(_)) {
        bar.set_message("some rows refused".to_owned());
    }
    bar.inc(1);
    Ok(outcome)
}
