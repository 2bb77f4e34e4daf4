//! `rudder upgrade [RELEASE] [CHART]` (with `--install`).

use std::io::Write;

use clap::Args as ClapArgs;
use rudder::chart::dependencies::missing_dependencies_error;
use rudder::release::actions::install::{install, InstallOptions};
use rudder::release::actions::upgrade::{upgrade, UpgradeOptions};
use rudder::release::{Status, StorageError};

use super::chart_path::{locate_chart, ChartPathArgs};
use super::install::{install_error, print_release, valid_release_name, DeployFlags};
use super::release_common::{output_format, ReleaseEnv};
use super::settings::Settings;
use super::values_args::ValuesArgs;

const USAGE: &str = "rudder upgrade [RELEASE] [CHART] [flags]";

#[derive(ClapArgs, Debug)]
pub struct Args {
    #[arg(value_name = "RELEASE")]
    args: Vec<String>,
    #[command(flatten)]
    values: ValuesArgs,
    #[command(flatten)]
    deploy: DeployFlags,
    /// must be "true", "false" or "auto". Object updates run in the server instead of the client ("auto" defaults the value from the previous chart release's method)
    #[arg(long = "server-side", value_name = "string")]
    server_side: Option<String>,
    /// allow deletion of new resources created in this upgrade when upgrade fails
    #[arg(long = "cleanup-on-fail")]
    cleanup_on_fail: bool,
    /// update dependencies if they are missing before installing the chart
    #[arg(long = "dependency-update")]
    dependency_update: bool,
    /// limit the maximum number of revisions saved per release. Use 0 for no limit
    #[arg(long = "history-max", value_name = "int")]
    history_max: Option<i64>,
    /// if a release by this name doesn't already exist, run an install
    #[arg(short = 'i', long)]
    install: bool,
    /// when upgrading, reset the values to the ones built into the chart
    #[arg(long = "reset-values")]
    reset_values: bool,
    /// when upgrading, reuse the last release's values and merge in any overrides from the command line via --set and -f. If '--reset-values' is specified, this is ignored
    #[arg(long = "reuse-values")]
    reuse_values: bool,
    /// when upgrading, reset the values to the ones built into the chart, apply the last release's values and merge in any overrides from the command line via --set and -f. If '--reset-values' or '--reuse-values' is specified, this is ignored
    #[arg(long = "reset-then-reuse-values")]
    reset_then_reuse_values: bool,
    #[command(flatten)]
    path: ChartPathArgs,
}

pub fn run(mut args: Args, settings: &Settings) -> anyhow::Result<()> {
    args.deploy.check_flag_values()?;
    super::exact_args(&args.args, 2, "rudder upgrade", USAGE)?;
    args.deploy.check_flag_groups()?;
    let format = output_format(&args.deploy.output)?;
    let name = args.args[0].clone();
    let env = ReleaseEnv::open(
        settings,
        false,
        args.history_max.unwrap_or(settings.max_history),
    )?;
    let ctx = env.context();

    if args.install {
        // helm asks for the release's history first: that checks the
        // cluster, then the name, and fails with either as it is.
        env.reachable()?;
        if !valid_release_name(&name) {
            anyhow::bail!("release name is invalid: {name}");
        }
        let needs_install = match env.storage.history(&name) {
            Err(StorageError::NotFound) => true,
            Ok(h) => h
                .iter()
                .max_by_key(|r| r.version)
                .map(|r| r.status() == Status::Uninstalled)
                .unwrap_or(true),
            Err(e) => return Err(e.into()),
        };
        if needs_install {
            if format == super::output::OutputFormat::Table {
                writeln!(
                    std::io::stdout().lock(),
                    "Release {name:?} does not exist. Installing it now."
                )?;
            }
            let chart_path = locate_chart(&args.args[1], &args.path, settings)?;
            let user_values = args.values.merge()?;
            let mut chart = rudder::chart::load_for_action(&chart_path)?;
            super::dependency::check_or_update(
                &chart_path,
                &mut chart,
                args.dependency_update,
                &args.path,
                settings,
                missing_dependencies_error,
            )?;
            let mut deploy = args.deploy.deploy_options()?;
            // helm: any value but "false" installs server-side.
            deploy.server_side = Some(args.server_side.as_deref() != Some("false"));
            let opts = InstallOptions {
                deploy,
                replace: true,
                skip_crds: args.deploy.skip_crds,
                create_namespace: args.deploy.create_namespace,
                rollback_on_failure: args.deploy.rollback_on_failure,
                skip_schema_validation: args.deploy.skip_schema_validation,
            };
            let release = install(&ctx, &name, &mut chart, &user_values, &opts)
                .map_err(|e| install_error(&e))?;
            return print_release(&release, format, args.deploy.hide_notes);
        }
    }

    let chart_path = locate_chart(&args.args[1], &args.path, settings)?;
    let user_values = args.values.merge()?;
    let mut chart = rudder::chart::load_for_action(&chart_path)?;
    super::dependency::check_or_update(
        &chart_path,
        &mut chart,
        args.dependency_update,
        &args.path,
        settings,
        |missing| {
            format!(
            "An error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: {}",
            missing_dependencies_error(missing)
        )
        },
    )?;
    env.reachable()
        .map_err(|e| anyhow::anyhow!("UPGRADE FAILED: {e}"))?;
    if !valid_release_name(&name) {
        anyhow::bail!("UPGRADE FAILED: release name is invalid: {name}");
    }
    let mut deploy = args.deploy.deploy_options()?;
    deploy.server_side = super::install::parse_upgrade_server_side(args.server_side.as_deref())
        .map_err(|e| anyhow::anyhow!("UPGRADE FAILED: {e}"))?;
    let opts = UpgradeOptions {
        deploy,
        reuse_values: args.reuse_values && !args.reset_values,
        reset_values: args.reset_values,
        reset_then_reuse_values: args.reset_then_reuse_values
            && !args.reset_values
            && !args.reuse_values,
        cleanup_on_fail: args.cleanup_on_fail,
        rollback_on_failure: args.deploy.rollback_on_failure,
        skip_schema_validation: args.deploy.skip_schema_validation,
    };
    let release = upgrade(&ctx, &name, &mut chart, &user_values, &opts)
        .map_err(|e| anyhow::anyhow!("UPGRADE FAILED: {e}"))?;
    if format == super::output::OutputFormat::Table {
        writeln!(
            std::io::stdout().lock(),
            "Release {name:?} has been upgraded. Happy Helming!"
        )?;
    }
    print_release(&release, format, args.deploy.hide_notes)
}
