//! Client-side apply, as Helm 4 does it with `--server-side=false` (and for
//! releases recorded as `csa`): new objects are created with a POST, existing
//! ones get a three-way patch computed from the previous release's object
//! (original), the new manifest (modified) and the live object (current).
//!
//! Built-in kinds get a strategic merge patch (lists merged by their
//! `patchMergeKey`, removals as `$patch: delete`), other kinds a JSON merge
//! patch, as client-go's `createPatch` chooses. No
//! `last-applied-configuration` annotation is involved: helm's original is
//! the stored manifest.

use serde_json::{Map, Value as Json};

use super::client::{ClusterError, KubeCluster};
use super::resource::{Resource, FIELD_MANAGER};

/// API groups whose kinds client-go knows as typed objects (strategic merge
/// patch); anything else (custom resources, aggregated APIs) is unstructured.
const TYPED_GROUPS: &[&str] = &[
    "",
    "apps",
    "batch",
    "autoscaling",
    "policy",
    "networking.k8s.io",
    "rbac.authorization.k8s.io",
    "storage.k8s.io",
    "apiextensions.k8s.io",
    "admissionregistration.k8s.io",
    "certificates.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "events.k8s.io",
    "node.k8s.io",
    "scheduling.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "resource.k8s.io",
    "authentication.k8s.io",
    "authorization.k8s.io",
];

/// Whether `apiVersion` names a group client-go has types for.
pub fn is_typed(api_version: &str) -> bool {
    let group = api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
    TYPED_GROUPS.contains(&group)
}

/// The `patchMergeKey` of a list field of the built-in types, by field name
/// (the Kubernetes types use the same key wherever a field name recurs).
/// `ports` is keyed by `containerPort` in pod specs and by `port` in Services.
fn merge_key(field: &str, items: &[&Json]) -> Option<&'static str> {
    Some(match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets"
        | "secrets"
        | "resourceClaims" => "name",
        "volumeMounts" => "mountPath",
        "volumeDevices" => "devicePath",
        "hostAliases" => "ip",
        "conditions" => "type",
        "ownerReferences" => "uid",
        "topologySpreadConstraints" => "topologyKey",
        "ports" => {
            if items.iter().any(|i| i.get("containerPort").is_some()) {
                "containerPort"
            } else {
                "port"
            }
        }
        _ => return None,
    })
}

/// Lists of scalars merged as sets (`patchStrategy: merge` on a primitive list).
fn is_primitive_merge(field: &str) -> bool {
    field == "finalizers"
}

fn as_map(v: Option<&Json>) -> Option<&Map<String, Json>> {
    v.and_then(Json::as_object)
}

/// A three-way strategic merge patch (client-go's `CreateThreeWayMergePatch`
/// with overwrite): changes and additions are taken against `current`,
/// deletions against `original`.
pub fn strategic_patch(
    original: Option<&Map<String, Json>>,
    modified: &Map<String, Json>,
    current: Option<&Map<String, Json>>,
) -> Map<String, Json> {
    let mut patch = Map::new();
    for (k, mv) in modified {
        let cv = current.and_then(|c| c.get(k));
        let ov = original.and_then(|o| o.get(k));
        match (mv, cv) {
            (Json::Object(m), Some(Json::Object(c))) => {
                let sub = strategic_patch(as_map(ov), m, Some(c));
                if !sub.is_empty() {
                    patch.insert(k.clone(), Json::Object(sub));
                }
            }
            (Json::Array(m), Some(Json::Array(c))) => {
                list_patch(&mut patch, k, ov.and_then(Json::as_array), m, c);
            }
            (Json::Array(m), None) => {
                list_patch(&mut patch, k, ov.and_then(Json::as_array), m, &[]);
            }
            _ => {
                if cv != Some(mv) {
                    patch.insert(k.clone(), mv.clone());
                }
            }
        }
    }
    if let Some(o) = original {
        for k in o.keys() {
            if !modified.contains_key(k) {
                patch.insert(k.clone(), Json::Null);
            }
        }
    }
    patch
}

fn list_patch(
    patch: &mut Map<String, Json>,
    field: &str,
    original: Option<&Vec<Json>>,
    modified: &[Json],
    current: &[Json],
) {
    let original = original.map(Vec::as_slice).unwrap_or(&[]);
    if is_primitive_merge(field) {
        let added: Vec<Json> = modified
            .iter()
            .filter(|m| !current.contains(m))
            .cloned()
            .collect();
        let removed: Vec<Json> = original
            .iter()
            .filter(|o| !modified.contains(o) && current.contains(o))
            .cloned()
            .collect();
        if !added.is_empty() || !removed.is_empty() {
            patch.insert(
                format!("$setElementOrder/{field}"),
                Json::Array(modified.to_vec()),
            );
        }
        if !added.is_empty() {
            patch.insert(field.to_string(), Json::Array(added));
        }
        if !removed.is_empty() {
            patch.insert(
                format!("$deleteFromPrimitiveList/{field}"),
                Json::Array(removed),
            );
        }
        return;
    }
    let all: Vec<&Json> = modified.iter().chain(current).chain(original).collect();
    let key = merge_key(field, &all).filter(|_| all.iter().all(|i| i.is_object()));
    let Some(key) = key else {
        // Atomic list: replaced whole when it differs from the live one.
        if current != modified || (current.is_empty() && !modified.is_empty()) {
            patch.insert(field.to_string(), Json::Array(modified.to_vec()));
        }
        return;
    };
    let find = |list: &[Json], v: Option<&Json>| -> Option<Json> {
        list.iter().find(|i| i.get(key) == v).cloned()
    };
    let mut items = Vec::new();
    for m in modified {
        let kv = m.get(key);
        let Some(m_map) = m.as_object() else { continue };
        match find(current, kv) {
            None => items.push(m.clone()),
            Some(c) => {
                let o = find(original, kv);
                let sub = strategic_patch(as_map(o.as_ref()), m_map, c.as_object());
                if !sub.is_empty() {
                    let mut entry = sub;
                    if let Some(kv) = kv {
                        entry.insert(key.to_string(), kv.clone());
                    }
                    items.push(Json::Object(entry));
                }
            }
        }
    }
    for o in original {
        let kv = o.get(key);
        if find(modified, kv).is_none() {
            let mut entry = Map::new();
            if let Some(kv) = kv {
                entry.insert(key.to_string(), kv.clone());
            }
            entry.insert("$patch".into(), Json::String("delete".into()));
            items.push(Json::Object(entry));
        }
    }
    if items.is_empty() {
        return;
    }
    let order: Vec<Json> = modified
        .iter()
        .filter_map(|m| m.get(key))
        .map(|kv| {
            let mut e = Map::new();
            e.insert(key.to_string(), kv.clone());
            Json::Object(e)
        })
        .collect();
    patch.insert(format!("$setElementOrder/{field}"), Json::Array(order));
    patch.insert(field.to_string(), Json::Array(items));
}

/// A JSON merge patch from `original` to `modified` (RFC 7386; lists are
/// atomic). With `current`, changes are taken against the live object and
/// deletions against the original (`--take-ownership` with client-side apply).
pub fn merge_patch(
    original: Option<&Map<String, Json>>,
    modified: &Map<String, Json>,
    current: Option<&Map<String, Json>>,
) -> Map<String, Json> {
    let base = current.or(original);
    let mut patch = Map::new();
    for (k, mv) in modified {
        let bv = base.and_then(|b| b.get(k));
        match (mv, bv) {
            (Json::Object(m), Some(Json::Object(b))) => {
                let o = original.and_then(|o| o.get(k)).and_then(Json::as_object);
                let sub = if current.is_some() {
                    merge_patch(o, m, Some(b))
                } else {
                    merge_patch(Some(b), m, None)
                };
                if !sub.is_empty() {
                    patch.insert(k.clone(), Json::Object(sub));
                }
            }
            _ => {
                if bv != Some(mv) {
                    patch.insert(k.clone(), mv.clone());
                }
            }
        }
    }
    if let Some(o) = original {
        for k in o.keys() {
            if !modified.contains_key(k) {
                patch.insert(k.clone(), Json::Null);
            }
        }
    }
    patch
}

/// What a client-side update sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientSideUpdate {
    /// Nothing differed: no PATCH was sent.
    Unchanged,
    Patched,
}

impl KubeCluster {
    fn api_error(&self, method: &str, path: &str, e: kube::Error) -> ClusterError {
        match e {
            e @ kube::Error::Api(_) => ClusterError::from_kube(e),
            e => ClusterError::Other(super::client::go_request_error(
                method,
                &format!("{}{path}", self.server),
                &e,
            )),
        }
    }

    /// One raw request whose answer is a JSON object.
    pub(crate) fn raw_request(
        &self,
        method: http::Method,
        path_and_query: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Result<Json, ClusterError> {
        let go_method = match method.as_str() {
            "POST" => "Post",
            "PATCH" => "Patch",
            "PUT" => "Put",
            "DELETE" => "Delete",
            _ => "Get",
        };
        let req = http::Request::builder()
            .method(method)
            .uri(path_and_query)
            .header(http::header::CONTENT_TYPE, content_type)
            .header(http::header::ACCEPT, "application/json")
            .body(body)
            .map_err(|e| ClusterError::Other(e.to_string()))?;
        let client = self.client();
        self.block_on(client.request::<Json>(req))
            .map_err(|e| self.api_error(go_method, path_and_query, e))
    }

    /// The object with its namespace set, as helm sends it.
    fn body_with_namespace(&self, r: &Resource, release_ns: &str) -> Result<Json, ClusterError> {
        let m = self.mapping(&r.api_version, &r.kind)?;
        let mut body = r.body.clone();
        if m.namespaced {
            let ns = r
                .namespace
                .clone()
                .unwrap_or_else(|| release_ns.to_string());
            if let Some(meta) = body.get_mut("metadata").and_then(Json::as_object_mut) {
                meta.insert("namespace".into(), Json::String(ns));
            }
        }
        Ok(body)
    }

    /// helm's client-side create: `POST` of the whole object under the
    /// `helm` field manager.
    pub fn create_client_side(&self, r: &Resource, release_ns: &str) -> Result<(), ClusterError> {
        let (path, _) = self.object_path(r, release_ns)?;
        let collection = path
            .rsplit_once('/')
            .map(|(c, _)| c.to_string())
            .unwrap_or(path);
        let body = self.body_with_namespace(r, release_ns)?;
        let bytes = serde_json::to_vec(&body).map_err(|e| ClusterError::Other(e.to_string()))?;
        self.raw_request(
            http::Method::POST,
            &format!("{collection}?fieldManager={FIELD_MANAGER}"),
            "application/json",
            bytes,
        )
        .map(|_| ())
    }

    /// helm's client-side update: a three-way patch from `original` (the
    /// previous release's object) to `r`, against `live`. Sends nothing when
    /// there is no difference.
    pub fn patch_client_side(
        &self,
        original: Option<&Json>,
        r: &Resource,
        live: &Json,
        release_ns: &str,
        three_way_unstructured: bool,
    ) -> Result<ClientSideUpdate, ClusterError> {
        let (path, _) = self.object_path(r, release_ns)?;
        let body = self.body_with_namespace(r, release_ns)?;
        let empty = Map::new();
        let modified = body.as_object().unwrap_or(&empty);
        let original = original.and_then(Json::as_object);
        let current = live.as_object();
        let (patch, content_type) = if is_typed(&r.api_version) {
            (
                strategic_patch(original, modified, current),
                "application/strategic-merge-patch+json",
            )
        } else if three_way_unstructured {
            (
                merge_patch(original, modified, current),
                "application/merge-patch+json",
            )
        } else {
            (
                merge_patch(original, modified, None),
                "application/merge-patch+json",
            )
        };
        if patch.is_empty() {
            return Ok(ClientSideUpdate::Unchanged);
        }
        let bytes = serde_json::to_vec(&Json::Object(patch))
            .map_err(|e| ClusterError::Other(e.to_string()))?;
        self.raw_request(
            http::Method::PATCH,
            &format!("{path}?fieldManager={FIELD_MANAGER}"),
            content_type,
            bytes,
        )
        .map(|_| ClientSideUpdate::Patched)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Json) -> Map<String, Json> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn changed_scalar_only() {
        let orig = obj(json!({"spec": {"replicas": 1, "x": "a"}}));
        let modi = obj(json!({"spec": {"replicas": 2, "x": "a"}}));
        let cur = obj(json!({"spec": {"replicas": 1, "x": "a", "defaulted": 5}, "status": {}}));
        let p = strategic_patch(Some(&orig), &modi, Some(&cur));
        assert_eq!(Json::Object(p), json!({"spec": {"replicas": 2}}));
    }

    #[test]
    fn removed_field_and_container() {
        let orig = obj(json!({"data": {"a": "1", "b": "2"},
            "spec": {"containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "y"}]}}));
        let modi =
            obj(json!({"data": {"a": "1"}, "spec": {"containers": [{"name": "a", "image": "z"}]}}));
        let cur = orig.clone();
        let p = strategic_patch(Some(&orig), &modi, Some(&cur));
        assert_eq!(
            Json::Object(p),
            json!({"data": {"b": null}, "spec": {
                "$setElementOrder/containers": [{"name": "a"}],
                "containers": [{"name": "a", "image": "z"}, {"name": "b", "$patch": "delete"}]}})
        );
    }

    #[test]
    fn no_change_is_empty_and_atomic_lists_replace() {
        let o = obj(json!({"rules": [{"verbs": ["get"]}], "m": {"k": "v"}}));
        assert!(strategic_patch(Some(&o), &o, Some(&o)).is_empty());
        let m = obj(json!({"rules": [{"verbs": ["list"]}], "m": {"k": "v"}}));
        assert_eq!(
            Json::Object(strategic_patch(Some(&o), &m, Some(&o))),
            json!({"rules": [{"verbs": ["list"]}]})
        );
    }

    #[test]
    fn merge_patch_two_way() {
        let o = obj(json!({"spec": {"a": 1, "b": [1, 2]}, "x": 1}));
        let m = obj(json!({"spec": {"a": 1, "b": [1]}}));
        assert_eq!(
            Json::Object(merge_patch(Some(&o), &m, None)),
            json!({"spec": {"b": [1]}, "x": null})
        );
        assert!(is_typed("apps/v1") && is_typed("v1") && !is_typed("example.com/v1"));
    }
}
