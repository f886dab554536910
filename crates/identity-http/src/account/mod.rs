//! The customer area ("area clienti"): one router per section, a shared frame
//! (section navigation, the email-verification banner, the message left by the
//! last action), and the rule that a holder whose email is not verified yet can
//! only look at its data and ask for the verification again.

mod close;
pub(crate) mod contacts;
mod corrections;
mod identity;
mod logins;
mod orders;
pub(crate) mod overview;
mod password;
mod privacy;
mod sign_in;
mod verify;

use axum::Router;
use axum::response::Response;
use axum_extra::extract::cookie::SameSite;
use identity_core::password_policy::PasswordAge;
use identity_core::{Holder, Lang, Session};
use identity_service::usecases::sessions::SessionToken;

use crate::AppState;
use crate::web::{Ctx, PageError, cookie, see_other};
use identity_words::L;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .merge(sign_in::router())
        .merge(overview::router())
        .merge(verify::router())
        .merge(contacts::router())
        .merge(privacy::router())
        .merge(logins::router())
        .merge(corrections::router())
        .merge(orders::router())
        .merge(identity::router())
        .merge(close::router())
        .merge(password::router())
}

/// Cookie carrying the outcome of the last action to the page after the redirect.
const FLASH_COOKIE: &str = "flash";

/// A request from a signed-in holder.
pub(crate) struct Signed {
    pub ctx: Ctx,
    pub session: Session,
    pub token: SessionToken,
    /// Days until the password expires, when a warning is due (7 days or fewer).
    pub password_days_left: Option<u32>,
}

impl Signed {
    /// The signed-in holder's request, or a redirect to the sign-in page.
    /// An expired password sends every page but the password change there.
    pub(crate) async fn from(ctx: Ctx) -> Result<Signed, PageError> {
        let Some((session, token)) = ctx.session().await else {
            return Err(see_other("/account/sign-in").into());
        };
        let age = ctx.service().password_age(session.login).await?;
        let password_days_left = match age {
            PasswordAge::Expired if !ctx.path.starts_with(password::PATH) => {
                // A level-2/3 identity's username changes its password in the
                // selfcare: send it there rather than to a page that refuses.
                let here = ctx
                    .service()
                    .customer_area_may_change_password(session.holder_id, session.login)
                    .await?;
                return Err(if here {
                    see_other(password::PATH)
                } else {
                    expired_at_selfcare(ctx)
                }
                .into());
            }
            PasswordAge::ExpiresSoon { days_left } => Some(days_left),
            _ => None,
        };
        Ok(Signed {
            ctx,
            session,
            token,
            password_days_left,
        })
    }

    /// The use cases.
    pub(crate) fn service(&self) -> &identity_service::Service {
        self.ctx.service()
    }

    pub(crate) fn lang(&self) -> Lang {
        self.ctx.lang
    }

    /// Redirects to `to`, leaving `flash` (a message code) for that page.
    pub(crate) fn redirect_with(mut self, to: &str, flash: &'static str) -> Response {
        self.ctx.set_flash(FLASH_COOKIE, flash);
        self.ctx.respond(see_other(to))
    }

    /// Forgets the session cookie (the session already ended on the server) and
    /// shows a message with a link onwards: after closing the account or changing
    /// the password.
    pub(crate) fn signed_out_page(mut self, title: L, message: L, link: (&str, L)) -> Response {
        let secure = self.ctx.state.secure();
        self.ctx.jar = std::mem::take(&mut self.ctx.jar).remove(cookie(
            crate::web::SESSION_COOKIE,
            String::new(),
            secure,
            SameSite::Lax,
        ));
        let c = self.ctx.chrome(false);
        self.ctx.message(c, title, message, Some(link))
    }

    /// The signed-in holder.
    pub(crate) async fn holder(&self) -> Result<Holder, PageError> {
        Ok(self.service().holder(self.session.holder_id).await?)
    }
}

/// For a level-2/3 identity's username whose password expired: where to change it.
fn expired_at_selfcare(mut ctx: Ctx) -> Response {
    let c = ctx.chrome(true);
    ctx.message(
        c,
        L("Password scaduta", "Password expired"),
        L(
            "La password di questa login è scaduta. È lo username della tua identità digitale, che usa credenziali di livello 2 o 3: cambiala dal Selfcare, dopo l'accesso con il secondo fattore.",
            "This login's password has expired. It is your digital identity's username, which uses level 2 or 3 credentials: change it from the Selfcare, after signing in with the second factor.",
        ),
        Some(("/selfcare/sign-in", L("Vai al Selfcare", "Go to the Selfcare"))),
    )
}

/// The sections of the customer area, in the navigation's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    Overview,
    Contacts,
    Privacy,
    Logins,
    Corrections,
    Orders,
    Password,
    Identity,
    Close,
}

impl Section {
    const ALL: [Section; 9] = [
        Section::Overview,
        Section::Identity,
        Section::Contacts,
        Section::Logins,
        Section::Password,
        Section::Privacy,
        Section::Corrections,
        Section::Orders,
        Section::Close,
    ];

    fn href(self) -> &'static str {
        match self {
            Section::Overview => "/account",
            Section::Contacts => "/account/contacts",
            Section::Privacy => "/account/privacy",
            Section::Logins => "/account/logins",
            Section::Corrections => "/account/corrections",
            Section::Orders => "/account/orders",
            Section::Password => password::PATH,
            Section::Identity => "/account/identity",
            Section::Close => "/account/close",
        }
    }

    pub(crate) fn title(self) -> L {
        match self {
            Section::Overview => L("Dati intestatario", "Holder data"),
            Section::Contacts => L("Modifica dati", "Edit details"),
            Section::Privacy => L("Privacy e comunicazioni", "Privacy and communications"),
            Section::Logins => L("Le tue login", "Your logins"),
            Section::Corrections => L("Richieste di rettifica", "Correction requests"),
            Section::Orders => L("Ordini", "Orders"),
            Section::Password => L("Password", "Password"),
            Section::Identity => L("Identità digitale", "Digital identity"),
            Section::Close => L("Chiudi l'account", "Close the account"),
        }
    }
}

/// What every customer-area page shows around its content.
pub(crate) struct Frame {
    pub area: &'static str,
    pub nav_label: &'static str,
    pub nav: Vec<(&'static str, &'static str, bool)>,
    /// The email-not-verified banner, when due.
    pub unverified: Option<Unverified>,
    /// The message of the last action.
    pub flash: Option<String>,
    /// The password-expiry warning, when due.
    pub expiry: Option<String>,
}

/// The banner asking to verify the email, with the resend button.
pub(crate) struct Unverified {
    pub text: &'static str,
    pub resend: &'static str,
}

impl Frame {
    /// The frame of `section`, taking the flash message (it is shown once).
    pub(crate) fn new(s: &mut Signed, section: Section, holder: &Holder) -> Frame {
        let lang = s.lang();
        let flash = s
            .ctx
            .take_flash(FLASH_COOKIE)
            .and_then(|code| flash_message(&code, lang));
        Frame {
            area: L("Area clienti", "Customer area").get(lang),
            nav_label: L("Sezioni dell'area clienti", "Customer area sections").get(lang),
            nav: Section::ALL
                .iter()
                .map(|x| (x.href(), x.title().get(lang), *x == section))
                .collect(),
            unverified: (!holder.email_verified()).then(|| Unverified {
                text: L(
                    "Conferma il tuo indirizzo email: apri il link che ti abbiamo inviato. Fino ad allora puoi solo consultare i tuoi dati.",
                    "Confirm your email address: open the link we sent you. Until then you can only view your data.",
                )
                .get(lang),
                resend: L("Invia di nuovo il codice", "Send the code again").get(lang),
            }),
            flash,
            expiry: s.password_days_left.map(|days| {
                L(
                    format!("La tua password scade tra {days} giorni: cambiala dalla sezione Password."),
                    format!("Your password expires in {days} days: change it in the Password section."),
                )
                .get(lang)
            }),
        }
    }
}

/// The text of a flash code; unknown codes show nothing.
fn flash_message(code: &str, lang: Lang) -> Option<String> {
    let l = match code {
        "verify_first" => L(
            "Prima conferma il tuo indirizzo email con il codice che ti abbiamo inviato.",
            "First confirm your email address with the code we sent you.",
        ),
        "verification_sent" => L(
            "Ti abbiamo inviato un nuovo codice di conferma.",
            "We sent you a new confirmation code.",
        ),
        "verification_not_sent" => L(
            "Nessun nuovo codice inviato: l'indirizzo è già confermato, o ne hai chiesti troppi nell'ultima ora.",
            "No new code sent: the address is already confirmed, or too many were asked for in the last hour.",
        ),
        "contacts_saved" => L("Dati aggiornati.", "Details updated."),
        "phone_pending" => L(
            "Ti abbiamo inviato un codice per SMS al nuovo cellulare: inseriscilo per completare il cambio.",
            "We sent a code by SMS to the new mobile phone: enter it to complete the change.",
        ),
        "identity_requested" => L(
            "Identità digitale richiesta: ora serve il riconoscimento da parte di un operatore.",
            "Digital identity requested: an operator now needs to verify who you are.",
        ),
        "nothing_changed" => L("Nessuna modifica.", "Nothing changed."),
        "email_pending" => L(
            "Ti abbiamo inviato un codice al nuovo indirizzo email: la modifica avrà effetto quando lo confermerai.",
            "We sent a code to the new email address: the change takes effect once you confirm it.",
        ),
        "reauthenticated" => L(
            "Identità confermata: ora puoi modificare i dati per 10 minuti.",
            "Identity confirmed: you can now change your details for 10 minutes.",
        ),
        "consent_saved" => L("Preferenza registrata.", "Preference saved."),
        "login_disabled" => L("Login disattivata.", "Login disabled."),
        "login_deleted" => L("Login cancellata.", "Login deleted."),
        "correction_opened" => L(
            "Richiesta di rettifica inviata: un operatore la esaminerà e riceverai l'esito per email.",
            "Correction request sent: an operator will review it and you will get the outcome by email.",
        ),
        _ => return None,
    };
    Some(l.get(lang).to_owned())
}

/// A form post of the customer area: signed in, the CSRF token right, and the
/// holder's email verified; otherwise the response to give instead.
pub(crate) async fn action(ctx: Ctx, csrf: &str) -> Result<(Signed, Holder), PageError> {
    let s = signed_post(ctx, csrf).await?;
    require_verified(s).await
}

/// A form post that only needs the session and the CSRF token.
pub(crate) async fn signed_post(ctx: Ctx, csrf: &str) -> Result<Signed, PageError> {
    let s = Signed::from(ctx).await?;
    if !s.ctx.csrf_ok(csrf) {
        return Err(s.ctx.form_expired().into());
    }
    Ok(s)
}

/// For actions: the holder must have verified its email; otherwise back to the
/// overview with a message.
pub(crate) async fn require_verified(s: Signed) -> Result<(Signed, Holder), PageError> {
    let holder = s.holder().await?;
    if holder.email_verified() {
        Ok((s, holder))
    } else {
        Err(s.redirect_with("/account", "verify_first").into())
    }
}
