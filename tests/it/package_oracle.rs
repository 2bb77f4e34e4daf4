//! `rudder package` against `helm package` on every corpus chart: with
//! SOURCE_DATE_EPOCH fixed the uncompressed tar streams must be equal.
//! Helm writes sibling subcharts in Go map order (random), so entries are
//! compared per chart (root, `charts/a`, `charts/a/charts/b`, ...) in order,
//! and only the order *between* charts is ignored.
//! `helm template` of both archives must print the same.
//! Skips with a printed reason when helm or `../shared` is absent; helm is
//! `$HELM_BIN`, else `.helm-oracle/helm`, else `/work/helm-bin/helm`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn helm_bin() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let candidates = [
        std::env::var_os("HELM_BIN").map(PathBuf::from),
        Some(root.join(".helm-oracle/helm")),
        Some(PathBuf::from("/work/helm-bin/helm")),
    ];
    candidates.into_iter().flatten().find(|p| p.is_file())
}

fn corpus_charts() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/charts");
    dir.is_dir().then_some(dir)
}

struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch() -> Scratch {
    let dir = std::env::temp_dir().join(format!(
        "rudder-pkg-oracle-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    std::fs::create_dir_all(&dir).expect("scratch");
    Scratch(dir)
}

/// Packages `chart_dir` into `dest` and returns the uncompressed tar stream.
fn package(bin: &Path, chart_dir: &Path, dest: &Path, home: &Path) -> Result<Vec<u8>, String> {
    std::fs::create_dir_all(dest).map_err(|e| e.to_string())?;
    let out = Command::new(bin)
        .arg("package")
        .arg(chart_dir)
        .arg("-d")
        .arg(dest)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_DATA_HOME", home.join("data"))
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let tgz = std::fs::read_dir(dest)
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "tgz"))
        .ok_or("no archive written")?;
    let gz = std::fs::read(&tgz).map_err(|e| e.to_string())?;
    let mut tar = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut tar)
        .map_err(|e| e.to_string())?;
    Ok(tar)
}

/// `helm template x <archive>`: (exit status, stdout, stderr).
fn helm_template(helm: &Path, archive: &Path, home: &Path) -> (Option<i32>, Vec<u8>, Vec<u8>) {
    let out = Command::new(helm)
        .arg("template")
        .arg("x")
        .arg(archive)
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_DATA_HOME", home.join("data"))
        .output()
        .expect("run helm template");
    (out.status.code(), out.stdout, out.stderr)
}

fn archive_in(dir: &Path) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "tgz"))
}

/// Raw entries of a tar stream: (path, bytes of the header(s) and data).
/// A PAX header stays attached to the entry it describes.
fn raw_entries(tar: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut pending: Vec<u8> = Vec::new();
    let mut pax_path: Option<String> = None;
    while pos + 512 <= tar.len() {
        let h = &tar[pos..pos + 512];
        if h.iter().all(|b| *b == 0) {
            break;
        }
        let size_field = String::from_utf8_lossy(&h[124..136]);
        let size = u64::from_str_radix(size_field.trim_matches(|c: char| c == '\0' || c == ' '), 8)
            .unwrap_or(0) as usize;
        let end = pos + 512 + size.div_ceil(512) * 512;
        let block = &tar[pos..end.min(tar.len())];
        if h[156] == b'x' {
            let data = String::from_utf8_lossy(&tar[pos + 512..pos + 512 + size]);
            pax_path = data
                .lines()
                .find_map(|l| l.split_once(" path=").map(|(_, p)| p.to_string()));
            pending.extend_from_slice(block);
        } else {
            let field = |r: std::ops::Range<usize>| {
                let b = &h[r];
                let n = b.iter().position(|c| *c == 0).unwrap_or(b.len());
                String::from_utf8_lossy(&b[..n]).into_owned()
            };
            let (prefix, name) = (field(345..500), field(0..100));
            let path = pax_path.take().unwrap_or(if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            });
            let mut bytes = std::mem::take(&mut pending);
            bytes.extend_from_slice(block);
            out.push((path, bytes));
        }
        pos = end;
    }
    out
}

/// The chart an entry belongs to: the path up to the last `charts/<name>`.
fn owning_chart(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').collect();
    let mut end = 1;
    let mut i = 1;
    while i + 1 < parts.len() {
        if parts[i] == "charts" && i + 2 < parts.len() {
            end = i + 2;
            i += 2;
        } else {
            i += 1;
        }
    }
    parts[..end].join("/")
}

fn by_chart(tar: &[u8]) -> BTreeMap<String, Vec<(String, Vec<u8>)>> {
    let mut map: BTreeMap<String, Vec<(String, Vec<u8>)>> = BTreeMap::new();
    for (path, bytes) in raw_entries(tar) {
        map.entry(owning_chart(&path))
            .or_default()
            .push((path, bytes));
    }
    map
}

#[test]
fn package_matches_helm_for_every_corpus_chart() {
    let Some(helm) = helm_bin() else {
        println!("skipped: no helm binary (HELM_BIN, .helm-oracle/helm, /work/helm-bin/helm)");
        return;
    };
    let Some(charts) = corpus_charts() else {
        println!("skipped: ../shared/corpus/charts is absent");
        return;
    };
    let rudder = PathBuf::from(env!("CARGO_BIN_EXE_rudder"));
    let mut archives: Vec<PathBuf> = std::fs::read_dir(&charts)
        .expect("corpus charts")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "tgz"))
        .collect();
    archives.sort();
    let mut failures = Vec::new();
    for archive in &archives {
        let s = scratch();
        let unpacked = s.0.join("src");
        std::fs::create_dir_all(&unpacked).expect("mkdir");
        let gz = std::fs::read(archive).expect("read corpus chart");
        tar::Archive::new(flate2::read::GzDecoder::new(&gz[..]))
            .unpack(&unpacked)
            .expect("unpack corpus chart");
        let chart_dir = std::fs::read_dir(&unpacked)
            .expect("unpacked")
            .flatten()
            .map(|e| e.path())
            .find(|p| p.is_dir())
            .expect("chart folder");
        let name = archive
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let want = match package(&helm, &chart_dir, &s.0.join("helm"), &s.0.join("home")) {
            Ok(t) => t,
            Err(e) => {
                failures.push(format!("{name}: helm package failed: {e}"));
                continue;
            }
        };
        let got = match package(&rudder, &chart_dir, &s.0.join("rudder"), &s.0.join("home")) {
            Ok(t) => t,
            Err(e) => {
                failures.push(format!("{name}: rudder package failed: {e}"));
                continue;
            }
        };
        // helm renders rudder's archive exactly as it renders its own.
        if let (Some(h), Some(r)) = (
            archive_in(&s.0.join("helm")),
            archive_in(&s.0.join("rudder")),
        ) {
            let home = s.0.join("home");
            let from_helm = helm_template(&helm, &h, &home);
            // Charts that generate random secrets render differently every
            // time; only a difference helm does not make with itself counts.
            if helm_template(&helm, &r, &home) != from_helm
                && helm_template(&helm, &h, &home) == from_helm
            {
                failures.push(format!(
                    "{name}: helm template differs between the two archives"
                ));
            }
        }
        if got == want {
            continue;
        }
        let (w, g) = (by_chart(&want), by_chart(&got));
        if w.keys().ne(g.keys()) {
            failures.push(format!(
                "{name}: charts differ: {:?} vs {:?}",
                w.keys(),
                g.keys()
            ));
            continue;
        }
        for (chart, entries) in &w {
            let theirs = &g[chart];
            let names =
                |v: &Vec<(String, Vec<u8>)>| v.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
            if names(entries) != names(theirs) {
                failures.push(format!("{name}: entry order differs in {chart}"));
            } else if let Some((a, _)) = entries.iter().zip(theirs).find(|(a, b)| a.1 != b.1) {
                failures.push(format!("{name}: bytes differ for {}", a.0));
            }
        }
        if want.len() != got.len() {
            failures.push(format!(
                "{name}: stream length {} != {}",
                got.len(),
                want.len()
            ));
        }
    }
    println!(
        "package oracle: {} charts, {} differences",
        archives.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
