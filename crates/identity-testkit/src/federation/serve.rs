//! What the local federation answers: each entity's configuration and its
//! superiors' statements, signed on every request from the current setup (so a
//! test's change shows at the next fetch), with the setup's faults applied.

use super::*;

impl Inner {
    pub(super) fn id(&self, e: Entity) -> String {
        format!("{}{}", self.base, e.path())
    }

    pub(super) fn now(&self) -> i64 {
        self.clock.lock().unwrap().now().timestamp()
    }

    pub(super) fn trust_mark_id(&self) -> String {
        format!("{}/openid_relying_party/public", self.id(Entity::Ta))
    }

    pub(super) fn federation_jwks(e: Entity) -> Value {
        json!({ "keys": [KEYS.federation[&e].public] })
    }

    pub(super) fn federation_entity(&self, e: Entity, name: &str) -> Value {
        let mut entity = json!({
            "organization_name": name,
            "homepage_uri": self.id(e),
            "contacts": [format!("federazione@{}.example.it", e.path().trim_start_matches('/'))],
        });
        if e.is_superior() {
            entity["federation_fetch_endpoint"] = json!(format!("{}/fetch", self.id(e)));
        }
        entity
    }

    pub(super) fn trust_mark(&self, now: i64) -> String {
        let id = self.trust_mark_id();
        KEYS.federation[&Entity::Ta].sign(
            Some("trust-mark+jwt"),
            &json!({
                "iss": self.id(Entity::Ta),
                "sub": self.id(Entity::Rp),
                "id": id,
                "trust_mark_type": id,
                "iat": now,
                "exp": now + 365 * 86_400,
            }),
        )
    }

    /// The statement of `iss` about `sub`, signed now; `padding` bytes more
    /// when asked.
    pub(super) fn statement(&self, setup: &Setup, (iss, sub): Statement, padding: usize) -> String {
        let now = self.now();
        let lifetime = setup
            .lifetimes
            .get(&(iss, sub))
            .copied()
            .unwrap_or(DEFAULT_LIFETIME);
        let (iat, exp) = if setup.expired.contains(&(iss, sub)) {
            (now - 7_200, now - 3_600)
        } else {
            (now, now + lifetime)
        };
        let mut claims = json!({
            "iss": self.id(iss),
            "sub": self.id(sub),
            "iat": iat,
            "exp": exp,
            "jwks": Inner::federation_jwks(sub),
        });
        if iss == sub {
            let hints = setup.authority_hints.get(&sub).cloned().unwrap_or_default();
            if !hints.is_empty() {
                claims["authority_hints"] =
                    json!(hints.iter().map(|h| self.id(*h)).collect::<Vec<_>>());
            }
            claims["metadata"] = match sub {
                Entity::Rp => json!({
                    "openid_relying_party": setup.rp_metadata,
                    "federation_entity": self.federation_entity(sub, "Comune di Prova"),
                }),
                Entity::Ta | Entity::Ta2 => json!({
                    "federation_entity": self.federation_entity(sub, "Federazione di Prova"),
                }),
                Entity::Int | Entity::Int2 => json!({
                    "federation_entity": self.federation_entity(sub, "Aggregatore di Prova"),
                }),
            };
            if sub == Entity::Ta {
                if let Some(n) = setup.ta_max_path_length {
                    claims["constraints"] = json!({ "max_path_length": n });
                }
                let issuers = json!({ self.trust_mark_id(): [self.id(Entity::Ta)] });
                claims["trust_mark_issuers"] = issuers.clone();
                claims["trust_marks_issuers"] = issuers;
            }
            if sub == Entity::Rp && setup.trust_mark {
                let id = self.trust_mark_id();
                claims["trust_marks"] = json!([{
                    "id": id,
                    "trust_mark_type": id,
                    "trust_mark": self.trust_mark(now),
                }]);
            }
        } else {
            if let Some(policy) = setup.policies.get(&(iss, sub)) {
                claims["metadata_policy"] = policy.clone();
            }
            if let Some(metadata) = setup.metadata.get(&(iss, sub)) {
                claims["metadata"] = metadata.clone();
            }
        }
        if padding > 0 {
            claims["padding"] = json!("x".repeat(padding));
        }
        let jwt = KEYS.federation[&iss].sign(
            Some(identity_core::federation::statement::STATEMENT_TYP),
            &claims,
        );
        if setup.tampered.contains(&(iss, sub)) {
            tamper(&jwt)
        } else {
            jwt
        }
    }

    /// The body at `path` (`None`: not found).
    pub(super) fn body(&self, setup: &Setup, path: &str, sub: Option<&str>) -> Option<String> {
        let (name, rest) = path.trim_start_matches('/').split_once('/')?;
        let entity = Entity::from_name(name)?;
        let padding = if setup.oversized.contains(path) {
            setup.oversize_bytes
        } else {
            0
        };
        match rest {
            ".well-known/openid-federation" => {
                Some(self.statement(setup, (entity, entity), padding))
            }
            "fetch" if entity.is_superior() => {
                let sub = sub?;
                let subject = Entity::ALL.into_iter().find(|e| self.id(*e) == sub)?;
                (subject != entity).then(|| self.statement(setup, (entity, subject), padding))
            }
            _ => None,
        }
    }
}

/// `jwt` with its payload changed (an `exp` a year later) and its signature kept.
pub(super) fn tamper(jwt: &str) -> String {
    let parts: Vec<&str> = jwt.split('.').collect();
    let mut claims: Value = serde_json::from_slice(&B64.decode(parts[1]).unwrap()).unwrap();
    let exp = claims["exp"].as_i64().unwrap_or_default();
    claims["exp"] = json!(exp + 365 * 86_400);
    format!(
        "{}.{}.{}",
        parts[0],
        B64.encode(claims.to_string()),
        parts[2]
    )
}

/// Serves one request: counts it, then answers from the setup of the moment.
pub(super) async fn answer(
    State(inner): State<Arc<Inner>>,
    uri: Uri,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let path = uri.path().to_owned();
    *inner.hits.lock().unwrap().entry(path.clone()).or_default() += 1;
    let (body, delay, redirect) = {
        let setup = inner.setup.lock().unwrap();
        (
            inner.body(&setup, &path, query.get("sub").map(String::as_str)),
            setup.delays.get(&path).copied(),
            setup.redirected_elsewhere.contains(&path),
        )
    };
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    if redirect {
        let elsewhere = format!(
            "http://localhost:{}{}",
            inner.port,
            uri.path_and_query().map_or(path.as_str(), |p| p.as_str())
        );
        return (StatusCode::FOUND, [(header::LOCATION, elsewhere)]).into_response();
    }
    match body {
        Some(jwt) => (
            [(header::CONTENT_TYPE, "application/entity-statement+jwt")],
            jwt,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
