//! The rules the server enforces on request bodies, written into the OpenAPI
//! document: what a JSON schema can state (required fields, enums, patterns,
//! lengths, which fields each subject kind needs) is stated as schema, so a body
//! valid by the document passes every one of those checks. What no schema can
//! state (a check digit, the tax code agreeing with the name and date of birth, a
//! municipality that existed on that date, the password policy, a field equal to
//! another, a value already registered) is named in the property's
//! `x-server-checks` list: a schema-valid body is refused (422) only for a field
//! that carries one. The API's fuzzing in CI holds the server to that.
//!
//! The values come from the domain (subject kinds, provinces, consents,
//! correctable fields), so the document follows it.

use identity_core::consent::ConsentKind;
use identity_core::correction::CorrectableField;
use identity_core::values::province::ABROAD;
use identity_core::{ProvinceCode, SubjectKind};
use serde_json::{Map, Value, json};

/// Letters (Latin, accented too), spaces, apostrophes, dots and hyphens, at
/// least one letter: a subset of the names the server accepts (any script).
const NAME: &str = "^[A-Za-zÀ-ÖØ-öø-ÿ' .-]*[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ' .-]*$";
/// A company name: a name's characters plus digits and `&,/()+`.
const COMPANY_NAME: &str =
    "^[A-Za-zÀ-ÖØ-öø-ÿ0-9' .&,/()+-]*[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ0-9' .&,/()+-]*$";
/// Names are at most 100 characters.
const NAME_MAX: u32 = 100;
/// An address the server accepts: a dot-free local part of at most 64
/// characters, a dotted domain with an alphabetic top-level label.
const EMAIL: &str =
    "^[A-Za-z0-9_%+-]{1,64}@([A-Za-z0-9]([A-Za-z0-9-]{0,20}[A-Za-z0-9])?\\.){1,4}[A-Za-z]{2,24}$";
/// International (`+` and 6-15 digits) or Italian (4-13 digits).
const PHONE: &str = "^(\\+[1-9][0-9]{5,14}|[1-9][0-9]{3,12}|0[1-9][0-9]{2,11})$";
/// The shape of a personal tax code (omocodia letters included) or of a body's
/// 11 digits; the check character is a server check.
const TAX_CODE: &str = "^([A-Za-z]{6}[0-9LMNP-Vlmnp-v]{2}[ABCDEHLMPRSTabcdehlmprst][0-9LMNP-Vlmnp-v]{2}[A-Za-z][0-9LMNP-Vlmnp-v]{3}[A-Za-z]|[0-9]{11})?$";
/// Eleven digits, optionally after `IT`; the check digit is a server check.
const VAT_NUMBER: &str = "^((IT|it)?[0-9]{11})?$";
/// `YYYY-MM-DD` or `DD/MM/YYYY`.
const DATE: &str = "^([0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])|(0[1-9]|[12][0-9]|3[01])/(0[1-9]|1[0-2])/[0-9]{4})?$";
/// Something besides spaces.
const NOT_BLANK: &str = "\\S";

/// Writes the rules into the document's request schemas.
pub(crate) fn state(doc: &mut Value) {
    let schemas = &mut doc["components"]["schemas"];
    registration(&mut schemas["RegistrationRequest"]);
    contacts(&mut schemas["ContactsPatch"]);
    correction(&mut schemas["CorrectionRequestBody"]);
}

/// Merges `rules` into property `name` of `schema`.
fn property(schema: &mut Value, name: &str, rules: Value) {
    let target = &mut schema["properties"][name];
    if let (Some(target), Value::Object(rules)) = (target.as_object_mut(), rules) {
        target.extend(rules);
    }
}

fn provinces() -> Vec<&'static str> {
    ProvinceCode::all().collect()
}

fn string_pattern(pattern: &str) -> Value {
    json!({ "type": "string", "pattern": pattern })
}

fn checks(list: &[&str]) -> Value {
    json!(list)
}

fn registration(schema: &mut Value) {
    let kinds: Vec<&str> = SubjectKind::ALL.iter().map(|k| k.code()).collect();
    property(schema, "subject_kind", json!({ "enum": kinds }));
    for name in ["given_name", "family_name"] {
        property(
            schema,
            name,
            json!({ "pattern": format!("^$|{NAME}"), "maxLength": NAME_MAX,
                    "x-server-checks": checks(&["agrees with the tax code (a mismatch is `tax_code_mismatch`)"]) }),
        );
    }
    property(
        schema,
        "tax_code",
        json!({ "pattern": TAX_CODE, "x-server-checks": checks(&[
            "check character", "agrees with names, sex, date and place of birth (else `tax_code_mismatch`)",
            "a person's is 16 characters"]) }),
    );
    property(
        schema,
        "birth_date",
        json!({ "pattern": DATE, "x-server-checks": checks(&["a real, plausible date of birth, not in the future", "agrees with the tax code"]) }),
    );
    property(
        schema,
        "sex",
        json!({ "enum": ["", "M", "F"], "x-server-checks": checks(&["agrees with the tax code"]) }),
    );
    property(
        schema,
        "birth_place",
        json!({ "x-server-checks": checks(&[
            "an Italian municipality that existed on the date of birth, in birth_province, or a country when birth_province is EE",
            "agrees with the tax code"]) }),
    );
    let mut birth_provinces = vec![""];
    birth_provinces.extend(provinces());
    property(schema, "birth_province", json!({ "enum": birth_provinces }));
    property(
        schema,
        "company_name",
        json!({ "pattern": format!("^$|{COMPANY_NAME}"), "maxLength": NAME_MAX }),
    );
    property(
        schema,
        "vat_number",
        json!({ "pattern": VAT_NUMBER, "x-server-checks": checks(&["check digit"]) }),
    );
    property(schema, "sdi_code", string_pattern("^([A-Za-z0-9]{7})?$"));
    property(
        schema,
        "invoicing_pec",
        json!({ "pattern": format!("^$|{EMAIL}") }),
    );
    property(schema, "street", string_pattern(NOT_BLANK));
    property(schema, "postal_code", string_pattern("^([0-9]{5})?$"));
    property(
        schema,
        "municipality",
        json!({ "pattern": NOT_BLANK, "x-server-checks": checks(&["a current municipality of the province (abroad: any town)"]) }),
    );
    property(schema, "province", json!({ "enum": provinces() }));
    property(
        schema,
        "country",
        json!({ "x-server-checks": checks(&["a country's name, when the province is EE"]) }),
    );
    property(
        schema,
        "email",
        json!({ "pattern": EMAIL, "maxLength": 254 }),
    );
    property(
        schema,
        "email_confirm",
        json!({ "pattern": EMAIL, "x-server-checks": checks(&["the same address as email"]) }),
    );
    property(schema, "phone", string_pattern(PHONE));
    property(schema, "pec", json!({ "pattern": format!("^$|{EMAIL}") }));
    property(
        schema,
        "password",
        json!({ "minLength": identity_core::password_policy::MIN_LEN_FLOOR, "maxLength": identity_core::password_policy::MAX_LEN_CEILING,
                "x-server-checks": checks(&["the password policy: the operator's length, character classes and repetition limits, none of the holder's data, not a known breached password"]) }),
    );
    property(
        schema,
        "password_confirm",
        json!({ "x-server-checks": checks(&["the same as password"]) }),
    );
    property(schema, "privacy_notice", json!({ "enum": [true] }));
    let consent_names: Vec<&str> = ConsentKind::ALL.iter().map(|k| k.code()).collect();
    let consent_properties: Map<String, Value> = consent_names
        .iter()
        .map(|name| ((*name).to_owned(), json!({ "type": "boolean" })))
        .collect();
    property(
        schema,
        "consents",
        json!({ "properties": consent_properties, "required": consent_names, "additionalProperties": false }),
    );
    property(schema, "lang", json!({ "enum": ["it", "en", null] }));

    schema["required"] = json!([
        "subject_kind",
        "street",
        "municipality",
        "province",
        "email",
        "email_confirm",
        "phone",
        "password",
        "password_confirm",
        "privacy_notice",
        "consents"
    ]);
    schema["allOf"] = json!(subject_kind_rules());
    schema["example"] = json!({
        "subject_kind": "persona_fisica",
        "given_name": "Mario", "family_name": "Rossi", "tax_code": "RSSMRA85T10A562S",
        "birth_date": "1985-12-10", "sex": "M",
        "birth_place": "San Giuliano Terme", "birth_province": "PI",
        "street": "Via Roma 1", "postal_code": "56017",
        "municipality": "San Giuliano Terme", "province": "PI",
        "email": "mario.rossi@example.it", "email_confirm": "mario.rossi@example.it",
        "phone": "3331234567",
        "password": "Girasole-Lento-47", "password_confirm": "Girasole-Lento-47",
        "privacy_notice": true,
        "consents": { "marketing": false, "profiling": false, "third_parties": false },
        "lang": "it"
    });
}

/// Which fields each subject kind needs, and the address's: `postal_code` in
/// Italy, `country` abroad. A required text must not be blank.
fn subject_kind_rules() -> Vec<Value> {
    let filled = |fields: &[&str]| -> Value {
        let properties: Map<String, Value> = fields
            .iter()
            .map(|f| ((*f).to_owned(), json!({ "pattern": NOT_BLANK })))
            .collect();
        json!({ "required": fields, "properties": properties })
    };
    let person = [
        "given_name",
        "family_name",
        "tax_code",
        "birth_date",
        "sex",
        "birth_place",
    ];
    let mut professional = person.to_vec();
    professional.push("vat_number");
    let when = |kinds: &[SubjectKind], then: Value| {
        let codes: Vec<&str> = kinds.iter().map(|k| k.code()).collect();
        json!({ "if": { "properties": { "subject_kind": { "enum": codes } }, "required": ["subject_kind"] }, "then": then })
    };
    let fiscal_id = json!({ "anyOf": [filled(&["vat_number"]), filled(&["tax_code"])] });
    let invoicing = json!({ "anyOf": [filled(&["sdi_code"]), filled(&["invoicing_pec"])] });
    let mut business = filled(&["company_name"]);
    business["allOf"] = json!([fiscal_id.clone()]);
    let mut company = filled(&["company_name"]);
    company["allOf"] = json!([fiscal_id, invoicing]);
    let bodies: Vec<SubjectKind> = SubjectKind::ALL
        .into_iter()
        .filter(|k| {
            !matches!(
                k,
                SubjectKind::PersonaFisica
                    | SubjectKind::LiberoProfessionista
                    | SubjectKind::DittaIndividuale
                    | SubjectKind::Azienda
            )
        })
        .collect();
    vec![
        when(&[SubjectKind::PersonaFisica], filled(&person)),
        when(
            &[
                SubjectKind::LiberoProfessionista,
                SubjectKind::DittaIndividuale,
            ],
            filled(&professional),
        ),
        when(&[SubjectKind::Azienda], company),
        when(&bodies, business),
        json!({
            "if": { "properties": { "province": { "const": ABROAD } }, "required": ["province"] },
            "then": filled(&["country"]),
            "else": { "required": ["postal_code"], "properties": { "postal_code": { "pattern": "^[0-9]{5}$" } } }
        }),
    ]
}

fn contacts(schema: &mut Value) {
    property(
        schema,
        "email",
        json!({ "pattern": EMAIL, "maxLength": 254 }),
    );
    property(schema, "phone", json!({ "pattern": PHONE }));
    property(schema, "pec", json!({ "pattern": format!("^$|{EMAIL}") }));
    property(schema, "street", json!({ "pattern": NOT_BLANK }));
    property(
        schema,
        "postal_code",
        json!({ "pattern": "^([0-9]{5})?$", "x-server-checks": checks(&["required unless the province is EE"]) }),
    );
    property(
        schema,
        "municipality",
        json!({ "pattern": NOT_BLANK, "x-server-checks": checks(&["a current municipality of the province (abroad: any town)"]) }),
    );
    let mut with_null: Vec<Value> = provinces().into_iter().map(Value::from).collect();
    with_null.push(Value::Null);
    property(
        schema,
        "province",
        json!({ "enum": with_null, "x-server-checks": checks(&["agrees with the postal code and municipality, whether sent or kept"]) }),
    );
    property(
        schema,
        "country",
        json!({ "x-server-checks": checks(&["required when the province is EE"]) }),
    );
}

fn correction(schema: &mut Value) {
    let fields: Vec<&str> = CorrectableField::ALL
        .into_iter()
        .filter(|f| *f != CorrectableField::TaxCodeAgreement)
        .map(CorrectableField::code)
        .collect();
    property(
        schema,
        "field",
        json!({ "enum": fields, "x-server-checks": checks(&["a field the holder has (a company has no date of birth)"]) }),
    );
    property(
        schema,
        "requested_value",
        json!({ "pattern": NOT_BLANK, "maxLength": 500, "x-server-checks": checks(&[
            "a valid value for the field (a tax code with its check character, a known place...)", "differs from the value on record"]) }),
    );
    property(
        schema,
        "reason",
        json!({ "pattern": NOT_BLANK, "maxLength": 500 }),
    );
    schema["required"] = json!(["field", "requested_value", "reason"]);
}
