//! The `memory` driver: records live for one process (helm's `HELM_DRIVER=memory`,
//! used with `--dry-run` and in tests).

use std::cell::RefCell;
use std::collections::BTreeMap;

use super::{Driver, StorageError};
use crate::release::model::Release;

pub struct MemoryDriver {
    namespace: String,
    records: RefCell<BTreeMap<(String, String), Release>>,
}

impl MemoryDriver {
    pub fn new(namespace: &str) -> MemoryDriver {
        MemoryDriver {
            namespace: namespace.to_string(),
            records: RefCell::new(BTreeMap::new()),
        }
    }

    fn labels_of(r: &Release) -> BTreeMap<String, String> {
        let mut l = r.labels.clone();
        l.insert("name".into(), r.name.clone());
        l.insert("owner".into(), "helm".into());
        l.insert("status".into(), r.status().as_str().into());
        l.insert("version".into(), r.version.to_string());
        l
    }
}

impl Driver for MemoryDriver {
    fn name(&self) -> &'static str {
        "Memory"
    }

    fn get(&self, key: &str) -> Result<Release, StorageError> {
        self.records
            .borrow()
            .get(&(self.namespace.clone(), key.to_string()))
            .cloned()
            .ok_or(StorageError::NotFound)
    }

    fn query(&self, labels: &[(&str, &str)]) -> Result<Vec<Release>, StorageError> {
        Ok(self
            .records
            .borrow()
            .iter()
            .filter(|((ns, _), _)| self.namespace.is_empty() || *ns == self.namespace)
            .filter(|(_, r)| {
                let l = Self::labels_of(r);
                labels
                    .iter()
                    .all(|(k, v)| l.get(*k).map(String::as_str) == Some(*v))
            })
            .map(|(_, r)| r.clone())
            .collect())
    }

    fn create(&self, key: &str, release: &Release) -> Result<(), StorageError> {
        let k = (self.namespace.clone(), key.to_string());
        let mut recs = self.records.borrow_mut();
        if recs.contains_key(&k) {
            return Err(StorageError::Exists);
        }
        recs.insert(k, release.clone());
        Ok(())
    }

    fn update(&self, key: &str, release: &Release) -> Result<(), StorageError> {
        let k = (self.namespace.clone(), key.to_string());
        let mut recs = self.records.borrow_mut();
        if !recs.contains_key(&k) {
            return Err(StorageError::NotFound);
        }
        recs.insert(k, release.clone());
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<Release, StorageError> {
        self.records
            .borrow_mut()
            .remove(&(self.namespace.clone(), key.to_string()))
            .ok_or(StorageError::NotFound)
    }
}
