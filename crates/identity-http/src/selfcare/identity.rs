//! The identity's page: its state explained (what is missing while pending, the
//! deadline while suspended, that revocation is final), the holder's actions
//! (suspend, reactivate with a code by email, ask for revocation with a code by
//! email) and the full history of what happened to it, who did it and why.

use askama::Template;
use axum::Router;
use axum::extract::Form;
use axum::routing::{get, post};
use identity_core::identity::{IdentityState, RevocationCause, SuspensionReason};
use identity_core::{Lang, LoginId};
use identity_service::AuditRecord;
use identity_service::UseCaseError as _;
use identity_service::usecases::selfcare::lifecycle::OwnIdentityError;
use identity_service::usecases::selfcare::lifecycle::{
    Confirmation, reason_lets_holder_reactivate,
};
use identity_words::Label as _;
use identity_words::Words;

use super::{Frame, Signed, signed_out};
use crate::AppState;
use crate::web::rome_time;
use crate::web::{Chrome, Ctx, Page};
use identity_words::L;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/selfcare", get(show))
        .route("/selfcare/suspend", post(suspend))
        .route("/selfcare/reactivate/send", post(reactivate_send))
        .route("/selfcare/reactivate", post(reactivate))
        .route("/selfcare/revoke/send", post(revoke_send))
        .route("/selfcare/revoke", post(revoke))
}

/// One action box: its forms are (action, button, code label, dangerous); the
/// suspension's form also asks for a note.
struct Action {
    id: &'static str,
    title: &'static str,
    text: String,
    forms: Vec<(&'static str, &'static str, Option<&'static str>, bool)>,
}

#[derive(Template)]
#[template(path = "selfcare_identity.html")]
struct IdentityPage {
    c: Chrome,
    f: Frame,
    notices: Vec<String>,
    title: &'static str,
    state_title: &'static str,
    state_code: &'static str,
    state_label: String,
    state_text: Vec<String>,
    facts: Vec<(String, String)>,
    actions: Vec<Action>,
    note_label: &'static str,
    history_title: &'static str,
    history_head: Vec<&'static str>,
    history: Vec<(String, String, String, String)>,
}

fn event_label(event: &str, lang: Lang) -> &'static str {
    let l = match event {
        "identity.requested" => L("Richiesta", "Requested"),
        "identity.verified" => L(
            "Identità verificata, attivata",
            "Identity verified, activated",
        ),
        "identity.suspended" => L("Sospesa", "Suspended"),
        "identity.reactivated" => L("Riattivata", "Reactivated"),
        "identity.revoked" => L("Revocata", "Revoked"),
        "identity.deadline_passed" => L("Scadenza dei 30 giorni passata", "30-day deadline passed"),
        "identity.police_report_recorded" => L("Denuncia registrata", "Police report recorded"),
        "identity.document_recorded" => L("Nuovo documento registrato", "New document recorded"),
        "identity.emergency_block" => L("Blocco d'emergenza", "Emergency block"),
        "identity.suspension_note" => L("Motivo indicato da te", "Your reason"),
        "credential.emergency_code_issued" => {
            L("Codice di emergenza emesso", "Emergency code issued")
        }
        "credential.level2_enrolled" => L("Livello 2 attivato", "Level 2 activated"),
        "credential.level2_removed" => L("Livello 2 disattivato", "Level 2 removed"),
        "credential.level2_reset" => L(
            "Cambio telefono: livello 2 scollegato",
            "Phone change: level 2 unlinked",
        ),
        "credential.level2_blocked" => L("Livello 2 bloccato", "Level 2 blocked"),
        "credential.level2_unblocked" => L("Livello 2 sbloccato", "Level 2 unblocked"),
        "credential.level3_key_added" => L("Chiave di sicurezza aggiunta", "Security key added"),
        "credential.level3_key_removed" => L("Chiave di sicurezza rimossa", "Security key removed"),
        "credential.access_notification" => L(
            "Notifiche di accesso cambiate",
            "Access notifications changed",
        ),
        _ => L("Evento", "Event"),
    };
    l.get(lang)
}

fn actor_label(actor: &str, lang: Lang) -> String {
    let (kind, who) = actor.split_once(':').unwrap_or((actor, ""));
    match (kind, lang) {
        ("holder", Lang::It) => "tu".into(),
        ("holder", Lang::En) => "you".into(),
        ("operator", Lang::It) => format!("operatore {who}"),
        ("operator", Lang::En) => format!("operator {who}"),
        ("system", Lang::It) => "sistema".into(),
        ("system", Lang::En) => "system".into(),
        _ => actor.to_owned(),
    }
}

fn why(r: &AuditRecord, lang: Lang) -> String {
    if let Some(reason) = r
        .details
        .get("reason")
        .and_then(|v| v.as_str())
        .and_then(SuspensionReason::from_code)
    {
        return reason.label().get(lang).to_owned();
    }
    if let Some(cause) = r
        .details
        .get("cause")
        .and_then(|v| v.as_str())
        .and_then(RevocationCause::from_code)
    {
        return cause.label().get(lang).to_owned();
    }
    if let Some(note) = r.details.get("note").and_then(|v| v.as_str()) {
        return note.to_owned();
    }
    r.details
        .get("method")
        .and_then(|v| v.as_str())
        .map(str::to_owned)
        .unwrap_or_default()
}

fn state_view(s: &Signed, lang: Lang) -> (String, Vec<String>, Vec<(String, String)>) {
    let i = &s.identity;
    let mut facts = vec![
        (
            L("Username", "Username").get(lang).to_owned(),
            LoginId::new(i.username(), &s.service().config().login_domain).to_string(),
        ),
        (
            L("Richiesta il", "Requested on").get(lang).to_owned(),
            rome_time(i.requested_at()),
        ),
    ];
    if let Some(at) = i.activated_at() {
        facts.push((
            L("Attiva dal", "Active since").get(lang).to_owned(),
            rome_time(at),
        ));
    }
    match i.state() {
        IdentityState::Pending => (
            L("In attesa di verifica", "Waiting for verification").get(lang).to_owned(),
            vec![
                L(
                    "Cosa manca: il riconoscimento. Un operatore deve verificare la tua identità con un documento valido (carta d'identità, passaporto, patente), di persona, con CIE/CNS, con firma digitale o in video.",
                    "What is missing: the identity check. An operator must verify who you are with a valid document (identity card, passport, driving licence), in person, with a CIE/CNS card, a digital signature or by video.",
                ).get(lang).to_owned(),
                L(
                    "Cosa fare: prenota il riconoscimento e porta il documento indicato nella richiesta. Quando sarà fatto riceverai un'email e il codice di emergenza, in due metà (email e SMS).",
                    "What to do: book the identity check and bring the document named in your request. Once it is done you receive an email and the emergency code, in two halves (email and SMS).",
                ).get(lang).to_owned(),
            ],
            facts,
        ),
        IdentityState::Active => {
            if let Some(at) = i.inactivity_revocation_at() {
                facts.push((L("Revoca per inattività se non usata entro il", "Revoked for inactivity unless used by").get(lang).to_owned(), rome_time(at)));
            }
            (
                L("Attiva", "Active").get(lang).to_owned(),
                vec![L("Puoi usarla per accedere ai servizi online.", "You can use it to sign in to online services.").get(lang).to_owned()],
                facts,
            )
        }
        IdentityState::Suspended { reason, since, deadline } => {
            facts.push((L("Motivo", "Reason").get(lang).to_owned(), reason.label().get(lang).to_owned()));
            facts.push((L("Sospesa dal", "Suspended since").get(lang).to_owned(), rome_time(*since)));
            if let Some(d) = deadline {
                facts.push((L("Scadenza per riattivarla", "Deadline to reactivate").get(lang).to_owned(), rome_time(*d)));
            }
            (
                L("Sospesa", "Suspended").get(lang).to_owned(),
                vec![L(
                    "Finché è sospesa non puoi usarla per accedere ai servizi. Per riattivarla accedi con le credenziali del livello più alto e conferma con il codice che ti inviamo per email. Se entro la scadenza non viene riattivata, resta sospesa fino a una riattivazione verificata (o viene revocata se è stata registrata una denuncia).",
                    "While suspended it cannot sign in to services. To reactivate it, sign in with your highest level and confirm with the code we send by email. If it is not reactivated by the deadline, it stays suspended until a verified reactivation (or is revoked if a police report was recorded).",
                ).get(lang).to_owned()],
                facts,
            )
        }
        IdentityState::Revoked { cause, at } => {
            facts.push((L("Revocata il", "Revoked on").get(lang).to_owned(), rome_time(*at)));
            facts.push((L("Causa", "Cause").get(lang).to_owned(), cause.label().get(lang).to_owned()));
            (
                L("Revocata", "Revoked").get(lang).to_owned(),
                vec![L("La revoca è definitiva. Puoi richiedere una nuova identità dall'area clienti.", "Revocation is final. You can request a new identity from the customer area.").get(lang).to_owned()],
                facts,
            )
        }
    }
}

/// Which confirmation codes were sent and still wait: their forms ask for the
/// code; the others only offer to send one.
#[derive(Debug, Clone, Copy)]
struct CodesWaiting {
    reactivate: bool,
    revoke: bool,
}

/// The forms of an action confirmed by an emailed code: the button that sends it,
/// or, once a code waits, the field to type it in and a button to send a new one.
fn code_forms(
    lang: Lang,
    waiting: bool,
    (send, confirm): (&'static str, &'static str),
    confirm_button: &'static str,
    dangerous: bool,
) -> Vec<(&'static str, &'static str, Option<&'static str>, bool)> {
    if !waiting {
        return vec![(
            send,
            L("Inviami il codice", "Send me the code").get(lang),
            None,
            false,
        )];
    }
    let code_label = Some(L("Codice ricevuto per email", "Code received by email").get(lang));
    vec![
        (confirm, confirm_button, code_label, dangerous),
        (
            send,
            L("Inviami un nuovo codice", "Send me a new code").get(lang),
            None,
            false,
        ),
    ]
}

fn actions(s: &Signed, lang: Lang, waiting: CodesWaiting) -> Vec<Action> {
    let fresh_note = if s.fresh() {
        String::new()
    } else {
        L(
            " Per farlo serve un accesso recente (ultimi 10 minuti) con il livello più alto: esci e accedi di nuovo.",
            " This needs a recent sign-in (last 10 minutes) at your highest level: sign out and sign in again.",
        )
        .get(lang)
        .to_owned()
    };
    let mut out = Vec::new();
    match s.identity.state() {
        IdentityState::Active => out.push(Action {
            id: "suspend",
            title: L("Sospendi l'identità", "Suspend the identity").get(lang),
            text: L(
                "La sospensione blocca subito ogni accesso con questa identità e chiude le sessioni aperte. Hai 30 giorni per riattivarla.",
                "Suspension stops every sign-in with this identity at once and ends the open sessions. You have 30 days to reactivate it.",
            ).get(lang).to_owned(),
            forms: vec![("/selfcare/suspend", L("Sospendi", "Suspend").get(lang), None, true)],
        }),
        IdentityState::Suspended { reason, .. } if !reason_lets_holder_reactivate(*reason) => out.push(Action {
            id: "reactivate",
            title: L("Riattiva l'identità", "Reactivate the identity").get(lang),
            text: L(
                "Questa sospensione è stata decisa da un operatore: per riattivare l'identità contatta l'assistenza, che verificherà di nuovo chi sei.",
                "This suspension was decided by an operator: to reactivate the identity, contact support, who will verify who you are again.",
            )
            .get(lang)
            .to_owned(),
            forms: Vec::new(),
        }),
        IdentityState::Suspended { .. } => out.push(Action {
            id: "reactivate",
            title: L("Riattiva l'identità", "Reactivate the identity").get(lang),
            text: format!(
                "{}{fresh_note}",
                L("Ti inviamo un codice all'email di riferimento; inseriscilo qui per riattivarla.", "We send a code to your reference email; enter it here to reactivate it.").get(lang)
            ),
            forms: code_forms(
                lang,
                waiting.reactivate,
                ("/selfcare/reactivate/send", "/selfcare/reactivate"),
                L("Riattiva", "Reactivate").get(lang),
                false,
            ),
        }),
        _ => {}
    }
    if !s.identity.state().is_revoked() {
        out.push(Action {
            id: "revoke",
            title: L("Richiedi la revoca", "Ask for revocation").get(lang),
            text: format!(
                "{}{fresh_note}",
                L("La revoca è definitiva: l'identità e tutte le sue credenziali non potranno più essere usate. Ti inviamo un codice per confermare.", "Revocation is final: the identity and all its credentials can never be used again. We send you a code to confirm.").get(lang)
            ),
            forms: code_forms(
                lang,
                waiting.revoke,
                ("/selfcare/revoke/send", "/selfcare/revoke"),
                L("Revoca definitivamente", "Revoke permanently").get(lang),
                true,
            ),
        });
    }
    out
}

async fn render(mut s: Signed, notices: Vec<String>) -> Page {
    let lang = s.lang();
    let history = s
        .service()
        .identity_history(s.session.holder_id, s.identity.id())
        .await?;
    let (state_label, state_text, facts) = state_view(&s, lang);
    let service = s.service().clone();
    let waiting = CodesWaiting {
        reactivate: service
            .confirmation_code_waiting(&s.session, Confirmation::Reactivate)
            .await?,
        revoke: service
            .confirmation_code_waiting(&s.session, Confirmation::Revoke)
            .await?,
    };
    let actions = actions(&s, lang, waiting);
    let f = Frame::new(&mut s, "/selfcare");
    let c = s.ctx.selfcare_chrome(true);
    let page = IdentityPage {
        c,
        f,
        notices,
        title: L("La tua identità digitale", "Your digital identity").get(lang),
        state_title: L("Stato", "State").get(lang),
        state_code: s.identity.state().code(),
        state_label,
        state_text,
        facts,
        actions,
        note_label: L("Perché la sospendi?", "Why do you suspend it?").get(lang),
        history_title: L("Storico", "History").get(lang),
        history_head: vec![
            L("Quando", "When").get(lang),
            L("Cosa", "What").get(lang),
            L("Chi", "Who").get(lang),
            L("Perché", "Why").get(lang),
        ],
        history: history
            .iter()
            .rev()
            .map(|r| {
                (
                    rome_time(r.at),
                    event_label(&r.event, lang).to_owned(),
                    actor_label(&r.actor, lang),
                    why(r, lang),
                )
            })
            .collect(),
    };
    Ok(s.ctx.page(&page))
}

async fn show(ctx: Ctx) -> Page {
    render(Signed::from(ctx).await?, Vec::new()).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct CodeForm {
    csrf: String,
    code: String,
    note: String,
}

/// Shows a refusal on the identity page (field errors too: the page shows them
/// on top); an infrastructure failure renders itself.
async fn refused(s: Signed, e: OwnIdentityError) -> Page {
    let lang = s.lang();
    let notices = match e.outcome()? {
        OwnIdentityError::Invalid(errors) => errors.iter().map(|e| e.problem.words(lang)).collect(),
        other => vec![other.words(lang)],
    };
    render(s, notices).await
}

async fn suspend(ctx: Ctx, Form(f): Form<CodeForm>) -> Page {
    let s = Signed::post(ctx, &f.csrf).await?;
    let service = s.service().clone();
    match service.suspend_own_identity(&s.session, &f.note).await {
        Ok(_) => Ok(signed_out(
            s.ctx,
            L("Identità sospesa", "Identity suspended"),
            L(
                "La tua identità digitale è sospesa e le sessioni sono state chiuse; ti abbiamo avvisato per email. Hai 30 giorni per riattivarla da qui.",
                "Your digital identity is suspended and its sessions ended; we told you by email. You have 30 days to reactivate it from here.",
            ),
        )),
        Err(e) => refused(s, e).await,
    }
}

async fn send(ctx: Ctx, f: CodeForm, what: Confirmation) -> Page {
    let s = Signed::post(ctx, &f.csrf).await?;
    let service = s.service().clone();
    match service.send_confirmation_code(&s.session, what).await {
        Ok(()) => {
            let anchor = match what {
                Confirmation::Reactivate => "/selfcare#reactivate",
                Confirmation::Revoke => "/selfcare#revoke",
            };
            Ok(s.redirect_with(anchor, "code_sent"))
        }
        Err(e) => refused(s, e).await,
    }
}

async fn reactivate_send(ctx: Ctx, Form(f): Form<CodeForm>) -> Page {
    send(ctx, f, Confirmation::Reactivate).await
}

async fn revoke_send(ctx: Ctx, Form(f): Form<CodeForm>) -> Page {
    send(ctx, f, Confirmation::Revoke).await
}

async fn reactivate(ctx: Ctx, Form(f): Form<CodeForm>) -> Page {
    let s = Signed::post(ctx, &f.csrf).await?;
    let service = s.service().clone();
    match service
        .confirm_with_code(&s.session, Confirmation::Reactivate, &f.code)
        .await
    {
        Ok(_) => Ok(s.redirect_with("/selfcare", "reactivated")),
        Err(e) => refused(s, e).await,
    }
}

async fn revoke(ctx: Ctx, Form(f): Form<CodeForm>) -> Page {
    let s = Signed::post(ctx, &f.csrf).await?;
    let service = s.service().clone();
    match service
        .confirm_with_code(&s.session, Confirmation::Revoke, &f.code)
        .await
    {
        Ok(_) => Ok(signed_out(
            s.ctx,
            L("Identità revocata", "Identity revoked"),
            L(
                "La tua identità digitale è revocata, con tutte le sue credenziali. Ti abbiamo avvisato per email.",
                "Your digital identity is revoked, with all its credentials. We told you by email.",
            ),
        )),
        Err(e) => refused(s, e).await,
    }
}
