//! Words for holders and their logins: the kinds of subject, the privacy
//! consents, a holder's data that does not hold together, and login changes.

use identity_core::consent::ConsentKind;
use identity_core::holder::HolderError;
use identity_core::login::LoginError;
use identity_core::{LoginStatus, SubjectKind};

use crate::{L, Label, Lang, Words};

impl Words for HolderError {
    fn words(&self, lang: Lang) -> String {
        match self {
            HolderError::Required(_) => L(
                "Campo obbligatorio.".into(),
                "This field is required.".into(),
            )
            .get(lang),
            HolderError::BadName(_) => L(
                "Usa solo lettere, spazi, apostrofi, punti e trattini (massimo 100 caratteri)."
                    .into(),
                "Use only letters, spaces, apostrophes, dots and hyphens (100 characters at most)."
                    .into(),
            )
            .get(lang),
            HolderError::MissingFiscalId => L(
                "Indica la partita IVA o il codice fiscale numerico (11 cifre).".into(),
                "Enter the VAT number or the 11-digit tax code.".into(),
            )
            .get(lang),
            HolderError::BadSdiCode => L(
                "Il codice destinatario SDI è di 7 caratteri alfanumerici.".into(),
                "The SDI recipient code is 7 letters or digits.".into(),
            )
            .get(lang),
            HolderError::BadBirthDate => L(
                "La data di nascita non è plausibile.".into(),
                "The date of birth is not plausible.".into(),
            )
            .get(lang),
        }
    }
}

impl Label for SubjectKind {
    fn label(&self) -> L {
        match self {
            SubjectKind::PersonaFisica => L("Persona fisica", "Private person"),
            SubjectKind::Azienda => L("Azienda", "Company"),
            SubjectKind::LiberoProfessionista => {
                L("Libero professionista", "Self-employed professional")
            }
            SubjectKind::DittaIndividuale => L("Ditta individuale", "Sole proprietorship"),
            SubjectKind::EnteNoProfit => L("Ente no profit", "Non-profit organisation"),
            SubjectKind::EntePubblico => L("Ente pubblico", "Public body"),
            SubjectKind::AltriSoggetti => L("Altri soggetti", "Other subjects"),
        }
    }
}

impl Label for ConsentKind {
    fn label(&self) -> L {
        match self {
            ConsentKind::Marketing => L(
                "Invio di comunicazioni commerciali e promozionali (marketing)",
                "Commercial and promotional communications (marketing)",
            ),
            ConsentKind::Profiling => L(
                "Analisi delle mie preferenze per proposte personalizzate (profilazione)",
                "Analysis of my preferences for tailored offers (profiling)",
            ),
            ConsentKind::ThirdParties => L(
                "Comunicazione dei miei dati di contatto a partner per loro offerte",
                "Passing my contact data to partners for their own offers",
            ),
        }
    }
}

impl Words for LoginError {
    fn words(&self, lang: Lang) -> String {
        match self {
            LoginError::LastActiveLogin => L(
                "Non puoi disattivare l'ultima login attiva.".into(),
                "You cannot disable your last active login.".into(),
            )
            .get(lang),
            LoginError::AlreadyInStatus(LoginStatus::Active) => L(
                "La login è già attiva.".into(),
                "The login is already active.".into(),
            )
            .get(lang),
            LoginError::AlreadyInStatus(LoginStatus::Disabled) => L(
                "La login è già disattivata.".into(),
                "The login is already disabled.".into(),
            )
            .get(lang),
            LoginError::AlreadyInStatus(LoginStatus::Deleted) | LoginError::Deleted => L(
                "La login è stata cancellata.".into(),
                "The login was deleted.".into(),
            )
            .get(lang),
        }
    }
}
