//! Times as pages show them.

/// Formats a time for pages: Europe/Rome, `dd/mm/yyyy HH:MM`.
pub(crate) fn rome_time(at: chrono::DateTime<chrono::Utc>) -> String {
    identity_core::calendar::in_rome(at)
        .format("%d/%m/%Y %H:%M")
        .to_string()
}
