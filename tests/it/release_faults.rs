//! Faults: nothing is lost and the states are honest, as with helm.

use std::time::Duration;

use super::release_support::TestCluster;

#[test]
fn server_error_mid_install_records_failed() {
    let Some(c) = TestCluster::start(&[]) else {
        return;
    };
    let chart = c.app_chart("app", "0.1.0");
    let chart = chart.to_str().unwrap();
    c.faults(r#"[{"method": "PATCH", "path": "/deployments/", "status": 500, "times": 1}]"#);
    let out = c.rudder(&["install", "f", chart]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.starts_with("Error: INSTALLATION FAILED: server-side apply failed for object default/f apps/v1, Kind=Deployment: Internal error occurred: "), "{}", out.stderr);
    let h = c.rudder(&["history", "f", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_str(&h.ok().stdout).unwrap();
    assert_eq!(v[0]["status"], "failed");
    assert!(v[0]["description"]
        .as_str()
        .unwrap()
        .starts_with("Release \"f\" failed: server-side apply failed"));
    // An upgrade from a failed release works and supersedes it.
    c.rudder(&["upgrade", "f", chart]).ok();
    let h = c.rudder(&["history", "f", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_str(&h.ok().stdout).unwrap();
    assert_eq!(v[0]["status"], "superseded");
    assert_eq!(v[1]["status"], "deployed");

    // --rollback-on-failure uninstalls a failed install.
    c.faults(r#"[{"method": "PATCH", "path": "/deployments/", "status": 500, "times": 1}]"#);
    let out = c.rudder(&["install", "g", chart, "--rollback-on-failure"]);
    assert!(out.stderr.starts_with("Error: INSTALLATION FAILED: release g failed, and has been uninstalled due to rollback-on-failure being set: "), "{}", out.stderr);
    assert_eq!(
        c.rudder(&["status", "g"]).stderr,
        "Error: release: not found\n"
    );
}

#[test]
fn wait_times_out_on_never_ready() {
    let Some(c) = TestCluster::start(&[]) else {
        return;
    };
    let chart = c.chart(
        "nr",
        &[
            ("Chart.yaml", "apiVersion: v2\nname: nr\nversion: 0.1.0\n"),
            (
                "templates/deploy.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: nr\n  annotations:\n    kube-test.rudder.dev/never-ready: \"true\"\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: nr\n  template:\n    metadata:\n      labels:\n        app: nr\n    spec:\n      containers:\n        - name: c\n          image: nginx\n",
            ),
        ],
    );
    let out = c.rudder(&[
        "install",
        "nr",
        chart.to_str().unwrap(),
        "--wait",
        "--timeout",
        "2s",
    ]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        "Error: INSTALLATION FAILED: resource Deployment/default/nr not ready. status: InProgress, message: Available: 0/1\ncontext deadline exceeded\n"
    );
    let st = c.rudder(&["status", "nr"]);
    assert!(st.ok().stdout.contains("STATUS: failed\n"));
}

#[test]
fn killed_upgrade_leaves_pending_and_rollback_recovers() {
    let Some(c) = TestCluster::start(&[]) else {
        return;
    };
    let chart = c.app_chart("app", "0.1.0");
    let chart = chart.to_str().unwrap();
    c.rudder(&["install", "p", chart]).ok();
    c.faults(r#"[{"method": "PATCH", "path": "/configmaps/", "delay_ms": 5000, "times": 1}]"#);
    let mut child = c
        .rudder_cmd(&["upgrade", "p", chart, "--set", "greeting=x"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the pending-upgrade record exists, then kill -9.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let l = c.rudder(&["list", "--pending", "-q"]);
        if l.stdout == "p\n" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no pending record");
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().unwrap();
    let _ = child.wait();
    let again = c.rudder(&["upgrade", "p", chart]);
    assert_eq!(
        again.stderr,
        "Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress\n"
    );
    c.rudder(&["rollback", "p"]).ok();
    let h = c.rudder(&["history", "p", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_str(&h.ok().stdout).unwrap();
    let statuses: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["superseded", "pending-upgrade", "deployed"]);
    c.rudder(&["upgrade", "p", chart]).ok();
}

#[test]
fn concurrent_upgrades_one_is_refused() {
    let Some(c) = TestCluster::start(&[]) else {
        return;
    };
    let chart = c.app_chart("app", "0.1.0");
    let chart = chart.to_str().unwrap();
    c.rudder(&["install", "cc", chart]).ok();
    // Slow the first apply so both upgrades overlap.
    c.faults(r#"[{"method": "PATCH", "path": "/configmaps/", "delay_ms": 1500, "times": 1}]"#);
    let a = c
        .rudder_cmd(&["upgrade", "cc", chart, "--set", "greeting=a"])
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    let b = c.rudder(&["upgrade", "cc", chart, "--set", "greeting=b"]);
    let a = a.wait_with_output().unwrap();
    assert!(a.status.success());
    assert_eq!(b.code, 1);
    assert!(
        b.stderr == "Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress\n"
            || b.stderr == "Error: UPGRADE FAILED: release: already exists\n",
        "{}",
        b.stderr
    );
    let v = c.rudder(&["get", "values", "cc"]);
    assert_eq!(v.ok().stdout, "USER-SUPPLIED VALUES:\ngreeting: a\n");
}

#[test]
fn hooks_run_in_order_and_tests_record_their_run() {
    let Some(c) = TestCluster::start(&[]) else {
        return;
    };
    let job = |name: &str, weight: i32, extra: &str| {
        format!(
            "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {name}\n  annotations:\n    helm.sh/hook: pre-install\n    helm.sh/hook-weight: \"{weight}\"\n    helm.sh/hook-delete-policy: hook-succeeded\n{extra}spec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n        - name: c\n          image: busybox\n"
        )
    };
    let chart = c.chart(
        "hk",
        &[
            ("Chart.yaml", "apiVersion: v2\nname: hk\nversion: 0.1.0\n"),
            ("templates/a.yaml", &job("hook-a", 5, "")),
            ("templates/b.yaml", &job("hook-b", -5, "")),
            (
                "templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hk\ndata: {}\n",
            ),
            (
                "templates/t.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: hk-test\n  annotations:\n    helm.sh/hook: test\nspec:\n  restartPolicy: Never\n  containers:\n    - name: t\n      image: busybox\n",
            ),
        ],
    );
    c.rudder(&["install", "hk", chart.to_str().unwrap()]).ok();
    // hook-succeeded deleted the Jobs.
    let jobs = c.kube_get("/apis/batch/v1/namespaces/default/jobs");
    assert!(
        !jobs.contains("hook-a") && !jobs.contains("hook-b"),
        "{jobs}"
    );
    let hooks = c.rudder(&["status", "hk", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_str(&hooks.ok().stdout).unwrap();
    for h in v["hooks"].as_array().unwrap() {
        if h["name"] != "hk-test" {
            assert_eq!(h["last_run"]["phase"], "Succeeded", "{h}");
        }
    }
    let t = c.rudder(&["test", "hk", "--logs"]);
    t.ok();
    assert!(
        t.stdout
            .contains("TEST SUITE:     hk-test\nLast Started:   "),
        "{}",
        t.stdout
    );
    assert!(
        t.stdout
            .contains("Phase:          Succeeded\n\nPOD LOGS: hk-test (t)\n"),
        "{}",
        t.stdout
    );

    // A failing hook Job fails the install.
    let bad = c.chart(
        "bad",
        &[
            ("Chart.yaml", "apiVersion: v2\nname: bad\nversion: 0.1.0\n"),
            (
                "templates/j.yaml",
                &job("bad-hook", 0, "    kube-test.rudder.dev/fail: \"true\"\n"),
            ),
        ],
    );
    let out = c.rudder(&["install", "bad", bad.to_str().unwrap()]);
    assert_eq!(
        out.stderr,
        "Error: INSTALLATION FAILED: failed pre-install: resource Job/default/bad-hook not ready. status: Failed, message: Job Failed. failed: 1/1\n"
    );
    assert!(c
        .rudder(&["status", "bad"])
        .stdout
        .contains("STATUS: failed\n"));
}

#[test]
fn lost_record_reply_and_dropped_connection_converge() {
    let Some(c) = TestCluster::start(&[]) else {
        return;
    };
    let chart = c.app_chart("app", "0.1.0");
    let chart = chart.to_str().unwrap();
    // The final record update is written but its reply is lost: helm logs it and exits 0.
    c.faults(r#"[{"method": "PUT", "path": "/secrets/sh\\.helm\\.release\\.v1\\.lr\\.v1$", "status": 500, "commit": true}]"#);
    let out = c.rudder(&["install", "lr", chart]);
    out.ok();
    assert!(out.stderr.contains("level=ERROR msg=\"failed to record the release\" error=\"update: failed to update: Internal error occurred: "), "{}", out.stderr);
    assert!(c
        .rudder(&["status", "lr"])
        .ok()
        .stdout
        .contains("STATUS: deployed\n"));
    // A dropped connection fails the upgrade; running it again converges.
    c.faults(r#"[{"method": "PATCH", "path": "/configmaps/", "drop_connection": true}]"#);
    let failed = c.rudder(&["upgrade", "lr", chart, "--set", "greeting=again"]);
    assert_eq!(failed.code, 1);
    assert!(
        failed
            .stderr
            .contains("level=WARN msg=\"upgrade failed\" name=lr error="),
        "{}",
        failed.stderr
    );
    c.rudder(&["upgrade", "lr", chart, "--set", "greeting=again"])
        .ok();
    let h = c.rudder(&["history", "lr", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_str(&h.ok().stdout).unwrap();
    let statuses: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["superseded", "failed", "deployed"]);
    let cm = c.kube_get("/api/v1/namespaces/default/configmaps/lr-cm");
    assert!(cm.contains("\"greeting\":\"again\""), "{cm}");
}
