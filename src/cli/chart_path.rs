//! Helm's `ChartPathOptions` flags (shared by show, template, install, pull)
//! and `LocateChart` for chart references.

use std::path::PathBuf;

use clap::Args;

use super::settings::Settings;

/// Flags that say where a chart comes from.
#[derive(Args, Debug, Clone, Default)]
pub struct ChartPathArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// location of public keys used for verification
    #[arg(long, value_name = "string")]
    pub keyring: Option<String>,
    /// pass credentials to all domains
    #[arg(long = "pass-credentials")]
    pub pass_credentials: bool,
    /// chart repository url where to locate the requested chart
    #[arg(long, value_name = "string")]
    pub repo: Option<String>,
    /// verify the package before using it
    #[arg(long)]
    pub verify: bool,
    /// specify a version constraint for the chart version to use. This constraint can be a specific tag (e.g. 1.1.1) or it may reference a valid range (e.g. ^2.0.0). If this is not specified, the latest version is used
    #[arg(long, value_name = "string")]
    pub version: Option<String>,
}

/// The flags that say how to reach a repository or registry: part of
/// [`ChartPathArgs`], and alone for the commands that download dependencies
/// (`dependency build/update`, `package -u`).
#[derive(Args, Debug, Clone, Default)]
pub struct ConnectionArgs {
    /// chart repository username where to locate the requested chart
    #[arg(long, value_name = "string")]
    pub username: Option<String>,
    /// chart repository password where to locate the requested chart
    #[arg(long, value_name = "string")]
    pub password: Option<String>,
    /// identify HTTPS client using this SSL certificate file
    #[arg(long = "cert-file", value_name = "string")]
    pub cert_file: Option<String>,
    /// identify HTTPS client using this SSL key file
    #[arg(long = "key-file", value_name = "string")]
    pub key_file: Option<String>,
    /// skip tls certificate checks for the chart download
    #[arg(long = "insecure-skip-tls-verify")]
    pub insecure_skip_tls_verify: bool,
    /// use insecure HTTP connections for the chart download
    #[arg(long = "plain-http")]
    pub plain_http: bool,
    /// verify certificates of HTTPS-enabled servers using this CA bundle
    #[arg(long = "ca-file", value_name = "string")]
    pub ca_file: Option<String>,
}

impl ConnectionArgs {
    /// Registry client options from these flags.
    pub fn registry_options(&self, settings: &Settings) -> rudder::repo::oci::ClientOptions {
        rudder::repo::oci::ClientOptions {
            plain_http: self.plain_http,
            insecure_skip_tls_verify: self.insecure_skip_tls_verify,
            ca_file: self.ca_file.clone().unwrap_or_default(),
            cert_file: self.cert_file.clone().unwrap_or_default(),
            key_file: self.key_file.clone().unwrap_or_default(),
            username: self.username.clone().unwrap_or_default(),
            password: self.password.clone().unwrap_or_default(),
            credentials_file: settings.registry_config.clone(),
            timeout: None,
        }
    }
}

/// Resolves a chart argument to a local path (helm's `LocateChart`).
/// Local directories and archives are found directly; repository and
/// OCI references are not supported yet and fail with helm's wording for
/// an unknown repository.
pub fn locate_chart(
    name: &str,
    opts: &ChartPathArgs,
    settings: &Settings,
) -> anyhow::Result<PathBuf> {
    if opts.repo.is_none() {
        match rudder::chart::loader::locate_local(name) {
            Ok(Some(p)) if opts.verify => {
                let mut prov = p.clone().into_os_string();
                prov.push(".prov");
                let keyring = super::verify::keyring_path(opts.keyring.as_deref());
                rudder::repo::provenance::verify_chart(&p, std::path::Path::new(&prov), &keyring)?;
                return Ok(p);
            }
            Ok(Some(p)) => return Ok(p),
            Ok(None) => {}
            Err(msg) => anyhow::bail!(msg),
        }
    }
    let name = name.trim();
    if name.starts_with("oci://") {
        return super::registry::locate_oci_chart(name, opts, settings);
    }
    // `repo/chart`, `--repo URL` and direct URLs: fetched into the content cache (G).
    super::pull::locate_remote(name, opts, settings)
}
