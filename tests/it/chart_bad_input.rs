//! Hostile and broken charts: every one is refused with a single
//! `Error: ...` line and exit status 1, never a panic.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// One tar entry for a hand-made archive (names are written verbatim, so
/// archives no well-behaved tool would produce can be built).
struct Entry<'a> {
    name: &'a str,
    data: Vec<u8>,
    typeflag: u8,
    link: &'a str,
}

fn file<'a>(name: &'a str, data: &[u8]) -> Entry<'a> {
    Entry {
        name,
        data: data.to_vec(),
        typeflag: b'0',
        link: "",
    }
}

fn octal(field: &mut [u8], value: u64) {
    let s = format!("{value:0width$o}", width = field.len() - 1);
    field[..s.len()].copy_from_slice(s.as_bytes());
}

fn tar(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    for e in entries {
        let mut h = [0u8; 512];
        h[..e.name.len()].copy_from_slice(e.name.as_bytes());
        octal(&mut h[100..108], 0o644);
        octal(&mut h[108..116], 0);
        octal(&mut h[116..124], 0);
        octal(&mut h[124..136], e.data.len() as u64);
        octal(&mut h[136..148], 1_700_000_000);
        h[156] = e.typeflag;
        h[157..157 + e.link.len()].copy_from_slice(e.link.as_bytes());
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        let sum: u64 = h
            .iter()
            .enumerate()
            .map(|(i, b)| {
                if (148..156).contains(&i) {
                    32
                } else {
                    u64::from(*b)
                }
            })
            .sum();
        octal(&mut h[148..155], sum);
        h[155] = b' ';
        out.extend_from_slice(&h);
        out.extend_from_slice(&e.data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).expect("gzip");
    enc.finish().expect("gzip")
}

const CHART_YAML: &[u8] = b"apiVersion: v2\nname: c\nversion: 1.0.0\n";

struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Scratch {
        let dir = std::env::temp_dir().join(format!(
            "rudder-bad-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        ));
        std::fs::create_dir_all(&dir).expect("scratch");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `rudder <args>` in `cwd`, with helm homes inside it.
fn rudder_in(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rudder"))
        .args(args)
        .current_dir(cwd)
        .env("HELM_CACHE_HOME", cwd.join(".home/cache"))
        .env("HELM_CONFIG_HOME", cwd.join(".home/config"))
        .env("HELM_DATA_HOME", cwd.join(".home/data"))
        .output()
        .expect("run rudder")
}

/// A chart directory `c` (just its Chart.yaml) in `dir`.
fn chart_c(dir: &Path) -> PathBuf {
    let chart = dir.join("c");
    std::fs::create_dir_all(&chart).expect("mkdir");
    std::fs::write(chart.join("Chart.yaml"), CHART_YAML).expect("write");
    chart
}

/// Runs `rudder <args>` and checks the failure is one `Error:` line with
/// exit status 1; returns that line.
fn fails_cleanly(args: &[&str], cwd: &Path) -> String {
    let out = rudder_in(args, cwd);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{args:?}: stderr {stderr:?}");
    assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
    // helm's slog lines (e.g. about followed symlinks) may precede the error.
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.starts_with("level="))
        .collect();
    assert_eq!(
        lines.len(),
        1,
        "{args:?}: expected one line, got {stderr:?}"
    );
    assert!(lines[0].starts_with("Error: "), "{args:?}: {stderr:?}");
    lines[0].to_string()
}

fn archive_error(name: &str, data: &[u8]) -> String {
    let dir = Scratch::new();
    std::fs::write(dir.0.join(name), data).expect("write archive");
    fails_cleanly(&["show", "chart", name], &dir.0)
}

#[test]
fn parent_directory_entry_is_refused() {
    let tgz = gzip(&tar(&[
        file("c/Chart.yaml", CHART_YAML),
        file("c/../evil", b"x"),
    ]));
    assert_eq!(
        archive_error("evil.tgz", &tgz),
        "Error: chart illegally references parent directory: \"c/../evil\""
    );
}

#[test]
fn absolute_path_entry_is_refused() {
    let tgz = gzip(&tar(&[
        file("c/Chart.yaml", CHART_YAML),
        file("/etc/passwd", b"x"),
    ]));
    assert_eq!(
        archive_error("abs.tgz", &tgz),
        "Error: chart illegally contains absolute paths: \"/etc/passwd\""
    );
}

#[test]
fn file_over_5_mib_is_read_as_helm_4_reads_it() {
    // Helm 3 refused files over 5 MiB; helm 4 only limits the whole chart.
    let big = vec![0u8; 6 * 1024 * 1024];
    let tgz = gzip(&tar(&[
        file("c/Chart.yaml", CHART_YAML),
        file("c/big.bin", &big),
    ]));
    let dir = Scratch::new();
    std::fs::write(dir.0.join("big.tgz"), &tgz).expect("write archive");
    let out = rudder_in(&["show", "chart", "big.tgz"], &dir.0);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("name: c\n"));
}

#[test]
fn chart_directory_over_100_mib_is_refused() {
    let dir = Scratch::new();
    let c = chart_c(&dir.0);
    for name in ["a.bin", "b.bin"] {
        // Sparse: 60 MiB each without writing them.
        let f = std::fs::File::create(c.join(name)).expect("create");
        f.set_len(60 * 1024 * 1024).expect("set_len");
    }
    assert_eq!(
        fails_cleanly(&["show", "chart", "c"], &dir.0),
        "Error: error reading b.bin: chart exceeds maximum decompressed size of 104857600 bytes"
    );
}

#[test]
fn gzip_bomb_stops_at_100_mib() {
    // 21 files of 5 MiB: together over 100 MiB.
    let chunk = vec![0u8; 5 * 1024 * 1024];
    let names: Vec<String> = (0..21).map(|i| format!("c/f{i:02}.bin")).collect();
    let mut entries = vec![file("c/Chart.yaml", CHART_YAML)];
    entries.extend(names.iter().map(|n| file(n, &chunk)));
    let tgz = gzip(&tar(&entries));
    assert!(tgz.len() < 2 * 1024 * 1024, "the bomb should be small");
    assert_eq!(
        archive_error("bomb.tgz", &tgz),
        "Error: decompressed chart is larger than the maximum size 104857600"
    );
}

#[test]
fn truncated_archive_is_refused() {
    let body: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
    let tgz = gzip(&tar(&[
        file("c/Chart.yaml", CHART_YAML),
        file("c/data.bin", &body),
    ]));
    let cut = &tgz[..tgz.len() / 2];
    assert_eq!(archive_error("cut.tgz", cut), "Error: unexpected EOF");
}

#[test]
fn not_an_archive_is_refused() {
    // The path is the absolute one LocateChart resolved, as in helm.
    let line = archive_error("values.yaml", b"a: 1\n");
    assert!(
        line.starts_with("Error: file '/")
            && line
                .ends_with("/values.yaml' seems to be a YAML file, but expected a gzipped archive"),
        "{line}"
    );
    assert_eq!(
        archive_error("empty.tgz", &gzip(&tar(&[]))),
        "Error: no files in chart archive"
    );
}

#[test]
fn symlink_entry_leaving_the_chart_is_refused() {
    let tgz = gzip(&tar(&[
        file("c/Chart.yaml", CHART_YAML),
        Entry {
            name: "c/templates/x.yaml",
            data: Vec::new(),
            typeflag: b'2',
            link: "../../../etc/passwd",
        },
    ]));
    assert_eq!(
        archive_error("link.tgz", &tgz),
        "Error: chart file \"c/templates/x.yaml\" is a link to \"../../../etc/passwd\", outside the chart"
    );
}

/// helm's directory loader follows symlinks wherever they point (charts
/// link CRDs from sibling charts) and logs each one.
#[test]
fn symlink_in_directory_leaving_the_chart_is_followed() {
    let dir = Scratch::new();
    let chart = chart_c(&dir.0);
    std::fs::create_dir_all(chart.join("templates")).expect("mkdir");
    std::fs::write(dir.0.join("outside.yaml"), "secret: 1\n").expect("write");
    std::os::unix::fs::symlink(dir.0.join("outside.yaml"), chart.join("templates/x.yaml"))
        .expect("symlink");
    let out = rudder_in(&["template", "r", "c"], &dir.0);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("# Source: c/templates/x.yaml\nsecret: 1\n"),
        "{:?}",
        out.stdout
    );
    assert!(stderr.starts_with(
        "level=INFO msg=\"found symbolic link in path. Contents of linked file included and used\""
    ));
}

/// A dangling link: Go's `EvalSymlinks` names the missing target, not the link.
#[test]
fn dangling_symlink_names_the_missing_target() {
    let dir = Scratch::new();
    let chart = chart_c(&dir.0);
    std::os::unix::fs::symlink("../gone/LICENSE", chart.join("LICENSE")).expect("symlink");
    let real = std::fs::canonicalize(&dir.0).expect("canonical scratch");
    let line = fails_cleanly(&["show", "chart", &chart.to_string_lossy()], &dir.0);
    assert_eq!(
        line,
        format!(
            "Error: error evaluating symlink {}: lstat {}: no such file or directory",
            chart.join("LICENSE").display(),
            real.join("gone").display()
        )
    );
}

#[test]
fn broken_metadata_and_values_fail_with_helms_message() {
    let dir = Scratch::new();
    let write = |name: &str, chart_yaml: &[u8], values: Option<&[u8]>| {
        let c = dir.0.join(name);
        std::fs::create_dir_all(&c).expect("mkdir");
        std::fs::write(c.join("Chart.yaml"), chart_yaml).expect("write");
        if let Some(v) = values {
            std::fs::write(c.join("values.yaml"), v).expect("write");
        }
    };
    write("nover", b"apiVersion: v2\nname: nover\n", None);
    write(
        "badver",
        b"apiVersion: v2\nname: badver\nversion: 1.2.3.4\n",
        None,
    );
    write("badutf", CHART_YAML, Some(b"name: \xff\n"));
    write("badyaml", b"apiVersion: v2\nname: [x\n", None);
    let run = |c: &str| fails_cleanly(&["show", "chart", c], &dir.0);
    assert_eq!(
        run("nover"),
        "Error: validation: chart.metadata.version is required"
    );
    assert_eq!(
        run("badver"),
        "Error: validation: chart.metadata.version \"1.2.3.4\" is invalid"
    );
    assert_eq!(
        run("badutf"),
        "Error: cannot load values.yaml: cannot unmarshal yaml document: error converting YAML to JSON: yaml: invalid leading UTF-8 octet"
    );
    assert!(run("badyaml")
        .starts_with("Error: cannot load Chart.yaml: error converting YAML to JSON: yaml: line "));
    // The same failures inside an archive.
    let tgz = gzip(&tar(&[file("c/Chart.yaml", b"apiVersion: v2\nname: c\n")]));
    assert_eq!(
        archive_error("nover.tgz", &tgz),
        "Error: validation: chart.metadata.version is required"
    );
}
