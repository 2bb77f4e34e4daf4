//! `rudder lint PATH...`: helm's chart linter and its report format.

use std::io::Write;

use clap::Args as ClapArgs;
use rudder::chart::lint::{lint_path, LintContext, LintOutcome, Severity, TemplateRule};

use super::settings::Settings;
use super::values_args::ValuesArgs;

#[derive(ClapArgs, Debug)]
pub struct Args {
    #[arg(value_name = "PATH")]
    paths: Vec<String>,
    /// fail on lint warnings
    #[arg(long)]
    strict: bool,
    /// lint dependent charts
    #[arg(long = "with-subcharts")]
    with_subcharts: bool,
    /// print only warnings and errors
    #[arg(long)]
    quiet: bool,
    /// if set, disables JSON schema validation
    #[arg(long = "skip-schema-validation")]
    skip_schema_validation: bool,
    /// Kubernetes version used for capabilities and deprecation checks
    #[arg(long = "kube-version", value_name = "string")]
    kube_version: Option<String>,
    #[command(flatten)]
    values: ValuesArgs,
}

/// The template-rendering lint rule, provided by the rendering side; its
/// log records (coalescing warnings) go to stderr as helm's do.
fn template_rule() -> Option<Box<TemplateRule<'static>>> {
    Some(Box::new(|linter, chart, ctx| {
        rudder::render::lint_templates::lint_templates(linter, chart, ctx, &mut |r| {
            if r.level != rudder::log::Level::Debug {
                eprintln!("{r}");
            }
        })
    }))
}

/// Subchart paths for `--with-subcharts`: folders holding a Chart.yaml and
/// archives under `<path>/charts`, in walk order.
fn subchart_paths(path: &str) -> Vec<String> {
    fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        let mut names: Vec<_> = rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        names.sort();
        for p in names {
            let s = p.display().to_string();
            if p.file_name().is_some_and(|n| n == "Chart.yaml") {
                if let Some(parent) = p.parent() {
                    out.push(parent.display().to_string());
                }
            } else if s.ends_with(".tgz") || s.ends_with(".tar.gz") {
                out.push(s);
            }
            // Go's filepath.Walk does not descend into symlinked directories.
            if std::fs::symlink_metadata(&p).is_ok_and(|m| m.is_dir()) {
                walk(&p, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(&std::path::Path::new(path).join("charts"), &mut out);
    out
}

pub fn run(args: Args, settings: &Settings) -> anyhow::Result<()> {
    // Helm 4 requires a path (Helm 3 linted `.` without one).
    if args.paths.is_empty() {
        return Err(super::usage_error(
            "\"rudder lint\" requires at least 1 argument",
            "rudder lint PATH [flags]",
        ));
    }
    let mut paths = args.paths.clone();
    if let Some(kv) = args.kube_version.as_deref().filter(|k| !k.is_empty()) {
        if let Err(e) = rudder::render::objects::KubeVersion::parse(kv) {
            anyhow::bail!("invalid kube version '{kv}': {e}");
        }
    }
    if args.with_subcharts {
        let extra: Vec<String> = paths.iter().flat_map(|p| subchart_paths(p)).collect();
        paths.extend(extra);
    }
    let ctx = LintContext {
        values: args.values.merge()?,
        namespace: settings.namespace(),
        kube_version: args.kube_version.clone().filter(|k| !k.is_empty()),
        skip_schema_validation: args.skip_schema_validation,
    };
    let rule = template_rule();
    let lowest = if args.strict {
        Severity::Warning
    } else {
        Severity::Error
    };
    let mut report = String::new();
    let mut failed = 0;
    let mut with_findings = 0;
    for path in &paths {
        let (messages, errors) = match lint_path(path, &ctx, rule.as_deref()) {
            LintOutcome::Linted(linter) => {
                let errors = linter
                    .messages
                    .iter()
                    .filter(|m| m.severity >= lowest)
                    .count();
                (linter.messages, errors)
            }
            LintOutcome::Failed(e) => {
                // A chart that could not be linted always counts and prints.
                failed += 1;
                with_findings += 1;
                report.push_str(&format!("==> Linting {path}\nError {e}\n\n"));
                continue;
            }
        };
        let has_findings = errors > 0 || messages.iter().any(|m| m.severity > Severity::Info);
        if has_findings {
            with_findings += 1;
        }
        if args.quiet && !has_findings {
            continue;
        }
        report.push_str(&format!("==> Linting {path}\n"));
        for m in &messages {
            if !args.quiet || m.severity > Severity::Info {
                report.push_str(&format!("{m}\n"));
            }
        }
        if errors > 0 {
            failed += 1;
        }
        report.push('\n');
    }
    let mut out = std::io::stdout().lock();
    out.write_all(report.as_bytes())?;
    let summary = format!("{} chart(s) linted, {failed} chart(s) failed", paths.len());
    if failed > 0 {
        anyhow::bail!(summary);
    }
    if !args.quiet || with_findings > 0 {
        writeln!(out, "{summary}")?;
    }
    Ok(())
}
