//! `jobs run|status`: the calendar jobs on demand (cron, rehearsals with
//! `--as-of` and `--dry-run`) and the latest run of each.

use chrono::{DateTime, NaiveDate, Utc};
use clap::Subcommand;
use identity_service::model::JobRun;
use identity_service::usecases::jobs::{Job, JobOptions, this_node};

use crate::{Cli, Failure, context, output};

/// Calendar-job commands.
#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// Run the jobs now (all, or one with --job). Safe beside running web nodes:
    /// nothing is done twice.
    Run {
        /// Only this job: shared_contacts, document_expiry, suspension_deadlines,
        /// inactivity, password_expiry, signing_keys or retention.
        #[arg(long, value_name = "NAME")]
        job: Option<String>,
        /// Act as of this instant instead of now: an RFC 3339 time, or a day
        /// (YYYY-MM-DD) meaning its first instant in Europe/Rome. Changes are
        /// real unless --dry-run is given.
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        /// Decide everything and keep nothing (no change, no mail, no run record).
        #[arg(long)]
        dry_run: bool,
        /// Make real changes as of a future --as-of (revocations are final):
        /// only for rehearsal copies of the database and tests.
        #[arg(long)]
        allow_future: bool,
    },
    /// The latest run of each job: when, as of when, on which node, what it did.
    Status,
}

/// Parses `--as-of`: an RFC 3339 instant or a Rome calendar day.
fn as_of(text: &str) -> Result<DateTime<Utc>, Failure> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .map(identity_core::calendar::start_of_rome_day)
        .ok_or_else(|| {
            Failure::Usage(format!(
                "--as-of {text:?}: give a day (2028-01-16) or an RFC 3339 time (2028-01-16T09:00:00+01:00)"
            ))
        })
}

fn counts(run: &JobRun) -> String {
    if run.counts.is_empty() {
        return "nothing due".into();
    }
    run.counts
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn print_runs(cli: &Cli, runs: &[JobRun]) -> Result<(), Failure> {
    if cli.json {
        return output::json(&runs);
    }
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|r| {
            vec![
                r.job.clone(),
                output::rome(r.as_of),
                output::rome(r.started_at),
                format!("{} ms", (r.finished_at - r.started_at).num_milliseconds()),
                r.node.clone(),
                match &r.error {
                    None => counts(r),
                    Some(e) => format!("FAILED: {e} (before: {})", counts(r)),
                },
            ]
        })
        .collect();
    output::table(&["JOB", "AS OF", "STARTED", "TOOK", "NODE", "DID"], &rows);
    Ok(())
}

pub async fn run(cli: &Cli, command: &JobsCommand) -> Result<(), Failure> {
    match command {
        JobsCommand::Run {
            job,
            as_of: at,
            dry_run,
            allow_future,
        } => {
            let only = match job {
                None => None,
                Some(name) => Some(Job::from_name(name).ok_or_else(|| {
                    let names: Vec<&str> = Job::ALL.iter().map(|j| j.name()).collect();
                    Failure::Usage(format!(
                        "no job {name:?}; the jobs are {}",
                        names.join(", ")
                    ))
                })?),
            };
            let as_of = at.as_deref().map(as_of).transpose()?;
            // A minute's grace for clocks that disagree a little.
            let future = as_of.is_some_and(|t| t > Utc::now() + chrono::Duration::minutes(1));
            if future && !*dry_run && !*allow_future {
                return Err(Failure::Usage(
                    "--as-of is in the future: add --dry-run to rehearse, or --allow-future to \
                     really revoke, suspend and purge as of that date (a rehearsal copy of the database only)"
                        .into(),
                ));
            }
            let (service, operator) =
                context::acting(cli, identity_service::OperatorRole::Operator).await?;
            let runs = service
                .run_jobs(&JobOptions {
                    as_of,
                    dry_run: *dry_run,
                    only,
                    node: this_node(),
                })
                .await;
            if *dry_run && !cli.json {
                println!("dry run: nothing was changed");
            }
            if !*dry_run {
                // The changes are audited under each job's system actor; who ran
                // the jobs, as of when, is audited here.
                let counts: serde_json::Map<String, serde_json::Value> = runs
                    .iter()
                    .map(|r| (r.job.clone(), serde_json::json!(r.counts)))
                    .collect();
                service
                    .audit_operator_act(
                        &operator,
                        "jobs.run",
                        None,
                        serde_json::json!({ "as_of": runs.first().map(|r| r.as_of), "counts": counts }),
                    )
                    .await
                    .map_err(|e| Failure::Refused(e.to_string()))?;
            }
            print_runs(cli, &runs)?;
            match runs.iter().find(|r| r.error.is_some()) {
                Some(r) => Err(Failure::Refused(format!("job {} failed", r.job))),
                None => Ok(()),
            }
        }
        JobsCommand::Status => {
            let (service, _operator) =
                context::acting(cli, identity_service::OperatorRole::Viewer).await?;
            let mut runs = service
                .job_status()
                .await
                .map_err(|e| Failure::Refused(e.to_string()))?;
            // In the order a run executes them.
            runs.sort_by_key(|r| {
                Job::ALL
                    .iter()
                    .position(|j| j.name() == r.job)
                    .unwrap_or(usize::MAX)
            });
            if runs.is_empty() && !cli.json {
                println!("no job has run yet");
                return Ok(());
            }
            print_runs(cli, &runs)
        }
    }
}
