//! The Kubernetes objects of a release manifest and the calls made on them:
//! get, server-side apply (field manager `helm`), delete.

use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams, PostParams};
use kube::core::params::ValidationDirective;
use serde_json::Value as Json;

use super::client::{ClusterError, KubeCluster};
use super::discovery::Mapping;
use crate::render::encode::to_raw_json;
use crate::render::manifest::split_manifests;
use crate::values::yaml::unmarshal_map;

/// helm's field manager: Helm 4 uses its binary's base name; rudder uses
/// `helm` so that either tool can manage the other's releases.
pub const FIELD_MANAGER: &str = "helm";

/// One object of a manifest.
#[derive(Debug, Clone)]
pub struct Resource {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    /// As written in the manifest; the release namespace applies when absent.
    pub namespace: Option<String>,
    pub body: Json,
}

impl Resource {
    /// `Kind "name"`, or `Kind "name" in namespace "ns"`, for messages.
    pub fn describe(&self, ns: &str) -> String {
        if ns.is_empty() {
            format!("{} \"{}\"", self.kind, self.name)
        } else {
            format!("{} \"{}\" in namespace \"{}\"", self.kind, self.name, ns)
        }
    }

    /// `v1/Service` or `apps/v1/Deployment` (the group/version/kind key).
    pub fn gvk(&self) -> String {
        format!("{}/{}", self.api_version, self.kind)
    }

    pub fn identity(&self, default_ns: &str) -> (String, String, String, String) {
        (
            self.api_version.clone(),
            self.kind.clone(),
            self.namespace
                .clone()
                .unwrap_or_else(|| default_ns.to_string()),
            self.name.clone(),
        )
    }
}

/// The objects of a stored manifest, in manifest order. Empty documents are skipped.
pub fn parse_manifest(manifest: &str) -> Result<Vec<Resource>, ClusterError> {
    let mut out = Vec::new();
    for doc in split_manifests(manifest) {
        let value = unmarshal_map(doc)
            .map_err(|e| ClusterError::Other(format!("error parsing manifest: {e}")))?;
        let json = to_raw_json(&value).map_err(|e| ClusterError::Other(e.to_string()))?;
        let body: Json =
            serde_json::from_str(&json).map_err(|e| ClusterError::Other(e.to_string()))?;
        let Some(obj) = body.as_object() else {
            continue;
        };
        if obj.is_empty() {
            continue;
        }
        let s = |v: Option<&Json>| v.and_then(Json::as_str).unwrap_or("").to_string();
        let meta = obj.get("metadata");
        let namespace = meta
            .and_then(|m| m.get("namespace"))
            .and_then(Json::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        out.push(Resource {
            api_version: s(obj.get("apiVersion")),
            kind: s(obj.get("kind")),
            name: s(meta.and_then(|m| m.get("name"))),
            namespace,
            body,
        });
    }
    Ok(out)
}

impl KubeCluster {
    fn api_for(&self, m: &Mapping, ns: &str) -> Api<DynamicObject> {
        if m.namespaced {
            Api::namespaced_with(self.client(), ns, &m.resource)
        } else {
            Api::all_with(self.client(), &m.resource)
        }
    }

    /// The namespace an object really lives in ("" for cluster-scoped kinds).
    pub fn effective_namespace(
        &self,
        r: &Resource,
        release_ns: &str,
    ) -> Result<String, ClusterError> {
        let m = self.mapping(&r.api_version, &r.kind)?;
        Ok(if m.namespaced {
            r.namespace
                .clone()
                .unwrap_or_else(|| release_ns.to_string())
        } else {
            String::new()
        })
    }

    /// The live object, `None` when it does not exist.
    pub fn get_object(&self, r: &Resource, release_ns: &str) -> Result<Option<Json>, ClusterError> {
        let m = self.mapping(&r.api_version, &r.kind)?;
        let ns = r
            .namespace
            .clone()
            .unwrap_or_else(|| release_ns.to_string());
        let api = self.api_for(&m, &ns);
        let got = self
            .block_on(api.get_opt(&r.name))
            .map_err(ClusterError::from_kube)?;
        Ok(got.and_then(|o| serde_json::to_value(o).ok()))
    }

    /// Server-side apply of the object under the `helm` field manager.
    pub fn apply(&self, r: &Resource, release_ns: &str, force: bool) -> Result<(), ClusterError> {
        let m = self.mapping(&r.api_version, &r.kind)?;
        let ns = r
            .namespace
            .clone()
            .unwrap_or_else(|| release_ns.to_string());
        let mut body = r.body.clone();
        if m.namespaced {
            if let Some(meta) = body.get_mut("metadata").and_then(Json::as_object_mut) {
                meta.insert("namespace".into(), Json::String(ns.clone()));
            }
        }
        let api = self.api_for(&m, &ns);
        let mut pp = PatchParams::apply(FIELD_MANAGER);
        pp.force = force;
        pp.field_validation = Some(ValidationDirective::Strict);
        match self.block_on(api.patch(&r.name, &pp, &Patch::Apply(&body))) {
            Ok(_) => Ok(()),
            Err(e @ kube::Error::Api(_)) => Err(ClusterError::from_kube(e)),
            Err(e) => {
                let (path, _) = self.object_path(r, release_ns)?;
                let url = format!(
                    "{}{path}?fieldManager={FIELD_MANAGER}&fieldValidation=Strict&force={force}",
                    self.server
                );
                Err(ClusterError::Other(super::client::go_request_error(
                    "Patch", &url, &e,
                )))
            }
        }
    }

    /// Deletes the object with background propagation; `Ok(false)` when it was already gone.
    pub fn delete_object(&self, r: &Resource, release_ns: &str) -> Result<bool, ClusterError> {
        let m = self.mapping(&r.api_version, &r.kind)?;
        let ns = r
            .namespace
            .clone()
            .unwrap_or_else(|| release_ns.to_string());
        let api = self.api_for(&m, &ns);
        match self.block_on(api.delete(&r.name, &DeleteParams::background())) {
            Ok(_) => Ok(true),
            Err(e) if ClusterError::is_not_found_kube(&e) => Ok(false),
            Err(e) => Err(ClusterError::from_kube(e)),
        }
    }

    /// Creates a namespace unless it exists (`--create-namespace`).
    pub fn ensure_namespace(&self, ns: &str) -> Result<(), ClusterError> {
        use k8s_openapi::api::core::v1::Namespace;
        let api: Api<Namespace> = Api::all(self.client());
        if self
            .block_on(api.get_opt(ns))
            .map_err(ClusterError::from_kube)?
            .is_some()
        {
            return Ok(());
        }
        let mut obj = Namespace::default();
        obj.metadata.name = Some(ns.to_string());
        match self.block_on(api.create(&PostParams::default(), &obj)) {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(s)) if s.code == 409 => Ok(()),
            Err(e) => Err(ClusterError::from_kube(e)),
        }
    }
}

impl KubeCluster {
    /// The log of one container of a pod (`helm test --logs`).
    pub fn pod_log(
        &self,
        namespace: &str,
        pod: &str,
        container: &str,
    ) -> Result<String, ClusterError> {
        use k8s_openapi::api::core::v1::Pod;
        let api: Api<Pod> = Api::namespaced(self.client(), namespace);
        let lp = kube::api::LogParams {
            container: Some(container.to_string()),
            ..Default::default()
        };
        self.block_on(api.logs(pod, &lp))
            .map_err(ClusterError::from_kube)
    }
}

impl KubeCluster {
    /// Creates the object; `Ok(false)` when it already exists (CRDs from `crds/`
    /// are created, never updated, one request each).
    pub fn create_object(&self, r: &Resource, release_ns: &str) -> Result<bool, ClusterError> {
        let m = self.mapping(&r.api_version, &r.kind)?;
        let ns = r
            .namespace
            .clone()
            .unwrap_or_else(|| release_ns.to_string());
        let api = self.api_for(&m, &ns);
        let obj: DynamicObject = serde_json::from_value(r.body.clone())
            .map_err(|e| ClusterError::Other(e.to_string()))?;
        let pp = PostParams {
            field_manager: Some(FIELD_MANAGER.to_string()),
            ..Default::default()
        };
        match self.block_on(api.create(&pp, &obj)) {
            Ok(_) => Ok(true),
            Err(kube::Error::Api(s)) if s.code == 409 => Ok(false),
            Err(e) => Err(ClusterError::from_kube(e)),
        }
    }
}

impl KubeCluster {
    /// Replaces the object with a PUT of the whole manifest (`--force-replace`),
    /// creating it when it does not exist.
    pub fn replace_object(&self, r: &Resource, release_ns: &str) -> Result<(), ClusterError> {
        let m = self.mapping(&r.api_version, &r.kind)?;
        let ns = r
            .namespace
            .clone()
            .unwrap_or_else(|| release_ns.to_string());
        let api = self.api_for(&m, &ns);
        let mut obj: DynamicObject = serde_json::from_value(r.body.clone())
            .map_err(|e| ClusterError::Other(e.to_string()))?;
        if m.namespaced {
            obj.metadata.namespace = Some(ns.clone());
        }
        let pp = PostParams {
            field_manager: Some(FIELD_MANAGER.to_string()),
            ..Default::default()
        };
        let live = self
            .block_on(api.get_opt(&r.name))
            .map_err(ClusterError::from_kube)?;
        match live {
            None => self.block_on(api.create(&pp, &obj)).map(|_| ()),
            Some(cur) => {
                obj.metadata.resource_version = cur.metadata.resource_version;
                self.block_on(api.replace(&r.name, &pp, &obj)).map(|_| ())
            }
        }
        .map_err(ClusterError::from_kube)
    }

    /// Deletes with the given propagation (`background`, `foreground`, `orphan`).
    pub fn delete_object_with(
        &self,
        r: &Resource,
        release_ns: &str,
        propagation: &str,
    ) -> Result<bool, ClusterError> {
        let m = self.mapping(&r.api_version, &r.kind)?;
        let ns = r
            .namespace
            .clone()
            .unwrap_or_else(|| release_ns.to_string());
        let api = self.api_for(&m, &ns);
        let dp = match propagation {
            "foreground" => DeleteParams::foreground(),
            "orphan" => DeleteParams::orphan(),
            _ => DeleteParams::background(),
        };
        match self.block_on(api.delete(&r.name, &dp)) {
            Ok(_) => Ok(true),
            Err(e) if ClusterError::is_not_found_kube(&e) => Ok(false),
            Err(e) => Err(ClusterError::from_kube(e)),
        }
    }
}
