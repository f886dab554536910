//! The attributes released to a service provider, by their SPID names, for a
//! person and a company, limited to what was asked for.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use identity_service::usecases::oidc::claims::userinfo_claims;
use identity_service::usecases::service_providers::ATTRIBUTES;
use identity_testkit::TestApp;

identity_testkit::both_backends!(a_person_and_a_company_release_their_spid_attributes);

async fn a_person_and_a_company_release_their_spid_attributes(h: TestApp) {
    let mario = identity_testkit::registered_mario(&h).await;
    let holder = h.service.holder(mario.holder_id).await.unwrap();
    let all: Vec<String> = ATTRIBUTES.iter().map(|a| (*a).to_owned()).collect();
    let claims = userinfo_claims(&holder, mario.login_id.number(), &all);
    assert_eq!(claims["given_name"], "Mario");
    assert_eq!(claims["family_name"], "Rossi");
    assert_eq!(claims["birthdate"], "1985-12-10");
    assert_eq!(claims["gender"], "male");
    assert_eq!(
        claims["https://attributes.eid.gov.it/fiscal_number"],
        "TINIT-RSSMRA85T10A562S"
    );
    assert!(
        claims["https://attributes.eid.gov.it/spid_code"]
            .as_str()
            .unwrap()
            .starts_with("IDIT")
    );
    assert!(
        claims
            .get("https://attributes.eid.gov.it/vat_number")
            .is_none(),
        "a person has none"
    );
    // Only what was asked for.
    let some = userinfo_claims(&holder, mario.login_id.number(), &["email".into()]);
    assert_eq!(some.len(), 1);
    assert_eq!(some["email"], "mario.rossi@example.it");

    let company = h
        .service
        .register(identity_testkit::company_registration())
        .await
        .unwrap();
    let holder = h.service.holder(company.holder_id).await.unwrap();
    let claims = userinfo_claims(&holder, company.login_id.number(), &all);
    assert_eq!(
        claims["https://attributes.eid.gov.it/vat_number"],
        "VATIT-12345670017"
    );
    assert_eq!(
        claims["https://attributes.eid.gov.it/company_name"],
        "Esempio S.r.l."
    );
    assert!(claims.get("given_name").is_none());
}
