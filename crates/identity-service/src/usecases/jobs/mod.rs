//! The calendar jobs (docs/domain.md §4 and §5): suspension deadlines,
//! inactivity, password expiry, identity-document expiry, contact data shared by
//! two identities, and retention. identity-web runs them every hour; operators run
//! them with `identity-admin jobs run`, optionally as of another date.
//!
//! Every job is idempotent and safe with several nodes on one database: it picks
//! candidates with a plain query, then handles each one in a transaction of its
//! own that re-reads the identity under a row lock and lets identity-core decide,
//! so a candidate another run has already handled is simply not due any more.
//! Notices are remembered under a unique key (subject, notice, deadline), so a
//! second run sends nothing twice.

mod lifecycle;
mod notices;
mod retention;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::model::JobRun;
use crate::ports::StoreError;
use crate::service::Service;

/// The calendar jobs, in the order a run executes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Job {
    /// Contact data shared by two identities: suspend at detection, restore once fixed.
    SharedContacts,
    /// Identity documents past their last valid day: suspend until a new one is recorded.
    DocumentExpiry,
    /// Suspensions at their 30-day deadline: revoke, restore or keep suspended.
    SuspensionDeadlines,
    /// 24 months without use: notices at 90, 30, 10 and 1 days, then revocation.
    Inactivity,
    /// Password expiry warnings at 7 and 2 days (the change itself is forced at sign-in).
    PasswordExpiry,
    /// The OpenID Connect signing keys: replaced every 90 days, old ones published
    /// a day longer, then deleted.
    SigningKeys,
    /// Removing what has outlived its retention (docs/operations.md).
    Retention,
}

impl Job {
    /// Every job, in run order: detections that suspend come before the deadline
    /// job, so a fixed contact conflict is restored before it could be revoked.
    pub const ALL: [Job; 7] = [
        Job::SharedContacts,
        Job::DocumentExpiry,
        Job::SuspensionDeadlines,
        Job::Inactivity,
        Job::PasswordExpiry,
        Job::SigningKeys,
        Job::Retention,
    ];

    /// The job's stable name (CLI, logs, metrics, `jobs status`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Job::SharedContacts => "shared_contacts",
            Job::DocumentExpiry => "document_expiry",
            Job::SuspensionDeadlines => "suspension_deadlines",
            Job::Inactivity => "inactivity",
            Job::PasswordExpiry => "password_expiry",
            Job::SigningKeys => "signing_keys",
            Job::Retention => "retention",
        }
    }

    /// Inverse of [`Job::name`].
    #[must_use]
    pub fn from_name(name: &str) -> Option<Job> {
        Job::ALL.into_iter().find(|j| j.name() == name)
    }
}

/// How to run the jobs.
#[derive(Debug, Clone)]
pub struct JobOptions {
    /// Act as of this instant instead of the clock's (operators' rehearsals, tests).
    pub as_of: Option<DateTime<Utc>>,
    /// Decide everything, keep nothing: every transaction is rolled back and the
    /// run is not recorded in `jobs status`.
    pub dry_run: bool,
    /// Only this job (all of them by default).
    pub only: Option<Job>,
    /// Who runs them, for the run record (host name and process id).
    pub node: String,
}

/// Counts what a job did, by action.
#[derive(Debug, Default)]
pub(crate) struct Tally(BTreeMap<String, u64>);

impl Tally {
    pub(crate) fn add(&mut self, action: &str, n: u64) {
        if n > 0 {
            *self.0.entry(action.to_owned()).or_default() += n;
        }
    }
}

/// Commits `tx` unless this is a dry run (dropping it rolls it back).
pub(crate) async fn finish(
    tx: Box<dyn crate::ports::StoreTx>,
    dry_run: bool,
) -> Result<(), StoreError> {
    if dry_run { Ok(()) } else { tx.commit().await }
}

impl Service {
    /// Runs the jobs (or one) as of `options.as_of` (default: now) and returns
    /// each job's report. A job that fails is reported with its error and the
    /// counts of what it did before; the next jobs still run.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn run_jobs(&self, options: &JobOptions) -> Vec<JobRun> {
        let as_of = options.as_of.unwrap_or_else(|| self.clock.now());
        let mut reports = Vec::new();
        for job in Job::ALL {
            if options.only.is_some_and(|only| only != job) {
                continue;
            }
            // The service's clock (the system clock in production, the tests'
            // manual one), and a monotonic measure of how long the job took.
            let started_at = self.clock.now();
            let timer = std::time::Instant::now();
            let mut tally = Tally::default();
            let result = match job {
                Job::SharedContacts => {
                    self.shared_contacts(as_of, options.dry_run, &mut tally)
                        .await
                }
                Job::DocumentExpiry => {
                    self.document_expiry(as_of, options.dry_run, &mut tally)
                        .await
                }
                Job::SuspensionDeadlines => {
                    self.suspension_deadlines(as_of, options.dry_run, &mut tally)
                        .await
                }
                Job::Inactivity => self.inactivity(as_of, options.dry_run, &mut tally).await,
                Job::PasswordExpiry => {
                    self.password_expiry(as_of, options.dry_run, &mut tally)
                        .await
                }
                Job::SigningKeys => {
                    self.rotate_signing_keys(as_of, options.dry_run, &mut tally)
                        .await
                }
                Job::Retention => self.retention(as_of, options.dry_run, &mut tally).await,
            };
            let run = JobRun {
                id: Uuid::now_v7(),
                job: job.name().to_owned(),
                node: options.node.clone(),
                as_of,
                started_at,
                finished_at: started_at
                    + chrono::Duration::from_std(timer.elapsed()).unwrap_or_default(),
                dry_run: options.dry_run,
                counts: tally.0,
                error: result.err().map(|e| crate::error::error_chain(&e)),
            };
            self.report_run(&run).await;
            reports.push(run);
        }
        reports
    }

    /// Logs the run, counts it in the metrics and, unless it was a dry run,
    /// records it for `jobs status`.
    async fn report_run(&self, run: &JobRun) {
        let outcome = if run.error.is_some() { "failed" } else { "ok" };
        if !run.dry_run {
            self.metrics.count(
                "identity_job_runs_total",
                &[("job", &run.job), ("outcome", outcome)],
            );
            for (action, n) in &run.counts {
                self.metrics.count_by(
                    "identity_job_actions_total",
                    &[("job", &run.job), ("action", action)],
                    *n,
                );
            }
        }
        let counts = serde_json::to_string(&run.counts).unwrap_or_default();
        match &run.error {
            None => {
                tracing::info!(job = %run.job, as_of = %run.as_of, dry_run = run.dry_run, %counts, "job ran")
            }
            Some(e) => {
                tracing::error!(job = %run.job, as_of = %run.as_of, dry_run = run.dry_run, %counts, error = %e, "job failed")
            }
        }
        if run.dry_run {
            return;
        }
        let stored = async {
            let mut tx = self.store.begin().await?;
            tx.insert_job_run(run).await?;
            tx.commit().await
        };
        if let Err(e) = stored.await {
            tracing::error!(job = %run.job, error = %e, "recording the job run failed");
        }
    }

    /// The latest recorded run of each job.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn job_status(&self) -> Result<Vec<JobRun>, StoreError> {
        let mut tx = self.store.begin_read().await?;
        tx.last_job_runs().await
    }
}

/// This process's name for job-run records: the host name and the process id.
#[must_use]
pub fn this_node() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into());
    format!("{host}:{}", std::process::id())
}
