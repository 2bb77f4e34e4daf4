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

/// The `--verify` step of helm's `LocateChart` for a downloaded chart now
/// in the content cache: its provenance comes from the cache
/// (`<sha256>.prov`) or from `fetch_prov` (then cached), and must verify
/// for `file_name` against the keyring the flags name.
pub fn verify_cached_download(
    data: &[u8],
    file_name: &str,
    content_cache: &Path,
    keyring: Option<&str>,
    prov_url: &str,
    fetch_prov: impl FnOnce() -> Option<Vec<u8>>,
) -> anyhow::Result<()> {
    let hex = rudder::repo::index_dir::digest_bytes(data).to_ascii_lowercase();
    let cached = content_cache.join(&hex[..2]).join(format!("{hex}.prov"));
    let prov = match std::fs::read(&cached) {
        Ok(p) => p,
        Err(_) => {
            let Some(p) = fetch_prov() else {
                anyhow::bail!("failed to fetch provenance \"{prov_url}\"");
            };
            super::registry::save(&cached, &p)?;
            p
        }
    };
    let keyring = keyring_path(keyring);
    rudder::repo::provenance::verify_download(data, &prov, file_name, &keyring)?;
    Ok(())
}

/// `LocateChart` of an `oci://` reference with `--verify`: the chart is
/// pulled into the content cache as without it (its `Pulled:` report on
/// stderr), then its provenance layer must verify.
pub fn locate_oci_chart_verified(
    reference: &str,
    p: &super::chart_path::ChartPathArgs,
    settings: &Settings,
) -> anyhow::Result<PathBuf> {
    use rudder::repo::oci;
    let version = p.version.clone().unwrap_or_default();
    let client = super::registry::client_for(&p.connection, settings)?;
    let resolved = oci::resolve_chart_ref(&client, reference, &version)?;
    let pulled = oci::pull_chart(&client, &resolved.reference, false)?;
    let _ = std::io::stderr()
        .lock()
        .write_all(pulled.report().as_bytes());
    let hex = rudder::repo::index_dir::digest_bytes(&pulled.chart).to_ascii_lowercase();
    let path = settings
        .content_cache
        .join(&hex[..2])
        .join(format!("{hex}.chart"));
    super::registry::save(&path, &pulled.chart)?;
    let prov_url = format!("oci://{}.prov", resolved.reference);
    verify_cached_download(
        &pulled.chart,
        &resolved.file_name,
        &settings.content_cache,
        p.keyring.as_deref(),
        &prov_url,
        || {
            let layer = oci::pull_provenance(&client, &resolved.reference).ok()?;
            let _ = std::io::stderr()
                .lock()
                .write_all(layer.report().as_bytes());
            layer.prov
        },
    )?;
    Ok(path)
}
