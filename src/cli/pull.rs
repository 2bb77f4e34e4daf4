//! `rudder pull CHART...`: download charts from repositories (and unpack them).

use std::io::Write;
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
        username: p.connection.username.clone().unwrap_or_default(),
        password: p.connection.password.clone().unwrap_or_default(),
        pass_credentials_all: p.pass_credentials,
        ca_file: p.connection.ca_file.clone().unwrap_or_default(),
        cert_file: p.connection.cert_file.clone().unwrap_or_default(),
        key_file: p.connection.key_file.clone().unwrap_or_default(),
        insecure_skip_tls_verify: p.connection.insecure_skip_tls_verify,
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
/// helm's downloader notes (with `--debug`) that it set up its content
/// cache when it starts on a chart that is not local.
pub fn downloader_cache_log(settings: &Settings) {
    let mut log = super::logger::logger(settings.debug);
    log(rudder::log::Record::new(
        rudder::log::Level::Debug,
        "set up default downloader cache",
    ));
}

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
            downloader_cache_log(settings);
            let mut opts = d.opts.clone();
            opts.base_url = repo_url.to_string();
            Resolved { url, digest, opts }
        }
        None => {
            downloader_cache_log(settings);
            d.resolve(chart, version, &mut log)?
        }
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
        let data = if rudder::repo::oci::is_oci(chart) && a.path.verify {
            let pulled = pull_oci_verified(chart, &version, &a, settings)?;
            if !a.untar {
                pulled.save(Path::new(&a.destination))?;
            }
            std::io::stdout()
                .lock()
                .write_all(pulled.output.as_bytes())?;
            if !a.untar {
                continue;
            }
            pulled.data
        } else if rudder::repo::oci::is_oci(chart) {
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
            if !a.path.verify && !a.prov {
                if !a.untar {
                    d.download_resolved_to(&resolved, Path::new(&a.destination))?;
                    continue;
                }
                d.fetch(&resolved)?
            } else {
                let data = d.fetch(&resolved)?;
                let pulled = with_provenance(chart, &resolved, data, &a, &settings.content_cache)?;
                if !a.untar {
                    pulled.save(Path::new(&a.destination))?;
                }
                std::io::stdout()
                    .lock()
                    .write_all(pulled.output.as_bytes())?;
                if !a.untar {
                    continue;
                }
                pulled.data
            }
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

/// A chart downloaded with `--verify` or `--prov`: the archive, its
/// provenance when fetched, and what helm prints (a missing-provenance
/// warning, the verification report).
struct WithProvenance {
    file_name: String,
    data: Vec<u8>,
    prov: Option<Vec<u8>>,
    output: String,
}

impl WithProvenance {
    /// Writes the archive and its provenance into `dir`, only once
    /// everything was fetched and verified (helm writes the archive first,
    /// so a failed verification would leave it behind).
    fn save(&self, dir: &Path) -> anyhow::Result<()> {
        let write = |name: &str, data: &[u8]| -> anyhow::Result<()> {
            let file = dir.join(name);
            rudder::repo::atomic_file::write_atomic(&file, data, 0o644)
                .map_err(|e| anyhow::anyhow!(rudder::chart::loader::go_io_error("open", &file, &e)))
        };
        write(&self.file_name, &self.data)?;
        if let Some(prov) = &self.prov {
            write(&format!("{}.prov", self.file_name), prov)?;
        }
        Ok(())
    }
}

/// The last path segment of a chart URL (helm names the saved file after it).
fn url_file_name(url: &str) -> String {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.path_segments()
                .and_then(|mut s| s.next_back().map(str::to_string))
        })
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "chart.tgz".into())
}

/// helm's provenance step of `DownloadTo` for an HTTP chart: `<url>.prov`
/// is fetched; with `--verify` it must exist and verify against the
/// keyring, with `--prov` alone a missing one is a warning.
fn with_provenance(
    reference: &str,
    resolved: &Resolved,
    data: Vec<u8>,
    a: &Args,
    content_cache: &Path,
) -> anyhow::Result<WithProvenance> {
    let file_name = url_file_name(&resolved.url);
    let prov_url = format!("{}.prov", resolved.url);
    let mut output = String::new();
    // When the index names the archive's digest, a provenance file already
    // in the content cache for it is used (as helm's `DownloadTo`).
    let digest = resolved.digest.to_ascii_lowercase();
    let cached = (digest.len() == 64)
        .then(|| {
            content_cache
                .join(&digest[..2])
                .join(format!("{digest}.prov"))
        })
        .and_then(|p| std::fs::read(p).ok());
    let fetched = match cached {
        Some(p) => Ok(p),
        None => rudder::repo::http::get_bytes(&prov_url, &resolved.opts),
    };
    let prov = match fetched {
        Ok(p) => Some(p),
        Err(_) if a.path.verify => {
            anyhow::bail!("failed to fetch provenance \"{prov_url}\"")
        }
        Err(e) => {
            output.push_str(&format!(
                "WARNING: Verification not found for {reference}: {e}\n"
            ));
            None
        }
    };
    if let (true, Some(p)) = (a.path.verify, &prov) {
        let keyring = super::verify::keyring_path(a.path.keyring.as_deref());
        let v = rudder::repo::provenance::verify_download(&data, p, &file_name, &keyring)?;
        output.push_str(&v.report());
    }
    Ok(WithProvenance {
        file_name,
        data,
        prov,
        output,
    })
}

/// `pull oci://... --verify`: the chart and its provenance layer are
/// pulled (each `Pulled:` report printed as it happens, as helm does), then
/// verified against the keyring before anything is saved.
fn pull_oci_verified(
    reference: &str,
    version: &str,
    a: &Args,
    settings: &Settings,
) -> anyhow::Result<WithProvenance> {
    use rudder::repo::oci;
    let client = super::registry::client_for(&a.path.connection, settings)?;
    let resolved = oci::resolve_chart_ref(&client, reference, version)?;
    let pulled = oci::pull_chart(&client, &resolved.reference, false)?;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(pulled.report().as_bytes())?;
    let prov = oci::pull_provenance(&client, &resolved.reference)
        .ok()
        .and_then(|p| {
            let _ = stdout.write_all(p.report().as_bytes());
            p.prov
        })
        .ok_or_else(|| {
            anyhow::anyhow!(
                "failed to fetch provenance \"oci://{}.prov\"",
                resolved.reference
            )
        })?;
    let keyring = super::verify::keyring_path(a.path.keyring.as_deref());
    let v = rudder::repo::provenance::verify_download(
        &pulled.chart,
        &prov,
        &resolved.file_name,
        &keyring,
    )?;
    Ok(WithProvenance {
        file_name: resolved.file_name.clone(),
        data: pulled.chart,
        prov: Some(prov),
        output: v.report(),
    })
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
    if p.verify {
        let prov_url = format!("{}.prov", resolved.url);
        super::verify::verify_cached_download(
            &data,
            &url_file_name(&resolved.url),
            &settings.content_cache,
            p.keyring.as_deref(),
            &prov_url,
            || rudder::repo::http::get_bytes(&prov_url, &resolved.opts).ok(),
        )?;
    }
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
