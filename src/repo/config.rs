//! `repositories.yaml` (helm's `repo.File`): the configured repositories,
//! read with sigs.k8s.io/yaml semantics and written as helm writes it.
//! Writers hold `repositories.lock` (see [`lock_path`]) and replace the
//! file atomically.

use std::path::{Path, PathBuf};

use super::atomic_file::{write_atomic, FileLock};
use crate::chart::decode::scalar_text;
use crate::value::{MapData, Value};

/// One configured repository (helm's `repo.Entry`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RepoEntry {
    pub name: String,
    pub url: String,
    pub username: String,
    pub password: String,
    pub cert_file: String,
    pub key_file: String,
    pub ca_file: String,
    pub insecure_skip_tls_verify: bool,
    pub pass_credentials_all: bool,
}

/// The whole file.
#[derive(Clone, Debug, Default)]
pub struct RepoFile {
    pub api_version: String,
    pub generated: String,
    pub repositories: Vec<RepoEntry>,
}

/// A failure reading or writing the file; `Display` is helm's text.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("couldn't load repositories file ({path}): {detail}")]
    Load {
        path: String,
        detail: String,
        not_found: bool,
    },
    #[error("{0}")]
    Parse(String),
    #[error("{0}")]
    Io(String),
}

impl ConfigError {
    /// Whether the file simply does not exist (helm's `isNotExist`).
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            ConfigError::Load {
                not_found: true,
                ..
            }
        )
    }
}

/// `repositories.lock` next to `repositories.yaml` (extension replaced).
pub fn lock_path(repo_file: &Path) -> PathBuf {
    let s = repo_file.to_string_lossy();
    let base_start = s.rfind('/').map_or(0, |i| i + 1);
    match s[base_start..].rfind('.') {
        Some(dot) if base_start + dot > 0 => {
            PathBuf::from(format!("{}.lock", &s[..base_start + dot]))
        }
        _ => PathBuf::from(format!("{s}.lock")),
    }
}

impl RepoFile {
    /// helm's `NewFile`.
    pub fn new() -> RepoFile {
        RepoFile {
            api_version: "v1".into(),
            generated: super::gotime::now_rfc3339_nano(),
            repositories: Vec::new(),
        }
    }

    /// helm's `repo.LoadFile`.
    pub fn load(path: &Path) -> Result<RepoFile, ConfigError> {
        let data = std::fs::read(path).map_err(|e| ConfigError::Load {
            path: path.display().to_string(),
            detail: crate::chart::loader::go_io_error("open", path, &e),
            not_found: e.kind() == std::io::ErrorKind::NotFound,
        })?;
        Self::parse(&String::from_utf8_lossy(&data))
    }

    /// Reads the file for a writer: a missing file is an empty one.
    pub fn load_or_empty(path: &Path) -> Result<RepoFile, ConfigError> {
        match std::fs::read(path) {
            Ok(data) => Self::parse(&String::from_utf8_lossy(&data)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(RepoFile {
                generated: super::gotime::ZERO_TIME.into(),
                ..RepoFile::default()
            }),
            Err(e) => Err(ConfigError::Io(crate::chart::loader::go_io_error(
                "open", path, &e,
            ))),
        }
    }

    pub fn parse(text: &str) -> Result<RepoFile, ConfigError> {
        let doc =
            crate::values::yaml::unmarshal(text).map_err(|e| ConfigError::Parse(e.to_string()))?;
        let mut f = RepoFile {
            generated: super::gotime::ZERO_TIME.into(),
            ..RepoFile::default()
        };
        let Value::Map(m) = &doc else {
            return Ok(f);
        };
        for (k, v) in m.entries.borrow().iter() {
            match k.to_ascii_lowercase().as_str() {
                "apiversion" => f.api_version = scalar_text(v).unwrap_or_default(),
                "generated" => {
                    if let Some(s) = v.as_str() {
                        f.generated = super::gotime::normalize(s).map_err(|e| {
                            ConfigError::Parse(format!(
                                "error unmarshaling JSON: while decoding JSON: {e}"
                            ))
                        })?;
                    }
                }
                "repositories" => {
                    if let Some(l) = v.as_list() {
                        for item in l.items.borrow().iter() {
                            if let Value::Map(_) = item {
                                f.repositories.push(entry_from(item));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(f)
    }

    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub fn get(&self, name: &str) -> Option<&RepoEntry> {
        self.repositories.iter().find(|e| e.name == name)
    }

    /// Replaces the entry with the same name, or appends.
    pub fn update(&mut self, e: RepoEntry) {
        match self.repositories.iter_mut().find(|r| r.name == e.name) {
            Some(slot) => *slot = e,
            None => self.repositories.push(e),
        }
    }

    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.repositories.len();
        self.repositories.retain(|r| r.name != name);
        before != self.repositories.len()
    }

    pub fn to_value(&self) -> Value {
        let mut m = MapData::new();
        m.insert("apiVersion".into(), Value::str(&self.api_version));
        m.insert("generated".into(), Value::str(&self.generated));
        let list = self.repositories.iter().map(entry_value).collect();
        m.insert("repositories".into(), Value::list(list));
        Value::map(m)
    }

    /// The YAML helm writes.
    pub fn to_yaml(&self) -> String {
        crate::render::encode::to_yaml(&self.to_value()).unwrap_or_default()
    }

    /// Writes the file atomically with mode 0600, creating its directory.
    pub fn write(&self, path: &Path) -> Result<(), ConfigError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| ConfigError::Io(e.to_string()))?;
        }
        write_atomic(path, self.to_yaml().as_bytes(), 0o600)
            .map_err(|e| ConfigError::Io(e.to_string()))
    }
}

/// Takes `repositories.lock` for the duration of a read-modify-write.
pub fn lock(repo_file: &Path) -> Result<FileLock, ConfigError> {
    FileLock::acquire(&lock_path(repo_file), std::time::Duration::from_secs(30))
        .map_err(|e| ConfigError::Io(e.to_string()))
}

fn entry_from(v: &Value) -> RepoEntry {
    let mut e = RepoEntry::default();
    let Value::Map(m) = v else {
        return e;
    };
    for (k, val) in m.entries.borrow().iter() {
        let text = || scalar_text(val).unwrap_or_default();
        match k.to_ascii_lowercase().as_str() {
            "name" => e.name = text(),
            "url" => e.url = text(),
            "username" => e.username = text(),
            "password" => e.password = text(),
            "certfile" => e.cert_file = text(),
            "keyfile" => e.key_file = text(),
            "cafile" => e.ca_file = text(),
            "insecure_skip_tls_verify" => {
                e.insecure_skip_tls_verify = matches!(val, Value::Bool(true))
            }
            "pass_credentials_all" => e.pass_credentials_all = matches!(val, Value::Bool(true)),
            _ => {}
        }
    }
    e
}

fn entry_value(e: &RepoEntry) -> Value {
    let mut m = MapData::new();
    m.insert("name".into(), Value::str(&e.name));
    m.insert("url".into(), Value::str(&e.url));
    m.insert("username".into(), Value::str(&e.username));
    m.insert("password".into(), Value::str(&e.password));
    m.insert("certFile".into(), Value::str(&e.cert_file));
    m.insert("keyFile".into(), Value::str(&e.key_file));
    m.insert("caFile".into(), Value::str(&e.ca_file));
    m.insert(
        "insecure_skip_tls_verify".into(),
        Value::Bool(e.insecure_skip_tls_verify),
    );
    m.insert(
        "pass_credentials_all".into(),
        Value::Bool(e.pass_credentials_all),
    );
    Value::map(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELM: &str = "apiVersion: \"\"\ngenerated: \"0001-01-01T00:00:00Z\"\nrepositories:\n- caFile: \"\"\n  certFile: \"\"\n  insecure_skip_tls_verify: false\n  keyFile: \"\"\n  name: bitnami\n  pass_credentials_all: false\n  password: \"\"\n  url: file:///nonexistent/bitnami\n  username: \"\"\n";

    #[test]
    fn round_trips_helms_file() {
        let f = RepoFile::parse(HELM).unwrap();
        assert_eq!(f.repositories.len(), 1);
        assert_eq!(f.repositories[0].url, "file:///nonexistent/bitnami");
        assert_eq!(f.to_yaml(), HELM);
    }

    #[test]
    fn lock_file_name() {
        assert_eq!(
            lock_path(Path::new("/a/repositories.yaml")),
            PathBuf::from("/a/repositories.lock")
        );
        assert_eq!(
            lock_path(Path::new("/a.d/repos")),
            PathBuf::from("/a.d/repos.lock")
        );
    }

    #[test]
    fn update_and_remove() {
        let mut f = RepoFile::new();
        f.update(RepoEntry {
            name: "a".into(),
            url: "u1".into(),
            ..Default::default()
        });
        f.update(RepoEntry {
            name: "a".into(),
            url: "u2".into(),
            ..Default::default()
        });
        assert_eq!(f.repositories.len(), 1);
        assert_eq!(f.get("a").unwrap().url, "u2");
        assert!(f.remove("a"));
        assert!(!f.remove("a"));
    }
}
