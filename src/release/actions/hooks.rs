//! Running a release's hooks for one event: in weight order, each deleted
//! first (`before-hook-creation`, the default policy), applied, waited for
//! when it is a Job or Pod, then deleted per `hook-succeeded`/`hook-failed`.

use std::time::{Duration, Instant};

use serde_json::Value as Json;

use crate::cluster::resource::parse_manifest;
use crate::release::model::{Hook, Release};
use crate::release::time::Timestamp;

use super::{ActionError, Context};

enum Outcome {
    Succeeded,
    Failed(String),
}

/// Whether a hook object finished, kstatus-style; failures carry helm's
/// `resource Kind/ns/name not ready. status: Failed, message: ...` text.
fn job_or_pod_outcome(kind: &str, live: &Json, namespace: &str) -> Option<Outcome> {
    // Only Jobs and Pods are waited for; any other hook is done once created.
    if !matches!(kind, "Job" | "Pod") {
        return Some(Outcome::Succeeded);
    }
    let status = live.get("status")?;
    let name = live
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Json::as_str)
        .unwrap_or("");
    let failed = |message: String| {
        Outcome::Failed(format!(
            "resource {kind}/{namespace}/{name} not ready. status: Failed, message: {message}"
        ))
    };
    match kind {
        "Job" => {
            let conds = status.get("conditions")?.as_array()?;
            for c in conds {
                let t = c.get("type").and_then(Json::as_str).unwrap_or("");
                let s = c.get("status").and_then(Json::as_str).unwrap_or("");
                if s != "True" {
                    continue;
                }
                if t == "Complete" {
                    return Some(Outcome::Succeeded);
                }
                if t == "Failed" {
                    let n = status.get("failed").and_then(Json::as_i64).unwrap_or(0);
                    let completions = live
                        .get("spec")
                        .and_then(|s| s.get("completions"))
                        .and_then(Json::as_i64)
                        .unwrap_or(1);
                    return Some(failed(format!("Job Failed. failed: {n}/{completions}")));
                }
            }
            None
        }
        "Pod" => match status.get("phase").and_then(Json::as_str)? {
            "Succeeded" => Some(Outcome::Succeeded),
            "Failed" => Some(failed(format!("pod {name} failed"))),
            _ => None,
        },
        _ => Some(Outcome::Succeeded),
    }
}

fn policies(h: &Hook) -> Vec<String> {
    if h.delete_policies.is_empty() {
        vec!["before-hook-creation".to_string()]
    } else {
        h.delete_policies.clone()
    }
}

fn run_one(
    ctx: &Context<'_>,
    h: &mut Hook,
    event: &str,
    timeout: Duration,
    server_side: bool,
) -> Result<(), ActionError> {
    let resources = parse_manifest(&h.manifest)?;
    let pols = policies(h);
    if pols.iter().any(|p| p == "before-hook-creation") {
        let deadline = Instant::now() + timeout;
        for r in &resources {
            if !ctx.cluster.delete_object(r, &ctx.namespace)? {
                continue;
            }
            // Deletion is graceful on a real cluster: wait until the old
            // object is gone, or the new one would be applied onto it.
            while ctx.cluster.get_object(r, &ctx.namespace)?.is_some() {
                if Instant::now() >= deadline {
                    let ns = r.namespace.clone().unwrap_or_else(|| ctx.namespace.clone());
                    return Err(ActionError::msg(format!(
                        "resource {}/{ns}/{} still exists\ncontext deadline exceeded",
                        r.kind, r.name
                    )));
                }
                ctx.cluster.sleep(Duration::from_millis(200));
            }
        }
    }
    h.last_run.started_at = Some(Timestamp::now().rfc3339_nano());
    h.last_run.completed_at = None;
    h.last_run.phase = "Running".into();
    // Hooks are created the way the release applies: server-side apply
    // (never forcing conflicts: helm's hook Create passes force=false, even
    // with --force-conflicts), or a plain create for a client-side (`csa`)
    // revision. A failure ends the hook as failed, its policies not applied.
    for r in &resources {
        let created = if server_side {
            ctx.cluster.apply(r, &ctx.namespace, false).map_err(|e| {
                let what = if e.is_conflict() {
                    "conflict occurred while applying object"
                } else {
                    "server-side apply failed for object"
                };
                format!("{what} {}: {e}", super::deploy::object_words(ctx, r))
            })
        } else {
            ctx.cluster
                .create_client_side(r, &ctx.namespace)
                .map_err(|e| e.to_string())
        };
        if let Err(e) = created {
            h.last_run.completed_at = Some(Timestamp::now().rfc3339_nano());
            h.last_run.phase = "Failed".into();
            return Err(ActionError::msg(format!(
                "warning: Hook {event} {} failed: {e}",
                h.path
            )));
        }
    }
    let deadline = Instant::now() + timeout;
    let mut outcome = Outcome::Succeeded;
    for r in &resources {
        loop {
            let live = ctx.cluster.get_object(r, &ctx.namespace)?;
            let ns = r.namespace.clone().unwrap_or_else(|| ctx.namespace.clone());
            if let Some(o) = live
                .as_ref()
                .and_then(|l| job_or_pod_outcome(&r.kind, l, &ns))
            {
                if let Outcome::Failed(_) = o {
                    outcome = o;
                }
                break;
            }
            if Instant::now() >= deadline {
                let ns = r.namespace.clone().unwrap_or_else(|| ctx.namespace.clone());
                outcome = Outcome::Failed(format!(
                    "resource {}/{ns}/{} not ready. status: InProgress, message: {} in progress\ncontext deadline exceeded",
                    r.kind, r.name, r.kind
                ));
                break;
            }
            ctx.cluster.sleep(Duration::from_millis(300));
        }
        if matches!(outcome, Outcome::Failed(_)) {
            break;
        }
    }
    h.last_run.completed_at = Some(Timestamp::now().rfc3339_nano());
    let (phase, err, delete_on) = match outcome {
        Outcome::Succeeded => ("Succeeded", None, "hook-succeeded"),
        Outcome::Failed(e) => ("Failed", Some(e), "hook-failed"),
    };
    h.last_run.phase = phase.into();
    if pols.iter().any(|p| p == delete_on) {
        for r in &resources {
            ctx.cluster.delete_object(r, &ctx.namespace)?;
        }
    }
    match err {
        None => Ok(()),
        Some(e) => Err(ActionError::msg(e)),
    }
}

/// Runs the hooks of `event` (e.g. `pre-install`) and records their last run
/// in `release.hooks`. The error text is helm's `failed <event>: ...`.
pub fn run_hooks(
    ctx: &Context<'_>,
    release: &mut Release,
    event: &str,
    timeout: Duration,
) -> Result<(), ActionError> {
    run_hooks_where(ctx, release, event, timeout, &|_| true)
}

/// [`run_hooks`] for the hooks `select` accepts (`helm test --filter`).
pub fn run_hooks_where(
    ctx: &Context<'_>,
    release: &mut Release,
    event: &str,
    timeout: Duration,
    select: &dyn Fn(&Hook) -> bool,
) -> Result<(), ActionError> {
    let mut order: Vec<usize> = (0..release.hooks.len())
        .filter(|&i| release.hooks[i].events.iter().any(|e| e == event))
        .filter(|&i| select(&release.hooks[i]))
        .collect();
    order.sort_by(|&a, &b| {
        let (ha, hb) = (&release.hooks[a], &release.hooks[b]);
        ha.weight
            .cmp(&hb.weight)
            .then_with(|| ha.name.cmp(&hb.name))
    });
    // helm runs delete hooks server-side whatever the release recorded.
    let server_side = release.apply_method != "csa" || event.ends_with("-delete");
    for i in order {
        if let Err(e) = run_one(ctx, &mut release.hooks[i], event, timeout, server_side) {
            // Each action words a hook failure its own way; rollback,
            // uninstall and `helm test` report it as it is.
            return Err(match event {
                "pre-install" | "post-install" => ActionError::msg(format!("failed {event}: {e}")),
                "pre-upgrade" | "post-upgrade" => {
                    ActionError::msg(format!("{event} hooks failed: {e}"))
                }
                _ => e,
            });
        }
    }
    Ok(())
}
