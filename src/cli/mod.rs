//! The thin command-line layer: parse with clap, call the library, print.

use std::process::ExitCode;

pub fn run() -> ExitCode {
    ExitCode::SUCCESS
}
