//! The rows of holders `start..end`, as the store's bulk path takes them: the
//! holder, one to three logins with the same password hash, a digital identity
//! for two holders in three (every state: pending, active, suspended, revoked,
//! with last uses up to 23 months back and documents some of which have
//! expired), its credentials, a live session for one holder in four, an order for
//! one in ten, and access records and audit entries spread over four years (so
//! about half of them are past the 24 months the retention job keeps).

use chrono::{DateTime, Duration, Utc};
use identity_core::identity::IdentitySnapshot;
use identity_core::identity::{DocumentKind, IdentityDocument, Proofing, ProofingMethod};
use identity_core::{
    AccessOutcome, AccessRecord, CredentialLevel, DigitalIdentity, HolderId, IdentityId,
    IdentityState, Login, LoginNumber, Order, OrderId, OrderKind, OrderState, RevocationCause,
    Session, SessionArea, SuspensionReason,
};
use identity_service::model::AuditRecord;
use identity_service::ports::IdentityCredentials;
use identity_store::BulkRows;

use crate::people;

/// The first login number; holder `i`'s logins are `FIRST_LOGIN + 3i + k`.
pub const FIRST_LOGIN: u64 = 100_000_000;

/// The holder whose identity carries [`Plan::heavy_accesses`] extra access
/// records (the selfcare's CSV download at its largest). Active, with a password.
pub const HEAVY_HOLDER: u64 = 3;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The instant the data is generated around ("now").
    pub now: DateTime<Utc>,
    /// The password hash every login gets (PHC string).
    pub password_hash: String,
    /// Access records per holder.
    pub accesses_per_holder: u64,
    /// Audit entries per holder (the first is the registration).
    pub audit_per_holder: u64,
}

/// Login `k` (0-based) of holder `i`.
#[must_use]
pub fn login_number(i: u64, k: u64) -> LoginNumber {
    LoginNumber::new(FIRST_LOGIN + 3 * i + k).expect("above the smallest login number")
}

/// How many logins holder `i` has (1 to 3).
#[must_use]
pub fn logins_of(i: u64) -> u64 {
    1 + i % 3
}

/// The identity of holder `i`, if it has one: persons and professionals, seven
/// in ten.
#[must_use]
pub fn identity_id(i: u64) -> Option<IdentityId> {
    (i % 100 < 95 && i % 10 < 7).then(|| {
        let id = uuid::Uuid::from_u64_pair(0x1de7_0000_0000_4000, 0x8000_0000_0000_0000 | i);
        IdentityId::from_uuid(id)
    })
}

fn days(n: u64) -> Duration {
    Duration::days(i64::try_from(n).unwrap_or(i64::MAX))
}

/// The identity's state: 1 in 20 pending, 1 suspended, 2 revoked, 16 active.
fn state(i: u64, now: DateTime<Utc>) -> IdentityState {
    match (i * 13) % 20 {
        0 => IdentityState::Pending,
        1 => IdentityState::Suspended {
            reason: SuspensionReason::HolderRequest,
            since: now - days(i % 25),
            deadline: Some(now + days(30 - i % 25)),
        },
        2 | 3 => IdentityState::Revoked {
            cause: RevocationCause::HolderRequest,
            at: now - days(i % 700),
        },
        _ => IdentityState::Active,
    }
}

fn identity(
    i: u64,
    id: IdentityId,
    holder: HolderId,
    created: DateTime<Utc>,
    now: DateTime<Utc>,
) -> DigitalIdentity {
    let state = state(i, now);
    let pending = matches!(state, IdentityState::Pending);
    let activated = created + Duration::hours(30);
    let activated_day = identity_core::calendar::rome_date(activated);
    let proofing = (!pending).then(|| Proofing {
        method: ProofingMethod::InPerson,
        document: IdentityDocument::new(
            DocumentKind::IdentityCard,
            &format!("CA{:05}AB", i % 100_000),
            "Comune di Roma",
            activated_day + chrono::Days::new(1500 + (i * 7) % 2200),
            activated_day,
        )
        .expect("a valid document"),
        evidence_ref: format!("sportello-{}", i % 500),
    });
    // Last uses spread over 23 months: the oldest are inside the inactivity job's
    // notice window (24 months less 90 days).
    let last_used = (!pending).then(|| (now - days((i * 31) % 700)).max(activated));
    DigitalIdentity::restore(IdentitySnapshot {
        id,
        holder_id: holder,
        username: login_number(i, 0),
        state,
        requested_at: created + Duration::hours(1),
        activated_at: (!pending).then_some(activated),
        last_used_at: last_used,
        proofing,
        police_report: None,
    })
}

fn access(
    i: u64,
    k: u64,
    holder: HolderId,
    identity: Option<IdentityId>,
    at: DateTime<Utc>,
) -> AccessRecord {
    let service = match k % 4 {
        0 => "selfcare".to_owned(),
        1 => "customer_area".to_owned(),
        n => format!("https://servizi{}.example.it", (i + n) % 50),
    };
    AccessRecord {
        holder_id: holder,
        identity_id: identity,
        at,
        service,
        level: if k.is_multiple_of(3) {
            CredentialLevel::L2
        } else {
            CredentialLevel::L1
        },
        credential: if k.is_multiple_of(3) {
            "totp"
        } else {
            "password"
        }
        .to_owned(),
        outcome: if (i + k).is_multiple_of(17) {
            AccessOutcome::Failed
        } else {
            AccessOutcome::Ok
        },
        client_ip: Some(format!("10.{}.{}.{}", i % 250, k % 250, (i / 250) % 250)),
    }
}

const AUDIT_EVENTS: [&str; 6] = [
    "customer.signed_in",
    "selfcare.signed_in",
    "holder.contacts_changed",
    "login.password_changed",
    "customer.signed_out",
    "privacy.consents_changed",
];

/// Adds holders `start..end` to `rows`.
pub fn holders(plan: &Plan, start: u64, end: u64, rows: &mut BulkRows) {
    let now = plan.now;
    for i in start..end {
        let created =
            now - days(60 + (i * 7919) % (6 * 365)) - Duration::minutes((i % 1440) as i64);
        let holder = people::holder(i, created);
        let holder_id = holder.id();
        let tax_code = holder.tax_code().map(|t| t.as_str().to_owned());
        rows.holders.push(holder);
        for k in 0..logins_of(i) {
            let login = login_number(i, k);
            let at = created + Duration::minutes(k as i64);
            rows.logins.push(Login::new(login, holder_id, at));
            // Passwords set up to 200 days ago: some due for change, some warned.
            let set_at = (now - days((i * 17 + k) % 200)).max(at);
            rows.passwords
                .push((login, plan.password_hash.clone(), set_at));
        }
        let identity_id = identity_id(i);
        if let (Some(id), Some(tax_code)) = (identity_id, tax_code) {
            let identity = identity(i, id, holder_id, created, now);
            let mut credentials = IdentityCredentials::new(id);
            if matches!(identity.state(), IdentityState::Revoked { .. }) {
                credentials.levels = credentials.levels.revoke_all();
            }
            rows.identities.push((identity, tax_code));
            rows.credentials.push(credentials);
        }
        if i % 4 == 0 {
            // Live sessions only: the hourly retention job keeps the table so.
            let seen = now - Duration::minutes((i % 20) as i64);
            rows.sessions.push((
                format!("{:064x}", u128::from(i) * 0x9e37_79b9_7f4a_7c15),
                Session {
                    id: uuid::Uuid::from_u64_pair(0x5e55_0000_0000_4000, 0x8000_0000_0000_0000 | i),
                    holder_id,
                    login: login_number(i, 0),
                    area: SessionArea::Customer,
                    level: CredentialLevel::L1,
                    created_at: seen - Duration::minutes(5),
                    last_seen_at: seen,
                    client_ip: Some("10.0.0.1".to_owned()),
                    user_agent: Some("Mozilla/5.0".to_owned()),
                    reauthenticated_at: None,
                },
            ));
        }
        if i % 10 == 0 {
            rows.orders.push(Order {
                id: OrderId::from_uuid(uuid::Uuid::from_u64_pair(
                    0x0de0_0000_0000_4000,
                    0x8000_0000_0000_0000 | i,
                )),
                holder_id,
                kind: OrderKind::DigitalIdentity,
                state: OrderState::Completed,
                created_at: created + Duration::hours(1),
            });
        }
        // Four years, newest first: about half past the 24 months kept.
        for k in 0..plan.accesses_per_holder {
            let back = (i * 97 + k * 7717) % (4 * 365 * 24);
            let at = now - Duration::hours(back as i64) - Duration::seconds((k % 3600) as i64);
            rows.access_records
                .push(access(i, k, holder_id, identity_id, at));
        }
        for k in 0..plan.audit_per_holder {
            let (event, at) = if k == 0 {
                ("holder.registered", created)
            } else {
                let back = (i * 89 + k * 6007) % (4 * 365 * 24);
                (
                    AUDIT_EVENTS[(k % 6) as usize],
                    now - Duration::hours(back as i64),
                )
            };
            rows.audit.push(AuditRecord {
                id: uuid::Uuid::now_v7(),
                at,
                actor: format!("holder:{holder_id}"),
                event: event.to_owned(),
                holder_id: Some(holder_id),
                details: serde_json::json!({}),
                request_id: None,
            });
        }
    }
}

/// Adds `n` of the heavy holder's extra access records, numbered from `first`,
/// all within the last 23 months.
pub fn heavy_accesses(plan: &Plan, first: u64, n: u64, rows: &mut BulkRows) {
    let holder = people::holder_id(HEAVY_HOLDER);
    let identity = identity_id(HEAVY_HOLDER);
    for k in first..first + n {
        let at = plan.now - Duration::seconds((k * 613) as i64 % (700 * 86_400));
        rows.access_records
            .push(access(HEAVY_HOLDER, k, holder, identity, at));
    }
}
