//! Readiness as helm's `--wait` judges it (kstatus-like): generation observed,
//! replicas updated/ready/available, Jobs complete, CRDs established, PVCs bound.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use kube::api::{Api, DynamicObject, WatchEvent, WatchParams};
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

/// kstatus's first check for every workload: the controller has seen the spec.
fn generation_lag(kind: &str, v: &Json) -> Option<String> {
    let g = int(v, &["metadata", "generation"]);
    let og = int(v, &["status", "observedGeneration"]);
    (g != 0 && og < g)
        .then(|| format!("{kind} generation is {g}, but latest observed generation is {og}"))
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
            if let Some(why) = generation_lag(kind, v) {
                return Ok(Some(why));
            }
            // kstatus: replicas created first, then ready.
            let want = replicas();
            let have = int(v, &["status", "replicas"]);
            let ready = int(v, &["status", "readyReplicas"]);
            if have < want {
                Some(format!("Replicas: {have}/{want}"))
            } else {
                pending(ready >= want, &format!("Ready: {ready}/{want}"))
            }
        }
        "DaemonSet" => {
            if let Some(why) = generation_lag(kind, v) {
                return Ok(Some(why));
            }
            let Some(want) = v
                .get("status")
                .and_then(|s| s.get("desiredNumberScheduled"))
                .and_then(Json::as_i64)
            else {
                return Ok(Some("Missing .status.desiredNumberScheduled".to_string()));
            };
            [
                ("Current", "currentNumberScheduled"),
                ("Updated", "updatedNumberScheduled"),
                ("Available", "numberAvailable"),
                ("Ready", "numberReady"),
            ]
            .iter()
            .map(|(label, field)| (label, int(v, &["status", field])))
            .find(|(_, n)| *n < want)
            .map(|(label, n)| format!("{label}: {n}/{want}"))
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
        "PersistentVolumeClaim" => {
            let phase = v
                .get("status")
                .and_then(|s| s.get("phase"))
                .and_then(Json::as_str)
                .unwrap_or("");
            pending(
                phase == "Bound",
                &format!("PVC is not Bound. phase: {phase}"),
            )
        }
        "CustomResourceDefinition" => pending(
            condition(v, "Established")
                .map(|c| c.0 == "True")
                .unwrap_or(false),
            "CRD is not Established",
        ),
        _ => None,
    })
}

/// The kinds whose readiness depends on their status; others are ready as
/// soon as they exist (and were just applied).
fn has_readiness(kind: &str, wait_for_jobs: bool) -> bool {
    matches!(
        kind,
        "Deployment"
            | "StatefulSet"
            | "ReplicaSet"
            | "DaemonSet"
            | "Pod"
            | "PersistentVolumeClaim"
            | "CustomResourceDefinition"
    ) || (kind == "Job" && wait_for_jobs)
}

/// helm's message for the first object still in progress.
fn in_progress(r: &Resource, namespace: &str, why: &str) -> String {
    let ns = r.namespace.clone().unwrap_or_else(|| namespace.to_string());
    format!(
        "resource {}/{}/{} not ready. status: InProgress, message: {why}",
        r.kind, ns, r.name
    )
}

/// Every object (in install order) that is not ready, one helm line each;
/// `None` when all are ready, `Err` for a terminal failure.
fn first_not_ready(
    pending: &[&Resource],
    live: &dyn Fn(usize) -> Option<Json>,
    namespace: &str,
    wait_for_jobs: bool,
) -> Result<Option<String>, ClusterError> {
    let mut lines = Vec::new();
    for (i, r) in pending.iter().enumerate() {
        let reason = match live(i) {
            Some(obj) => {
                not_ready_reason(&r.kind, &obj, wait_for_jobs).map_err(ClusterError::Other)?
            }
            None => Some("Resource not found".to_string()),
        };
        if let Some(why) = reason {
            lines.push(in_progress(r, namespace, &why));
        }
    }
    Ok((!lines.is_empty()).then(|| lines.join("\n")))
}

type EventStream = std::pin::Pin<
    Box<dyn futures_util::Stream<Item = (usize, kube::Result<WatchEvent<DynamicObject>>)>>,
>;

impl KubeCluster {
    /// `--wait` (helm's default `watcher` strategy): one watch per kind and
    /// namespace of the objects that have a readiness rule, until every one
    /// is ready or `timeout` passes. The watches start from resourceVersion
    /// "0", so the current state arrives first as ADDED events.
    pub fn wait_ready(
        &self,
        resources: &[Resource],
        namespace: &str,
        timeout: Duration,
        wait_for_jobs: bool,
    ) -> Result<(), ClusterError> {
        let deadline = Instant::now() + timeout;
        let pending: Vec<&Resource> = resources
            .iter()
            .filter(|r| has_readiness(&r.kind, wait_for_jobs))
            .collect();
        if pending.is_empty() {
            return Ok(());
        }
        // One watch per (resource, namespace); each object knows its group.
        let mut groups: Vec<(Api<DynamicObject>, String)> = Vec::new();
        let mut group_of: Vec<usize> = Vec::new();
        for r in &pending {
            let m = self.mapping(&r.api_version, &r.kind)?;
            let ns = if m.namespaced {
                r.namespace.clone().unwrap_or_else(|| namespace.to_string())
            } else {
                String::new()
            };
            let id = format!("{}/{}/{ns}", m.resource.api_version, m.resource.plural);
            let idx = match groups.iter().position(|(_, g)| *g == id) {
                Some(i) => i,
                None => {
                    let api = if m.namespaced {
                        Api::namespaced_with(self.client(), &ns, &m.resource)
                    } else {
                        Api::all_with(self.client(), &m.resource)
                    };
                    groups.push((api, id));
                    groups.len() - 1
                }
            };
            group_of.push(idx);
        }
        let mut live: Vec<Option<Json>> = vec![None; pending.len()];
        self.block_on(async {
            loop {
                let remaining = deadline.saturating_duration_since(Instant::now());
                let mut streams: Vec<EventStream> = Vec::new();
                for (gi, (api, _)) in groups.iter().enumerate() {
                    let wp = WatchParams {
                        timeout: Some(remaining.as_secs().clamp(1, 290) as u32),
                        bookmarks: true,
                        ..Default::default()
                    };
                    let stream = api.watch(&wp, "0").await.map_err(ClusterError::from_kube)?;
                    streams.push(Box::pin(stream.map(move |e| (gi, e))));
                }
                let mut merged = futures_util::stream::select_all(streams);
                loop {
                    if let Some(why) =
                        first_not_ready(&pending, &|i| live[i].clone(), namespace, wait_for_jobs)?
                    {
                        let next = tokio::time::timeout_at(deadline.into(), merged.next()).await;
                        let Ok(next) = next else {
                            return Err(ClusterError::Other(format!(
                                "{why}\ncontext deadline exceeded"
                            )));
                        };
                        let Some((gi, event)) = next else {
                            break; // every watch ended: start them again
                        };
                        let (obj, present) = match event {
                            Ok(WatchEvent::Added(o)) | Ok(WatchEvent::Modified(o)) => (o, true),
                            Ok(WatchEvent::Deleted(o)) => (o, false),
                            Ok(WatchEvent::Bookmark(_)) => continue,
                            // Expired history or a broken stream: start again.
                            Ok(WatchEvent::Error(_)) | Err(_) => break,
                        };
                        let name = obj.metadata.name.clone().unwrap_or_default();
                        for (i, r) in pending.iter().enumerate() {
                            if group_of[i] == gi && r.name == name {
                                live[i] = if present {
                                    serde_json::to_value(&obj).ok()
                                } else {
                                    None
                                };
                            }
                        }
                    } else {
                        return Ok(());
                    }
                }
                if Instant::now() >= deadline {
                    let why =
                        first_not_ready(&pending, &|i| live[i].clone(), namespace, wait_for_jobs)?
                            .unwrap_or_default();
                    return Err(ClusterError::Other(format!(
                        "{why}\ncontext deadline exceeded"
                    )));
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    }

    /// `--wait=legacy`: helm 3's waiter, a GET of every object every two
    /// seconds; a timeout is reported as just `context deadline exceeded`.
    pub fn wait_ready_polling(
        &self,
        resources: &[Resource],
        namespace: &str,
        timeout: Duration,
        wait_for_jobs: bool,
    ) -> Result<(), ClusterError> {
        let deadline = Instant::now() + timeout;
        let mut pending: Vec<&Resource> = resources
            .iter()
            .filter(|r| has_readiness(&r.kind, wait_for_jobs))
            .collect();
        loop {
            let mut still = Vec::new();
            for r in pending {
                let ready = match self.get_object(r, namespace)? {
                    Some(live) => not_ready_reason(&r.kind, &live, wait_for_jobs)
                        .map_err(ClusterError::Other)?
                        .is_none(),
                    None => false,
                };
                if !ready {
                    still.push(r);
                }
            }
            if still.is_empty() {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(ClusterError::Other("context deadline exceeded".to_string()));
            }
            pending = still;
            let nap = deadline
                .saturating_duration_since(Instant::now())
                .min(Duration::from_secs(2));
            self.sleep(nap);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn why(kind: &str, v: Json) -> Option<String> {
        not_ready_reason(kind, &v, true).unwrap()
    }

    #[test]
    fn kstatus_messages() {
        let ds = json!({"metadata": {"generation": 1}, "status": {"observedGeneration": 1,
            "desiredNumberScheduled": 1, "currentNumberScheduled": 1, "updatedNumberScheduled": 1,
            "numberReady": 0}});
        assert_eq!(why("DaemonSet", ds).as_deref(), Some("Available: 0/1"));
        let ss = json!({"spec": {"replicas": 2}, "status": {"replicas": 1}});
        assert_eq!(why("StatefulSet", ss).as_deref(), Some("Replicas: 1/2"));
        let lag = json!({"metadata": {"generation": 2}, "status": {"observedGeneration": 1}});
        assert_eq!(
            why("StatefulSet", lag).as_deref(),
            Some("StatefulSet generation is 2, but latest observed generation is 1")
        );
        let pvc = json!({"status": {"phase": "Pending"}});
        assert_eq!(
            why("PersistentVolumeClaim", pvc).as_deref(),
            Some("PVC is not Bound. phase: Pending")
        );
        assert_eq!(why("ConfigMap", json!({})), None);
        assert!(not_ready_reason(
            "Job",
            &json!({"status": {"conditions": [{"type": "Failed", "status": "True"}]}}),
            true
        )
        .is_err());
    }
}
