//! `rudder push CHART.tgz oci://HOST/PATH`: upload a packaged chart (and its
//! `.prov` file when one sits next to it) to an OCI registry, as helm does.

use std::io::Write;
use std::path::Path;

use clap::Args as ClapArgs;
use rudder::repo::oci::{self, ClientOptions, Reference};

use super::settings::Settings;

#[derive(ClapArgs, Debug)]
pub struct Args {
    #[arg(value_name = "chart] [remote")]
    args: Vec<String>,
    /// identify registry client using this SSL certificate file
    #[arg(long = "cert-file", value_name = "string")]
    cert_file: Option<String>,
    /// identify registry client using this SSL key file
    #[arg(long = "key-file", value_name = "string")]
    key_file: Option<String>,
    /// verify certificates of HTTPS-enabled servers using this CA bundle
    #[arg(long = "ca-file", value_name = "string")]
    ca_file: Option<String>,
    /// skip tls certificate checks for the chart upload
    #[arg(long = "insecure-skip-tls-verify")]
    insecure_skip_tls_verify: bool,
    /// use insecure HTTP connections for the chart upload
    #[arg(long = "plain-http")]
    plain_http: bool,
    /// chart repository username where to locate the requested chart
    #[arg(long, value_name = "string")]
    username: Option<String>,
    /// chart repository password where to locate the requested chart
    #[arg(long, value_name = "string")]
    password: Option<String>,
}

/// Go's `url.Parse` rejects a scheme-less remote whose first segment holds a colon.
fn remote_scheme(remote: &str) -> anyhow::Result<&str> {
    if let Some((scheme, _)) = remote.split_once("://") {
        let valid = scheme
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        if valid {
            return Ok(scheme);
        }
        anyhow::bail!("invalid chart URL format: {remote}");
    }
    let first = remote.split('/').next().unwrap_or("");
    if first.contains(':') {
        anyhow::bail!("invalid chart URL format: {remote}");
    }
    Ok("")
}

pub fn run(a: Args, settings: &Settings) -> anyhow::Result<()> {
    super::minimum_args(
        &a.args,
        2,
        "rudder push",
        "rudder push [chart] [remote] [flags]",
    )?;
    let (chart_ref, remote) = (&a.args[0], &a.args[1]);
    let scheme = remote_scheme(remote)?;
    if scheme.is_empty() {
        anyhow::bail!("scheme prefix missing from remote (e.g. \"oci://\")");
    }
    if scheme != "oci" {
        anyhow::bail!("scheme \"{scheme}\" not supported");
    }
    let path = Path::new(chart_ref);
    let stat = match std::fs::metadata(path) {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            anyhow::bail!("{chart_ref}: no such file")
        }
        Err(e) => anyhow::bail!(rudder::chart::loader::go_io_error("stat", path, &e)),
    };
    if stat.is_dir() {
        anyhow::bail!("cannot push directory, must provide chart archive (.tgz)");
    }
    let chart = rudder::chart::load(path)?;
    let data = std::fs::read(path)
        .map_err(|e| anyhow::anyhow!(rudder::chart::loader::go_io_error("open", path, &e)))?;
    let prov_path = format!("{chart_ref}.prov");
    let prov = if Path::new(&prov_path).exists() {
        Some(std::fs::read(&prov_path).map_err(|e| {
            anyhow::anyhow!(rudder::chart::loader::go_io_error(
                "open",
                Path::new(&prov_path),
                &e
            ))
        })?)
    } else {
        None
    };
    let base = remote.trim_start_matches("oci://");
    let joined = rudder::helmpath::go_clean(&format!("{base}/{}", chart.metadata.name));
    let reference = Reference::parse(&format!("{joined}:{}", chart.metadata.version))?;
    let created = stat
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| std::time::UNIX_EPOCH + std::time::Duration::from_secs(d.as_secs()))
        .map(rudder::chart::gotime::format_rfc3339_utc)
        .unwrap_or_default();
    let client = oci::Client::new(ClientOptions {
        plain_http: a.plain_http,
        insecure_skip_tls_verify: a.insecure_skip_tls_verify,
        ca_file: a.ca_file.unwrap_or_default(),
        cert_file: a.cert_file.unwrap_or_default(),
        key_file: a.key_file.unwrap_or_default(),
        username: a.username.unwrap_or_default(),
        password: a.password.unwrap_or_default(),
        credentials_file: settings.registry_config.clone(),
        timeout: None,
    })
    .map_err(|e| anyhow::anyhow!("missing registry client: {e}"))?;
    let result = oci::push_chart(
        &client,
        &reference,
        &chart.metadata,
        &data,
        prov.as_deref(),
        &created,
    )?;
    std::io::stdout()
        .lock()
        .write_all(result.report().as_bytes())?;
    Ok(())
}
