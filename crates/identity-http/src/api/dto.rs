//! The JSON shapes of the API, described for the OpenAPI document.

use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

/// A registration: the same fields as the registration form.
#[derive(Debug, Default, serde::Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct RegistrationRequest {
    /// `persona_fisica`, `azienda`, `libero_professionista`, `ditta_individuale`,
    /// `ente_no_profit`, `ente_pubblico` or `altri_soggetti`.
    #[schema(example = "persona_fisica")]
    pub subject_kind: String,
    /// Person: given name(s).
    pub given_name: String,
    /// Person: family name(s).
    pub family_name: String,
    /// The person's 16-character tax code, or a body's (11 digits).
    #[schema(example = "RSSMRA85T10A562S")]
    pub tax_code: String,
    /// Person: date of birth, `YYYY-MM-DD`.
    #[schema(example = "1985-12-10")]
    pub birth_date: String,
    /// Person: `M` or `F`, as on the tax code.
    pub sex: String,
    /// Person: municipality of birth (any name it had), or the country if abroad.
    pub birth_place: String,
    /// Person: province of the municipality of birth, `EE` abroad.
    pub birth_province: String,
    /// Company, body or business name.
    pub company_name: String,
    /// VAT number (11 digits).
    pub vat_number: String,
    /// Company: SDI recipient code (7 characters) ...
    pub sdi_code: String,
    /// ... or PEC address for electronic invoices.
    pub invoicing_pec: String,
    /// Residence or registered office: street and number.
    pub street: String,
    /// CAP (empty abroad).
    pub postal_code: String,
    /// Municipality (a current Italian one, or a foreign town).
    pub municipality: String,
    /// Province code, `EE` abroad.
    pub province: String,
    /// Country, abroad.
    pub country: String,
    /// Reference email.
    pub email: String,
    /// The same again (the API checks it as the form does).
    pub email_confirm: String,
    /// Phone.
    pub phone: String,
    /// PEC, optional.
    pub pec: String,
    /// The chosen password (policy as on the form; never returned or mailed).
    pub password: String,
    /// The same again.
    pub password_confirm: String,
    /// The holder read the privacy notice (required).
    pub privacy_notice: bool,
    /// The person confirms the data although the tax code disagrees with it (an
    /// answer of `tax_code_mismatch`): registered with the data under an
    /// operator's review.
    pub confirm_mismatch: bool,
    /// Each optional consent given (`true`) or refused (`false`): `marketing`,
    /// `profiling`, `third_parties`; all three are required.
    pub consents: std::collections::BTreeMap<String, bool>,
    /// Language for mail: `it` (default) or `en`.
    pub lang: Option<String>,
}

/// A registration's result.
#[derive(Debug, serde::Serialize, ToSchema)]
pub(crate) struct Registered {
    /// The new holder.
    pub holder_id: Uuid,
    /// The first login's id; the confirmation mail is on its way.
    #[schema(example = "123456789@identita.example.it")]
    pub login_id: String,
}

/// A holder's data (identity fields, secondary attributes, state).
#[derive(Debug, serde::Serialize, ToSchema)]
pub(crate) struct HolderDocument {
    /// The holder, as the data export shows it.
    #[schema(value_type = Object)]
    pub holder: Value,
    /// Its logins.
    pub logins: Vec<LoginDocument>,
}

/// One login.
#[derive(Debug, serde::Serialize, ToSchema)]
pub(crate) struct LoginDocument {
    /// `123456@domain`.
    pub login_id: String,
    /// `active`, `disabled` or `deleted`.
    pub status: String,
    /// Creation time (UTC).
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// The secondary attributes to change; fields left out keep their value.
#[derive(Debug, Default, serde::Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct ContactsPatch {
    /// New reference email: takes effect when the code mailed to it comes back.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// PEC; an empty string removes it.
    pub pec: Option<String>,
    /// Street and number.
    pub street: Option<String>,
    /// CAP.
    pub postal_code: Option<String>,
    /// Municipality.
    pub municipality: Option<String>,
    /// Province code.
    pub province: Option<String>,
    /// Country, abroad.
    pub country: Option<String>,
}

/// What a change did.
#[derive(Debug, serde::Serialize, ToSchema)]
pub(crate) struct ContactsChanged {
    /// Fields changed at once.
    pub changed: Vec<String>,
    /// The new email waiting for its code to come back.
    pub email_pending: Option<String>,
}

/// A created login.
#[derive(Debug, serde::Serialize, ToSchema)]
pub(crate) struct NewLogin {
    /// The new login's id. It has no password yet: the holder receives the id and
    /// a single-use link to choose the password at the reference address (an
    /// integrating system never chooses a holder's password).
    pub login_id: String,
}

/// A correction request to open.
#[derive(Debug, Default, serde::Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct CorrectionRequestBody {
    /// `given_name`, `family_name`, `tax_code`, `birth_date`, `birth_place`, `sex`,
    /// `company_name` or `vat_number`.
    pub field: String,
    /// The value the holder says is right.
    pub requested_value: String,
    /// Why (at most 500 characters).
    pub reason: String,
}

/// A correction request.
#[derive(Debug, serde::Serialize, ToSchema)]
pub(crate) struct CorrectionDocument {
    /// Id.
    pub id: Uuid,
    /// The field.
    pub field: String,
    /// The value on record when it was opened.
    pub current_value: String,
    /// The value asked for.
    pub requested_value: String,
    /// The holder's reason.
    pub reason: String,
    /// `open`, `approved` or `rejected`.
    pub state: String,
    /// When it was opened (UTC).
    pub opened_at: chrono::DateTime<chrono::Utc>,
    /// The operator's reason, for a rejection.
    pub rejection_reason: Option<String>,
}

impl From<&identity_core::CorrectionRequest> for CorrectionDocument {
    fn from(c: &identity_core::CorrectionRequest) -> Self {
        CorrectionDocument {
            id: c.id.as_uuid(),
            field: c.field.code().to_owned(),
            current_value: c.current_value.clone(),
            requested_value: c.requested_value.clone(),
            reason: c.reason.clone(),
            state: c.state.code().to_owned(),
            opened_at: c.opened_at,
            rejection_reason: match &c.state {
                identity_core::CorrectionState::Rejected { reason, .. } => Some(reason.clone()),
                _ => None,
            },
        }
    }
}
