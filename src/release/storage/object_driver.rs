//! The cluster-backed drivers: one object per revision (a Secret or a
//! ConfigMap) named `sh.helm.release.v1.<name>.v<rev>`, carrying the encoded
//! record under `data.release` and helm's labels. The two kinds differ only in
//! how the record is stored in the object, which [`RecordObject`] says.

use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::rc::Rc;

use kube::api::{Api, DeleteParams, ListParams, PostParams};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::labels::selector;
use super::{system_labels, Driver, StorageError};
use crate::cluster::KubeCluster;
use crate::release::codec;
use crate::release::model::Release;
use crate::release::time::Timestamp;

/// A Kubernetes kind that can hold a release record.
pub trait RecordObject:
    kube::Resource<Scope = k8s_openapi::NamespaceResourceScope, DynamicType = ()>
    + Clone
    + std::fmt::Debug
    + Serialize
    + DeserializeOwned
    + Default
{
    /// The driver's name as helm logs it (`Secret`, `ConfigMap`).
    const DRIVER_NAME: &'static str;
    /// The encoded record stored in the object (empty when absent).
    fn record(&self) -> String;
    /// Stores the encoded record (and any kind-specific fields).
    fn set_record(&mut self, encoded: String);
}

pub struct ObjectDriver<K> {
    cluster: Rc<KubeCluster>,
    namespace: String,
    kind: PhantomData<K>,
}

fn api_message(e: kube::Error) -> String {
    match e {
        kube::Error::Api(s) => s.message.clone(),
        other => other.to_string(),
    }
}

impl<K: RecordObject> ObjectDriver<K> {
    /// An empty `namespace` reads every namespace (`list -A`).
    pub fn new(cluster: Rc<KubeCluster>, namespace: &str) -> ObjectDriver<K> {
        ObjectDriver {
            cluster,
            namespace: namespace.to_string(),
            kind: PhantomData,
        }
    }

    fn api(&self) -> Api<K> {
        if self.namespace.is_empty() {
            Api::all(self.cluster.client())
        } else {
            Api::namespaced(self.cluster.client(), &self.namespace)
        }
    }

    fn decode(obj: &K) -> Result<Release, StorageError> {
        let mut r =
            codec::decode(&obj.record()).map_err(|e| StorageError::Backend(e.to_string()))?;
        r.labels = obj.meta().labels.clone().unwrap_or_default();
        Ok(r)
    }

    fn object(&self, key: &str, release: &Release, time_label: &str) -> Result<K, StorageError> {
        let encoded = codec::encode(release).map_err(|e| StorageError::Backend(e.to_string()))?;
        let labels: BTreeMap<String, String> =
            system_labels(release, time_label, Timestamp::now().secs);
        let mut obj = K::default();
        obj.meta_mut().name = Some(key.to_string());
        obj.meta_mut().namespace = Some(release.namespace.clone());
        obj.meta_mut().labels = Some(labels);
        obj.set_record(encoded);
        Ok(obj)
    }

    fn namespaced_api(&self, release: &Release) -> Api<K> {
        Api::namespaced(self.cluster.client(), &release.namespace)
    }
}

impl<K: RecordObject> Driver for ObjectDriver<K> {
    fn name(&self) -> &'static str {
        K::DRIVER_NAME
    }

    fn get(&self, key: &str) -> Result<Release, StorageError> {
        let api = self.api();
        match self.cluster.block_on(api.get_opt(key)) {
            Ok(Some(obj)) => Self::decode(&obj),
            Ok(None) => Err(StorageError::NotFound),
            Err(e) => Err(StorageError::Backend(format!(
                "get: failed to get {key:?}: {}",
                api_message(e)
            ))),
        }
    }

    fn query(&self, labels: &[(&str, &str)]) -> Result<Vec<Release>, StorageError> {
        let api = self.api();
        let lp = ListParams::default().labels(&selector(labels));
        let list = self.cluster.block_on(api.list(&lp)).map_err(|e| {
            StorageError::Backend(format!(
                "query: failed to query with labels: {}",
                api_message(e)
            ))
        })?;
        list.items.iter().map(Self::decode).collect()
    }

    fn create(&self, key: &str, release: &Release) -> Result<(), StorageError> {
        let obj = self.object(key, release, "createdAt")?;
        match self.cluster.block_on(
            self.namespaced_api(release)
                .create(&PostParams::default(), &obj),
        ) {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(s)) if s.code == 409 => Err(StorageError::Exists),
            Err(e) => Err(StorageError::Backend(format!(
                "create: failed to create: {}",
                api_message(e)
            ))),
        }
    }

    fn update(&self, key: &str, release: &Release) -> Result<(), StorageError> {
        let obj = self.object(key, release, "modifiedAt")?;
        self.cluster
            .block_on(
                self.namespaced_api(release)
                    .replace(key, &PostParams::default(), &obj),
            )
            .map(|_| ())
            .map_err(|e| {
                StorageError::Backend(format!("update: failed to update: {}", api_message(e)))
            })
    }

    fn delete(&self, key: &str) -> Result<Release, StorageError> {
        let release = self.get(key)?;
        let api: Api<K> = Api::namespaced(self.cluster.client(), &release.namespace);
        match self
            .cluster
            .block_on(api.delete(key, &DeleteParams::default()))
        {
            Ok(_) => Ok(release),
            Err(kube::Error::Api(s)) if s.code == 404 => Err(StorageError::NotFound),
            Err(e) => Err(StorageError::Backend(format!(
                "delete: failed to delete release: {}",
                api_message(e)
            ))),
        }
    }
}
