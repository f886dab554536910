//! `access list`: a holder's access history (last accesses), newest first,
//! optionally within a date range; `access pressure`: the sign-in attempts
//! answered without a password check, per login and address (an ongoing attack).

use chrono::{DateTime, NaiveDate, Utc};
use clap::Subcommand;

use identity_service::OperatorRole;

use crate::{Cli, Failure, context, output};

/// Access-history commands.
#[derive(Debug, Subcommand)]
pub enum AccessCommand {
    /// List a holder's sign-ins: when, service, level, credential, outcome, address.
    List {
        /// Holder id, login id, tax code, VAT number or reference email.
        query: String,
        /// From this day (YYYY-MM-DD, Europe/Rome).
        #[arg(long)]
        from: Option<NaiveDate>,
        /// To this day included (YYYY-MM-DD, Europe/Rome).
        #[arg(long)]
        to: Option<NaiveDate>,
        /// At most this many records.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Sign-in attempts answered without a password check over the last hours, per
    /// login and per address, busiest first: shed (the hashing queue was full) and
    /// throttled (too many failures). Every node reports once a minute.
    Pressure {
        /// How many hours back (1 to 720).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=720))]
        hours: u32,
    },
}

fn start_of(day: NaiveDate) -> Option<DateTime<Utc>> {
    day.and_hms_opt(0, 0, 0)?
        .and_local_timezone(chrono_tz::Europe::Rome)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

pub async fn run(cli: &Cli, command: &AccessCommand) -> Result<(), Failure> {
    match command {
        AccessCommand::List {
            query,
            from,
            to,
            limit,
        } => list(cli, query, *from, *to, *limit).await,
        AccessCommand::Pressure { hours } => pressure(cli, *hours).await,
    }
}

async fn pressure(cli: &Cli, hours: u32) -> Result<(), Failure> {
    let service = context::acting(cli, OperatorRole::Viewer).await?.0;
    let since = Utc::now() - chrono::Duration::hours(i64::from(hours));
    let entries = service
        .sign_in_pressure(since)
        .await
        .map_err(|e| Failure::Refused(e.to_string()))?;
    if cli.json {
        return output::json(&entries);
    }
    if entries.is_empty() {
        println!("No sign-in attempt was shed or throttled in the last {hours} hour(s).");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| vec![e.key.clone(), e.shed.to_string(), e.throttled.to_string()])
        .collect();
    output::table(&["login or address", "shed", "throttled"], &rows);
    Ok(())
}

async fn list(
    cli: &Cli,
    query: &str,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    limit: u32,
) -> Result<(), Failure> {
    if query.trim().is_empty() {
        return Err(Failure::Usage(
            "give a holder id, login id, tax code, VAT number or email".into(),
        ));
    }
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(Failure::Usage("--from is after --to".into()));
    }
    let service = context::acting(cli, OperatorRole::Viewer).await?.0;
    let ids = service
        .find_holders(query)
        .await
        .map_err(|e| Failure::Refused(e.to_string()))?;
    let Some(holder) = ids.first().copied() else {
        return Err(Failure::Refused(format!("no holder matches {query:?}")));
    };
    let page = service
        .accesses(
            holder,
            from.and_then(start_of),
            to.and_then(|d| d.succ_opt()).and_then(start_of),
            0,
            limit.clamp(1, 500),
        )
        .await
        .map_err(|e| Failure::Refused(e.to_string()))?;
    if cli.json {
        return output::json(&page.records);
    }
    let rows: Vec<Vec<String>> = page
        .records
        .iter()
        .map(|r| {
            vec![
                output::rome(r.at),
                r.service.clone(),
                format!("L{}", r.level.as_u8()),
                r.credential.clone(),
                r.outcome.code().to_owned(),
                r.client_ip.clone().unwrap_or_default(),
            ]
        })
        .collect();
    output::table(
        &[
            "when",
            "service",
            "level",
            "credential",
            "outcome",
            "address",
        ],
        &rows,
    );
    Ok(())
}
