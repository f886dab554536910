//! Words for the credentials: the password policy, the authenticator's one-time
//! codes, and the credential levels.

use identity_core::credentials::totp::TotpError;
use identity_core::credentials::{LevelTransitionError, SignInBlocked};
use identity_core::password_policy::PasswordViolation;

use crate::{L, Lang, Words};

impl Words for PasswordViolation {
    fn words(&self, lang: Lang) -> String {
        match self {
            PasswordViolation::TooShort { min, len } => L(format!("La password è troppo corta: {len} caratteri, ne servono almeno {min}."), format!("The password is too short: {len} characters, at least {min} are required.")).get(lang),
            PasswordViolation::TooLong { max, len } => L(format!("La password è troppo lunga: {len} caratteri, al massimo {max}."), format!("The password is too long: {len} characters, at most {max} are allowed.")).get(lang),
            PasswordViolation::MissingUppercase => L("La password deve contenere almeno una lettera maiuscola.".into(), "The password must contain at least one upper-case letter.".into()).get(lang),
            PasswordViolation::MissingLowercase => L("La password deve contenere almeno una lettera minuscola.".into(), "The password must contain at least one lower-case letter.".into()).get(lang),
            PasswordViolation::MissingDigit => L("La password deve contenere almeno una cifra (0-9).".into(), "The password must contain at least one digit (0-9).".into()).get(lang),
            PasswordViolation::MissingSpecial => L("La password deve contenere almeno un carattere speciale (ad es. ! ? # @ _ -).".into(), "The password must contain at least one special character (e.g. ! ? # @ _ -).".into()).get(lang),
            PasswordViolation::RepeatedCharacters { ch, max } => L(format!("La password non può ripetere il carattere '{ch}' più di {max} volte di seguito."), format!("The password must not repeat the character '{ch}' more than {max} times in a row.")).get(lang),
            PasswordViolation::ContainsWhitespace => L("La password non può contenere spazi o altri caratteri vuoti.".into(), "The password must not contain spaces or other blank characters.".into()).get(lang),
            PasswordViolation::InvalidCharacter { code } => L(format!("La password contiene un carattere invisibile o di controllo (U+{code:04X}) non ammesso."), format!("The password contains an invisible or control character (U+{code:04X}) that is not allowed.")).get(lang),
            PasswordViolation::ContainsName => L("La password non può contenere il tuo nome o cognome.".into(), "The password must not contain your given name or family name.".into()).get(lang),
            PasswordViolation::ContainsTaxCode => L("La password non può contenere il tuo codice fiscale.".into(), "The password must not contain your tax code.".into()).get(lang),
            PasswordViolation::ContainsLoginNumber => L("La password non può contenere il tuo numero di login (nome utente).".into(), "The password must not contain your login number (username).".into()).get(lang),
            PasswordViolation::ContainsBirthDate => L("La password non può contenere la tua data di nascita, in nessuna forma (ad es. 01021980, 01/02/80).".into(), "The password must not contain your date of birth in any form (e.g. 01021980, 01/02/80).".into()).get(lang),
            PasswordViolation::RecentlyUsed { last, months } => L(format!(
                    "La password deve essere diversa dalle tue ultime {last} password e da quelle usate negli ultimi {months} mesi."
                ), format!(
                    "The password must differ from your last {last} passwords and from any password used in the last {months} months."
                )).get(lang),
        }
    }
}

impl Words for TotpError {
    fn words(&self, lang: Lang) -> String {
        match self {
            TotpError::Malformed => L("Il codice deve essere di 6 cifre.".into(), "The code must be 6 digits.".into()).get(lang),
            TotpError::WrongCode { attempts_left } => L(format!("Codice errato. Tentativi rimasti prima del blocco del livello 2: {attempts_left}."), format!("Wrong code. Attempts left before level 2 is blocked: {attempts_left}.")).get(lang),
            TotpError::Replayed => L("Questo codice è già stato usato: attendi il prossimo codice dell'app.".into(), "This code was already used: wait for the next code in the app.".into()).get(lang),
            TotpError::Blocked => L("Troppi codici errati: il livello 2 è bloccato. Sbloccalo con un codice via email o con il codice di emergenza.".into(), "Too many wrong codes: level 2 is blocked. Unblock it with a code sent by email or with the emergency code.".into()).get(lang),
        }
    }
}

impl Words for LevelTransitionError {
    fn words(&self, lang: Lang) -> String {
        match self {
            LevelTransitionError::Revoked => L("Le credenziali sono revocate e non possono essere modificate.".into(), "The credentials are revoked and cannot be changed.".into()).get(lang),
            LevelTransitionError::RequiresLevel1(l) => L(format!(
                    "Per attivare il livello {} serve prima una password (livello 1) attiva.",
                    l.as_u8()
                ), format!(
                    "Level {} needs an active password (level 1) first.",
                    l.as_u8()
                )).get(lang),
            LevelTransitionError::AlreadyActive(l) => L(format!("Il livello {} è già attivo.", l.as_u8()), format!("Level {} is already active.", l.as_u8())).get(lang),
            LevelTransitionError::Blocked(l) => L(format!(
                    "Il livello {} è bloccato: sbloccalo con un codice inviato via email o con il codice di emergenza.",
                    l.as_u8()
                ), format!(
                    "Level {} is blocked: unblock it with a code sent by email or with the emergency code.",
                    l.as_u8()
                )).get(lang),
            LevelTransitionError::NotActive(l) => L(format!("Il livello {} non è attivo.", l.as_u8()), format!("Level {} is not active.", l.as_u8())).get(lang),
            LevelTransitionError::NotBlocked(l) => L(format!("Il livello {} non è bloccato.", l.as_u8()), format!("Level {} is not blocked.", l.as_u8())).get(lang),
            LevelTransitionError::CannotBlockLevel1 => L("La password (livello 1) non può essere bloccata.".into(), "The password (level 1) cannot be blocked.".into()).get(lang),
            LevelTransitionError::CannotRemoveLevel1 => L("La password (livello 1) non può essere rimossa.".into(), "The password (level 1) cannot be removed.".into()).get(lang),
            LevelTransitionError::Inconsistent => L("Lo stato delle credenziali non è coerente.".into(), "The credential states are inconsistent.".into()).get(lang),
        }
    }
}
impl Words for SignInBlocked {
    fn words(&self, lang: Lang) -> String {
        match self {
            SignInBlocked::LevelBlocked(l) => L(format!(
                    "Le credenziali di livello {} sono bloccate: sbloccale con un codice inviato via email o con il codice di emergenza.",
                    l.as_u8()
                ), format!(
                    "Your level {} credential is blocked: unblock it with a code sent by email or with the emergency code.",
                    l.as_u8()
                )).get(lang),
            SignInBlocked::LevelNotActive(l) => L(format!("Non hai attivato credenziali di livello {}.", l.as_u8()), format!("You have not activated a level {} credential.", l.as_u8())).get(lang),
            SignInBlocked::Revoked => L("Le credenziali sono revocate.".into(), "The credentials are revoked.".into()).get(lang),
            SignInBlocked::NoCredential => L("Non è ancora stata impostata una password.".into(), "No password has been set yet.".into()).get(lang),
        }
    }
}
