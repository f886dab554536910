//! Holders: the `holders` table's queries and its row mapper. Loading re-validates
//! every value through identity-core's constructors, so a row edited by hand into
//! an invalid state is reported as `Corrupt` instead of leaking into the domain.

use async_trait::async_trait;
use identity_core::HolderId;
use identity_core::holder::{BusinessIdentity, PersonIdentity};
use identity_core::{
    Address, CompanyHolder, Contacts, EmailAddress, Holder, HolderKind, InvoicingChannel, Lang,
    PersonHolder, PersonalTaxCode, PhoneNumber, PostalCode, ProfessionalHolder, ProvinceCode, Sex,
    SubjectKind, TaxCode, VatNumber,
};
use identity_service::StoreError;
use identity_service::ports::HolderTx;
use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;

use crate::backend::Backend;
use crate::sql::{AnyQuery, Columns, Run, SqlTx, touched};
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

fn person_from_row(c: Columns<'_>) -> Result<PersonIdentity, StoreError> {
    let tax_code = c.decoded("tax_code", |t| PersonalTaxCode::parse(t).ok())?;
    let sex = c.decoded("sex", |s| match s {
        "M" => Some(Sex::Male),
        "F" => Some(Sex::Female),
        _ => None,
    })?;
    PersonIdentity::new(
        &c.text("given_name")?,
        &c.text("family_name")?,
        tax_code,
        time::date_from_db(&c.text("birth_date")?)?,
        &c.text("birth_place_code")?,
        sex,
    )
    .map_err(|e| c.corrupt("person", e))
}

/// Rebuilds a holder from a `SELECT * FROM holders` row.
pub(crate) fn holder_from_row(row: &AnyRow) -> Result<Holder, StoreError> {
    let c = Columns::of(row, "holder");
    let kind = c.decoded("subject_kind", SubjectKind::from_code)?;
    let vat = c
        .opt_text("vat_number")?
        .map(|v| VatNumber::parse(&v).map_err(|e| c.corrupt("vat_number", e)))
        .transpose()?;
    let holder_kind = match kind {
        SubjectKind::PersonaFisica => HolderKind::Person(PersonHolder {
            person: person_from_row(c)?,
        }),
        SubjectKind::LiberoProfessionista | SubjectKind::DittaIndividuale => {
            HolderKind::Professional(
                ProfessionalHolder::new(
                    kind,
                    person_from_row(c)?,
                    &c.opt_text("company_name")?.unwrap_or_default(),
                    vat.ok_or_else(|| c.corrupt("vat_number", "missing"))?,
                )
                .map_err(|e| c.corrupt("professional", e))?,
            )
        }
        _ => {
            let tax_code = c
                .opt_text("tax_code")?
                .map(|t| TaxCode::parse(&t).map_err(|e| c.corrupt("tax_code", e)))
                .transpose()?;
            let business = BusinessIdentity::new(&c.text("company_name")?, vat, tax_code)
                .map_err(|e| c.corrupt("company", e))?;
            let invoicing = match (c.opt_text("invoicing_sdi")?, c.opt_text("invoicing_pec")?) {
                (Some(sdi), _) => {
                    Some(InvoicingChannel::sdi(&sdi).map_err(|e| c.corrupt("invoicing_sdi", e))?)
                }
                (None, Some(pec)) => Some(InvoicingChannel::Pec(
                    EmailAddress::parse(&pec).map_err(|e| c.corrupt("invoicing_pec", e))?,
                )),
                (None, None) => None,
            };
            HolderKind::Company(
                CompanyHolder::new(kind, business, invoicing)
                    .map_err(|e| c.corrupt("company", e))?,
            )
        }
    };
    let address = Address::new(
        &c.text("street")?,
        c.opt_text("postal_code")?
            .map(|p| PostalCode::parse(&p).map_err(|e| c.corrupt("postal_code", e)))
            .transpose()?,
        &c.text("municipality")?,
        c.decoded("province", |p| ProvinceCode::parse(p).ok())?,
        &c.text("country")?,
    )
    .map_err(|e| c.corrupt("address", e))?;
    let contacts = Contacts {
        email: c.decoded("email", |e| EmailAddress::parse(e).ok())?,
        phone: c.decoded("phone", |p| PhoneNumber::parse(p).ok())?,
        pec: c
            .opt_text("pec")?
            .map(|p| EmailAddress::parse(&p).map_err(|e| c.corrupt("pec", e)))
            .transpose()?,
    };
    let lang = Lang::from_tag(&c.text("lang")?).unwrap_or_default();
    let review = c.opt_text("data_review")?;
    let mut holder = Holder::new(
        c.parsed("id")?,
        holder_kind,
        address,
        contacts,
        lang,
        c.time("created_at")?,
    )
    .with_email_verified_at(c.opt_time("email_verified_at")?);
    holder.set_data_review(
        identity_core::DataReview::from_code(review.as_deref())
            .ok_or_else(|| c.corrupt("data_review", review.unwrap_or_default()))?,
    );
    Ok(holder)
}

#[async_trait]
impl HolderTx for SqlTx {
    #[tracing::instrument(name = "store.insert_holder", skip_all, level = "debug")]
    async fn insert_holder(&mut self, holder: &Holder) -> Result<(), StoreError> {
        bind_holder(sqlx::query(INSERT_HOLDER), holder)
            .insert_in(self, "holder")
            .await?;
        Ok(())
    }

    #[tracing::instrument(name = "store.holder", skip_all, level = "debug", fields(holder = %id))]
    async fn holder(&mut self, id: HolderId) -> Result<Holder, StoreError> {
        let row = sqlx::query("SELECT * FROM holders WHERE id = $1 AND closed_at IS NULL")
            .bind(id.to_string())
            .fetch_one_in(self)
            .await?;
        holder_from_row(&row)
    }

    #[tracing::instrument(name = "store.holder_for_update", skip_all, level = "debug", fields(holder = %id))]
    async fn holder_for_update(&mut self, id: HolderId) -> Result<Holder, StoreError> {
        let sql = format!(
            "SELECT * FROM holders WHERE id = $1 AND closed_at IS NULL{}",
            self.backend.for_update()
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_one_in(self)
            .await?;
        holder_from_row(&row)
    }

    #[tracing::instrument(name = "store.update_holder_contacts", skip_all, level = "debug")]
    async fn update_holder_contacts(&mut self, holder: &Holder) -> Result<(), StoreError> {
        let q = sqlx::query(UPDATE_CONTACTS).bind(holder.id().to_string());
        let done = bind_secondary(q, holder)
            .bind(holder.email_verified_at().map(time::to_db))
            .execute_in(self)
            .await?;
        touched(&done, StoreError::NotFound)
    }

    #[tracing::instrument(name = "store.holders_by_fiscal_code", skip_all, level = "debug")]
    async fn holders_by_fiscal_code(
        &mut self,
        code: &str,
        vat: bool,
    ) -> Result<Vec<Holder>, StoreError> {
        let sql = if vat {
            "SELECT * FROM holders WHERE vat_number = $1 AND closed_at IS NULL ORDER BY created_at"
        } else {
            "SELECT * FROM holders WHERE tax_code = $1 AND closed_at IS NULL ORDER BY created_at"
        };
        let rows = sqlx::query(sql)
            .bind(code.to_owned())
            .fetch_all_in(self)
            .await?;
        rows.iter().map(holder_from_row).collect()
    }

    #[tracing::instrument(name = "store.lock_fiscal_code", skip_all, level = "debug")]
    async fn lock_fiscal_code(&mut self, code: &str) -> Result<(), StoreError> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind(format!("fiscal:{code}"))
                .execute_in(self)
                .await?;
        }
        Ok(())
    }

    #[tracing::instrument(name = "store.holders_by_email", skip_all, level = "debug")]
    async fn holders_by_email(
        &mut self,
        normalized_email: &str,
    ) -> Result<Vec<Holder>, StoreError> {
        let rows =
            sqlx::query("SELECT * FROM holders WHERE email_normalized = $1 AND closed_at IS NULL ORDER BY created_at")
                .bind(normalized_email.to_owned())
                .fetch_all_in(self).await?;
        rows.iter().map(holder_from_row).collect()
    }
}
