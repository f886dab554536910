//! The selfcare panel of the digital identity (`/selfcare`), with its own
//! sign-in at the identity's highest credential level, its own session cookie,
//! and the operations the sign-in page offers without signing in. One router per
//! section, merged here; every section shares the frame (navigation, the state
//! banner, the message of the last action).

mod accesses;
mod credentials;
mod emergency_block;
mod forms;
mod identity;
mod keys;
mod profile;
mod recover;
mod sessions;
mod sign_in;
mod totp;

pub(crate) use sign_in::end_selfcare_session;

use axum::Router;
use axum::response::Response;
use axum_extra::extract::cookie::SameSite;
use identity_core::identity::DigitalIdentity;
use identity_core::{Lang, Session, SessionArea};
use identity_service::UseCaseError;
use identity_service::forms::FieldErrors;
use identity_service::ports::IdentityCredentials;
use identity_service::usecases::selfcare::authenticator::CredentialError;
use identity_service::usecases::selfcare::emergency::EmergencyError;
use identity_service::usecases::selfcare::lifecycle::OwnIdentityError;
use identity_service::usecases::selfcare::sign_in::Client;
use identity_service::usecases::selfcare::sign_in::SelfcareSignInError;
use identity_service::usecases::sessions::SessionToken;

pub(crate) use forms::{FormBox, FormsPage};

use crate::AppState;
use crate::form::FieldMessages;
use crate::web::{Ctx, Page, PageError, cookie, see_other};
use identity_words::L;
use identity_words::Words;

/// The selfcare session cookie (apart from the customer area's).
pub(crate) const SELFCARE_COOKIE: &str = "scsid";
/// The cookie of a sign-in waiting for its second factor.
pub(crate) const PENDING_COOKIE: &str = "scpending";
/// The message of the last action, for the page after the redirect.
const FLASH_COOKIE: &str = "scflash";
/// Where the sign-in page is.
pub(crate) const SIGN_IN: &str = "/selfcare/sign-in";

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .merge(sign_in::router())
        .merge(recover::router())
        .merge(emergency_block::router())
        .merge(identity::router())
        .merge(credentials::router())
        .merge(totp::router())
        .merge(keys::router())
        .merge(accesses::router())
        .merge(sessions::router())
        .merge(profile::router())
}

/// Who the web layer says is signing in: address, browser, and the service
/// provider of the authorization request the browser is in, if any.
pub(crate) fn client(ctx: &Ctx) -> (String, Option<String>, Option<String>) {
    let agent = ctx
        .headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let service = crate::oidc::pending_request(ctx).map(|p| p.service_name);
    (ctx.ip.clone(), agent, service)
}

pub(crate) fn as_client<'a>(c: &'a (String, Option<String>, Option<String>)) -> Client<'a> {
    Client {
        ip: Some(c.0.as_str()),
        agent: c.1.as_deref(),
        service: c.2.as_deref(),
    }
}

/// A request signed in to the selfcare.
pub(crate) struct Signed {
    pub ctx: Ctx,
    pub session: Session,
    pub identity: DigitalIdentity,
    pub creds: IdentityCredentials,
}

/// The browser's live selfcare session, if it has one.
pub(crate) async fn selfcare_session(
    ctx: &Ctx,
) -> Result<Option<Session>, identity_service::StoreError> {
    let Some(cookie) = ctx.jar.get(SELFCARE_COOKIE) else {
        return Ok(None);
    };
    let token = SessionToken::from_client(cookie.value());
    Ok(ctx
        .service()
        .session(&token)
        .await?
        .filter(|s| s.area == SessionArea::Selfcare))
}

/// Whether `session` is below the level the selfcare asks of the identity
/// (its highest level, active or blocked).
fn below_selfcare_level(session: &Session, creds: &IdentityCredentials) -> bool {
    use identity_core::credentials::SignInBlocked;
    match creds.levels.required_sign_in_level() {
        Ok(level) | Err(SignInBlocked::LevelBlocked(level)) => session.level < level,
        Err(_) => false,
    }
}

impl Signed {
    /// The use cases.
    pub(crate) fn service(&self) -> &identity_service::Service {
        self.ctx.service()
    }

    /// The signed-in request, or a redirect to the sign-in page.
    pub(crate) async fn from(ctx: Ctx) -> Result<Signed, PageError> {
        let Some(session) = selfcare_session(&ctx).await? else {
            return Err(see_other(SIGN_IN).into());
        };
        // An expired password (level 1) is changed before anything else.
        if ctx.service().password_age(session.login).await? == identity_core::PasswordAge::Expired
            && !ctx.path.starts_with("/selfcare/credentials")
            && !ctx.path.starts_with("/selfcare/password")
        {
            return Err(see_other("/selfcare/credentials#password").into());
        }
        match ctx.service().selfcare_identity(&session).await? {
            // A session opened below the identity's level for a service
            // provider's request (SpidL1 while level 2 is active) is that
            // service's only: the selfcare wants the identity's level.
            Some((_, creds)) if below_selfcare_level(&session, &creds) => {
                Err(see_other(SIGN_IN).into())
            }
            Some((identity, creds)) => Ok(Signed {
                ctx,
                session,
                identity,
                creds,
            }),
            None => Err(see_other(SIGN_IN).into()),
        }
    }

    /// A form post: signed in and the CSRF token right.
    pub(crate) async fn post(ctx: Ctx, csrf: &str) -> Result<Signed, PageError> {
        let s = Signed::from(ctx).await?;
        if !s.ctx.csrf_ok(csrf) {
            return Err(s.ctx.form_expired().into());
        }
        Ok(s)
    }

    pub(crate) fn lang(&self) -> Lang {
        self.ctx.lang
    }

    /// Whether the session is fresh enough for sensitive operations.
    pub(crate) fn fresh(&self) -> bool {
        self.service()
            .selfcare_session_is_fresh(&self.session, &self.creds)
    }

    /// Redirects to `to`, leaving `flash` (a message code) for that page.
    pub(crate) fn redirect_with(mut self, to: &str, flash: &'static str) -> Response {
        self.ctx.set_flash(FLASH_COOKIE, flash);
        self.ctx.respond(see_other(to))
    }

    /// Takes the flash message (shown once).
    pub(crate) fn take_flash(&mut self) -> Option<String> {
        let code = self.ctx.take_flash(FLASH_COOKIE)?;
        flash_message(&code, self.lang())
    }
}

/// What a selfcare operation refused, as a page shows it: field errors beside
/// their fields, anything else on top.
pub(crate) trait Refusal: Words + UseCaseError + Send + Sync + 'static {
    /// The field errors, or the refusal itself when it is not about fields.
    fn fields(self) -> Result<FieldErrors, Self>;
}

macro_rules! refusal {
    ($($error:ident),*) => {
        $(impl Refusal for $error {
            fn fields(self) -> Result<FieldErrors, Self> {
                match self {
                    $error::Invalid(errors) => Ok(errors),
                    other => Err(other),
                }
            }
        })*
    };
}

refusal!(
    SelfcareSignInError,
    CredentialError,
    EmergencyError,
    OwnIdentityError
);

/// Renders `page` with what the service refused: field errors beside their
/// fields, anything else on top; an infrastructure failure renders itself.
pub(crate) fn refused<E: Refusal>(
    ctx: Ctx,
    e: E,
    page: impl FnOnce(Ctx, &FieldMessages, Vec<String>) -> Response,
) -> Page {
    let lang = ctx.lang;
    Ok(match e.outcome()?.fields() {
        Ok(errors) => page(ctx, &errors.into(), Vec::new()),
        Err(other) => page(ctx, &FieldMessages::new(), vec![other.words(lang)]),
    })
}

/// Ends the selfcare cookie and shows a message page (after the session ended on
/// the server: suspension, revocation, a level enrolled or removed).
pub(crate) fn signed_out(mut ctx: Ctx, title: L, message: L) -> Response {
    let secure = ctx.state.secure();
    ctx.jar = std::mem::take(&mut ctx.jar).remove(cookie(
        SELFCARE_COOKIE,
        String::new(),
        secure,
        SameSite::Lax,
    ));
    let c = ctx.selfcare_chrome(false);
    ctx.message(
        c,
        title,
        message,
        Some((SIGN_IN, L("Accedi al Selfcare", "Sign in to the Selfcare"))),
    )
}

/// The sections, in the navigation's order: (path, title).
pub(crate) const SECTIONS: [(&str, L); 5] = [
    ("/selfcare", L("Identità digitale", "Digital identity")),
    ("/selfcare/credentials", L("Credenziali", "Credentials")),
    (
        "/selfcare/profile",
        L("Informazioni utente", "User information"),
    ),
    ("/selfcare/accesses", L("Ultimi accessi", "Last accesses")),
    (
        "/selfcare/sessions",
        L("Sessioni attive", "Active sessions"),
    ),
];

/// What every selfcare page shows around its content.
pub(crate) struct Frame {
    pub area: &'static str,
    pub nav_label: &'static str,
    pub nav: Vec<(&'static str, &'static str, bool)>,
    pub flash: Option<String>,
    /// Who is signed in, and at which level.
    pub who: String,
}

impl Frame {
    pub(crate) fn new(s: &mut Signed, current: &str) -> Frame {
        let lang = s.lang();
        let flash = s.take_flash();
        let username =
            identity_core::LoginId::new(s.session.login, &s.service().config().login_domain);
        Frame {
            area: "Selfcare",
            nav_label: L("Sezioni del Selfcare", "Selfcare sections").get(lang),
            nav: SECTIONS
                .iter()
                .map(|(href, title)| (*href, title.get(lang), *href == current))
                .collect(),
            flash,
            who: L(
                format!("{username} · livello {}", s.session.level.as_u8()),
                format!("{username} · level {}", s.session.level.as_u8()),
            )
            .get(lang),
        }
    }
}

/// The text of a flash code; unknown codes show nothing.
fn flash_message(code: &str, lang: Lang) -> Option<String> {
    let l = match code {
        "code_sent" => L(
            "Ti abbiamo inviato un codice all'email di riferimento: inseriscilo qui sotto.",
            "We sent a code to your reference email: enter it below.",
        ),
        "reactivated" => L(
            "L'identità digitale è di nuovo attiva.",
            "The digital identity is active again.",
        ),
        "notifications_saved" => L(
            "Preferenze delle notifiche salvate.",
            "Notification preferences saved.",
        ),
        "session_ended" => L("Sessione chiusa.", "Session ended."),
        "password_changed" => L("Password cambiata.", "Password changed."),
        "profile_saved" => L("Dati aggiornati.", "Details updated."),
        "email_pending" => L(
            "Ti abbiamo inviato un codice al nuovo indirizzo email: la modifica avrà effetto quando lo confermerai.",
            "We sent a code to the new email address: the change takes effect once you confirm it.",
        ),
        "nothing_changed" => L("Nessuna modifica.", "Nothing changed."),
        "needs_fresh" => L(
            "Per questa operazione accedi di nuovo con le credenziali del livello più alto che hai attivato (l'accesso vale 10 minuti).",
            "For this operation, sign in again with the highest credential level you have activated (the sign-in counts for 10 minutes).",
        ),
        "phone_pending" => L(
            "Ti abbiamo inviato un codice per SMS al nuovo cellulare: inseriscilo per completare il cambio.",
            "We sent a code by SMS to the new mobile phone: enter it to complete the change.",
        ),
        "level2_ready" => L(
            "Il vecchio telefono è stato scollegato. Attiva ora il livello 2 sul nuovo telefono.",
            "The old phone was unlinked. Now activate level 2 on the new phone.",
        ),
        _ => return None,
    };
    Some(l.get(lang).to_owned())
}
