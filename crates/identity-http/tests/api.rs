//! The JSON API over real HTTP: bearer tokens and scopes, one error document with
//! field errors in the caller's language, the customer-area operations, the audit
//! under the client's name, and the OpenAPI document.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::net::SocketAddr;

use identity_core::identity::Actor;
use identity_service::{ApiScope, AuditQuery, Store};
use identity_testkit::TestServer;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One HTTP/1.1 request with a JSON body; the status and the JSON answer.
async fn call(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    lang: &str,
    body: Option<&str>,
) -> (u16, Value, String) {
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAccept-Language: {lang}\r\n"
    );
    if let Some(t) = token {
        req.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    let body = body.unwrap_or("");
    if !body.is_empty() || method != "GET" {
        req.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    req.push_str("\r\n");
    req.push_str(body);
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let json = serde_json::from_str(body).unwrap_or(Value::Null);
    (status, json, head.to_owned())
}

fn registration() -> Value {
    json!({
        "subject_kind": "persona_fisica",
        "given_name": "Mario", "family_name": "Rossi", "tax_code": "RSSMRA85T10A562S",
        "birth_date": "1985-12-10", "sex": "M",
        "birth_place": "San Giuliano Terme", "birth_province": "PI",
        "street": "Via Roma 1", "postal_code": "56017", "municipality": "San Giuliano Terme", "province": "PI",
        "email": "mario@example.it", "email_confirm": "mario@example.it", "phone": "3331234567",
        "password": identity_testkit::PASSWORD, "password_confirm": identity_testkit::PASSWORD,
        "privacy_notice": true,
        "consents": { "marketing": false, "profiling": false, "third_parties": false },
        "lang": "it"
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_need_a_token_and_the_right_scope() {
    let h = identity_testkit::sqlite().await;
    let anna = Actor::Operator("anna".into());
    let (_, reader) = h
        .service
        .add_api_client("reader", &[ApiScope::HoldersRead], &anna)
        .await
        .unwrap();
    let server = TestServer::start(h.service.clone()).await;
    let a = server.addr;
    let body = registration().to_string();

    let (status, doc, head) = call(a, "POST", "/api/v1/holders", None, "en", Some(&body)).await;
    assert_eq!(status, 401);
    assert_eq!(doc["error"]["code"], "unauthorized");
    assert!(head.to_lowercase().contains("www-authenticate: bearer"));
    let (status, _, _) = call(
        a,
        "POST",
        "/api/v1/holders",
        Some("idk_forged"),
        "en",
        Some(&body),
    )
    .await;
    assert_eq!(status, 401);
    let (status, doc, _) = call(
        a,
        "POST",
        "/api/v1/holders",
        Some(&reader),
        "it",
        Some(&body),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(doc["error"]["code"], "insufficient_scope");
    assert!(
        doc["error"]["message"]
            .as_str()
            .unwrap()
            .contains("holders:write")
    );
    // A revoked client is refused at once.
    h.service.revoke_api_client("reader", &anna).await.unwrap();
    let (status, _, _) = call(
        a,
        "GET",
        "/api/v1/holders/00000000-0000-0000-0000-000000000000",
        Some(&reader),
        "en",
        None,
    )
    .await;
    assert_eq!(status, 401);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_customer_area_operations_through_the_api() {
    let h = identity_testkit::sqlite().await;
    let anna = Actor::Operator("anna".into());
    let (_, token) = h
        .service
        .add_api_client(
            "crm",
            &[ApiScope::HoldersRead, ApiScope::HoldersWrite],
            &anna,
        )
        .await
        .unwrap();
    let server = TestServer::start(h.service.clone()).await;
    let a = server.addr;
    let t = Some(token.as_str());

    // Field errors, all at once, in the caller's language.
    let mut bad = registration();
    bad["email_confirm"] = json!("other@example.it");
    bad["postal_code"] = json!("5601");
    bad["consents"] = json!({ "marketing": false });
    let (status, doc, _) = call(
        a,
        "POST",
        "/api/v1/holders",
        t,
        "en",
        Some(&bad.to_string()),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(doc["error"]["code"], "invalid_input");
    let fields: Vec<&str> = doc["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    for f in [
        "email_confirm",
        "postal_code",
        "consent_profiling",
        "consent_third_parties",
    ] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
    assert!(
        doc.to_string()
            .contains("The two email addresses do not match.")
    );
    let (status, doc, _) = call(a, "POST", "/api/v1/holders", t, "it", Some("{not json")).await;
    assert_eq!(status, 400);
    assert_eq!(doc["error"]["code"], "invalid_request");
    let (status, _, _) = call(
        a,
        "POST",
        "/api/v1/holders",
        t,
        "it",
        Some(r#"{"surprise": 1}"#),
    )
    .await;
    assert_eq!(status, 400, "unknown fields are refused");

    // Register, read, change, list and create logins, open a correction.
    let (status, doc, _) = call(
        a,
        "POST",
        "/api/v1/holders",
        t,
        "it",
        Some(&registration().to_string()),
    )
    .await;
    assert_eq!(status, 201, "{doc}");
    let id = doc["holder_id"].as_str().unwrap().to_owned();
    let first_login = doc["login_id"].as_str().unwrap().to_owned();
    let (status, doc, _) = call(a, "GET", &format!("/api/v1/holders/{id}"), t, "it", None).await;
    assert_eq!(status, 200);
    assert_eq!(doc["holder"]["person"]["family_name"], "Rossi");
    assert_eq!(doc["holder"]["email_verified"], false);
    assert_eq!(doc["logins"][0]["login_id"], first_login.as_str());
    let patch = json!({ "phone": "+39 347 1234567", "street": "Via Milano 2" }).to_string();
    let (status, doc, _) = call(
        a,
        "PATCH",
        &format!("/api/v1/holders/{id}"),
        t,
        "it",
        Some(&patch),
    )
    .await;
    assert_eq!(status, 200, "{doc}");
    assert_eq!(doc["changed"], json!(["phone", "address"]));
    let (_, doc, _) = call(a, "GET", &format!("/api/v1/holders/{id}"), t, "it", None).await;
    assert_eq!(doc["holder"]["phone"], "+393471234567");
    // A new login has no password: the holder chooses it through the mailed link.
    let (status, doc, _) = call(
        a,
        "POST",
        &format!("/api/v1/holders/{id}/logins"),
        t,
        "en",
        None,
    )
    .await;
    assert_eq!(status, 201, "{doc}");
    let new_login = doc["login_id"].as_str().unwrap().to_owned();
    let queued = {
        let mut tx = h.store.begin_read().await.unwrap();
        tx.outbox(None, 50).await.unwrap()
    };
    let created = queued
        .iter()
        .find(|m| m.template == "login_created")
        .expect("mailed");
    assert_eq!(created.params["login_id"], new_login.as_str());
    assert!(
        created.params["link"]
            .as_str()
            .unwrap()
            .contains("/account/reset-password?code=")
    );
    let login = identity_core::LoginId::parse(&new_login, "test.example.it").unwrap();
    assert!(
        h.service
            .sign_in_password(&login, identity_testkit::PASSWORD, None)
            .await
            .is_err()
    );
    let (_, doc, _) = call(
        a,
        "GET",
        &format!("/api/v1/holders/{id}/logins"),
        t,
        "it",
        None,
    )
    .await;
    assert_eq!(doc.as_array().unwrap().len(), 2);
    let correction =
        json!({ "field": "family_name", "requested_value": "Rossì", "reason": "accent" })
            .to_string();
    let (status, doc, _) = call(
        a,
        "POST",
        &format!("/api/v1/holders/{id}/corrections"),
        t,
        "it",
        Some(&correction),
    )
    .await;
    assert_eq!(status, 201, "{doc}");
    assert_eq!(doc["state"], "open");
    assert_eq!(doc["current_value"], "Rossi");
    let unknown_field =
        json!({ "field": "colour", "requested_value": "x", "reason": "y" }).to_string();
    let (status, doc, _) = call(
        a,
        "POST",
        &format!("/api/v1/holders/{id}/corrections"),
        t,
        "it",
        Some(&unknown_field),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(doc["error"]["fields"][0]["field"], "field");
    let (_, doc, _) = call(
        a,
        "GET",
        &format!("/api/v1/holders/{id}/corrections"),
        t,
        "it",
        None,
    )
    .await;
    assert_eq!(doc.as_array().unwrap().len(), 1);
    let (status, doc, _) = call(a, "GET", "/api/v1/holders/not-an-id", t, "it", None).await;
    assert_eq!(
        (status, doc["error"]["code"].as_str()),
        (404, Some("not_found"))
    );

    // Every call is audited under the client.
    let mut tx = h.store.begin_read().await.unwrap();
    let trail = tx
        .audit(&AuditQuery {
            actor: Some("api:crm".into()),
            limit: 100,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    let events: Vec<&str> = trail.iter().map(|r| r.event.as_str()).collect();
    for e in [
        "api.holder_registered",
        "api.call",
        "holder.contacts_changed",
        "login.created",
        "correction.opened",
    ] {
        assert!(events.contains(&e), "{e} in {events:?}");
    }
    // The client's record of a registration was written with the registration
    // itself: same request, same instant, same holder.
    let by_client = trail
        .iter()
        .find(|r| r.event == "api.holder_registered")
        .unwrap();
    let own = tx
        .audit(&AuditQuery {
            holder_id: by_client.holder_id,
            event: Some("holder.registered".into()),
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(
        (&own[0].request_id, own[0].at),
        (&by_client.request_id, by_client.at)
    );
    assert!(by_client.request_id.is_some());
    // Every call, refused ones included, with its outcome.
    let calls: Vec<(String, u64)> = trail
        .iter()
        .filter(|r| r.event == "api.call")
        .map(|r| {
            (
                r.details["path"].as_str().unwrap().to_owned(),
                r.details["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(
        calls.contains(&("/api/v1/holders".into(), 422)),
        "{calls:?}"
    );
    assert!(
        calls.contains(&("/api/v1/holders".into(), 400)),
        "{calls:?}"
    );
    assert!(
        calls.contains(&(format!("/api/v1/holders/{id}"), 200)),
        "{calls:?}"
    );
    assert!(
        trail.iter().any(
            |r| r.event == "api.call" && r.holder_id.map(|h| h.to_string()) == Some(id.clone())
        ),
        "calls about a holder are on its trail"
    );
    drop(tx);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_describes_the_api() {
    let h = identity_testkit::sqlite().await;
    let server = TestServer::start(h.service.clone()).await;
    let (status, doc, _) = call(server.addr, "GET", "/api/v1/openapi.json", None, "it", None).await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/holders",
        "/api/v1/holders/{id}",
        "/api/v1/holders/{id}/logins",
        "/api/v1/holders/{id}/corrections",
    ] {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
    assert!(doc["paths"]["/api/v1/holders/{id}"]["patch"].is_object());
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    assert!(doc["components"]["schemas"]["ErrorDocument"].is_object());
    assert_eq!(
        doc,
        serde_json::from_str::<Value>(&identity_http::openapi_json()).unwrap()
    );

    // The rules the server enforces, stated: the consents by name, provinces,
    // what a correction needs, and each rule beyond a schema named.
    let registration_schema = &doc["components"]["schemas"]["RegistrationRequest"];
    let consents = &registration_schema["properties"]["consents"];
    assert_eq!(
        consents["required"],
        json!(["marketing", "profiling", "third_parties"])
    );
    assert_eq!(consents["additionalProperties"], json!(false));
    let provinces = registration_schema["properties"]["province"]["enum"]
        .as_array()
        .unwrap();
    assert!(provinces.contains(&json!("PI")) && provinces.contains(&json!("EE")));
    assert!(!provinces.contains(&json!("ZZ")));
    assert!(registration_schema["properties"]["tax_code"]["x-server-checks"].is_array());
    assert_eq!(
        registration_schema["properties"]["privacy_notice"]["enum"],
        json!([true])
    );
    let correction = &doc["components"]["schemas"]["CorrectionRequestBody"];
    assert_eq!(
        correction["required"],
        json!(["field", "requested_value", "reason"])
    );
    assert!(
        correction["properties"]["field"]["enum"]
            .as_array()
            .unwrap()
            .contains(&json!("family_name"))
    );
    // The document's own example registers.
    let anna = Actor::Operator("anna".into());
    let (_, token) = h
        .service
        .add_api_client("writer", &[ApiScope::HoldersWrite], &anna)
        .await
        .unwrap();
    let example = registration_schema["example"].to_string();
    let (status, answer, _) = call(
        server.addr,
        "POST",
        "/api/v1/holders",
        Some(&token),
        "en",
        Some(&example),
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    // A body is an object: the array form serde would read a struct from is refused.
    let (status, answer, _) = call(
        server.addr,
        "POST",
        "/api/v1/holders",
        Some(&token),
        "en",
        Some("[null, null]"),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["error"]["code"], "invalid_request");
    server.stop().await;
}
