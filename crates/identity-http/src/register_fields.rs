//! The fields of the registration form, by subject kind, and the field groups
//! other pages share with it (contacts, address, a new password).

use identity_words::Label as _;
use std::collections::HashMap;

use identity_core::consent::ConsentKind;
use identity_core::{Lang, ProvinceCode, SubjectKind};
use identity_service::usecases::register_input::{RegistrationInput, consent_field};

use crate::form::{Field, Fieldset};
use identity_words::L;

pub(crate) fn provinces(lang: Lang) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = ProvinceCode::all()
        .filter(|p| *p != identity_core::values::province::ABROAD)
        .map(|p| (p.to_owned(), p.to_owned()))
        .collect();
    v.sort();
    v.push((
        identity_core::values::province::ABROAD.to_owned(),
        L("EE - Estero", "EE - Abroad").get(lang).to_owned(),
    ));
    v
}

/// The fieldsets of `kind`, filled with what was typed.
pub(crate) fn fieldsets(
    kind: SubjectKind,
    i: &RegistrationInput,
    raw: &HashMap<String, String>,
    lang: Lang,
    policy: &identity_core::PasswordPolicy,
) -> Vec<Fieldset> {
    let mut sets = Vec::new();
    let person_fields = || {
        vec![
            Field::new("given_name", L("Nome", "Given name"), "text", lang)
                .value(&i.given_name)
                .autocomplete("given-name"),
            Field::new("family_name", L("Cognome", "Family name"), "text", lang)
                .value(&i.family_name)
                .autocomplete("family-name"),
            Field::new("tax_code", L("Codice fiscale", "Tax code (codice fiscale)"), "text", lang)
                .value(&i.tax_code)
                .hint(L("16 caratteri, come sulla tessera sanitaria.", "16 characters, as on the health insurance card.").get(lang)),
            Field::new("birth_date", L("Data di nascita", "Date of birth"), "date", lang)
                .value(&i.birth_date)
                .autocomplete("bday")
                .hint(L("gg/mm/aaaa", "dd/mm/yyyy").get(lang)),
            Field::new("sex", L("Sesso (come sul codice fiscale)", "Sex (as on the tax code)"), "radio", lang)
                .value(&i.sex)
                .options([
                    ("M".to_owned(), L("Maschile", "Male").get(lang).to_owned()),
                    ("F".to_owned(), L("Femminile", "Female").get(lang).to_owned()),
                ]),
            Field::new("birth_place", L("Comune di nascita (o Stato estero)", "Municipality of birth (or foreign country)"), "text", lang)
                .value(&i.birth_place)
                .hint(L("Il comune com'era chiamato alla nascita o come si chiama oggi; per chi è nato all'estero, lo Stato.", "The municipality's name at birth or today; for people born abroad, the country.").get(lang)),
            Field::new("birth_province", L("Provincia di nascita", "Province of birth"), "select", lang)
                .value(&i.birth_province)
                .options(provinces(lang))
                .hint(L("EE se sei nato all'estero.", "EE if you were born abroad.").get(lang)),
        ]
    };
    match kind {
        SubjectKind::PersonaFisica => {
            sets.push(Fieldset::new(
                L("Dati anagrafici", "Personal data"),
                lang,
                person_fields(),
            ));
        }
        SubjectKind::LiberoProfessionista | SubjectKind::DittaIndividuale => {
            sets.push(Fieldset::new(
                L("Dati del titolare", "Owner's personal data"),
                lang,
                person_fields(),
            ));
            sets.push(Fieldset::new(
                L("Dati dell'attività", "Business data"),
                lang,
                vec![
                    Field::new(
                        "company_name",
                        L("Denominazione", "Business name"),
                        "text",
                        lang,
                    )
                    .value(&i.company_name)
                    .optional()
                    .autocomplete("organization")
                    .hint(L("Se vuota, il tuo nome e cognome.", "If empty, your name.").get(lang)),
                    Field::new("vat_number", L("Partita IVA", "VAT number"), "text", lang)
                        .value(&i.vat_number)
                        .hint(L("11 cifre.", "11 digits.").get(lang)),
                ],
            ));
        }
        _ => {
            let mut fields = vec![
                Field::new(
                    "company_name",
                    L("Ragione sociale o denominazione", "Company or body name"),
                    "text",
                    lang,
                )
                .value(&i.company_name)
                .autocomplete("organization"),
                Field::new("vat_number", L("Partita IVA", "VAT number"), "text", lang)
                    .value(&i.vat_number)
                    .optional()
                    .hint(
                        L(
                            "11 cifre. Indica la partita IVA, il codice fiscale o entrambi.",
                            "11 digits. Enter the VAT number, the tax code or both.",
                        )
                        .get(lang),
                    ),
                Field::new("tax_code", L("Codice fiscale", "Tax code"), "text", lang)
                    .value(&i.tax_code)
                    .optional()
                    .hint(
                        L(
                            "11 cifre (o 16 caratteri).",
                            "11 digits (or 16 characters).",
                        )
                        .get(lang),
                    ),
            ];
            let optional = kind != SubjectKind::Azienda;
            let sdi = Field::new(
                "sdi_code",
                L("Codice destinatario SDI", "SDI recipient code"),
                "text",
                lang,
            )
            .value(&i.sdi_code)
            .optional()
            .hint(
                L(
                    "7 caratteri; in alternativa indica la PEC per le fatture.",
                    "7 characters; or give the PEC address for invoices instead.",
                )
                .get(lang),
            );
            let pec = Field::new(
                "invoicing_pec",
                L(
                    "PEC per le fatture elettroniche",
                    "PEC address for electronic invoices",
                ),
                "email",
                lang,
            )
            .value(&i.invoicing_pec)
            .optional();
            fields.push(sdi);
            fields.push(pec);
            let legend = if optional {
                L("Dati dell'ente", "Body data")
            } else {
                L("Dati dell'azienda", "Company data")
            };
            sets.push(Fieldset::new(legend, lang, fields));
        }
    }
    let office = if kind.is_person() && kind == SubjectKind::PersonaFisica {
        L("Residenza", "Residence")
    } else if kind.is_person() {
        L(
            "Residenza o sede dell'attività",
            "Residence or place of business",
        )
    } else {
        L("Sede legale", "Registered office")
    };
    sets.push(address_fieldset(office, lang, i));
    sets.push(contacts_fieldset(lang, i, None));
    sets.push(Fieldset::new(
        L("Password", "Password"),
        lang,
        vec![
            Field::new("password", L("Password", "Password"), "password", lang)
                .autocomplete("new-password")
                .hint(password_rules(policy, lang)),
            Field::new(
                "password_confirm",
                L("Conferma password", "Confirm password"),
                "password",
                lang,
            )
            .autocomplete("new-password"),
        ],
    ));
    let mut privacy = vec![
        Field::new(
            "privacy_notice",
            L("Ho letto l'informativa sulla privacy", "I have read the privacy notice"),
            "checkbox",
            lang,
        )
        .checked(i.privacy_notice)
        .hint_html(L(
            "<a href=\"/privacy\" target=\"_blank\">Leggi l'informativa</a> (si apre in una nuova finestra).",
            "<a href=\"/privacy\" target=\"_blank\">Read the notice</a> (opens in a new window).",
        ).get(lang)),
    ];
    for k in ConsentKind::ALL {
        let field = consent_field(k);
        privacy.push(
            Field {
                label: k.label().get(lang).to_owned(),
                ..Field::new(field, L("", ""), "radio", lang)
            }
            .value(raw.get(field).map_or("", String::as_str))
            .options([
                (
                    "yes".to_owned(),
                    L("Acconsento", "I consent").get(lang).to_owned(),
                ),
                (
                    "no".to_owned(),
                    L("Non acconsento", "I do not consent").get(lang).to_owned(),
                ),
            ]),
        );
    }
    sets.push(Fieldset::new(L("Privacy", "Privacy"), lang, privacy));
    sets
}

/// The contact fields, shared with the contacts page; `email_hint` replaces the
/// registration's hint under the email.
pub(crate) fn contacts_fieldset(
    lang: Lang,
    i: &RegistrationInput,
    email_hint: Option<L>,
) -> Fieldset {
    let hint = email_hint.unwrap_or(L(
        "Riceverai qui la login e tutte le comunicazioni: deve essere valida e funzionante.",
        "Your login id and every message will be sent here: it must be valid and working.",
    ));
    Fieldset::new(
        L("Contatti", "Contacts"),
        lang,
        vec![
            Field::new(
                "email",
                L("Email di riferimento", "Reference email"),
                "email",
                lang,
            )
            .value(&i.email)
            .autocomplete("email")
            .hint(hint.get(lang)),
            Field::new(
                "email_confirm",
                L("Conferma email", "Confirm email"),
                "email",
                lang,
            )
            .value(&i.email_confirm)
            .autocomplete("email"),
            Field::new("phone", L("Telefono", "Phone"), "tel", lang)
                .value(&i.phone)
                .autocomplete("tel"),
            Field::new("pec", L("PEC", "Certified email (PEC)"), "email", lang)
                .value(&i.pec)
                .optional(),
        ],
    )
}

/// The residence / registered office fields, shared with the contacts page.
pub(crate) fn address_fieldset(legend: L, lang: Lang, i: &RegistrationInput) -> Fieldset {
    Fieldset::new(
        legend,
        lang,
        vec![
            Field::new(
                "street",
                L("Indirizzo (via e numero civico)", "Street and number"),
                "text",
                lang,
            )
            .value(&i.street)
            .autocomplete("street-address"),
            Field::new("postal_code", L("CAP", "Postcode (CAP)"), "text", lang)
                .value(&i.postal_code)
                .autocomplete("postal-code")
                .hint(
                    L(
                        "5 cifre; vuoto se all'estero.",
                        "5 digits; empty if abroad.",
                    )
                    .get(lang),
                ),
            Field::new("municipality", L("Comune", "Municipality"), "text", lang)
                .value(&i.municipality)
                .autocomplete("address-level2"),
            Field::new("province", L("Provincia", "Province"), "select", lang)
                .value(&i.province)
                .options(provinces(lang))
                .hint(L("EE se all'estero.", "EE if abroad.").get(lang)),
            Field::new(
                "country",
                L("Stato (solo se all'estero)", "Country (only if abroad)"),
                "text",
                lang,
            )
            .value(&i.country)
            .optional()
            .autocomplete("country-name"),
        ],
    )
}

/// A new password typed twice, with the policy in words under the first.
pub(crate) fn new_password_fields(
    policy: &identity_core::PasswordPolicy,
    lang: Lang,
) -> Vec<Field> {
    vec![
        Field::new(
            "password",
            L("Nuova password", "New password"),
            "password",
            lang,
        )
        .autocomplete("new-password")
        .hint(password_rules(policy, lang)),
        Field::new(
            "password_confirm",
            L("Conferma la nuova password", "Confirm the new password"),
            "password",
            lang,
        )
        .autocomplete("new-password"),
    ]
}

/// The password policy in words, for the hint under every new-password field.
pub(crate) fn password_rules(policy: &identity_core::PasswordPolicy, lang: Lang) -> String {
    let (min, max) = (policy.min_len(), policy.max_len());
    L(format!(
            "Da {min} a {max} caratteri, con almeno una lettera maiuscola, una minuscola, una cifra e un carattere speciale (ad esempio ! ? # -); senza spazi, senza più di 2 caratteri uguali di seguito, senza il tuo nome, cognome, codice fiscale, data di nascita o numero di login. Scade dopo 180 giorni e non può ripetere una delle ultime 5 password."
        ), format!(
            "{min} to {max} characters, with at least one upper-case letter, one lower-case letter, one digit and one special character (such as ! ? # -); no spaces, no more than 2 identical characters in a row, not your names, tax code, date of birth or login number. It expires after 180 days and cannot repeat one of your last 5 passwords."
        )).get(lang)
}
