//! Errors tied to input fields: the registration form and the JSON API check the
//! same input the same way, and show each error beside its field (pages) or list
//! them by field name (API).

use identity_core::i18n::{Lang, Localized};

/// One input field's error.
pub struct FieldError {
    /// The field's name, as in the form and the API (`tax_code`, `email_confirm`).
    pub field: &'static str,
    error: Box<dyn Localized + Send + Sync>,
}

impl FieldError {
    /// An error of `field`.
    pub fn new(field: &'static str, error: impl Localized + Send + Sync + 'static) -> FieldError {
        FieldError {
            field,
            error: Box::new(error),
        }
    }

    /// The message in `lang`.
    #[must_use]
    pub fn message(&self, lang: Lang) -> String {
        self.error.message(lang)
    }
}

impl std::fmt::Debug for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.error.message(Lang::En))
    }
}

/// The errors of a whole form, in the order the fields appear.
#[derive(Debug, Default)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// No errors yet.
    #[must_use]
    pub fn new() -> FieldErrors {
        FieldErrors::default()
    }

    /// Adds an error of `field` (only the first error of each field is kept: one
    /// message beside a field is clearer than a list).
    pub fn add(&mut self, field: &'static str, error: impl Localized + Send + Sync + 'static) {
        if self.get(field).is_none() {
            self.0.push(FieldError::new(field, error));
        }
    }

    /// Keeps the value of `result`, or records its error under `field`.
    pub fn check<T, E: Localized + Send + Sync + 'static>(
        &mut self,
        field: &'static str,
        result: Result<T, E>,
    ) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e);
                None
            }
        }
    }

    /// The error of `field`, if any.
    #[must_use]
    pub fn get(&self, field: &str) -> Option<&FieldError> {
        self.0.iter().find(|e| e.field == field)
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every error, in order.
    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }

    /// `Ok(value)` when there are no errors.
    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value())
        } else {
            Err(self)
        }
    }
}

/// A plain message, for rules that have no error type of their own.
#[derive(Debug, Clone)]
pub struct Message {
    it: &'static str,
    en: &'static str,
}

impl Message {
    /// A message in both languages.
    #[must_use]
    pub const fn new(it: &'static str, en: &'static str) -> Message {
        Message { it, en }
    }
}

impl Localized for Message {
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::It => self.it.to_owned(),
            Lang::En => self.en.to_owned(),
        }
    }
}

/// The summary of a form sent back with field errors.
pub const FIX_FIELDS: Message = Message::new(
    "Alcuni dati non sono corretti: correggi i campi indicati.",
    "Some data is not right: please fix the fields shown.",
);

/// The holder is unknown (or its account is closed).
pub const HOLDER_NOT_FOUND: Message = Message::new("Anagrafica non trovata.", "Holder not found.");

/// "This field is required."
pub const REQUIRED: Message = Message::new("Campo obbligatorio.", "This field is required.");

/// The message for a storage or hashing failure: nothing the user can fix.
pub const TEMPORARY: Message = Message::new(
    "Si è verificato un errore temporaneo. Riprova tra poco.",
    "A temporary error occurred. Please try again shortly.",
);

/// "The two passwords do not match."
pub const PASSWORDS_DIFFER: Message = Message::new(
    "Le due password non coincidono.",
    "The two passwords do not match.",
);

/// The errors of a new password typed twice: required, the same twice, and the
/// policy's composition and personal-data rules (`ctx`). History is the caller's.
#[must_use]
pub fn new_password_errors(
    policy: &identity_core::PasswordPolicy,
    password: &str,
    confirm: &str,
    ctx: &identity_core::PasswordContext<'_>,
) -> FieldErrors {
    let mut errors = FieldErrors::new();
    if password.is_empty() {
        errors.add("password", REQUIRED);
    } else if password != confirm {
        errors.add("password_confirm", PASSWORDS_DIFFER);
    } else if let Err(v) = policy.check(password, ctx) {
        errors.add("password", crate::usecases::register_input::Joined(v));
    }
    errors
}

/// Too many codes were sent to the holder in the last hour.
pub const TOO_MANY_CODES: Message = Message::new(
    "Ti abbiamo già inviato troppi codici nell'ultima ora: riprova più tardi.",
    "We already sent you too many codes in the last hour: try again later.",
);

/// The SMS code that confirms a new mobile phone is wrong, used or expired.
pub const PHONE_CODE_REFUSED: Message = Message::new(
    "Codice errato o scaduto: controlla l'SMS o salva di nuovo il numero per riceverne un altro.",
    "Wrong or expired code: check the SMS, or save the number again to get another one.",
);
