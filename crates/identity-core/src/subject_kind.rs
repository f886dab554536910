//! The subject kinds of the registration form (tipologia di soggetto).

/// The kind of subject chosen first on the registration form (tipologia di soggetto).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// Persona fisica: a private person.
    PersonaFisica,
    /// Azienda: a company.
    Azienda,
    /// Libero professionista: a self-employed professional with a VAT number.
    LiberoProfessionista,
    /// Ditta individuale: a sole proprietorship.
    DittaIndividuale,
    /// Altro: ente no profit.
    EnteNoProfit,
    /// Altro: ente pubblico (public body).
    EntePubblico,
    /// Altro: altri soggetti.
    AltriSoggetti,
}

impl SubjectKind {
    /// Every kind, in the order of the registration form.
    pub const ALL: [SubjectKind; 7] = [
        SubjectKind::PersonaFisica,
        SubjectKind::Azienda,
        SubjectKind::LiberoProfessionista,
        SubjectKind::DittaIndividuale,
        SubjectKind::EnteNoProfit,
        SubjectKind::EntePubblico,
        SubjectKind::AltriSoggetti,
    ];

    /// The stable code used in storage and forms.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            SubjectKind::PersonaFisica => "persona_fisica",
            SubjectKind::Azienda => "azienda",
            SubjectKind::LiberoProfessionista => "libero_professionista",
            SubjectKind::DittaIndividuale => "ditta_individuale",
            SubjectKind::EnteNoProfit => "ente_no_profit",
            SubjectKind::EntePubblico => "ente_pubblico",
            SubjectKind::AltriSoggetti => "altri_soggetti",
        }
    }

    /// The inverse of [`SubjectKind::code`].
    #[must_use]
    pub fn from_code(code: &str) -> Option<SubjectKind> {
        SubjectKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Whether holders of this kind are natural persons, who may request a digital
    /// identity: a private person, and the person behind a libero professionista
    /// or a ditta individuale (the identity is always the person's own).
    #[must_use]
    pub fn is_person(self) -> bool {
        matches!(
            self,
            SubjectKind::PersonaFisica
                | SubjectKind::LiberoProfessionista
                | SubjectKind::DittaIndividuale
        )
    }
}
