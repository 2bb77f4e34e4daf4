//! The `secret` driver (helm's default): one Secret per revision, type
//! `helm.sh/release.v1`, `data.release` = the encoded record.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::ByteString;

use super::object_driver::{ObjectDriver, RecordObject};

pub const SECRET_TYPE: &str = "helm.sh/release.v1";

pub type SecretDriver = ObjectDriver<Secret>;

impl RecordObject for Secret {
    const DRIVER_NAME: &'static str = "Secret";

    fn record(&self) -> String {
        self.data
            .as_ref()
            .and_then(|d| d.get("release"))
            .map(|b| String::from_utf8_lossy(&b.0).into_owned())
            .unwrap_or_default()
    }

    fn set_record(&mut self, encoded: String) {
        self.type_ = Some(SECRET_TYPE.to_string());
        self.data = Some(BTreeMap::from([(
            "release".to_string(),
            ByteString(encoded.into_bytes()),
        )]));
    }
}

#[cfg(test)]
mod tests {
    use std::pin::pin;

    use http::{Request, Response};
    use kube::client::Body;
    use serde_json::Value as Json;

    use std::rc::Rc;

    use super::*;
    use crate::cluster::KubeCluster;
    use crate::release::codec;
    use crate::release::model::Info;
    use crate::release::model::Release;
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
