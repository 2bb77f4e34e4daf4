//! Chart commands (create, show, package, lint) against goldens generated
//! by the real helm: `tests/goldens/chart/cases.txt` lists the cases,
//! `tests/goldens/regen.sh` regenerates the expected outputs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sha2::{Digest, Sha256};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn goldens() -> PathBuf {
    root().join("tests/goldens/chart")
}

/// A scratch directory removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!(
            "rudder-it-{tag}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        ));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs rudder with fresh helm homes, as the regen script runs helm.
fn rudder(args: &[&str], cwd: &Path, home: &Path, extra_env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rudder"));
    cmd.args(args).current_dir(cwd);
    for (k, _) in std::env::vars() {
        if k.starts_with("HELM_") || k == "SOURCE_DATE_EPOCH" {
            cmd.env_remove(k);
        }
    }
    cmd.env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_DATA_HOME", home.join("data"))
        .env(
            "HELM_REPOSITORY_CONFIG",
            home.join("config/repositories.yaml"),
        )
        .env("HELM_REPOSITORY_CACHE", home.join("cache/repository"))
        .env("KUBECONFIG", home.join("kubeconfig"));
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    cmd.output().expect("run rudder")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

fn error_lines(stderr: &[u8]) -> String {
    String::from_utf8_lossy(stderr)
        .lines()
        .filter(|l| l.starts_with("Error:"))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `sha256 ./path` lines for every file under `dir`, sorted by path.
fn tree_manifest(dir: &Path) -> String {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else if let Ok(data) = std::fs::read(&p) {
                let rel = p.strip_prefix(base).unwrap_or(&p).display().to_string();
                out.push((format!("./{rel}"), sha256_hex(&data)));
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, dir, &mut files);
    files.sort();
    files.iter().map(|(p, h)| format!("{h} {p}\n")).collect()
}

fn check_case(id: &str, kind: &str, args: &[&str]) -> Vec<String> {
    let g = goldens();
    let want_code: i32 = read(&g.join(format!("{id}.code")))
        .trim()
        .parse()
        .unwrap_or(-1);
    let home = Scratch::new("home");
    let mut problems = Vec::new();
    match kind {
        "run" => {
            let out = rudder(args, &root().join("testdata"), &home.0, &[]);
            if out.status.code() != Some(want_code) {
                problems.push(format!("exit {:?} != {want_code}", out.status.code()));
            }
            let want_out = std::fs::read(g.join(format!("{id}.out"))).unwrap_or_default();
            // The goldens mask the checkout's absolute path (see regen.sh).
            let root_s = root().display().to_string();
            let got_out = String::from_utf8_lossy(&out.stdout).replace(&root_s, "<ROOT>");
            if got_out.as_bytes() != want_out {
                problems.push(format!(
                    "stdout differs:\n--- want\n{}\n--- got\n{}",
                    String::from_utf8_lossy(&want_out),
                    got_out
                ));
            }
            let want_err = read(&g.join(format!("{id}.err")));
            if error_lines(&out.stderr).replace(&root_s, "<ROOT>") != want_err {
                problems.push(format!(
                    "error lines differ: want {want_err:?} got {:?}",
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
        }
        "env" => {
            let out = rudder(
                args,
                &root().join("testdata"),
                &home.0,
                &[("HELM_NAMESPACE", "golden")],
            );
            let home_s = home.0.display().to_string();
            let got: String = String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter(|l| !l.starts_with("HELM_BIN="))
                .map(|l| format!("{}\n", l.replace(&home_s, "<HOME>")))
                .collect();
            let want = read(&g.join(format!("{id}.out")));
            if got != want {
                problems.push(format!("env differs:\n--- want\n{want}--- got\n{got}"));
            }
        }
        "create" => {
            let dir = Scratch::new("create");
            let out = rudder(args, &dir.0, &home.0, &[]);
            if out.status.code() != Some(want_code) {
                problems.push(format!("exit {:?} != {want_code}", out.status.code()));
            }
            if out.stdout != std::fs::read(g.join(format!("{id}.out"))).unwrap_or_default() {
                problems.push("stdout differs".into());
            }
            let want = read(&g.join(format!("{id}.tree")));
            let got = tree_manifest(&dir.0);
            if got != want {
                problems.push(format!("tree differs:\n--- want\n{want}--- got\n{got}"));
            }
        }
        "package" => {
            let dest = Scratch::new("package");
            let mut full: Vec<&str> = args.to_vec();
            let dest_s = dest.0.display().to_string();
            full.extend(["-d", &dest_s]);
            let out = rudder(
                &full,
                &root().join("testdata"),
                &home.0,
                &[("SOURCE_DATE_EPOCH", "1700000000")],
            );
            if out.status.code() != Some(want_code) {
                problems.push(format!(
                    "exit {:?} != {want_code}: {}",
                    out.status.code(),
                    String::from_utf8_lossy(&out.stderr)
                ));
                return problems;
            }
            let name = read(&g.join(format!("{id}.name"))).trim().to_string();
            let archive = dest.0.join(&name);
            let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
            let want_line = format!(
                "Successfully packaged chart and saved it to: {}\n",
                archive.display()
            );
            if stdout != want_line {
                problems.push(format!("stdout {stdout:?} != {want_line:?}"));
            }
            let Ok(gz) = std::fs::read(&archive) else {
                problems.push(format!("no archive {name}"));
                return problems;
            };
            let mut tar = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut tar)
                .expect("gunzip");
            let want = read(&g.join(format!("{id}.tar.sha256"))).trim().to_string();
            if sha256_hex(&tar) != want {
                let mut listing = String::new();
                let mut a = tar::Archive::new(&tar[..]);
                for e in a.entries().expect("entries").flatten() {
                    listing.push_str(&format!("{}\n", e.path().expect("path").display()));
                }
                problems.push(format!(
                    "tar stream differs from helm's\n--- want\n{}--- got\n{listing}",
                    read(&g.join(format!("{id}.list")))
                ));
            }
        }
        other => problems.push(format!("unknown kind {other}")),
    }
    problems
}

#[test]
fn chart_commands_match_helm_goldens() {
    let cases = read(&goldens().join("cases.txt"));
    let mut failures = Vec::new();
    let mut count = 0;
    for line in cases.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.splitn(3, '|');
        let (Some(id), Some(kind), Some(args)) = (parts.next(), parts.next(), parts.next()) else {
            panic!("bad case line {line:?}");
        };
        let args: Vec<&str> = args.split_whitespace().collect();
        count += 1;
        let problems = check_case(id, kind, &args);
        if !problems.is_empty() {
            failures.push(format!("{id}: {}", problems.join("; ")));
        }
    }
    assert!(count > 20, "expected the case list, found {count} cases");
    assert!(
        failures.is_empty(),
        "{} of {count} cases differ from helm:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
