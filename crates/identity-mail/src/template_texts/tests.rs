//! Tests of the derived parameters, through the rendered messages.

use serde_json::json;

use crate::templates::tests::{ok, sample};
use identity_core::Lang;

#[test]
fn times_are_shown_in_rome() {
    let r = ok("data_changed", Lang::It, &sample("data_changed"));
    assert!(
        r.text.contains("il 01/07/2026 10:30 sono stati"),
        "summer time: {}",
        r.text
    );
    let r = ok("password_changed", Lang::En, &sample("password_changed"));
    assert!(
        r.text.contains("On 15/01/2026 18:05 the password"),
        "winter time: {}",
        r.text
    );
    let r = ok(
        "identity_state_changed",
        Lang::It,
        &sample("identity_state_changed"),
    );
    assert!(r.text.contains("01/03/2026 11:00"), "{}", r.text);
    assert!(r.text.contains("31/03/2026 23:59"), "{}", r.text);
}

#[test]
fn identity_state_changed_keeps_its_events_reasons_causes_and_deadline() {
    let r = ok(
        "identity_state_changed",
        Lang::It,
        &sample("identity_state_changed"),
    );
    assert_eq!(r.subject, "Identità digitale sospesa");
    assert!(r.text.contains(
        "il 01/03/2026 11:00 la tua identità digitale è stata sospesa (su richiesta del titolare).\n\n\
         Senza una riattivazione entro il 31/03/2026 23:59 resterà sospesa o sarà revocata secondo le regole SPID.\n\n"
    ), "{}", r.text);

    let p = json!({ "name": "M", "event": "identity.suspended", "at": "2026-03-01T10:00:00Z",
                    "reason": "document_expired", "deadline": null });
    let r = ok("identity_state_changed", Lang::En, &p);
    assert!(
        r.text
            .contains("suspended (identity document expired).\n\nThis message"),
        "{}",
        r.text
    );

    let p = json!({ "name": "M", "event": "identity.revoked", "at": "2026-03-01T10:00:00Z", "cause": "death" });
    let r = ok("identity_state_changed", Lang::It, &p);
    assert_eq!(r.subject, "Identità digitale revocata");
    assert!(
        r.text
            .contains("revocata (decesso del titolare).\n\nLa revoca è definitiva."),
        "{}",
        r.text
    );
    assert!(r.html.contains(">La revoca è definitiva.</p>"));

    for (event, it, en) in [
        (
            "identity.requested",
            "Richiesta di identità digitale ricevuta",
            "Digital identity request received",
        ),
        (
            "identity.verified",
            "Identità digitale attiva",
            "Digital identity active",
        ),
        (
            "identity.reactivated",
            "Identità digitale riattivata",
            "Digital identity reactivated",
        ),
        (
            "identity.other",
            "Aggiornamento della tua identità digitale",
            "Your digital identity was updated",
        ),
    ] {
        let p = json!({ "name": "M", "event": event, "at": "2026-03-01T10:00:00Z" });
        let r = ok("identity_state_changed", Lang::It, &p);
        assert_eq!(r.subject, it);
        assert!(
            !r.text.contains("revoca") && !r.text.contains("riattivazione entro"),
            "{}",
            r.text
        );
        assert!(
            !r.html.contains("<p style=\"margin: 0 0 16px;\"></p>"),
            "empty lines dropped"
        );
        assert_eq!(ok("identity_state_changed", Lang::En, &p).subject, en);
    }
}

#[test]
fn verify_email_says_why_it_was_sent() {
    let mut p = sample("verify_email");
    let change = ok("verify_email", Lang::It, &p);
    assert!(
        change
            .text
            .contains("come email di riferimento del tuo account")
    );
    assert!(change.text.contains("solo quando lo avrai confermato"));
    p["change"] = json!(false);
    let again = ok("verify_email", Lang::En, &p);
    assert!(
        again.text.contains("As requested, here is a new code"),
        "{}",
        again.text
    );
    assert!(again.text.contains("48 hours"));
    assert!(
        again
            .text
            .contains("If you did not ask for this, ignore this message")
    );
}

#[test]
fn data_changed_lists_localized_labels_and_the_new_email() {
    let r = ok("data_changed", Lang::It, &sample("data_changed"));
    assert!(r.text.contains(
        "\n- email di riferimento\n- telefono\n- PEC\n- indirizzo\n\nIl nuovo indirizzo email di riferimento è nuovo@example.it."
    ), "{}", r.text);
    assert!(r.html.contains("<li>email di riferimento</li>"));
    let p = json!({ "name": "M", "fields": "phone,address", "at": "2026-07-01T08:30:00Z" });
    let r = ok("data_changed", Lang::En, &p);
    assert!(r.text.contains("\n- phone\n- postal address\n\nIf you did not make this change, contact support at once."), "{}", r.text);
    assert!(!r.text.contains("reference email"));
}

#[test]
fn correction_decided_tells_the_outcome() {
    let mut p = sample("correction_decided");
    let r = ok("correction_decided", Lang::It, &p);
    assert_eq!(r.subject, "Richiesta di correzione respinta");
    assert!(r.text.contains("«Nome»"));
    assert!(r.text.contains("non è stata applicata"));
    assert!(
        r.text
            .contains("Motivazione dell'operatore: Il documento allegato non è leggibile")
    );
    p["decision"] = json!("approved");
    p["field"] = json!("birth_date");
    p["reason"] = json!("");
    let r = ok("correction_decided", Lang::En, &p);
    assert_eq!(r.subject, "Correction request approved");
    assert!(r.text.contains("“Date of birth”"));
    assert!(
        r.text.contains("the field now reads “Mario Luigi”."),
        "{}",
        r.text
    );
    assert!(!r.text.contains("Reason"));
}

#[test]
fn login_lists_are_one_per_line() {
    for t in ["login_ids_reminder", "account_closed"] {
        let r = ok(t, Lang::It, &sample(t));
        assert!(
            r.text
                .contains("\n- 111111@identita.example.it\n- 222222@identita.example.it\n"),
            "{t}: {}",
            r.text
        );
        assert!(
            r.html.contains("<li>222222@identita.example.it</li>"),
            "{t}"
        );
    }
}

#[test]
fn optional_parameters_and_the_name_may_be_missing() {
    let p = json!({ "fields": "phone", "at": "2026-07-01T08:30:00Z" });
    let r = ok("data_changed", Lang::It, &p);
    assert!(r.text.starts_with("Gentile cliente,\n"), "{}", r.text);
    let p = json!({ "name": " ", "field": "sex", "value": "F", "decision": "rejected" });
    let r = ok("correction_decided", Lang::En, &p);
    assert!(r.text.starts_with("Dear customer,\n"), "{}", r.text);
    let p = json!({ "event": "identity.revoked", "at": "2026-03-01T10:00:00Z" });
    assert!(
        ok("identity_state_changed", Lang::En, &p)
            .text
            .contains("Revocation is final.")
    );
}
