//! `rudder install [NAME] [CHART]`: install a chart as a release on the cluster.

use std::io::Write;

use clap::Args as ClapArgs;
use rudder::chart::dependencies::missing_dependencies_error;
use rudder::release::actions::install::{install, parse_labels, InstallOptions};
use rudder::release::actions::{DeployOptions, DryRun};
use rudder::release::Release;

use super::chart_path::{locate_chart, ChartPathArgs};
use super::output::OutputFormat;
use super::release_common::{
    output_format, release_json, release_yaml, status_block, timeout_or_default, wait_strategy,
    ReleaseEnv, StatusParts,
};
use super::settings::Settings;
use super::values_args::ValuesArgs;

const USAGE: &str = "rudder install [NAME] [CHART] [flags]";

/// The flags install and `upgrade --install` share.
#[derive(ClapArgs, Debug, Clone)]
pub struct DeployFlags {
    /// add a custom description
    #[arg(long, value_name = "string")]
    pub description: Option<String>,
    /// use development versions, too. Equivalent to version '>0.0.0-0'. If --version is set, this is ignored
    #[arg(long)]
    pub devel: bool,
    /// if set, the installation process will not validate rendered templates against the Kubernetes OpenAPI Schema
    #[arg(long = "disable-openapi-validation")]
    pub disable_openapi_validation: bool,
    /// enable DNS lookups when rendering templates
    #[arg(long = "enable-dns")]
    pub enable_dns: bool,
    /// if set server-side apply will force changes against conflicts
    #[arg(long = "force-conflicts")]
    pub force_conflicts: bool,
    /// force resource updates by replacement
    #[arg(long = "force-replace")]
    pub force_replace: bool,
    /// if set, do not show notes in install output. Does not affect presence in chart metadata
    #[arg(long = "hide-notes")]
    pub hide_notes: bool,
    /// Labels that would be added to release metadata. Should be divided by comma.
    #[arg(short = 'l', long, value_name = "stringToString")]
    pub labels: Vec<String>,
    /// prevent hooks from running during install
    #[arg(long = "no-hooks")]
    pub no_hooks: bool,
    /// prints the output in the specified format. Allowed values: table, json, yaml
    #[arg(short = 'o', long, value_name = "format")]
    pub output: Option<String>,
    /// if set, Helm will rollback (uninstall) the installation upon failure. The --wait flag will be default to "watcher" if --rollback-on-failure is set
    #[arg(long = "rollback-on-failure")]
    pub rollback_on_failure: bool,
    /// deprecated spelling of --rollback-on-failure
    #[arg(long = "atomic", hide = true)]
    pub atomic: bool,
    /// deprecated spelling of --force-replace
    #[arg(long = "force", hide = true)]
    pub force: bool,
    /// if set, no CRDs will be installed. By default, CRDs are installed if not already present
    #[arg(long = "skip-crds")]
    pub skip_crds: bool,
    /// if set, disables JSON schema validation
    #[arg(long = "skip-schema-validation")]
    pub skip_schema_validation: bool,
    /// if set, install will ignore the check for helm annotations and take ownership of the existing resources
    #[arg(long = "take-ownership")]
    pub take_ownership: bool,
    /// hide Kubernetes Secrets when also using the --dry-run flag
    #[arg(long = "hide-secret")]
    pub hide_secret: bool,
    /// the name of a postrenderer type plugin to be used for post rendering. If it exists, the plugin will be used
    #[arg(long = "post-renderer", value_name = "postRendererString")]
    pub post_renderer: Option<String>,
    /// an argument to the post-renderer (can specify multiple)
    #[arg(long = "post-renderer-args", value_name = "postRendererArgsSlice")]
    pub post_renderer_args: Vec<String>,
    /// if set, render subchart notes along with the parent
    #[arg(long = "render-subchart-notes")]
    pub render_subchart_notes: bool,
    /// time to wait for any individual Kubernetes operation (like Jobs for hooks)
    #[arg(long, value_name = "duration")]
    pub timeout: Option<String>,
    /// wait until resources are ready (up to --timeout). Use '--wait' alone for 'watcher' strategy, or specify one of: 'watcher', 'hookOnly', 'legacy'. Default when flag is omitted: 'hookOnly'.
    #[arg(long, value_name = "WaitStrategy", num_args = 0..=1, require_equals = true, default_missing_value = "watcher")]
    pub wait: Option<String>,
    /// if set and --wait enabled, will wait until all Jobs have been completed before marking the release as successful. It will wait for as long as --timeout
    #[arg(long = "wait-for-jobs")]
    pub wait_for_jobs: bool,
    /// create the release namespace if not present
    #[arg(long = "create-namespace")]
    pub create_namespace: bool,
    /// simulates the operation without persisting changes. Must be one of: "none" (default), "client", or "server". '--dry-run=none' executes the operation normally and persists changes (no simulation). '--dry-run=client' simulates the operation client-side only and avoids cluster connections. '--dry-run=server' simulates the operation on the server, requiring cluster connectivity.
    #[arg(long = "dry-run", value_name = "string", num_args = 0..=1, require_equals = true, default_missing_value = "unset")]
    pub dry_run: Option<String>,
}

/// helm's `--dry-run` values, with its deprecation warnings.
pub fn dry_run_mode(v: &Option<String>) -> anyhow::Result<DryRun> {
    let warn = |msg: &str| eprintln!("level=WARN msg={}", rudder::values::strvals::go_quote(msg));
    Ok(match v.as_deref() {
        None | Some("none") => DryRun::None,
        Some("unset") => {
            warn("--dry-run is deprecated and should be replaced with '--dry-run=client'");
            DryRun::Client
        }
        Some("client") => DryRun::Client,
        Some("server") => DryRun::Server,
        Some(b @ ("true" | "1" | "t" | "T" | "TRUE" | "True")) => {
            warn(&format!(
                "boolean '--dry-run={b}' flag is deprecated and must be replaced with '--dry-run=client'"
            ));
            DryRun::Client
        }
        Some("false" | "0" | "f" | "F" | "FALSE" | "False") => DryRun::None,
        Some(other) => anyhow::bail!(
            "invalid dry-run value ({}). Must be \"none\", \"server\", or \"client\"",
            rudder::values::strvals::go_quote(other)
        ),
    })
}

impl DeployFlags {
    pub fn deploy_options(&self) -> anyhow::Result<DeployOptions> {
        let mut wait = wait_strategy(&self.wait)?;
        if self.rollback_on_failure && self.wait.is_none() {
            wait = rudder::release::actions::WaitStrategy::Watcher;
        }
        Ok(DeployOptions {
            wait,
            wait_for_jobs: self.wait_for_jobs,
            timeout: timeout_or_default(&self.timeout)?,
            no_hooks: self.no_hooks,
            force_conflicts: self.force_conflicts,
            force_replace: self.force_replace || self.force,
            disable_openapi_validation: self.disable_openapi_validation,
            take_ownership: self.take_ownership,
            description: self.description.clone(),
            labels: parse_labels(&self.labels)?,
            dry_run: dry_run_mode(&self.dry_run)?,
            enable_dns: self.enable_dns,
            hide_secret: self.hide_secret,
            subchart_notes: self.render_subchart_notes,
            // Set by the command: install's flag is a bool, upgrade's a method.
            server_side: None,
        })
    }

    /// Flag values pflag refuses while parsing: a `--post-renderer` names a
    /// plugin (none are installed here).
    pub fn check_flag_values(&mut self) -> anyhow::Result<()> {
        super::flag_rules::deprecation_notices(&[
            (self.atomic, "atomic", "use --rollback-on-failure instead"),
            (self.force, "force", "use --force-replace instead"),
        ]);
        self.rollback_on_failure |= self.atomic;
        // pflag rejects a bad `--wait` value while parsing, before the
        // command's own error prefix applies.
        wait_strategy(&self.wait)?;
        if let Some(name) = &self.post_renderer {
            anyhow::bail!(
                "invalid argument \"{name}\" for \"--post-renderer\" flag: plugin: {{Name:{name} Type:postrenderer/v1}} not found"
            );
        }
        Ok(())
    }

    /// cobra's mutually exclusive flag groups, checked after the argument
    /// count.
    pub fn check_flag_groups(&self) -> anyhow::Result<()> {
        let [replace, force] =
            super::flag_rules::force_groups(self.force, self.force_replace, self.force_conflicts);
        super::flag_rules::exclusive_groups(&[&replace, &force])
    }
}

/// install's `--server-side`, a pflag bool (default true).
pub fn install_server_side(flag: Option<&str>) -> anyhow::Result<Option<bool>> {
    let Some(flag) = flag else {
        return Ok(Some(true));
    };
    match super::go_bool_flags::parse_go_bool(flag) {
        Some(b) => Ok(Some(b)),
        None => anyhow::bail!(
            "invalid argument {q} for \"--server-side\" flag: strconv.ParseBool: parsing {q}: invalid syntax",
            q = rudder::values::strvals::go_quote(flag)
        ),
    }
}

/// `--server-side` of upgrade and rollback, with helm's refusal of other values.
pub fn parse_upgrade_server_side(v: Option<&str>) -> anyhow::Result<Option<bool>> {
    match v {
        None | Some("auto") => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(other) => {
            anyhow::bail!("invalid/unknown release server-side apply method: {other}")
        }
    }
}

#[derive(ClapArgs, Debug)]
pub struct Args {
    #[arg(value_name = "NAME")]
    args: Vec<String>,
    #[command(flatten)]
    values: ValuesArgs,
    #[command(flatten)]
    deploy: DeployFlags,
    /// object updates run in the server instead of the client (default true)
    #[arg(long = "server-side", value_name = "bool", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    server_side: Option<String>,
    /// update dependencies if they are missing before installing the chart
    #[arg(long = "dependency-update")]
    dependency_update: bool,
    /// generate the name (and omit the NAME parameter)
    #[arg(short = 'g', long = "generate-name")]
    generate_name: bool,
    /// specify template used to name the release
    #[arg(long = "name-template", value_name = "string")]
    name_template: Option<String>,
    /// reuse the given name, only if that name is a deleted release which remains in the history. This is unsafe in production
    #[arg(long)]
    replace: bool,
    #[command(flatten)]
    path: ChartPathArgs,
}

/// Helm's release name rule (DNS-1123 subdomain, at most 53 characters).
pub fn valid_release_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 53
        && name.split('.').all(|label| {
            let b = label.as_bytes();
            !b.is_empty()
                && b.iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
                && b[0] != b'-'
                && b[b.len() - 1] != b'-'
        })
}

/// Install's (and template's) name check: helm logs it, then fails with
/// `release name check failed: ...`.
pub(crate) fn check_release_name(name: &str) -> anyhow::Result<()> {
    if valid_release_name(name) {
        return Ok(());
    }
    let why = if name.is_empty() {
        "no name provided"
    } else {
        "invalid release name, must match regex ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ and the length must not be longer than 53"
    };
    let err = format!(
        "release name {}: {why}",
        rudder::values::strvals::go_quote(name)
    );
    eprintln!(
        "level=ERROR msg=\"release name check failed\" error={}",
        rudder::values::strvals::go_quote(&err)
    );
    anyhow::bail!("release name check failed: {err}")
}

/// helm's `TemplateName`: `--name-template` rendered as plain Go
/// text/template with no data.
pub(crate) fn template_name(template: &str) -> anyhow::Result<String> {
    use rudder::render::engine::{Engine, EngineOptions};
    let engine = Engine::new(
        rudder::render::funcs::sprig_registry(),
        EngineOptions::default(),
    );
    engine
        .render_go("name-template", template, rudder::value::Value::Nil)
        .map_err(anyhow::Error::msg)
}

/// helm's `NameAndChart`.
fn name_and_chart(args: &Args) -> anyhow::Result<(String, String)> {
    let a = &args.args;
    let name_template = args.name_template.as_deref().unwrap_or("");
    if a.len() > 2 {
        anyhow::bail!(
            "expected at most two arguments, unexpected arguments: {}",
            a[2..].join(", ")
        );
    }
    if a.len() == 2 {
        if args.generate_name {
            anyhow::bail!("cannot set --generate-name and also specify a name");
        }
        if !name_template.is_empty() {
            anyhow::bail!("cannot set --name-template and also specify a name");
        }
        return Ok((a[0].clone(), a[1].clone()));
    }
    if !name_template.is_empty() {
        return Ok((template_name(name_template)?, a[0].clone()));
    }
    if args.generate_name {
        let mut base = std::path::Path::new(&a[0])
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if base.is_empty() || base == "." {
            base = "chart".to_string();
        }
        // The file extension (everything from the first dot) is dropped.
        if let Some(i) = base.find('.') {
            base.truncate(i);
        }
        let now = rudder::release::time::Timestamp::now().secs;
        return Ok((format!("{base}-{now}"), a[0].clone()));
    }
    anyhow::bail!("must either provide a name or specify --generate-name")
}

/// Prints a release after install/upgrade in the chosen format.
pub fn print_release(r: &Release, format: OutputFormat, hide_notes: bool) -> anyhow::Result<()> {
    let text = match format {
        OutputFormat::Table => status_block(
            r,
            StatusParts {
                hide_notes,
                ..Default::default()
            },
        )?,
        OutputFormat::Json => release_json(r)?,
        OutputFormat::Yaml => release_yaml(r)?,
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}

pub fn run(mut args: Args, settings: &Settings) -> anyhow::Result<()> {
    args.deploy.check_flag_values()?;
    install_server_side(args.server_side.as_deref())?;
    super::minimum_args(&args.args, 1, "rudder install", USAGE)?;
    args.deploy.check_flag_groups()?;
    run_install(args, settings).map_err(|e| anyhow::anyhow!("INSTALLATION FAILED: {e:#}"))
}

fn run_install(args: Args, settings: &Settings) -> anyhow::Result<()> {
    let format = output_format(&args.deploy.output)?;
    let (name, chart_ref) = name_and_chart(&args)?;
    let chart_path = locate_chart(&chart_ref, &args.path, settings)?;
    let user_values = args.values.merge()?;
    let mut chart = rudder::chart::load_for_action(&chart_path)?;
    if !matches!(chart.metadata.chart_type.as_str(), "" | "application") {
        anyhow::bail!("{} charts are not installable", chart.metadata.chart_type);
    }
    super::dependency::check_or_update(
        &chart_path,
        &mut chart,
        args.dependency_update,
        &args.path,
        settings,
        missing_dependencies_error,
    )?;
    check_release_name(&name)?;
    let mut deploy = args.deploy.deploy_options()?;
    deploy.server_side = install_server_side(args.server_side.as_deref())?;
    let opts = InstallOptions {
        deploy,
        replace: args.replace,
        skip_crds: args.deploy.skip_crds,
        create_namespace: args.deploy.create_namespace,
        rollback_on_failure: args.deploy.rollback_on_failure,
        skip_schema_validation: args.deploy.skip_schema_validation,
    };
    let env = ReleaseEnv::open(settings, false, settings.max_history)?;
    if opts.deploy.dry_run != DryRun::Client {
        if let Err(e) = env.reachable() {
            let msg = format!("cluster reachability check failed: {e}");
            eprintln!(
                "{}",
                rudder::log::Record::new(rudder::log::Level::Error, msg.clone())
            );
            anyhow::bail!(msg);
        }
    }
    let release = install(&env.context(), &name, &mut chart, &user_values, &opts)
        .map_err(|e| install_error(&e))?;
    print_release(&release, format, args.deploy.hide_notes)
}

/// An install action error as helm reports it (the name check is logged first).
pub fn install_error(e: &rudder::release::actions::ActionError) -> anyhow::Error {
    let text = e.to_string();
    if text == "cannot reuse a name that is still in use" {
        eprintln!(
            "level=ERROR msg=\"release name check failed\" error=\"cannot reuse a name that is still in use\""
        );
        return anyhow::anyhow!("release name check failed: {text}");
    }
    anyhow::anyhow!("{text}")
}
