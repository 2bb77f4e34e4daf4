//! Names of helm's per-repository cache files (`helmpath.CacheIndexFile`,
//! `helmpath.CacheChartsFile`) and rudder's derived search cache.

use std::path::{Path, PathBuf};

/// `<name>-index.yaml`: the repository index exactly as downloaded.
pub fn index_file_name(repo: &str) -> String {
    format!("{repo}-index.yaml")
}

/// `<name>-charts.txt`: one chart name per line (shell completion).
pub fn charts_file_name(repo: &str) -> String {
    format!("{repo}-charts.txt")
}

pub fn index_path(cache_dir: &Path, repo: &str) -> PathBuf {
    cache_dir.join(index_file_name(repo))
}

pub fn charts_path(cache_dir: &Path, repo: &str) -> PathBuf {
    cache_dir.join(charts_file_name(repo))
}

/// rudder's compact search records derived from `<name>-index.yaml`. It
/// lives next to the index, so helm and rudder sharing a cache share it,
/// and is invalidated by the index file's size, mtime and inode.
pub fn search_cache_path(cache_dir: &Path, repo: &str) -> PathBuf {
    cache_dir.join(format!(".{repo}-index.rudder-search"))
}
