//! `rudder env [NAME]`: the client environment, as `helm env` prints it.

use std::io::Write;

use clap::Args as ClapArgs;

use super::{settings::Settings, usage_error};

#[derive(ClapArgs, Debug)]
pub struct Args {
    names: Vec<String>,
}

pub fn run(args: Args, settings: &Settings) -> anyhow::Result<()> {
    if args.names.len() > 1 {
        return Err(usage_error(
            "\"rudder env\" accepts at most 1 argument",
            "rudder env [flags]",
        ));
    }
    let vars = settings.env_vars();
    let mut out = std::io::stdout().lock();
    match args.names.first() {
        // helm prints just the value, or an empty line for an unknown key.
        Some(name) => {
            let value = vars
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
                .unwrap_or("");
            writeln!(out, "{value}")?;
        }
        None => {
            for (k, v) in &vars {
                writeln!(out, "{k}=\"{v}\"")?;
            }
        }
    }
    Ok(())
}
