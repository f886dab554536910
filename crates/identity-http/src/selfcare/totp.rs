//! Enrolling the authenticator app (level 2): a QR code drawn here as SVG (no
//! outside service sees the secret), the manual key, and a first code from the
//! app that proves the enrolment worked.

use askama::Template;
use axum::Router;
use axum::extract::Form;
use axum::routing::get;
use identity_service::usecases::selfcare::authenticator::CredentialError;
use identity_service::{InfraError, Outcome as _};
use identity_words::Words;

use super::{Frame, Signed, signed_out};
use crate::AppState;
use crate::form::{Field, FieldMessages, Fieldset, attach_errors, error_summary};
use crate::web::{Chrome, Ctx, Page, see_other};
use identity_words::L;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/selfcare/credentials/totp", get(show).post(confirm))
        .route(
            "/selfcare/credentials/totp/start",
            axum::routing::post(start),
        )
}

#[derive(Template)]
#[template(path = "selfcare_totp.html")]
struct TotpPage {
    c: Chrome,
    f: Frame,
    notices: Vec<String>,
    title: &'static str,
    step_app: &'static str,
    step_scan: &'static str,
    qr_svg: String,
    qr_caption: &'static str,
    manual_label: &'static str,
    manual_key: String,
    manual_key_grouped: String,
    step_code: &'static str,
    submit: &'static str,
    sets: Vec<Fieldset>,
    summary: Vec<(String, String)>,
}

/// The QR code of `uri` as an SVG document fragment.
fn qr_svg(uri: &str) -> Option<String> {
    let code = qrcode::QrCode::new(uri.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(220, 220)
            .quiet_zone(true)
            .build(),
    )
}

async fn render(mut s: Signed, errors: &FieldMessages, notices: Vec<String>) -> Page {
    let lang = s.lang();
    let service = s.service().clone();
    // Showing the page changes nothing: the enrolment was started by a POST.
    let enrolment = match service.totp_enrolment(&s.session).await.outcome()? {
        Ok(Some(e)) => e,
        Ok(None) => return Ok(see_other("/selfcare/credentials")),
        Err(refused) => {
            // Not possible now (already active, stale sign-in, identity not active).
            let msg = refused.words(lang);
            return super::credentials::render(s, &FieldMessages::new(), vec![msg]).await;
        }
    };
    let Some(svg) = qr_svg(&enrolment.uri) else {
        return Err(InfraError::Config("the QR code could not be drawn").into());
    };
    // The XML prolog is not allowed inside HTML.
    let svg = svg
        .find("<svg")
        .map_or(svg.clone(), |i| svg[i..].to_owned());
    let grouped = enrolment
        .manual_key
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    let mut sets = vec![Fieldset::new(
        L("Primo codice", "First code"),
        lang,
        vec![
            Field::new(
                "code",
                L("Codice dell'app", "Code from the app"),
                "text",
                lang,
            )
            .hint(
                L(
                    "Le 6 cifre mostrate ora dall'app.",
                    "The 6 digits the app shows now.",
                )
                .get(lang),
            )
            .autocomplete("one-time-code"),
        ],
    )];
    let mut notices = notices;
    notices.extend(attach_errors(&mut sets, errors, lang));
    let summary = error_summary(&sets);
    let failed = !summary.is_empty() || !notices.is_empty();
    let f = Frame::new(&mut s, "/selfcare/credentials");
    let c = s.ctx.selfcare_chrome(true);
    let page = TotpPage {
        c,
        f,
        notices,
        title: L("Attiva il livello 2", "Activate level 2").get(lang),
        step_app: L(
            "Installa sul telefono un'app di autenticazione (per esempio FreeOTP, Aegis, Google Authenticator o Microsoft Authenticator).",
            "Install an authenticator app on your phone (for example FreeOTP, Aegis, Google Authenticator or Microsoft Authenticator).",
        ).get(lang),
        step_scan: L("Inquadra il codice QR con l'app.", "Scan the QR code with the app.").get(lang),
        qr_svg: svg,
        qr_caption: L("Codice QR per l'app di autenticazione", "QR code for the authenticator app").get(lang),
        manual_label: L("Se non puoi inquadrarlo, inserisci a mano questa chiave:", "If you cannot scan it, type this key by hand:").get(lang),
        manual_key: enrolment.manual_key.clone(),
        manual_key_grouped: grouped,
        step_code: L("Inserisci il codice che l'app mostra ora per confermare.", "Enter the code the app shows now to confirm.").get(lang),
        submit: L("Attiva", "Activate").get(lang),
        sets,
        summary,
    };
    Ok(s.ctx.form_page(&page, failed))
}

async fn show(ctx: Ctx) -> Page {
    render(Signed::from(ctx).await?, &FieldMessages::new(), Vec::new()).await
}

/// Starts the enrolment (a new secret, kept sealed until confirmed), then shows it.
async fn start(ctx: Ctx, Form(f): Form<CodeForm>) -> Page {
    let s = Signed::post(ctx, &f.csrf).await?;
    let lang = s.lang();
    let service = s.service().clone();
    match service.start_totp_enrolment(&s.session).await.outcome()? {
        Ok(_) => Ok(see_other("/selfcare/credentials/totp")),
        Err(refused) => {
            let msg = refused.words(lang);
            super::credentials::render(s, &FieldMessages::new(), vec![msg]).await
        }
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct CodeForm {
    csrf: String,
    code: String,
}

async fn confirm(ctx: Ctx, Form(f): Form<CodeForm>) -> Page {
    let s = Signed::post(ctx, &f.csrf).await?;
    let lang = s.lang();
    let service = s.service().clone();
    match service
        .confirm_totp_enrolment(&s.session, &f.code)
        .await
        .outcome()?
    {
        Ok(()) => Ok(signed_out(
            s.ctx,
            L("Livello 2 attivo", "Level 2 active"),
            L(
                "L'app di autenticazione è collegata. Da ora, per accedere, dopo la password ti chiederemo il codice dell'app. Accedi di nuovo.",
                "The authenticator app is linked. From now on, after the password we ask for the code from the app. Sign in again.",
            ),
        )),
        Err(CredentialError::SignInExpired) => Ok(see_other("/selfcare/credentials")),
        Err(refused @ CredentialError::Totp(_)) => {
            let mut errors = FieldMessages::new();
            errors.add("code", refused);
            render(s, &errors, Vec::new()).await
        }
        Err(refused) => render(s, &FieldMessages::new(), vec![refused.words(lang)]).await,
    }
}
