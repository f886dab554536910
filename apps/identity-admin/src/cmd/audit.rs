//! `audit query|export`: the append-only audit log, filtered by holder, actor,
//! event, time range and the HTTP request that caused an entry; `export` writes JSON lines for other tools.

use std::io::Write as _;
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Subcommand};
use identity_core::calendar::start_of_rome_day;
use identity_service::{AuditQuery, AuditRecord, OperatorRole, Service};

use crate::{Cli, Failure, context, output};

/// Audit-log commands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Show the latest matching entries as a table (or JSON with --json), oldest
    /// first.
    Query {
        #[command(flatten)]
        filter: Filter,
        /// At most this many, 1 to 1000 (the newest are left out first); for
        /// more, `audit export`, which is audited.
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=1000))]
        limit: u32,
    },
    /// Write every matching entry as one JSON object per line, oldest first.
    Export {
        #[command(flatten)]
        filter: Filter,
        /// Write to this file instead of standard output (it must not exist).
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// What to select.
#[derive(Debug, Args)]
pub struct Filter {
    /// Entries about this holder: holder id, login id, tax code, VAT number or email.
    #[arg(long)]
    holder: Option<String>,
    /// Entries by this actor (`operator:anna`, `holder:<id>`, `system:inactivity`, `api:crm`).
    #[arg(long)]
    actor: Option<String>,
    /// This event (`identity.revoked`), or every event starting with it when it
    /// ends with a dot (`identity.`).
    #[arg(long)]
    event: Option<String>,
    /// From this day (YYYY-MM-DD, Europe/Rome).
    #[arg(long)]
    from: Option<NaiveDate>,
    /// To this day included (YYYY-MM-DD, Europe/Rome).
    #[arg(long)]
    to: Option<NaiveDate>,
    /// Entries caused by this HTTP request (the `x-request-id` response header,
    /// and `request_id` in the log).
    #[arg(long, value_name = "ID")]
    request_id: Option<String>,
}

impl Filter {
    /// The query, checked for usage errors before the database is touched (the
    /// holder is resolved afterwards).
    fn query(&self, limit: u32) -> Result<AuditQuery, Failure> {
        if let (Some(f), Some(t)) = (self.from, self.to)
            && f > t
        {
            return Err(Failure::Usage("--from is after --to".into()));
        }
        let (event, event_prefix) = match self.event.as_deref().map(str::trim) {
            Some("") => return Err(Failure::Usage("--event must not be empty".into())),
            Some(e) if e.ends_with('.') => (None, Some(e.to_owned())),
            Some(e) => (Some(e.to_owned()), None),
            None => (None, None),
        };
        if self
            .request_id
            .as_deref()
            .is_some_and(|r| r.trim().is_empty())
        {
            return Err(Failure::Usage("--request-id must not be empty".into()));
        }
        Ok(AuditQuery {
            holder_id: None,
            request_id: self.request_id.as_deref().map(|r| r.trim().to_owned()),
            event,
            actor: self.actor.as_deref().map(|a| a.trim().to_owned()),
            event_prefix,
            latest: false,
            from: self.from.map(start_of_rome_day),
            to: self.to.and_then(|d| d.succ_opt()).map(start_of_rome_day),
            limit,
        })
    }

    async fn resolve(&self, service: &Service, query: &mut AuditQuery) -> Result<(), Failure> {
        let Some(q) = self.holder.as_deref() else {
            return Ok(());
        };
        let found = service
            .find_holders(q)
            .await
            .map_err(|e| Failure::Refused(e.to_string()))?;
        match found.as_slice() {
            [one] => {
                query.holder_id = Some(*one);
                Ok(())
            }
            [] => Err(Failure::Refused(format!("no holder matches {q:?}"))),
            _ => Err(Failure::Refused(format!(
                "{} holders match {q:?}: give a holder id",
                found.len()
            ))),
        }
    }
}

fn line(r: &AuditRecord) -> serde_json::Value {
    serde_json::json!({
        "id": r.id,
        "at": r.at,
        "actor": r.actor,
        "event": r.event,
        "holder_id": r.holder_id,
        "details": r.details,
        "request_id": r.request_id,
    })
}

pub async fn run(cli: &Cli, command: &AuditCommand) -> Result<(), Failure> {
    match command {
        AuditCommand::Query { filter, limit } => {
            let mut query = filter.query(*limit)?;
            query.latest = true;
            let (service, _) = context::acting(cli, OperatorRole::Viewer).await?;
            filter.resolve(&service, &mut query).await?;
            let records = service
                .audit_trail(&query)
                .await
                .map_err(|e| Failure::Refused(e.to_string()))?;
            if cli.json {
                return output::json(&records.iter().map(line).collect::<Vec<_>>());
            }
            if records.is_empty() {
                println!("no audit entries match");
                return Ok(());
            }
            let rows: Vec<Vec<String>> = records
                .iter()
                .map(|r| {
                    vec![
                        output::rome(r.at),
                        r.actor.clone(),
                        r.event.clone(),
                        r.holder_id.map(|h| h.to_string()).unwrap_or_default(),
                        output::cell(&r.details.to_string(), 60),
                    ]
                })
                .collect();
            output::table(&["AT", "ACTOR", "EVENT", "HOLDER", "DETAILS"], &rows);
            if records.len() == *limit as usize {
                println!(
                    "(the latest {limit} matching entries; narrow with --from, --to, --event or --actor, or use audit export for all)"
                );
            }
            Ok(())
        }
        AuditCommand::Export {
            filter,
            output: path,
        } => {
            let mut query = filter.query(0)?;
            if let Some(p) = path
                && p.exists()
            {
                return Err(Failure::Usage(format!(
                    "{} exists: give a new file",
                    p.display()
                )));
            }
            // Exporting personal data in bulk is an operator's act, and it is audited.
            let (service, operator) = context::acting(cli, OperatorRole::Operator).await?;
            filter.resolve(&service, &mut query).await?;
            let records = service
                .audit_trail(&query)
                .await
                .map_err(|e| Failure::Refused(e.to_string()))?;
            // Audited before a single line leaves: an export that cannot be
            // audited does not happen.
            service
                .audit_operator_act(
                    &operator,
                    "operator.exported",
                    query.holder_id,
                    serde_json::json!({ "what": "audit", "records": records.len() }),
                )
                .await
                .map_err(|e| Failure::Refused(e.to_string()))?;
            let mut sink: Box<dyn std::io::Write> = match path {
                None => Box::new(std::io::stdout().lock()),
                Some(p) => Box::new(output::new_private_file(p)?),
            };
            let write = |sink: &mut Box<dyn std::io::Write>| -> std::io::Result<()> {
                for r in &records {
                    serde_json::to_writer(&mut *sink, &line(r))?;
                    sink.write_all(b"\n")?;
                }
                sink.flush()
            };
            match write(&mut sink) {
                // The reader went away (`| head`): its choice, not a failure.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                Err(e) => return Err(Failure::Refused(format!("writing the export: {e}"))),
                Ok(()) => {}
            }
            if let Some(p) = path {
                eprintln!("{} entries written to {}", records.len(), p.display());
            }
            Ok(())
        }
    }
}
