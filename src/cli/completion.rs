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
}

pub fn run(args: Args, _settings: &Settings) -> anyhow::Result<()> {
    let shell = match args.shell {
        ShellCmd::Bash(_) => Shell::Bash,
        ShellCmd::Fish(_) => Shell::Fish,
        ShellCmd::Powershell(_) => Shell::PowerShell,
        ShellCmd::Zsh(_) => Shell::Zsh,
    };
    let mut cmd = super::Cli::command();
    clap_complete::generate(shell, &mut cmd, "rudder", &mut std::io::stdout());
    Ok(())
}
