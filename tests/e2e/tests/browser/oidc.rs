//! A service provider signing a user in, in a real browser: the example
//! relying party (examples/relying-party, the openidconnect crate) asks for
//! level 2; the holder signs in with password and authenticator code, reads
//! the consent page and agrees; the relying party shows the attributes it
//! received; the access is in the selfcare's last accesses and the
//! notification mail names the service.

use chrono::{Duration, Utc};
use identity_core::CredentialLevel;
use identity_core::credentials::totp::{step_at, totp_code};
use identity_e2e::{click, fill, text_of, wait_for_page};
use identity_service::usecases::service_providers::NewServiceProvider;

use crate::Site;

const NAME: &str = "Comune di Esempio";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_relying_party_signs_in_at_level_2_and_shows_the_attributes() {
    let Some(site) = Site::start(1024).await else {
        return;
    };
    let b = &site.browser;
    // The relying party checks token times on the real clock; each code moves
    // the provider's clock 30 s on.
    site.h.clock.set(Utc::now() - Duration::seconds(90));
    let a = identity_testkit::active_identity(&site.h).await;
    let secret = identity_testkit::enrol(&site.h, &a).await;
    let s = identity_testkit::sign_in_l2(&site.h, &a, &secret).await;
    site.h
        .service
        .set_access_notification(&s.session, CredentialLevel::L2, true)
        .await
        .unwrap();

    // The relying party on its own port, registered as an operator would.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let rp_base = format!("http://localhost:{}", listener.local_addr().unwrap().port());
    let anna = site.h.service.bootstrap_operator("anna").await.unwrap().0;
    let (_, client_secret) = site
        .h
        .service
        .add_service_provider(
            &NewServiceProvider {
                client_id: rp_base.clone(),
                name: NAME.into(),
                redirect_uris: vec![format!("{rp_base}/callback")],
                client_secret: true,
                levels: vec![2],
                attributes: vec![
                    "given_name".into(),
                    "family_name".into(),
                    "email".into(),
                    "fiscal_number".into(),
                ],
                ..NewServiceProvider::default()
            },
            &anna,
        )
        .await
        .unwrap();
    let rp = identity_example_rp::app(identity_example_rp::RpConfig {
        issuer: site.base.clone(),
        client_id: rp_base.clone(),
        client_secret: client_secret.unwrap(),
        base_url: rp_base.clone(),
    })
    .await
    .unwrap();
    let rp_task = tokio::spawn(async move { axum::serve(listener, rp).await });

    b.goto(&rp_base).await.unwrap();
    wait_for_page(b, "/", "Servizio di esempio").await;
    click(b, "#login").await;
    wait_for_page(b, "/selfcare/sign-in", &format!("Accedi a {NAME}")).await;
    assert!(
        text_of(b, "main").await.contains(NAME),
        "the page names the service"
    );
    fill(b, "f-login_id", &a.username.to_string()).await;
    fill(b, "f-password", identity_testkit::PASSWORD).await;
    click(b, "#sign-in button[type=submit]").await;
    wait_for_page(b, "/selfcare/sign-in/code", "Codice di verifica").await;
    let code = format!("{:06}", totp_code(&secret, step_at(site.h.service.now())));
    fill(b, "f-code", &code).await;
    click(b, "#second-factor button[type=submit]").await;
    wait_for_page(b, "/oidc/continue", &format!("Accesso a {NAME}")).await;
    let consent = text_of(b, "#consent").await;
    for label in ["Nome", "Cognome", "Indirizzo email", "Codice fiscale"] {
        assert!(consent.contains(label), "{label} in {consent}");
    }
    assert!(
        !consent.contains("Data di nascita"),
        "only what was asked for"
    );
    click(b, "#accept").await;

    wait_for_page(b, "/welcome", "Accesso riuscito").await;
    assert_eq!(text_of(b, "#acr").await, "https://www.spid.gov.it/SpidL2");
    let attributes = text_of(b, "#attributes").await;
    assert!(attributes.contains("Mario"), "{attributes}");
    assert!(attributes.contains("TINIT-"), "{attributes}");

    // The holder sees the access, and was told by email.
    site.open("/selfcare/accesses").await;
    wait_for_page(b, "/selfcare/accesses", "Ultimi accessi").await;
    assert!(text_of(b, "main").await.contains(NAME));
    let told = site
        .mailbox
        .delivered()
        .await
        .into_iter()
        .filter(|m| m.subject.contains("accesso") || m.subject.contains("Accesso"))
        .map(|m| m.text)
        .collect::<Vec<_>>();
    assert!(
        told.iter().any(|text| text.contains(NAME)),
        "an access notification naming the service: {told:?}"
    );
    // Signing out at the service ends the provider's session too and comes back.
    b.goto(&format!("{rp_base}/welcome")).await.unwrap();
    wait_for_page(b, "/welcome", "Accesso riuscito").await;
    click(b, "#logout").await;
    wait_for_page(b, "/", "Servizio di esempio").await;
    site.open("/selfcare").await;
    wait_for_page(b, "/selfcare/sign-in", "Accedi al Selfcare").await;
    rp_task.abort();
    site.stop().await;
}
