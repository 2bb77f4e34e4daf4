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

#[cfg(test)]
mod tests {
    use std::pin::pin;

    use http::{Request, Response};
    use kube::client::Body;
    use serde_json::Value as Json;

    use super::*;
    use crate::release::model::Info;
    use crate::release::status::Status;
    use crate::release::storage::{Storage, StorageError};

    fn release() -> Release {
        Release {
            name: "web".into(),
            namespace: "default".into(),
            version: 1,
            info: Some(Info {
                status: Status::PendingInstall,
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    /// The exact requests of a first install's record: the name check
    /// (`name=web,owner=helm`), then a POST of a typed Secret with helm's labels.
    #[test]
    fn name_check_then_typed_secret_with_helm_labels() {
        let (svc, handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
        let cluster = Rc::new(
            KubeCluster::with_client(move || kube::Client::new(svc, "default"), "default").unwrap(),
        );
        let server = cluster.spawn(async move {
            let mut handle = pin!(handle);
            let mut seen = Vec::new();
            let (req, send) = handle.next_request().await.expect("query");
            seen.push(format!("{} {}", req.method(), req.uri()));
            let empty = br#"{"apiVersion":"v1","kind":"SecretList","metadata":{},"items":[]}"#;
            send.send_response(
                Response::builder()
                    .body(Body::from(empty.to_vec()))
                    .unwrap(),
            );
            let (req, send) = handle.next_request().await.expect("create");
            seen.push(format!("{} {}", req.method(), req.uri()));
            let body = req.into_body().collect_bytes().await.unwrap();
            let sent: Json = serde_json::from_slice(&body).unwrap();
            send.send_response(
                Response::builder()
                    .status(201)
                    .body(Body::from(body.to_vec()))
                    .unwrap(),
            );
            (seen, sent)
        });
        let storage = Storage::new(Box::new(SecretDriver::new(cluster.clone(), "default")), 10);
        assert!(matches!(
            storage.history("web"),
            Err(StorageError::NotFound)
        ));
        storage
            .driver
            .create("sh.helm.release.v1.web.v1", &release())
            .unwrap();
        let (seen, sent) = cluster.block_on(server).unwrap();
        assert_eq!(
            seen,
            [
                "GET /api/v1/namespaces/default/secrets?&labelSelector=name%3Dweb%2Cowner%3Dhelm",
                "POST /api/v1/namespaces/default/secrets?",
            ]
        );
        assert_eq!(sent["type"], "helm.sh/release.v1");
        assert_eq!(sent["metadata"]["name"], "sh.helm.release.v1.web.v1");
        let labels = &sent["metadata"]["labels"];
        assert_eq!(labels["name"], "web");
        assert_eq!(labels["owner"], "helm");
        assert_eq!(labels["status"], "pending-install");
        assert_eq!(labels["version"], "1");
        assert!(labels["createdAt"].as_str().unwrap().parse::<i64>().is_ok());
        // data.release is base64 (the API's) of base64(gzip(json)).
        let wire = sent["data"]["release"].as_str().unwrap();
        use base64::Engine as _;
        let inner = base64::engine::general_purpose::STANDARD
            .decode(wire)
            .unwrap();
        let back = codec::decode(std::str::from_utf8(&inner).unwrap()).unwrap();
        assert_eq!(back.name, "web");
    }
}
