//! A SPID federation relying party signing a holder in, in a real browser: the
//! reference relying party (`spid-cie-oidc`, unmodified), onboarded with the
//! provider by its own trust anchor, asks for SpidL2; the provider recognises
//! it through its trust chain; the holder signs in with password and
//! authenticator code and agrees on the consent page, which names the
//! organization; the relying party shows the attributes it decrypted; the
//! access is in the selfcare's last accesses under the organization's name.

use std::time::{Duration, Instant};

use chrono::Utc;
use identity_core::CredentialLevel;
use identity_core::credentials::totp::{step_at, totp_code};
use identity_e2e::reference::{Reference, reference_available};
use identity_e2e::{click, fill, text_of, wait_for_page};

use crate::Site;

/// Waits until the browser is on a page whose address starts with `prefix`.
async fn wait_for_address(b: &fantoccini::Client, prefix: &str) {
    let started = Instant::now();
    loop {
        let url = b.current_url().await.unwrap();
        if url.as_str().starts_with(prefix) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "still on {url}, waiting for {prefix}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_relying_party_signs_in_at_level_2_in_a_browser() {
    if !reference_available() {
        return;
    }
    let h = identity_testkit::TestApp::builder()
        .config(|c| c.federation.fetch.allow_http_loopback = true)
        .build()
        .await
        .unwrap();
    // The federation's statements carry real times.
    h.clock.set(Utc::now());
    // The reference entities want a dotted host: the provider is 127.0.0.1.
    let Some(site) = Site::start_on(1024, h, "127.0.0.1").await else {
        return;
    };
    let b = &site.browser;
    let a = identity_testkit::active_identity(&site.h).await;
    let secret = identity_testkit::enrol(&site.h, &a).await;
    let s = identity_testkit::sign_in_l2(&site.h, &a, &secret).await;
    site.h
        .service
        .set_access_notification(&s.session, CredentialLevel::L2, true)
        .await
        .unwrap();
    site.h.clock.advance(chrono::Duration::seconds(30));

    let op = site.base.clone();
    let reference = tokio::task::spawn_blocking(move || Reference::start(&op))
        .await
        .unwrap();
    let anna = site.h.service.bootstrap_operator("anna").await.unwrap().0;
    let keys = site
        .h
        .service
        .fetch_published_federation_keys(&reference.ta)
        .await
        .unwrap();
    site.h
        .service
        .add_trust_anchor(&reference.ta, &keys, &anna)
        .await
        .unwrap();
    site.h
        .service
        .add_held_trust_mark(&reference.provider_trust_mark(), &anna)
        .await
        .unwrap();

    b.goto(&reference.sign_in_url(&site.base)).await.unwrap();
    wait_for_address(b, &format!("{}/selfcare/sign-in", site.base)).await;
    // Registered through its chain as the browser arrived, named by its
    // organization.
    let name = site
        .h
        .service
        .service_provider(&reference.rp)
        .await
        .unwrap()
        .name;
    wait_for_page(b, "/selfcare/sign-in", &format!("Accedi a {name}")).await;
    fill(b, "f-login_id", &a.username.to_string()).await;
    fill(b, "f-password", identity_testkit::PASSWORD).await;
    click(b, "#sign-in button[type=submit]").await;
    wait_for_page(b, "/selfcare/sign-in/code", "Codice di verifica").await;
    let code = format!("{:06}", totp_code(&secret, step_at(site.h.service.now())));
    fill(b, "f-code", &code).await;
    click(b, "#second-factor button[type=submit]").await;
    wait_for_page(b, "/oidc/continue", &format!("Accesso a {name}")).await;
    let consent = text_of(b, "#consent").await;
    for label in ["Nome", "Cognome", "Indirizzo email", "Codice fiscale"] {
        assert!(consent.contains(label), "{label} in {consent}");
    }
    click(b, "#accept").await;

    // The relying party decrypted the userinfo answer and shows it.
    wait_for_address(b, &format!("{}oidc/rp/echo_attributes", reference.rp)).await;
    let shown = text_of(b, "body").await;
    assert!(shown.contains("TINIT-RSSMRA85T10A562S"), "{shown}");
    assert!(shown.contains("Mario"), "{shown}");

    // The holder sees the access under the organization's name, and was told.
    site.open("/selfcare/accesses").await;
    wait_for_page(b, "/selfcare/accesses", "Ultimi accessi").await;
    assert!(text_of(b, "main").await.contains(&name));
    let told = site
        .mailbox
        .delivered()
        .await
        .into_iter()
        .filter(|m| m.subject.to_lowercase().contains("accesso"))
        .map(|m| m.text)
        .collect::<Vec<_>>();
    assert!(
        told.iter().any(|text| text.contains(&name)),
        "an access notification naming the organization: {told:?}"
    );
    drop(reference);
    site.stop().await;
}
