//! `helm upgrade`: refuse while another operation is pending, pick the values
//! (`--reuse-values`, `--reset-values`, `--reset-then-reuse-values`), record
//! `pending-upgrade`, pre-upgrade hooks, apply, delete what the new manifest
//! dropped, wait, post-upgrade hooks, supersede the old revision.

use crate::chart::Chart;
use crate::release::chart_record::{chart_to_json, json_to_value, value_to_json, StoredChart};
use crate::release::model::{Info, Release};
use crate::release::status::Status;
use crate::release::storage::StorageError;
use crate::release::time::Timestamp;
use crate::value::Value;
use crate::values::coalesce::{coalesce_tables, coalesce_values};

use super::deploy::{
    apply_all, build_objects, check_ownership_all, delete_dropped, resources, wait, ApplyPlan,
};
use super::hooks::run_hooks;
use super::install::apply_method;
use super::install::{render_release, RenderTarget};
use super::rollback::rollback;
use super::{ActionError, Context, DeployOptions, DryRun, DRY_RUN_DESCRIPTION, ERR_PENDING};

#[derive(Debug, Clone, Default)]
pub struct UpgradeOptions {
    pub deploy: DeployOptions,
    pub reuse_values: bool,
    pub reset_values: bool,
    pub reset_then_reuse_values: bool,
    pub cleanup_on_fail: bool,
    pub rollback_on_failure: bool,
    pub skip_schema_validation: bool,
}

fn is_empty_map(v: &Value) -> bool {
    match v {
        Value::Map(m) => m.entries.borrow().is_empty(),
        Value::Nil => true,
        _ => false,
    }
}

/// Helm's `reuseValues`: which user values the new revision stores, and
/// (for `--reuse-values`) the old computed values as the chart defaults.
fn choose_values(
    chart: &mut Chart,
    current: &Release,
    new_values: &Value,
    opts: &UpgradeOptions,
) -> Result<Value, ActionError> {
    let mut warn = |m: String| eprintln!("{m}");
    if opts.reset_values {
        return Ok(new_values.clone());
    }
    let old_config = json_to_value(&current.config);
    let old_config = if matches!(old_config, Value::Map(_)) {
        old_config
    } else {
        Value::empty_map()
    };
    if opts.reuse_values {
        let stored = StoredChart::from_record(current);
        let old_computed = coalesce_values(&stored, &old_config, &mut warn)
            .map_err(|e| ActionError::msg(format!("failed to rebuild old values: {e}")))?;
        let merged = coalesce_tables(&new_values.deep_copy(), &old_config, &mut warn);
        chart.values = old_computed;
        return Ok(merged);
    }
    if opts.reset_then_reuse_values {
        return Ok(coalesce_tables(
            &new_values.deep_copy(),
            &old_config,
            &mut warn,
        ));
    }
    if is_empty_map(new_values) && !is_empty_map(&old_config) {
        return Ok(old_config);
    }
    Ok(new_values.clone())
}

pub fn upgrade(
    ctx: &Context<'_>,
    name: &str,
    chart: &mut Chart,
    user_values: &Value,
    opts: &UpgradeOptions,
) -> Result<Release, ActionError> {
    if opts.deploy.dry_run == DryRun::None && opts.deploy.hide_secret {
        return Err(ActionError::msg(
            "hiding Kubernetes secrets requires a dry-run mode",
        ));
    }
    let no_deployed = || ActionError::msg(format!("{name:?} has no deployed releases"));
    let last = match ctx.storage.last(name) {
        Ok(r) => r,
        Err(StorageError::NotFound) => return Err(no_deployed()),
        Err(e) => return Err(e.into()),
    };
    if last.status().is_pending() {
        return Err(ActionError::msg(ERR_PENDING));
    }
    let current = match ctx.storage.deployed(name) {
        Ok(r) => r,
        Err(StorageError::NotFound)
            if matches!(last.status(), Status::Failed | Status::Superseded) =>
        {
            last.clone()
        }
        Err(StorageError::NotFound) => return Err(no_deployed()),
        Err(e) => return Err(e.into()),
    };

    let values = choose_values(chart, &current, user_values, opts)?;
    // `--server-side=auto`: the method the newest revision recorded.
    let server_side = opts
        .deploy
        .server_side
        .unwrap_or(last.apply_method == "ssa");
    let revision = last.version + 1;
    super::check_user_labels(&opts.deploy.labels)?;
    let chart_json = chart_to_json(chart);
    let rendered = render_release(
        ctx,
        chart,
        &values,
        RenderTarget {
            name,
            revision,
            is_upgrade: true,
            skip_schema_validation: opts.skip_schema_validation,
            offline: opts.deploy.dry_run == DryRun::Client,
            enable_dns: opts.deploy.enable_dns,
            hide_secret: opts.deploy.hide_secret,
            subchart_notes: opts.deploy.subchart_notes,
        },
    )?;
    let current_objects = resources(&current.manifest)?;
    let target_objects = resources(&rendered.manifest)?;
    if opts.deploy.dry_run != DryRun::Client {
        build_objects(ctx, &target_objects, &opts.deploy)?;
        check_ownership_all(
            ctx,
            name,
            &target_objects,
            &current_objects,
            "update",
            opts.deploy.take_ownership,
        )?;
    }

    let mut labels = current.labels.clone();
    for sys in [
        "name",
        "owner",
        "status",
        "version",
        "createdAt",
        "modifiedAt",
    ] {
        labels.remove(sys);
    }
    for (k, v) in &opts.deploy.labels {
        if v == "null" {
            labels.remove(k);
        } else {
            labels.insert(k.clone(), v.clone());
        }
    }
    let mut release = Release {
        name: name.to_string(),
        info: Some(Info {
            first_deployed: current.info.as_ref().and_then(|i| i.first_deployed.clone()),
            last_deployed: Some(Timestamp::now().rfc3339_nano()),
            status: Status::PendingUpgrade,
            description: "Preparing upgrade".into(),
            notes: rendered.notes.clone(),
            ..Default::default()
        }),
        chart: chart_json,
        config: value_to_json(&values),
        manifest: rendered.manifest.clone(),
        hooks: rendered.hooks,
        version: revision,
        namespace: ctx.namespace.clone(),
        apply_method: apply_method(server_side).into(),
        labels,
        extra: Default::default(),
    };
    if opts.deploy.dry_run != DryRun::None {
        release.info_mut().description = DRY_RUN_DESCRIPTION.into();
        return Ok(release);
    }
    ctx.storage.create(&release)?;

    let result = (|| -> Result<(), ActionError> {
        if !opts.deploy.no_hooks {
            run_hooks(ctx, &mut release, "pre-upgrade", opts.deploy.timeout)?;
        }
        // A release last applied client-side (Helm 3, `--server-side=false`)
        // has its fields owned by an Update manager: helm moves them to its
        // server-side entry before applying.
        let plan = ApplyPlan {
            server_side,
            originals: &current_objects,
            install_existing: None,
            upgrade_client_side_ownership: server_side && current.apply_method != "ssa",
            three_way_unstructured: false,
        };
        apply_all(ctx, name, &target_objects, &opts.deploy, &plan)?;
        delete_dropped(ctx, &current_objects, &target_objects)?;
        wait(ctx, &target_objects, &opts.deploy)?;
        if !opts.deploy.no_hooks {
            run_hooks(ctx, &mut release, "post-upgrade", opts.deploy.timeout)?;
        }
        Ok(())
    })();

    match result {
        Ok(()) => {
            let mut cur = current.clone();
            cur.info_mut().status = Status::Superseded;
            ctx.record(&cur);
            let info = release.info_mut();
            info.status = Status::Deployed;
            info.description = opts
                .deploy
                .description
                .clone()
                .unwrap_or_else(|| "Upgrade complete".into());
            ctx.record(&release);
            Ok(release)
        }
        Err(e) => {
            eprintln!(
                "{}",
                crate::log::Record::new(crate::log::Level::Warn, "upgrade failed")
                    .attr("name", name)
                    .attr("error", e.to_string())
            );
            let info = release.info_mut();
            info.status = Status::Failed;
            info.description = format!("Upgrade {name:?} failed: {e}");
            ctx.record(&release);
            if opts.cleanup_on_fail {
                let created: Vec<_> = target_objects.clone();
                let _ = delete_dropped(ctx, &created, &current_objects);
            }
            if opts.rollback_on_failure {
                let to = ctx
                    .storage
                    .history(name)?
                    .into_iter()
                    .filter(|r| matches!(r.status(), Status::Superseded | Status::Deployed))
                    .filter(|r| r.version < release.version)
                    .map(|r| r.version)
                    .max()
                    .unwrap_or(current.version);
                let mut ro = opts.deploy.clone();
                ro.description = None;
                if let Err(re) = rollback(ctx, name, to, &ro) {
                    return Err(ActionError::msg(format!(
                        "an error occurred while rolling back the release. original upgrade error: {e}: {re}"
                    )));
                }
                return Err(ActionError::msg(format!(
                    "release {name} failed, and has been rolled back due to rollback-on-failure being set: {e}"
                )));
            }
            Err(e)
        }
    }
}
