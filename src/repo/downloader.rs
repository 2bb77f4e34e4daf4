//! Fetching a chart archive by reference (helm's `ChartDownloader`):
//! `repo/chart` through the cached index of a configured repository, or a
//! direct `http(s)://` URL. When the index names a digest, the downloaded
//! bytes must match it before anything is written to its final place;
//! archives are kept in the content cache under their sha256.

use std::path::{Path, PathBuf};

use super::atomic_file::write_atomic;
use super::cache_paths;
use super::chart_repo::{entry_options, resolve_reference_url, RepoError};
use super::config::RepoFile;
use super::http::{self, HttpOptions};
use super::index_decode::load_index_file;
use super::index_dir::digest_bytes;
use crate::log::Record;

/// Where the downloader reads configuration and keeps files.
#[derive(Clone, Debug)]
pub struct Downloader {
    pub repository_config: PathBuf,
    pub repository_cache: PathBuf,
    pub content_cache: PathBuf,
    /// Options from the command line (`--username`, `--ca-file`, ...).
    pub opts: HttpOptions,
}

/// A reference resolved to a URL.
#[derive(Clone, Debug)]
pub struct Resolved {
    pub url: String,
    /// The index's digest (hex, without `sha256:`), empty when unknown.
    pub digest: String,
    pub opts: HttpOptions,
}

fn strip_algorithm(d: &str) -> &str {
    d.split_once(':').map_or(d, |(_, hex)| hex)
}

fn is_url(reference: &str) -> bool {
    match reqwest::Url::parse(reference) {
        Ok(u) => u.has_host() && u.path() != "" && u.path() != "/",
        Err(_) => false,
    }
}

impl Downloader {
    /// helm's `ResolveChartVersion`.
    pub fn resolve(
        &self,
        reference: &str,
        version: &str,
        log: &mut dyn FnMut(Record),
    ) -> Result<Resolved, RepoError> {
        if reference.starts_with("oci://") {
            return Err(RepoError(format!(
                "unable to lookup ref {reference} at version '{version}', missing registry client"
            )));
        }
        let rf = match RepoFile::load(&self.repository_config) {
            Ok(f) => f,
            Err(e) if e.is_not_found() => RepoFile::default(),
            Err(e) => return Err(RepoError(e.to_string())),
        };
        if is_url(reference) {
            let mut opts = self.opts.clone();
            opts.base_url = reference.to_string();
            // A URL inside a configured repository uses that repository's credentials.
            if let Some(e) = rf
                .repositories
                .iter()
                .find(|e| !e.url.is_empty() && reference.starts_with(e.url.trim_end_matches('/')))
            {
                let eo = entry_options(e, self.opts.timeout);
                opts.base_url = eo.base_url;
                if !e.username.is_empty() && !e.password.is_empty() {
                    opts.username = eo.username;
                    opts.password = eo.password;
                    opts.pass_credentials_all = eo.pass_credentials_all;
                }
                if !e.ca_file.is_empty() || !e.cert_file.is_empty() || !e.key_file.is_empty() {
                    opts.ca_file = eo.ca_file;
                    opts.cert_file = eo.cert_file;
                    opts.key_file = eo.key_file;
                }
            }
            return Ok(Resolved {
                url: reference.to_string(),
                digest: String::new(),
                opts,
            });
        }
        let Some((repo_name, chart)) = reference.split_once('/') else {
            return Err(RepoError(format!(
                "non-absolute URLs should be in form of repo_name/path_to_chart, got: {reference}"
            )));
        };
        let entry = rf
            .get(repo_name)
            .ok_or_else(|| RepoError(format!("repo {repo_name} not found")))?;
        if entry.url.is_empty() {
            return Err(RepoError(format!(
                "no URL found for repository {repo_name}"
            )));
        }
        let mut opts = self.opts.clone();
        let eo = entry_options(entry, self.opts.timeout);
        opts.base_url = eo.base_url;
        if !entry.ca_file.is_empty() || !entry.cert_file.is_empty() || !entry.key_file.is_empty() {
            opts.ca_file = eo.ca_file;
            opts.cert_file = eo.cert_file;
            opts.key_file = eo.key_file;
        }
        if !entry.username.is_empty() && !entry.password.is_empty() {
            opts.username = eo.username;
            opts.password = eo.password;
            opts.pass_credentials_all = eo.pass_credentials_all;
        }
        opts.insecure_skip_tls_verify |= entry.insecure_skip_tls_verify;
        let index = load_index_file(
            &cache_paths::index_path(&self.repository_cache, &entry.name),
            log,
        )
        .map_err(|e| {
            RepoError(format!(
                "no cached repo found. (try 'helm repo update'): {e}"
            ))
        })?;
        let cv = index.get(chart, version, log).map_err(|e| {
            RepoError(format!(
                "chart \"{chart}\" matching {version} not found in {} index. (try 'helm repo update'): {e}",
                entry.name
            ))
        })?;
        let Some(first) = cv.urls.first() else {
            return Err(RepoError(format!(
                "chart \"{reference}\" has no downloadable URLs"
            )));
        };
        let url = resolve_reference_url(&entry.url, first)
            .map_err(|_| RepoError(format!("invalid chart URL format: {reference}")))?;
        Ok(Resolved {
            url,
            digest: strip_algorithm(&cv.digest).to_string(),
            opts,
        })
    }

    fn content_path(&self, digest_hex: &str) -> PathBuf {
        let prefix = digest_hex.get(..2).unwrap_or("00");
        self.content_cache
            .join(prefix)
            .join(format!("{digest_hex}.chart"))
    }

    /// The archive bytes for a resolved reference: from the content cache
    /// when a verified copy is there, else downloaded and verified against
    /// the index digest, then cached.
    pub fn fetch(&self, r: &Resolved) -> Result<Vec<u8>, RepoError> {
        if !r.digest.is_empty() {
            if r.digest.len() != 64 || !r.digest.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(RepoError(format!(
                    "invalid digest length: {}",
                    r.digest.len() / 2
                )));
            }
            if let Ok(data) = std::fs::read(self.content_path(&r.digest.to_ascii_lowercase())) {
                if digest_bytes(&data).eq_ignore_ascii_case(&r.digest) {
                    return Ok(data);
                }
            }
        }
        let data = http::get_bytes(&r.url, &r.opts)?;
        let actual = digest_bytes(&data);
        if !r.digest.is_empty() && !actual.eq_ignore_ascii_case(&r.digest) {
            return Err(RepoError(format!(
                "digest mismatch for {}: the repository index says sha256:{}, the downloaded archive is sha256:{actual}",
                r.url,
                r.digest.to_ascii_lowercase()
            )));
        }
        let cached = self.content_path(&actual);
        if let Some(dir) = cached.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = write_atomic(&cached, &data, 0o644);
        Ok(data)
    }

    /// helm's `DownloadTo`: the archive saved as `dest/<file name of the URL>`.
    pub fn download_to(
        &self,
        reference: &str,
        version: &str,
        dest: &Path,
        log: &mut dyn FnMut(Record),
    ) -> Result<PathBuf, RepoError> {
        let r = self.resolve(reference, version, log)?;
        self.download_resolved_to(&r, dest)
    }

    pub fn download_resolved_to(&self, r: &Resolved, dest: &Path) -> Result<PathBuf, RepoError> {
        let data = self.fetch(r)?;
        let name = reqwest::Url::parse(&r.url)
            .ok()
            .and_then(|u| {
                u.path_segments()
                    .and_then(|mut s| s.next_back().map(str::to_string))
            })
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "chart.tgz".into());
        let file = dest.join(name);
        write_atomic(&file, &data, 0o644)
            .map_err(|e| RepoError(crate::chart::loader::go_io_error("open", &file, &e)))?;
        Ok(file)
    }
}

/// helm's `chartutil.ExpandFile`: the archive's files written verbatim under
/// `dir/<chart name>/`.
pub fn expand_archive(dir: &Path, data: &[u8]) -> Result<(), RepoError> {
    let files = crate::chart::archive::read_archive(data).map_err(|e| RepoError(e.to_string()))?;
    let mut chart_name = String::new();
    for f in &files {
        if f.name == "Chart.yaml" {
            let doc = crate::values::yaml::unmarshal(&String::from_utf8_lossy(&f.data))
                .map_err(|e| RepoError(e.to_string()))?;
            let mut md = crate::chart::Metadata::default();
            let _ = crate::chart::decode::apply_metadata(&mut md, &doc);
            chart_name = md.name;
        }
    }
    if chart_name.is_empty() || chart_name.contains('/') || chart_name == ".." || chart_name == "."
    {
        return Err(RepoError("chart name not specified".into()));
    }
    let root = dir.join(&chart_name);
    for f in &files {
        let clean = crate::helmpath::go_clean(&format!("/{}", f.name));
        let out = root.join(clean.trim_start_matches('/'));
        if let Some(parent) = out.parent() {
            std::fs::create_dir_all(parent).map_err(|e| RepoError(e.to_string()))?;
        }
        std::fs::write(&out, &f.data)
            .map_err(|e| RepoError(crate::chart::loader::go_io_error("open", &out, &e)))?;
    }
    Ok(())
}
