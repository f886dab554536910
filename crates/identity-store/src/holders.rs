//! Mapping between [`Holder`] and the `holders` table. Loading re-validates every
//! value through identity-core's constructors, so a row edited by hand into an
//! invalid state is reported as `Corrupt` instead of leaking into the domain.

use identity_core::holder::{BusinessIdentity, PersonIdentity};
use identity_core::{
    Address, CompanyHolder, Contacts, EmailAddress, Holder, HolderKind, InvoicingChannel, Lang,
    PersonHolder, PersonalTaxCode, PhoneNumber, PostalCode, ProfessionalHolder, ProvinceCode, Sex,
    SubjectKind, TaxCode, VatNumber,
};
use identity_service::StoreError;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::time;

/// The columns of `holders`, in the order [`bind_holder`] binds them.
pub(crate) const INSERT_HOLDER: &str = "INSERT INTO holders (id, subject_kind, given_name, family_name, tax_code, \
     birth_date, birth_place_code, sex, company_name, vat_number, invoicing_sdi, invoicing_pec, street, postal_code, \
     municipality, province, country, email, email_normalized, phone, pec, lang, created_at, email_verified_at, \
     data_review) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)";

pub(crate) const UPDATE_CONTACTS: &str = "UPDATE holders SET street = $2, postal_code = $3, municipality = $4, \
     province = $5, country = $6, email = $7, email_normalized = $8, phone = $9, pec = $10, lang = $11, \
     email_verified_at = $12 WHERE id = $1 AND closed_at IS NULL";

/// Replaces the identity columns ($2-$12, as [`bind_identity_columns`] binds them)
/// and the data review ($13).
pub(crate) const UPDATE_IDENTITY: &str = "UPDATE holders SET subject_kind = $2, given_name = $3, family_name = $4, \
     tax_code = $5, birth_date = $6, birth_place_code = $7, sex = $8, company_name = $9, vat_number = $10, \
     invoicing_sdi = $11, invoicing_pec = $12, data_review = $13 WHERE id = $1 AND closed_at IS NULL";

/// Erases a closed holder's personal data: what stays is what the law requires
/// (id, kind, tax code, VAT number, dates), so audit entries and proofing records
/// keep their subject.
pub(crate) const CLOSE_HOLDER: &str = "UPDATE holders SET closed_at = $2, given_name = NULL, family_name = NULL, \
     birth_date = NULL, birth_place_code = NULL, sex = NULL, company_name = NULL, invoicing_sdi = NULL, \
     invoicing_pec = NULL, street = '', postal_code = NULL, municipality = '', province = '', country = '', \
     email = '', email_normalized = '', phone = '', pec = NULL WHERE id = $1 AND closed_at IS NULL";

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

fn sex_code(s: Sex) -> &'static str {
    match s {
        Sex::Male => "M",
        Sex::Female => "F",
    }
}

/// Binds the identity columns ($1-$12), the secondary ones ($13-$22), the
/// creation time and the email verification time.
pub(crate) fn bind_holder<'q>(q: AnyQuery<'q>, h: &Holder) -> AnyQuery<'q> {
    let q = bind_identity_columns(q, h);
    bind_secondary(q, h)
        .bind(time::to_db(h.created_at()))
        .bind(h.email_verified_at().map(time::to_db))
        .bind(h.data_review().code())
}

/// Binds the id and the identity columns ($1-$12).
pub(crate) fn bind_identity_columns<'q>(q: AnyQuery<'q>, h: &Holder) -> AnyQuery<'q> {
    let person = h.person();
    let (company, vat, sdi, pec_inv) = match h.kind() {
        HolderKind::Person(_) => (None, None, None, None),
        HolderKind::Professional(p) => (
            Some(p.business_name().to_owned()),
            Some(p.vat_number.as_str().to_owned()),
            None,
            None,
        ),
        HolderKind::Company(c) => {
            let (sdi, pec) = match &c.invoicing {
                Some(InvoicingChannel::Sdi(code)) => (Some(code.clone()), None),
                Some(InvoicingChannel::Pec(p)) => (None, Some(p.to_string())),
                None => (None, None),
            };
            (
                Some(c.business.name().to_owned()),
                c.business.vat_number().map(|v| v.as_str().to_owned()),
                sdi,
                pec,
            )
        }
    };
    q.bind(h.id().to_string())
        .bind(h.subject_kind().code())
        .bind(person.map(|p| p.given_name().to_owned()))
        .bind(person.map(|p| p.family_name().to_owned()))
        .bind(h.tax_code().map(|t| t.as_str().to_owned()))
        .bind(person.map(|p| p.birth_date().format("%Y-%m-%d").to_string()))
        .bind(person.map(|p| p.birth_place_code().to_owned()))
        .bind(person.map(|p| sex_code(p.sex())))
        .bind(company)
        .bind(vat)
        .bind(sdi)
        .bind(pec_inv)
}

/// Binds the secondary attributes in the order both statements use after the id.
pub(crate) fn bind_secondary<'q>(q: AnyQuery<'q>, h: &Holder) -> AnyQuery<'q> {
    let a = h.address();
    let c = h.contacts();
    q.bind(a.street.clone())
        .bind(a.postal_code.as_ref().map(|p| p.as_str().to_owned()))
        .bind(a.municipality.clone())
        .bind(a.province.as_str().to_owned())
        .bind(a.country.clone())
        .bind(c.email.to_string())
        .bind(c.email.normalized())
        .bind(c.phone.as_str().to_owned())
        .bind(c.pec.as_ref().map(ToString::to_string))
        .bind(h.lang().code())
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("holder {what}: {e}"))
}

fn text(row: &AnyRow, col: &str) -> Result<Option<String>, StoreError> {
    row.try_get::<Option<String>, _>(col)
        .map_err(|e| corrupt(col, e))
}

fn required(row: &AnyRow, col: &str) -> Result<String, StoreError> {
    text(row, col)?.ok_or_else(|| corrupt(col, "missing"))
}

fn person_from_row(row: &AnyRow) -> Result<PersonIdentity, StoreError> {
    let tax_code =
        PersonalTaxCode::parse(&required(row, "tax_code")?).map_err(|e| corrupt("tax_code", e))?;
    let sex = match required(row, "sex")?.as_str() {
        "M" => Sex::Male,
        "F" => Sex::Female,
        other => return Err(corrupt("sex", other)),
    };
    PersonIdentity::new(
        &required(row, "given_name")?,
        &required(row, "family_name")?,
        tax_code,
        time::date_from_db(&required(row, "birth_date")?)?,
        &required(row, "birth_place_code")?,
        sex,
    )
    .map_err(|e| corrupt("person", e))
}

/// Rebuilds a holder from a `SELECT * FROM holders` row.
pub(crate) fn holder_from_row(row: &AnyRow) -> Result<Holder, StoreError> {
    let kind_code = required(row, "subject_kind")?;
    let kind =
        SubjectKind::from_code(&kind_code).ok_or_else(|| corrupt("subject_kind", &kind_code))?;
    let vat = text(row, "vat_number")?
        .map(|v| VatNumber::parse(&v).map_err(|e| corrupt("vat_number", e)))
        .transpose()?;
    let holder_kind = match kind {
        SubjectKind::PersonaFisica => HolderKind::Person(PersonHolder {
            person: person_from_row(row)?,
        }),
        SubjectKind::LiberoProfessionista | SubjectKind::DittaIndividuale => {
            HolderKind::Professional(
                ProfessionalHolder::new(
                    kind,
                    person_from_row(row)?,
                    &text(row, "company_name")?.unwrap_or_default(),
                    vat.ok_or_else(|| corrupt("vat_number", "missing"))?,
                )
                .map_err(|e| corrupt("professional", e))?,
            )
        }
        _ => {
            let tax_code = text(row, "tax_code")?
                .map(|t| TaxCode::parse(&t).map_err(|e| corrupt("tax_code", e)))
                .transpose()?;
            let business = BusinessIdentity::new(&required(row, "company_name")?, vat, tax_code)
                .map_err(|e| corrupt("company", e))?;
            let invoicing = match (text(row, "invoicing_sdi")?, text(row, "invoicing_pec")?) {
                (Some(sdi), _) => {
                    Some(InvoicingChannel::sdi(&sdi).map_err(|e| corrupt("invoicing_sdi", e))?)
                }
                (None, Some(pec)) => Some(InvoicingChannel::Pec(
                    EmailAddress::parse(&pec).map_err(|e| corrupt("invoicing_pec", e))?,
                )),
                (None, None) => None,
            };
            HolderKind::Company(
                CompanyHolder::new(kind, business, invoicing).map_err(|e| corrupt("company", e))?,
            )
        }
    };
    let address = Address::new(
        &required(row, "street")?,
        text(row, "postal_code")?
            .map(|p| PostalCode::parse(&p).map_err(|e| corrupt("postal_code", e)))
            .transpose()?,
        &required(row, "municipality")?,
        ProvinceCode::parse(&required(row, "province")?).map_err(|e| corrupt("province", e))?,
        &required(row, "country")?,
    )
    .map_err(|e| corrupt("address", e))?;
    let contacts = Contacts {
        email: EmailAddress::parse(&required(row, "email")?).map_err(|e| corrupt("email", e))?,
        phone: PhoneNumber::parse(&required(row, "phone")?).map_err(|e| corrupt("phone", e))?,
        pec: text(row, "pec")?
            .map(|p| EmailAddress::parse(&p).map_err(|e| corrupt("pec", e)))
            .transpose()?,
    };
    let id = required(row, "id")?.parse().map_err(|e| corrupt("id", e))?;
    let lang = Lang::from_tag(&required(row, "lang")?).unwrap_or_default();
    let created_at = time::from_db(
        row.try_get::<i64, _>("created_at")
            .map_err(|e| corrupt("created_at", e))?,
    )?;
    let email_verified_at = row
        .try_get::<Option<i64>, _>("email_verified_at")
        .map_err(|e| corrupt("email_verified_at", e))?
        .map(time::from_db)
        .transpose()?;
    let review = text(row, "data_review")?;
    let mut holder = Holder::new(id, holder_kind, address, contacts, lang, created_at)
        .with_email_verified_at(email_verified_at);
    holder.set_data_review(
        identity_core::DataReview::from_code(review.as_deref())
            .ok_or_else(|| corrupt("data_review", review.unwrap_or_default()))?,
    );
    Ok(holder)
}
