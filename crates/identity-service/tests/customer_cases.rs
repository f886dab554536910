//! The customer area's cases and safeguards end to end on both storage backends:
//! correction requests and tax-code reviews, account closure, lost-account
//! recovery, API clients, secrets in sent mail, per-address limits across nodes,
//! and what a live digital identity protects (`sqlite::*` and `postgres::*`).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::Duration;
use identity_core::identity::Actor;
use identity_core::{CredentialLevel, LoginId, LoginStatus, SessionArea};
use identity_service::usecases::closure::CloseAccountError;
use identity_service::usecases::recovery::RecoveryError;
use identity_service::usecases::register_input::{RegisterInputError, RegistrationInput};
use identity_service::usecases::sign_in::SignInError;
use identity_service::{ApiScope, AuditQuery, Store, StoreError};
use identity_testkit::*;
use identity_testkit::{PASSWORD, TestApp, registered_mario};

identity_testkit::both_backends!(
    corrections_are_opened_approved_and_rejected,
    the_account_closes_only_when_nothing_needs_it,
    lost_login_ids_and_password_reset,
    api_clients_authenticate_until_revoked,
    sent_mail_keeps_no_codes,
    a_parallel_burst_from_one_address_on_two_nodes_stops_at_the_limit,
    a_confirmed_tax_code_mismatch_goes_to_an_operator,
    a_live_identity_guards_its_password_and_its_proofed_data,
);

async fn corrections_are_opened_approved_and_rejected(h: TestApp) {
    let (holder, _) = verified_mario(&h).await;
    let me = Actor::Holder(holder);
    let anna = Actor::Operator("anna".into());
    assert!(
        h.service
            .open_correction(holder, "nope", "x", "y", &me)
            .await
            .is_err()
    );
    assert!(
        h.service
            .open_correction(holder, "vat_number", "01114601006", "typo", &me)
            .await
            .is_err(),
        "a person has no VAT number"
    );
    // "Mario" -> "Maria" keeps the tax code's letters (MRA) but the code says male;
    // the request opens, approval refuses data that disagrees.
    let bad = h
        .service
        .open_correction(holder, "sex", "F", "typo", &me)
        .await
        .unwrap();
    assert!(h.service.approve_correction(bad.id, &anna).await.is_err());
    let rejected = h
        .service
        .reject_correction(bad.id, "The tax code says male.", &anna)
        .await
        .unwrap();
    assert_eq!(rejected.state.code(), "rejected");
    let good = h
        .service
        .open_correction(
            holder,
            "given_name",
            "Mario Luigi",
            "Second name missing",
            &me,
        )
        .await;
    // "Mario Luigi" gives MRL, not the code's MRA: it opens, but cannot be approved.
    let good = good.unwrap();
    assert!(h.service.approve_correction(good.id, &anna).await.is_err());
    h.service
        .reject_correction(good.id, "no", &anna)
        .await
        .unwrap();
    let accent = h
        .service
        .open_correction(holder, "family_name", "Rossì", "Accent missing", &me)
        .await
        .unwrap();
    assert_eq!(
        h.service
            .list_corrections(Some("open"), 10)
            .await
            .unwrap()
            .len(),
        1
    );
    h.service
        .approve_correction(accent.id, &anna)
        .await
        .unwrap();
    let holder_now = h.service.holder_overview(holder).await.unwrap().holder;
    assert_eq!(holder_now.person().unwrap().family_name(), "Rossì");
    assert!(matches!(
        h.service.approve_correction(accent.id, &anna).await,
        Err(identity_service::usecases::corrections::CorrectionOpError::Refused(_))
    ));
    let decided = outbox(&h, "correction_decided").await;
    assert!(decided.iter().any(|m| m.p("decision") == "approved"));
    assert!(decided.iter().any(|m| m.p("decision") == "rejected"));
    let trail = h
        .store
        .begin_read()
        .await
        .unwrap()
        .audit(&AuditQuery {
            event: Some("correction.approved".into()),
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(trail[0].actor, "operator:anna");
    assert_eq!(h.service.corrections_of(holder).await.unwrap().len(), 3);
}

async fn the_account_closes_only_when_nothing_needs_it(h: TestApp) {
    let (holder, number) = verified_mario(&h).await;
    let welcome = outbox(&h, "registration_confirmed").await.remove(0);
    {
        let mut tx = h.store.begin().await.unwrap();
        tx.mark_mail_sent(welcome.id, h.service.now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let me = Actor::Holder(holder);
    let identity = h.service.request_identity(holder, number).await.unwrap();
    assert!(matches!(
        h.service.close_account(holder, &me).await,
        Err(CloseAccountError::LiveIdentity)
    ));
    h.service
        .revoke_identity(
            identity.id(),
            identity_core::RevocationCause::HolderRequest,
            me.clone(),
        )
        .await
        .unwrap();
    h.service.close_account(holder, &me).await.unwrap();
    assert!(matches!(
        h.service.holder_overview(holder).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        h.service
            .sign_in_password(&LoginId::new(number, "test.example.it"), PASSWORD, None)
            .await,
        Err(SignInError::InvalidCredentials)
    ));
    assert!(
        h.service
            .find_holders("RSSMRA85T10A562S")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(outbox(&h, "account_closed").await.len(), 1);
    let sent = outbox(&h, "registration_confirmed").await.remove(0);
    assert_eq!(sent.to, "", "sent mail keeps no address");
    assert_eq!(sent.params, serde_json::json!({}));
    // The identity and its proofing stay, with the holder row they point at.
    let mut tx = h.store.begin_read().await.unwrap();
    assert_eq!(tx.identities_of(holder).await.unwrap().len(), 1);
    assert_eq!(
        tx.logins_of(holder).await.unwrap()[0].status(),
        LoginStatus::Deleted
    );
    assert!(tx.password_history(number).await.unwrap().is_empty());
    drop(tx);
    assert!(matches!(
        h.service.close_account(holder, &me).await,
        Err(CloseAccountError::NotFound)
    ));
}

async fn lost_login_ids_and_password_reset(h: TestApp) {
    let r = registered_mario(&h).await;
    let ip = Some("203.0.113.5");
    h.service
        .remind_login_ids("rssmra85t10a562s", "mario.rossi@example.it", ip)
        .await
        .unwrap();
    h.service
        .remind_login_ids("RSSMRA85T10A562S", "someone.else@example.it", ip)
        .await
        .unwrap();
    let sent = outbox(&h, "login_ids_reminder").await;
    assert_eq!(sent.len(), 1, "only the matching pair gets a mail");
    assert!(sent[0].p("login_ids").contains(&r.login_id.to_string()));
    assert!(matches!(
        h.service.remind_login_ids("not a code", "x", ip).await,
        Err(RecoveryError::Invalid(_))
    ));

    // An unknown login answers like a known one.
    h.service
        .request_password_reset("999999@test.example.it", ip)
        .await
        .unwrap();
    h.service
        .request_password_reset(&r.login_id.to_string(), ip)
        .await
        .unwrap();
    let code = last_code(&h, "password_reset_code").await;
    let signed = h
        .service
        .sign_in_password(&r.login_id, PASSWORD, None)
        .await
        .unwrap();
    let (token, _) = h
        .service
        .open_session(
            &signed,
            SessionArea::Customer,
            CredentialLevel::L1,
            None,
            None,
        )
        .await
        .unwrap();
    assert!(matches!(
        h.service.reset_password(&code, "weak", "weak", ip).await,
        Err(RecoveryError::Invalid(_))
    ));
    let reused = h
        .service
        .reset_password(&code, PASSWORD, PASSWORD, ip)
        .await;
    let Err(RecoveryError::Invalid(errors)) = reused else {
        panic!("the current password is refused")
    };
    assert!(errors.get("password").is_some());
    let id = h
        .service
        .reset_password(&code, "Nuova-Chiave!77", "Nuova-Chiave!77", ip)
        .await
        .unwrap();
    assert_eq!(id, r.login_id);
    assert!(matches!(
        h.service
            .reset_password(&code, "Altra-Chiave!78", "Altra-Chiave!78", ip)
            .await,
        Err(RecoveryError::InvalidCode)
    ));
    assert!(
        h.service.session(&token).await.unwrap().is_none(),
        "sessions ended"
    );
    h.service
        .sign_in_password(&r.login_id, "Nuova-Chiave!77", None)
        .await
        .unwrap();
    assert_eq!(outbox(&h, "password_changed").await.len(), 1);
    // The code came back from the reference email: it counts as verified.
    assert!(
        h.service
            .holder_overview(r.holder_id)
            .await
            .unwrap()
            .holder
            .email_verified()
    );
    // Codes expire after 30 minutes.
    h.service
        .request_password_reset(&r.login_id.to_string(), ip)
        .await
        .unwrap();
    let code = last_code(&h, "password_reset_code").await;
    h.clock.advance(Duration::minutes(31));
    assert!(matches!(
        h.service
            .reset_password(&code, "Terza-Chiave!79", "Terza-Chiave!79", ip)
            .await,
        Err(RecoveryError::InvalidCode)
    ));
    // Requests are limited per address.
    let mut limited = false;
    for _ in 0..12 {
        if matches!(
            h.service
                .request_password_reset("123456@test.example.it", Some("203.0.113.9"))
                .await,
            Err(RecoveryError::RateLimited)
        ) {
            limited = true;
        }
    }
    assert!(limited);
}

async fn api_clients_authenticate_until_revoked(h: TestApp) {
    let anna = Actor::Operator("anna".into());
    let (client, token) = h
        .service
        .add_api_client("crm", &[ApiScope::HoldersRead], &anna)
        .await
        .unwrap();
    assert!(token.starts_with("idk_"));
    assert!(
        h.service
            .add_api_client("crm", &[ApiScope::HoldersRead], &anna)
            .await
            .is_err()
    );
    assert!(
        h.service
            .add_api_client("bad name", &[ApiScope::HoldersRead], &anna)
            .await
            .is_err()
    );
    assert!(h.service.add_api_client("x", &[], &anna).await.is_err());
    let found = h
        .service
        .authenticate_api_client(&token)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, client.id);
    assert!(
        h.service
            .authenticate_api_client("idk_wrong")
            .await
            .unwrap()
            .is_none()
    );
    h.service.revoke_api_client("crm", &anna).await.unwrap();
    assert!(
        h.service
            .authenticate_api_client(&token)
            .await
            .unwrap()
            .is_none()
    );
    assert!(h.service.revoke_api_client("crm", &anna).await.is_err());
    let listed = h.service.api_clients().await.unwrap();
    assert!(listed[0].revoked_at.is_some());
}

async fn sent_mail_keeps_no_codes(h: TestApp) {
    registered_mario(&h).await;
    let queued = outbox(&h, "registration_confirmed").await.remove(0);
    let code = queued.p("code");
    assert!(!code.is_empty());
    let mut tx = h.store.begin().await.unwrap();
    tx.mark_mail_sent(queued.id, h.service.now()).await.unwrap();
    tx.commit().await.unwrap();
    let sent = outbox(&h, "registration_confirmed").await.remove(0);
    assert_eq!(sent.p("code"), "[redacted]");
    assert_eq!(sent.p("link"), "[redacted]");
    assert_eq!(sent.p("login_id"), queued.p("login_id"), "the rest stays");
}

async fn a_parallel_burst_from_one_address_on_two_nodes_stops_at_the_limit(h: TestApp) {
    use identity_service::usecases::limits::SIGN_IN_FAILURES;
    let r = registered_mario(&h).await;
    // A second app node: its own pool on the same database, the same clock.
    let second_store = std::sync::Arc::new(
        identity_store::SqlStore::connect(&h.url, &identity_store::ConnectOptions::default())
            .await
            .unwrap(),
    );
    let node_b = identity_service::Service::new(
        second_store,
        h.clock.clone(),
        identity_service::PasswordHasher::new(identity_service::HashCost::cheap_for_tests(), 4)
            .unwrap(),
        h.service.config().clone(),
    );
    // 70 guesses at once from one address, each on another (unknown) login so the
    // per-login delay never applies, half through each node.
    let mut tasks = Vec::new();
    for i in 0..70u64 {
        let service = if i % 2 == 0 {
            h.service.clone()
        } else {
            node_b.clone()
        };
        let id = LoginId::new(
            identity_core::LoginNumber::new(500_000 + i).unwrap(),
            "test.example.it",
        );
        tasks.push(tokio::spawn(async move {
            service
                .sign_in_password(&id, "Sbagliata!99x", Some("198.51.100.66"))
                .await
        }));
    }
    for t in tasks {
        assert!(matches!(
            t.await.unwrap(),
            Err(SignInError::InvalidCredentials)
        ));
    }
    let trail = h
        .store
        .begin_read()
        .await
        .unwrap()
        .audit(&AuditQuery {
            event: Some("sign_in.failed".into()),
            limit: 1000,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(
        trail.len(),
        SIGN_IN_FAILURES.max as usize,
        "checked attempts stop exactly at the limit"
    );
    // The right password from that address is now refused like a wrong one; from
    // another address it works; after a quiet hour the address is free again.
    assert!(matches!(
        h.service
            .sign_in_password(&r.login_id, PASSWORD, Some("198.51.100.66"))
            .await,
        Err(SignInError::InvalidCredentials)
    ));
    h.service
        .sign_in_password(&r.login_id, PASSWORD, Some("198.51.100.67"))
        .await
        .unwrap();
    h.clock.advance(Duration::minutes(61));
    h.service
        .sign_in_password(&r.login_id, PASSWORD, Some("198.51.100.66"))
        .await
        .unwrap();
}

async fn a_confirmed_tax_code_mismatch_goes_to_an_operator(h: TestApp) {
    use identity_core::{CorrectableField, DataReview};
    let anna = Actor::Operator("anna".into());
    // "Mariano" gives MRN, the code says MRA: only the agreement fails.
    let insisted = RegistrationInput {
        given_name: "Mariano".into(),
        ..mario_input()
    };
    let Err(RegisterInputError::Mismatch(errors)) =
        h.service.register_input(&insisted, Some("192.0.2.1")).await
    else {
        panic!("only the agreement fails")
    };
    assert!(errors.get("given_name").is_some());
    let confirmed = RegistrationInput {
        confirm_mismatch: true,
        ..insisted.clone()
    };
    let r = h
        .service
        .register_input(&confirmed, Some("192.0.2.1"))
        .await
        .unwrap();
    let holder = h.service.holder_overview(r.holder_id).await.unwrap().holder;
    assert_eq!(holder.data_review(), DataReview::Pending);
    assert!(matches!(
        h.service
            .request_identity(r.holder_id, r.login_id.number())
            .await,
        Err(identity_service::usecases::identity::IdentityError::DataUnderReview)
    ));
    let open = h.service.list_corrections(Some("open"), 10).await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].field, CorrectableField::TaxCodeAgreement);
    assert!(open[0].reason.contains("given name"), "{}", open[0].reason);
    // The operator checks the card and confirms: the identity can be requested.
    h.service
        .approve_correction(open[0].id, &anna)
        .await
        .unwrap();
    let holder = h.service.holder_overview(r.holder_id).await.unwrap().holder;
    assert_eq!(holder.data_review(), DataReview::Confirmed);
    assert_eq!(
        holder.person().unwrap().given_name(),
        "Mariano",
        "data as declared"
    );
    h.service
        .request_identity(r.holder_id, r.login_id.number())
        .await
        .unwrap();

    // Another person insists, the operator rejects, the person fixes the name.
    let other = h
        .service
        .register_input(
            &RegistrationInput {
                email: "b@example.it".into(),
                email_confirm: "b@example.it".into(),
                ..confirmed.clone()
            },
            Some("192.0.2.2"),
        )
        .await
        .unwrap();
    let review = h.service.list_corrections(Some("open"), 10).await.unwrap()[0].id;
    h.service
        .reject_correction(review, "The card says Mario.", &anna)
        .await
        .unwrap();
    let rejected = h
        .service
        .holder_overview(other.holder_id)
        .await
        .unwrap()
        .holder;
    assert_eq!(rejected.data_review(), DataReview::Rejected);
    let me = Actor::Holder(other.holder_id);
    let fix = h
        .service
        .open_correction(other.holder_id, "given_name", "Mario", "typo", &me)
        .await
        .unwrap();
    h.service.approve_correction(fix.id, &anna).await.unwrap();
    let fixed = h
        .service
        .holder_overview(other.holder_id)
        .await
        .unwrap()
        .holder;
    assert_eq!(fixed.data_review(), DataReview::NotNeeded);
    assert_eq!(fixed.person().unwrap().given_name(), "Mario");
}

async fn a_live_identity_guards_its_password_and_its_proofed_data(h: TestApp) {
    let (holder, number) = verified_mario(&h).await;
    let me = Actor::Holder(holder);
    let login = LoginId::new(number, "test.example.it");
    // A code issued before the identity existed no longer works once it does.
    h.service
        .request_password_reset(&login.to_string(), Some("203.0.113.1"))
        .await
        .unwrap();
    let early = last_code(&h, "password_reset_code").await;
    h.service.request_identity(holder, number).await.unwrap();
    assert!(matches!(
        h.service
            .reset_password(
                &early,
                "Nuova-Chiave!77",
                "Nuova-Chiave!77",
                Some("203.0.113.1")
            )
            .await,
        Err(RecoveryError::InvalidCode)
    ));
    // A new request sends no code: the mail points to the selfcare recovery.
    let codes_before = outbox(&h, "password_reset_code").await.len();
    h.service
        .request_password_reset(&login.to_string(), Some("203.0.113.1"))
        .await
        .unwrap();
    assert_eq!(outbox(&h, "password_reset_code").await.len(), codes_before);
    assert_eq!(outbox(&h, "password_reset_identity").await.len(), 1);
    // Proofed data cannot be corrected while the identity lives.
    assert!(matches!(
        h.service
            .open_correction(holder, "family_name", "Rossì", "accent", &me)
            .await,
        Err(identity_service::usecases::corrections::CorrectionOpError::LiveIdentity)
    ));
}
