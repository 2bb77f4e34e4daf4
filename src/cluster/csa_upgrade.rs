//! Moving an object's field ownership from client-side apply to server-side
//! apply, as Helm 4 does when a release recorded as `csa` (or made by Helm 3)
//! is next applied server-side (client-go's `csaupgrade`): the `Update`
//! entries of the `helm` manager are folded into its `Apply` entry, so that
//! fields the chart later drops are removed instead of staying owned by the
//! old client-side manager.

use serde_json::{Map, Value as Json};

use super::client::{ClusterError, KubeCluster};
use super::resource::{Resource, FIELD_MANAGER};

/// The union of two FieldsV1 sets (nested objects keyed `f:`/`k:`/`v:`/`.`).
fn union_fields(into: &mut Map<String, Json>, from: &Map<String, Json>) {
    for (k, v) in from {
        match (into.get_mut(k), v) {
            (Some(Json::Object(a)), Json::Object(b)) => union_fields(a, b),
            (None, _) => {
                into.insert(k.clone(), v.clone());
            }
            _ => {}
        }
    }
}

fn entry_is(e: &Json, operation: &str) -> bool {
    let s = |k: &str| e.get(k).and_then(Json::as_str).unwrap_or("");
    s("manager") == FIELD_MANAGER && s("operation") == operation && s("subresource").is_empty()
}

/// The new `managedFields` of `live`, or `None` when there is no client-side
/// entry of the `helm` manager to fold in.
pub fn upgraded_managed_fields(live: &Json) -> Option<Vec<Json>> {
    let entries = live.get("metadata")?.get("managedFields")?.as_array()?;
    let csa: Vec<&Json> = entries.iter().filter(|e| entry_is(e, "Update")).collect();
    if csa.is_empty() {
        return None;
    }
    let mut out: Vec<Json> = Vec::new();
    let mut apply_at = None;
    for e in entries {
        if entry_is(e, "Update") {
            continue;
        }
        if entry_is(e, "Apply") {
            apply_at = Some(out.len());
        }
        out.push(e.clone());
    }
    let idx = match apply_at {
        Some(i) => i,
        None => {
            // Becomes the Apply entry: same manager, fields and time.
            let mut first = csa[0].clone();
            if let Some(m) = first.as_object_mut() {
                m.insert("operation".into(), Json::String("Apply".into()));
                m.insert("fieldsV1".into(), Json::Object(Map::new()));
            }
            out.push(first);
            out.len() - 1
        }
    };
    let mut fields = out[idx]
        .get("fieldsV1")
        .and_then(Json::as_object)
        .cloned()
        .unwrap_or_default();
    for e in &csa {
        if let Some(f) = e.get("fieldsV1").and_then(Json::as_object) {
            union_fields(&mut fields, f);
        }
    }
    if let Some(m) = out[idx].as_object_mut() {
        m.insert("fieldsV1".into(), Json::Object(fields));
        m.insert("fieldsType".into(), Json::String("FieldsV1".into()));
    }
    Some(out)
}

impl KubeCluster {
    /// Reads the live object and, when it still has client-side ownership by
    /// `helm`, sends the JSON patch that moves it to the server-side entry
    /// (guarded by the object's resourceVersion). Returns whether it patched.
    pub fn upgrade_client_side_ownership(
        &self,
        r: &Resource,
        release_ns: &str,
    ) -> Result<bool, ClusterError> {
        let Some(live) = self.get_object(r, release_ns)? else {
            return Ok(false);
        };
        let Some(managed) = upgraded_managed_fields(&live) else {
            return Ok(false);
        };
        let rv = live
            .get("metadata")
            .and_then(|m| m.get("resourceVersion"))
            .cloned()
            .unwrap_or(Json::String(String::new()));
        let patch = serde_json::json!([
            {"op": "replace", "path": "/metadata/managedFields", "value": managed},
            {"op": "replace", "path": "/metadata/resourceVersion", "value": rv},
        ]);
        let (path, _) = self.object_path(r, release_ns)?;
        let bytes = serde_json::to_vec(&patch).map_err(|e| ClusterError::Other(e.to_string()))?;
        self.raw_request(
            http::Method::PATCH,
            &format!("{path}?fieldManager={FIELD_MANAGER}&fieldValidation=Strict"),
            "application/json-patch+json",
            bytes,
        )?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn folds_update_into_apply() {
        let live = json!({"metadata": {"managedFields": [
            {"manager": "helm", "operation": "Update", "apiVersion": "v1", "time": "t",
             "fieldsType": "FieldsV1", "fieldsV1": {"f:data": {"f:a": {}}}},
            {"manager": "kubectl", "operation": "Update", "fieldsV1": {"f:x": {}}},
        ]}});
        let out = upgraded_managed_fields(&live).unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(out[0]["manager"], "kubectl");
        assert_eq!(out[1]["operation"], "Apply");
        assert_eq!(out[1]["fieldsV1"], json!({"f:data": {"f:a": {}}}));
        let merged = json!({"metadata": {"managedFields": [
            {"manager": "helm", "operation": "Apply", "fieldsV1": {"f:data": {"f:b": {}}}},
            {"manager": "helm", "operation": "Update", "fieldsV1": {"f:data": {"f:a": {}}}},
        ]}});
        let out = upgraded_managed_fields(&merged).unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(
            out[0]["fieldsV1"],
            json!({"f:data": {"f:a": {}, "f:b": {}}})
        );
        assert!(
            upgraded_managed_fields(&json!({"metadata": {"managedFields": [out[0].clone()]}}))
                .is_none()
        );
    }
}
