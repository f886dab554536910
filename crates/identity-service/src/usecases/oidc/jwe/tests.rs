use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;

use super::*;

/// What the provider encrypts: a compact JWS (its signature is not checked here).
const JWS: &str = "eyJhbGciOiJSUzI1NiIsImtpZCI6InAifQ.eyJzdWIiOiJhYmMiLCJmYW1pbHlfbmFtZSI6IlJvc3NpIn0.c2lnbmF0dXJl";

/// A 2048-bit RSA key pair (private JWK), made once: generation is the slow part.
static KEY: LazyLock<Value> = LazyLock::new(|| rsa_key("rp-enc"));

fn rsa_key(kid: &str) -> Value {
    let mut jwk = Jwk::generate_rsa_key(2048).unwrap();
    jwk.set_key_id(kid);
    jwk.set_key_use("enc");
    Value::Object(jwk.into())
}

/// The public half, as a relying party publishes it: `kid`, `use` and
/// `alg` kept (josekit's `to_public_key` drops them), private parts removed.
fn public(private: &Value) -> Value {
    let mut key = private.clone();
    let map = key.as_object_mut().unwrap();
    for part in ["d", "p", "q", "dp", "dq", "qi", "oth"] {
        map.remove(part);
    }
    key
}

fn choice(alg: &str, enc: &str) -> EncryptionChoice {
    EncryptionChoice {
        alg: alg.to_owned(),
        enc: enc.to_owned(),
    }
}

fn header_of(jwe: &str) -> Value {
    let b64 = jwe.split('.').next().unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(b64).unwrap()).unwrap()
}

#[test]
fn round_trip_for_every_alg_and_enc() {
    let jwks = json!({ "keys": [public(&KEY)] });
    for alg in ENCRYPTION_ALGS {
        for enc in ENCRYPTION_ENCS {
            let jwe = encrypt_jwt(JWS, &jwks, &choice(alg, enc)).unwrap();
            assert_eq!(jwe.split('.').count(), 5, "{alg} {enc}");
            assert_eq!(decrypt_jwt(&jwe, &KEY).unwrap(), JWS, "{alg} {enc}");
        }
    }
}

#[test]
fn header_has_cty_alg_enc_and_kid() {
    let jwks = json!({ "keys": [public(&KEY)] });
    let jwe = encrypt_jwt(JWS, &jwks, &choice("RSA-OAEP-256", "A256CBC-HS512")).unwrap();
    let header = header_of(&jwe);
    assert_eq!(header["cty"], "JWT");
    assert_eq!(header["alg"], "RSA-OAEP-256");
    assert_eq!(header["enc"], "A256CBC-HS512");
    assert_eq!(header["kid"], "rp-enc");
    // Nothing else: no zip, and no key material.
    assert_eq!(header.as_object().unwrap().len(), 4, "{header}");
}

#[test]
fn a_key_without_kid_gives_a_header_without_kid() {
    let mut key = public(&KEY);
    key.as_object_mut().unwrap().remove("kid");
    let jwe = encrypt_jwt(
        JWS,
        &json!({ "keys": [key] }),
        &choice("RSA-OAEP", "A128CBC-HS256"),
    )
    .unwrap();
    assert!(header_of(&jwe).get("kid").is_none());
    let mut private = KEY.clone();
    private.as_object_mut().unwrap().remove("kid");
    assert_eq!(decrypt_jwt(&jwe, &private).unwrap(), JWS);
}

#[test]
fn the_enc_key_is_chosen_over_the_sig_key() {
    let sig = rsa_key("rp-sig");
    let mut sig_public = public(&sig);
    sig_public["use"] = json!("sig");
    // The signing key first: order must not decide.
    let jwks = json!({ "keys": [
        { "kty": "EC", "crv": "P-256", "use": "enc", "kid": "ec", "x": "AA", "y": "AA" },
        sig_public,
        public(&KEY),
    ] });
    let jwe = encrypt_jwt(JWS, &jwks, &choice("RSA-OAEP", "A128CBC-HS256")).unwrap();
    assert_eq!(header_of(&jwe)["kid"], "rp-enc");
    assert_eq!(decrypt_jwt(&jwe, &KEY).unwrap(), JWS);
    assert!(matches!(decrypt_jwt(&jwe, &sig), Err(JweError::Crypto(_))));
}

#[test]
fn the_only_rsa_key_without_use_is_taken() {
    let mut key = public(&KEY);
    key.as_object_mut().unwrap().remove("use");
    let jwe = encrypt_jwt(
        JWS,
        &json!({ "keys": [key] }),
        &choice("RSA-OAEP", "A128CBC-HS256"),
    )
    .unwrap();
    assert_eq!(decrypt_jwt(&jwe, &KEY).unwrap(), JWS);
}

#[test]
fn without_an_rsa_encryption_key_nothing_is_encrypted() {
    let c = choice("RSA-OAEP", "A128CBC-HS256");
    let mut sig = public(&KEY);
    sig["use"] = json!("sig");
    let mut no_use = public(&KEY);
    no_use.as_object_mut().unwrap().remove("use");
    let mut other_alg = public(&KEY);
    other_alg["alg"] = json!("RSA-OAEP-256");
    let mut sign_only = public(&KEY);
    sign_only["key_ops"] = json!(["verify"]);
    let cases = [
        json!({}),
        json!({ "keys": [] }),
        json!({ "keys": [sig] }),
        // Two RSA keys without `use`: which one is for encryption is not said.
        json!({ "keys": [no_use, no_use] }),
        json!({ "keys": [{ "kty": "EC", "crv": "P-256", "use": "enc", "x": "AA", "y": "AA" }] }),
        json!({ "keys": [other_alg] }),
        json!({ "keys": [sign_only] }),
    ];
    for jwks in cases {
        assert!(
            matches!(encrypt_jwt(JWS, &jwks, &c), Err(JweError::NoEncryptionKey)),
            "{jwks}"
        );
    }
}

#[test]
fn wrap_key_in_key_ops_is_accepted() {
    let mut key = public(&KEY);
    key["key_ops"] = json!(["wrapKey"]);
    let jwe = encrypt_jwt(
        JWS,
        &json!({ "keys": [key] }),
        &choice("RSA-OAEP", "A128CBC-HS256"),
    )
    .unwrap();
    assert_eq!(decrypt_jwt(&jwe, &KEY).unwrap(), JWS);
}

#[test]
fn a_short_rsa_key_is_refused() {
    let mut jwk = Jwk::generate_rsa_key(1024).unwrap();
    jwk.set_key_use("enc");
    let short = public(&Value::Object(jwk.into()));
    let outcome = encrypt_jwt(
        JWS,
        &json!({ "keys": [short] }),
        &choice("RSA-OAEP", "A128CBC-HS256"),
    );
    assert!(matches!(outcome, Err(JweError::Crypto(_))), "{outcome:?}");
}

#[test]
fn unsupported_algorithms_are_refused() {
    let jwks = json!({ "keys": [public(&KEY)] });
    for alg in ["RSA1_5", "dir", "A128KW", "ECDH-ES", "RSA-OAEP-512", ""] {
        let outcome = encrypt_jwt(JWS, &jwks, &choice(alg, "A128CBC-HS256"));
        assert!(
            matches!(&outcome, Err(JweError::UnsupportedAlg(a)) if a == alg),
            "{alg}: {outcome:?}"
        );
    }
    for enc in ["A256GCM", "A128GCM", "A192CBC-HS384", "none"] {
        let outcome = encrypt_jwt(JWS, &jwks, &choice("RSA-OAEP", enc));
        assert!(
            matches!(&outcome, Err(JweError::UnsupportedEnc(e)) if e == enc),
            "{enc}: {outcome:?}"
        );
    }
}

#[test]
fn choice_from_metadata() {
    let (alg, enc) = (
        "userinfo_encrypted_response_alg",
        "userinfo_encrypted_response_enc",
    );
    let from = |m: Value| EncryptionChoice::from_metadata(&m, alg, enc);
    assert!(from(json!({})).is_none());
    assert!(from(json!({ alg: null, enc: null })).is_none());
    assert_eq!(
        from(json!({ alg: "RSA-OAEP-256", enc: "A256CBC-HS512" }))
            .unwrap()
            .unwrap(),
        choice("RSA-OAEP-256", "A256CBC-HS512")
    );
    // Only alg: enc defaults to A128CBC-HS256.
    assert_eq!(
        from(json!({ alg: "RSA-OAEP" })).unwrap().unwrap(),
        choice("RSA-OAEP", "A128CBC-HS256")
    );
    assert!(matches!(
        from(json!({ alg: "RSA1_5" })),
        Some(Err(JweError::UnsupportedAlg(a))) if a == "RSA1_5"
    ));
    assert!(matches!(
        from(json!({ alg: 5 })),
        Some(Err(JweError::UnsupportedAlg(_)))
    ));
    assert!(matches!(
        from(json!({ alg: "RSA-OAEP", enc: "A256GCM" })),
        Some(Err(JweError::UnsupportedEnc(e))) if e == "A256GCM"
    ));
    // enc without alg is invalid metadata: refused, not taken as "no encryption".
    assert!(matches!(
        from(json!({ enc: "A128CBC-HS256" })),
        Some(Err(JweError::UnsupportedAlg(_)))
    ));
    // The other pair of parameters is not read.
    assert!(
        EncryptionChoice::from_metadata(
            &json!({ alg: "RSA-OAEP" }),
            "id_token_encrypted_response_alg",
            "id_token_encrypted_response_enc"
        )
        .is_none()
    );
}

#[test]
fn altered_ciphertexts_and_headers_do_not_decrypt() {
    let jwks = json!({ "keys": [public(&KEY)] });
    let jwe = encrypt_jwt(JWS, &jwks, &choice("RSA-OAEP", "A128CBC-HS256")).unwrap();
    let mut parts: Vec<String> = jwe.split('.').map(str::to_owned).collect();
    // One bit of the ciphertext.
    let mut ciphertext = URL_SAFE_NO_PAD.decode(&parts[3]).unwrap();
    ciphertext[0] ^= 1;
    parts[3] = URL_SAFE_NO_PAD.encode(&ciphertext);
    let altered = parts.join(".");
    assert!(matches!(
        decrypt_jwt(&altered, &KEY),
        Err(JweError::Crypto(_))
    ));
    // The protected header is authenticated too (it is the tag's AAD).
    let mut header = header_of(&jwe);
    header["x"] = json!(1);
    let mut parts: Vec<String> = jwe.split('.').map(str::to_owned).collect();
    parts[0] = URL_SAFE_NO_PAD.encode(header.to_string());
    assert!(matches!(
        decrypt_jwt(&parts.join("."), &KEY),
        Err(JweError::Crypto(_))
    ));
    // A compressed JWE is refused before any decryption.
    let mut header = header_of(&jwe);
    header["zip"] = json!("DEF");
    parts[0] = URL_SAFE_NO_PAD.encode(header.to_string());
    assert!(matches!(
        decrypt_jwt(&parts.join("."), &KEY),
        Err(JweError::Crypto(m)) if m.contains("compressed")
    ));
}

/// RFC 7520 §5.2: the recipient's key ("samwise.gamgee@hobbiton.example", RSA 4096).
const RFC7520_5_2_KEY: &str = r#"{
    "kty": "RSA",
    "kid": "samwise.gamgee@hobbiton.example",
    "use": "enc",
    "n": "wbdxI55VaanZXPY29Lg5hdmv2XhvqAhoxUkanfzf2-5zVUxa6prHRrI4pP1AhoqJRlZfYtWWd5mmHRG2pAHIlh0ySJ9wi0BioZBl1XP2e-C-FyXJGcTy0HdKQWlrfhTm42EW7Vv04r4gfao6uxjLGwfpGrZLarohiWCPnkNrg71S2CuNZSQBIPGjXfkmIy2tl_VWgGnL22GplyXj5YlBLdxXp3XeStsqo571utNfoUTU8E4qdzJ3U1DItoVkPGsMwlmmnJiwA7sXRItBCivR4M5qnZtdw-7v4WuR4779ubDuJ5nalMv2S66-RPcnFAzWSKxtBDnFJJDGIUe7Tzizjg1nms0Xq_yPub_UOlWn0ec85FCft1hACpWG8schrOBeNqHBODFskYpUc2LC5JA2TaPF2dA67dg1TTsC_FupfQ2kNGcE1LgprxKHcVWYQb86B-HozjHZcqtauBzFNV5tbTuB-TpkcvJfNcFLlH3b8mb-H_ox35FjqBSAjLKyoeqfKTpVjvXhd09knwgJf6VKq6UC418_TOljMVfFTWXUxlnfhOOnzW6HSSzD1c9WrCuVzsUMv54szidQ9wf1cYWf3g5qFDxDQKis99gcDaiCAwM3yEBIzuNeeCa5dartHDb1xEB_HcHSeYbghbMjGfasvKn0aZRsnTyC0xhWBlsolZE",
    "e": "AQAB",
    "alg": "RSA-OAEP",
    "d": "n7fzJc3_WG59VEOBTkayzuSMM780OJQuZjN_KbH8lOZG25ZoA7T4Bxcc0xQn5oZE5uSCIwg91oCt0JvxPcpmqzaJZg1nirjcWZ-oBtVk7gCAWq-B3qhfF3izlbkosrzjHajIcY33HBhsy4_WerrXg4MDNE4HYojy68TcxT2LYQRxUOCf5TtJXvM8olexlSGtVnQnDRutxEUCwiewfmmrfveEogLx9EA-KMgAjTiISXxqIXQhWUQX1G7v_mV_Hr2YuImYcNcHkRvp9E7ook0876DhkO8v4UOZLwA1OlUX98mkoqwc58A_Y2lBYbVx1_s5lpPsEqbbH-nqIjh1fL0gdNfihLxnclWtW7pCztLnImZAyeCWAG7ZIfv-Rn9fLIv9jZ6r7r-MSH9sqbuziHN2grGjD_jfRluMHa0l84fFKl6bcqN1JWxPVhzNZo01yDF-1LiQnqUYSepPf6X3a2SOdkqBRiquE6EvLuSYIDpJq3jDIsgoL8Mo1LoomgiJxUwL_GWEOGu28gplyzm-9Q0U0nyhEf1uhSR8aJAQWAiFImWH5W_IQT9I7-yrindr_2fWQ_i1UgMsGzA7aOGzZfPljRy6z-tY_KuBG00-28S_aWvjyUc-Alp8AUyKjBZ-7CWH32fGWK48j1t-zomrwjL_mnhsPbGs0c9WsWgRzI-K8gE",
    "p": "7_2v3OQZzlPFcHyYfLABQ3XP85Es4hCdwCkbDeltaUXgVy9l9etKghvM4hRkOvbb01kYVuLFmxIkCDtpi-zLCYAdXKrAK3PtSbtzld_XZ9nlsYa_QZWpXB_IrtFjVfdKUdMz94pHUhFGFj7nr6NNxfpiHSHWFE1zD_AC3mY46J961Y2LRnreVwAGNw53p07Db8yD_92pDa97vqcZOdgtybH9q6uma-RFNhO1AoiJhYZj69hjmMRXx-x56HO9cnXNbmzNSCFCKnQmn4GQLmRj9sfbZRqL94bbtE4_e0Zrpo8RNo8vxRLqQNwIy85fc6BRgBJomt8QdQvIgPgWCv5HoQ",
    "q": "zqOHk1P6WN_rHuM7ZF1cXH0x6RuOHq67WuHiSknqQeefGBA9PWs6ZyKQCO-O6mKXtcgE8_Q_hA2kMRcKOcvHil1hqMCNSXlflM7WPRPZu2qCDcqssd_uMbP-DqYthH_EzwL9KnYoH7JQFxxmcv5An8oXUtTwk4knKjkIYGRuUwfQTus0w1NfjFAyxOOiAQ37ussIcE6C6ZSsM3n41UlbJ7TCqewzVJaPJN5cxjySPZPD3Vp01a9YgAD6a3IIaKJdIxJS1ImnfPevSJQBE79-EXe2kSwVgOzvt-gsmM29QQ8veHy4uAqca5dZzMs7hkkHtw1z0jHV90epQJJlXXnH8Q",
    "dp": "19oDkBh1AXelMIxQFm2zZTqUhAzCIr4xNIGEPNoDt1jK83_FJA-xnx5kA7-1erdHdms_Ef67HsONNv5A60JaR7w8LHnDiBGnjdaUmmuO8XAxQJ_ia5mxjxNjS6E2yD44USo2JmHvzeeNczq25elqbTPLhUpGo1IZuG72FZQ5gTjXoTXC2-xtCDEUZfaUNh4IeAipfLugbpe0JAFlFfrTDAMUFpC3iXjxqzbEanflwPvj6V9iDSgjj8SozSM0dLtxvu0LIeIQAeEgT_yXcrKGmpKdSO08kLBx8VUjkbv_3Pn20Gyu2YEuwpFlM_H1NikuxJNKFGmnAq9LcnwwT0jvoQ",
    "dq": "S6p59KrlmzGzaQYQM3o0XfHCGvfqHLYjCO557HYQf72O9kLMCfd_1VBEqeD-1jjwELKDjck8kOBl5UvohK1oDfSP1DleAy-cnmL29DqWmhgwM1ip0CCNmkmsmDSlqkUXDi6sAaZuntyukyflI-qSQ3C_BafPyFaKrt1fgdyEwYa08pESKwwWisy7KnmoUvaJ3SaHmohFS78TJ25cfc10wZ9hQNOrIChZlkiOdFCtxDqdmCqNacnhgE3bZQjGp3n83ODSz9zwJcSUvODlXBPc2AycH6Ci5yjbxt4Ppox_5pjm6xnQkiPgj01GpsUssMmBN7iHVsrE7N2iznBNCeOUIQ",
    "qi": "FZhClBMywVVjnuUud-05qd5CYU0dK79akAgy9oX6RX6I3IIIPckCciRrokxglZn-omAY5CnCe4KdrnjFOT5YUZE7G_Pg44XgCXaarLQf4hl80oPEf6-jJ5Iy6wPRx7G2e8qLxnh9cOdf-kRqgOS3F48Ucvw3ma5V6KGMwQqWFeV31XtZ8l5cVI-I3NzBS7qltpUVgz2Ju021eyc7IlqgzR98qKONl27DuEES0aK0WE97jnsyO27Yp88Wa2RiBrEocM89QZI1seJiGDizHRUP4UZxw9zsXww46wy0P6f9grnYp7t8LkyDDk8eoI4KX6SNMNVcyVS9IWjlq8EzqZEKIA"
}"#;
/// RFC 7520 §5.2: the compact serialization (RSA-OAEP + A256GCM), in its five parts.
const RFC7520_5_2_JWE: [&str; 5] = [
    "eyJhbGciOiJSU0EtT0FFUCIsImtpZCI6InNhbXdpc2UuZ2FtZ2VlQGhvYmJpdG9uLmV4YW1wbGUiLCJlbmMiOiJBMjU2R0NNIn0",
    "rT99rwrBTbTI7IJM8fU3Eli7226HEB7IchCxNuh7lCiud48LxeolRdtFF4nzQibeYOl5S_PJsAXZwSXtDePz9hk-BbtsTBqC2UsPOdwjC9NhNupNNu9uHIVftDyucvI6hvALeZ6OGnhNV4v1zx2k7O1D89mAzfw-_kT3tkuorpDU-CpBENfIHX1Q58-Aad3FzMuo3Fn9buEP2yXakLXYa15BUXQsupM4A1GD4_H4Bd7V3u9h8Gkg8BpxKdUV9ScfJQTcYm6eJEBz3aSwIaK4T3-dwWpuBOhROQXBosJzS1asnuHtVMt2pKIIfux5BC6huIvmY7kzV7W7aIUrpYm_3H4zYvyMeq5pGqFmW2k8zpO878TRlZx7pZfPYDSXZyS0CfKKkMozT_qiCwZTSz4duYnt8hS4Z9sGthXn9uDqd6wycMagnQfOTs_lycTWmY-aqWVDKhjYNRf03NiwRtb5BE-tOdFwCASQj3uuAgPGrO2AWBe38UjQb0lvXn1SpyvYZ3WFc7WOJYaTa7A8DRn6MC6T-xDmMuxC0G7S2rscw5lQQU06MvZTlFOt0UvfuKBa03cxA_nIBIhLMjY2kOTxQMmpDPTr6Cbo8aKaOnx6ASE5Jx9paBpnNmOOKH35j_QlrQhDWUN6A2Gg8iFayJ69xDEdHAVCGRzN3woEI2ozDRs",
    "-nBoKLH0YkLZPSI9",
    "o4k2cnGN8rSSw3IDo1YuySkqeS_t2m1GXklSgqBdpACm6UJuJowOHC5ytjqYgRL-I-soPlwqMUf4UgRWWeaOGNw6vGW-xyM01lTYxrXfVzIIaRdhYtEMRBvBWbEwP7ua1DRfvaOjgZv6Ifa3brcAM64d8p5lhhNcizPersuhw5f-pGYzseva-TUaL8iWnctc-sSwy7SQmRkfhDjwbz0fz6kFovEgj64X1I5s7E6GLp5fnbYGLa1QUiML7Cc2GxgvI7zqWo0YIEc7aCflLG1-8BboVWFdZKLK9vNoycrYHumwzKluLWEbSVmaPpOslY2n525DxDfWaVFUfKQxMF56vn4B9QMpWAbnypNimbM8zVOw",
    "UCGiqJxhBI3IFVdPalHHvA",
];
/// RFC 7520 §5 (every JWE example there): the plaintext, with two en dashes.
const RFC7520_PLAINTEXT: &str = "You can trust us to stick with you through thick and \
    thin\u{2013}to the bitter end. And you can trust us to keep any secret of \
    yours\u{2013}closer than you keep it yourself. But you cannot trust us to let you \
    face trouble alone, and go off without a word. We are your friends, Frodo.";

/// The library reads a standard JWE: RFC 7520 §5.2 (RSA-OAEP key management,
/// the one we share with it, and A256GCM content) decrypts to the RFC's plaintext.
/// A256GCM is not offered, so josekit is called directly; `decrypt_jwt` refuses it.
#[test]
fn rfc7520_5_2_rsa_oaep_a256gcm_decrypts() {
    let key: Value = serde_json::from_str(RFC7520_5_2_KEY).unwrap();
    let jwk = Jwk::from_map(key.as_object().unwrap().clone()).unwrap();
    let decrypter = jwe::RSA_OAEP.decrypter_from_jwk(&jwk).unwrap();
    let compact = RFC7520_5_2_JWE.join(".");
    let (plaintext, header) = jwe::deserialize_compact(&compact, &decrypter).unwrap();
    assert_eq!(String::from_utf8(plaintext).unwrap(), RFC7520_PLAINTEXT);
    assert_eq!(header.key_id(), Some("samwise.gamgee@hobbiton.example"));
    assert!(matches!(
        decrypt_jwt(&compact, &key),
        Err(JweError::UnsupportedEnc(e)) if e == "A256GCM"
    ));
}

/// The RFC 7520 key works with our own functions too (RSA 4096, `alg`
/// RSA-OAEP in the JWK): and it is passed over for RSA-OAEP-256.
#[test]
fn rfc7520_key_round_trip_and_alg_filter() {
    let key: Value = serde_json::from_str(RFC7520_5_2_KEY).unwrap();
    let jwks = json!({ "keys": [public(&key)] });
    let jwe = encrypt_jwt(JWS, &jwks, &choice("RSA-OAEP", "A256CBC-HS512")).unwrap();
    assert_eq!(header_of(&jwe)["kid"], "samwise.gamgee@hobbiton.example");
    assert_eq!(decrypt_jwt(&jwe, &key).unwrap(), JWS);
    assert!(matches!(
        encrypt_jwt(JWS, &jwks, &choice("RSA-OAEP-256", "A256CBC-HS512")),
        Err(JweError::NoEncryptionKey)
    ));
}

/// RFC 7516 Appendix A.3 (A128KW + A128CBC-HS256): a known answer for the
/// AES-CBC-HMAC content encryption we offer. A128KW is not offered, so
/// josekit is called directly; `decrypt_jwt` refuses it.
#[test]
fn rfc7516_a3_a128cbc_hs256_decrypts() {
    let compact = [
        "eyJhbGciOiJBMTI4S1ciLCJlbmMiOiJBMTI4Q0JDLUhTMjU2In0",
        "6KB707dM9YTIgHtLvtgWQ8mKwboJW3of9locizkDTHzBC2IlrT1oOQ",
        "AxY8DCtDaGlsbGljb3RoZQ",
        "KDlTtXchhZTGufMYmOYGS4HffxPSUrfmqCHXaI9wOGY",
        "U0m_YmjN04DJvceFICbCVQ",
    ]
    .join(".");
    let key = json!({ "kty": "oct", "k": "GawgguFyGrWKav7AX4VKUg" });
    let jwk = Jwk::from_map(key.as_object().unwrap().clone()).unwrap();
    let decrypter = jwe::A128KW.decrypter_from_jwk(&jwk).unwrap();
    let (plaintext, _) = jwe::deserialize_compact(&compact, &decrypter).unwrap();
    assert_eq!(plaintext, b"Live long and prosper.");
    assert!(matches!(
        decrypt_jwt(&compact, &key),
        Err(JweError::UnsupportedAlg(a)) if a == "A128KW"
    ));
}
