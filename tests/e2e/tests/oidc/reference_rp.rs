//! The Italian government's reference relying party (`spid-cie-oidc`,
//! unmodified) signs a holder in at SpidL2 through the provider: its own trust
//! anchor onboards both, the provider registers the relying party
//! automatically through its trust chain, and the relying party shows the
//! attributes it decrypted from the userinfo answer.

use identity_e2e::reference::{Reference, reference_available};
use identity_testkit::csrf_of;

use crate::hidden_of;

/// A cookie-keeping client that follows no redirect by itself.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The page reached from `response` by following redirects (on either
/// server): its address and body.
async fn follow(c: &reqwest::Client, mut response: reqwest::Response) -> (url::Url, String) {
    for _ in 0..15 {
        let here = response.url().clone();
        let Some(location) = response.headers().get("location").cloned() else {
            let status = response.status();
            let body = response.text().await.unwrap();
            assert!(status.is_success(), "{here}: {status}\n{body}");
            return (here, body);
        };
        let next = here.join(location.to_str().unwrap()).unwrap();
        response = c.get(next).send().await.unwrap();
    }
    panic!("too many redirects");
}

async fn post(
    c: &reqwest::Client,
    url: &str,
    page: &str,
    form: &[(&str, &str)],
) -> (url::Url, String) {
    let csrf = csrf_of(page);
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(form);
    follow(c, c.post(url).form(&all).send().await.unwrap()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_relying_party_signs_a_holder_in_at_level_2() {
    if !reference_available() {
        return;
    }
    let mut h = identity_testkit::TestApp::builder()
        .config(|c| c.federation.fetch.allow_http_loopback = true)
        .build()
        .await
        .unwrap();
    // The federation's statements carry real times.
    h.clock.set(chrono::Utc::now());
    let server = h.serve_as("127.0.0.1").await;
    let op = server.base.clone();
    let holder = identity_testkit::active_identity(&h).await;
    let secret = identity_testkit::enrol(&h, &holder).await;
    let op_url = op.clone();
    let reference = tokio::task::spawn_blocking(move || Reference::start(&op_url))
        .await
        .unwrap();
    // The provider's side of the onboarding: the anchor's keys (from its own
    // configuration) and the trust mark the anchor issued.
    let anna = h.service.bootstrap_operator("anna").await.unwrap().0;
    let keys = h
        .service
        .fetch_published_federation_keys(&reference.ta)
        .await
        .unwrap();
    h.service
        .add_trust_anchor(&reference.ta, &keys, &anna)
        .await
        .unwrap();
    h.service
        .add_held_trust_mark(&reference.provider_trust_mark(), &anna)
        .await
        .unwrap();

    let c = client();
    let start = c.get(reference.sign_in_url(&op)).send().await.unwrap();
    let (at, page) = follow(&c, start).await;
    assert!(
        at.as_str().starts_with(&op) && page.contains("name=\"password\""),
        "the provider's sign-in page: {at}\n{page}"
    );
    let (_, page) = post(
        &c,
        &format!("{op}/selfcare/sign-in"),
        &page,
        &[
            ("login_id", &holder.username.to_string()),
            ("password", identity_testkit::PASSWORD),
        ],
    )
    .await;
    assert!(
        page.contains("name=\"code\""),
        "SpidL2 asks for the code: {page}"
    );
    let code = identity_testkit::code_at(&h, &secret, 0);
    let (_, page) = post(
        &c,
        &format!("{op}/selfcare/sign-in/code"),
        &page,
        &[("code", &code)],
    )
    .await;
    assert!(page.contains("id=\"consent\""), "the consent page: {page}");
    let request = hidden_of(&page, "request");
    let (at, page) = post(
        &c,
        &format!("{op}/oidc/consent"),
        &page,
        &[("decision", "accept"), ("request", &request)],
    )
    .await;
    let log = h.service.oidc_transactions(None, 30).await.unwrap();
    assert!(
        at.as_str().starts_with(&reference.rp) && page.contains("TINIT-"),
        "the relying party shows the attributes: {at}\n{page}\nprovider log: {log:#?}"
    );
    // Mario's tax code, as the SPID attribute, decrypted and verified by the
    // relying party (it takes attributes from the userinfo answer only).
    assert!(page.contains("fiscal_number"), "{page}");
    assert!(page.contains("TINIT-RSSMRA85T10A562S"), "{page}");
    // The provider registered it through the chain, named by its organization,
    // and answered its token and userinfo requests.
    let rp = h.service.service_provider(&reference.rp).await.unwrap();
    assert!(rp.created_by.starts_with("federation:"), "{rp:?}");
    for endpoint in ["authorize", "consent", "token", "userinfo"] {
        assert!(
            log.iter().any(|e| e.endpoint == endpoint
                && e.outcome == "ok"
                && e.client_id.as_deref() == Some(reference.rp.as_str())),
            "{endpoint} ok in {log:#?}"
        );
    }
}
