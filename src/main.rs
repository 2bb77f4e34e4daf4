use std::process::ExitCode;

fn main() -> ExitCode {
    rudder_cli::run()
}

#[path = "cli/mod.rs"]
mod rudder_cli;
