//! Readiness as helm's `--wait` judges it (kstatus-like): generation observed,
//! replicas updated/ready/available, Jobs complete, CRDs established, PVCs bound.

use std::time::{Duration, Instant};

use serde_json::Value as Json;

use super::client::{ClusterError, KubeCluster};
use super::resource::Resource;

fn int(v: &Json, path: &[&str]) -> i64 {
    let mut cur = v;
    for p in path {
        match cur.get(p) {
            Some(n) => cur = n,
            None => return 0,
        }
    }
    cur.as_i64().unwrap_or(0)
}

fn condition(v: &Json, kind: &str) -> Option<(String, String)> {
    v.get("status")?
        .get("conditions")?
        .as_array()?
        .iter()
        .find(|c| c.get("type").and_then(Json::as_str) == Some(kind))
        .map(|c| {
            let s = |k: &str| c.get(k).and_then(Json::as_str).unwrap_or("").to_string();
            (s("status"), s("reason"))
        })
}

fn generation_observed(v: &Json) -> bool {
    let g = int(v, &["metadata", "generation"]);
    g == 0 || int(v, &["status", "observedGeneration"]) >= g
}

/// Whether one live object counts as ready; `Err` for a terminal failure.
pub fn is_ready(kind: &str, v: &Json, wait_for_jobs: bool) -> Result<bool, String> {
    Ok(match kind {
        "Deployment" => {
            let want = v.get("spec").and_then(|s| s.get("replicas")).and_then(Json::as_i64).unwrap_or(1);
            generation_observed(v)
                && int(v, &["status", "updatedReplicas"]) >= want
                && int(v, &["status", "readyReplicas"]) >= want
                && int(v, &["status", "availableReplicas"]) >= want
                && condition(v, "Available").map(|c| c.0 == "True").unwrap_or(want == 0)
        }
        "StatefulSet" | "ReplicaSet" => {
            let want = v.get("spec").and_then(|s| s.get("replicas")).and_then(Json::as_i64).unwrap_or(1);
            generation_observed(v) && int(v, &["status", "readyReplicas"]) >= want
        }
        "DaemonSet" => {
            generation_observed(v)
                && int(v, &["status", "numberReady"]) >= int(v, &["status", "desiredNumberScheduled"])
        }
        "Job" if wait_for_jobs => {
            if condition(v, "Failed").map(|c| c.0 == "True").unwrap_or(false) {
                return Err("job failed".to_string());
            }
            condition(v, "Complete").map(|c| c.0 == "True").unwrap_or(false)
        }
        "Pod" => {
            let phase = v.get("status").and_then(|s| s.get("phase")).and_then(Json::as_str).unwrap_or("");
            phase == "Succeeded" || condition(v, "Ready").map(|c| c.0 == "True").unwrap_or(false)
        }
        "PersistentVolumeClaim" => {
            v.get("status").and_then(|s| s.get("phase")).and_then(Json::as_str) == Some("Bound")
        }
        "CustomResourceDefinition" => {
            condition(v, "Established").map(|c| c.0 == "True").unwrap_or(false)
        }
        _ => true,
    })
}

impl KubeCluster {
    /// Polls the objects until all are ready or `timeout` passes.
    pub fn wait_ready(
        &self,
        resources: &[Resource],
        namespace: &str,
        timeout: Duration,
        wait_for_jobs: bool,
    ) -> Result<(), ClusterError> {
        let deadline = Instant::now() + timeout;
        let mut pending: Vec<&Resource> = resources.iter().collect();
        loop {
            let mut still = Vec::new();
            for r in pending {
                match self.get_object(r, namespace)? {
                    Some(live) => match is_ready(&r.kind, &live, wait_for_jobs) {
                        Ok(true) => {}
                        Ok(false) => still.push(r),
                        Err(e) => return Err(ClusterError::Other(e)),
                    },
                    None => still.push(r),
                }
            }
            if still.is_empty() {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(ClusterError::Other("context deadline exceeded".to_string()));
            }
            pending = still;
            self.block_on(tokio::time::sleep(Duration::from_millis(500)));
        }
    }
}
