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

/// kstatus's message for a Deployment that is still in progress.
fn deployment_progress(v: &Json, want: i64) -> Option<String> {
    let g = int(v, &["metadata", "generation"]);
    let og = int(v, &["status", "observedGeneration"]);
    if g != 0 && og < g {
        return Some(format!(
            "Deployment generation is {g}, but latest observed generation is {og}"
        ));
    }
    let replicas = int(v, &["status", "replicas"]);
    let updated = int(v, &["status", "updatedReplicas"]);
    if replicas < want {
        return Some(format!("Replicas: {replicas}/{want}"));
    }
    if updated < want {
        return Some(format!("Updated: {updated}/{want}"));
    }
    if replicas > updated {
        return Some(format!("Pending termination: {}", replicas - updated));
    }
    for (label, field) in [
        ("Available", "availableReplicas"),
        ("Ready", "readyReplicas"),
    ] {
        let n = int(v, &["status", field]);
        if n < want {
            return Some(format!("{label}: {n}/{want}"));
        }
    }
    if want > 0
        && !condition(v, "Available")
            .map(|c| c.0 == "True")
            .unwrap_or(false)
    {
        return Some("Deployment not Available".to_string());
    }
    None
}

/// Why one live object is not ready yet (`Ok(None)` when it is); `Err` for a
/// terminal failure.
pub fn not_ready_reason(
    kind: &str,
    v: &Json,
    wait_for_jobs: bool,
) -> Result<Option<String>, String> {
    let replicas = || {
        v.get("spec")
            .and_then(|s| s.get("replicas"))
            .and_then(Json::as_i64)
            .unwrap_or(1)
    };
    let pending = |ok: bool, msg: &str| if ok { None } else { Some(msg.to_string()) };
    Ok(match kind {
        "Deployment" => deployment_progress(v, replicas()),
        "StatefulSet" | "ReplicaSet" => {
            let want = replicas();
            let ready = int(v, &["status", "readyReplicas"]);
            pending(
                generation_observed(v) && ready >= want,
                &format!("Ready: {ready}/{want}"),
            )
        }
        "DaemonSet" => {
            let want = int(v, &["status", "desiredNumberScheduled"]);
            let ready = int(v, &["status", "numberReady"]);
            pending(
                generation_observed(v) && ready >= want,
                &format!("Ready: {ready}/{want}"),
            )
        }
        "Job" if wait_for_jobs => {
            if condition(v, "Failed")
                .map(|c| c.0 == "True")
                .unwrap_or(false)
            {
                return Err("job failed".to_string());
            }
            pending(
                condition(v, "Complete")
                    .map(|c| c.0 == "True")
                    .unwrap_or(false),
                "Job in progress",
            )
        }
        "Pod" => {
            let phase = v
                .get("status")
                .and_then(|s| s.get("phase"))
                .and_then(Json::as_str)
                .unwrap_or("");
            pending(
                phase == "Succeeded"
                    || condition(v, "Ready")
                        .map(|c| c.0 == "True")
                        .unwrap_or(false),
                "Pod is not Ready",
            )
        }
        "PersistentVolumeClaim" => pending(
            v.get("status")
                .and_then(|s| s.get("phase"))
                .and_then(Json::as_str)
                == Some("Bound"),
            "PVC is not Bound",
        ),
        "CustomResourceDefinition" => pending(
            condition(v, "Established")
                .map(|c| c.0 == "True")
                .unwrap_or(false),
            "CRD is not Established",
        ),
        _ => None,
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
            let mut first_reason = None;
            for r in pending {
                let reason = match self.get_object(r, namespace)? {
                    Some(live) => not_ready_reason(&r.kind, &live, wait_for_jobs)
                        .map_err(ClusterError::Other)?,
                    None => Some("Resource not found".to_string()),
                };
                if let Some(why) = reason {
                    if first_reason.is_none() {
                        let ns = r.namespace.clone().unwrap_or_else(|| namespace.to_string());
                        first_reason = Some(format!(
                            "resource {}/{}/{} not ready. status: InProgress, message: {why}",
                            r.kind, ns, r.name
                        ));
                    }
                    still.push(r);
                }
            }
            let Some(reason) = first_reason else {
                return Ok(());
            };
            if Instant::now() >= deadline {
                return Err(ClusterError::Other(format!(
                    "{reason}\ncontext deadline exceeded"
                )));
            }
            pending = still;
            self.sleep(Duration::from_millis(500));
        }
    }
}
