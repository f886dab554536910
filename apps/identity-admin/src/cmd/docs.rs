//! `completions SHELL` and `man`: shell completions and the manual pages,
//! generated from the command definitions (no database, no operator).

use std::io::Write as _;
use std::path::Path;

use clap::{CommandFactory, ValueEnum};

use crate::{Cli, Failure};

/// Shells with completions.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Shell {
    /// Bash: `source <(identity-admin completions bash)`.
    Bash,
    /// Zsh: write it to a directory of `$fpath` as `_identity-admin`.
    Zsh,
    /// Fish: write it to `~/.config/fish/completions/identity-admin.fish`.
    Fish,
}

/// The program's name as typed.
const BIN: &str = "identity-admin";
/// The same without the hyphen: clap_complete 4.6 writes the bash script's
/// subcommand states inconsistently for a hyphenated name (completion stopped
/// after the first word), so the bash script is generated for this name and
/// registered for the real one.
const BASH_SAFE_BIN: &str = "identity_admin";

/// Prints the completion script for `shell`.
pub fn completions(shell: Shell) -> Result<(), Failure> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    match shell {
        Shell::Bash => {
            clap_complete::generate(
                clap_complete::Shell::Bash,
                &mut command,
                BASH_SAFE_BIN,
                &mut script,
            );
            let text = String::from_utf8_lossy(&script).replace(
                &format!("-o default {BASH_SAFE_BIN}"),
                &format!("-o default {BIN}"),
            );
            script = text.into_bytes();
        }
        Shell::Zsh => {
            clap_complete::generate(clap_complete::Shell::Zsh, &mut command, BIN, &mut script);
        }
        Shell::Fish => {
            clap_complete::generate(clap_complete::Shell::Fish, &mut command, BIN, &mut script);
        }
    }
    write_stdout(&script)
}

/// Prints the top manual page (roff), or with `dir` writes every page
/// (`identity-admin.1`, `identity-admin-jobs.1`, `identity-admin-jobs-run.1`, ...)
/// into that folder.
pub fn man(dir: Option<&Path>) -> Result<(), Failure> {
    let command = Cli::command();
    match dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| Failure::Refused(format!("{}: {e}", dir.display())))?;
            clap_mangen::generate_to(command, dir)
                .map_err(|e| Failure::Refused(format!("writing the manual pages: {e}")))?;
            eprintln!("manual pages written to {}", dir.display());
            Ok(())
        }
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut page)
                .map_err(|e| Failure::Refused(format!("writing the manual page: {e}")))?;
            write_stdout(&page)
        }
    }
}

/// Writes to standard output; a reader that went away (`| head`) is not an error.
fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::Refused(format!("writing to standard output: {e}")))
        }
        _ => Ok(()),
    }
}
