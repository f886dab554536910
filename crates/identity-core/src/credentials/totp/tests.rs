use super::*;
use chrono::TimeZone;
use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

fn rfc_secret() -> TotpSecret {
    TotpSecret::from_bytes(b"12345678901234567890").expect("20 bytes")
}

fn at(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0).single().expect("valid")
}

fn code_at(secret: &TotpSecret, secs: i64) -> String {
    format!("{:06}", totp_code(secret, step_at(at(secs))))
}

#[test]
fn rfc6238_appendix_b_sha1_vectors() {
    // The RFC lists 8-digit codes; a 6-digit code is the last 6 digits.
    let vectors = [
        (59, 287_082),
        (1_111_111_109, 81_804),
        (1_111_111_111, 50_471),
        (1_234_567_890, 5_924),
        (2_000_000_000, 279_037),
        (20_000_000_000, 353_130),
    ];
    let secret = rfc_secret();
    for (t, code) in vectors {
        assert_eq!(totp_code(&secret, step_at(at(t))), code, "T={t}");
    }
    assert_eq!(code_at(&secret, 1_234_567_890), "005924");
}

#[test]
fn base32_and_uri() {
    let secret = rfc_secret();
    assert_eq!(secret.to_base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    assert_eq!(
        TotpSecret::from_base32("gezd gnbv gy3t qojq gezd gnbv gy3t qojq"),
        Some(secret.clone())
    );
    assert_eq!(
        secret.otpauth_uri("Identità Digitale", "mario.rossi@example.it"),
        "otpauth://totp/Identit%C3%A0%20Digitale:mario.rossi%40example.it?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
         &issuer=Identit%C3%A0%20Digitale&algorithm=SHA1&digits=6&period=30"
    );
    assert!(
        secret
            .otpauth_uri("A:B", "c")
            .starts_with("otpauth://totp/A%3AB:c?")
    );
}

#[test]
fn secrets_are_random_sized_and_redacted() {
    let mut rng = StdRng::seed_from_u64(9);
    let a = TotpSecret::generate(&mut rng);
    let b = TotpSecret::generate(&mut rng);
    assert_eq!(a.as_bytes().len(), SECRET_BYTES);
    assert_ne!(a, b);
    assert_eq!(TotpSecret::from_bytes(a.as_bytes()), Some(a.clone()));
    assert_eq!(TotpSecret::from_bytes(&[0; 15]), None);
    let debug = format!("{a:?}");
    assert!(!debug.contains(&a.to_base32()));
    assert!(!debug.contains(&format!("{:?}", a.as_bytes())));
}

#[test]
fn accepts_current_and_adjacent_steps_once() {
    let secret = rfc_secret();
    let now = 1_111_111_111;
    for offset in [-30, 0, 30] {
        let (state, result) = verify(
            &secret,
            &code_at(&secret, now + offset),
            at(now),
            &TotpState::default(),
        );
        let step = result.expect("accepted");
        assert_eq!(state.last_used_step(), Some(step));
        assert_eq!(state.consecutive_failures(), 0);
    }
    for offset in [-60, 60] {
        let (_, result) = verify(
            &secret,
            &code_at(&secret, now + offset),
            at(now),
            &TotpState::default(),
        );
        assert!(
            matches!(result, Err(TotpError::WrongCode { .. })),
            "offset {offset}"
        );
    }
}

#[test]
fn replay_is_refused() {
    let secret = rfc_secret();
    let now = 1_111_111_111;
    let code = code_at(&secret, now);
    let (state, first) = verify(&secret, &code, at(now), &TotpState::default());
    assert!(first.is_ok());
    let (again, second) = verify(&secret, &code, at(now + 5), &state);
    assert_eq!(second, Err(TotpError::Replayed));
    assert_eq!(again, state, "a replay does not count as a failure");
    // An older code of the window is refused as well once a newer one was used.
    let (_, older) = verify(&secret, &code_at(&secret, now - 30), at(now), &state);
    assert_eq!(older, Err(TotpError::Replayed));
    // The next step's code works.
    let (_, next) = verify(&secret, &code_at(&secret, now + 30), at(now + 30), &state);
    assert!(next.is_ok());
}

#[test]
fn five_wrong_codes_block_and_success_resets() {
    let secret = rfc_secret();
    let now = at(1_234_567_890);
    let right = code_at(&secret, 1_234_567_890);
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    let mut state = TotpState::default();
    for expected_left in [4, 3, 2, 1] {
        let (next, result) = verify(&secret, wrong, now, &state);
        assert_eq!(
            result,
            Err(TotpError::WrongCode {
                attempts_left: expected_left
            })
        );
        state = next;
    }
    // A success after 4 failures resets the counter.
    let (reset, ok) = verify(&secret, &right, now, &state);
    assert!(ok.is_ok());
    assert_eq!(reset.consecutive_failures(), 0);

    let mut state = TotpState::new(4, None);
    let (blocked, result) = verify(&secret, wrong, now, &state);
    assert_eq!(result, Err(TotpError::Blocked));
    assert!(blocked.is_blocked());
    state = blocked;
    // While blocked even the right code is refused.
    let (still, result) = verify(&secret, &right, now, &state);
    assert_eq!(result, Err(TotpError::Blocked));
    assert_eq!(still, state);
    // After the unblock the right code works.
    let (_, result) = verify(&secret, &right, now, &state.reset_failures());
    assert!(result.is_ok());
}

#[test]
fn malformed_codes_do_not_count() {
    let secret = rfc_secret();
    let state = TotpState::default();
    for code in ["", "12345", "1234567", "12a456", "١٢٣٤٥٦"] {
        let (next, result) = verify(&secret, code, at(59), &state);
        assert_eq!(result, Err(TotpError::Malformed), "{code}");
        assert_eq!(next, state);
    }
    // Spaces are tolerated.
    let (_, result) = verify(&secret, "287 082", at(59), &state);
    assert!(result.is_ok());
}

#[test]
fn errors_explain_themselves() {
    for e in [
        TotpError::Malformed,
        TotpError::WrongCode { attempts_left: 2 },
        TotpError::Replayed,
        TotpError::Blocked,
    ] {
        assert!(!e.to_string().is_empty());
    }
}

#[test]
fn steps_before_1970_do_not_panic() {
    assert_eq!(step_at(at(-100)), 0);
}

proptest! {
    #[test]
    fn the_current_code_is_always_accepted_on_a_fresh_state(seed in any::<u64>(), secs in 0i64..4_000_000_000) {
        let secret = TotpSecret::generate(&mut StdRng::seed_from_u64(seed));
        let code = code_at(&secret, secs);
        let (state, result) = verify(&secret, &code, at(secs), &TotpState::default());
        prop_assert_eq!(result, Ok(step_at(at(secs))));
        prop_assert_eq!(state.last_used_step(), Some(step_at(at(secs))));
        prop_assert!(code.len() == 6);
    }
}

#[test]
fn base32_keys_as_people_type_them() {
    let secret = rfc_secret();
    let key = secret.to_base32();
    assert!(!key.contains('='), "unpadded");
    for typed in [
        key.clone(),
        key.to_lowercase(),
        format!("{key}===="),
        "GEZD-GNBV-GY3T-QOJQ-GEZD-GNBV-GY3T-QOJQ".to_owned(),
    ] {
        assert_eq!(
            TotpSecret::from_base32(&typed),
            Some(secret.clone()),
            "{typed}"
        );
    }
    // A character outside the alphabet, a length no encoder produces, a last
    // symbol with stray bits, and a key too short for a secret are refused.
    assert_eq!(TotpSecret::from_base32(&key.replace('G', "1")), None);
    assert_eq!(TotpSecret::from_base32(&format!("{key}A")), None);
    let zeros = TotpSecret::from_bytes(&[0; 16])
        .expect("16 bytes")
        .to_base32();
    assert_eq!(zeros, "A".repeat(26));
    assert_eq!(
        TotpSecret::from_base32(&format!("{}B", "A".repeat(25))),
        None
    );
    assert_eq!(TotpSecret::from_base32("MZXW6YTBOI"), None);
}

proptest! {
    #[test]
    fn base32_round_trips(bytes in proptest::collection::vec(any::<u8>(), 16..=64)) {
        let secret = TotpSecret::from_bytes(&bytes).expect("16 to 64 bytes");
        let key = secret.to_base32();
        prop_assert_eq!(TotpSecret::from_base32(&key), Some(secret.clone()));
        prop_assert_eq!(TotpSecret::from_base32(&key.to_lowercase()), Some(secret));
    }
}
