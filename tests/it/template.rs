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

/// `cmd` with helm's homes under `home`, no cluster, no namespace from the
/// environment and UTC, as `regen.sh` runs helm for the goldens.
pub fn isolated<'a>(cmd: &'a mut Command, home: &Path) -> &'a mut Command {
    cmd.env_remove("HELM_NAMESPACE")
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_DATA_HOME", home.join("data"))
        .env("KUBECONFIG", home.join("missing"))
        .env("TZ", "UTC")
}

#[test]
fn template_goldens_match_helm() {
    let home = tempfile::tempdir().expect("temp home");
    let mut failures = Vec::new();
    let all = cases();
    assert!(all.len() >= 20, "expected the golden case list");
    for case in &all {
        let out = isolated(
            Command::new(env!("CARGO_BIN_EXE_rudder"))
                .args(&case.args)
                .current_dir(testdata().join("charts")),
            home.path(),
        )
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

/// `testdata/charts/<chart>` packaged by helm into `<dir>`, with `replace`
/// swapping some files' contents and, if `big`, a 640 KiB incompressible
/// `pad/blob` added: big enough that rudder parses the templates and
/// compiles the schemas while the archive inflates (archives of 512 KiB
/// and more); a smaller archive has its templates parsed on a helper
/// thread once it is read.
fn packaged_archive(
    helm: &Path,
    home: &Path,
    dir: &Path,
    chart: &str,
    replace: &[(&str, &str)],
    big: bool,
) -> PathBuf {
    let staging = tempfile::tempdir().expect("staging dir");
    let staged = staging.path().join(chart);
    let copy = Command::new("cp")
        .arg("-r")
        .arg(testdata().join("charts").join(chart))
        .arg(&staged)
        .status()
        .expect("cp");
    assert!(copy.success());
    for (file, text) in replace {
        std::fs::write(staged.join(file), text).expect("replace file");
    }
    if big {
        std::fs::create_dir_all(staged.join("pad")).expect("pad dir");
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let blob: Vec<u8> = (0..640 * 1024)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        std::fs::write(staged.join("pad/blob"), blob).expect("pad file");
    }
    let packaged = isolated(
        Command::new(helm)
            .arg("package")
            .arg(&staged)
            .arg("-d")
            .arg(dir),
        home,
    )
    .output()
    .expect("helm package");
    assert!(
        packaged.status.success(),
        "{}",
        String::from_utf8_lossy(&packaged.stderr)
    );
    let path = std::fs::read_dir(dir)
        .expect("package dir")
        .map(|e| e.expect("dir entry").path())
        .find(|p| p.extension().is_some_and(|e| e == "tgz"))
        .expect("the packaged chart");
    let len = std::fs::metadata(&path).expect("archive").len();
    assert_eq!(len > 512 * 1024, big, "archive of {len} bytes");
    path
}

/// Archives take rudder's other loading paths: a big one has its templates
/// parsed and schemas compiled on both cores while it inflates, a small one
/// its templates parsed on a helper thread while the values are processed
/// (neither with `--include-crds`); the trees are then used only for the
/// files and names they were made for, and a library vendored twice is
/// parsed once. The umbrella chart's subcharts, alias, library and schema,
/// a schema failure, a template that does not parse (in a disabled and in
/// an enabled subchart) and the twice-vendored library come out exactly as
/// helm prints them, with and without the CRDs.
#[test]
fn archives_render_as_helm_renders_them() {
    let Some(helm) = crate::release_support::helm_bin() else {
        println!("skipped: the real helm is absent (set HELM_BIN)");
        return;
    };
    let home = tempfile::tempdir().expect("temp home");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut cases: Vec<Vec<String>> = Vec::new();
    for big in [true, false] {
        let at = |name: &str| {
            let d = dir.path().join(format!("{name}-{big}"));
            std::fs::create_dir_all(&d).expect("dir");
            d
        };
        let good = packaged_archive(&helm, home.path(), &at("good"), "tpl-umbrella", &[], big);
        let bad = packaged_archive(
            &helm,
            home.path(),
            &at("bad"),
            "tpl-umbrella",
            &[(
                "charts/tpl-tagged/templates/cm.yaml",
                "kind: ConfigMap\n{{ if }}\n",
            )],
            big,
        );
        let vendored =
            packaged_archive(&helm, home.path(), &at("lib"), "tpl-vendored-lib", &[], big);
        let good = good.display().to_string();
        let bad = bad.display().to_string();
        let vendored = vendored.display().to_string();
        let args: Vec<Vec<&str>> = vec![
            vec!["template", "rel", &good, "-n", "ns1"],
            vec![
                "template",
                "rel",
                &good,
                "--include-crds",
                "--set",
                "tags.extras=true",
            ],
            vec!["template", "rel", &good, "--set", "second.enabled=false"],
            vec!["template", "rel", &good, "--set", "replicas=0"],
            vec!["template", "rel", &bad, "--set", "tags.extras=true"],
            vec!["template", "rel", &bad],
            vec!["template", "rel", &vendored],
            vec![
                "template",
                "rel",
                &vendored,
                "--set",
                "s2.boom=true,s2.m.a=1",
            ],
        ];
        cases.extend(
            args.into_iter()
                .map(|a| a.into_iter().map(str::to_string).collect()),
        );
    }
    let run = |bin: &Path, args: &[String]| {
        isolated(Command::new(bin).args(args), home.path())
            .output()
            .expect("run")
    };
    let mut failures = Vec::new();
    for args in &cases {
        let want = run(&helm, args);
        let got = run(Path::new(env!("CARGO_BIN_EXE_rudder")), args);
        if (&want.stdout, &want.stderr, want.status.code())
            != (&got.stdout, &got.stderr, got.status.code())
        {
            failures.push(format!(
                "{args:?}: helm exit {:?}, rudder exit {:?}\n--- helm stderr:\n{}--- rudder stderr:\n{}",
                want.status.code(),
                got.status.code(),
                String::from_utf8_lossy(&want.stderr),
                String::from_utf8_lossy(&got.stderr)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
