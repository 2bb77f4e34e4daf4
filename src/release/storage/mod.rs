//! Where release records live. A [`Driver`] stores one record per key in one
//! namespace (or reads all namespaces when its namespace is empty); [`Storage`]
//! adds Helm's release-level operations on top (history, last deployed,
//! pruning to `--history-max`).
//! The driver is chosen by `HELM_DRIVER` at the CLI edge: `secret` (default),
//! `configmap`, `memory`.

use std::collections::BTreeMap;

use super::model::Release;
use super::status::Status;

pub mod configmap;
pub mod labels;
pub mod memory;
pub mod object_driver;
pub mod secret;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("release: not found")]
    NotFound,
    #[error("release: already exists")]
    Exists,
    /// A failure of the backing store, already worded as helm words it.
    #[error("{0}")]
    Backend(String),
}

/// One storage backend. Keys are `sh.helm.release.v1.<name>.v<revision>`.
pub trait Driver {
    /// `Secret`, `ConfigMap` or `Memory`, as helm names its drivers.
    fn name(&self) -> &'static str;
    fn get(&self, key: &str) -> Result<Release, StorageError>;
    /// Every record whose labels include all `labels`; an empty result is `Ok`.
    fn query(&self, labels: &[(&str, &str)]) -> Result<Vec<Release>, StorageError>;
    fn create(&self, key: &str, release: &Release) -> Result<(), StorageError>;
    fn update(&self, key: &str, release: &Release) -> Result<(), StorageError>;
    fn delete(&self, key: &str) -> Result<Release, StorageError>;
}

/// Helm's storage key of a revision.
pub fn release_key(name: &str, version: i64) -> String {
    format!("sh.helm.release.v1.{name}.v{version}")
}

/// The labels Helm's drivers put on every record (besides the user's).
pub fn system_labels(
    release: &Release,
    time_label: &str,
    now_unix: i64,
) -> BTreeMap<String, String> {
    let mut l = release.labels.clone();
    for sys in [
        "name",
        "owner",
        "status",
        "version",
        "createdAt",
        "modifiedAt",
    ] {
        l.remove(sys);
    }
    l.insert("name".into(), release.name.clone());
    l.insert("owner".into(), "helm".into());
    l.insert("status".into(), release.status().as_str().to_string());
    l.insert("version".into(), release.version.to_string());
    l.insert(time_label.into(), now_unix.to_string());
    l
}

/// Release-level operations over a driver (helm's `storage.Storage`).
pub struct Storage {
    pub driver: Box<dyn Driver>,
    /// `--history-max`: revisions kept per release; 0 keeps all.
    pub max_history: i64,
}

impl Storage {
    pub fn new(driver: Box<dyn Driver>, max_history: i64) -> Storage {
        Storage {
            driver,
            max_history,
        }
    }

    pub fn get(&self, name: &str, version: i64) -> Result<Release, StorageError> {
        self.driver.get(&release_key(name, version))
    }

    /// Stores a new revision, first pruning the history so that at most
    /// `max_history` revisions remain afterwards.
    pub fn create(&self, release: &Release) -> Result<(), StorageError> {
        if self.max_history > 0 {
            self.remove_least_recent(&release.name, self.max_history - 1)?;
        }
        self.driver
            .create(&release_key(&release.name, release.version), release)
    }

    pub fn update(&self, release: &Release) -> Result<(), StorageError> {
        self.driver
            .update(&release_key(&release.name, release.version), release)
    }

    pub fn delete(&self, name: &str, version: i64) -> Result<Release, StorageError> {
        self.driver.delete(&release_key(name, version))
    }

    /// All revisions of a release (unsorted); `NotFound` when there are none.
    pub fn history(&self, name: &str) -> Result<Vec<Release>, StorageError> {
        let all = self.driver.query(&[("name", name), ("owner", "helm")])?;
        if all.is_empty() {
            return Err(StorageError::NotFound);
        }
        Ok(all)
    }

    /// Every release record the driver can see.
    pub fn list_all(&self) -> Result<Vec<Release>, StorageError> {
        self.driver.query(&[("owner", "helm")])
    }

    /// The newest deployed revision.
    pub fn deployed(&self, name: &str) -> Result<Release, StorageError> {
        let mut all = self.driver.query(&[
            ("name", name),
            ("owner", "helm"),
            ("status", Status::Deployed.as_str()),
        ])?;
        all.sort_by_key(|r| r.version);
        all.pop().ok_or(StorageError::NotFound)
    }

    /// The newest revision in any state.
    pub fn last(&self, name: &str) -> Result<Release, StorageError> {
        let mut h = self.history(name)?;
        h.sort_by_key(|r| r.version);
        h.pop().ok_or(StorageError::NotFound)
    }

    /// Deletes the oldest revisions until at most `max` are left, never the
    /// newest deployed one (helm's `removeLeastRecent`).
    fn remove_least_recent(&self, name: &str, max: i64) -> Result<(), StorageError> {
        if max < 0 {
            return Ok(());
        }
        let mut history = match self.history(name) {
            Ok(h) => h,
            Err(StorageError::NotFound) => return Ok(()),
            Err(e) => return Err(e),
        };
        if history.len() as i64 <= max {
            return Ok(());
        }
        history.sort_by_key(|r| r.version);
        let last_deployed = history
            .iter()
            .filter(|r| r.status() == Status::Deployed)
            .map(|r| r.version)
            .max();
        let mut doomed = Vec::new();
        for r in &history {
            if history.len() as i64 - doomed.len() as i64 <= max {
                break;
            }
            if Some(r.version) != last_deployed {
                doomed.push(r.version);
            }
        }
        for v in doomed {
            self.delete(name, v)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::memory::MemoryDriver;
    use super::*;
    use crate::release::model::Info;

    fn rel(v: i64, status: Status) -> Release {
        Release {
            name: "r".into(),
            version: v,
            namespace: "default".into(),
            info: Some(Info {
                status,
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn prunes_history_but_keeps_last_deployed() {
        let s = Storage::new(Box::new(MemoryDriver::new("default")), 3);
        s.create(&rel(1, Status::Deployed)).unwrap();
        s.create(&rel(2, Status::Failed)).unwrap();
        s.create(&rel(3, Status::Failed)).unwrap();
        s.create(&rel(4, Status::Failed)).unwrap();
        let mut versions: Vec<i64> = s.history("r").unwrap().iter().map(|r| r.version).collect();
        versions.sort();
        assert_eq!(versions, vec![1, 3, 4]);
        assert_eq!(s.deployed("r").unwrap().version, 1);
        assert_eq!(s.last("r").unwrap().version, 4);
        assert!(matches!(s.history("x"), Err(StorageError::NotFound)));
        assert!(matches!(
            s.create(&rel(4, Status::Failed)),
            Err(StorageError::Exists)
        ));
    }
}
