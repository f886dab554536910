//! `identity verify|suspend|reactivate|revoke|record-report|record-document|show|history`.

mod show;
use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};
use identity_core::identity::{
    DigitalIdentity, DocumentKind, IdentityDocument, Proofing, ProofingMethod, RevocationCause,
    SuspensionReason,
};
use identity_core::ids::IdentityId;
use identity_core::lang::Lang;
use identity_service::OperatorRole;
use identity_service::usecases::approvals::ApprovedAction;
use identity_service::usecases::identity::IdentityError;
use identity_words::Words;
use serde_json::json;

use crate::{Cli, Failure, context, output};

/// Identity commands.
#[derive(Debug, Subcommand)]
pub enum IdentityCommand {
    /// Record the identity proofing of a pending identity, which activates it.
    Verify(VerifyArgs),
    /// Suspend an active identity (30 days to a decision, except for an expired document).
    Suspend {
        /// Identity id (see `holder show`).
        id: IdentityId,
        /// Why.
        #[arg(long, value_enum)]
        reason: Reason,
    },
    /// Reactivate a suspended identity.
    Reactivate {
        /// Identity id.
        id: IdentityId,
    },
    /// Revoke an identity. Final.
    Revoke {
        /// Identity id.
        id: IdentityId,
        /// Why.
        #[arg(long, value_enum)]
        cause: Cause,
    },
    /// Record a police report (denuncia) on a suspended identity: at the
    /// suspension's deadline it is revoked instead of kept suspended.
    RecordReport {
        /// Identity id.
        id: IdentityId,
        /// The report's reference (number, office, date).
        #[arg(long)]
        reference: String,
    },
    /// Record a new identity document (the old one expired or changed); an
    /// identity suspended for an expired document becomes active again.
    RecordDocument(DocumentArgs),
    /// Show an identity: state, proofing, credential levels, emergency code, notifications.
    Show {
        /// Identity id.
        id: IdentityId,
    },
    /// The identity's history: every state change and credential event, who, when, why.
    History {
        /// Identity id.
        id: IdentityId,
    },
}

/// Arguments of `identity verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Identity id.
    id: IdentityId,
    /// How the identity was verified.
    #[arg(long, value_enum)]
    method: Method,
    #[command(flatten)]
    document: DocumentFields,
    /// Reference to the stored evidence (video id, signed form...).
    #[arg(long)]
    evidence: String,
}

/// Arguments of `identity record-document`.
#[derive(Debug, Args)]
pub struct DocumentArgs {
    /// Identity id.
    id: IdentityId,
    #[command(flatten)]
    document: DocumentFields,
}

/// The identity document's options, shared by `verify` and `record-document`.
#[derive(Debug, Args)]
pub struct DocumentFields {
    /// The document shown.
    #[arg(long = "document-type", value_enum)]
    document_type: Document,
    /// Document number.
    #[arg(long = "document-number")]
    document_number: String,
    /// Who issued the document.
    #[arg(long)]
    issuer: String,
    /// Last day of validity (YYYY-MM-DD).
    #[arg(long)]
    expires: NaiveDate,
}

impl DocumentFields {
    /// The document, checked (required fields, not expired) before any database work.
    fn checked(&self) -> Result<IdentityDocument, Failure> {
        let today = identity_core::calendar::rome_date(chrono::Utc::now());
        IdentityDocument::new(
            document(self.document_type),
            &self.document_number,
            &self.issuer,
            self.expires,
            today,
        )
        .map_err(|e| Failure::Usage(e.words(Lang::En)))
    }
}

/// Proofing methods as CLI values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Method {
    /// In person at a registration office.
    InPerson,
    /// CIE or CNS electronic card.
    CieCns,
    /// Existing qualified digital signature.
    DigitalSignature,
    /// Recorded video session.
    Video,
}

/// Document kinds as CLI values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Document {
    /// Paper identity card.
    IdentityCard,
    /// Electronic identity card (CIE).
    ElectronicIdentityCard,
    /// Passport.
    Passport,
    /// Driving licence.
    DrivingLicence,
    /// Firearms licence.
    FirearmsLicence,
    /// State employee card.
    StateEmployeeCard,
}

/// Suspension reasons an operator can give.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Reason {
    /// The holder asked (by phone, at the desk).
    HolderRequest,
    /// Suspected fraudulent use.
    SuspectedFraud,
    /// The identity document expired.
    DocumentExpired,
    /// Email or phone shared with another identity.
    SharedContactData,
}

/// Revocation causes an operator can give.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Cause {
    /// The holder asked.
    HolderRequest,
    /// The holder died.
    Death,
    /// The legal person was dissolved.
    Dissolution,
    /// Unlawful use, after a police report.
    UnlawfulUse,
    /// The contract ended.
    EndOfContract,
}

fn method(m: Method) -> ProofingMethod {
    match m {
        Method::InPerson => ProofingMethod::InPerson,
        Method::CieCns => ProofingMethod::CieCns,
        Method::DigitalSignature => ProofingMethod::DigitalSignature,
        Method::Video => ProofingMethod::Video,
    }
}

fn document(d: Document) -> DocumentKind {
    match d {
        Document::IdentityCard => DocumentKind::IdentityCard,
        Document::ElectronicIdentityCard => DocumentKind::ElectronicIdentityCard,
        Document::Passport => DocumentKind::Passport,
        Document::DrivingLicence => DocumentKind::DrivingLicence,
        Document::FirearmsLicence => DocumentKind::FirearmsLicence,
        Document::StateEmployeeCard => DocumentKind::StateEmployeeCard,
    }
}

fn reason(r: Reason) -> SuspensionReason {
    match r {
        Reason::HolderRequest => SuspensionReason::HolderRequest,
        Reason::SuspectedFraud => SuspensionReason::SuspectedFraud,
        Reason::DocumentExpired => SuspensionReason::DocumentExpired,
        Reason::SharedContactData => SuspensionReason::SharedContactData,
    }
}

fn cause(c: Cause) -> RevocationCause {
    match c {
        Cause::HolderRequest => RevocationCause::HolderRequest,
        Cause::Death => RevocationCause::Death,
        Cause::Dissolution => RevocationCause::Dissolution,
        Cause::UnlawfulUse => RevocationCause::UnlawfulUse,
        Cause::EndOfContract => RevocationCause::EndOfContract,
    }
}

fn refused(e: &IdentityError) -> Failure {
    Failure::Refused(e.words(Lang::En))
}

/// A change checked for usage errors, ready to run against the database.
enum Planned {
    Verify(IdentityId, Proofing),
    Suspend(IdentityId, SuspensionReason),
    Reactivate(IdentityId),
    Revoke(IdentityId, RevocationCause),
    RecordReport(IdentityId, String),
    RecordDocument(IdentityId, IdentityDocument),
}

fn plan(command: &IdentityCommand) -> Result<Planned, Failure> {
    Ok(match command {
        IdentityCommand::Verify(a) => {
            let doc = a.document.checked()?;
            if a.evidence.trim().is_empty() {
                return Err(Failure::Usage("--evidence must not be empty".into()));
            }
            let proofing = Proofing {
                method: method(a.method),
                document: doc,
                evidence_ref: a.evidence.trim().to_owned(),
            };
            Planned::Verify(a.id, proofing)
        }
        IdentityCommand::Suspend { id, reason: r } => Planned::Suspend(*id, reason(*r)),
        IdentityCommand::Reactivate { id } => Planned::Reactivate(*id),
        IdentityCommand::Revoke { id, cause: c } => Planned::Revoke(*id, cause(*c)),
        IdentityCommand::RecordReport { id, reference } => {
            if reference.trim().is_empty() {
                return Err(Failure::Usage("--reference must not be empty".into()));
            }
            Planned::RecordReport(*id, reference.trim().to_owned())
        }
        IdentityCommand::RecordDocument(a) => Planned::RecordDocument(a.id, a.document.checked()?),
        IdentityCommand::Show { .. } | IdentityCommand::History { .. } => {
            return Err(Failure::Usage("not a change".into()));
        }
    })
}

pub async fn run(cli: &Cli, command: &IdentityCommand) -> Result<(), Failure> {
    match command {
        IdentityCommand::Show { id } => return show::show(cli, *id).await,
        IdentityCommand::History { id } => return show::history(cli, *id).await,
        _ => {}
    }
    // Usage checks first: nothing touches the database before they pass.
    let planned = plan(command)?;
    let two_person = context::settings(cli)?.two_person_approval;
    let (service, operator) = context::acting(cli, OperatorRole::Operator).await?;
    let actor = operator.actor();
    let identity: DigitalIdentity = match planned {
        Planned::Verify(identity, proofing) if two_person => {
            let action = ApprovedAction::VerifyIdentity { identity, proofing };
            return super::approval::requested(cli, &service, &action, &operator).await;
        }
        Planned::Verify(id, proofing) => service.verify_identity(id, proofing, actor).await,
        Planned::RecordReport(id, reference) => {
            service.record_police_report(id, &reference, actor).await
        }
        Planned::RecordDocument(identity, document) if two_person => {
            let action = ApprovedAction::RecordDocument { identity, document };
            return super::approval::requested(cli, &service, &action, &operator).await;
        }
        Planned::RecordDocument(id, doc) => service.record_document(id, doc, actor).await,
        Planned::Suspend(id, r) => service.suspend_identity(id, r, actor).await,
        Planned::Reactivate(id) => service.reactivate_identity(id, actor).await,
        Planned::Revoke(id, c) => service.revoke_identity(id, c, actor).await,
    }
    .map_err(|e| refused(&e))?;
    if cli.json {
        return output::json(&json!({ "id": identity.id(), "state": identity.state().code() }));
    }
    println!(
        "identity {} is now {}",
        identity.id(),
        identity.state().code()
    );
    Ok(())
}
