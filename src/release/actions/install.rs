//! `helm install`: name check, render, ownership check, record
//! `pending-install`, CRDs, pre-install hooks, apply, wait, post-install
//! hooks, record `deployed` (or `failed`).

use std::collections::BTreeMap;

use crate::chart::Chart;
use crate::log::{Level, Record};
use crate::release::chart_record::{chart_to_json, value_to_json};
use crate::release::model::{Hook, HookExecution, Info, Release};
use crate::release::status::Status;
use crate::release::storage::StorageError;
use crate::release::time::Timestamp;
use crate::render::engine::EngineOptions;
use crate::render::manifest::{source_doc, Hook as RenderedHook};
use crate::render::objects::{Capabilities, KubeVersion, ReleaseOptions};
use crate::render::pipeline::{render_chart, RenderRequest};
use crate::value::Value;

use super::deploy::{
    apply_all, build_objects, check_ownership_all, resources, wait, ApplyPlan, ObjectKey,
};
use super::hooks::run_hooks;
use super::uninstall::{uninstall, UninstallOptions};
use super::{ActionError, Context, DeployOptions, DryRun, DRY_RUN_DESCRIPTION};

/// What a chart rendered into for one revision.
pub struct RenderedRelease {
    pub manifest: String,
    pub hooks: Vec<Hook>,
    pub notes: String,
}

fn hook_record(h: &RenderedHook) -> Hook {
    Hook {
        name: h.name.clone(),
        kind: h.kind.clone(),
        path: h.path.clone(),
        manifest: h.manifest.clone(),
        events: h.events.iter().map(|e| e.as_str().to_string()).collect(),
        last_run: HookExecution::default(),
        weight: h.weight,
        delete_policies: h.delete_policies.clone(),
        output_log_policies: h.output_log_policies.clone(),
        extra: Default::default(),
    }
}

/// Which revision a chart is rendered for.
pub struct RenderTarget<'a> {
    pub name: &'a str,
    pub revision: i64,
    pub is_upgrade: bool,
    pub skip_schema_validation: bool,
    /// `--dry-run=client`: no cluster, default capabilities.
    pub offline: bool,
    /// `--enable-dns`.
    pub enable_dns: bool,
    /// `--hide-secret` (dry runs): v1 Secrets are left out of the manifest.
    pub hide_secret: bool,
    /// `--render-subchart-notes`.
    pub subchart_notes: bool,
}

/// Renders the chart for a revision with the server's Kubernetes version.
pub fn render_release(
    ctx: &Context<'_>,
    chart: &mut Chart,
    values: &Value,
    target: RenderTarget<'_>,
) -> Result<RenderedRelease, ActionError> {
    let RenderTarget {
        name,
        revision,
        is_upgrade,
        skip_schema_validation,
        offline,
        enable_dns,
        hide_secret,
        subchart_notes,
    } = target;
    let kube_version = if offline {
        None
    } else {
        ctx.cluster
            .server_version()
            .ok()
            .and_then(|v| KubeVersion::parse(&v).ok())
    };
    let req = RenderRequest {
        release: ReleaseOptions {
            name: name.to_string(),
            namespace: ctx.namespace.clone(),
            revision,
            is_install: !is_upgrade,
            is_upgrade,
        },
        capabilities: Capabilities::for_template(kube_version, &[]),
        skip_schema_validation,
        // The release record stores the chart's values as loaded.
        consume_chart_values: false,
        engine: {
            let mut engine = EngineOptions::default();
            engine.env.set_local_from_tz(ctx.tz.as_deref());
            engine.env.enable_dns = enable_dns;
            engine
        },
        parsed_ahead: None,
        schemas_ahead: None,
    };
    let debug = ctx.debug;
    let mut log = |r: Record| {
        if debug || r.level != Level::Debug {
            eprintln!("{r}");
        }
    };
    let rendered = render_chart(chart, values, req, &mut log)?;
    let mut manifest = String::new();
    for m in &rendered.manifests {
        if hide_secret && m.head.kind == "Secret" && m.head.api_version == "v1" {
            manifest.push_str(&format!(
                "---\n# Source: {}\n# HIDDEN: The Secret output has been suppressed\n",
                m.name
            ));
        } else {
            manifest.push_str(&source_doc(&m.name, &m.content));
        }
    }
    // helm joins the parent's and (with the flag) the subcharts' notes with
    // a newline between non-empty parts.
    let mut notes = rendered.notes;
    if subchart_notes {
        for sub in rendered.subchart_notes {
            if !notes.is_empty() {
                notes.push('\n');
            }
            notes.push_str(&sub);
        }
    }
    Ok(RenderedRelease {
        manifest,
        hooks: rendered.hooks.iter().map(hook_record).collect(),
        notes,
    })
}

#[derive(Debug, Clone, Default)]
pub struct InstallOptions {
    pub deploy: DeployOptions,
    pub replace: bool,
    pub skip_crds: bool,
    pub create_namespace: bool,
    pub rollback_on_failure: bool,
    pub skip_schema_validation: bool,
}

/// Helm refuses a name in use unless every revision is uninstalled/failed and `--replace`.
fn check_name_available(ctx: &Context<'_>, name: &str, replace: bool) -> Result<(), ActionError> {
    match ctx.storage.history(name) {
        Err(StorageError::NotFound) => Ok(()),
        Err(e) => Err(e.into()),
        Ok(h) => {
            let last = h.iter().max_by_key(|r| r.version);
            let reusable = last
                .map(|r| matches!(r.status(), Status::Uninstalled | Status::Failed))
                .unwrap_or(true);
            if replace && reusable {
                Ok(())
            } else {
                Err(ActionError::msg("cannot reuse a name that is still in use"))
            }
        }
    }
}

/// The CRDs of `crds/` are created (never updated) before anything else and
/// must be Established before the release's own objects are applied.
fn install_crds(ctx: &Context<'_>, chart: &Chart) -> Result<(), ActionError> {
    let crds = chart.crd_objects();
    if crds.is_empty() {
        return Ok(());
    }
    let mut all = Vec::new();
    for crd in crds {
        let text = String::from_utf8_lossy(&crd.data).into_owned();
        all.extend(resources(&text)?);
    }
    let mut created = Vec::new();
    for r in &all {
        if ctx.cluster.create_object(r, &ctx.namespace)? {
            created.push(r.clone());
        }
    }
    if !created.is_empty() {
        ctx.cluster.wait_ready(
            &created,
            &ctx.namespace,
            std::time::Duration::from_secs(60),
            false,
        )?;
        ctx.cluster.invalidate_discovery();
    }
    Ok(())
}

/// Installs `chart` as release `name`. Returns the stored release; on a
/// failure after the record was created, the record is `failed` and the
/// error is returned.
pub fn install(
    ctx: &Context<'_>,
    name: &str,
    chart: &mut Chart,
    user_values: &Value,
    opts: &InstallOptions,
) -> Result<Release, ActionError> {
    let dry_run = opts.deploy.dry_run;
    if dry_run == DryRun::None && opts.deploy.hide_secret {
        eprintln!(
            "{}",
            Record::new(
                Level::Error,
                "hiding Kubernetes secrets requires a dry-run mode"
            )
        );
        return Err(ActionError::msg(
            "hiding Kubernetes secrets requires a dry-run mode",
        ));
    }
    if dry_run != DryRun::Client {
        check_name_available(ctx, name, opts.replace)?;
    }
    let revision = if opts.replace && dry_run != DryRun::Client {
        ctx.storage.last(name).map(|r| r.version + 1).unwrap_or(1)
    } else {
        1
    };
    super::check_user_labels(&opts.deploy.labels)?;
    let chart_json = chart_to_json(chart);
    let rendered = render_release(
        ctx,
        chart,
        user_values,
        RenderTarget {
            name,
            revision,
            is_upgrade: false,
            skip_schema_validation: opts.skip_schema_validation,
            offline: dry_run == DryRun::Client,
            enable_dns: opts.deploy.enable_dns,
            hide_secret: opts.deploy.hide_secret,
            subchart_notes: opts.deploy.subchart_notes,
        },
    )?;
    if dry_run != DryRun::None {
        let target = resources(&rendered.manifest)?;
        if dry_run == DryRun::Server {
            build_objects(ctx, &target, &opts.deploy)?;
            check_ownership_all(
                ctx,
                name,
                &target,
                &[],
                "install",
                opts.deploy.take_ownership,
            )?;
        }
        let now = Timestamp::now().rfc3339_nano();
        return Ok(Release {
            name: name.to_string(),
            info: Some(Info {
                first_deployed: Some(now.clone()),
                last_deployed: Some(now),
                description: DRY_RUN_DESCRIPTION.into(),
                status: Status::PendingInstall,
                notes: rendered.notes,
                ..Default::default()
            }),
            chart: chart_json,
            config: value_to_json(user_values),
            manifest: rendered.manifest,
            hooks: rendered.hooks,
            version: revision,
            namespace: ctx.namespace.clone(),
            apply_method: apply_method(opts.deploy.server_side.unwrap_or(true)).into(),
            labels: opts.deploy.labels.clone(),
            extra: Default::default(),
        });
    }
    if opts.create_namespace {
        ctx.cluster.ensure_namespace(&ctx.namespace)?;
    }
    if !opts.skip_crds {
        install_crds(ctx, chart)?;
    }
    let target = resources(&rendered.manifest)?;
    build_objects(ctx, &target, &opts.deploy)?;
    let existing = check_ownership_all(
        ctx,
        name,
        &target,
        &[],
        "install",
        opts.deploy.take_ownership,
    )?;

    let now = Timestamp::now().rfc3339_nano();
    let mut release = Release {
        name: name.to_string(),
        info: Some(Info {
            first_deployed: Some(now.clone()),
            last_deployed: Some(now),
            description: "Initial install underway".into(),
            status: Status::PendingInstall,
            notes: rendered.notes.clone(),
            ..Default::default()
        }),
        chart: chart_json,
        config: value_to_json(user_values),
        manifest: rendered.manifest.clone(),
        hooks: rendered.hooks,
        version: revision,
        namespace: ctx.namespace.clone(),
        apply_method: apply_method(opts.deploy.server_side.unwrap_or(true)).into(),
        labels: opts.deploy.labels.clone(),
        extra: Default::default(),
    };
    ctx.storage.create(&release)?;

    match perform(ctx, &mut release, &target, &existing, opts) {
        Ok(()) => {
            // `--replace`: the revision this one replaces is superseded.
            if revision > 1 {
                if let Ok(mut old) = ctx.storage.get(name, revision - 1) {
                    let info = old.info_mut();
                    info.status = Status::Superseded;
                    info.description = "superseded by new release".into();
                    ctx.record(&old);
                }
            }
            let info = release.info_mut();
            info.status = Status::Deployed;
            info.description = opts
                .deploy
                .description
                .clone()
                .unwrap_or_else(|| "Install complete".into());
            ctx.record(&release);
            Ok(release)
        }
        Err(e) => {
            let info = release.info_mut();
            info.status = Status::Failed;
            info.description = format!("Release {name:?} failed: {e}");
            ctx.record(&release);
            if opts.rollback_on_failure {
                let un = UninstallOptions {
                    keep_history: false,
                    timeout: opts.deploy.timeout,
                    ..Default::default()
                };
                if let Err(ue) = uninstall(ctx, name, &un) {
                    return Err(ActionError::msg(format!(
                        "an error occurred while uninstalling the release. original install error: {e}: {ue}"
                    )));
                }
                return Err(ActionError::msg(format!(
                    "release {name} failed, and has been uninstalled due to rollback-on-failure being set: {e}"
                )));
            }
            Err(e)
        }
    }
}

fn perform(
    ctx: &Context<'_>,
    release: &mut Release,
    target: &[crate::cluster::Resource],
    existing: &std::collections::HashSet<ObjectKey>,
    opts: &InstallOptions,
) -> Result<(), ActionError> {
    if !opts.deploy.no_hooks {
        run_hooks(ctx, release, "pre-install", opts.deploy.timeout)?;
    }
    let server_side = opts.deploy.server_side.unwrap_or(true);
    let plan = ApplyPlan {
        server_side,
        originals: &[],
        install_existing: Some(existing),
        // Adopted objects: client-side ownership by helm moves to server-side.
        upgrade_client_side_ownership: true,
        three_way_unstructured: opts.deploy.take_ownership && !server_side,
    };
    apply_all(ctx, &release.name.clone(), target, &opts.deploy, &plan)?;
    wait(ctx, target, &opts.deploy)?;
    if !opts.deploy.no_hooks {
        run_hooks(ctx, release, "post-install", opts.deploy.timeout)?;
    }
    Ok(())
}

/// The `apply_method` a revision records: helm's `ssa` / `csa`.
pub fn apply_method(server_side: bool) -> &'static str {
    if server_side {
        "ssa"
    } else {
        "csa"
    }
}

/// Parses `--labels k=v,k2=v2` (pflag's stringToString).
pub fn parse_labels(items: &[String]) -> Result<BTreeMap<String, String>, ActionError> {
    let mut out = BTreeMap::new();
    for item in items {
        for pair in item.split(',').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').ok_or_else(|| {
                ActionError::msg(format!("{pair} must be formatted as key=value"))
            })?;
            out.insert(k.to_string(), v.to_string());
        }
    }
    Ok(out)
}
