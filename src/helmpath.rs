//! Where helm keeps its cache, configuration and data, resolved exactly as
//! helm's `helmpath` package does.
//!
//! The environment is passed in as a lookup function so that only the CLI
//! edge reads the real process environment; tests pass a map.

use std::path::{Path, PathBuf};

/// The three base directories helm uses, already resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelmHomes {
    pub cache: PathBuf,
    pub config: PathBuf,
    pub data: PathBuf,
}

impl HelmHomes {
    /// Resolves the homes: `HELM_*_HOME` wins, then `$XDG_*_HOME/helm`, then
    /// `$HOME/.cache/helm`, `$HOME/.config/helm`, `$HOME/.local/share/helm`.
    pub fn resolve(env: &dyn Fn(&str) -> Option<String>) -> HelmHomes {
        let home = env("HOME").unwrap_or_default();
        let pick = |helm_var: &str, xdg_var: &str, fallback: &str| -> PathBuf {
            if let Some(base) = env(helm_var).filter(|v| !v.is_empty()) {
                return PathBuf::from(go_clean(&base));
            }
            let base = env(xdg_var)
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| format!("{home}/{fallback}"));
            PathBuf::from(go_clean(&format!("{base}/helm")))
        };
        HelmHomes {
            cache: pick("HELM_CACHE_HOME", "XDG_CACHE_HOME", ".cache"),
            config: pick("HELM_CONFIG_HOME", "XDG_CONFIG_HOME", ".config"),
            data: pick("HELM_DATA_HOME", "XDG_DATA_HOME", ".local/share"),
        }
    }

    /// `helmpath.CachePath(elem)`.
    pub fn cache_path(&self, elem: &str) -> PathBuf {
        join_clean(&self.cache, elem)
    }

    /// `helmpath.ConfigPath(elem)`.
    pub fn config_path(&self, elem: &str) -> PathBuf {
        join_clean(&self.config, elem)
    }

    /// `helmpath.DataPath(elem)`.
    pub fn data_path(&self, elem: &str) -> PathBuf {
        join_clean(&self.data, elem)
    }
}

fn join_clean(base: &Path, elem: &str) -> PathBuf {
    if elem.is_empty() {
        return base.to_path_buf();
    }
    PathBuf::from(go_clean(&format!("{}/{elem}", base.display())))
}

/// Go's `path.Clean`: collapse `//`, drop `.`, resolve `..` lexically, and
/// no trailing slash. Helm joins every path through `filepath.Join`, which
/// cleans, so printed paths (`rudder env`) must be cleaned the same way.
pub fn go_clean(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn homes(vars: &[(&str, &str)]) -> HelmHomes {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        HelmHomes::resolve(&move |k| map.get(k).cloned())
    }

    #[test]
    fn defaults_under_home() {
        let h = homes(&[("HOME", "/home/u")]);
        assert_eq!(h.cache, PathBuf::from("/home/u/.cache/helm"));
        assert_eq!(h.config, PathBuf::from("/home/u/.config/helm"));
        assert_eq!(h.data, PathBuf::from("/home/u/.local/share/helm"));
        assert_eq!(
            h.config_path("repositories.yaml"),
            PathBuf::from("/home/u/.config/helm/repositories.yaml")
        );
    }

    #[test]
    fn helm_vars_beat_xdg() {
        let h = homes(&[
            ("HOME", "/home/u"),
            ("XDG_CACHE_HOME", "/x/cache/"),
            ("HELM_CACHE_HOME", "/h//cache/"),
            ("XDG_DATA_HOME", "/x/data"),
        ]);
        assert_eq!(h.cache, PathBuf::from("/h/cache"));
        assert_eq!(h.data, PathBuf::from("/x/data/helm"));
        assert_eq!(
            h.cache_path("repository"),
            PathBuf::from("/h/cache/repository")
        );
    }

    #[test]
    fn clean_like_go() {
        assert_eq!(go_clean("a/./b/../c/"), "a/c");
        assert_eq!(go_clean("/../a"), "/a");
        assert_eq!(go_clean("../../a"), "../../a");
        assert_eq!(go_clean(""), ".");
        assert_eq!(go_clean("a/.."), ".");
    }
}
