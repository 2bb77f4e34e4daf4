//! The `secret` driver (helm's default): one Secret per revision, type
//! `helm.sh/release.v1`, `data.release` = the encoded record.

use std::collections::BTreeMap;
use std::rc::Rc;

use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::ByteString;
use kube::api::{Api, DeleteParams, ListParams, PostParams};

use super::labels::selector;
use super::{system_labels, Driver, StorageError};
use crate::cluster::KubeCluster;
use crate::release::codec;
use crate::release::model::Release;
use crate::release::time::Timestamp;

pub const SECRET_TYPE: &str = "helm.sh/release.v1";

pub struct SecretDriver {
    cluster: Rc<KubeCluster>,
    namespace: String,
}

fn api_message(e: kube::Error) -> String {
    match e {
        kube::Error::Api(s) => s.message.clone(),
        other => other.to_string(),
    }
}

impl SecretDriver {
    /// An empty `namespace` reads every namespace (`list -A`).
    pub fn new(cluster: Rc<KubeCluster>, namespace: &str) -> SecretDriver {
        SecretDriver {
            cluster,
            namespace: namespace.to_string(),
        }
    }

    fn api(&self) -> Api<Secret> {
        if self.namespace.is_empty() {
            Api::all(self.cluster.client())
        } else {
            Api::namespaced(self.cluster.client(), &self.namespace)
        }
    }

    fn decode(obj: &Secret) -> Result<Release, StorageError> {
        let data = obj
            .data
            .as_ref()
            .and_then(|d| d.get("release"))
            .map(|b| String::from_utf8_lossy(&b.0).into_owned())
            .unwrap_or_default();
        let mut r = codec::decode(&data).map_err(|e| StorageError::Backend(e.to_string()))?;
        r.labels = obj.metadata.labels.clone().unwrap_or_default();
        Ok(r)
    }

    fn object(
        &self,
        key: &str,
        release: &Release,
        time_label: &str,
    ) -> Result<Secret, StorageError> {
        let encoded = codec::encode(release).map_err(|e| StorageError::Backend(e.to_string()))?;
        let labels = system_labels(release, time_label, Timestamp::now().secs);
        let mut s = Secret::default();
        s.metadata.name = Some(key.to_string());
        s.metadata.namespace = Some(release.namespace.clone());
        s.metadata.labels = Some(labels);
        s.type_ = Some(SECRET_TYPE.to_string());
        s.data = Some(BTreeMap::from([(
            "release".to_string(),
            ByteString(encoded.into_bytes()),
        )]));
        Ok(s)
    }

    fn namespaced_api(&self, release: &Release) -> Api<Secret> {
        Api::namespaced(self.cluster.client(), &release.namespace)
    }
}

impl Driver for SecretDriver {
    fn name(&self) -> &'static str {
        "Secret"
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
        let api: Api<Secret> = Api::namespaced(self.cluster.client(), &release.namespace);
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
