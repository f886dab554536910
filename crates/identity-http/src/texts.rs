//! The interface texts, one struct per language: a text missing in one language is
//! a compile error, not a blank on the page.

use identity_core::Lang;

/// Every text the pages show.
#[derive(Debug)]
pub struct Texts {
    /// The `lang` attribute.
    pub code: &'static str,
    /// Name of the service, in the header.
    pub service_name: &'static str,
    /// "Skip to content" link for keyboard users.
    pub skip_link: &'static str,
    /// The language switch: the other language, in that language.
    pub other_language: &'static str,
    /// Its code.
    pub other_code: &'static str,
    /// Customer-area sign-in heading.
    pub sign_in_title: &'static str,
    /// Login id field.
    pub login_id_label: &'static str,
    /// Help under it.
    pub login_id_hint: &'static str,
    /// Password field.
    pub password_label: &'static str,
    /// Submit.
    pub sign_in_button: &'static str,
    /// Sign-out button.
    pub sign_out_button: &'static str,
    /// Customer area heading.
    pub account_title: &'static str,
    /// Holder data section.
    pub holder_data: &'static str,
    /// Note that identity fields are read-only.
    pub identity_fields_note: &'static str,
    /// Labels of the holder's data.
    pub kind_label: &'static str,
    /// Name.
    pub name_label: &'static str,
    /// Tax code.
    pub tax_code_label: &'static str,
    /// VAT number.
    pub vat_label: &'static str,
    /// Email.
    pub email_label: &'static str,
    /// Phone.
    pub phone_label: &'static str,
    /// Address.
    pub address_label: &'static str,
    /// Logins section.
    pub logins_title: &'static str,
    /// Login status, active.
    pub status_active: &'static str,
    /// Login status, disabled.
    pub status_disabled: &'static str,
    /// The form was stale or forged.
    pub invalid_form: &'static str,
    /// The field is required.
    pub required: &'static str,
}

const IT: Texts = Texts {
    code: "it",
    service_name: "Identità digitale",
    skip_link: "Vai al contenuto",
    other_language: "English",
    other_code: "en",
    sign_in_title: "Accedi all'area clienti",
    login_id_label: "Login",
    login_id_hint: "La login ricevuta per email, ad esempio 123456789@identita.example.it.",
    password_label: "Password",
    sign_in_button: "Accedi",
    sign_out_button: "Esci",
    account_title: "Area clienti",
    holder_data: "Dati anagrafici",
    identity_fields_note: "Nome, cognome, codice fiscale e partita IVA non si possono modificare: per un errore di battitura chiedi una rettifica.",
    kind_label: "Tipologia",
    name_label: "Intestatario",
    tax_code_label: "Codice fiscale",
    vat_label: "Partita IVA",
    email_label: "Email di riferimento",
    phone_label: "Telefono",
    address_label: "Indirizzo",
    logins_title: "Le tue login",
    status_active: "attiva",
    status_disabled: "disattivata",
    invalid_form: "Il modulo è scaduto: riprova.",
    required: "Campo obbligatorio.",
};

const EN: Texts = Texts {
    code: "en",
    service_name: "Digital identity",
    skip_link: "Skip to content",
    other_language: "Italiano",
    other_code: "it",
    sign_in_title: "Sign in to the customer area",
    login_id_label: "Login id",
    login_id_hint: "The login id you received by email, for example 123456789@identita.example.it.",
    password_label: "Password",
    sign_in_button: "Sign in",
    sign_out_button: "Sign out",
    account_title: "Customer area",
    holder_data: "Holder data",
    identity_fields_note: "Names, tax code and VAT number cannot be changed: for a typo, ask for a correction.",
    kind_label: "Subject kind",
    name_label: "Holder",
    tax_code_label: "Tax code",
    vat_label: "VAT number",
    email_label: "Reference email",
    phone_label: "Phone",
    address_label: "Address",
    logins_title: "Your logins",
    status_active: "active",
    status_disabled: "disabled",
    invalid_form: "The form expired: please try again.",
    required: "This field is required.",
};

/// The texts of `lang`.
#[must_use]
pub fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::It => &IT,
        Lang::En => &EN,
    }
}
