//! The TOTP sealing key kept in the data folder when the configuration names
//! none: generated at first use, `k1:<base64>`, readable by its owner only.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use identity_service::sealing::KEY_BYTES;
use rand::RngCore as _;

use crate::SettingsError;

/// `(id, key)` of an entry `<id>:<base64 of 32 bytes>`.
pub(crate) fn parse_key(entry: &str) -> Result<(String, [u8; KEY_BYTES]), SettingsError> {
    let bad = |why: &str| SettingsError::Invalid(format!("totp_keys: {why}"));
    let (id, b64) = entry
        .trim()
        .split_once(':')
        .ok_or_else(|| bad("each key must be <id>:<base64>"))?;
    let bytes = STANDARD
        .decode(b64.trim())
        .map_err(|_| bad("a key is not valid base64"))?;
    let key: [u8; KEY_BYTES] = bytes
        .try_into()
        .map_err(|_| bad("a key must be 32 bytes"))?;
    Ok((id.to_owned(), key))
}

/// The entry in `path`, creating it (with a new random key) when missing.
pub(crate) fn load_or_create(path: &Path) -> Result<String, SettingsError> {
    let io = |e: std::io::Error| SettingsError::Invalid(format!("{}: {e}", path.display()));
    match std::fs::read_to_string(path) {
        Ok(text) => return Ok(text.trim().to_owned()),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(e)),
        Err(_) => {}
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut key = [0u8; KEY_BYTES];
    rand::rng().fill_bytes(&mut key);
    let entry = format!("k1:{}", STANDARD.encode(key));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => {
            std::io::Write::write_all(&mut file, format!("{entry}\n").as_bytes()).map_err(io)?;
            tracing::warn!(file = %path.display(), "generated a TOTP sealing key; back it up with the database");
            Ok(entry)
        }
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Ok(std::fs::read_to_string(path).map_err(io)?.trim().to_owned())
        }
        Err(e) => Err(io(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_file_is_created_once_and_reused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("totp.key");
        let first = load_or_create(&path).expect("created");
        assert_eq!(load_or_create(&path).expect("read"), first);
        let (id, _) = parse_key(&first).expect("parses");
        assert_eq!(id, "k1");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn malformed_keys_are_refused() {
        assert!(parse_key("nocolon").is_err());
        assert!(parse_key("k1:not base64!").is_err());
        assert!(parse_key("k1:AAAA").is_err());
    }
}
