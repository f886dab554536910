//! Refresh tokens on both backends: rotated on each use, a reused token revokes
//! its whole family, the family ends after 30 days, a suspended identity gets no
//! new tokens, and the revocation endpoint's use case ends a family.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::Duration;
use identity_core::CredentialLevel;
use identity_core::identity::{Actor, SuspensionReason};
use identity_testkit::TestApp;

identity_testkit::both_backends!(
    refresh_tokens_rotate_and_a_reuse_revokes_the_family,
    a_family_ends_after_30_days_or_with_the_identity,
);

const CLIENT: &str = "https://sp.example.it";

async fn first(h: &TestApp) -> (identity_testkit::Active, String) {
    let a = identity_testkit::active_identity(h).await;
    let token = h
        .service
        .issue_refresh_token(
            CLIENT,
            a.holder,
            a.identity.id(),
            CredentialLevel::L2,
            &["email".into()],
        )
        .await
        .unwrap();
    (a, token)
}

async fn refresh_tokens_rotate_and_a_reuse_revokes_the_family(h: TestApp) {
    let (_, t1) = first(&h).await;
    let s = &h.service;
    assert!(
        s.rotate_refresh_token(&t1, "https://other.example")
            .await
            .is_err(),
        "another client's"
    );
    let (granted, t2) = s.rotate_refresh_token(&t1, CLIENT).await.unwrap();
    assert_eq!(granted.level, CredentialLevel::L2);
    assert_eq!(granted.attributes, ["email"]);
    let (_, t3) = s.rotate_refresh_token(&t2, CLIENT).await.unwrap();
    // t1 presented again: someone copied it; nothing of the family works any more.
    assert!(s.rotate_refresh_token(&t1, CLIENT).await.is_err());
    assert!(
        s.rotate_refresh_token(&t3, CLIENT).await.is_err(),
        "the family is revoked"
    );
    // Revocation by the client ends a new family at once.
    let u1 = another_family(&h).await;
    s.revoke_refresh_token(&u1, CLIENT).await.unwrap();
    assert!(s.rotate_refresh_token(&u1, CLIENT).await.is_err());
    s.revoke_refresh_token("unknown", CLIENT).await.unwrap();
}

/// A second family for the same identity.
async fn another_family(h: &TestApp) -> String {
    let identity = h.service.identities_of(holder_of(h).await).await.unwrap()[0].clone();
    h.service
        .issue_refresh_token(
            CLIENT,
            identity.holder_id(),
            identity.id(),
            CredentialLevel::L1,
            &[],
        )
        .await
        .unwrap()
}

async fn holder_of(h: &TestApp) -> identity_core::HolderId {
    h.service.find_holders("RSSMRA85T10A562S").await.unwrap()[0]
}

async fn a_family_ends_after_30_days_or_with_the_identity(h: TestApp) {
    let (a, t1) = first(&h).await;
    h.clock.advance(Duration::days(29));
    let (_, t2) = h.service.rotate_refresh_token(&t1, CLIENT).await.unwrap();
    h.clock.advance(Duration::days(2));
    assert!(
        h.service.rotate_refresh_token(&t2, CLIENT).await.is_err(),
        "30 days from the sign-in, not from the last use"
    );
    // A suspended identity's tokens stop working.
    let t = h
        .service
        .issue_refresh_token(CLIENT, a.holder, a.identity.id(), CredentialLevel::L1, &[])
        .await
        .unwrap();
    h.service
        .suspend_identity(
            a.identity.id(),
            SuspensionReason::HolderRequest,
            Actor::Holder(a.holder),
        )
        .await
        .unwrap();
    assert!(h.service.rotate_refresh_token(&t, CLIENT).await.is_err());
    // Expired families are removed by the retention job.
    h.clock.advance(Duration::days(31));
    let run = h
        .run_job(identity_service::usecases::jobs::Job::Retention)
        .await;
    assert!(
        run.counts.get("refresh_tokens").copied().unwrap_or(0) >= 2,
        "{:?}",
        run.counts
    );
}
