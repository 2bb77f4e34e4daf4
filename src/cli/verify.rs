//! `rudder verify PATH [--keyring FILE]`: checks a packaged chart against
//! its `.prov` file, printing the signer and the verified hash as helm does.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args as ClapArgs;
use rudder::repo::provenance::{default_keyring_path, verify_chart};

use super::settings::Settings;

#[derive(ClapArgs, Debug)]
pub struct Args {
    #[arg(value_name = "PATH")]
    paths: Vec<String>,
    /// keyring containing public keys
    #[arg(long, value_name = "string")]
    keyring: Option<String>,
}

/// The keyring a `--keyring` flag names, or helm's default one.
pub fn keyring_path(flag: Option<&str>) -> PathBuf {
    match flag {
        Some(k) => PathBuf::from(k),
        None => default_keyring_path(),
    }
}

pub fn run(a: Args, _settings: &Settings) -> anyhow::Result<()> {
    super::exact_args(&a.paths, 1, "rudder verify", "rudder verify PATH [flags]")?;
    let chart = Path::new(&a.paths[0]);
    let mut prov = chart.as_os_str().to_owned();
    prov.push(".prov");
    let keyring = keyring_path(a.keyring.as_deref());
    let v = verify_chart(chart, Path::new(&prov), &keyring)?;
    std::io::stdout().lock().write_all(v.report().as_bytes())?;
    Ok(())
}
