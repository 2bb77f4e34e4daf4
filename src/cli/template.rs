//! `rudder template [NAME] [CHART]`: render a chart locally and print the
//! manifests as `helm template` does.

use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args as ClapArgs;
use rudder::chart::archive::BufferedFile;
use rudder::chart::dependencies::missing_dependencies_error;
use rudder::chart::ArchiveObserver;
use rudder::log::{Level, Record};
use rudder::render::parse_ahead::{ParseAhead, ParseQueue};
use rudder::values::schema_ahead::SchemaAhead;

use super::diagnostics::with_template_snippet;
use rudder::render::manifest::{source_doc, source_path, split_manifests};
use rudder::render::objects::{Capabilities, KubeVersion, ReleaseOptions};
use rudder::render::pipeline::{render_chart, PipelineError, RenderRequest};
use rudder::values::options::split_string_slice;

use super::chart_path::{locate_chart, ChartPathArgs};
use super::logger::{log_line, logger};
use super::settings::Settings;
use super::values_args::ValuesArgs;

const USAGE: &str = "rudder template [NAME] [CHART] [flags]";

#[derive(ClapArgs, Debug)]
pub struct Args {
    #[arg(value_name = "NAME")]
    args: Vec<String>,

    #[command(flatten)]
    values: ValuesArgs,

    // --- template ---
    /// only show manifests rendered from the given templates
    #[arg(short = 's', long = "show-only", value_name = "stringArray")]
    show_only: Vec<String>,
    /// writes the executed templates to files in output-dir instead of stdout
    #[arg(long = "output-dir", value_name = "string")]
    output_dir: Option<String>,
    /// deprecated
    #[arg(long, hide = true)]
    validate: bool,
    /// include CRDs in the templated output
    #[arg(long = "include-crds")]
    include_crds: bool,
    /// skip tests from templated output
    #[arg(long = "skip-tests")]
    skip_tests: bool,
    /// set .Release.IsUpgrade instead of .Release.IsInstall
    #[arg(long = "is-upgrade")]
    is_upgrade: bool,
    /// Kubernetes version used for Capabilities.KubeVersion
    #[arg(long = "kube-version", value_name = "string")]
    kube_version: Option<String>,
    /// Kubernetes api versions used for Capabilities.APIVersions (multiple can be specified)
    #[arg(short = 'a', long = "api-versions", value_name = "strings")]
    api_versions: Vec<String>,
    /// use release name in the output-dir path.
    #[arg(long = "release-name")]
    release_name: bool,
    /// simulates the operation either client-side or server-side. Must be either: "client", or "server". '--dry-run=client simulates the operation client-side only and avoids cluster connections. '--dry-run=server' simulates/validates the operation on the server, requiring cluster connectivity.
    #[arg(long = "dry-run", value_name = "string", num_args = 0..=1, require_equals = true, default_missing_value = "unset")]
    dry_run: Option<String>,
    /// the path to an executable to be used for post rendering. If it exists in $PATH, the binary will be used, otherwise it will try to look for the executable at the given path
    #[arg(long = "post-renderer", value_name = "postRendererString")]
    post_renderer: Option<String>,
    /// an argument to the post-renderer (can specify multiple)
    #[arg(long = "post-renderer-args", value_name = "postRendererArgsSlice")]
    post_renderer_args: Vec<String>,

    // --- install flags ---
    /// create the release namespace if not present
    #[arg(long = "create-namespace")]
    create_namespace: bool,
    /// force resource updates by replacement
    #[arg(long = "force-replace")]
    force_replace: bool,
    /// deprecated
    #[arg(long, hide = true)]
    force: bool,
    /// if set server-side apply will force changes against conflicts
    #[arg(long = "force-conflicts")]
    force_conflicts: bool,
    /// object updates run in the server instead of the client
    #[arg(long = "server-side", value_name = "bool", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    server_side: Option<String>,
    /// prevent hooks from running during install
    #[arg(long = "no-hooks")]
    no_hooks: bool,
    /// reuse the given name, only if that name is a deleted release which remains in the history. This is unsafe in production
    #[arg(long)]
    replace: bool,
    /// time to wait for any individual Kubernetes operation (like Jobs for hooks)
    #[arg(long, value_name = "duration")]
    timeout: Option<String>,
    /// if set and --wait enabled, will wait until all Jobs have been completed before marking the release as successful. It will wait for as long as --timeout
    #[arg(long = "wait-for-jobs")]
    wait_for_jobs: bool,
    /// wait until resources are ready (up to --timeout). Use '--wait' alone for 'watcher' strategy, or specify one of: 'watcher', 'hookOnly', 'legacy'. Default when flag is omitted: 'hookOnly'.
    #[arg(long, value_name = "WaitStrategy", num_args = 0..=1, require_equals = true, default_missing_value = "watcher")]
    wait: Option<String>,
    /// generate the name (and omit the NAME parameter)
    #[arg(short = 'g', long = "generate-name")]
    generate_name: bool,
    /// specify template used to name the release
    #[arg(long = "name-template", value_name = "string")]
    name_template: Option<String>,
    /// add a custom description
    #[arg(long, value_name = "string")]
    description: Option<String>,
    /// use development versions, too. Equivalent to version '>0.0.0-0'. If --version is set, this is ignored
    #[arg(long)]
    devel: bool,
    /// update dependencies if they are missing before installing the chart
    #[arg(long = "dependency-update")]
    dependency_update: bool,
    /// if set, the installation process will not validate rendered templates against the Kubernetes OpenAPI Schema
    #[arg(long = "disable-openapi-validation")]
    disable_openapi_validation: bool,
    /// if set, Helm will rollback (uninstall) the installation upon failure. The --wait flag will be default to "watcher" if --rollback-on-failure is set
    #[arg(long = "rollback-on-failure")]
    rollback_on_failure: bool,
    /// deprecated
    #[arg(long, hide = true)]
    atomic: bool,
    /// if set, no CRDs will be installed. By default, CRDs are installed if not already present
    #[arg(long = "skip-crds")]
    skip_crds: bool,
    /// if set, render subchart notes along with the parent
    #[arg(long = "render-subchart-notes", hide = true)]
    render_subchart_notes: bool,
    /// if set, disables JSON schema validation
    #[arg(long = "skip-schema-validation")]
    skip_schema_validation: bool,
    /// Labels that would be added to release metadata. Should be divided by comma.
    #[arg(short = 'l', long, value_name = "stringToString")]
    labels: Vec<String>,
    /// enable DNS lookups when rendering templates
    #[arg(long = "enable-dns")]
    enable_dns: bool,
    /// if set, do not show notes in install output. Does not affect presence in chart metadata
    #[arg(long = "hide-notes", hide = true)]
    hide_notes: bool,
    /// if set, install will ignore the check for helm annotations and take ownership of the existing resources
    #[arg(long = "take-ownership")]
    take_ownership: bool,

    #[command(flatten)]
    path: ChartPathArgs,
}

/// An error after which helm had a release: printed with its debug hint.
#[derive(Debug)]
struct WithDebugHint(String);

impl std::fmt::Display for WithDebugHint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}\n\nUse --debug flag to render out invalid YAML",
            self.0
        )
    }
}

impl std::error::Error for WithDebugHint {}

/// Chart archives from this size on are read with their templates parsed
/// (and schemas compiled) while they inflate, on both cores. Below it
/// inflating takes ~3 ms or less, and the overlap saved under 2 ms while
/// holding ~1.5 MiB more at the peak: the parse trees then already exist
/// while the values are loaded, coalesced and validated, instead of taking
/// over the memory those steps free. Above it (kube-prometheus-stack,
/// 0.9 MB: 7 MB to inflate) it saves ~15% of the time for ~0.8 MiB.
/// Not with `--include-crds`: the CRDs (4.7 MB there) are then held to the
/// end, the peak is already highest, and the overlap's ~0.8 MiB put it at
/// helm's 0.2x (the memory goal) for a ~35% faster run.
const OVERLAP_MIN_ARCHIVE_BYTES: u64 = 512 * 1024;

/// Helm's `NameAndChart`.
fn name_and_chart(args: &Args, settings_free_name: &str) -> anyhow::Result<(String, String)> {
    let a = &args.args;
    if a.is_empty() {
        return Err(super::usage_error(
            "\"rudder template\" requires at least 1 argument",
            USAGE,
        ));
    }
    let flags_not_set = || -> anyhow::Result<()> {
        if args.generate_name {
            anyhow::bail!("cannot set --generate-name and also specify a name");
        }
        if args.name_template.as_deref().is_some_and(|t| !t.is_empty()) {
            anyhow::bail!("cannot set --name-template and also specify a name");
        }
        Ok(())
    };
    if a.len() > 2 {
        anyhow::bail!(
            "expected at most two arguments, unexpected arguments: {}",
            a[2..].join(", ")
        );
    }
    if a.len() == 2 {
        flags_not_set()?;
        return Ok((a[0].clone(), a[1].clone()));
    }
    if let Some(t) = args.name_template.as_deref().filter(|t| !t.is_empty()) {
        return Ok((super::install::template_name(t)?, a[0].clone()));
    }
    Ok((settings_free_name.to_string(), a[0].clone()))
}

/// Writes one document under the output directory (helm's `writeToFile`).
fn write_to_file(dir: &str, name: &str, data: &str, append: bool) -> anyhow::Result<()> {
    let out_name = format!("{dir}/{name}");
    let path = PathBuf::from(&out_name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut f = if append {
        std::fs::OpenOptions::new().append(true).open(&path)?
    } else {
        std::fs::File::create(&path)?
    };
    f.write_all(source_doc(name, data).as_bytes())?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "wrote {out_name}")?;
    Ok(())
}

/// Writes `---\n# Source: PATH\nCONTENT\n`, helm's document framing.
fn write_doc(out: &mut impl Write, path: &str, content: &[u8]) -> std::io::Result<()> {
    out.write_all(b"---\n# Source: ")?;
    out.write_all(path.as_bytes())?;
    out.write_all(b"\n")?;
    out.write_all(content)?;
    out.write_all(b"\n")
}

/// Prints the release as `helm template` does, straight from the rendered
/// documents (no intermediate copies of the whole output): the manifest
/// documents (CRDs first) joined, trimmed and ended with a newline, then
/// the hook documents. File contents are written as their raw bytes, as
/// Go writes its strings.
fn write_release<'a>(
    out: &mut impl Write,
    docs: &[(&str, &[u8])],
    hooks: impl Iterator<Item = (&'a str, &'a [u8])>,
) -> std::io::Result<()> {
    // Every document starts with `---`, so trimming the joined manifest only
    // touches the end of the last document.
    if let Some(((last_path, last), rest)) = docs.split_last() {
        for (path, content) in rest {
            write_doc(out, path, content)?;
        }
        let mut tail = Vec::with_capacity(last.len() + last_path.len() + 16);
        write_doc(&mut tail, last_path, last)?;
        let kept = match std::str::from_utf8(&tail) {
            Ok(text) => text.trim_end().len(),
            Err(_) => tail.trim_ascii_end().len(),
        };
        out.write_all(&tail[..kept])?;
    }
    out.write_all(b"\n")?;
    for (path, content) in hooks {
        write_doc(out, path, content)?;
    }
    Ok(())
}

/// Cobra's notices for deprecated flags that were used.
fn deprecated_flag_notices(args: &Args) {
    super::flag_rules::deprecation_notices(&[
        (args.force, "force", "use --force-replace instead"),
        (args.atomic, "atomic", "use --rollback-on-failure instead"),
        (
            args.hide_notes,
            "hide-notes",
            "this flag has no effect for 'helm template' and will be removed in Helm 5",
        ),
        (
            args.render_subchart_notes,
            "render-subchart-notes",
            "this flag has no effect for 'helm template' and will be removed in Helm 5",
        ),
        (args.validate, "validate", "use '--dry-run=server' instead"),
    ]);
}

/// Ends the process with status 0 once everything is written, skipping
/// the C library's exit handlers: mimalloc's (statically linked) collects
/// the heap and hands freed memory back to the kernel page range by page
/// range (~0.3 ms on argo-cd), which the process exit does at once anyway.
/// stdout is flushed here again in case; stderr is unbuffered.
/// A build instrumented for profile-guided optimisation exits normally:
/// its profile is written by an exit handler.
fn exit_at_once() -> ! {
    let _ = std::io::stdout().flush();
    if cfg!(rudder_profile_generate) {
        std::process::exit(0);
    }
    extern "C" {
        fn _exit(status: std::ffi::c_int) -> !;
    }
    // SAFETY: `_exit` ends the process without running anything of this
    // one; all it takes is the status.
    unsafe { _exit(0) }
}

/// `--dry-run=server` (or `--validate`) needs a cluster; without one helm
/// fails its reachability check.
fn cluster_unreachable() -> anyhow::Error {
    let cause = "kubernetes cluster unreachable: Get \"http://localhost:8080/version\": dial tcp 127.0.0.1:8080: connect: connection refused";
    log_line(Record::new(
        Level::Error,
        format!("cluster reachability check failed: {cause}"),
    ));
    anyhow::anyhow!("cluster reachability check failed: {cause}")
}

pub fn run(args: Args, settings: &Settings) -> anyhow::Result<()> {
    if let Some(name) = &args.post_renderer {
        // Helm 4 post-renderers are plugins; none are installed here.
        anyhow::bail!(
            "invalid argument \"{name}\" for \"--post-renderer\" flag: plugin: {{Name:{name} Type:postrenderer/v1}} not found"
        );
    }
    deprecated_flag_notices(&args);
    // cobra checks the argument count before the flag groups and the run
    // itself (whose first act, with --debug, is a log line).
    if args.args.is_empty() {
        return Err(super::usage_error(
            "\"rudder template\" requires at least 1 argument",
            USAGE,
        ));
    }
    let [replace, force] =
        super::flag_rules::force_groups(args.force, args.force_replace, args.force_conflicts);
    super::flag_rules::exclusive_groups(&[
        &replace,
        &force,
        &[
            ("validate", args.validate),
            ("dry-run", args.dry_run.is_some()),
        ],
    ])?;
    let kube_version = match args.kube_version.as_deref().filter(|k| !k.is_empty()) {
        Some(k) => Some(
            KubeVersion::parse(k)
                .map_err(|e| anyhow::anyhow!("invalid kube version '{k}': {e}"))?,
        ),
        None => None,
    };
    if let Some(v) = args.dry_run.as_deref() {
        match v {
            "unset" => log_line(Record::new(
                Level::Warn,
                "--dry-run is deprecated and should be replaced with '--dry-run=client'",
            )),
            "client" => {}
            "server" => {}
            "none" | "false" | "0" | "f" | "F" | "FALSE" | "False" => {
                anyhow::bail!("invalid dry-run value ({}). Must be \"server\" or \"client\"", rudder::values::strvals::go_quote(v))
            }
            "true" | "1" | "t" | "T" | "TRUE" | "True" => log_line(Record::new(
                Level::Warn,
                format!("boolean '--dry-run={v}' flag is deprecated and must be replaced with '--dry-run=client'"),
            )),
            other => anyhow::bail!(
                "invalid dry-run value ({}). Must be \"none\", \"server\", or \"client\"",
                rudder::values::strvals::go_quote(other)
            ),
        }
    }

    let mut log = logger(settings.debug);
    log(Record::new(Level::Debug, "Original chart version")
        .attr("version", args.path.version.clone().unwrap_or_default()));
    let (name, chart_ref) = name_and_chart(&args, "release-name")?;
    let chart_path = locate_chart(&chart_ref, &args.path, settings)?;
    log(Record::new(Level::Debug, "Chart path").attr("path", chart_path.display().to_string()));

    let user_values = args.values.merge()?;

    // Files template never reads unless a template asks are left unread.
    let deferral = if args.include_crds {
        rudder::chart::Deferral::BigFiles
    } else {
        rudder::chart::Deferral::BigFilesAndCrds
    };
    // A big archive takes long to inflate: meanwhile both cores parse its
    // templates and compile its schemas (see `OVERLAP_MIN_ARCHIVE_BYTES`).
    let queue = ParseQueue::default();
    let schemas = SchemaAhead::default();
    let mut ahead = ParseAhead::default();
    let overlap = !args.include_crds
        && std::fs::metadata(&chart_path)
            .is_ok_and(|m| m.is_file() && m.len() >= OVERLAP_MIN_ARCHIVE_BYTES);
    // A smaller one is parsed on a helper thread once it is read, while
    // this thread processes dependencies and values (not with
    // `--include-crds`, whose held CRDs already make the peak).
    let background = !overlap && !args.include_crds;
    let prepare = |top: &str, file: &BufferedFile| {
        if !overlap {
            if background {
                queue.offer(top, file);
            }
            return None;
        }
        schemas.offer(file);
        queue.offer(top, file)
    };
    let mut accept = |()| ahead.parse_queued(&queue);
    let finish = || {
        if overlap {
            schemas.compile_offered();
            queue.help();
        }
    };
    // Observed in any case: the loader then parses the values files while
    // the rest of the archive inflates.
    let observer = Some(ArchiveObserver {
        prepare: &prepare,
        accept: &mut accept,
        finish: &finish,
    });
    let mut chart = rudder::chart::load_for_action_observed(&chart_path, deferral, observer)?;
    if background {
        ahead = ParseAhead::in_background(queue);
        // Files that define templates first (rendering needs them all
        // before it starts), then the others in the order they render
        // (rendering starts before they are all parsed).
        ahead.prioritize(
            rudder::render::engine::may_define,
            rudder::render::engine::helm_order,
        );
    } else {
        ahead.adopt(queue);
    }
    if !matches!(chart.metadata.chart_type.as_str(), "" | "application") {
        anyhow::bail!("{} charts are not installable", chart.metadata.chart_type);
    }
    if chart.metadata.deprecated {
        log_line(Record::new(Level::Warn, "this chart is deprecated"));
    }
    super::dependency::check_or_update(
        &chart_path,
        &mut chart,
        args.dependency_update,
        &args.path,
        settings,
        missing_dependencies_error,
    )?;

    if args.validate || args.dry_run.as_deref() == Some("server") {
        return Err(cluster_unreachable());
    }

    super::install::check_release_name(&name)?;

    let api_versions: Vec<String> = args
        .api_versions
        .iter()
        .flat_map(|v| split_string_slice(v))
        .collect();
    let request = RenderRequest {
        release: ReleaseOptions {
            name: name.clone(),
            namespace: settings.namespace(),
            revision: 1,
            is_install: !args.is_upgrade,
            is_upgrade: args.is_upgrade,
        },
        capabilities: Capabilities::for_template(kube_version, &api_versions),
        skip_schema_validation: args.skip_schema_validation,
        // The chart is dropped after printing.
        consume_chart_values: true,
        engine: rudder::render::engine::EngineOptions {
            skip_teardown: true,
            ..settings.engine_options(args.enable_dns)
        },
        parsed_ahead: Some(ahead),
        schemas_ahead: Some(schemas),
    };

    let result = render_chart(&mut chart, &user_values, request, &mut log);
    let rendered = match result {
        Ok(r) => r,
        Err(e) => {
            if settings.debug && e.after_release() {
                let mut out = std::io::stdout().lock();
                if let PipelineError::Manifest(_, files, raw) = &e {
                    // Helm writes its map of files in Go map order: for a
                    // small chart most often the order it rendered them in.
                    let mut names: Vec<String> = files.keys().cloned().collect();
                    rudder::render::engine::Engine::sort_names(&mut names);
                    let mut blob: Vec<u8> = Vec::new();
                    for n in &names {
                        let content = &files[n];
                        if content.trim().is_empty() {
                            continue;
                        }
                        match raw.get(n) {
                            // Bytes that are not UTF-8 are written as they are.
                            Some(bytes) => {
                                blob.extend_from_slice(format!("---\n# Source: {n}\n").as_bytes());
                                blob.extend_from_slice(bytes);
                                blob.push(b'\n');
                            }
                            None => blob.extend_from_slice(source_doc(n, content).as_bytes()),
                        }
                    }
                    out.write_all(blob.trim_ascii())?;
                    writeln!(out)?;
                } else {
                    writeln!(out)?;
                }
                return Err(with_template_snippet(e.into(), &chart, true));
            }
            if e.after_release() {
                return Err(WithDebugHint(e.to_string()).into());
            }
            return Err(with_template_snippet(e.into(), &chart, settings.debug));
        }
    };

    // The release manifest: CRDs (with --include-crds), then manifests.
    let output_dir = args.output_dir.as_deref().filter(|d| !d.is_empty());
    if output_dir.is_none() && args.show_only.is_empty() {
        let crds = if args.include_crds {
            chart.crd_objects()
        } else {
            Vec::new()
        };
        let mut docs: Vec<(&str, &[u8])> = crds
            .iter()
            .map(|c| (c.filename.as_str(), &c.data[..]))
            .collect();
        docs.extend(
            rendered
                .manifests
                .iter()
                .map(|m| (m.name.as_str(), m.content.as_bytes())),
        );
        let hooks = rendered
            .hooks
            .iter()
            .filter(|h| !args.no_hooks && (!args.skip_tests || !h.is_test()))
            .map(|h| (h.path.as_str(), h.manifest.as_bytes()));
        let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        write_release(&mut out, &docs, hooks)?;
        out.flush()?;
        drop(out);
        // Done: exit without tearing down the chart, values and output
        // (many small objects; the kernel frees the memory at once).
        exit_at_once();
    }
    let release_dir = output_dir.map(|d| {
        if args.release_name {
            rudder::helmpath::go_clean(&format!("{d}/{name}"))
        } else {
            d.to_string()
        }
    });
    let mut manifest = String::new();
    let mut written: HashSet<String> = HashSet::new();
    if args.include_crds {
        for crd in chart.crd_objects() {
            let data = String::from_utf8_lossy(&crd.data).into_owned();
            match output_dir {
                None => manifest.push_str(&source_doc(&crd.filename, &data)),
                Some(dir) => {
                    write_to_file(dir, &crd.filename, &data, written.contains(&crd.filename))?;
                    written.insert(crd.filename.clone());
                }
            }
        }
    }
    let mut written_release: HashSet<String> = HashSet::new();
    for m in &rendered.manifests {
        match &release_dir {
            None => manifest.push_str(&source_doc(&m.name, &m.content)),
            Some(dir) => {
                write_to_file(dir, &m.name, &m.content, written_release.contains(&m.name))?;
                written_release.insert(m.name.clone());
            }
        }
    }

    let mut all = format!("{}\n", manifest.trim());
    if !args.no_hooks {
        let mut hook_written: BTreeMap<String, bool> = BTreeMap::new();
        for h in &rendered.hooks {
            if args.skip_tests && h.is_test() {
                continue;
            }
            match &release_dir {
                None => all.push_str(&source_doc(&h.path, &h.manifest)),
                Some(dir) => {
                    if Path::new(dir).join(&h.path).exists() {
                        hook_written.insert(h.path.clone(), true);
                    }
                    let append = hook_written.get(&h.path).copied().unwrap_or(false);
                    write_to_file(dir, &h.path, &h.manifest, append)?;
                }
            }
        }
    }

    let mut out = std::io::stdout().lock();
    if !args.show_only.is_empty() {
        let docs = split_manifests(&all);
        let mut selected: Vec<&str> = Vec::new();
        for f in &args.show_only {
            let mut missing = true;
            for doc in &docs {
                let Some(path) = source_path(doc) else {
                    continue;
                };
                if !rudder::chart::gomatch::go_match(f, path).unwrap_or(false) {
                    continue;
                }
                selected.push(doc);
                missing = false;
            }
            if missing {
                anyhow::bail!("could not find template {f} in chart");
            }
        }
        for doc in selected {
            write!(out, "---\n{doc}\n")?;
        }
    } else {
        out.write_all(all.as_bytes())?;
    }
    Ok(())
}
