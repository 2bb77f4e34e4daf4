//! `rudder uninstall RELEASE_NAME [...]`.

use std::io::Write;

use clap::Args as ClapArgs;
use rudder::release::actions::uninstall::{uninstall, UninstallOptions};

use super::release_common::{timeout_or_default, wait_strategy, ReleaseEnv};
use super::settings::Settings;

const USAGE: &str = "rudder uninstall RELEASE_NAME [...] [flags]";

#[derive(ClapArgs, Debug)]
pub struct Args {
    #[arg(value_name = "RELEASE_NAME")]
    args: Vec<String>,
    /// Must be "background", "orphan", or "foreground". Selects the deletion cascading strategy for the dependents. Defaults to background.
    #[arg(long, value_name = "string", default_value = "background")]
    cascade: String,
    /// add a custom description
    #[arg(long, value_name = "string")]
    description: Option<String>,
    /// simulate a uninstall
    #[arg(long = "dry-run")]
    dry_run: bool,
    /// Treat "release not found" as a successful uninstall
    #[arg(long = "ignore-not-found")]
    ignore_not_found: bool,
    /// remove all associated resources and mark the release as deleted, but retain the release history
    #[arg(long = "keep-history")]
    keep_history: bool,
    /// prevent hooks from running during uninstallation
    #[arg(long = "no-hooks")]
    no_hooks: bool,
    /// time to wait for any individual Kubernetes operation (like Jobs for hooks)
    #[arg(long, value_name = "duration")]
    timeout: Option<String>,
    /// wait until resources are ready (up to --timeout)
    #[arg(long, value_name = "WaitStrategy", num_args = 0..=1, require_equals = true, default_missing_value = "watcher")]
    wait: Option<String>,
}

pub fn run(args: Args, settings: &Settings) -> anyhow::Result<()> {
    super::minimum_args(&args.args, 1, "rudder uninstall", USAGE)?;
    if !matches!(
        args.cascade.as_str(),
        "background" | "orphan" | "foreground"
    ) {
        anyhow::bail!(
            "invalid cascade value ({}). Must be \"background\", \"foreground\", or \"orphan\"",
            args.cascade
        );
    }
    let wait = wait_strategy(&args.wait)?.waits_for_resources();
    let timeout = timeout_or_default(&args.timeout)?;
    let env = ReleaseEnv::open(settings, false, settings.max_history)?;
    env.reachable()?;
    let ctx = env.context();
    let opts = UninstallOptions {
        keep_history: args.keep_history,
        no_hooks: args.no_hooks,
        timeout,
        description: args.description.clone(),
        cascade: args.cascade.clone(),
        wait,
    };
    let mut out = std::io::stdout().lock();
    for name in &args.args {
        if args.dry_run {
            env.storage.last(name)?;
            writeln!(out, "release \"{name}\" uninstalled")?;
            continue;
        }
        match uninstall(&ctx, name, &opts) {
            Ok(outcome) => {
                if !outcome.kept.is_empty() {
                    writeln!(out, "These resources were kept due to the resource policy:")?;
                    for k in &outcome.kept {
                        writeln!(out, "[{k}]")?;
                    }
                }
                writeln!(out, "release \"{name}\" uninstalled")?;
            }
            Err(e) => {
                let text = e.to_string();
                if args.ignore_not_found && text.ends_with("release: not found") {
                    writeln!(out, "release \"{name}\" uninstalled")?;
                    continue;
                }
                return Err(anyhow::anyhow!(text));
            }
        }
    }
    Ok(())
}
