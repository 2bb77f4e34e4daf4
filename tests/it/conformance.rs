//! Conformance against helm's own outputs in `../shared`: the 449 template
//! vectors and the real-chart corpus. Cases listed in
//! `tests/conformance/*.pass` passed when the list was last refreshed
//! (`tests/conformance/refresh.sh`); any of them failing now is a regression
//! and fails this test. Skips with a printed reason when `../shared` is absent.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn shared_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    dir.join("tools").is_dir().then_some(dir)
}

fn expected_passing(list: &str) -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/conformance")
        .join(list);
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// Runs a conformance tool with `--show-pass`-style output and returns the ids that passed.
fn passing_ids(cmd: &mut Command) -> (BTreeSet<String>, String) {
    let out = cmd.output().expect("run conformance tool");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let passed = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("PASS "))
        .map(|id| id.split_whitespace().next().unwrap_or("").to_string())
        .collect();
    let summary = stdout.lines().last().unwrap_or("").to_string();
    (passed, summary)
}

fn check(name: &str, list: &str, cmd: &mut Command) {
    let (passed, summary) = passing_ids(cmd);
    println!("{name}: {summary}");
    let regressions: Vec<_> = expected_passing(list)
        .difference(&passed)
        .cloned()
        .collect();
    assert!(
        regressions.is_empty(),
        "{name}: cases that passed before now fail: {regressions:?}"
    );
}

#[test]
fn template_vectors() {
    let Some(shared) = shared_dir() else {
        println!("skipped: ../shared is absent");
        return;
    };
    let mut cmd = Command::new("python3");
    cmd.arg(shared.join("tools/run_vectors.py"))
        .arg(env!("CARGO_BIN_EXE_rudder"))
        .arg(shared.join("vectors"))
        .arg("--show-pass");
    check("vectors", "vectors.pass", &mut cmd);
}

#[test]
fn real_chart_corpus() {
    let Some(shared) = shared_dir() else {
        println!("skipped: ../shared is absent");
        return;
    };
    let mut cmd = Command::new(shared.join("tools/corpus-check"));
    cmd.arg(env!("CARGO_BIN_EXE_rudder")).arg("-v");
    check("corpus", "corpus.pass", &mut cmd);
}
