//! The customer area in use: a second login created and used, a change made
//! through one login seen through the other, a correction request approved by an
//! operator with the CLI, the marketing switch, and a forgotten password reset
//! through the mailed code.

use std::path::PathBuf;
use std::process::Command;

use identity_core::identity::Actor;
use identity_e2e::{choose, click, fill, screenshot, text_of, wait_for_page};
use identity_service::Store;

use crate::Site;

/// The operator CLI binary of this build (beside the test binaries' folder),
/// built first if this test run did not build it.
fn admin_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(|d| d.parent()).unwrap().to_path_buf();
    let bin = dir.join("identity-admin");
    if !bin.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "-p", "identity-admin"])
            .status()
            .unwrap();
        assert!(status.success(), "building identity-admin");
    }
    bin
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_logins_share_the_data_and_an_operator_approves_a_correction() {
    let Some(site) = Site::start(390).await else {
        return;
    };
    let b = &site.browser;
    let registered = identity_testkit::registered_mario(&site.h).await;
    let inbox = site.inbox("mario.rossi@example.it").await;
    let verify = site.link(&inbox[0], "/account/verify-email?code=");
    b.goto(&verify).await.unwrap();
    click(
        b,
        "form[action='/account/verify-email'] button[type=submit]",
    )
    .await;
    wait_for_page(b, "/account/verify-email", "Email confermata").await;
    let login_a = registered.login_id.to_string();

    // Login A creates login B: new password twice, "Crea nuova login", confirmation.
    site.sign_in(&login_a, identity_testkit::PASSWORD).await;
    if let Some(dir) = Site::screenshot_dir() {
        screenshot(b, &dir.join("customer-area.png")).await;
    }
    click(b, "nav.sections a[href='/account/logins']").await;
    wait_for_page(b, "/account/logins", "Le tue login").await;
    fill(b, "f-password", "Altra-Chiave!42").await;
    fill(b, "f-password_confirm", "Altra-Chiave!42").await;
    click(b, "form[action='/account/logins'] button[type=submit]").await;
    wait_for_page(b, "/account/logins/created", "Nuova login creata").await;
    let login_b = text_of(b, "#new-login-id").await;
    assert_ne!(login_b, login_a);
    let mail = site.inbox("mario.rossi@example.it").await;
    assert!(
        mail.iter().any(|m| m.text.contains(&login_b)),
        "the new login id is mailed"
    );
    click(b, "main a.button").await;
    wait_for_page(b, "/account/logins", "Le tue login").await;
    assert!(text_of(b, "#logins").await.contains(&login_b));
    site.sign_out().await;

    // Through login B, change the phone.
    site.sign_in(&login_b, "Altra-Chiave!42").await;
    click(b, "#contact-data ~ p a").await;
    wait_for_page(b, "/account/contacts", "Modifica contatti e indirizzo").await;
    fill(b, "f-phone", "+39 347 555 0101").await;
    click(b, "form[action='/account/contacts'] button[type=submit]").await;
    wait_for_page(b, "/account", "Dati intestatario").await;
    assert_eq!(text_of(b, "#flash").await, "Dati aggiornati.");
    site.sign_out().await;

    // Through login A, the change is there.
    site.sign_in(&login_a, identity_testkit::PASSWORD).await;
    assert!(text_of(b, "#contact-data").await.contains("+393475550101"));

    // A correction request for a missing accent in the family name.
    click(b, "nav.sections a[href='/account/corrections']").await;
    wait_for_page(b, "/account/corrections", "Richieste di rettifica").await;
    choose(b, "f-field", "family_name").await;
    fill(b, "f-requested_value", "Rossì").await;
    fill(b, "f-reason", "Manca l'accento, come sul documento.").await;
    click(b, "form[action='/account/corrections'] button[type=submit]").await;
    wait_for_page(b, "/account/corrections", "Richieste di rettifica").await;
    assert!(
        text_of(b, "#flash")
            .await
            .contains("Richiesta di rettifica inviata")
    );
    assert!(text_of(b, "#corrections").await.contains("in attesa"));

    // The operator approves it with the CLI, on the same database.
    let open = site
        .h
        .service
        .list_corrections(Some("open"), 10)
        .await
        .unwrap();
    let id = open[0].id.to_string();
    let cli = |token: Option<&str>, args: &[&str]| {
        let mut command = Command::new(admin_binary());
        command
            .args(args)
            .env("IDENTITY_DATABASE_URL", &site.h.url)
            .env("IDENTITY_LOGIN_DOMAIN", "test.example.it")
            .env_remove("IDENTITY_OPERATOR_TOKEN")
            .env_remove("IDENTITY_CONFIG");
        if let Some(t) = token {
            command.env("IDENTITY_OPERATOR_TOKEN", t);
        }
        let out = command.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    // Two operators (the first added without a token); with the two-person rule
    // (on by default) anna asks and bruno confirms.
    let anna = cli(
        None,
        &["--json", "operator", "add", "anna", "--role", "admin"],
    );
    let anna = anna["token"].as_str().unwrap().to_owned();
    let bruno = cli(
        Some(&anna),
        &["--json", "operator", "add", "bruno", "--role", "operator"],
    );
    let bruno = bruno["token"].as_str().unwrap().to_owned();
    let asked = cli(Some(&anna), &["--json", "correction", "approve", &id]);
    assert_eq!(asked["state"], "pending");
    let approval = asked["id"].as_str().unwrap().to_owned();
    cli(Some(&bruno), &["--json", "approval", "confirm", &approval]);
    b.refresh().await.unwrap();
    wait_for_page(b, "/account/corrections", "Richieste di rettifica").await;
    assert!(text_of(b, "#corrections").await.contains("approvata"));
    site.open("/account").await;
    wait_for_page(b, "/account", "Dati intestatario").await;
    assert!(b.source().await.unwrap().contains("Rossì"));
    // The CLI queued the mail on the real clock, ahead of the test's clock: read
    // it in the outbox rather than wait for it to fall due.
    let queued = {
        let mut tx = site.h.store.begin_read().await.unwrap();
        tx.outbox(None, 100).await.unwrap()
    };
    assert!(
        queued
            .iter()
            .any(|m| m.template == "correction_decided" && m.params["value"] == "Rossì"),
        "the holder is told"
    );

    // The marketing switch.
    click(b, "nav.sections a[href='/account/privacy']").await;
    wait_for_page(b, "/account/privacy", "Privacy e comunicazioni").await;
    assert_eq!(
        text_of(b, "#marketing-state").await,
        "Comunicazioni marketing attive."
    );
    click(b, "#marketing-switch").await;
    wait_for_page(b, "/account/privacy", "Privacy e comunicazioni").await;
    assert_eq!(
        text_of(b, "#marketing-state").await,
        "Comunicazioni marketing disattivate."
    );
    let consents = site.h.service.consents(registered.holder_id).await.unwrap();
    assert!(!consents[0].given);
    // The holder's actions are audited under the holder.
    let actor = Actor::Holder(registered.holder_id).to_audit_string();
    let doc = site
        .h
        .service
        .export_holder_data(registered.holder_id, &Actor::Operator("test".into()))
        .await
        .unwrap();
    assert!(
        doc["audit_trail"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["event"] == "consent.withdrawn" && a["actor"] == actor.as_str())
    );
    site.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forgotten_password_is_reset_with_the_mailed_code() {
    let Some(site) = Site::start(390).await else {
        return;
    };
    let b = &site.browser;
    let registered = identity_testkit::registered_mario(&site.h).await;
    let login = registered.login_id.to_string();
    site.open("/account/sign-in").await;
    click(b, "a[href='/account/recover']").await;
    wait_for_page(b, "/account/recover", "Hai smarrito l'account?").await;
    fill(b, "f-login_id", &login).await;
    click(
        b,
        "form[action='/account/recover/password'] button[type=submit]",
    )
    .await;
    wait_for_page(b, "/account/recover/password", "Richiesta ricevuta").await;
    let mail = site.inbox("mario.rossi@example.it").await;
    let reset = mail
        .iter()
        .find(|m| m.text.contains("reset-password"))
        .expect("the reset mail");
    let link = site.link(reset, "/account/reset-password?code=");
    b.goto(&link).await.unwrap();
    wait_for_page(b, "/account/reset-password", "Scegli una nuova password").await;
    fill(b, "f-password", "Nuova-Chiave!77").await;
    fill(b, "f-password_confirm", "Nuova-Chiave!77").await;
    click(
        b,
        "form[action='/account/reset-password'] button[type=submit]",
    )
    .await;
    wait_for_page(b, "/account/reset-password", "Password cambiata").await;
    site.sign_in(&login, "Nuova-Chiave!77").await;
    let told = site.inbox("mario.rossi@example.it").await;
    assert!(
        told.iter().any(|m| m.subject.contains("assword")),
        "password change notified"
    );
    site.stop().await;
}
