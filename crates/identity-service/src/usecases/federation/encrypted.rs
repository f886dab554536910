//! What the federation's relying parties receive signed and then encrypted
//! (the SPID/CIE rules): the userinfo answer always, the ID token when their
//! resolved metadata asks for it. Statically registered providers keep the
//! plain answers.

use serde_json::{Map, Value, json};

use crate::error::InfraError;
use crate::ports::{AccessTokenRecord, StoreError};
use crate::service::Service;
use crate::usecases::oidc::jwe::{EncryptionChoice, JweError, encrypt_jwt};
use crate::usecases::oidc::keys::SigningAlg;
use crate::usecases::oidc::tokens::{ACCESS_TOKEN_LIFETIME, UserinfoError};

/// The userinfo encryption when a federation relying party names none: the
/// rules require one, and these are the first of each list offered.
const DEFAULT_USERINFO: (&str, &str) = ("RSA-OAEP", "A128CBC-HS256");

/// How a federation relying party's answers are encrypted.
#[derive(Debug, Clone)]
pub struct RpEncryption {
    /// Its keys (the one with `use` `enc` is chosen).
    pub jwks: Value,
    /// For the userinfo answer.
    pub userinfo: EncryptionChoice,
    /// For the ID token, when it asked.
    pub id_token: Option<EncryptionChoice>,
}

/// The encryption a relying party's resolved metadata asks for, or why it
/// cannot be served: also tried on an empty content, so a relying party
/// without a key to encrypt to never registers (see [`encryption_asked`]).
pub fn encryption_of(rp: &Map<String, Value>) -> Result<RpEncryption, JweError> {
    let asked = encryption_asked(rp)?;
    encrypt_jwt("", &asked.jwks, &asked.userinfo)?;
    Ok(asked)
}

/// The encryption a relying party's resolved metadata asks for, read without
/// trying it (its registration did).
pub fn encryption_asked(rp: &Map<String, Value>) -> Result<RpEncryption, JweError> {
    let metadata = Value::Object(rp.clone());
    let userinfo = EncryptionChoice::from_metadata(
        &metadata,
        "userinfo_encrypted_response_alg",
        "userinfo_encrypted_response_enc",
    )
    .unwrap_or_else(|| {
        Ok(EncryptionChoice {
            alg: DEFAULT_USERINFO.0.into(),
            enc: DEFAULT_USERINFO.1.into(),
        })
    })?;
    let id_token = EncryptionChoice::from_metadata(
        &metadata,
        "id_token_encrypted_response_alg",
        "id_token_encrypted_response_enc",
    )
    .transpose()?;
    let jwks = rp.get("jwks").cloned().unwrap_or(Value::Null);
    Ok(RpEncryption {
        jwks,
        userinfo,
        id_token,
    })
}

/// What the userinfo endpoint answers.
#[derive(Debug, Clone, PartialEq)]
pub enum UserinfoAnswer {
    /// The claims as JSON (statically registered providers).
    Json(Map<String, Value>),
    /// A signed then encrypted JWT (`application/jose`).
    Jose(String),
}

fn jwe_failed(e: JweError) -> InfraError {
    tracing::error!(error = %e, "a relying party's answer could not be encrypted");
    InfraError::Config("a relying party's answer could not be encrypted")
}

impl Service {
    /// How `client_id`'s answers are encrypted; `None` for a provider
    /// registered by hand.
    pub async fn encryption_for(
        &self,
        client_id: &str,
    ) -> Result<Option<RpEncryption>, InfraError> {
        let Some(client) = self.federation_client(client_id).await? else {
            return Ok(None);
        };
        let rp = client
            .metadata_of("openid_relying_party")
            .ok_or(StoreError::Corrupt(
                "federation client without metadata".into(),
            ))?;
        encryption_asked(rp).map(Some).map_err(jwe_failed)
    }

    /// `id_token` encrypted as `client_id` asked, or as it is.
    pub async fn maybe_encrypt_id_token(
        &self,
        client_id: &str,
        id_token: String,
    ) -> Result<String, InfraError> {
        match self.encryption_for(client_id).await? {
            Some(RpEncryption {
                jwks,
                id_token: Some(choice),
                ..
            }) => encrypt_jwt(&id_token, &jwks, &choice).map_err(jwe_failed),
            _ => Ok(id_token),
        }
    }

    /// The userinfo answer of an access token: JSON for a provider registered
    /// by hand; for a federation relying party, the claims with `iss`, `aud`,
    /// `iat` and `exp`, signed (RS256) and encrypted to its key.
    #[tracing::instrument(skip_all, fields(request_id = %crate::request_id::current().unwrap_or_default()))]
    pub async fn oidc_userinfo_answer(
        &self,
        access_token: &str,
    ) -> Result<(UserinfoAnswer, AccessTokenRecord), UserinfoError> {
        let (mut claims, record) = self.oidc_userinfo(access_token).await?;
        let Some(encryption) = self.encryption_for(&record.client_id).await? else {
            return Ok((UserinfoAnswer::Json(claims), record));
        };
        let now = self.clock.now();
        claims.insert("iss".into(), json!(self.config.public_url));
        claims.insert("aud".into(), json!(record.client_id));
        claims.insert("iat".into(), json!(now.timestamp()));
        claims.insert(
            "exp".into(),
            json!((now + ACCESS_TOKEN_LIFETIME).timestamp()),
        );
        let jws = self
            .sign_jws(SigningAlg::Rs256, &Value::Object(claims))
            .await
            .map_err(InfraError::from)?;
        let jwe = encrypt_jwt(&jws, &encryption.jwks, &encryption.userinfo).map_err(jwe_failed)?;
        Ok((UserinfoAnswer::Jose(jwe), record))
    }
}
