//! Words for the use cases' outcomes: sign-in, passwords, email verification,
//! recovery, logins, contacts, account closure, corrections, the identity and
//! the selfcare. An infrastructure failure is "a temporary error" (or "busy").

use identity_service::InfraError;
use identity_service::forms::InputRule;
use identity_service::usecases::closure::CloseAccountError;
use identity_service::usecases::contacts::{ContactsError, ReauthError};
use identity_service::usecases::corrections::CorrectionOpError;
use identity_service::usecases::email::VerifyEmailError;
use identity_service::usecases::identity::IdentityError;
use identity_service::usecases::login_lifecycle::LoginChangeError;
use identity_service::usecases::new_login::CreateLoginError;
use identity_service::usecases::password::ChangePasswordError;
use identity_service::usecases::recovery::RecoveryError;
use identity_service::usecases::register::RegisterError;
use identity_service::usecases::register_input::RegisterInputError;
use identity_service::usecases::selfcare::authenticator::CredentialError;
use identity_service::usecases::selfcare::emergency::EmergencyError;
use identity_service::usecases::selfcare::lifecycle::OwnIdentityError;
use identity_service::usecases::selfcare::sign_in::SelfcareSignInError;
use identity_service::usecases::sign_in::SignInError;

use crate::forms::FIX_FIELDS;
use crate::{L, Lang, Words};

/// A failure that is nobody's doing.
pub const TEMPORARY: L = L(
    "Si è verificato un errore temporaneo. Riprova tra poco.",
    "A temporary error occurred. Please try again shortly.",
);

/// Password checking at capacity (a flood of sign-ins).
pub const BUSY: L = L(
    "Il servizio è molto richiesto in questo momento: riprova tra qualche secondo.",
    "The service is very busy right now: try again in a few seconds.",
);

/// The holder is unknown (or its account is closed).
pub const HOLDER_NOT_FOUND: L = L("Anagrafica non trovata.", "Holder not found.");

/// Too many codes were sent to the holder in the last hour.
pub const TOO_MANY_CODES: L = L(
    "Ti abbiamo già inviato troppi codici nell'ultima ora: riprova più tardi.",
    "We already sent you too many codes in the last hour: try again later.",
);

/// The SMS code that confirms a new mobile phone is wrong, used or expired.
pub const PHONE_CODE_REFUSED: L = L(
    "Codice errato o scaduto: controlla l'SMS o salva di nuovo il numero per riceverne un altro.",
    "Wrong or expired code: check the SMS, or save the number again to get another one.",
);

impl Words for InfraError {
    fn words(&self, lang: Lang) -> String {
        infra(self, lang)
    }
}

/// "Busy" when the password hasher is at capacity, else "a temporary error".
fn infra(e: &InfraError, lang: Lang) -> String {
    if e.is_busy() { BUSY } else { TEMPORARY }.text(lang)
}

impl Words for SignInError {
    fn words(&self, lang: Lang) -> String {
        match self {
            SignInError::InvalidCredentials => L(
                "Login o password non corretti.".into(),
                "Incorrect login id or password.".into(),
            )
            .get(lang),
            SignInError::Infra(e) => infra(e, lang),
        }
    }
}

impl Words for ChangePasswordError {
    fn words(&self, lang: Lang) -> String {
        match self {
            ChangePasswordError::WrongPassword => L(
                "Password attuale non corretta.",
                "The current password is not right.",
            )
            .text(lang),
            ChangePasswordError::Invalid(_) => L(
                "La nuova password non è valida: correggi i campi indicati.",
                "The new password is not valid: please fix the fields shown.",
            )
            .text(lang),
            ChangePasswordError::Infra(e) => infra(e, lang),
        }
    }
}

impl Words for VerifyEmailError {
    fn words(&self, lang: Lang) -> String {
        match self {
            VerifyEmailError::InvalidCode => L(
                "Il codice non è valido o è scaduto. Puoi chiederne uno nuovo.",
                "The code is not valid or has expired. You can ask for a new one.",
            )
            .text(lang),
            VerifyEmailError::Stale => L(
                "Questa modifica non è più applicabile.",
                "This change can no longer be applied.",
            )
            .text(lang),
            VerifyEmailError::Infra(e) => infra(e, lang),
        }
    }
}

impl Words for RecoveryError {
    fn words(&self, lang: Lang) -> String {
        match self {
            RecoveryError::Invalid(_) => FIX_FIELDS.text(lang),
            RecoveryError::RateLimited => L(
                "Troppe richieste da questa rete. Riprova tra un'ora.",
                "Too many requests from this network. Please try again in an hour.",
            )
            .text(lang),
            RecoveryError::InvalidCode => L(
                "Il codice non è valido o è scaduto: chiedine uno nuovo.",
                "The code is not valid or has expired: ask for a new one.",
            )
            .text(lang),
            RecoveryError::Infra(e) => infra(e, lang),
        }
    }
}

impl Words for CreateLoginError {
    fn words(&self, lang: Lang) -> String {
        match self {
            CreateLoginError::Invalid(_) => L(
                "La password non è valida: correggi i campi indicati.",
                "The password is not valid: please fix the fields shown.",
            )
            .text(lang),
            CreateLoginError::EmailNotVerified => EMAIL_NOT_VERIFIED.text(lang),
            CreateLoginError::TooMany => L(
                "Hai raggiunto il numero massimo di login.",
                "You have reached the maximum number of logins.",
            )
            .text(lang),
            CreateLoginError::NotFound => HOLDER_NOT_FOUND.text(lang),
            CreateLoginError::Infra(e) => infra(e, lang),
        }
    }
}

impl Words for LoginChangeError {
    fn words(&self, lang: Lang) -> String {
        match self {
            LoginChangeError::NotFound => {
                L("Login non trovata.".into(), "Login not found.".into()).get(lang)
            }
            LoginChangeError::Refused(e) => e.words(lang),
            LoginChangeError::IdentityUsername => L("Questa login è il nome utente della tua identità digitale: non puoi disattivarla né cancellarla.".into(), "This login is the username of your digital identity: it cannot be disabled or deleted.".into()).get(lang),
            LoginChangeError::Infra(e) => infra(e, lang),
        }
    }
}

/// Shown when an unverified holder tries anything beyond viewing its data.
pub(crate) const EMAIL_NOT_VERIFIED: L = L(
    "Prima conferma il tuo indirizzo email con il codice che ti abbiamo inviato.",
    "First confirm your email address with the code we sent you.",
);

impl Words for ContactsError {
    fn words(&self, lang: Lang) -> String {
        match self {
            ContactsError::Invalid(_) => FIX_FIELDS.text(lang),
            ContactsError::ReauthRequired => L("Hai un'identità digitale: per cambiare email, telefono o PEC conferma prima la tua identità.", "You hold a digital identity: to change email, phone or PEC, confirm your identity first.").text(lang),
            ContactsError::EmailNotVerified => EMAIL_NOT_VERIFIED.text(lang),
            ContactsError::RateLimited => TOO_MANY_CODES.text(lang),
            ContactsError::NotFound => {
                HOLDER_NOT_FOUND.text(lang)
            }
            ContactsError::Infra(e) => infra(e, lang),
        }
    }
}
impl Words for ReauthError {
    fn words(&self, lang: Lang) -> String {
        match self {
            ReauthError::Invalid => L("Password non corretta.", "Incorrect password.").text(lang),
            ReauthError::NoSession => L(
                "La sessione è scaduta: accedi di nuovo.",
                "Your session has expired: please sign in again.",
            )
            .text(lang),
            ReauthError::Infra(e) => infra(e, lang),
        }
    }
}

impl Words for CloseAccountError {
    fn words(&self, lang: Lang) -> String {
        match self {
            CloseAccountError::LiveIdentity => L("Hai un'identità digitale non revocata: prima chiedine la revoca dal pannello Selfcare.", "You hold a digital identity that is not revoked: ask for its revocation from the Selfcare panel first.").text(lang),
            CloseAccountError::OpenOrder => L("Hai un ordine in lavorazione: potrai chiudere l'account quando sarà concluso.", "You have an order in progress: you can close the account once it is completed.").text(lang),
            CloseAccountError::NotFound => {
                HOLDER_NOT_FOUND.text(lang)
            }
            CloseAccountError::Infra(e) => infra(e, lang),
        }
    }
}

impl Words for CorrectionOpError {
    fn words(&self, lang: Lang) -> String {
        match self {
            CorrectionOpError::Refused(e) => e.words(lang),
            CorrectionOpError::UnknownField => L("Scegli il dato da correggere.", "Choose the field to correct.").text(lang),
            CorrectionOpError::TooMany => L("Hai già 5 richieste in attesa: attendi che siano decise.", "You already have 5 requests waiting: please wait for them to be decided.").text(lang),
            CorrectionOpError::LiveIdentity => L("Questo dato fa parte della tua identità digitale, riconosciuta con un documento: finché l'identità non è revocata non si può rettificare qui. Rivolgiti all'assistenza per un nuovo riconoscimento.", "This field is part of your digital identity, verified against a document: while the identity is not revoked it cannot be corrected here. Contact support for a new identity proofing.").text(lang),
            CorrectionOpError::NotFound => {
                L("Richiesta non trovata.", "Request not found.").text(lang)
            }
            CorrectionOpError::Infra(e) => infra(e, lang),
        }
    }
}

impl Words for IdentityError {
    fn words(&self, lang: Lang) -> String {
        match self {
            IdentityError::NotAPerson => L("Solo le persone fisiche possono richiedere un'identità digitale.".into(), "Only natural persons can request a digital identity.".into()).get(lang),
            IdentityError::NotTheHoldersLogin => L("Scegli come username una delle tue login attive.".into(), "Choose one of your active logins as the username.".into()).get(lang),
            IdentityError::AlreadyExists => L("Esiste già un'identità digitale per questo codice fiscale.".into(), "A digital identity already exists for this tax code.".into()).get(lang),
            IdentityError::DataUnderReview => L("I tuoi dati anagrafici non corrispondono al codice fiscale e sono in verifica da parte di un operatore: potrai chiedere l'identità digitale quando saranno confermati o corretti.".into(), "Your personal data does not match the tax code and is being checked by an operator: you can request a digital identity once it is confirmed or corrected.".into()).get(lang),
            IdentityError::NotFound => L("Identità non trovata.".into(), "Identity not found.".into()).get(lang),
            IdentityError::RateLimited => TOO_MANY_CODES.text(lang),
            IdentityError::Transition(t) => t.words(lang),
            IdentityError::Infra(e) => infra(e, lang),
        }
    }
}

/// The selfcare's shared outcomes, one text each.
mod selfcare {
    use crate::L;

    pub const INVALID_CREDENTIALS: L = L(
        "I dati inseriti non sono corretti.",
        "The details you entered are not correct.",
    );
    pub const RATE_LIMITED: L = L(
        "Troppi tentativi: riprova tra un'ora.",
        "Too many attempts: try again in an hour.",
    );
    pub const NO_IDENTITY: L = L(
        "Questa login non è lo username di un'identità digitale. Puoi richiederne una dall'area clienti.",
        "This login is not the username of a digital identity. You can request one from the customer area.",
    );
    pub const REVOKED: L = L(
        "L'identità digitale è revocata: la revoca è definitiva. Puoi richiedere una nuova identità dall'area clienti.",
        "The digital identity is revoked: revocation is final. You can request a new identity from the customer area.",
    );
    pub const NOT_ACTIVE: L = L(
        "L'identità digitale non è attiva.",
        "The digital identity is not active.",
    );
    pub const OPERATOR_SUSPENSION: L = L(
        "Questa sospensione è stata decisa da un operatore: per riattivare l'identità contatta l'assistenza.",
        "This suspension was decided by an operator: to reactivate the identity, contact support.",
    );
    pub const NEEDS_FRESH_SIGN_IN: L = L(
        "Per questa operazione accedi di nuovo con le credenziali del livello più alto che hai attivato.",
        "For this operation, sign in again with the highest credential level you have activated.",
    );
    pub const SIGN_IN_EXPIRED: L = L(
        "L'accesso è scaduto: inserisci di nuovo username e password.",
        "The sign-in expired: enter your username and password again.",
    );
}

impl Words for SelfcareSignInError {
    fn words(&self, lang: Lang) -> String {
        match self {
            SelfcareSignInError::Invalid(_) => FIX_FIELDS.text(lang),
            SelfcareSignInError::InvalidCredentials => selfcare::INVALID_CREDENTIALS.text(lang),
            SelfcareSignInError::RateLimited => selfcare::RATE_LIMITED.text(lang),
            SelfcareSignInError::NoIdentity => selfcare::NO_IDENTITY.text(lang),
            SelfcareSignInError::Revoked => selfcare::REVOKED.text(lang),
            SelfcareSignInError::SignInExpired => selfcare::SIGN_IN_EXPIRED.text(lang),
            SelfcareSignInError::Blocked(b) => b.words(lang),
            SelfcareSignInError::Totp(t) => t.words(lang),
            SelfcareSignInError::Level(l) => l.words(lang),
            SelfcareSignInError::Infra(e) => infra(e, lang),
        }
    }
}

impl Words for CredentialError {
    fn words(&self, lang: Lang) -> String {
        match self {
            CredentialError::Invalid(_) => FIX_FIELDS.text(lang),
            CredentialError::NoIdentity => selfcare::NO_IDENTITY.text(lang),
            CredentialError::NotActive => selfcare::NOT_ACTIVE.text(lang),
            CredentialError::NeedsFreshSignIn => selfcare::NEEDS_FRESH_SIGN_IN.text(lang),
            CredentialError::SignInExpired => selfcare::SIGN_IN_EXPIRED.text(lang),
            CredentialError::Totp(t) => t.words(lang),
            CredentialError::Level(l) => l.words(lang),
            CredentialError::Infra(e) => infra(e, lang),
        }
    }
}

impl Words for EmergencyError {
    fn words(&self, lang: Lang) -> String {
        match self {
            EmergencyError::Invalid(_) => FIX_FIELDS.text(lang),
            EmergencyError::InvalidCredentials => selfcare::INVALID_CREDENTIALS.text(lang),
            EmergencyError::RateLimited => selfcare::RATE_LIMITED.text(lang),
            EmergencyError::NoIdentity => selfcare::NO_IDENTITY.text(lang),
            EmergencyError::NotActive => selfcare::NOT_ACTIVE.text(lang),
            EmergencyError::Transition(t) => t.words(lang),
            EmergencyError::Infra(e) => infra(e, lang),
        }
    }
}

impl Words for OwnIdentityError {
    fn words(&self, lang: Lang) -> String {
        match self {
            OwnIdentityError::Invalid(_) => FIX_FIELDS.text(lang),
            OwnIdentityError::InvalidCredentials => selfcare::INVALID_CREDENTIALS.text(lang),
            OwnIdentityError::RateLimited => selfcare::RATE_LIMITED.text(lang),
            OwnIdentityError::NoIdentity => selfcare::NO_IDENTITY.text(lang),
            OwnIdentityError::Revoked => selfcare::REVOKED.text(lang),
            OwnIdentityError::NotActive => selfcare::NOT_ACTIVE.text(lang),
            OwnIdentityError::OperatorSuspension => selfcare::OPERATOR_SUSPENSION.text(lang),
            OwnIdentityError::NeedsFreshSignIn => selfcare::NEEDS_FRESH_SIGN_IN.text(lang),
            OwnIdentityError::Transition(t) => t.words(lang),
            OwnIdentityError::Infra(e) => infra(e, lang),
        }
    }
}

impl Words for RegisterError {
    fn words(&self, lang: Lang) -> String {
        match self {
            RegisterError::Password(v) => crate::joined(v, lang),
            RegisterError::TaxCodeMismatch(v) => crate::joined(v, lang),
            RegisterError::BirthDateInFuture => InputRule::BirthDateInFuture.words(lang),
            RegisterError::Infra(e) => infra(e, lang),
        }
    }
}

impl Words for RegisterInputError {
    fn words(&self, lang: Lang) -> String {
        match self {
            RegisterInputError::Mismatch(_) => L(
                "Il codice fiscale non corrisponde ai dati indicati. Correggi i dati oppure, se sono esattamente quelli del tuo tesserino del codice fiscale, confermali: li verificherà un operatore e fino ad allora non potrai chiedere l'identità digitale.",
                "The tax code does not match the data given. Fix the data or, if they are exactly as on your tax code card, confirm them: an operator will check them, and until then you cannot request a digital identity.",
            )
            .text(lang),
            RegisterInputError::Invalid(_) => FIX_FIELDS.text(lang),
            RegisterInputError::RateLimited => L(
                "Troppe registrazioni da questa rete. Riprova tra un'ora.",
                "Too many registrations from this network. Please try again in an hour.",
            )
            .text(lang),
            RegisterInputError::Infra(e) => infra(e, lang),
        }
    }
}
