//! Entity statements (OpenID Federation 1.0): an entity's configuration about
//! itself and a superior's statement about a subordinate, as claims. The
//! signature is checked by the caller (the service holds the crypto); these are
//! the checks on the claims themselves.

use serde_json::{Map, Value};

/// The `typ` header of entity statements.
pub const STATEMENT_TYP: &str = "entity-statement+jwt";
/// The path an entity publishes its configuration at, under its entity id.
pub const WELL_KNOWN: &str = ".well-known/openid-federation";

/// Why a statement's claims are refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatementError {
    /// A required claim is missing or of the wrong type.
    #[error("the statement's {0} is missing or malformed")]
    Malformed(&'static str),
    /// `iss` or `sub` is not the entity expected.
    #[error("the statement is about {found}, not {expected}")]
    WrongEntity {
        /// What the chain needed.
        expected: String,
        /// What the statement says.
        found: String,
    },
    /// The statement expired, or is issued in the future.
    #[error("the statement of {0} is expired or not valid yet")]
    Expired(String),
}

/// A trust mark as an entity configuration lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustMarkRef {
    /// Its identifier (`trust_mark_type` in OpenID Federation 1.0, `id` in
    /// earlier drafts and the SPID rules).
    pub id: String,
    /// The signed trust mark.
    pub jwt: String,
}

/// The claims of an entity statement that the chain uses.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityStatement {
    /// The issuer.
    pub iss: String,
    /// The subject.
    pub sub: String,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Expires at (seconds since the epoch).
    pub exp: i64,
    /// The subject's federation keys (`{"keys": [...]}`).
    pub jwks: Value,
    /// The subject's superiors (entity configurations of leaves and intermediates).
    pub authority_hints: Vec<String>,
    /// Metadata by entity type.
    pub metadata: Map<String, Value>,
    /// Metadata policies by entity type (statements about a subordinate).
    pub metadata_policy: Map<String, Value>,
    /// Policy operators that must be understood.
    pub metadata_policy_crit: Vec<String>,
    /// `constraints.max_path_length`, if set.
    pub max_path_length: Option<usize>,
    /// The trust marks the subject presents.
    pub trust_marks: Vec<TrustMarkRef>,
    /// Which issuers the trust anchor accepts for each trust mark id
    /// (`trust_mark_issuers`, `trust_marks_issuers` in the SPID rules).
    pub trust_mark_issuers: Map<String, Value>,
}

fn string_list(
    claims: &Map<String, Value>,
    name: &'static str,
) -> Result<Vec<String>, StatementError> {
    match claims.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or(StatementError::Malformed(name))
            })
            .collect(),
        Some(_) => Err(StatementError::Malformed(name)),
    }
}

fn object(
    claims: &Map<String, Value>,
    name: &'static str,
) -> Result<Map<String, Value>, StatementError> {
    match claims.get(name) {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(m)) => Ok(m.clone()),
        Some(_) => Err(StatementError::Malformed(name)),
    }
}

impl EntityStatement {
    /// Reads the claims of a statement (its payload, already verified).
    pub fn from_claims(claims: &Map<String, Value>) -> Result<EntityStatement, StatementError> {
        let text = |name: &'static str| {
            claims
                .get(name)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .ok_or(StatementError::Malformed(name))
        };
        let number = |name: &'static str| {
            claims
                .get(name)
                .and_then(Value::as_i64)
                .ok_or(StatementError::Malformed(name))
        };
        let jwks = claims
            .get("jwks")
            .filter(|j| j.get("keys").is_some_and(Value::is_array))
            .cloned()
            .ok_or(StatementError::Malformed("jwks"))?;
        let max_path_length = match claims
            .get("constraints")
            .and_then(|c| c.get("max_path_length"))
        {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                v.as_u64()
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or(StatementError::Malformed("constraints.max_path_length"))?,
            ),
        };
        let trust_marks = match claims.get("trust_marks") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| {
                    let id = item
                        .get("trust_mark_type")
                        .or_else(|| item.get("id"))
                        .and_then(Value::as_str);
                    let jwt = item.get("trust_mark").and_then(Value::as_str);
                    match (id, jwt) {
                        (Some(id), Some(jwt)) => Ok(TrustMarkRef {
                            id: id.to_owned(),
                            jwt: jwt.to_owned(),
                        }),
                        _ => Err(StatementError::Malformed("trust_marks")),
                    }
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(StatementError::Malformed("trust_marks")),
        };
        let mut trust_mark_issuers = object(claims, "trust_marks_issuers")?;
        trust_mark_issuers.extend(object(claims, "trust_mark_issuers")?);
        Ok(EntityStatement {
            iss: text("iss")?,
            sub: text("sub")?,
            iat: number("iat")?,
            exp: number("exp")?,
            jwks,
            authority_hints: string_list(claims, "authority_hints")?,
            metadata: object(claims, "metadata")?,
            metadata_policy: object(claims, "metadata_policy")?,
            metadata_policy_crit: string_list(claims, "metadata_policy_crit")?,
            max_path_length,
            trust_marks,
            trust_mark_issuers,
        })
    }

    /// Whether it is an entity configuration (`iss` = `sub`).
    #[must_use]
    pub fn is_configuration(&self) -> bool {
        self.iss == self.sub
    }

    /// Checks that it is issued by `iss` about `sub` (exact strings) and valid
    /// at `now` (seconds), with `skew` seconds of tolerance either way.
    pub fn check(&self, iss: &str, sub: &str, now: i64, skew: i64) -> Result<(), StatementError> {
        for (expected, found) in [(iss, &self.iss), (sub, &self.sub)] {
            if expected != found {
                return Err(StatementError::WrongEntity {
                    expected: expected.to_owned(),
                    found: found.clone(),
                });
            }
        }
        if self.exp + skew < now || self.iat - skew > now {
            return Err(StatementError::Expired(self.sub.clone()));
        }
        Ok(())
    }

    /// The metadata of one entity type, if the statement has it.
    #[must_use]
    pub fn metadata_of(&self, entity_type: &str) -> Option<&Map<String, Value>> {
        self.metadata.get(entity_type).and_then(Value::as_object)
    }

    /// Where the subject's superior is asked for statements about its
    /// subordinates (`federation_entity.federation_fetch_endpoint`).
    #[must_use]
    pub fn fetch_endpoint(&self) -> Option<&str> {
        self.metadata_of("federation_entity")?
            .get("federation_fetch_endpoint")?
            .as_str()
    }

    /// Whether the trust anchor accepts `issuer` for trust marks of `id`: listed
    /// for it, or the anchor itself when it lists nobody for that id.
    #[must_use]
    pub fn accepts_trust_mark_issuer(&self, id: &str, issuer: &str) -> bool {
        match self.trust_mark_issuers.get(id).and_then(Value::as_array) {
            Some(issuers) => issuers.iter().any(|i| i.as_str() == Some(issuer)),
            None => issuer == self.sub,
        }
    }
}

/// The URL of an entity's configuration: its entity id, a slash unless it
/// ends with one, and the well-known path.
#[must_use]
pub fn configuration_url(entity_id: &str) -> String {
    if entity_id.ends_with('/') {
        format!("{entity_id}{WELL_KNOWN}")
    } else {
        format!("{entity_id}/{WELL_KNOWN}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn the_configuration_url_adds_a_slash_only_when_missing() {
        assert_eq!(
            configuration_url("https://rp.example.it"),
            "https://rp.example.it/.well-known/openid-federation"
        );
        assert_eq!(
            configuration_url("https://rp.servizi-spid.it/oidc/"),
            "https://rp.servizi-spid.it/oidc/.well-known/openid-federation"
        );
    }

    #[test]
    fn a_statement_reads_its_claims_and_checks_who_and_when() {
        let s = EntityStatement::from_claims(&claims(json!({
            "iss": "https://ta.example.it", "sub": "https://rp.example.it",
            "iat": 1000, "exp": 2000, "jwks": {"keys": []},
            "metadata_policy": {"openid_relying_party": {"scope": {"subset_of": ["openid"]}}},
            "constraints": {"max_path_length": 1},
            "trust_marks": [{"id": "https://ta.example.it/tm", "trust_mark": "a.b.c"}],
            "trust_marks_issuers": {"https://ta.example.it/tm": ["https://ta.example.it"]}
        })))
        .unwrap();
        assert!(!s.is_configuration());
        assert_eq!(s.max_path_length, Some(1));
        assert_eq!(s.trust_marks[0].id, "https://ta.example.it/tm");
        assert!(s.accepts_trust_mark_issuer("https://ta.example.it/tm", "https://ta.example.it"));
        assert!(!s.accepts_trust_mark_issuer("https://ta.example.it/tm", "https://evil.example"));
        assert!(
            s.check("https://ta.example.it", "https://rp.example.it", 1500, 0)
                .is_ok()
        );
        assert!(matches!(
            s.check("https://ta.example.it", "https://rp.example.it/", 1500, 0),
            Err(StatementError::WrongEntity { .. })
        ));
        assert_eq!(
            s.check("https://ta.example.it", "https://rp.example.it", 2100, 60),
            Err(StatementError::Expired("https://rp.example.it".into()))
        );
        assert!(
            s.check("https://ta.example.it", "https://rp.example.it", 2050, 60)
                .is_ok()
        );
        assert!(
            s.check("https://ta.example.it", "https://rp.example.it", 900, 60)
                .is_err()
        );
    }

    #[test]
    fn malformed_statements_name_the_claim() {
        let base = json!({"iss": "a", "sub": "a", "iat": 1, "exp": 2, "jwks": {"keys": []}});
        assert!(EntityStatement::from_claims(&claims(base.clone())).is_ok());
        for (name, bad) in [
            ("jwks", json!({"nokeys": 1})),
            ("exp", json!("tomorrow")),
            ("authority_hints", json!("https://ta")),
            ("trust_marks", json!([{"id": "x"}])),
            ("metadata", json!([])),
        ] {
            let mut c = claims(base.clone());
            c.insert(name.into(), bad);
            assert!(EntityStatement::from_claims(&c).is_err(), "{name}");
        }
    }
}
