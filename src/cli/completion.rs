//! `rudder completion SHELL`: shell completion scripts generated from the
//! clap command tree.

use clap::{Args as ClapArgs, CommandFactory, Subcommand};
use clap_complete::Shell;

use super::settings::Settings;

#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(subcommand)]
    shell: ShellCmd,
}

#[derive(Subcommand, Debug)]
enum ShellCmd {
    /// generate autocompletion script for bash
    Bash(ShellFlags),
    /// generate autocompletion script for fish
    Fish(ShellFlags),
    /// generate autocompletion script for powershell
    Powershell(ShellFlags),
    /// generate autocompletion script for zsh
    Zsh(ShellFlags),
}

#[derive(ClapArgs, Debug)]
struct ShellFlags {
    /// disable completion descriptions
    #[arg(long = "no-descriptions")]
    no_descriptions: bool,
    /// Refused (helm's cobra.NoArgs), but taken so the error says so.
    #[arg(value_name = "ARGS", hide = true)]
    args: Vec<String>,
}

pub fn run(args: Args, _settings: &Settings) -> anyhow::Result<()> {
    let (shell, name, flags) = match &args.shell {
        ShellCmd::Bash(f) => (Shell::Bash, "bash", f),
        ShellCmd::Fish(f) => (Shell::Fish, "fish", f),
        ShellCmd::Powershell(f) => (Shell::PowerShell, "powershell", f),
        ShellCmd::Zsh(f) => (Shell::Zsh, "zsh", f),
    };
    if !flags.args.is_empty() {
        return Err(super::usage_error(
            &format!("\"rudder completion {name}\" accepts no arguments"),
            &format!("rudder completion {name} [flags]"),
        ));
    }
    let mut cmd = super::Cli::command();
    clap_complete::generate(shell, &mut cmd, "rudder", &mut std::io::stdout());
    Ok(())
}
