//! Identity proofing: how the holder's identity was verified, and the document used.

use chrono::NaiveDate;

/// How the identity was verified (docs/domain.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProofingMethod {
    /// Face to face at a registration office.
    InPerson,
    /// Electronic identity card (CIE) or national services card (CNS).
    CieCns,
    /// An existing qualified digital signature.
    DigitalSignature,
    /// Recorded video session with an operator.
    Video,
}

impl ProofingMethod {
    /// Every method.
    pub const ALL: [ProofingMethod; 4] = [
        ProofingMethod::InPerson,
        ProofingMethod::CieCns,
        ProofingMethod::DigitalSignature,
        ProofingMethod::Video,
    ];

    /// Stable code (also the CLI value).
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            ProofingMethod::InPerson => "in_person",
            ProofingMethod::CieCns => "cie_cns",
            ProofingMethod::DigitalSignature => "digital_signature",
            ProofingMethod::Video => "video",
        }
    }

    /// Inverse of [`ProofingMethod::code`].
    #[must_use]
    pub fn from_code(code: &str) -> Option<ProofingMethod> {
        ProofingMethod::ALL.into_iter().find(|m| m.code() == code)
    }
}

/// Accepted identity documents (seed: "Documenti d'Identità accettati").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// Carta d'identità (paper).
    IdentityCard,
    /// Carta d'identità elettronica (CIE).
    ElectronicIdentityCard,
    /// Passaporto.
    Passport,
    /// Patente di guida.
    DrivingLicence,
    /// Porto d'armi.
    FirearmsLicence,
    /// Tessera di riconoscimento rilasciata da un'amministrazione dello Stato.
    StateEmployeeCard,
}

impl DocumentKind {
    /// Every kind.
    pub const ALL: [DocumentKind; 6] = [
        DocumentKind::IdentityCard,
        DocumentKind::ElectronicIdentityCard,
        DocumentKind::Passport,
        DocumentKind::DrivingLicence,
        DocumentKind::FirearmsLicence,
        DocumentKind::StateEmployeeCard,
    ];

    /// Stable code (also the CLI value).
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            DocumentKind::IdentityCard => "identity_card",
            DocumentKind::ElectronicIdentityCard => "electronic_identity_card",
            DocumentKind::Passport => "passport",
            DocumentKind::DrivingLicence => "driving_licence",
            DocumentKind::FirearmsLicence => "firearms_licence",
            DocumentKind::StateEmployeeCard => "state_employee_card",
        }
    }

    /// Inverse of [`DocumentKind::code`].
    #[must_use]
    pub fn from_code(code: &str) -> Option<DocumentKind> {
        DocumentKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// An identity document as recorded at proofing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IdentityDocument {
    /// Which document.
    pub kind: DocumentKind,
    /// Its number.
    pub number: String,
    /// Who issued it (e.g. "Comune di Roma").
    pub issuer: String,
    /// Last day of validity.
    pub expires_on: NaiveDate,
}

/// Why a document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    /// Number or issuer missing.
    #[error("the document {0} is required")]
    Missing(&'static str),
    /// Expired documents are not accepted.
    #[error("the document expired on {0}")]
    Expired(NaiveDate),
}

impl IdentityDocument {
    /// Validates a document against the Rome calendar day `today`.
    pub fn new(
        kind: DocumentKind,
        number: &str,
        issuer: &str,
        expires_on: NaiveDate,
        today: NaiveDate,
    ) -> Result<IdentityDocument, DocumentError> {
        let number = number.trim().to_uppercase();
        let issuer = issuer.trim().to_owned();
        if number.is_empty() {
            return Err(DocumentError::Missing("number"));
        }
        if issuer.is_empty() {
            return Err(DocumentError::Missing("issuer"));
        }
        if expires_on < today {
            return Err(DocumentError::Expired(expires_on));
        }
        Ok(IdentityDocument {
            kind,
            number,
            issuer,
            expires_on,
        })
    }

    /// Whether the document is expired on the Rome calendar day `today`.
    #[must_use]
    pub fn is_expired_on(&self, today: NaiveDate) -> bool {
        self.expires_on < today
    }
}

/// The record of an identity proofing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Proofing {
    /// How.
    pub method: ProofingMethod,
    /// With which document.
    pub document: IdentityDocument,
    /// Reference to the stored evidence (video id, signed form, ...).
    pub evidence_ref: String,
}
