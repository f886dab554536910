//! No account enumeration: every page that takes an identifier without the
//! credentials that go with it answers an identifier on file (Mario, with a live
//! digital identity) exactly as one that is not (status, body, headers), once the
//! identifier itself and the per-request values are set aside. The API takes no
//! identifier without a client token, so it has no such operation. The timing of
//! the same pairs is measured by `cargo bench -p identity-web --bench enumeration`.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use identity_testkit::active_identity;
use identity_testkit::people_csv::tax_code;
use identity_testkit::{Browser, Reply, TestServer, csrf_of};

/// One page and the form it is sent, for a known and an unknown identifier.
struct Probe {
    path: &'static str,
    known: Vec<(&'static str, String)>,
    unknown: Vec<(&'static str, String)>,
}

/// What may differ between the two answers: what was typed (echoed in the form,
/// the CSRF token included) and the values every request has of its own.
fn normalised(reply: &Reply, typed: &[(&'static str, String)]) -> (u16, String, Vec<String>) {
    let mut body = reply.body.clone();
    for (_, value) in typed {
        if !value.is_empty() {
            body = body.replace(value.as_str(), "<typed>");
        }
    }
    let headers = reply
        .headers
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "date" | "x-request-id" | "set-cookie"))
        .map(|(name, value)| format!("{name}: {value}"))
        .collect();
    (reply.status, body, headers)
}

fn form(csrf: &str, fields: &[(&'static str, String)]) -> Vec<(&'static str, String)> {
    let mut all = vec![("csrf", csrf.to_owned())];
    all.extend(fields.iter().cloned());
    all
}

/// Every page's probe, with Mario's identifiers as the known ones.
fn probes(mario: &identity_testkit::Active) -> Vec<Probe> {
    let known_tax = "RSSMRA85T10A562S".to_owned();
    let unknown_tax = tax_code("Verdi", "Giuseppe", 1980, 1, 1, false);
    let known_email = "mario.rossi@example.it".to_owned();
    let unknown_email = "giuseppe.verdi@example.it".to_owned();
    let known_login = mario.username.number().to_string();
    let unknown_login = "999999999".to_owned();
    let known_user = mario.username.to_string();
    let unknown_user = format!("{unknown_login}@test.example.it");
    let wrong_emergency = "ABCD1234EFGH5678".to_owned();
    let pairs = |fields: &[(&'static str, &str, &str)]| {
        let known = fields
            .iter()
            .map(|(n, k, _)| (*n, (*k).to_owned()))
            .collect();
        let unknown = fields
            .iter()
            .map(|(n, _, u)| (*n, (*u).to_owned()))
            .collect();
        (known, unknown)
    };
    let probe = |path, (known, unknown)| Probe {
        path,
        known,
        unknown,
    };
    let probes = vec![
        probe(
            "/account/sign-in",
            pairs(&[
                ("login_id", &known_login, &unknown_login),
                ("password", "Sbagliata!99x", "Sbagliata!99x"),
            ]),
        ),
        probe(
            "/selfcare/sign-in",
            pairs(&[
                ("login_id", &known_user, &unknown_user),
                ("password", "Sbagliata!99x", "Sbagliata!99x"),
            ]),
        ),
        probe(
            "/account/recover/login-ids",
            pairs(&[
                ("fiscal_code", &known_tax, &unknown_tax),
                ("email", &known_email, &unknown_email),
            ]),
        ),
        probe(
            "/account/recover/password",
            pairs(&[
                ("login_id", &known_login, &unknown_login),
                ("email", &known_email, &unknown_email),
            ]),
        ),
        probe(
            "/selfcare/recover/username",
            pairs(&[
                ("tax_code", &known_tax, &unknown_tax),
                ("email", &known_email, &unknown_email),
            ]),
        ),
        probe(
            "/selfcare/recover/password",
            pairs(&[
                ("login_id", &known_user, &unknown_user),
                ("emergency_code", &wrong_emergency, &wrong_emergency),
            ]),
        ),
        probe(
            "/selfcare/emergency-block",
            pairs(&[
                ("tax_code", &known_tax, &unknown_tax),
                ("emergency_code", &wrong_emergency, &wrong_emergency),
            ]),
        ),
        probe(
            "/selfcare/emergency-block/send",
            pairs(&[("tax_code", &known_tax, &unknown_tax)]),
        ),
        probe(
            "/selfcare/emergency-block/email",
            pairs(&[
                ("tax_code", &known_tax, &unknown_tax),
                ("code", "ABCD-EFGH", "ABCD-EFGH"),
            ]),
        ),
    ];
    probes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_answer_an_identifier_on_file_as_one_that_is_not() {
    let count = probes(&active_identity(&identity_testkit::sqlite().await).await).len();
    for i in 0..count {
        // A fresh service for each page: the per-address limits the pages share
        // (every request here comes from 127.0.0.1) must not tell the two apart.
        let h = identity_testkit::sqlite().await;
        let mario = active_identity(&h).await;
        let server = TestServer::start(h.service.clone()).await;
        let p = &probes(&mario)[i];
        // A fresh browser for each answer, so neither sees the other's cookies.
        let mut answers = Vec::new();
        for fields in [&p.known, &p.unknown] {
            let mut b = Browser::new(server.addr);
            let csrf = csrf_of(&b.send("GET", "/account/sign-in", &[]).await.body);
            let sent = form(&csrf, fields);
            let pairs: Vec<(&str, &str)> = sent.iter().map(|(n, v)| (*n, v.as_str())).collect();
            let reply = b.send("POST", p.path, &pairs).await;
            assert!(
                reply.status < 500,
                "{}: {} {}",
                p.path,
                reply.status,
                reply.body
            );
            answers.push(normalised(&reply, &sent));
        }
        let (known, unknown) = (&answers[0], &answers[1]);
        assert_eq!(known.0, unknown.0, "{}: status", p.path);
        assert_eq!(known.1, unknown.1, "{}: body", p.path);
        assert_eq!(known.2, unknown.2, "{}: headers", p.path);
        server.stop().await;
    }
}
