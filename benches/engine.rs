//! Per-phase timings of `rudder template` on big real charts, so performance
//! work can see where the time goes:
//!
//! * `load`     – read and unpack the `.tgz` into a `Chart` (gzip, tar, YAML);
//! * `values`   – dependency processing (conditions, tags, import-values) and
//!   coalescing the values of the whole chart tree;
//! * `contexts` – building every template's context (`.Values`, `.Chart`, ...);
//! * `parse`    – lexing and parsing every template of the tree;
//! * `render`   – the engine's full render (it parses again, then executes;
//!   `execute ≈ render − parse` is printed too);
//! * `sort`     – splitting the output into manifests and hooks, ordering them;
//! * `total`    – everything but the standalone `parse` (render includes it).
//!
//! A plain `harness = false` program (no criterion) to keep the build lean:
//!
//! ```text
//! cargo bench --bench engine                  # every chart, 10 rounds
//! cargo bench --bench engine -- argo 30       # charts whose name has "argo", 30 rounds
//! ```
//!
//! The charts come from `../shared/corpus/charts/` next to the repository; if
//! that directory is absent the bench prints a note and exits successfully.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use rudder::chart::dependencies::process_dependencies;
use rudder::chart::Chart;
use rudder::log::Record;
use rudder::render::engine::{Engine, EngineOptions, TemplateFile};
use rudder::render::exec::resolve_in;
use rudder::render::funcs::standard_registry;
use rudder::render::manifest::sort_manifests;
use rudder::render::objects::{Capabilities, ReleaseOptions};
use rudder::render::parse::parse;
use rudder::render::pipeline::template_files;
use rudder::value::Value;
use rudder::values::coalesce::coalesce_values;

/// Big charts of the shared corpus: many templates, deep helper libraries.
const CHARTS: &[&str] = &[
    "kube-prometheus-stack-88.5.3.tgz",
    "kube-prometheus-11.3.11.tgz",
    "argo-cd-11.0.2.tgz",
    "airflow-25.1.0.tgz",
];

const PHASES: &[&str] = &["load", "values", "contexts", "parse", "render", "sort"];

fn main() {
    // `cargo bench` passes `--bench`; the rest are an optional name filter
    // and round count.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let filter = args.first().cloned().unwrap_or_default();
    let rounds: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(10);

    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/charts");
    if !dir.is_dir() {
        println!(
            "engine bench skipped: {} not found (the shared corpus is not checked out)",
            dir.display()
        );
        return;
    }
    // Deep helper recursion needs the CLI's stack, as in src/main.rs.
    let worker = std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(move || run(&dir, &filter, rounds))
        .expect("spawn bench thread");
    if worker.join().is_err() {
        std::process::exit(1);
    }
}

fn run(dir: &Path, filter: &str, rounds: usize) {
    println!(
        "{:<34} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}  (median of {rounds} rounds)",
        "chart", "load", "values", "contexts", "parse", "render", "execute", "sort", "total"
    );
    for name in CHARTS.iter().filter(|n| n.contains(filter)) {
        let path = dir.join(name);
        if !path.is_file() {
            println!("{name:<34} missing, skipped");
            continue;
        }
        match bench_chart(&path, rounds) {
            Ok((times, files, bytes)) => {
                let med: BTreeMap<&str, Duration> =
                    PHASES.iter().map(|p| (*p, median(&times[*p]))).collect();
                let execute = med["render"].saturating_sub(med["parse"]);
                // `render` parses again, so the standalone `parse` is not added.
                let total: Duration = PHASES
                    .iter()
                    .filter(|p| **p != "parse")
                    .map(|p| med[*p])
                    .sum();
                println!(
                    "{:<34} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}  {files} templates, {bytes} bytes out",
                    name.trim_end_matches(".tgz"),
                    ms(med["load"]),
                    ms(med["values"]),
                    ms(med["contexts"]),
                    ms(med["parse"]),
                    ms(med["render"]),
                    ms(execute),
                    ms(med["sort"]),
                    ms(total),
                );
            }
            Err(e) => println!("{name:<34} error: {e}"),
        }
    }
}

type Timings = BTreeMap<&'static str, Vec<Duration>>;

/// Runs every phase `rounds` times on one chart; returns the timings, the
/// number of templates and the rendered size.
fn bench_chart(path: &Path, rounds: usize) -> Result<(Timings, usize, usize), String> {
    let mut times: Timings = PHASES.iter().map(|p| (*p, Vec::new())).collect();
    let mut quiet = |_: Record| {};
    let release = ReleaseOptions {
        name: "bench".into(),
        namespace: "default".into(),
        revision: 1,
        is_install: true,
        is_upgrade: false,
    };
    let capabilities = Capabilities::for_template(None, &[]);
    let registry = standard_registry();
    let resolve = |name: &str| resolve_in(&registry, name);
    let (mut n_files, mut n_bytes) = (0, 0);

    for _ in 0..rounds.max(1) {
        let t = Instant::now();
        let mut chart: Chart =
            rudder::chart::loader::load_archive_file(path).map_err(|e| e.to_string())?;
        times.get_mut("load").unwrap().push(t.elapsed());

        let t = Instant::now();
        let user = Value::empty_map();
        process_dependencies(&mut chart, &user, &mut quiet).map_err(|e| e.to_string())?;
        let values =
            coalesce_values(&chart, &user, &mut |_: String| {}).map_err(|e| e.to_string())?;
        times.get_mut("values").unwrap().push(t.elapsed());

        let t = Instant::now();
        let files: Vec<TemplateFile> = template_files(&chart, &values, &release, &capabilities);
        times.get_mut("contexts").unwrap().push(t.elapsed());

        let t = Instant::now();
        for f in &files {
            let trees = parse(&f.name, &f.text(), &resolve).map_err(|e| e.0)?;
            std::hint::black_box(trees);
        }
        times.get_mut("parse").unwrap().push(t.elapsed());

        let t = Instant::now();
        let engine = Engine::new(standard_registry(), EngineOptions::default());
        let rendered = engine.render(&files).map_err(|e| e.to_string())?;
        times.get_mut("render").unwrap().push(t.elapsed());

        let t = Instant::now();
        let mut docs = rendered.clone();
        docs.retain(|name, _| !name.ends_with("NOTES.txt"));
        let sorted = sort_manifests(&docs, &mut quiet).map_err(|e| e.to_string())?;
        std::hint::black_box(sorted);
        times.get_mut("sort").unwrap().push(t.elapsed());

        n_files = files.len();
        n_bytes = rendered.values().map(String::len).sum();
    }
    Ok((times, n_files, n_bytes))
}

fn median(v: &[Duration]) -> Duration {
    let mut v = v.to_vec();
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.2}ms", d.as_secs_f64() * 1e3)
}
