//! `identity show` (the identity, its proofing and credentials) and `identity
//! history` (every recorded event, oldest first). Reads only: no operator needed.

use identity_core::DigitalIdentity;
use identity_core::identity::IdentityState;
use identity_core::ids::IdentityId;
use identity_core::{CredentialLevel, LoginId};
use identity_service::ports::IdentityCredentials;
use serde_json::json;

use identity_service::OperatorRole;

use crate::{Cli, Failure, context, output};

/// The identity and its credentials, or a refusal when there is none.
async fn identity_with_credentials(
    service: &identity_service::Service,
    id: IdentityId,
) -> Result<(DigitalIdentity, IdentityCredentials), Failure> {
    service
        .identity_with_credentials(id)
        .await?
        .ok_or_else(|| Failure::Refused("no identity with this id".into()))
}

pub async fn show(cli: &Cli, id: IdentityId) -> Result<(), Failure> {
    let service = context::acting(cli, OperatorRole::Viewer).await?.0;
    let (identity, creds) = identity_with_credentials(&service, id).await?;
    let username = LoginId::new(identity.username(), &service.config().login_domain).to_string();
    let (reason, since, deadline, cause, revoked_at) = match identity.state() {
        IdentityState::Suspended {
            reason,
            since,
            deadline,
        } => (Some(reason.code()), Some(*since), *deadline, None, None),
        IdentityState::Revoked { cause, at } => (None, None, None, Some(cause.code()), Some(*at)),
        _ => (None, None, None, None, None),
    };
    let levels: Vec<(u8, &str)> = CredentialLevel::ALL
        .iter()
        .map(|l| (l.as_u8(), creds.levels.state(*l).code()))
        .collect();
    let notify: Vec<u8> = CredentialLevel::ALL
        .iter()
        .filter(|l| creds.notifies(**l))
        .map(|l| l.as_u8())
        .collect();
    if cli.json {
        return output::json(&json!({
            "id": identity.id(),
            "holder_id": identity.holder_id(),
            "username": username,
            "state": identity.state().code(),
            "suspension_reason": reason,
            "suspended_since": since,
            "suspension_deadline": deadline,
            "revocation_cause": cause,
            "revoked_at": revoked_at,
            "requested_at": identity.requested_at(),
            "activated_at": identity.activated_at(),
            "last_used_at": identity.last_used_at(),
            "proofing": identity.proofing(),
            "levels": levels.iter().map(|(n, s)| json!({ "level": n, "state": s })).collect::<Vec<_>>(),
            "totp_enrolled_at": creds.totp_enrolled_at,
            "totp_consecutive_failures": creds.totp_state.consecutive_failures(),
            "emergency_code_issued_at": creds.emergency_issued_at,
            "access_notifications": notify,
        }));
    }
    let mut rows = vec![
        ("identity", identity.id().to_string()),
        ("holder", identity.holder_id().to_string()),
        ("username", username),
        ("state", identity.state().code().to_owned()),
    ];
    if let Some(r) = reason {
        rows.push(("suspension reason", r.to_owned()));
        rows.push(("suspended since", output::rome_opt(since)));
        rows.push(("deadline", output::rome_opt(deadline)));
    }
    if let Some(c) = cause {
        rows.push(("revocation cause", c.to_owned()));
        rows.push(("revoked at", output::rome_opt(revoked_at)));
    }
    rows.push(("requested", output::rome(identity.requested_at())));
    rows.push(("activated", output::rome_opt(identity.activated_at())));
    rows.push(("last used", output::rome_opt(identity.last_used_at())));
    if let Some(p) = identity.proofing() {
        rows.push((
            "proofing",
            format!(
                "{} · {} {} ({}, valid to {}) · evidence {}",
                p.method.code(),
                p.document.kind.code(),
                p.document.number,
                p.document.issuer,
                p.document.expires_on,
                p.evidence_ref
            ),
        ));
    }
    for (n, s) in &levels {
        rows.push((
            match n {
                1 => "level 1",
                2 => "level 2",
                _ => "level 3",
            },
            (*s).to_owned(),
        ));
    }
    rows.push((
        "emergency code issued",
        output::rome_opt(creds.emergency_issued_at),
    ));
    rows.push((
        "access notifications",
        if notify.is_empty() {
            "off".to_owned()
        } else {
            notify
                .iter()
                .map(|n| format!("L{n}"))
                .collect::<Vec<_>>()
                .join(", ")
        },
    ));
    output::fields(&rows);
    Ok(())
}

pub async fn history(cli: &Cli, id: IdentityId) -> Result<(), Failure> {
    let service = context::acting(cli, OperatorRole::Viewer).await?.0;
    let (identity, _) = identity_with_credentials(&service, id).await?;
    let records = service
        .identity_history(identity.holder_id(), id)
        .await
        .map_err(|e| Failure::Refused(e.to_string()))?;
    if cli.json {
        return output::json(&records);
    }
    let why = |d: &serde_json::Value| {
        ["reason", "cause", "method", "proof"]
            .iter()
            .find_map(|k| d.get(*k).and_then(|v| v.as_str()).map(str::to_owned))
            .unwrap_or_default()
    };
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|r| {
            vec![
                output::rome(r.at),
                r.event.clone(),
                r.actor.clone(),
                why(&r.details),
            ]
        })
        .collect();
    output::table(&["when", "event", "who", "why"], &rows);
    Ok(())
}
