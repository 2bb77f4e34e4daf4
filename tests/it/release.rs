//! Release lifecycle against kube-test-apiserver: install → list/status/get →
//! upgrade → rollback → history → uninstall, with helm's output forms.

use super::release_support::TestCluster;

#[test]
fn install_upgrade_rollback_uninstall() {
    let Some(c) = TestCluster::start(&[]) else {
        return;
    };
    let chart = c.app_chart("app", "0.1.0");
    let chart = chart.to_str().unwrap();

    let out = c.rudder(&["install", "web", chart, "--set", "greeting=hi"]);
    out.ok();
    assert!(
        out.stdout.starts_with("NAME: web\nLAST DEPLOYED: "),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("\nNAMESPACE: default\nSTATUS: deployed\nREVISION: 1\nDESCRIPTION: Install complete\nNOTES:\nThanks for installing web.\n"), "{}", out.stdout);

    let again = c.rudder(&["install", "web", chart]);
    assert_eq!(again.code, 1);
    assert!(again.stderr.ends_with("Error: INSTALLATION FAILED: release name check failed: cannot reuse a name that is still in use\n"), "{}", again.stderr);

    let list = c.rudder(&["list"]);
    list.ok();
    let lines: Vec<&str> = list.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", list.stdout);
    assert!(lines[0].starts_with("NAME\tNAMESPACE\tREVISION\tUPDATED"));
    assert!(
        lines[1].starts_with("web \tdefault  \t1       \t"),
        "{}",
        lines[1]
    );
    assert!(
        lines[1].contains("\tdeployed\tapp-0.1.0\t1.0        "),
        "{}",
        lines[1]
    );

    // status shows the live objects as helm 4 does (server-side tables).
    let st = c.rudder(&["status", "web"]);
    let text = &st.ok().stdout;
    assert!(
        text.contains(
            "DESCRIPTION: Install complete\nRESOURCES:\n==> v1/ConfigMap\nNAME     AGE\nweb-cm   "
        ),
        "{text}"
    );
    assert!(
        text.contains("==> v1/Deployment\nNAME   READY   AGE\nweb    "),
        "{text}"
    );
    assert!(
        text.contains("\n\nNOTES:\nThanks for installing web.\n"),
        "{text}"
    );

    let values = c.rudder(&["get", "values", "web"]);
    assert_eq!(values.ok().stdout, "USER-SUPPLIED VALUES:\ngreeting: hi\n");
    let all = c.rudder(&["get", "values", "web", "--all", "-o", "json"]);
    assert_eq!(
        all.ok().stdout,
        "{\"extra\":false,\"greeting\":\"hi\",\"replicas\":1}\n"
    );
    let manifest = c.rudder(&["get", "manifest", "web"]);
    assert!(manifest
        .ok()
        .stdout
        .starts_with("---\n# Source: app/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\n"));

    let up = c.rudder(&["upgrade", "web", chart, "--set", "extra=true"]);
    up.ok();
    assert!(up
        .stdout
        .starts_with("Release \"web\" has been upgraded. Happy Helming!\nNAME: web\n"));
    assert!(up
        .stdout
        .contains("REVISION: 2\nDESCRIPTION: Upgrade complete\n"));
    let cm = c.kube_get("/api/v1/namespaces/default/configmaps/web-extra");
    assert!(cm.contains("\"meta.helm.sh/release-name\":\"web\""), "{cm}");
    assert!(
        cm.contains("\"app.kubernetes.io/managed-by\":\"Helm\""),
        "{cm}"
    );

    // Rolling back to 1 deletes what revision 2 added.
    let rb = c.rudder(&["rollback", "web", "1"]);
    assert_eq!(rb.ok().stdout, "Rollback was a success! Happy Helming!\n");
    let gone = c.kube_get("/api/v1/namespaces/default/configmaps/web-extra");
    assert!(gone.contains("\"code\":404"), "{gone}");
    let greeting = c.kube_get("/api/v1/namespaces/default/configmaps/web-cm");
    assert!(greeting.contains("\"greeting\":\"hi\""), "{greeting}");

    let history = c.rudder(&["history", "web"]);
    let h: Vec<&str> = history.ok().stdout.lines().collect();
    assert_eq!(h.len(), 4, "{}", history.stdout);
    assert!(
        h[1].contains("\tsuperseded\t") && h[1].ends_with("\tInstall complete"),
        "{}",
        h[1]
    );
    assert!(h[2].contains("\tsuperseded\t"), "{}", h[2]);
    assert!(
        h[3].contains("\tdeployed  \t") && h[3].contains("Rollback to 1"),
        "{}",
        h[3]
    );

    let missing = c.rudder(&["rollback", "web", "9"]);
    assert_eq!(missing.stderr, "Error: release has no 9 version\n");

    let st = c.rudder(&["status", "web", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_str(&st.ok().stdout).unwrap();
    assert_eq!(v["version"], 3);
    assert_eq!(v["info"]["status"], "deployed");

    let un = c.rudder(&["uninstall", "web", "--keep-history"]);
    assert_eq!(un.ok().stdout, "release \"web\" uninstalled\n");
    let listed = c.rudder(&["list", "--uninstalled", "-q"]);
    assert_eq!(listed.ok().stdout, "web\n");
    let deploy = c.kube_get("/apis/apps/v1/namespaces/default/deployments/web");
    assert!(deploy.contains("\"code\":404"), "{deploy}");
    c.rudder(&["uninstall", "web"]).ok();
    assert_eq!(
        c.rudder(&["status", "web"]).stderr,
        "Error: release: not found\n"
    );
    let un2 = c.rudder(&["uninstall", "web"]);
    assert_eq!(
        un2.stderr,
        "Error: uninstall: Release not loaded: web: release: not found\n"
    );
}

#[test]
fn upgrade_install_history_max_and_configmap_driver() {
    let Some(c) = TestCluster::start(&[]) else {
        return;
    };
    let chart = c.app_chart("app", "0.2.0");
    let chart = chart.to_str().unwrap();
    let first = c.rudder(&["upgrade", "--install", "cm", chart, "--history-max", "2"]);
    assert!(first
        .ok()
        .stdout
        .starts_with("Release \"cm\" does not exist. Installing it now.\nNAME: cm\n"));
    for i in 0..3 {
        c.rudder(&[
            "upgrade",
            "cm",
            chart,
            "--history-max",
            "2",
            "--set",
            &format!("greeting=v{i}"),
        ])
        .ok();
    }
    let h = c.rudder(&["history", "cm", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_str(&h.ok().stdout).unwrap();
    let revs: Vec<i64> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["revision"].as_i64().unwrap())
        .collect();
    assert_eq!(revs, vec![3, 4]);

    let mut cmd = c.rudder_cmd(&["install", "other", chart]);
    cmd.env("HELM_DRIVER", "configmap");
    assert!(cmd.output().unwrap().status.success());
    let cms = c.kube_get("/api/v1/namespaces/default/configmaps?labelSelector=owner%3Dhelm");
    assert!(cms.contains("sh.helm.release.v1.other.v1"), "{cms}");
    let mut cmd = c.rudder_cmd(&["list", "-q"]);
    cmd.env("HELM_DRIVER", "configmap");
    assert_eq!(
        String::from_utf8_lossy(&cmd.output().unwrap().stdout),
        "other\n"
    );
}

#[test]
fn ownership_conflict_and_take_ownership() {
    let Some(c) = TestCluster::start(&[]) else {
        return;
    };
    let chart = c.app_chart("app", "0.1.0");
    let chart = chart.to_str().unwrap();
    c.http(
        "POST",
        "/api/v1/namespaces/default/configmaps",
        r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x-cm"}}"#,
    );
    let out = c.rudder(&["install", "x", chart]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        "Error: INSTALLATION FAILED: unable to continue with install: ConfigMap \"x-cm\" in namespace \"default\" exists and cannot be imported into the current release: invalid ownership metadata; label validation error: missing key \"app.kubernetes.io/managed-by\": must be set to \"Helm\"; annotation validation error: missing key \"meta.helm.sh/release-name\": must be set to \"x\"; annotation validation error: missing key \"meta.helm.sh/release-namespace\": must be set to \"default\"\n"
    );
    // Nothing was recorded.
    assert_eq!(c.rudder(&["list", "-q"]).stdout, "");
    c.rudder(&["install", "x", chart, "--take-ownership"]).ok();
    let cm = c.kube_get("/api/v1/namespaces/default/configmaps/x-cm");
    assert!(cm.contains("\"meta.helm.sh/release-name\":\"x\""), "{cm}");
}

#[test]
fn dry_runs_store_nothing() {
    let Some(c) = TestCluster::start(&[]) else {
        return;
    };
    let chart = c.app_chart("app", "0.1.0");
    let chart = chart.to_str().unwrap();
    let out = c.rudder(&["install", "d", chart, "--dry-run=client"]);
    let text = &out.ok().stdout;
    assert!(text.contains("STATUS: pending-install\nREVISION: 1\nDESCRIPTION: Dry run complete\nHOOKS:\n---\n# Source: app/templates/tests/test.yaml\n"), "{text}");
    assert!(
        text.contains("MANIFEST:\n---\n# Source: app/templates/cm.yaml\n"),
        "{text}"
    );
    assert_eq!(c.rudder(&["list", "-q"]).stdout, "");
    let warn = c.rudder(&["install", "d", chart, "--dry-run"]);
    assert!(warn.ok().stderr.contains(
        "level=WARN msg=\"--dry-run is deprecated and should be replaced with '--dry-run=client'\""
    ));
    c.rudder(&["install", "d", chart]).ok();
    let up = c.rudder(&[
        "upgrade",
        "d",
        chart,
        "--dry-run=server",
        "--set",
        "greeting=x",
    ]);
    assert!(up
        .ok()
        .stdout
        .contains("STATUS: pending-upgrade\nREVISION: 2\nDESCRIPTION: Dry run complete\n"));
    let cm = c.kube_get("/api/v1/namespaces/default/configmaps/d-cm");
    assert!(cm.contains("\"greeting\":\"hello\""), "{cm}");
    let h = c.rudder(&["history", "d", "-o", "json"]);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&h.ok().stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn unreachable_cluster_and_bad_context_errors() {
    let Some(c) = TestCluster::start(&[]) else {
        return;
    };
    let out = c.rudder(&["list", "--kube-apiserver", "http://127.0.0.1:1"]);
    assert_eq!(out.stderr, "Error: kubernetes cluster unreachable: Get \"http://127.0.0.1:1/version\": dial tcp 127.0.0.1:1: connect: connection refused\n");
    let out = c.rudder(&["status", "x", "--kube-context", "nope"]);
    assert_eq!(
        out.stderr,
        "Error: kubernetes cluster unreachable: context \"nope\" does not exist\n"
    );
    let chart = c.app_chart("app", "0.1.0");
    let out = c.rudder(&[
        "upgrade",
        "x",
        chart.to_str().unwrap(),
        "--kube-apiserver",
        "http://127.0.0.1:1",
    ]);
    assert!(
        out.stderr
            .starts_with("Error: UPGRADE FAILED: kubernetes cluster unreachable: Get "),
        "{}",
        out.stderr
    );
}

#[test]
fn reinstall_over_kept_history_supersedes_it() {
    let Some(c) = TestCluster::start(&[]) else {
        return;
    };
    let chart = c.app_chart("app", "0.1.0");
    let chart = chart.to_str().unwrap();
    c.rudder(&["install", "k", chart]).ok();
    c.rudder(&["uninstall", "k", "--keep-history"]).ok();
    let refused = c.rudder(&["install", "k", chart]);
    assert!(refused.stderr.ends_with("Error: INSTALLATION FAILED: release name check failed: cannot reuse a name that is still in use\n"));
    let again = c.rudder(&["install", "k", chart, "--replace"]);
    assert!(again.ok().stdout.contains("REVISION: 2\n"));
    let h = c.rudder(&["history", "k", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_str(&h.ok().stdout).unwrap();
    assert_eq!(v[0]["status"], "superseded");
    assert_eq!(v[0]["description"], "superseded by new release");
    assert_eq!(v[1]["status"], "deployed");
}

/// helm stops every command with only a log line (exit 1) for an unknown
/// `HELM_DRIVER` or unreadable memory-driver data, and preloads the releases
/// `HELM_MEMORY_DRIVER_DATA` lists.
#[test]
fn helm_driver_memory_and_unknown() {
    let Some(c) = TestCluster::start(&[]) else {
        return;
    };
    let run = |driver: &str, data: Option<&str>, args: &[&str]| {
        let mut cmd = c.rudder_cmd(args);
        cmd.env("HELM_DRIVER", driver);
        match data {
            Some(d) => cmd.env("HELM_MEMORY_DRIVER_DATA", d),
            None => cmd.env_remove("HELM_MEMORY_DRIVER_DATA"),
        };
        let o = cmd.output().expect("run rudder");
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    assert_eq!(
        run("bogus", None, &["version"]),
        (
            Some(1),
            String::new(),
            "level=INFO msg=\"unknown driver \\\"bogus\\\"\"\n".to_string()
        )
    );
    assert_eq!(
        run("memory", None, &["list"]),
        (
            Some(1),
            String::new(),
            "level=INFO msg=\"Unable to read memory driver dataopen : no such file or directory\"\n"
                .to_string()
        )
    );
    let map = c.dir.path().join("map.yaml");
    std::fs::write(&map, "a: 1\n").unwrap();
    let (code, _, err) = run("memory", map.to_str(), &["list"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("Unable to unmarshal memory driver data: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal object into Go value of type []*v1.Release"), "{err}");

    // A record written by the secret driver, preloaded into the memory driver.
    let chart = c.app_chart("app", "0.1.0");
    c.rudder(&[
        "install",
        "mem",
        chart.to_str().unwrap(),
        "--set",
        "greeting=m",
    ])
    .ok();
    let json = c.rudder(&["status", "mem", "-o", "json"]);
    let record: serde_json::Value = serde_json::from_str(&json.ok().stdout).unwrap();
    let data = c.dir.path().join("releases.yaml");
    std::fs::write(&data, serde_json::to_string(&[record]).unwrap()).unwrap();
    let (code, out, err) = run("memory", data.to_str(), &["get", "values", "mem"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out, "USER-SUPPLIED VALUES:\ngreeting: m\n");
    c.rudder(&["uninstall", "mem"]).ok();
    let (code, out, _) = run("memory", data.to_str(), &["list", "-q"]);
    assert_eq!((code, out.as_str()), (Some(0), "mem\n"));
}

#[test]
fn reserved_labels_are_refused() {
    let Some(c) = TestCluster::start(&[]) else {
        return;
    };
    let chart = c.app_chart("app", "0.1.0");
    let chart = chart.to_str().unwrap();
    let reserved = "user supplied labels contains system reserved label name. System labels: [name owner status version createdAt modifiedAt]\n";
    let r = c.rudder(&["install", "l", chart, "--labels", "team=a,owner=me"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stderr, format!("Error: INSTALLATION FAILED: {reserved}"));
    c.rudder(&["install", "l", chart, "--labels", "team=a"])
        .ok();
    let r = c.rudder(&["upgrade", "l", chart, "--labels", "modifiedAt=1"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stderr, format!("Error: UPGRADE FAILED: {reserved}"));
}

/// A bad `--wait` value is a flag error (no `INSTALLATION FAILED:` /
/// `UPGRADE FAILED:` prefix), reported before any cluster is contacted.
#[test]
fn bad_wait_value_is_a_flag_error() {
    let chart = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/charts/demo");
    for cmd in ["install", "upgrade"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_rudder"))
            .args([cmd, "x", chart, "--wait=bogus"])
            .env("KUBECONFIG", "/nonexistent/kubeconfig")
            .output()
            .expect("run rudder");
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "Error: invalid argument \"bogus\" for \"--wait\" flag: invalid wait input \"bogus\". Valid inputs are watcher, hookOnly, and legacy\n"
        );
    }
}

/// helm creates hook resources with server-side apply WITHOUT forcing
/// conflicts (even under `--force-conflicts`): a hook field owned by another
/// manager fails the hook, recorded as failed, with helm's wording.
#[test]
fn hook_apply_does_not_force_conflicts() {
    let Some(c) = TestCluster::start(&[]) else {
        return;
    };
    let hook = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hk\n  annotations:\n    helm.sh/hook: pre-install,pre-upgrade\n    helm.sh/hook-delete-policy: hook-failed\ndata:\n  a: mine\n";
    let chart = c.chart(
        "hc",
        &[
            ("Chart.yaml", "apiVersion: v2\nname: hc\nversion: 0.1.0\n"),
            ("templates/hook.yaml", hook),
            (
                "templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: main\n",
            ),
        ],
    );
    let chart = chart.to_str().unwrap();
    c.http(
        "POST",
        "/api/v1/namespaces/default/configmaps?fieldManager=someone",
        r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"hk"},"data":{"a":"other"}}"#,
    );
    let out = c.rudder(&["install", "h", chart, "--force-conflicts"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let why = "warning: Hook pre-install hc/templates/hook.yaml failed: conflict occurred while applying object default/hk /v1, Kind=ConfigMap: Apply failed with 1 conflict: conflict with \"someone\" using v1: .data.a";
    assert_eq!(
        out.stderr,
        format!("Error: INSTALLATION FAILED: failed pre-install: {why}\n")
    );
    let cm = c.kube_get("/api/v1/namespaces/default/configmaps/hk");
    assert!(cm.contains("\"a\":\"other\""), "{cm}");
    let status = c.rudder(&["status", "h"]);
    assert!(
        status.stdout.contains("STATUS: failed"),
        "{}",
        status.stdout
    );
    let hooks = c.rudder(&["get", "hooks", "h"]).ok().stdout.clone();
    assert!(hooks.contains("name: hk"), "{hooks}");
}
