//! Registration: a new holder with its first login and password.

use chrono::{DateTime, Utc};
use identity_core::consent::{ConsentDecision, ConsentKind, PRIVACY_NOTICE_VERSION};
use identity_core::lang::Lang;
use identity_core::password_policy::{PasswordContext, PasswordViolation};
use identity_core::values::tax_code::{PersonCheck, TaxCodeMismatch};
use identity_core::{Address, Contacts, Holder, HolderId, HolderKind, Login, LoginId, LoginNumber};
use serde_json::json;
use uuid::Uuid;

use crate::error::{InfraError, infra_error};
use crate::model::CodePurpose;
use crate::ports::{StoreError, StoreTx};
use crate::service::{Service, audit, mail_holder};
use crate::usecases::email_codes::issue_code;

/// What the registration form collected, already parsed into domain types.
#[derive(Debug, Clone)]
pub struct Registration {
    /// Kind-specific identity data.
    pub kind: HolderKind,
    /// Residence or registered office.
    pub address: Address,
    /// Reference email, phone, PEC.
    pub contacts: Contacts,
    /// Preferred language.
    pub lang: Lang,
    /// The chosen password (checked against the policy, then hashed; never stored).
    pub password: String,
    /// Each optional consent, given (`true`) or refused; recorded with the current
    /// privacy notice version. Kinds not listed count as refused.
    pub consents: Vec<(ConsentKind, bool)>,
    /// The person confirms the data as declared although the tax code disagrees
    /// with it (real codes sometimes differ from the standard derivation): the
    /// registration goes through with the data under an operator's review, instead
    /// of being refused.
    pub accept_tax_code_mismatch: bool,
}

/// The result of a registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registered {
    /// The new holder.
    pub holder_id: HolderId,
    /// The first login's id, shown on the success page and mailed.
    pub login_id: LoginId,
}

/// Why registration failed. Nothing was stored.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// The password breaks the policy (all violations listed).
    #[error("the password breaks the policy")]
    Password(Vec<PasswordViolation>),
    /// The tax code disagrees with the declared names, birth date, sex or place.
    #[error("the tax code does not match the declared data")]
    TaxCodeMismatch(Vec<TaxCodeMismatch>),
    /// The declared date of birth is after today.
    #[error("the date of birth is in the future")]
    BirthDateInFuture,
    /// The machinery failed.
    #[error(transparent)]
    Infra(#[from] InfraError),
}

infra_error!(RegisterError);

/// A registration with everything computed that does not need the database:
/// ids, the login number and the password hash. [`write_registration`] stores it.
#[derive(Debug, Clone)]
pub struct PreparedRegistration {
    /// The holder to insert.
    pub holder: Holder,
    /// The argon2id hash of the chosen password.
    pub password_hash: String,
    /// The consent decisions to record.
    pub consents: Vec<(ConsentKind, bool)>,
}

/// How many login numbers to draw before giving up (a collision among 900 million
/// numbers is rare; ten in a row means something else is wrong).
const LOGIN_NUMBER_ATTEMPTS: usize = 10;

/// Random login numbers from the operating system's generator, an endless
/// supply for [`write_registration`].
pub fn random_login_numbers() -> impl Iterator<Item = LoginNumber> + Send {
    login_numbers_from(std::sync::Arc::new(crate::ports::OsRandomness))
}

/// Login numbers drawn from `random`.
pub fn login_numbers_from(
    random: std::sync::Arc<dyn crate::ports::Randomness>,
) -> impl Iterator<Item = LoginNumber> + Send {
    std::iter::repeat_with(move || LoginNumber::generate(&mut crate::ports::RngOf(random.as_ref())))
}

/// Writes a prepared registration inside `tx`: holder, login (the first number of
/// `numbers` that is free), password, consents, audit record and the "registration
/// confirmed" mail with the email verification link (built on `public_url`; its
/// code drawn from `random`). Does not commit: the caller does, so a failure or a
/// crash at any point stores nothing.
pub async fn write_registration(
    tx: &mut dyn StoreTx,
    random: &dyn crate::ports::Randomness,
    prepared: &PreparedRegistration,
    login_domain: &str,
    public_url: &str,
    numbers: &mut (dyn Iterator<Item = LoginNumber> + Send),
) -> Result<LoginId, StoreError> {
    let holder = &prepared.holder;
    let now = holder.created_at();
    tx.insert_holder(holder).await?;
    let mut login = None;
    for number in numbers.take(LOGIN_NUMBER_ATTEMPTS) {
        let candidate = Login::new(number, holder.id(), now);
        match tx.insert_login(&candidate).await {
            Ok(()) => {
                login = Some(candidate);
                break;
            }
            Err(StoreError::Duplicate(_)) => {}
            Err(e) => return Err(e),
        }
    }
    let login = login.ok_or(StoreError::Duplicate("login_number"))?;
    tx.set_password(login.number(), &prepared.password_hash, now)
        .await?;
    record_consents(tx, holder.id(), &prepared.consents, now).await?;
    let login_id = LoginId::new(login.number(), login_domain);
    let actor = format!("holder:{}", holder.id());
    audit(
        tx,
        now,
        &actor,
        "holder.registered",
        Some(holder.id()),
        json!({ "subject_kind": holder.subject_kind().code(), "login": login_id.to_string() }),
    )
    .await?;
    mail_registration(tx, random, holder, &login_id, public_url).await?;
    Ok(login_id)
}

/// Records one decision per consent kind (the ones not given count as refused),
/// under the current privacy notice version.
pub(crate) async fn record_consents(
    tx: &mut dyn StoreTx,
    holder: HolderId,
    consents: &[(ConsentKind, bool)],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    for kind in ConsentKind::ALL {
        let given = consents.iter().any(|(k, g)| *k == kind && *g);
        let decision = ConsentDecision {
            kind,
            given,
            notice_version: PRIVACY_NOTICE_VERSION.to_owned(),
            at: now,
        };
        tx.insert_consent(holder, &decision).await?;
    }
    Ok(())
}

/// Queues the "registration confirmed" mail with the login id and a link (and
/// code) that verifies the reference email.
pub(crate) async fn mail_registration(
    tx: &mut dyn StoreTx,
    random: &dyn crate::ports::Randomness,
    holder: &Holder,
    login_id: &LoginId,
    public_url: &str,
) -> Result<(), StoreError> {
    let now = holder.created_at();
    let code = issue_code(
        tx,
        random,
        CodePurpose::VerifyEmail,
        holder.id(),
        None,
        None,
        now,
    )
    .await?;
    mail_holder(
        tx,
        holder,
        now,
        "registration_confirmed",
        json!({
            "login_id": login_id.to_string(),
            "code": code,
            "link": verify_link(public_url, &code),
        }),
    )
    .await
}

/// Opens the operator's review of a tax code the person confirmed against its
/// disagreement with the declared data.
async fn open_data_review(
    tx: &mut dyn StoreTx,
    holder: &Holder,
    mismatches: &[TaxCodeMismatch],
) -> Result<(), StoreError> {
    // The operator reads this (the CLI is in English): the domain's own account
    // of each disagreement.
    let described = mismatches
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ");
    let review = identity_core::CorrectionRequest::open_agreement_review(
        identity_core::CorrectionId::from_uuid(Uuid::now_v7()),
        holder,
        &described,
        holder.created_at(),
    )
    .map_err(|e| StoreError::Corrupt(format!("data review of a new holder: {e}")))?;
    tx.insert_correction(&review).await?;
    audit(
        tx,
        holder.created_at(),
        &format!("holder:{}", holder.id()),
        "holder.data_review_requested",
        Some(holder.id()),
        json!({ "correction": review.id, "mismatches": described }),
    )
    .await
}

/// The address of the email verification page with `code` filled in.
#[must_use]
pub fn verify_link(public_url: &str, code: &str) -> String {
    format!(
        "{}/account/verify-email?code={code}",
        public_url.trim_end_matches('/')
    )
}

impl Service {
    /// Registers a holder with its first login. Checks the tax code against the
    /// declared data and the password against the policy, hashes the password off
    /// the runtime, then writes everything in one transaction.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn register(&self, reg: Registration) -> Result<Registered, RegisterError> {
        self.register_by(reg, None).await
    }

    /// [`Service::register`], for `api_client` when an API client asked: its
    /// `api.holder_registered` record goes in the same transaction.
    pub(crate) async fn register_by(
        &self,
        reg: Registration,
        api_client: Option<&crate::model::ApiClient>,
    ) -> Result<Registered, RegisterError> {
        let (holder, mismatches) = self.validate_registration(&reg)?;
        // The password must not contain the login number: draw only numbers it does
        // not contain (the user chose the password before knowing the number).
        let password = reg.password.clone();
        let mut numbers = login_numbers_from(self.random.clone())
            .filter(move |n| !password.contains(&n.to_string()));
        let password_hash = self.hasher.hash(reg.password).await?;
        let prepared = PreparedRegistration {
            holder,
            password_hash,
            consents: reg.consents,
        };
        let mut tx = self.store.begin().await?;
        let login_id = write_registration(
            tx.as_mut(),
            self.random.as_ref(),
            &prepared,
            &self.config.login_domain,
            &self.config.public_url,
            &mut numbers,
        )
        .await?;
        if !mismatches.is_empty() {
            open_data_review(tx.as_mut(), &prepared.holder, &mismatches).await?;
        }
        if let Some(client) = api_client {
            audit(
                tx.as_mut(),
                prepared.holder.created_at(),
                &identity_core::identity::Actor::Api(client.name.clone()).to_audit_string(),
                "api.holder_registered",
                Some(prepared.holder.id()),
                json!({ "login": login_id.to_string() }),
            )
            .await?;
        }
        tx.commit().await?;
        tracing::info!(holder = %prepared.holder.id(), login = %login_id, "holder registered");
        Ok(Registered {
            holder_id: prepared.holder.id(),
            login_id,
        })
    }
}

impl Service {
    /// Checks a registration against the rules that need more than one field: the
    /// birth date is not in the future, the tax code agrees with the declared
    /// names, birth date, sex and place, and the password follows the policy.
    /// Returns the holder to store (with a new id, created now), and the tax code's
    /// disagreements the person confirmed (`accept_tax_code_mismatch`), which put
    /// the holder's data under review.
    pub fn validate_registration(
        &self,
        reg: &Registration,
    ) -> Result<(Holder, Vec<TaxCodeMismatch>), RegisterError> {
        let (holder, accepted) = self.new_holder(reg)?;
        let tax = holder.tax_code();
        let ctx = password_context(&holder, tax.as_ref(), &[]);
        self.config
            .password_policy
            .check(&reg.password, &ctx)
            .map_err(RegisterError::Password)?;
        Ok((holder, accepted))
    }

    /// The holder of a registration (its password aside): the birth date is not
    /// in the future and the tax code agrees with the declared data (or the
    /// disagreement was confirmed, which puts the data under review).
    pub(crate) fn new_holder(
        &self,
        reg: &Registration,
    ) -> Result<(Holder, Vec<TaxCodeMismatch>), RegisterError> {
        let mut accepted = Vec::new();
        let now = self.clock.now();
        if let Some(person) = match &reg.kind {
            HolderKind::Person(p) => Some(&p.person),
            HolderKind::Professional(p) => Some(&p.person),
            HolderKind::Company(_) => None,
        } {
            if person.birth_date() > identity_core::calendar::rome_date(now) {
                return Err(RegisterError::BirthDateInFuture);
            }
            person
                .tax_code()
                .check_person(&PersonCheck {
                    family_name: person.family_name(),
                    given_name: person.given_name(),
                    birth_date: person.birth_date(),
                    sex: person.sex(),
                    birth_place_code: Some(person.birth_place_code()),
                })
                .or_else(|v| {
                    if reg.accept_tax_code_mismatch {
                        accepted = v;
                        Ok(())
                    } else {
                        Err(RegisterError::TaxCodeMismatch(v))
                    }
                })?;
        }
        let mut holder = Holder::new(
            HolderId::from_uuid(Uuid::now_v7()),
            reg.kind.clone(),
            reg.address.clone(),
            reg.contacts.clone(),
            reg.lang,
            now,
        );
        if !accepted.is_empty() {
            holder.set_data_review(identity_core::DataReview::Pending);
        }
        Ok((holder, accepted))
    }
}

/// The personal data a password must not contain: a person's names, tax code and
/// date of birth, or a body's name, VAT number and tax code; and the login numbers.
/// `tax_code` is the holder's tax code as returned by `Holder::tax_code` (passed
/// in so the context can borrow it).
pub(crate) fn password_context<'a>(
    holder: &'a Holder,
    tax_code: Option<&'a identity_core::TaxCode>,
    login_numbers: &'a [String],
) -> PasswordContext<'a> {
    let mut ctx = PasswordContext::default();
    if let Some(p) = holder.person() {
        ctx.names = p
            .given_name()
            .split_whitespace()
            .chain(p.family_name().split_whitespace())
            .collect();
        ctx.tax_code = Some(p.tax_code().as_str());
        ctx.birth_date = Some(p.birth_date());
    } else {
        if let HolderKind::Company(c) = holder.kind() {
            ctx.names = c.business.name().split_whitespace().collect();
        }
        ctx.tax_code = holder
            .vat_number()
            .map(identity_core::VatNumber::as_str)
            .or(tax_code.map(identity_core::TaxCode::as_str));
    }
    ctx.login_numbers = login_numbers.iter().map(String::as_str).collect();
    ctx
}
