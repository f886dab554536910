//! Words for the digital identity: why it was suspended or revoked, why a
//! transition was refused, and an identity document that does not do.

use identity_core::identity::DocumentError;
use identity_core::identity::{RevocationCause, SuspensionReason, TransitionError};

use crate::{L, Label, Lang, Words};

impl Label for SuspensionReason {
    fn label(&self) -> L {
        match self {
            SuspensionReason::HolderRequest => {
                L("su richiesta del titolare", "at the holder's request")
            }
            SuspensionReason::EmergencyBlock => L("blocco di emergenza", "emergency block"),
            SuspensionReason::SuspectedFraud => {
                L("sospetto uso fraudolento", "suspected fraudulent use")
            }
            SuspensionReason::DocumentExpired => {
                L("documento di identità scaduto", "identity document expired")
            }
            SuspensionReason::SharedContactData => L(
                "email o telefono in uso su un'altra identità",
                "email or phone in use by another identity",
            ),
        }
    }
}

impl Label for RevocationCause {
    fn label(&self) -> L {
        match self {
            RevocationCause::HolderRequest => {
                L("su richiesta del titolare", "at the holder's request")
            }
            RevocationCause::Death => L("decesso del titolare", "death of the holder"),
            RevocationCause::Dissolution => L(
                "estinzione della persona giuridica",
                "dissolution of the legal person",
            ),
            RevocationCause::UnlawfulUse => L("uso illecito", "unlawful use"),
            RevocationCause::EndOfContract => L("scadenza contrattuale", "end of contract"),
            RevocationCause::Inactivity => {
                L("mancato utilizzo per 24 mesi", "not used for 24 months")
            }
            RevocationCause::SuspensionDeadlineWithReport => L(
                "sospensione scaduta con denuncia registrata",
                "suspension ended with a police report on record",
            ),
            RevocationCause::SharedContactDataNotFixed => L(
                "dati di contatto condivisi non corretti entro 30 giorni",
                "shared contact data not fixed within 30 days",
            ),
        }
    }
}

impl Words for TransitionError {
    fn words(&self, lang: Lang) -> String {
        match self {
            TransitionError::NotPending => L(
                "L'identità non è in attesa di verifica.".into(),
                "The identity is not waiting for verification.".into(),
            )
            .get(lang),
            TransitionError::NotActive => L(
                "L'identità non è attiva.".into(),
                "The identity is not active.".into(),
            )
            .get(lang),
            TransitionError::NotSuspended => L(
                "L'identità non è sospesa.".into(),
                "The identity is not suspended.".into(),
            )
            .get(lang),
            TransitionError::Revoked => L(
                "L'identità è revocata: la revoca è definitiva.".into(),
                "The identity is revoked: revocation is final.".into(),
            )
            .get(lang),
            TransitionError::DocumentExpired(d) => L(
                format!(
                    "Il documento di identità è scaduto il {}.",
                    d.format("%d/%m/%Y")
                ),
                format!("The identity document expired on {d}."),
            )
            .get(lang),
            TransitionError::NeedsNewDocument => L(
                "Per riattivare l'identità occorre registrare un nuovo documento valido.".into(),
                "A new valid identity document must be recorded to reactivate the identity.".into(),
            )
            .get(lang),
            TransitionError::PoliceReportOnRecord => L(
                "È registrata una denuncia: l'identità non può essere riattivata.".into(),
                "A police report is on record: the identity cannot be reactivated.".into(),
            )
            .get(lang),
            TransitionError::NotVerified => L(
                "L'identità non è mai stata verificata.".into(),
                "The identity was never verified.".into(),
            )
            .get(lang),
            TransitionError::NothingDue => {
                L("Nulla da fare.".into(), "Nothing is due.".into()).get(lang)
            }
        }
    }
}

impl Words for DocumentError {
    fn words(&self, lang: Lang) -> String {
        match self {
            DocumentError::Missing(f) => L(
                format!("Il campo {f} del documento è obbligatorio."),
                format!("The document's {f} is required."),
            )
            .get(lang),
            DocumentError::Expired(d) => L(
                format!("Il documento è scaduto il {}.", d.format("%d/%m/%Y")),
                format!("The document expired on {d}."),
            )
            .get(lang),
        }
    }
}
