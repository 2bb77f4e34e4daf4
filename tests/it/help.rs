//! Help as helm prints it: every command's `--help` and the other ways to
//! reach help (a command group alone, `help TOPIC`, mistyped commands),
//! against goldens made by the real helm (`testdata/help/regen.py`, which
//! also explains how `helm` becomes `rudder` in them).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn help_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/help")
}

/// Helm's commands that rudder does not have: plugins and Artifact Hub.
const NOT_IN_RUDDER: &[&str] = &["plugin", "search_hub"];

/// A golden without the lines listing those commands in their parents.
fn without_missing_commands(text: &str) -> String {
    text.split_inclusive('\n')
        .filter(|l| !l.starts_with("  plugin      ") && !l.starts_with("  hub         "))
        .collect()
}

/// rudder under the environment the goldens were made in.
fn rudder(args: &[String]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rudder"));
    cmd.args(args).env_clear().env("HOME", "/home/user");
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    cmd.output().expect("run rudder")
}

#[test]
fn every_command_help_matches_helm() {
    let dir = help_dir().join("goldens");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("help goldens")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(
        names.len() >= 50,
        "expected the help goldens, found {}",
        names.len()
    );
    let mut failures = Vec::new();
    for name in &names {
        let stem = name.trim_end_matches(".txt");
        if NOT_IN_RUDDER
            .iter()
            .any(|c| stem == *c || stem.starts_with(&format!("{c}_")))
        {
            continue;
        }
        let mut args: Vec<String> = if stem == "root" {
            Vec::new()
        } else {
            stem.split('_').map(str::to_string).collect()
        };
        args.push("--help".into());
        let out = rudder(&args);
        let want = without_missing_commands(&std::fs::read_to_string(dir.join(name)).unwrap());
        let got = String::from_utf8_lossy(&out.stdout);
        if got != want || !out.status.success() {
            failures.push(format!(
                "rudder {}:\n--- want\n{want}\n--- got ({})\n{got}",
                args.join(" "),
                out.status
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn help_reached_other_ways_matches_helm() {
    let dir = help_dir().join("cases");
    let cases: Vec<Vec<String>> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("argv.json")).unwrap()).unwrap();
    assert!(cases.len() >= 20);
    let mut failures = Vec::new();
    for (n, args) in cases.iter().enumerate() {
        let read = |ext: &str| {
            without_missing_commands(
                &std::fs::read_to_string(dir.join(format!("{n}.{ext}"))).unwrap(),
            )
        };
        let out = rudder(args);
        let got = (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            format!("{}\n", out.status.code().unwrap_or(-1)),
        );
        let want = (read("out"), read("err"), read("code"));
        if got != want {
            failures.push(format!(
                "rudder {:?}:\n--- want\n{}{}exit {}--- got\n{}{}exit {}",
                args, want.0, want.1, want.2, got.0, got.1, got.2
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
