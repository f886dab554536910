//! Gives memory back to the system after a burst, without a setting.
//!
//! A password hash takes 19 MiB, and glibc's allocator raises its threshold for
//! serving large blocks with `mmap` each time such a block is freed: after the
//! first hashes they come from the heap, and the heap keeps what a burst used (63
//! MiB resident after a sign-in flood against 25 MiB with the threshold fixed:
//! docs/benchmarks.md, "Memory and sign-ins through a flood"). The threshold can
//! only be fixed before the process starts (`GLIBC_TUNABLES`), so on Linux with
//! glibc the node starts itself again at once, in the same process (`exec`: same
//! pid, arguments and environment), with the threshold at 1 MiB added. Nothing is
//! done when `GLIBC_TUNABLES` is already set (the operator's own tuning wins) or
//! `IDENTITY_MEMORY_TUNING=off`.

/// The glibc tunable: blocks of 1 MiB and more are mapped on their own and
/// unmapped when freed.
const TUNABLE: &str = "glibc.malloc.mmap_threshold=1048576";

/// Starts the process again with [`TUNABLE`] when it applies; returns only when
/// it does not (or when starting again failed, which is logged once the logger
/// is up by the caller through the returned message).
#[must_use]
pub fn restart_with_tuned_allocator() -> Option<String> {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use std::os::unix::process::CommandExt as _;
        if std::env::var_os("GLIBC_TUNABLES").is_some()
            || std::env::var("IDENTITY_MEMORY_TUNING").is_ok_and(|v| v == "off")
        {
            return None;
        }
        let exe = match std::env::current_exe() {
            Ok(exe) => exe,
            Err(e) => return Some(format!("memory tuning skipped: {e}")),
        };
        let error = std::process::Command::new(exe)
            .args(std::env::args_os().skip(1))
            .env("GLIBC_TUNABLES", TUNABLE)
            .exec();
        Some(format!("memory tuning skipped: {error}"))
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    None
}
