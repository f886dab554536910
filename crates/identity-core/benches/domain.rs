//! Throughput of the pure domain checks that run on every registration and sign-in.
//! `cargo bench -p identity-core --bench domain`

#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;

use chrono::{NaiveDate, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use identity_core::credentials::totp;
use identity_core::{
    PasswordContext, PasswordPolicy, PersonCheck, PersonalTaxCode, Sex, TaxCode, TotpSecret,
    TotpState, VatNumber,
};

fn parsing(c: &mut Criterion) {
    c.bench_function("TaxCode::parse (16 chars)", |b| {
        b.iter(|| TaxCode::parse(black_box("rssmra85t10a562s")))
    });
    c.bench_function("TaxCode::parse (omocode)", |b| {
        b.iter(|| TaxCode::parse(black_box("RSSMRA85T10A56NH")))
    });
    c.bench_function("VatNumber::parse", |b| {
        b.iter(|| VatNumber::parse(black_box("IT12345670017")))
    });
    let code = PersonalTaxCode::parse("RSSMRA85T10A562S").unwrap();
    let person = PersonCheck {
        family_name: "Rossi",
        given_name: "Mario",
        birth_date: NaiveDate::from_ymd_opt(1985, 12, 10).unwrap(),
        sex: Sex::Male,
        birth_place_code: Some("A562"),
    };
    c.bench_function("PersonalTaxCode::check_person", |b| {
        b.iter(|| code.check_person(black_box(&person)))
    });
}

fn policies(c: &mut Criterion) {
    let policy = PasswordPolicy::default();
    let ctx = PasswordContext {
        names: vec!["Mario", "Rossi"],
        tax_code: Some("RSSMRA85T10A562S"),
        login_numbers: vec!["123456"],
        birth_date: NaiveDate::from_ymd_opt(1985, 12, 10),
    };
    c.bench_function("PasswordPolicy::check", |b| {
        b.iter(|| policy.check(black_box("Ver0-Sicura!x"), &ctx))
    });
    let secret = TotpSecret::from_bytes(b"12345678901234567890").unwrap();
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap();
    let code = format!("{:06}", totp::totp_code(&secret, totp::step_at(now)));
    let state = TotpState::new(0, None);
    c.bench_function("totp::verify", |b| {
        b.iter(|| totp::verify(&secret, black_box(&code), now, &state))
    });
}

criterion_group!(benches, parsing, policies);
criterion_main!(benches);
