//! `helm rollback`: a new revision that carries an older revision's chart,
//! values and manifest; objects the current revision has and the target does
//! not are deleted.

use crate::release::model::{Info, Release};
use crate::release::status::Status;
use crate::release::time::Timestamp;

use super::deploy::{apply_all, delete_dropped, resources, wait, ApplyPlan};
use super::hooks::run_hooks;
use super::install::apply_method;
use super::{ActionError, Context, DeployOptions};

/// Rolls `name` back to `version` (0: the one before the newest).
pub fn rollback(
    ctx: &Context<'_>,
    name: &str,
    version: i64,
    opts: &DeployOptions,
) -> Result<Release, ActionError> {
    if version < 0 {
        return Err(ActionError::msg("invalid release revision"));
    }
    let current = ctx.storage.last(name)?;
    let previous_version = if version == 0 {
        current.version - 1
    } else {
        version
    };
    let history = ctx.storage.history(name)?;
    if !history.iter().any(|r| r.version == previous_version) {
        return Err(ActionError::msg(format!(
            "release has no {previous_version} version"
        )));
    }
    let previous = ctx.storage.get(name, previous_version)?;
    // `--server-side=auto`: the method the revision rolled back to recorded.
    let server_side = opts.server_side.unwrap_or(previous.apply_method == "ssa");

    let now = Timestamp::now().rfc3339_nano();
    let mut target = Release {
        name: name.to_string(),
        namespace: current.namespace.clone(),
        chart: previous.chart.clone(),
        config: previous.config.clone(),
        manifest: previous.manifest.clone(),
        hooks: previous.hooks.clone(),
        version: current.version + 1,
        apply_method: apply_method(server_side).into(),
        labels: previous.labels.clone(),
        info: Some(Info {
            first_deployed: current.info.as_ref().and_then(|i| i.first_deployed.clone()),
            last_deployed: Some(now),
            status: Status::PendingRollback,
            notes: previous
                .info
                .as_ref()
                .map(|i| i.notes.clone())
                .unwrap_or_default(),
            description: opts
                .description
                .clone()
                .unwrap_or_else(|| format!("Rollback to {previous_version}")),
            rollback_revision: previous_version,
            ..Default::default()
        }),
        extra: Default::default(),
    };
    // `--dry-run`: the new revision is prepared, nothing is stored or applied.
    if opts.dry_run != super::DryRun::None {
        return Ok(target);
    }
    ctx.storage.create(&target)?;

    let current_objects = resources(&current.manifest)?;
    let target_objects = resources(&target.manifest)?;
    // A failed pre-rollback hook leaves the new revision `pending-rollback`,
    // as helm does.
    if !opts.no_hooks {
        run_hooks(ctx, &mut target, "pre-rollback", opts.timeout)?;
    }
    let plan = ApplyPlan {
        server_side,
        originals: &current_objects,
        install_existing: None,
        upgrade_client_side_ownership: true,
        three_way_unstructured: false,
    };
    let applied = apply_all(ctx, name, &target_objects, opts, &plan)
        .and_then(|()| delete_dropped(ctx, &current_objects, &target_objects));
    if let Err(e) = applied {
        let msg = format!("Rollback {name:?} failed: {e}");
        eprintln!(
            "{}",
            crate::log::Record::new(crate::log::Level::Warn, msg.clone())
        );
        let mut cur = current.clone();
        cur.info_mut().status = Status::Superseded;
        let info = target.info_mut();
        info.status = Status::Failed;
        info.description = msg;
        ctx.record(&cur);
        ctx.record(&target);
        return Err(e);
    }
    if let Err(e) = wait(ctx, &target_objects, opts) {
        let info = target.info_mut();
        info.status = Status::Failed;
        info.description = format!("Release {name:?} failed: {e}");
        ctx.record(&current);
        ctx.record(&target);
        return Err(ActionError::msg(format!("release {name} failed: {e}")));
    }
    // A failed post-rollback hook also leaves the revision pending.
    if !opts.no_hooks {
        run_hooks(ctx, &mut target, "post-rollback", opts.timeout)?;
    }

    // Every other deployed revision is superseded now.
    for mut r in ctx.storage.history(name)? {
        if r.version != target.version && r.status() == Status::Deployed {
            r.info_mut().status = Status::Superseded;
            ctx.record(&r);
        }
    }
    target.info_mut().status = Status::Deployed;
    ctx.record(&target);
    Ok(target)
}
