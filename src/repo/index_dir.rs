//! `repo index DIR`: an index of the packaged charts (`*.tgz`) in a
//! directory and its direct subdirectories, as helm's `IndexDirectory`.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::gotime;
use super::index::{ChartVersion, IndexFile};

#[derive(Debug, thiserror::Error)]
pub enum IndexDirError {
    #[error("failed adding to {file} to index: validate failed for {file}: {source}")]
    Invalid {
        file: String,
        source: crate::chart::ValidationError,
    },
    #[error("{0}")]
    Io(String),
}

/// `sha256:`-less hex digest of a file, as helm's `provenance.DigestFile`.
pub fn digest_file(path: &Path) -> std::io::Result<String> {
    let data = std::fs::read(path)?;
    Ok(digest_bytes(&data))
}

pub fn digest_bytes(data: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(data);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Go's `path.Clean` + join for URL paths.
fn join_path(parts: &[&str]) -> String {
    let joined: Vec<&str> = parts.iter().copied().filter(|p| !p.is_empty()).collect();
    if joined.is_empty() {
        return String::new();
    }
    crate::helmpath::go_clean(&joined.join("/"))
}

/// helm's `urlutil.URLJoin`: the base URL with path elements appended.
pub fn url_join(base: &str, elems: &[&str]) -> String {
    let (prefix, rest) = match base.find("://") {
        Some(i) => {
            let after = &base[i + 3..];
            let host_end = after.find('/').map_or(after.len(), |j| j);
            (&base[..i + 3 + host_end], &after[host_end..])
        }
        None => ("", base),
    };
    let (path, query) = match rest.find(['?', '#']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let mut parts = vec![path];
    parts.extend_from_slice(elems);
    let mut joined = join_path(&parts);
    if !prefix.is_empty() && !joined.is_empty() && !joined.starts_with('/') {
        joined.insert(0, '/');
    }
    format!("{prefix}{joined}{query}")
}

/// `*.tgz` directly in `dir`, then in its direct subdirectories, each
/// group sorted (Go's `filepath.Glob` order).
fn archives(dir: &Path) -> Vec<PathBuf> {
    let tgz = |d: &Path| -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(d)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().ends_with(".tgz"))
            })
            .collect();
        v.sort();
        v
    };
    let mut out = tgz(dir);
    let mut subdirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    subdirs.sort();
    let mut deeper: Vec<PathBuf> = subdirs.iter().flat_map(|d| tgz(d)).collect();
    deeper.sort();
    out.extend(deeper);
    out
}

/// helm's `IndexDirectory(dir, baseURL)` (unsorted, as helm leaves it).
pub fn index_directory(dir: &Path, base_url: &str) -> Result<IndexFile, IndexDirError> {
    let mut index = IndexFile::new();
    for arch in archives(dir) {
        let rel = arch
            .strip_prefix(dir)
            .unwrap_or(&arch)
            .to_string_lossy()
            .into_owned();
        let (parent, fname) = match rel.rfind('/') {
            Some(i) => (rel[..i].to_string(), rel[i + 1..].to_string()),
            None => (String::new(), rel.clone()),
        };
        let parent_url = url_join(base_url, &[&parent]);
        let Ok(chart) = crate::chart::load(&arch) else {
            continue;
        };
        let digest = digest_file(&arch).map_err(|e| IndexDirError::Io(e.to_string()))?;
        let mut md = chart.metadata;
        if md.api_version.is_empty() {
            md.api_version = "v1".into();
        }
        md.validate().map_err(|source| IndexDirError::Invalid {
            file: fname.clone(),
            source,
        })?;
        let url = if parent_url.is_empty() {
            fname.clone()
        } else {
            url_join(&parent_url, &[&fname])
        };
        index
            .entries
            .entry(md.name.clone())
            .or_default()
            .push(ChartVersion {
                metadata: md,
                urls: vec![url],
                created: gotime::now_rfc3339_nano(),
                digest,
                ..ChartVersion::default()
            });
    }
    Ok(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_urls_like_helm() {
        assert_eq!(
            url_join("https://x.io/charts", &["a-1.tgz"]),
            "https://x.io/charts/a-1.tgz"
        );
        assert_eq!(
            url_join("https://x.io/charts/", &["", "a-1.tgz"]),
            "https://x.io/charts/a-1.tgz"
        );
        assert_eq!(
            url_join("https://x.io", &["sub", "a.tgz"]),
            "https://x.io/sub/a.tgz"
        );
        assert_eq!(url_join("", &[""]), "");
        assert_eq!(url_join("", &["sub"]), "sub");
    }
}
