//! Helpers of the customer-area use-case tests: queued mail, Mario's form input,
//! a verified Mario, a contacts form.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, missing_docs)]

use identity_core::{ConsentKind, HolderId};
use identity_service::usecases::contacts::ContactsInput;
use identity_service::usecases::register_input::RegistrationInput;
use identity_service::{OutboxMessage, Store};

use crate::common::{Harness, PASSWORD, registered_mario};

pub async fn mail(h: &Harness, template: &str) -> Vec<OutboxMessage> {
    let mut tx = h.store.begin_read().await.unwrap();
    tx.outbox(None, 500)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.template == template)
        .collect()
}

pub async fn last_code(h: &Harness, template: &str) -> String {
    let all = mail(h, template).await;
    all.last().expect("a mail").p("code")
}

/// A string parameter of a queued mail.
pub trait Param {
    fn p(&self, name: &str) -> String;
}

impl Param for OutboxMessage {
    fn p(&self, name: &str) -> String {
        self.params[name].as_str().unwrap_or_default().to_owned()
    }
}

pub fn mario_input() -> RegistrationInput {
    RegistrationInput {
        subject_kind: "persona_fisica".into(),
        given_name: "Mario".into(),
        family_name: "Rossi".into(),
        tax_code: "rssmra85t10a562s".into(),
        birth_date: "10/12/1985".into(),
        sex: "M".into(),
        birth_place: "San Giuliano Terme".into(),
        birth_province: "PI".into(),
        street: "Via Roma 1".into(),
        postal_code: "56017".into(),
        municipality: "san giuliano terme".into(),
        province: "PI".into(),
        email: "mario@example.it".into(),
        email_confirm: "MARIO@example.it".into(),
        phone: "333 123 4567".into(),
        password: PASSWORD.into(),
        password_confirm: PASSWORD.into(),
        privacy_notice: true,
        consents: ConsentKind::ALL.iter().map(|k| (*k, Some(false))).collect(),
        ..RegistrationInput::default()
    }
}

pub async fn verified_mario(h: &Harness) -> (HolderId, identity_core::LoginNumber) {
    let r = registered_mario(h).await;
    let code = last_code(h, "registration_confirmed").await;
    h.service.verify_email_code(&code).await.unwrap();
    (r.holder_id, r.login_id.number())
}

pub fn contacts_of(email: &str, phone: &str) -> ContactsInput {
    ContactsInput {
        email: email.into(),
        email_confirm: email.into(),
        phone: phone.into(),
        street: "Via Roma 1".into(),
        postal_code: "00184".into(),
        municipality: "Roma".into(),
        province: "RM".into(),
        ..ContactsInput::default()
    }
}
