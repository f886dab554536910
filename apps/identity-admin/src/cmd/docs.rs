//! `completions SHELL` and `man`: shell completions and the manual page,
//! generated from the command definitions (no database, no operator).

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

/// Prints the completion script for `shell`.
pub fn completions(shell: Shell) -> Result<(), Failure> {
    let shell = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    let mut command = Cli::command();
    clap_complete::generate(
        shell,
        &mut command,
        "identity-admin",
        &mut std::io::stdout(),
    );
    Ok(())
}

/// Prints the manual page (roff): `identity-admin man > identity-admin.1`.
pub fn man() -> Result<(), Failure> {
    let page = clap_mangen::Man::new(Cli::command());
    page.render(&mut std::io::stdout())
        .map_err(|e| Failure::Refused(format!("writing the manual page: {e}")))
}
