//! `helm uninstall`: mark `uninstalling`, pre-delete hooks, delete the
//! objects in reverse install order, post-delete hooks, then either delete
//! every revision or keep the history with the last one `uninstalled`.

use std::time::Duration;

use crate::release::model::Release;
use crate::release::status::Status;
use crate::release::storage::StorageError;
use crate::release::time::Timestamp;

use super::deploy::{delete_all, resources};
use super::hooks::run_hooks;
use super::{ActionError, Context};

#[derive(Debug, Clone)]
pub struct UninstallOptions {
    pub keep_history: bool,
    pub no_hooks: bool,
    pub timeout: Duration,
    pub description: Option<String>,
    /// `--cascade`: `background` (default), `foreground` or `orphan`.
    pub cascade: String,
    /// `--wait`: wait until the deleted objects are gone.
    pub wait: bool,
}

impl Default for UninstallOptions {
    fn default() -> Self {
        UninstallOptions {
            keep_history: false,
            no_hooks: false,
            timeout: Duration::from_secs(300),
            description: None,
            cascade: "background".to_string(),
            wait: false,
        }
    }
}

/// What an uninstall did.
pub struct UninstallOutcome {
    pub release: Release,
    /// Objects left in place by `helm.sh/resource-policy: keep`, as `Kind/name` lines.
    pub kept: Vec<String>,
}

/// Polls until every deleted object is gone (finalizers done) or the timeout passes.
fn wait_deleted(
    ctx: &Context<'_>,
    deleted: &[crate::cluster::Resource],
    kept: &[crate::cluster::Resource],
    timeout: Duration,
) -> Result<(), ActionError> {
    let deadline = std::time::Instant::now() + timeout;
    let kept: Vec<(String, String)> = kept
        .iter()
        .map(|r| (r.kind.clone(), r.name.clone()))
        .collect();
    for r in deleted {
        if kept.contains(&(r.kind.clone(), r.name.clone())) {
            continue;
        }
        while ctx.cluster.get_object(r, &ctx.namespace)?.is_some() {
            if std::time::Instant::now() >= deadline {
                return Err(ActionError::msg(format!(
                    "resource {}/{}/{} still exists\ncontext deadline exceeded",
                    r.kind,
                    r.namespace.clone().unwrap_or_else(|| ctx.namespace.clone()),
                    r.name
                )));
            }
            ctx.cluster.sleep(Duration::from_millis(300));
        }
    }
    Ok(())
}

pub fn uninstall(
    ctx: &Context<'_>,
    name: &str,
    opts: &UninstallOptions,
) -> Result<UninstallOutcome, ActionError> {
    let history = ctx.storage.history(name).map_err(|e| match e {
        StorageError::NotFound => ActionError::msg(format!(
            "uninstall: Release not loaded: {name}: release: not found"
        )),
        other => other.into(),
    })?;
    let mut release = history
        .iter()
        .max_by_key(|r| r.version)
        .cloned()
        .ok_or(StorageError::NotFound)?;
    if release.status() == Status::Uninstalled {
        if !opts.keep_history {
            for r in &history {
                ctx.storage.delete(name, r.version)?;
            }
            return Ok(UninstallOutcome {
                release,
                kept: Vec::new(),
            });
        }
        return Err(ActionError::msg(format!(
            "the release named {name:?} is already deleted"
        )));
    }

    let now = Timestamp::now().rfc3339_nano();
    {
        let info = release.info_mut();
        info.status = Status::Uninstalling;
        info.deleted = Some(now);
        info.description = "Deletion in progress (or silently failed)".into();
    }
    // As helm: pre-delete hooks run before the `uninstalling` record is
    // stored, and a failure to store it is not fatal.
    if !opts.no_hooks {
        run_hooks(ctx, &mut release, "pre-delete", opts.timeout)?;
    }
    let _ = ctx.storage.update(&release);

    let current = resources(&release.manifest)?;
    let kept = delete_all(ctx, &current, &opts.cascade)
        .map_err(|_| ActionError::msg(format!("failed to delete release: {name}")))?;
    // Later failures are collected; the release is still marked uninstalled.
    let mut errors = Vec::new();
    if opts.wait {
        if let Err(e) = wait_deleted(ctx, &current, &kept, opts.timeout) {
            errors.push(e.to_string());
        }
    }
    if !opts.no_hooks {
        if let Err(e) = run_hooks(ctx, &mut release, "post-delete", opts.timeout) {
            errors.push(e.to_string());
        }
    }

    {
        let info = release.info_mut();
        info.status = Status::Uninstalled;
        info.description = opts
            .description
            .clone()
            .unwrap_or_else(|| "Uninstallation complete".into());
    }
    if opts.keep_history {
        let _ = ctx.storage.update(&release);
    } else {
        for r in &history {
            if let Err(e) = ctx.storage.delete(name, r.version) {
                errors.push(format!("uninstall: Failed to purge the release: {e}"));
                break;
            }
        }
    }
    if !errors.is_empty() {
        return Err(ActionError::msg(format!(
            "uninstallation completed with {} error(s): {}",
            errors.len(),
            errors.join("; ")
        )));
    }
    Ok(UninstallOutcome {
        release,
        kept: kept
            .iter()
            .map(|r| format!("{}/{}", r.kind, r.name))
            .collect(),
    })
}
