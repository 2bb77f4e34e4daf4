//! The live objects of a release as server-side Tables, grouped as helm's
//! `status` shows them (`==> v1/Deployment`, `==> v1/Pod(related)`).

use std::collections::BTreeSet;

use serde_json::Value as Json;

use super::client::{ClusterError, KubeCluster};
use super::resource::Resource;

const TABLE_ACCEPT: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

/// Kinds whose pods helm lists as `(related)`, and where their selector lives.
fn pod_selector(r: &Resource, live: &Json) -> Option<String> {
    let spec = live.get("spec")?;
    let labels = match r.kind.as_str() {
        "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" | "Job" => {
            spec.get("selector")?.get("matchLabels")?.as_object()?
        }
        "ReplicationController" => spec.get("selector")?.as_object()?,
        _ => return None,
    };
    if labels.is_empty() {
        return None;
    }
    let mut pairs: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
        .collect();
    pairs.sort();
    Some(pairs.join(","))
}

fn encode_query(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

impl KubeCluster {
    fn get_table(&self, path: &str) -> Result<Json, ClusterError> {
        let req = http::Request::get(path)
            .header(http::header::ACCEPT, TABLE_ACCEPT)
            .body(Vec::new())
            .map_err(|e| ClusterError::Other(e.to_string()))?;
        self.block_on(self.client().request::<Json>(req))
            .map_err(ClusterError::from_kube)
    }

    pub(crate) fn object_path(
        &self,
        r: &Resource,
        ns: &str,
    ) -> Result<(String, bool), ClusterError> {
        let m = self.mapping(&r.api_version, &r.kind)?;
        let base = if m.resource.group.is_empty() {
            format!("/api/{}", m.resource.version)
        } else {
            format!("/apis/{}/{}", m.resource.group, m.resource.version)
        };
        let path = if m.namespaced {
            let ns = r.namespace.clone().unwrap_or_else(|| ns.to_string());
            format!("{base}/namespaces/{ns}/{}/{}", m.resource.plural, r.name)
        } else {
            format!("{base}/{}/{}", m.resource.plural, r.name)
        };
        Ok((path, m.namespaced))
    }

    /// `(key, tables)` per kind in manifest order, then the related pods.
    /// Objects that no longer exist are left out, as helm does.
    pub fn resource_tables(
        &self,
        resources: &[Resource],
        namespace: &str,
    ) -> Result<Vec<(String, Vec<Json>)>, ClusterError> {
        let mut sections: Vec<(String, Vec<Json>)> = Vec::new();
        let mut pods: Vec<Json> = Vec::new();
        let mut seen_pods = BTreeSet::new();
        for r in resources {
            let (path, _) = self.object_path(r, namespace)?;
            let table = match self.get_table(&path) {
                Ok(t) => t,
                Err(ClusterError::Api { code: 404, .. }) => continue,
                Err(e) => return Err(e),
            };
            let version = r.api_version.rsplit('/').next().unwrap_or(&r.api_version);
            let key = format!("{version}/{}", r.kind);
            match sections.iter_mut().find(|(k, _)| *k == key) {
                Some((_, v)) => v.push(table),
                None => sections.push((key, vec![table])),
            }
            let Some(live) = self.get_object(r, namespace)? else {
                continue;
            };
            let Some(selector) = pod_selector(r, &live) else {
                continue;
            };
            let ns = r.namespace.clone().unwrap_or_else(|| namespace.to_string());
            let mut list = self.get_table(&format!(
                "/api/v1/namespaces/{ns}/pods?labelSelector={}",
                encode_query(&selector)
            ))?;
            if let Some(rows) = list.get_mut("rows").and_then(Json::as_array_mut) {
                rows.retain(|row| {
                    let name = row
                        .get("cells")
                        .and_then(|c| c.get(0))
                        .and_then(Json::as_str)
                        .unwrap_or("")
                        .to_string();
                    seen_pods.insert(name)
                });
                if !rows.is_empty() {
                    pods.push(list);
                }
            }
        }
        if !pods.is_empty() {
            sections.push(("v1/Pod(related)".to_string(), pods));
        }
        Ok(sections)
    }
}

impl KubeCluster {
    fn get_json(&self, path: &str) -> Result<Json, ClusterError> {
        let req = http::Request::get(path)
            .header(http::header::ACCEPT, "application/json")
            .body(Vec::new())
            .map_err(|e| ClusterError::Other(e.to_string()))?;
        self.block_on(self.client().request::<Json>(req))
            .map_err(ClusterError::from_kube)
    }

    /// The live objects as `status -o json` carries them in `info.resources`:
    /// `version/Kind` → objects, plus `v1/Pod(related)` → pod lists.
    pub fn resource_objects(
        &self,
        resources: &[Resource],
        namespace: &str,
    ) -> Result<serde_json::Map<String, Json>, ClusterError> {
        let mut out = serde_json::Map::new();
        let mut grouped: Vec<(String, Vec<Json>)> = Vec::new();
        for r in resources {
            let (path, _) = self.object_path(r, namespace)?;
            let obj = match self.get_json(&path) {
                Ok(o) => o,
                Err(ClusterError::Api { code: 404, .. }) => continue,
                Err(e) => return Err(e),
            };
            let version = r.api_version.rsplit('/').next().unwrap_or(&r.api_version);
            let key = format!("{version}/{}", r.kind);
            let selector = pod_selector(r, &obj);
            match grouped.iter_mut().find(|(k, _)| *k == key) {
                Some((_, v)) => v.push(obj),
                None => grouped.push((key, vec![obj])),
            }
            if let Some(selector) = selector {
                let ns = r.namespace.clone().unwrap_or_else(|| namespace.to_string());
                let mut list = self.get_json(&format!(
                    "/api/v1/namespaces/{ns}/pods?labelSelector={}",
                    encode_query(&selector)
                ))?;
                // client-go's unstructured lists give every item its kind.
                if let Some(items) = list.get_mut("items").and_then(Json::as_array_mut) {
                    for item in items.iter_mut().filter_map(Json::as_object_mut) {
                        item.insert("apiVersion".into(), Json::String("v1".into()));
                        item.insert("kind".into(), Json::String("Pod".into()));
                    }
                }
                let key = "v1/Pod(related)".to_string();
                match grouped.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, v)) => v.push(list),
                    None => grouped.push((key, vec![list])),
                }
            }
        }
        for (k, v) in grouped {
            out.insert(k, Json::Array(v));
        }
        Ok(out)
    }
}

/// kubectl's human-readable printing of server Tables (priority-0 columns,
/// headers only when the columns change, tabwriter with padding 3, min width 6).
pub fn print_tables(sections: &[(String, Vec<Json>)]) -> String {
    let mut out = String::new();
    let mut last_columns: Option<Vec<String>> = None;
    for (key, tables) in sections {
        out.push_str(&format!("==> {key}\n"));
        for table in tables {
            let defs = table
                .get("columnDefinitions")
                .and_then(Json::as_array)
                .cloned()
                .unwrap_or_default();
            let keep: Vec<usize> = defs
                .iter()
                .enumerate()
                .filter(|(_, d)| d.get("priority").and_then(Json::as_i64).unwrap_or(0) == 0)
                .map(|(i, _)| i)
                .collect();
            let columns: Vec<String> = keep
                .iter()
                .map(|&i| {
                    defs[i]
                        .get("name")
                        .and_then(Json::as_str)
                        .unwrap_or("")
                        .to_uppercase()
                })
                .collect();
            let mut lines: Vec<Vec<String>> = Vec::new();
            if last_columns.as_ref() != Some(&columns) {
                lines.push(columns.clone());
                last_columns = Some(columns.clone());
            }
            for row in table
                .get("rows")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
            {
                let cells = row
                    .get("cells")
                    .and_then(Json::as_array)
                    .cloned()
                    .unwrap_or_default();
                lines.push(
                    keep.iter()
                        .map(|&i| match cells.get(i) {
                            Some(Json::String(s)) => s.clone(),
                            Some(Json::Null) | None => "<none>".to_string(),
                            Some(other) => other.to_string(),
                        })
                        .collect(),
                );
            }
            out.push_str(&tabwriter(&lines));
        }
        out.push('\n');
    }
    out
}

fn tabwriter(lines: &[Vec<String>]) -> String {
    let cols = lines.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0usize; cols];
    for line in lines {
        for (i, cell) in line.iter().enumerate() {
            if i + 1 < line.len() {
                widths[i] = widths[i].max((cell.chars().count() + 3).max(6));
            }
        }
    }
    let mut out = String::new();
    for line in lines {
        for (i, cell) in line.iter().enumerate() {
            out.push_str(cell);
            if i + 1 < line.len() {
                out.push_str(&" ".repeat(widths[i] - cell.chars().count()));
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_only_when_columns_change() {
        let t = |cols: &[&str], rows: &[&[&str]]| {
            serde_json::json!({
                "columnDefinitions": cols.iter().map(|c| serde_json::json!({"name": c, "priority": 0})).collect::<Vec<_>>(),
                "rows": rows.iter().map(|r| serde_json::json!({"cells": r})).collect::<Vec<_>>(),
            })
        };
        let sections = vec![
            (
                "v1/ServiceAccount".to_string(),
                vec![t(&["Name", "Age"], &[&["demo", "13m"]])],
            ),
            (
                "v1/Service".to_string(),
                vec![t(&["Name", "Age"], &[&["demo", "13m"]])],
            ),
            (
                "v1/Deployment".to_string(),
                vec![t(&["Name", "Ready", "Age"], &[&["demo", "1/1", "13m"]])],
            ),
        ];
        assert_eq!(
            print_tables(&sections),
            "==> v1/ServiceAccount\nNAME   AGE\ndemo   13m\n\n==> v1/Service\ndemo   13m\n\n==> v1/Deployment\nNAME   READY   AGE\ndemo   1/1     13m\n\n"
        );
    }
}
