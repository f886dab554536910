//! The selfcare flows tests start from: Mario with an active identity (its
//! emergency code read back from the outbox), the authenticator enrolled, signing
//! in at level 1 and 2.

use chrono::Duration;
use identity_core::credentials::totp::{step_at, totp_code};
use identity_core::identity::Actor;
use identity_core::{DigitalIdentity, HolderId, LoginId, LoginNumber, TotpSecret};
use identity_service::Store;
use identity_service::usecases::selfcare::sign_in::{Client, PasswordStep, SelfcareSession};
use identity_service::usecases::sessions::SessionToken;

use crate::app::TestApp;
use crate::outbox::last_code;
use crate::people::{PASSWORD, proofing, verified_mario};

/// The client address of the test sign-ins (TEST-NET-1).
pub const IP: &str = "192.0.2.10";

/// The client of the test sign-ins: [`IP`], a user agent, no service provider.
pub fn client() -> Client<'static> {
    Client {
        ip: Some(IP),
        agent: Some("test-agent"),
        service: None,
    }
}

/// A verified Mario with an active identity; returns the identity, the username
/// and the emergency code (its two halves joined, as the holder types them).
pub struct Active {
    /// The holder.
    pub holder: HolderId,
    /// The identity, as verified.
    pub identity: DigitalIdentity,
    /// Its username.
    pub username: LoginId,
    /// The emergency code (both halves).
    pub emergency: String,
}

/// Mario verified, his identity requested with the SMS code and verified by an operator.
pub async fn active_identity(h: &TestApp) -> Active {
    let (holder, number) = verified_mario(h).await;
    h.service
        .send_identity_phone_code(holder, number)
        .await
        .unwrap();
    let sms = last_code(h, "sms_code").await;
    let identity = h
        .service
        .request_identity_with_phone_code(holder, number, &sms)
        .await
        .unwrap()
        .expect("the SMS code is right");
    let identity = h
        .service
        .verify_identity(identity.id(), proofing(h), Actor::Operator("op".into()))
        .await
        .unwrap();
    let emergency = format!(
        "{}{}",
        last_code(h, "emergency_code_half").await,
        last_code(h, "sms_emergency_half").await
    );
    Active {
        holder,
        identity,
        username: LoginId::new(number, "test.example.it"),
        emergency,
    }
}

/// Signs in to the selfcare with the password alone (an identity with level 1 only).
pub async fn sign_in_l1(h: &TestApp, a: &Active) -> SelfcareSession {
    match h
        .service
        .selfcare_sign_in_password(&a.username, PASSWORD, client())
        .await
        .unwrap()
    {
        PasswordStep::SignedIn(s) => s,
        other => panic!("expected a level-1 sign-in, got {other:?}"),
    }
}

/// The current code of `secret`, or the one of the next step.
pub fn code_at(h: &TestApp, secret: &TotpSecret, steps_ahead: u64) -> String {
    format!(
        "{:06}",
        totp_code(secret, step_at(h.service.now()) + steps_ahead)
    )
}

/// Enrols the authenticator for `a` (signing in at level 1 first); returns the secret.
pub async fn enrol(h: &TestApp, a: &Active) -> TotpSecret {
    let s = sign_in_l1(h, a).await;
    let enrolment = h.service.start_totp_enrolment(&s.session).await.unwrap();
    let secret = TotpSecret::from_base32(&enrolment.manual_key).unwrap();
    assert!(enrolment.uri.starts_with("otpauth://totp/"));
    h.service
        .confirm_totp_enrolment(&s.session, &code_at(h, &secret, 0))
        .await
        .unwrap();
    // The next code must come from a later step (the enrolment used this one).
    h.clock.advance(Duration::seconds(30));
    secret
}

/// The waiting sign-in after the password, for an identity with level 2.
pub async fn password_step(h: &TestApp, a: &Active) -> PasswordStep {
    h.service
        .selfcare_sign_in_password(&a.username, PASSWORD, client())
        .await
        .unwrap()
}

/// The waiting sign-in of a password step that asks for a second factor.
pub fn pending_of(step: &PasswordStep) -> SessionToken {
    match step {
        PasswordStep::SecondFactor { pending, .. } | PasswordStep::Level2Blocked { pending } => {
            pending.clone()
        }
        PasswordStep::SignedIn(_) => panic!("signed in without a second factor"),
    }
}

/// Signs in with the password and the authenticator's current code, then moves the clock a step on.
pub async fn sign_in_l2(h: &TestApp, a: &Active, secret: &TotpSecret) -> SelfcareSession {
    let step = password_step(h, a).await;
    let s = h
        .service
        .selfcare_sign_in_totp(&pending_of(&step), &code_at(h, secret, 0), client())
        .await
        .unwrap();
    h.clock.advance(Duration::seconds(30));
    s
}

/// The identity's credentials as stored.
pub async fn credentials(h: &TestApp, a: &Active) -> identity_service::ports::IdentityCredentials {
    let mut tx = h.store.begin_read().await.unwrap();
    tx.credentials(a.identity.id()).await.unwrap()
}

/// How many selfcare sessions the holder has open.
pub async fn selfcare_sessions(h: &TestApp, holder: HolderId) -> usize {
    h.service
        .sessions_of(holder)
        .await
        .unwrap()
        .iter()
        .filter(|s| s.area == identity_core::SessionArea::Selfcare)
        .count()
}

/// The login number of the identity's username.
pub fn number(a: &Active) -> LoginNumber {
    a.username.number()
}
