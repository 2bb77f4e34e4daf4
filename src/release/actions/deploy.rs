//! Putting a manifest on the cluster: ownership checks before anything is
//! stored, server-side apply in install order, deletion of what an upgrade
//! dropped, and readiness waits.

use std::collections::HashSet;

use crate::cluster::ownership::{check_ownership, set_ownership};
use crate::cluster::resource::{parse_manifest, Resource};
use crate::cluster::ClusterError;

use super::{ActionError, Context, DeployOptions};

/// The annotation that keeps a resource on uninstall/upgrade.
pub const RESOURCE_POLICY_ANNOTATION: &str = "helm.sh/resource-policy";

/// Objects of a manifest; errors are manifest parse errors.
pub fn resources(manifest: &str) -> Result<Vec<Resource>, ActionError> {
    Ok(parse_manifest(manifest)?)
}

fn key(ctx: &Context<'_>, r: &Resource) -> Result<(String, String, String, String), ClusterError> {
    let ns = ctx.cluster.effective_namespace(r, &ctx.namespace)?;
    let group = r.api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
    Ok((group.to_string(), r.kind.clone(), ns, r.name.clone()))
}

/// Maps every object onto an API resource before anything is stored, with
/// helm's "unable to build kubernetes objects from release manifest" errors.
pub fn build_objects(
    ctx: &Context<'_>,
    target: &[Resource],
    opts: &DeployOptions,
) -> Result<(), ActionError> {
    for r in target {
        match ctx.cluster.mapping(&r.api_version, &r.kind) {
            Ok(_) => {}
            Err(ClusterError::NoMatch { served: false, .. })
                if !opts.disable_openapi_validation =>
            {
                return Err(ActionError::msg(
                    "unable to build kubernetes objects from release manifest: error validating \"\": error validating data: the server could not find the requested resource",
                ));
            }
            Err(e @ ClusterError::NoMatch { .. }) => {
                let ns = r.namespace.clone().unwrap_or_default();
                return Err(ActionError::msg(format!(
                    "unable to build kubernetes objects from release manifest: resource mapping not found for name: {:?} namespace: {ns:?} from \"\": {e}\nensure CRDs are installed first",
                    r.name
                )));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Helm's "exists and cannot be imported" check for the objects in `target`
/// that are not in `current` (all of them for an install).
pub fn check_ownership_all(
    ctx: &Context<'_>,
    release: &str,
    target: &[Resource],
    current: &[Resource],
    verb: &str,
    take_ownership: bool,
) -> Result<(), ActionError> {
    let mut known = HashSet::new();
    for r in current {
        known.insert(key(ctx, r)?);
    }
    for r in target {
        if known.contains(&key(ctx, r)?) {
            continue;
        }
        let Some(live) = ctx.cluster.get_object(r, &ctx.namespace)? else {
            continue;
        };
        if take_ownership {
            continue;
        }
        if let Err(why) = check_ownership(&live, release, &ctx.namespace) {
            let ns = ctx.cluster.effective_namespace(r, &ctx.namespace)?;
            return Err(ActionError::msg(format!(
                "unable to continue with {verb}: {} exists and cannot be imported into the current release: {why}",
                r.describe(&ns)
            )));
        }
    }
    Ok(())
}

/// Applies every object (already in install order) with ownership metadata.
pub fn apply_all(
    ctx: &Context<'_>,
    release: &str,
    target: &[Resource],
    opts: &DeployOptions,
) -> Result<(), ActionError> {
    for r in target {
        let mut r = r.clone();
        set_ownership(&mut r.body, release, &ctx.namespace);
        let applied = if opts.force_replace {
            ctx.cluster.replace_object(&r, &ctx.namespace)
        } else {
            ctx.cluster.apply(&r, &ctx.namespace, opts.force_conflicts)
        };
        applied.map_err(|e| {
            let ns = ctx
                .cluster
                .effective_namespace(&r, &ctx.namespace)
                .unwrap_or_default();
            let gv = if r.api_version.contains('/') {
                r.api_version.clone()
            } else {
                format!("/{}", r.api_version)
            };
            let obj = if ns.is_empty() {
                r.name.clone()
            } else {
                format!("{ns}/{}", r.name)
            };
            let what = if e.is_conflict() {
                "conflict occurred while applying object"
            } else {
                "server-side apply failed for object"
            };
            ActionError::msg(format!("{what} {obj} {gv}, Kind={}: {e}", r.kind))
        })?;
    }
    Ok(())
}

fn kept(r: &Resource) -> bool {
    r.body
        .get("metadata")
        .and_then(|m| m.get("annotations"))
        .and_then(|a| a.get(RESOURCE_POLICY_ANNOTATION))
        .and_then(|v| v.as_str())
        .map(|v| v == "keep")
        .unwrap_or(false)
}

/// Deletes the objects of `current` that `target` no longer has (upgrade,
/// rollback), skipping `helm.sh/resource-policy: keep`.
pub fn delete_dropped(
    ctx: &Context<'_>,
    current: &[Resource],
    target: &[Resource],
) -> Result<(), ActionError> {
    let mut wanted = HashSet::new();
    for r in target {
        wanted.insert(key(ctx, r)?);
    }
    for r in current.iter().rev() {
        if kept(r) {
            continue;
        }
        let k = match key(ctx, r) {
            Ok(k) => k,
            // A kind the server no longer knows cannot be deleted; helm skips it too.
            Err(_) => continue,
        };
        if !wanted.contains(&k) {
            ctx.cluster.delete_object(r, &ctx.namespace)?;
        }
    }
    Ok(())
}

/// Deletes every object of a manifest in reverse install order (uninstall).
/// Returns the objects kept by policy, for helm's message.
pub fn delete_all(
    ctx: &Context<'_>,
    current: &[Resource],
    propagation: &str,
) -> Result<Vec<Resource>, ActionError> {
    let mut kept_list = Vec::new();
    let mut errors = Vec::new();
    for r in current.iter().rev() {
        if kept(r) {
            kept_list.push(r.clone());
            continue;
        }
        if let Err(e) = ctx
            .cluster
            .delete_object_with(r, &ctx.namespace, propagation)
        {
            errors.push(e.to_string());
        }
    }
    if !errors.is_empty() {
        return Err(ActionError::msg(errors.join("; ")));
    }
    Ok(kept_list)
}

/// `--wait`: every object ready within the timeout.
pub fn wait(
    ctx: &Context<'_>,
    target: &[Resource],
    opts: &DeployOptions,
) -> Result<(), ActionError> {
    if !opts.wait.waits_for_resources() {
        return Ok(());
    }
    ctx.cluster
        .wait_ready(target, &ctx.namespace, opts.timeout, opts.wait_for_jobs)
        .map_err(ActionError::Cluster)
}
