//! Holders through the API: register, read, change secondary attributes, list and
//! create logins, open and list correction requests. The same use cases as the
//! pages; every call is audited under `api:<client name>`.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use identity_core::consent::ConsentKind;
use identity_core::identity::Actor;
use identity_core::{HolderId, Lang, LoginId};
use identity_service::ApiScope;
use identity_service::usecases::contacts::{ContactsAuth, ContactsError, ContactsInput};
use identity_service::usecases::corrections::CorrectionOpError;
use identity_service::usecases::new_login::CreateLoginError;
use identity_service::usecases::register_input::{RegisterInputError, RegistrationInput};

use super::auth::{ApiLang, Client};
use super::dto::{
    ContactsChanged, ContactsPatch, CorrectionDocument, CorrectionRequestBody, HolderDocument,
    LoginDocument, NewLogin, Registered, RegistrationRequest,
};
use super::error::{ApiError, ErrorDocument};
use crate::AppState;

type ApiResult<T> = Result<(StatusCode, Json<T>), ApiError>;

/// The request's JSON body as `T`. Only an object is a body: serde would also
/// read a struct from an array of its fields in order (`[null, null]`), which no
/// client means and the document does not allow.
fn body<T: serde::de::DeserializeOwned>(
    body: Result<Json<serde_json::Value>, JsonRejection>,
    lang: Lang,
) -> Result<T, ApiError> {
    let Json(value) = body.map_err(|e| ApiError::bad_request(e.body_text(), lang))?;
    if !value.is_object() {
        return Err(ApiError::bad_request(
            "the body must be a JSON object",
            lang,
        ));
    }
    serde_json::from_value(value).map_err(|e| ApiError::bad_request(e, lang))
}

fn holder_id(raw: &str, lang: Lang) -> Result<HolderId, ApiError> {
    raw.parse().map_err(|_| ApiError::not_found(lang))
}

/// Registers a holder with its first login, exactly as the registration form does.
#[utoipa::path(
    post, path = "/api/v1/holders", tag = "holders",
    request_body = RegistrationRequest,
    security(("bearer" = ["holders:write"])),
    responses(
        (status = 201, description = "Registered; the confirmation mail is queued", body = Registered),
        (status = 400, description = "The body is not JSON of this shape", body = ErrorDocument),
        (status = 401, description = "No valid token", body = ErrorDocument),
        (status = 403, description = "The client lacks holders:write", body = ErrorDocument),
        (status = 422, description = "Fields to fix, each with its message; `tax_code_mismatch` when only the tax code disagrees with the data (send again with `confirm_mismatch` to have an operator review it)", body = ErrorDocument),
        (status = 429, description = "Too many registrations from this address", body = ErrorDocument),
    )
)]
pub(crate) async fn register(
    State(state): State<AppState>,
    ApiLang(lang): ApiLang,
    client: Client,
    raw: Result<Json<serde_json::Value>, JsonRejection>,
) -> ApiResult<Registered> {
    client.require(ApiScope::HoldersWrite, lang)?;
    let r: RegistrationRequest = body(raw, lang)?;
    for key in r.consents.keys() {
        if ConsentKind::from_code(key).is_none() {
            return Err(ApiError::bad_request(
                format!("unknown consent {key:?}"),
                lang,
            ));
        }
    }
    let input = RegistrationInput {
        subject_kind: r.subject_kind,
        given_name: r.given_name,
        family_name: r.family_name,
        tax_code: r.tax_code,
        birth_date: r.birth_date,
        sex: r.sex,
        birth_place: r.birth_place,
        birth_province: r.birth_province,
        company_name: r.company_name,
        vat_number: r.vat_number,
        sdi_code: r.sdi_code,
        invoicing_pec: r.invoicing_pec,
        street: r.street,
        postal_code: r.postal_code,
        municipality: r.municipality,
        province: r.province,
        country: r.country,
        email: r.email,
        email_confirm: r.email_confirm,
        phone: r.phone,
        pec: r.pec,
        password: r.password,
        password_confirm: r.password_confirm,
        privacy_notice: r.privacy_notice,
        confirm_mismatch: r.confirm_mismatch,
        consents: ConsentKind::ALL
            .into_iter()
            .map(|k| (k, r.consents.get(k.code()).copied()))
            .collect(),
        lang: r
            .lang
            .as_deref()
            .and_then(Lang::from_tag)
            .unwrap_or_default(),
    };
    // Authenticated and audited (in the registration's own transaction): not
    // limited by address like anonymous visitors.
    match state
        .service
        .register_input_for_api_client(&input, &client.0)
        .await
    {
        Ok(done) => Ok((
            StatusCode::CREATED,
            Json(Registered {
                holder_id: done.holder_id.as_uuid(),
                login_id: done.login_id.to_string(),
            }),
        )),
        Err(RegisterInputError::Invalid(errors)) => Err(ApiError::fields(&errors, lang)),
        Err(RegisterInputError::Mismatch(errors)) => {
            let mut e = ApiError::fields(&errors, lang);
            e.problem.code = "tax_code_mismatch";
            Err(e)
        }
        Err(e @ RegisterInputError::RateLimited) => Err(ApiError::refused(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            &e,
            lang,
        )),
        Err(RegisterInputError::Infra(e)) => Err(ApiError::failed(&e, lang)),
    }
}

/// A storage error as the API answers it: `NotFound` is 404, the rest 500.
fn store_error(e: identity_service::StoreError, lang: Lang) -> ApiError {
    match e {
        identity_service::StoreError::NotFound => ApiError::not_found(lang),
        other => ApiError::failed(&identity_service::InfraError::Store(other), lang),
    }
}

async fn document(state: &AppState, id: HolderId, lang: Lang) -> Result<HolderDocument, ApiError> {
    let overview = state
        .service
        .holder_overview(id)
        .await
        .map_err(|e| store_error(e, lang))?;
    let domain = &state.service.config().login_domain;
    Ok(HolderDocument {
        holder: identity_service::usecases::export::holder_json(&overview.holder),
        logins: logins(&overview.logins, domain),
    })
}

fn logins(list: &[identity_core::Login], domain: &str) -> Vec<LoginDocument> {
    list.iter()
        .map(|l| LoginDocument {
            login_id: LoginId::new(l.number(), domain).to_string(),
            status: l.status().code().to_owned(),
            created_at: l.created_at(),
        })
        .collect()
}

/// A holder's data and logins.
#[utoipa::path(
    get, path = "/api/v1/holders/{id}", tag = "holders",
    params(("id" = String, Path, description = "Holder id (UUID)")),
    security(("bearer" = ["holders:read"])),
    responses(
        (status = 200, body = HolderDocument),
        (status = 401, body = ErrorDocument), (status = 403, body = ErrorDocument),
        (status = 404, body = ErrorDocument),
    )
)]
pub(crate) async fn read(
    State(state): State<AppState>,
    ApiLang(lang): ApiLang,
    client: Client,
    Path(id): Path<String>,
) -> ApiResult<HolderDocument> {
    client.require(ApiScope::HoldersRead, lang)?;
    let id = holder_id(&id, lang)?;
    let doc = document(&state, id, lang).await?;
    Ok((StatusCode::OK, Json(doc)))
}

/// Changes secondary attributes (fields left out keep their value). A new email
/// takes effect when the code mailed to it comes back; while the holder has a
/// digital identity, email, phone and PEC cannot change through the API.
#[utoipa::path(
    patch, path = "/api/v1/holders/{id}", tag = "holders",
    params(("id" = String, Path, description = "Holder id (UUID)")),
    request_body = ContactsPatch,
    security(("bearer" = ["holders:write"])),
    responses(
        (status = 200, body = ContactsChanged),
        (status = 400, body = ErrorDocument), (status = 401, body = ErrorDocument),
        (status = 403, description = "Missing scope, or recovery channels of a holder with a digital identity", body = ErrorDocument),
        (status = 404, body = ErrorDocument), (status = 422, body = ErrorDocument),
    )
)]
pub(crate) async fn update(
    State(state): State<AppState>,
    ApiLang(lang): ApiLang,
    client: Client,
    Path(id): Path<String>,
    raw: Result<Json<serde_json::Value>, JsonRejection>,
) -> ApiResult<ContactsChanged> {
    client.require(ApiScope::HoldersWrite, lang)?;
    let id = holder_id(&id, lang)?;
    let patch: ContactsPatch = body(raw, lang)?;
    // The fields the PATCH does not carry keep their values, read under the lock.
    let build = move |current: &identity_core::Holder| {
        let a = current.address();
        let c = current.contacts();
        let email = patch.email.clone().unwrap_or_else(|| c.email.to_string());
        ContactsInput {
            email_confirm: email.clone(),
            email,
            phone: patch.phone.clone().unwrap_or_else(|| c.phone.to_string()),
            pec: patch
                .pec
                .clone()
                .unwrap_or_else(|| c.pec.as_ref().map(ToString::to_string).unwrap_or_default()),
            street: patch.street.clone().unwrap_or_else(|| a.street.clone()),
            postal_code: patch.postal_code.clone().unwrap_or_else(|| {
                a.postal_code
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default()
            }),
            municipality: patch
                .municipality
                .clone()
                .unwrap_or_else(|| a.municipality.clone()),
            province: patch
                .province
                .clone()
                .unwrap_or_else(|| a.province.to_string()),
            country: patch.country.clone().unwrap_or_else(|| {
                if a.province.is_abroad() {
                    a.country.clone()
                } else {
                    String::new()
                }
            }),
        }
    };
    match state
        .service
        .update_contacts_with(id, ContactsAuth::Api(&client.0.name), build)
        .await
    {
        Ok(u) => Ok((
            StatusCode::OK,
            Json(ContactsChanged {
                changed: u.changed.iter().map(|s| (*s).to_owned()).collect(),
                email_pending: u.email_pending,
            }),
        )),
        Err(ContactsError::Invalid(errors)) => Err(ApiError::fields(&errors, lang)),
        Err(e @ ContactsError::ReauthRequired) => Err(ApiError::refused(
            StatusCode::FORBIDDEN,
            "reauthentication_required",
            &e,
            lang,
        )),
        Err(ContactsError::NotFound) => Err(ApiError::not_found(lang)),
        Err(e @ ContactsError::RateLimited) => Err(ApiError::refused(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            &e,
            lang,
        )),
        Err(e @ ContactsError::EmailNotVerified) => Err(ApiError::refused(
            StatusCode::CONFLICT,
            "conflict",
            &e,
            lang,
        )),
        Err(ContactsError::Infra(e)) => Err(ApiError::failed(&e, lang)),
    }
}

/// The holder's logins.
#[utoipa::path(
    get, path = "/api/v1/holders/{id}/logins", tag = "logins",
    params(("id" = String, Path, description = "Holder id (UUID)")),
    security(("bearer" = ["holders:read"])),
    responses((status = 200, body = Vec<LoginDocument>), (status = 401, body = ErrorDocument),
              (status = 403, body = ErrorDocument), (status = 404, body = ErrorDocument))
)]
pub(crate) async fn list_logins(
    State(state): State<AppState>,
    ApiLang(lang): ApiLang,
    client: Client,
    Path(id): Path<String>,
) -> ApiResult<Vec<LoginDocument>> {
    client.require(ApiScope::HoldersRead, lang)?;
    let id = holder_id(&id, lang)?;
    let doc = document(&state, id, lang).await?;
    Ok((StatusCode::OK, Json(doc.logins)))
}

/// Creates a login for the holder. It has no password: the holder receives its id
/// and a single-use link to choose the password at the reference address.
#[utoipa::path(
    post, path = "/api/v1/holders/{id}/logins", tag = "logins",
    params(("id" = String, Path, description = "Holder id (UUID)")),
    security(("bearer" = ["holders:write"])),
    responses((status = 201, body = NewLogin),
              (status = 401, body = ErrorDocument), (status = 403, body = ErrorDocument),
              (status = 404, body = ErrorDocument), (status = 409, description = "Too many logins", body = ErrorDocument),
              (status = 422, body = ErrorDocument))
)]
pub(crate) async fn create_login(
    State(state): State<AppState>,
    ApiLang(lang): ApiLang,
    client: Client,
    Path(id): Path<String>,
) -> ApiResult<NewLogin> {
    client.require(ApiScope::HoldersWrite, lang)?;
    let id = holder_id(&id, lang)?;
    let actor = Actor::Api(client.0.name.clone());
    match state
        .service
        .create_login_for_holder_to_set(id, &actor)
        .await
    {
        Ok(login) => Ok((
            StatusCode::CREATED,
            Json(NewLogin {
                login_id: login.to_string(),
            }),
        )),
        Err(CreateLoginError::Invalid(errors)) => Err(ApiError::fields(&errors, lang)),
        Err(CreateLoginError::NotFound) => Err(ApiError::not_found(lang)),
        Err(e @ (CreateLoginError::TooMany | CreateLoginError::EmailNotVerified)) => Err(
            ApiError::refused(StatusCode::CONFLICT, "conflict", &e, lang),
        ),
        Err(CreateLoginError::Infra(e)) => Err(ApiError::failed(&e, lang)),
    }
}

/// The holder's correction requests, newest first.
#[utoipa::path(
    get, path = "/api/v1/holders/{id}/corrections", tag = "corrections",
    params(("id" = String, Path, description = "Holder id (UUID)")),
    security(("bearer" = ["holders:read"])),
    responses((status = 200, body = Vec<CorrectionDocument>), (status = 401, body = ErrorDocument),
              (status = 403, body = ErrorDocument), (status = 404, body = ErrorDocument))
)]
pub(crate) async fn list_corrections(
    State(state): State<AppState>,
    ApiLang(lang): ApiLang,
    client: Client,
    Path(id): Path<String>,
) -> ApiResult<Vec<CorrectionDocument>> {
    client.require(ApiScope::HoldersRead, lang)?;
    let id = holder_id(&id, lang)?;
    // Only whether the holder exists (or its account is closed: not found).
    state
        .service
        .holder(id)
        .await
        .map_err(|e| store_error(e, lang))?;
    let list = state
        .service
        .corrections_of(id)
        .await
        .map_err(|e| ApiError::failed(&e.into(), lang))?;
    Ok((
        StatusCode::OK,
        Json(list.iter().map(CorrectionDocument::from).collect()),
    ))
}

/// Opens a correction request for a typo in an identity field; an operator
/// decides it.
#[utoipa::path(
    post, path = "/api/v1/holders/{id}/corrections", tag = "corrections",
    params(("id" = String, Path, description = "Holder id (UUID)")),
    request_body = CorrectionRequestBody,
    security(("bearer" = ["holders:write"])),
    responses((status = 201, body = CorrectionDocument), (status = 400, body = ErrorDocument),
              (status = 401, body = ErrorDocument), (status = 403, body = ErrorDocument),
              (status = 404, body = ErrorDocument), (status = 409, description = "Too many open requests", body = ErrorDocument),
              (status = 422, body = ErrorDocument))
)]
pub(crate) async fn open_correction(
    State(state): State<AppState>,
    ApiLang(lang): ApiLang,
    client: Client,
    Path(id): Path<String>,
    raw: Result<Json<serde_json::Value>, JsonRejection>,
) -> ApiResult<CorrectionDocument> {
    client.require(ApiScope::HoldersWrite, lang)?;
    let id = holder_id(&id, lang)?;
    let req: CorrectionRequestBody = body(raw, lang)?;
    let actor = Actor::Api(client.0.name.clone());
    match state
        .service
        .open_correction(id, &req.field, &req.requested_value, &req.reason, &actor)
        .await
    {
        Ok(c) => Ok((StatusCode::CREATED, Json(CorrectionDocument::from(&c)))),
        Err(CorrectionOpError::NotFound) => Err(ApiError::not_found(lang)),
        Err(e @ CorrectionOpError::UnknownField) => Err(ApiError::field("field", &e, lang)),
        Err(CorrectionOpError::Refused(e @ identity_core::CorrectionError::Required("reason"))) => {
            Err(ApiError::field("reason", &e, lang))
        }
        Err(CorrectionOpError::Refused(e)) => Err(ApiError::field("requested_value", &e, lang)),
        Err(e @ (CorrectionOpError::TooMany | CorrectionOpError::LiveIdentity)) => Err(
            ApiError::refused(StatusCode::CONFLICT, "conflict", &e, lang),
        ),
        Err(CorrectionOpError::Infra(e)) => Err(ApiError::failed(&e, lang)),
    }
}
