//! `rudder template` against goldens recorded from the real helm on charts
//! written for these tests (`testdata/charts/tpl-*`): subcharts, globals,
//! import-values, conditions/tags, aliases, library charts, schemas,
//! `.Files`, `.Capabilities`, hooks, CRDs and the error paths.
//!
//! The cases are `testdata/template/cases.jsonl`; the goldens are
//! regenerated with `testdata/template/regen.sh` (needs the real helm).

use std::path::{Path, PathBuf};
use std::process::Command;

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")
}

struct Case {
    name: String,
    args: Vec<String>,
}

fn cases() -> Vec<Case> {
    let text =
        std::fs::read_to_string(testdata().join("template/cases.jsonl")).expect("cases.jsonl");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("case is JSON");
            Case {
                name: v["name"].as_str().expect("name").to_string(),
                args: v["args"]
                    .as_array()
                    .expect("args")
                    .iter()
                    .map(|a| a.as_str().expect("string arg").to_string())
                    .collect(),
            }
        })
        .collect()
}

fn replace_bytes(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if !from.is_empty() && haystack[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

fn golden(name: &str, ext: &str) -> Vec<u8> {
    let path = testdata()
        .join("template/goldens")
        .join(format!("{name}.{ext}"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

#[test]
fn template_goldens_match_helm() {
    let home = tempfile::tempdir().expect("temp home");
    let mut failures = Vec::new();
    let all = cases();
    assert!(all.len() >= 20, "expected the golden case list");
    for case in &all {
        let out = Command::new(env!("CARGO_BIN_EXE_rudder"))
            .args(&case.args)
            .current_dir(testdata().join("charts"))
            .env_remove("HELM_NAMESPACE")
            .env("HELM_CACHE_HOME", home.path().join("cache"))
            .env("HELM_CONFIG_HOME", home.path().join("config"))
            .env("HELM_DATA_HOME", home.path().join("data"))
            .env("KUBECONFIG", home.path().join("missing"))
            .env("TZ", "UTC")
            .output()
            .expect("run rudder");
        let code = format!("{}\n", out.status.code().unwrap_or(-1));
        let mut problems = Vec::new();
        // regen.sh masks the absolute charts path (symlink log lines)
        let charts = testdata().join("charts").display().to_string();
        // (on bytes: `--debug` output may hold bytes that are not UTF-8)
        let mask = |b: &[u8]| replace_bytes(b, charts.as_bytes(), b"$CHARTS");
        if mask(&out.stdout) != golden(&case.name, "out") {
            problems.push("stdout");
        }
        if mask(&out.stderr) != golden(&case.name, "err") {
            problems.push("stderr");
        }
        if code.as_bytes() != golden(&case.name, "code").as_slice() {
            problems.push("exit code");
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{}: {} differ\n--- stderr:\n{}",
                case.name,
                problems.join(", "),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) differ from helm:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
