//! `rudder test RELEASE`: run the release's tests and print its status.

use std::io::Write;

use clap::Args as ClapArgs;
use rudder::release::actions::test::{run_tests, TestFilter};
use rudder::release::Release;

use super::release_common::{status_block, timeout_or_default, ReleaseEnv, StatusParts};
use super::settings::Settings;

const USAGE: &str = "rudder test [RELEASE] [flags]";

#[derive(ClapArgs, Debug)]
pub struct Args {
    #[arg(value_name = "RELEASE")]
    args: Vec<String>,
    /// specify tests by attribute (currently "name") using attribute=value syntax or '!attribute=value' to exclude a test (can specify multiple or separate values with commas: name=test1,name=test2)
    #[arg(long, value_name = "strings")]
    filter: Vec<String>,
    /// dump the logs from test pods (this runs after all tests are complete, but before any cleanup)
    #[arg(long)]
    logs: bool,
    /// time to wait for any individual Kubernetes operation (like Jobs for hooks)
    #[arg(long, value_name = "duration")]
    timeout: Option<String>,
}

/// `POD LOGS: <pod> (<container>)` sections for the test pods that ran.
fn pod_logs(env: &ReleaseEnv, r: &Release, filter: &TestFilter) -> anyhow::Result<String> {
    let mut out = String::new();
    for h in &r.hooks {
        if h.kind != "Pod" || !h.events.iter().any(|e| e == "test") || h.last_run.phase.is_empty() {
            continue;
        }
        if !filter.include.is_empty() && !filter.include.contains(&h.name) {
            continue;
        }
        if filter.exclude.contains(&h.name) {
            continue;
        }
        let doc = rudder::values::yaml::unmarshal_map(&h.manifest)?;
        let json: serde_json::Value =
            serde_json::from_str(&rudder::render::encode::to_raw_json(&doc)?)?;
        let containers = json
            .pointer("/spec/containers")
            .and_then(|c| c.as_array())
            .cloned()
            .unwrap_or_default();
        for c in containers {
            let cname = c.get("name").and_then(|n| n.as_str()).unwrap_or("");
            let log = env.cluster.pod_log(&env.namespace, &h.name, cname)?;
            out.push_str(&format!("\nPOD LOGS: {} ({cname})\n{log}\n", h.name));
        }
    }
    Ok(out)
}

pub fn run(args: Args, settings: &Settings) -> anyhow::Result<()> {
    super::exact_args(&args.args, 1, "rudder test", USAGE)?;
    let timeout = timeout_or_default(&args.timeout)?;
    let filter = TestFilter::parse(&args.filter);
    let env = ReleaseEnv::open(settings, false, settings.max_history)?;
    env.reachable()?;
    let parts = StatusParts {
        hide_notes: true,
        ..Default::default()
    };
    let mut out = std::io::stdout().lock();
    let (release, failure) = run_tests(&env.context(), &args.args[0], &filter, timeout)?;
    out.write_all(status_block(&release, parts)?.as_bytes())?;
    if args.logs {
        out.write_all(pod_logs(&env, &release, &filter)?.as_bytes())?;
    }
    match failure {
        None => Ok(()),
        Some(e) => Err(anyhow::anyhow!("{e}")),
    }
}
