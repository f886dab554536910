//! The OpenID Connect code exchange for holders across the range: a consent
//! decision that issues the code, then its exchange for the tokens.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use identity_core::oidc::authorize::AuthorizationRequest;
use identity_core::{CredentialLevel, LoginId};
use identity_scale::populate;
use identity_service::Service;
use identity_service::model::{Operator, OperatorRole};
use identity_service::usecases::oidc::provider::PendingAuthorization;
use identity_service::usecases::selfcare::sign_in::{Client, PasswordStep};
use identity_service::usecases::service_providers::NewServiceProvider;
use sha2::{Digest, Sha256};

const REDIRECT: &str = "https://sp.example.it/cb";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

/// Registers a service provider of its own (a new client id each run), signs
/// `calls` holders in to the selfcare and times consent + code exchange.
pub async fn measure(service: &Service, holders: u64, calls: usize) -> anyhow::Result<()> {
    let operator = Operator {
        id: uuid::Uuid::now_v7(),
        name: "scale-measure".into(),
        role: OperatorRole::Admin,
        created_by: "scale-measure".into(),
        created_at: chrono::Utc::now(),
        disabled_at: None,
        last_used_at: None,
    };
    let client = format!("https://sp-{}.example.it", uuid::Uuid::new_v4().simple());
    service
        .add_service_provider(
            &NewServiceProvider {
                client_id: client.clone(),
                name: "Comune".into(),
                redirect_uris: vec![REDIRECT.into()],
                client_secret: true,
                attributes: vec!["given_name".into(), "fiscal_number".into()],
                ..NewServiceProvider::default()
            },
            &operator,
        )
        .await?;
    let mut sessions = Vec::new();
    for k in 0..calls {
        let i = super::active_holder(super::pick(k, holders), holders);
        let login = LoginId::new(populate::login_number(i, 0), super::DOMAIN);
        let step = service
            .selfcare_sign_in_password(
                &login,
                identity_testkit::PASSWORD,
                Client {
                    ip: Some("10.9.9.8"),
                    agent: None,
                    service: None,
                },
            )
            .await?;
        match step {
            PasswordStep::SignedIn(s) => sessions.push(s.session),
            other => anyhow::bail!("holder {i}: expected a level-1 sign-in, got {other:?}"),
        }
    }
    let pending = |started_at| PendingAuthorization {
        id: "request-1".into(),
        request: AuthorizationRequest {
            client_id: client.clone(),
            redirect_uri: REDIRECT.into(),
            state: "st".into(),
            nonce: "n".into(),
            code_challenge: B64.encode(Sha256::digest(VERIFIER.as_bytes())),
            level: CredentialLevel::L1,
            levels: vec![CredentialLevel::L1],
            prompt_login: false,
            prompt_consent: false,
            attributes: vec!["given_name".into(), "fiscal_number".into()],
            offline_access: false,
        },
        service_name: "Comune".into(),
        started_at,
    };
    let mut samples = Vec::new();
    for session in &sessions {
        let request = pending(session.created_at + chrono::Duration::seconds(1));
        let started = std::time::Instant::now();
        let code = service
            .oidc_decide(session, &request, true, Some("10.9.9.8"))
            .await?;
        service
            .oidc_exchange_code(&code, &client, REDIRECT, VERIFIER)
            .await?;
        samples.push(started.elapsed());
    }
    // The first exchanges create the signing keys and prepare the statements.
    samples.drain(..samples.len().min(3));
    super::row(
        "OpenID Connect consent + code exchange (RS256 ID token)",
        super::summary(samples),
    );
    Ok(())
}
