//! Template expressions rendered by rudder against helm's goldens
//! (testdata/expressions: `regen.py` writes them with the real helm; the
//! cases came from a differential run of random expressions). Each case is
//! a chart whose one template prints the expression's type, `toString` and
//! `toJson`; stdout, stderr and the exit code must match.

use std::path::PathBuf;
use std::process::Command;

use crate::template::isolated;

const TEMPLATE: &str = "a: {{ typeOf (EXPR) | b64enc }}\nb: {{ (EXPR) | toString | b64enc }}\nc: {{ (EXPR) | toJson | b64enc }}\n";

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/expressions")
}

#[test]
fn expressions_match_helm_goldens() {
    let values = std::fs::read_to_string(dir().join("values.yaml")).expect("values.yaml");
    let goldens = std::fs::read_to_string(dir().join("goldens.jsonl")).expect("goldens.jsonl");
    let mut failures = Vec::new();
    let mut count = 0;
    for line in goldens.lines().filter(|l| !l.trim().is_empty()) {
        let golden: serde_json::Value = serde_json::from_str(line).expect("golden line");
        let expr = golden["expr"].as_str().expect("expr");
        let tmp = tempfile::tempdir().expect("tempdir");
        let chart = tmp.path().join("t");
        std::fs::create_dir_all(chart.join("templates")).expect("mkdir");
        std::fs::write(
            chart.join("Chart.yaml"),
            "apiVersion: v2\nname: t\nversion: 0.1.0\n",
        )
        .expect("Chart.yaml");
        std::fs::write(chart.join("values.yaml"), &values).expect("values.yaml");
        std::fs::write(
            chart.join("templates/a.yaml"),
            TEMPLATE.replace("EXPR", expr),
        )
        .expect("template");
        let out = isolated(
            Command::new(env!("CARGO_BIN_EXE_rudder"))
                .args(["template", "t"])
                .arg(&chart),
            tmp.path(),
        )
        .output()
        .expect("run rudder");
        let got = (
            out.status.code().unwrap_or(-1) as i64,
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        );
        let want = (
            golden["exit"].as_i64().expect("exit"),
            golden["stdout"].as_str().expect("stdout").to_string(),
            golden["stderr"].as_str().expect("stderr").to_string(),
        );
        if got != want {
            failures.push(format!("{expr}\n  helm:   {want:?}\n  rudder: {got:?}"));
        }
        count += 1;
    }
    assert!(count >= 100, "only {count} expression goldens");
    assert!(
        failures.is_empty(),
        "{} of {count} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
