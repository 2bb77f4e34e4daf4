//! `rudder rollback RELEASE [REVISION]`.

use std::io::Write;

use clap::Args as ClapArgs;
use rudder::release::actions::rollback::rollback;
use rudder::release::actions::DeployOptions;

use super::release_common::{timeout_or_default, wait_strategy, ReleaseEnv};
use super::settings::Settings;

const USAGE: &str = "rudder rollback <RELEASE> [REVISION] [flags]";

#[derive(ClapArgs, Debug)]
pub struct Args {
    #[arg(value_name = "RELEASE")]
    args: Vec<String>,
    /// allow deletion of new resources created in this rollback when rollback fails
    #[arg(long = "cleanup-on-fail")]
    cleanup_on_fail: bool,
    /// add a custom description for the rollback (max 256 characters)
    #[arg(long, value_name = "string")]
    description: Option<String>,
    /// if set server-side apply will force changes against conflicts
    #[arg(long = "force-conflicts")]
    force_conflicts: bool,
    /// force resource updates by replacement
    #[arg(long = "force-replace")]
    force_replace: bool,
    /// deprecated spelling of --force-replace
    #[arg(long = "force", hide = true)]
    force: bool,
    /// limit the maximum number of revisions saved per release. Use 0 for no limit
    #[arg(long = "history-max", value_name = "int")]
    history_max: Option<i64>,
    /// prevent hooks from running during rollback
    #[arg(long = "no-hooks")]
    no_hooks: bool,
    /// time to wait for any individual Kubernetes operation (like Jobs for hooks)
    #[arg(long, value_name = "duration")]
    timeout: Option<String>,
    /// wait until resources are ready (up to --timeout)
    #[arg(long, value_name = "WaitStrategy", num_args = 0..=1, require_equals = true, default_missing_value = "watcher")]
    wait: Option<String>,
    /// if set and --wait enabled, will wait until all Jobs have been completed before marking the release as successful
    #[arg(long = "wait-for-jobs")]
    wait_for_jobs: bool,
    /// simulates the operation without persisting changes. Must be one of: "none" (default), "client", or "server". '--dry-run=none' executes the operation normally and persists changes (no simulation). '--dry-run=client' simulates the operation client-side only and avoids cluster connections. '--dry-run=server' simulates the operation on the server, requiring cluster connectivity.
    #[arg(long = "dry-run", value_name = "string", num_args = 0..=1, require_equals = true, default_missing_value = "unset")]
    dry_run: Option<String>,
    /// must be "true", "false" or "auto". Object updates run in the server instead of the client ("auto" defaults the value from the previous chart release's method)
    #[arg(long = "server-side", value_name = "string")]
    server_side: Option<String>,
}

pub fn run(args: Args, settings: &Settings) -> anyhow::Result<()> {
    super::flag_rules::deprecation_notices(&[(args.force, "force", "use --force-replace instead")]);
    let [replace, force] =
        super::flag_rules::force_groups(args.force, args.force_replace, args.force_conflicts);
    super::flag_rules::exclusive_groups(&[&replace, &force])?;
    // helm takes at least one argument and ignores any after the revision.
    super::minimum_args(&args.args, 1, "rudder rollback", USAGE)?;
    let version = match args.args.get(1) {
        Some(v) => v.parse::<i64>().map_err(|_| {
            anyhow::anyhow!(
                "could not convert revision to a number: strconv.Atoi: parsing {}: invalid syntax",
                rudder::values::strvals::go_quote(v)
            )
        })?,
        None => 0,
    };
    if let Some(d) = &args.description {
        if d.chars().count() > 256 {
            anyhow::bail!("description must be 256 characters or less");
        }
    }
    let opts = DeployOptions {
        wait: wait_strategy(&args.wait)?,
        wait_for_jobs: args.wait_for_jobs,
        timeout: timeout_or_default(&args.timeout)?,
        no_hooks: args.no_hooks,
        force_conflicts: args.force_conflicts,
        force_replace: args.force_replace || args.force,
        disable_openapi_validation: false,
        take_ownership: false,
        description: args.description.clone(),
        labels: Default::default(),
        dry_run: super::install::dry_run_mode(&args.dry_run)?,
        enable_dns: false,
        server_side: None,
        hide_secret: false,
        subchart_notes: false,
    };
    let env = ReleaseEnv::open(
        settings,
        false,
        args.history_max.unwrap_or(settings.max_history),
    )?;
    env.reachable()?;
    if !super::install::valid_release_name(&args.args[0]) {
        anyhow::bail!("prepareRollback: Release name is invalid: {}", args.args[0]);
    }
    let mut opts = opts;
    opts.server_side = match super::install::parse_upgrade_server_side(args.server_side.as_deref())
    {
        Ok(v) => v,
        // helm checks the value once both revisions are loaded.
        Err(e) => {
            env.storage.last(&args.args[0])?;
            return Err(e);
        }
    };
    rollback(&env.context(), &args.args[0], version, &opts)?;
    writeln!(
        std::io::stdout().lock(),
        "Rollback was a success! Happy Helming!"
    )?;
    Ok(())
}
