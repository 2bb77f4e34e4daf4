//! One chart repository on the network: downloading its index into the
//! cache (helm's `ChartRepository.DownloadIndexFile`) and finding a chart
//! in a repository given only by URL (`FindChartInRepoURL`).

use std::path::{Path, PathBuf};

use super::atomic_file::write_atomic;
use super::cache_paths;
use super::config::RepoEntry;
use super::http::{self, Fetched, HttpOptions, Validators};
use super::index::IndexFile;
use super::index_decode::{load_index, load_index_file};
use super::search::RepoRecords;
use super::search_cache::{self, CachedRepo, SourceKey};
use crate::log::Record;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RepoError(pub String);

impl From<http::HttpError> for RepoError {
    fn from(e: http::HttpError) -> Self {
        RepoError(e.0)
    }
}

/// The HTTP options for talking to a configured repository.
pub fn entry_options(e: &RepoEntry, timeout: Option<std::time::Duration>) -> HttpOptions {
    HttpOptions {
        base_url: e.url.clone(),
        username: e.username.clone(),
        password: e.password.clone(),
        pass_credentials_all: e.pass_credentials_all,
        ca_file: e.ca_file.clone(),
        cert_file: e.cert_file.clone(),
        key_file: e.key_file.clone(),
        insecure_skip_tls_verify: e.insecure_skip_tls_verify,
        timeout,
    }
}

/// helm's `ResolveReferenceURL`: `reference` resolved against `base`
/// treated as a directory; an absolute reference is returned as is; the
/// base URL's query is kept.
pub fn resolve_reference_url(base: &str, reference: &str) -> Result<String, RepoError> {
    if let Ok(abs) = reqwest::Url::parse(reference) {
        if !abs.cannot_be_a_base() || reference.contains("://") {
            return Ok(reference.to_string());
        }
    }
    let mut b = reqwest::Url::parse(base)
        .map_err(|_| RepoError(format!("failed to parse {base} as URL")))?;
    let query = b.query().map(str::to_string);
    let path = format!("{}/", b.path().trim_end_matches('/'));
    b.set_path(&path);
    b.set_query(None);
    let mut r = b
        .join(reference)
        .map_err(|e| RepoError(format!("failed to parse {reference} as URL: {e}")))?;
    r.set_query(query.as_deref());
    Ok(r.to_string())
}

/// Checks that the repository URL has a scheme rudder can fetch.
pub fn check_url(url: &str) -> Result<(), RepoError> {
    let u = reqwest::Url::parse(url)
        .map_err(|_| RepoError(format!("invalid chart URL format: {url}")))?;
    match u.scheme() {
        "http" | "https" => Ok(()),
        other => Err(RepoError(format!(
            "could not find protocol handler for: {other}"
        ))),
    }
}

fn validators_path(cache_dir: &Path, name: &str) -> PathBuf {
    cache_dir.join(format!(".{name}-index.rudder-validators"))
}

/// What [`download_index_file`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Downloaded {
    Updated(PathBuf),
    /// The server said the cached index is current (conditional request).
    Unchanged(PathBuf),
}

/// Downloads `<url>/index.yaml`, validates it, then writes
/// `<name>-charts.txt` and `<name>-index.yaml` (atomically) and the
/// derived search cache, so the first search after an update is fast.
/// With `conditional`, a cached index is revalidated with ETag /
/// Last-Modified and not downloaded again when unchanged. Nothing is
/// written when the download or the index is bad.
pub fn download_index_file(
    entry: &RepoEntry,
    cache_dir: &Path,
    opts: &HttpOptions,
    conditional: bool,
    log: &mut dyn FnMut(Record),
) -> Result<Downloaded, RepoError> {
    check_url(&entry.url)?;
    let index_url = resolve_reference_url(&entry.url, "index.yaml")?;
    let index_path = cache_paths::index_path(cache_dir, &entry.name);
    let vpath = validators_path(cache_dir, &entry.name);
    let known = if conditional && index_path.exists() {
        std::fs::read_to_string(&vpath)
            .ok()
            .map(|t| Validators::from_text(&t))
    } else {
        None
    };
    let (data, validators) = match http::get(&index_url, opts, known.as_ref())? {
        Fetched::NotModified => return Ok(Downloaded::Unchanged(index_path)),
        Fetched::Body { data, validators } => (data, validators),
    };
    let mut warnings = Vec::new();
    let index = load_index(&data, &entry.url, &mut |r| {
        warnings.push(r.to_string());
        log(r)
    })
    .map_err(|e| RepoError(e.to_string()))?;
    write_cache(cache_dir, &entry.name, &data, &index, warnings)?;
    if validators.is_empty() {
        let _ = std::fs::remove_file(&vpath);
    } else {
        let _ = write_atomic(&vpath, validators.to_text().as_bytes(), 0o644);
    }
    Ok(Downloaded::Updated(index_path))
}

fn write_cache(
    cache_dir: &Path,
    name: &str,
    data: &[u8],
    index: &IndexFile,
    warnings: Vec<String>,
) -> Result<(), RepoError> {
    let io = |e: std::io::Error| RepoError(e.to_string());
    std::fs::create_dir_all(cache_dir).map_err(io)?;
    let mut charts = String::new();
    for name in index.entries.keys() {
        charts.push_str(name);
        charts.push('\n');
    }
    write_atomic(
        &cache_paths::charts_path(cache_dir, name),
        charts.as_bytes(),
        0o644,
    )
    .map_err(io)?;
    let index_path = cache_paths::index_path(cache_dir, name);
    write_atomic(&index_path, data, 0o644).map_err(io)?;
    if let Ok(key) = SourceKey::of(&index_path) {
        let cached = CachedRepo {
            records: RepoRecords::from_index(index),
            warnings,
        };
        let _ = write_atomic(
            &cache_paths::search_cache_path(cache_dir, name),
            &search_cache::encode(key, &cached),
            0o644,
        );
    }
    Ok(())
}

/// helm's `FindChartInRepoURL`: the absolute URL of `chart` (at `version`,
/// a constraint or empty) in the repository at `repo_url`, whose index is
/// fetched into a throw-away cache entry.
pub fn find_chart_in_repo_url(
    repo_url: &str,
    chart: &str,
    version: &str,
    opts: &HttpOptions,
    cache_dir: &Path,
    log: &mut dyn FnMut(Record),
) -> Result<(String, String), RepoError> {
    let name = format!("rudder-tmp-{}-{}", std::process::id(), unique());
    let entry = RepoEntry {
        name: name.clone(),
        url: repo_url.to_string(),
        ..RepoEntry::default()
    };
    let mut opts = opts.clone();
    opts.base_url = repo_url.to_string();
    let result = (|| {
        download_index_file(&entry, cache_dir, &opts, false, log).map_err(|e| {
            RepoError(format!(
                "looks like \"{repo_url}\" is not a valid chart repository or cannot be reached: {e}"
            ))
        })?;
        let index = load_index_file(&cache_paths::index_path(cache_dir, &name), log)
            .map_err(|e| RepoError(e.to_string()))?;
        let what = if version.is_empty() {
            format!("chart \"{chart}\"")
        } else {
            format!("chart \"{chart}\" version \"{version}\"")
        };
        let cv = index
            .get(chart, version, log)
            .map_err(|_| RepoError(format!("{what} not found in {repo_url} repository")))?;
        let Some(first) = cv.urls.first() else {
            return Err(RepoError(format!("{what} has no downloadable URLs")));
        };
        let url = resolve_reference_url(repo_url, first)
            .map_err(|e| RepoError(format!("failed to make chart URL absolute: {e}")))?;
        Ok((url, cv.digest.clone()))
    })();
    for p in [
        cache_paths::index_path(cache_dir, &name),
        cache_paths::charts_path(cache_dir, &name),
        cache_paths::search_cache_path(cache_dir, &name),
        validators_path(cache_dir, &name),
    ] {
        let _ = std::fs::remove_file(p);
    }
    result
}

fn unique() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_like_helm() {
        assert_eq!(
            resolve_reference_url("https://x.io/charts", "index.yaml").unwrap(),
            "https://x.io/charts/index.yaml"
        );
        assert_eq!(
            resolve_reference_url("https://x.io/charts/", "a-1.tgz").unwrap(),
            "https://x.io/charts/a-1.tgz"
        );
        assert_eq!(
            resolve_reference_url("https://x.io/c?tok=1", "a.tgz").unwrap(),
            "https://x.io/c/a.tgz?tok=1"
        );
        assert_eq!(
            resolve_reference_url("https://x.io/c", "https://y.io/a.tgz").unwrap(),
            "https://y.io/a.tgz"
        );
        assert!(check_url("file:///x")
            .unwrap_err()
            .0
            .contains("protocol handler for: file"));
    }
}
