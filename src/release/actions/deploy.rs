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

fn key(ctx: &Context<'_>, r: &Resource) -> Result<ObjectKey, ClusterError> {
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

/// The identity of an object on the cluster: group, kind, namespace, name.
pub type ObjectKey = (String, String, String, String);

/// Helm's "exists and cannot be imported" check for the objects in `target`
/// that are not in `current` (all of them for an install). Returns the keys
/// of the checked objects that already exist (helm's `toBeAdopted`).
pub fn check_ownership_all(
    ctx: &Context<'_>,
    release: &str,
    target: &[Resource],
    current: &[Resource],
    verb: &str,
    take_ownership: bool,
) -> Result<HashSet<ObjectKey>, ActionError> {
    let mut known = HashSet::new();
    for r in current {
        known.insert(key(ctx, r)?);
    }
    let mut existing = HashSet::new();
    for r in target {
        let k = key(ctx, r)?;
        if known.contains(&k) {
            continue;
        }
        let Some(live) = ctx.cluster.get_object(r, &ctx.namespace)? else {
            continue;
        };
        existing.insert(k);
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
    Ok(existing)
}

/// How objects reach the cluster: helm's `--server-side` decision and what
/// its client-side three-way patches compare against.
pub struct ApplyPlan<'a> {
    /// Server-side apply (`ssa`) or client-side create/patch (`csa`).
    pub server_side: bool,
    /// The previous revision's objects: the "original" of client-side patches.
    pub originals: &'a [Resource],
    /// Install: only these objects exist already (adoption); every other
    /// object is created without looking first.
    pub install_existing: Option<&'a HashSet<ObjectKey>>,
    /// Fold client-side ownership by `helm` into its server-side entry first
    /// (the previous revision was applied client-side, or objects are adopted).
    pub upgrade_client_side_ownership: bool,
    /// `--take-ownership` with client-side apply: unstructured objects get a
    /// three-way JSON merge patch.
    pub three_way_unstructured: bool,
}

/// helm's `Kind=` wording of an object in apply errors: `ns/name gv, Kind=K`.
pub(super) fn object_words(ctx: &Context<'_>, r: &Resource) -> String {
    let ns = ctx
        .cluster
        .effective_namespace(r, &ctx.namespace)
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
    format!("{obj} {gv}, Kind={}", r.kind)
}

fn apply_server_side(
    ctx: &Context<'_>,
    r: &Resource,
    opts: &DeployOptions,
    plan: &ApplyPlan<'_>,
    exists: Option<bool>,
) -> Result<(), ActionError> {
    if plan.upgrade_client_side_ownership && exists != Some(false) {
        ctx.cluster
            .upgrade_client_side_ownership(r, &ctx.namespace)?;
    }
    ctx.cluster
        .apply(r, &ctx.namespace, opts.force_conflicts)
        .map_err(|e| {
            let what = if e.is_conflict() {
                "conflict occurred while applying object"
            } else {
                "server-side apply failed for object"
            };
            ActionError::msg(format!("{what} {}: {e}", object_words(ctx, r)))
        })
}

fn apply_client_side(
    ctx: &Context<'_>,
    r: &Resource,
    plan: &ApplyPlan<'_>,
    known_live: Option<bool>,
) -> Result<(), ActionError> {
    let live = match known_live {
        Some(false) => None,
        _ => ctx.cluster.get_object(r, &ctx.namespace)?,
    };
    let Some(live) = live else {
        return ctx
            .cluster
            .create_client_side(r, &ctx.namespace)
            .map_err(|e| match known_live {
                Some(false) => ActionError::from(e),
                _ => ActionError::msg(format!("failed to create resource: {e}")),
            });
    };
    let k = key(ctx, r)?;
    let mut original = None;
    for o in plan.originals {
        if key(ctx, o)? == k {
            // helm's original is the stored manifest's object with its
            // namespace set (no ownership metadata).
            let mut body = o.body.clone();
            let ns = ctx.cluster.effective_namespace(o, &ctx.namespace)?;
            if !ns.is_empty() {
                if let Some(meta) = body
                    .get_mut("metadata")
                    .and_then(serde_json::Value::as_object_mut)
                {
                    meta.insert("namespace".into(), serde_json::Value::String(ns));
                }
            }
            original = Some(body);
            break;
        }
    }
    let original = match (original, plan.install_existing) {
        (Some(o), _) => o,
        // Adopted at install: helm's original is the new object itself.
        (None, Some(_)) => r.body.clone(),
        // Exists but not in the previous revision: the live state is the baseline.
        (None, None) => live.clone(),
    };
    ctx.cluster
        .patch_client_side(
            Some(&original),
            r,
            &live,
            &ctx.namespace,
            plan.three_way_unstructured,
        )
        .map(|_| ())
        .map_err(|e| {
            ActionError::msg(format!(
                "cannot patch {:?} with kind {}: {e}",
                r.name, r.kind
            ))
        })
}

/// helm's checks of the client update options (upgrade, rollback, install
/// adopting objects), in its order.
pub fn check_update_options(opts: &DeployOptions, plan: &ApplyPlan<'_>) -> Result<(), ActionError> {
    if !plan.server_side && opts.force_conflicts {
        return Err(ActionError::msg(
            "invalid client update option(s): forceConflicts enabled when serverSideApply disabled",
        ));
    }
    if plan.three_way_unstructured && plan.server_side {
        return Err(ActionError::msg("invalid operation: cannot use three-way merge for unstructured and server-side apply together"));
    }
    if opts.force_conflicts && opts.force_replace {
        return Err(ActionError::msg(
            "invalid operation: cannot use force conflicts and force replace together",
        ));
    }
    if plan.server_side && opts.force_replace {
        return Err(ActionError::msg(
            "invalid operation: cannot use server-side apply and force replace together",
        ));
    }
    Ok(())
}

/// Applies every object (already in install order) with ownership metadata.
pub fn apply_all(
    ctx: &Context<'_>,
    release: &str,
    target: &[Resource],
    opts: &DeployOptions,
    plan: &ApplyPlan<'_>,
) -> Result<(), ActionError> {
    let creating_only = plan
        .install_existing
        .map(|set| set.is_empty())
        .unwrap_or(false);
    if !creating_only {
        check_update_options(opts, plan)?;
    }
    for r in target {
        let mut r = r.clone();
        set_ownership(&mut r.body, release, &ctx.namespace);
        // At install, whether the object exists is known from the ownership check.
        let exists = match plan.install_existing {
            Some(set) => Some(set.contains(&key(ctx, &r)?)),
            None => None,
        };
        if opts.force_replace && exists != Some(false) {
            ctx.cluster.replace_object(&r, &ctx.namespace)?;
        } else if plan.server_side {
            apply_server_side(ctx, &r, opts, plan, exists)?;
        } else {
            apply_client_side(ctx, &r, plan, exists)?;
        }
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
    let waited = if opts.wait == super::WaitStrategy::Legacy {
        ctx.cluster
            .wait_ready_polling(target, &ctx.namespace, opts.timeout, opts.wait_for_jobs)
    } else {
        ctx.cluster
            .wait_ready(target, &ctx.namespace, opts.timeout, opts.wait_for_jobs)
    };
    waited.map_err(ActionError::Cluster)
}
