//! `rudder package CHART_PATH... [-d DIR] [--version V] [--app-version V] [-u]`.

use std::io::Write;

use clap::Args as ClapArgs;
use rudder::chart::loader::go_io_error;
use rudder::chart::package::{package_dir, parse_source_date_epoch, PackageOptions};
use rudder::repo::dependency::Manager;

use super::chart_path::ConnectionArgs;
use super::settings::Settings;

#[derive(ClapArgs, Debug)]
pub struct Args {
    #[arg(value_name = "CHART_PATH")]
    paths: Vec<String>,
    /// set the appVersion on the chart to this version
    #[arg(long = "app-version", value_name = "string")]
    app_version: Option<String>,
    /// update dependencies from "Chart.yaml" to dir "charts/" before packaging
    #[arg(short = 'u', long = "dependency-update")]
    dependency_update: bool,
    /// location to write the chart.
    #[arg(short = 'd', long, value_name = "string", default_value = ".")]
    destination: String,
    /// set the version on the chart to this semver version
    #[arg(long, value_name = "string")]
    version: Option<String>,
    /// use a PGP private key to sign this package
    #[arg(long)]
    sign: bool,
    /// name of the key to use when signing. Used if --sign is true
    #[arg(long, value_name = "string")]
    key: Option<String>,
    /// location of a public keyring
    #[arg(long, value_name = "string")]
    keyring: Option<String>,
    /// location of a file which contains the passphrase for the signing key. Use "-" in order to read from stdin.
    #[arg(long = "passphrase-file", value_name = "string")]
    passphrase_file: Option<String>,
    #[command(flatten)]
    connection: ConnectionArgs,
}

pub fn run(args: Args, settings: &Settings) -> anyhow::Result<()> {
    if args.paths.is_empty() {
        anyhow::bail!("need at least one argument, the path to the chart");
    }
    let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
    let source_date_epoch =
        parse_source_date_epoch(epoch.as_deref()).map_err(anyhow::Error::msg)?;
    if args.sign {
        if args.key.as_deref().unwrap_or("").is_empty() {
            anyhow::bail!("--key is required for signing a package");
        }
        if args.keyring.as_deref() == Some("") {
            anyhow::bail!("--keyring is required for signing a package");
        }
    }
    let keyring = super::verify::keyring_path(args.keyring.as_deref());
    let mut passphrase_cache = None;
    let destination = if args.destination == "." {
        std::env::current_dir()?
    } else {
        std::path::PathBuf::from(&args.destination)
    };
    let opts = PackageOptions {
        version: args.version.clone(),
        app_version: args.app_version.clone(),
        destination,
        source_date_epoch,
    };
    let mut out = std::io::stdout().lock();
    for p in &args.paths {
        let path = std::path::Path::new(p);
        std::fs::metadata(path).map_err(|e| anyhow::anyhow!(go_io_error("stat", path, &e)))?;
        let abs = std::path::absolute(path)?;
        if args.dependency_update {
            // helm discards the download manager's progress output here.
            let mut out = |_: &str| {};
            let mut log = |_: rudder::log::Record| {};
            // The connection flags apply to the dependencies' downloads, as
            // for `dependency update`.
            let registry =
                rudder::repo::oci::Client::new(args.connection.registry_options(settings))?;
            let mut manager = Manager {
                chart_path: abs.clone(),
                repository_config: settings.repository_config.clone(),
                repository_cache: settings.repository_cache.clone(),
                content_cache: settings.content_cache.clone(),
                skip_update: false,
                out: &mut out,
                log: &mut log,
                registry: Some(&registry),
                verify: None,
            };
            manager.update()?;
        }
        let saved = package_dir(&abs, &opts)?;
        if args.sign {
            let key = args.key.as_deref().unwrap_or("");
            let pass_file = args.passphrase_file.as_deref().filter(|f| !f.is_empty());
            super::package_sign::sign_archive(
                &saved,
                key,
                &keyring,
                pass_file,
                &mut passphrase_cache,
            )?;
        }
        writeln!(
            out,
            "Successfully packaged chart and saved it to: {}",
            saved.display()
        )?;
    }
    Ok(())
}
