//! `rudder pull CHART...`: download charts from repositories (and unpack them).

use std::path::{Path, PathBuf};

use clap::Args as ClapArgs;
use rudder::repo::chart_repo::find_chart_in_repo_url;
use rudder::repo::downloader::{expand_archive, Downloader, Resolved};
use rudder::repo::http::HttpOptions;

use super::chart_path::ChartPathArgs;
use super::settings::Settings;

#[derive(ClapArgs, Debug)]
pub struct Args {
    #[arg(value_name = "chart URL | repo/chartname")]
    charts: Vec<String>,
    /// location to write the chart. If this and untardir are specified, untardir is appended to this
    #[arg(short = 'd', long, value_name = "string", default_value = ".")]
    destination: String,
    /// use development versions, too. Equivalent to version '>0.0.0-0'. If --version is set, this is ignored.
    #[arg(long)]
    devel: bool,
    /// fetch the provenance file, but don't perform a verification
    #[arg(long)]
    prov: bool,
    /// if set to true, will untar the chart after downloading it
    #[arg(long)]
    untar: bool,
    /// if untar is specified, this flag specifies the name of the directory into which the chart is expanded
    #[arg(long, value_name = "string", default_value = ".")]
    untardir: String,
    #[command(flatten)]
    path: ChartPathArgs,
}

/// The HTTP options the chart-path flags describe.
pub fn flag_options(p: &ChartPathArgs) -> HttpOptions {
    HttpOptions {
        base_url: String::new(),
        username: p.username.clone().unwrap_or_default(),
        password: p.password.clone().unwrap_or_default(),
        pass_credentials_all: p.pass_credentials,
        ca_file: p.ca_file.clone().unwrap_or_default(),
        cert_file: p.cert_file.clone().unwrap_or_default(),
        key_file: p.key_file.clone().unwrap_or_default(),
        insecure_skip_tls_verify: p.insecure_skip_tls_verify,
        timeout: None,
    }
}

pub fn downloader(p: &ChartPathArgs, settings: &Settings) -> Downloader {
    Downloader {
        repository_config: settings.repository_config.clone(),
        repository_cache: settings.repository_cache.clone(),
        content_cache: settings.content_cache.clone(),
        opts: flag_options(p),
    }
}

/// Resolves `chart` (with `--repo` when given) to a downloadable URL.
pub fn resolve(
    chart: &str,
    version: &str,
    p: &ChartPathArgs,
    settings: &Settings,
) -> anyhow::Result<(Downloader, Resolved)> {
    let d = downloader(p, settings);
    let mut log = super::repo::log_to_stderr;
    let resolved = match p.repo.as_deref().filter(|r| !r.is_empty()) {
        Some(repo_url) => {
            let (url, digest) = find_chart_in_repo_url(
                repo_url,
                chart,
                version,
                &d.opts,
                &settings.repository_cache,
                &mut log,
            )?;
            let mut opts = d.opts.clone();
            opts.base_url = repo_url.to_string();
            Resolved { url, digest, opts }
        }
        None => d.resolve(chart, version, &mut log)?,
    };
    Ok((d, resolved))
}

pub fn run(a: Args, settings: &Settings) -> anyhow::Result<()> {
    super::minimum_args(
        &a.charts,
        1,
        "rudder pull",
        "rudder pull [chart URL | repo/chartname] [...] [flags]",
    )?;
    let mut version = a.path.version.clone().unwrap_or_default();
    if version.is_empty() && a.devel {
        version = ">0.0.0-0".into();
    }
    for chart in &a.charts {
        let data = if rudder::repo::oci::is_oci(chart) {
            // OCI registries (src/cli/registry.rs): saved as `<name>-<version>.tgz` unless untarred.
            let dest = (!a.untar).then(|| Path::new(&a.destination));
            match super::registry::pull_oci_command(
                chart, &version, &a.path, settings, dest, a.prov,
            )? {
                Some(data) => data,
                None => continue,
            }
        } else {
            let (d, resolved) = resolve(chart, &version, &a.path, settings)?;
            if a.path.verify {
                anyhow::bail!("provenance verification (--verify) is not supported by rudder yet");
            }
            if !a.untar {
                let saved = d.download_resolved_to(&resolved, Path::new(&a.destination))?;
                if a.prov {
                    // helm fetches `<chart url>.prov` next to the archive.
                    let prov_url = format!("{}.prov", resolved.url);
                    let body =
                        rudder::repo::http::get_bytes(&prov_url, &resolved.opts).map_err(|_| {
                            anyhow::anyhow!("failed to fetch provenance \"{prov_url}\"")
                        })?;
                    let mut name = saved.into_os_string();
                    name.push(".prov");
                    rudder::repo::atomic_file::write_atomic(Path::new(&name), &body, 0o644)?;
                }
                continue;
            }
            d.fetch(&resolved)?
        };
        let mut ud = PathBuf::from(&a.untardir);
        if !ud.is_absolute() {
            ud = Path::new(&a.destination).join(ud);
        }
        let chart_name = chart.rsplit('/').next().unwrap_or(chart);
        let check = if a.untardir == "." && a.destination == "." {
            PathBuf::from(chart_name)
        } else {
            ud.join(chart_name)
        };
        if check.exists() {
            anyhow::bail!(
                "failed to untar: a file or directory with the name {} already exists",
                rudder::helmpath::go_clean(&check.to_string_lossy())
            );
        }
        std::fs::create_dir_all(&check)
            .map_err(|e| anyhow::anyhow!("failed to untar (mkdir): {e}"))?;
        expand_archive(&ud, &data)?;
    }
    Ok(())
}

/// helm's `LocateChart` for charts that are not local: the archive is
/// downloaded (or found) in the content cache and its path returned.
pub fn locate_remote(
    name: &str,
    p: &ChartPathArgs,
    settings: &Settings,
) -> anyhow::Result<PathBuf> {
    let version = p.version.clone().unwrap_or_default();
    let (d, resolved) = resolve(name, &version, p, settings)?;
    let data = d.fetch(&resolved)?;
    let digest = rudder::repo::index_dir::digest_bytes(&data);
    let path = settings
        .content_cache
        .join(&digest[..2])
        .join(format!("{digest}.chart"));
    if !path.exists() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        rudder::repo::atomic_file::write_atomic(&path, &data, 0o644)?;
    }
    Ok(path)
}
