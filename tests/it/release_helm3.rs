//! A release made by Helm 3.19 (client-side apply, no `apply_method` in its
//! record) is read, upgraded and rolled back by rudder, and Helm 3 reads the
//! records rudder writes. Helm 3 comes from `../shared/tools/get-helm --helm3`
//! (`HELM3_BIN`, default `.helm-oracle/helm3/helm`); the test skips without it.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::release_support::{Run, TestCluster};

fn helm3_bin() -> Option<PathBuf> {
    let p = std::env::var_os("HELM3_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".helm-oracle/helm3/helm"));
    p.is_file().then_some(p)
}

fn helm3(c: &TestCluster, bin: &Path, args: &[&str]) -> Run {
    let out = Command::new(bin)
        .args(args)
        .current_dir(c.dir.path())
        .env("KUBECONFIG", c.kubeconfig())
        .env("HOME", c.dir.path().join("home"))
        .env("HELM_CACHE_HOME", c.dir.path().join("home/cache"))
        .env("HELM_CONFIG_HOME", c.dir.path().join("home/config"))
        .env("HELM_DATA_HOME", c.dir.path().join("home/data"))
        .env_remove("HELM_DRIVER")
        .env_remove("HELM_NAMESPACE")
        .output()
        .expect("run helm3");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn configmap_greeting(c: &TestCluster) -> String {
    let body = c.kube_get("/api/v1/namespaces/default/configmaps/legacy");
    let v: serde_json::Value = serde_json::from_str(&body).expect("configmap json");
    v["data"]["greeting"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The status text with resource AGE cells (`1s`, `2m`) masked and columns
/// re-spaced: the two commands run a second apart.
fn without_ages(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|line| {
            line.split_whitespace()
                .map(|cell| {
                    let digits = cell.trim_end_matches(['s', 'm', 'h', 'd']);
                    if digits.len() < cell.len()
                        && !digits.is_empty()
                        && digits.bytes().all(|b| b.is_ascii_digit())
                    {
                        "<age>".to_string()
                    } else {
                        cell.to_string()
                    }
                })
                .collect()
        })
        .collect()
}

fn statuses(history_json: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(history_json).expect("history json");
    v.as_array()
        .expect("array")
        .iter()
        .map(|r| r["status"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn helm3_release_upgraded_and_rolled_back_by_rudder() {
    let Some(h3) = helm3_bin() else {
        eprintln!("skipping: helm 3 is not installed (set HELM3_BIN or run ../shared/tools/get-helm --helm3 .helm-oracle)");
        return;
    };
    let Some(c) = TestCluster::start(&[]) else {
        return;
    };
    let chart = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/charts/legacy");
    let chart = chart.to_str().expect("utf-8 path");

    helm3(
        &c,
        &h3,
        &["install", "l1", chart, "--set", "greeting=from-helm3"],
    )
    .ok();
    assert_eq!(configmap_greeting(&c), "from-helm3");

    // rudder reads Helm 3's record exactly as Helm 3 prints it.
    for args in [
        vec!["list"],
        vec!["history", "l1"],
        vec!["get", "values", "l1"],
        vec!["get", "values", "l1", "--all"],
        vec!["get", "manifest", "l1"],
        vec!["get", "notes", "l1"],
    ] {
        let h = helm3(&c, &h3, &args);
        let r = c.rudder(&args);
        assert_eq!(h.ok().stdout, r.ok().stdout, "helm3 vs rudder for {args:?}");
    }
    // `status` gained DESCRIPTION/RESOURCES in Helm 4: compare with helm 4 when present.
    let r = c.rudder(&["status", "l1"]);
    assert!(
        r.ok().stdout.contains("STATUS: deployed\nREVISION: 1\n"),
        "{}",
        r.stdout
    );
    if let Some(h4) = c.helm(&["status", "l1"]) {
        // helm prints the RESOURCES sections in Go map order (random from
        // run to run), a table header only where the columns change: compare
        // the lines, headers left out, as a sorted list.
        let sorted = |text: &str| {
            let mut lines = without_ages(text);
            lines.retain(|l| l.first().map(String::as_str) != Some("NAME"));
            lines.sort();
            lines
        };
        assert_eq!(
            sorted(&h4.ok().stdout),
            sorted(&r.stdout),
            "helm4 vs rudder status"
        );
    }

    // rudder upgrades over objects Helm 3 created with client-side apply.
    c.rudder(&[
        "upgrade",
        "l1",
        chart,
        "--reuse-values",
        "--set",
        "greeting=from-rudder",
    ])
    .ok();
    assert_eq!(configmap_greeting(&c), "from-rudder");

    // Helm 3 reads rudder's record.
    let st = helm3(&c, &h3, &["status", "l1"]);
    assert!(
        st.ok().stdout.contains("STATUS: deployed\nREVISION: 2\n"),
        "{}",
        st.stdout
    );
    let hist = helm3(&c, &h3, &["history", "l1", "-o", "json"]);
    assert_eq!(statuses(&hist.ok().stdout), ["superseded", "deployed"]);
    let v = helm3(&c, &h3, &["get", "values", "l1"]);
    assert_eq!(
        v.ok().stdout,
        "USER-SUPPLIED VALUES:\ngreeting: from-rudder\n"
    );
    assert_eq!(
        helm3(&c, &h3, &["history", "l1"]).ok().stdout,
        c.rudder(&["history", "l1"]).ok().stdout
    );

    // Helm 3 rolls back to its own revision, over rudder's server-side apply.
    helm3(&c, &h3, &["rollback", "l1", "1"]).ok();
    assert_eq!(configmap_greeting(&c), "from-helm3");
    assert_eq!(
        c.rudder(&["get", "values", "l1"]).ok().stdout,
        "USER-SUPPLIED VALUES:\ngreeting: from-helm3\n"
    );

    // rudder rolls back to its revision, over Helm 3's client-side patch.
    c.rudder(&["rollback", "l1", "2"]).ok();
    assert_eq!(configmap_greeting(&c), "from-rudder");
    let hist = helm3(&c, &h3, &["history", "l1", "-o", "json"]);
    assert_eq!(
        statuses(&hist.ok().stdout),
        ["superseded", "superseded", "superseded", "deployed"]
    );
    let r = c.rudder(&["history", "l1", "-o", "json"]);
    assert_eq!(statuses(&r.ok().stdout), statuses(&hist.stdout));

    // Helm 3 uninstalls what rudder last deployed.
    helm3(&c, &h3, &["uninstall", "l1"]).ok();
    assert_eq!(c.rudder(&["list", "-q"]).ok().stdout, "");
}
