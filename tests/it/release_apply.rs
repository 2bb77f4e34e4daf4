//! How objects reach the cluster, checked against the real helm 4 on the test
//! API server: `--server-side` (client-side create and three-way patches,
//! `apply_method` csa/ssa, the csa→ssa ownership move), helm's refusals of
//! option mixes, `--wait` with watches and `--wait=legacy`, `--enable-dns`.

use serde_json::Value as Json;

use super::release_support::TestCluster;

fn metadata(c: &TestCluster, name: &str) -> Json {
    let out = c.rudder(&["get", "metadata", name, "-o", "json"]);
    serde_json::from_str(&out.ok().stdout).expect("metadata JSON")
}

/// `(manager, operation)` of every managedFields entry.
fn managers(obj: &Json) -> Vec<(String, String)> {
    obj["metadata"]["managedFields"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|m| {
            (
                m["manager"].as_str().unwrap_or("").to_string(),
                m["operation"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// `METHOD path content-type` of the writes to objects other than release records.
fn object_writes(reqs: &[Json]) -> Vec<String> {
    reqs.iter()
        .filter(|r| r["method"] != "GET" && !r["path"].as_str().unwrap_or("").contains("/secrets"))
        .map(|r| {
            format!(
                "{} {} {}",
                r["method"].as_str().unwrap_or(""),
                r["path"].as_str().unwrap_or(""),
                r["ctype"].as_str().unwrap_or("")
            )
        })
        .collect()
}

#[test]
fn client_side_apply_lifecycle_matches_helm() {
    let Some(c) = TestCluster::start(&[]) else {
        return;
    };
    if c.helm(&["version"]).is_none() {
        eprintln!("skipping: helm is not installed");
        return;
    }
    let chart = c.app_chart("app", "0.1.0");
    let chart = chart.to_str().unwrap();
    let deploy = |name: &str| {
        c.object(&format!(
            "/apis/apps/v1/namespaces/default/deployments/{name}"
        ))
    };
    let cm = |name: &str| c.object(&format!("/api/v1/namespaces/default/configmaps/{name}-cm"));

    // Install client-side: plain creates, `csa` recorded, Update ownership.
    for (tool, name) in [("helm", "h"), ("rudder", "r")] {
        let args = [
            "install",
            name,
            chart,
            "--server-side=false",
            "--set",
            "extra=true",
        ];
        let since = c.last_seq();
        match tool {
            "helm" => c.helm(&args).unwrap().ok(),
            _ => c.rudder(&args).ok(),
        };
        let writes = object_writes(&c.requests_since(since));
        assert!(
            writes.iter().all(|w| w.starts_with("POST ")),
            "{tool}: {writes:?}"
        );
        assert_eq!(writes.len(), 3, "{tool}: {writes:?}");
        assert_eq!(metadata(&c, name)["applyMethod"], "csa");
        assert_eq!(
            managers(&deploy(name)),
            [("helm".to_string(), "Update".to_string())]
        );
    }

    // Upgrade with `auto`: stays client-side; the patch carries only the change.
    let mut patches = Vec::new();
    for (tool, name) in [("helm", "h"), ("rudder", "r")] {
        let args = ["upgrade", name, chart, "--set", "replicas=2,extra=true"];
        let since = c.last_seq();
        match tool {
            "helm" => c.helm(&args).unwrap().ok(),
            _ => c.rudder(&args).ok(),
        };
        let reqs = c.requests_since(since);
        let bodies: Vec<(String, String)> = reqs
            .iter()
            .filter(|r| r["method"] == "PATCH")
            .map(|r| {
                (
                    r["ctype"].as_str().unwrap_or("").to_string(),
                    r["body"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        patches.push(bodies);
        assert_eq!(metadata(&c, name)["applyMethod"], "csa");
        assert_eq!(deploy(name)["spec"]["replicas"], 2);
    }
    assert_eq!(patches[0], patches[1]);
    assert_eq!(
        patches[1],
        [
            (
                "application/strategic-merge-patch+json".to_string(),
                "{\"data\":{\"revision\":\"2\"}}".to_string()
            ),
            (
                "application/strategic-merge-patch+json".to_string(),
                "{\"spec\":{\"replicas\":2}}".to_string()
            )
        ]
    );

    // A value dropped from the chart is removed from the live object
    // (three-way: the original is the previous revision's manifest).
    c.rudder(&["upgrade", "r", chart, "--set", "greeting=x"])
        .ok();
    assert_eq!(cm("r")["data"]["greeting"], "x");
    let extra = c.http("GET", "/api/v1/namespaces/default/configmaps/r-extra", "");
    assert!(extra.contains("NotFound"), "{extra}");

    // `--server-side=true` moves helm's client-side ownership to its apply entry.
    c.rudder(&["upgrade", "r", chart, "--server-side=true"])
        .ok();
    assert_eq!(metadata(&c, "r")["applyMethod"], "ssa");
    assert_eq!(
        managers(&deploy("r")),
        [("helm".to_string(), "Apply".to_string())]
    );
    // helm upgrades it with `auto`: server-side now, no conflict.
    c.helm(&["upgrade", "r", chart, "--set", "replicas=3"])
        .unwrap()
        .ok();
    assert_eq!(metadata(&c, "r")["applyMethod"], "ssa");
    assert_eq!(deploy("r")["spec"]["replicas"], 3);

    // Rollback with `auto` uses the method of the revision rolled back to.
    c.rudder(&["rollback", "r", "1"]).ok();
    assert_eq!(metadata(&c, "r")["applyMethod"], "csa");
    assert_eq!(deploy("r")["spec"]["replicas"], 1);
    let h = c.helm(&["history", "r", "-o", "json"]).unwrap();
    let statuses: Vec<Json> = serde_json::from_str::<Json>(&h.ok().stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].clone())
        .collect();
    assert_eq!(statuses.last().unwrap(), "deployed");
}

#[test]
fn server_side_flag_errors_match_helm() {
    let Some(c) = TestCluster::start(&[]) else {
        return;
    };
    if c.helm(&["version"]).is_none() {
        eprintln!("skipping: helm is not installed");
        return;
    }
    let chart = c.app_chart("app", "0.1.0");
    let chart = chart.to_str().unwrap();
    c.rudder(&["install", "s", chart]).ok();
    c.rudder(&["install", "k", chart, "--server-side=false"])
        .ok();
    let cases: Vec<Vec<&str>> = vec![
        vec!["install", "x", chart, "--server-side=maybe"],
        vec!["upgrade", "s", chart, "--server-side=maybe"],
        vec!["rollback", "s", "1", "--server-side=maybe"],
        // helm refuses these option mixes once the upgrade is under way.
        vec!["upgrade", "s", chart, "--force-replace"],
        vec!["upgrade", "k", chart, "--force-conflicts"],
    ];
    for args in cases {
        let h = c.helm(&args).unwrap();
        let r = c.rudder(&args);
        assert_eq!(r.code, h.code, "{args:?}\n{}", r.stderr);
        assert_eq!(r.stderr, h.stderr, "{args:?}");
    }
    // The refused upgrades were recorded as failed revisions, as helm does.
    let h = c.helm(&["history", "s"]).unwrap();
    assert!(h.ok().stdout.contains(
        "failed  \tapp-0.1.0\t1.0        \tUpgrade \"s\" failed: invalid operation: cannot use server-side apply and force replace together"
    ), "{}", h.stdout);
    // `upgrade --install` installs server-side for any value but "false".
    c.rudder(&["upgrade", "--install", "nn", chart, "--server-side=maybe"])
        .ok();
    assert_eq!(metadata(&c, "nn")["applyMethod"], "ssa");
    // --force-replace with client-side apply replaces the objects.
    c.rudder(&[
        "upgrade",
        "k",
        chart,
        "--force-replace",
        "--set",
        "replicas=2",
    ])
    .ok();
    let d = c.object("/apis/apps/v1/namespaces/default/deployments/k");
    assert_eq!(d["spec"]["replicas"], 2);
}

#[test]
fn wait_watches_and_makes_no_more_requests_than_helm() {
    let Some(c) = TestCluster::start(&[]) else {
        return;
    };
    if c.helm(&["version"]).is_none() {
        eprintln!("skipping: helm is not installed");
        return;
    }
    let chart = c.app_chart("app", "0.1.0");
    let chart = chart.to_str().unwrap();
    let mut counts = Vec::new();
    for (tool, name) in [("helm", "wh"), ("rudder", "wr")] {
        let args = ["install", name, chart, "--wait", "--timeout", "30s"];
        let since = c.last_seq();
        match tool {
            "helm" => c.helm(&args).unwrap().ok(),
            _ => c.rudder(&args).ok(),
        };
        let reqs = c.requests_since(since);
        let watches = reqs
            .iter()
            .filter(|r| r["query"].as_str().unwrap_or("").contains("watch=true"))
            .count();
        assert!(watches >= 1, "{tool} made no watch: {reqs:?}");
        counts.push(reqs.len());
    }
    assert!(
        counts[1] <= counts[0],
        "rudder {} > helm {}",
        counts[1],
        counts[0]
    );
    let d = c.object("/apis/apps/v1/namespaces/default/deployments/wr");
    assert_eq!(d["status"]["readyReplicas"], 1);
}

#[test]
fn legacy_wait_times_out_as_helm() {
    let Some(c) = TestCluster::start(&[]) else {
        return;
    };
    if c.helm(&["version"]).is_none() {
        eprintln!("skipping: helm is not installed");
        return;
    }
    // A Deployment the test server never makes ready.
    let nr = c.chart(
        "nr",
        &[
            ("Chart.yaml", "apiVersion: v2\nname: nr\nversion: 0.1.0\n"),
            (
                "templates/d.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: nr\n  annotations:\n    kube-test.rudder.dev/never-ready: \"true\"\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: nr\n  template:\n    metadata:\n      labels:\n        app: nr\n    spec:\n      containers:\n        - name: c\n          image: nginx\n",
            ),
        ],
    );
    let nr = nr.to_str().unwrap();
    let mut errs = Vec::new();
    for ns in ["l1", "l2"] {
        let args = [
            "install",
            "nr",
            nr,
            "-n",
            ns,
            "--create-namespace",
            "--wait=legacy",
            "--timeout",
            "2s",
        ];
        let out = if ns == "l1" {
            c.helm(&args).unwrap()
        } else {
            c.rudder(&args)
        };
        errs.push((out.code, out.stderr));
    }
    assert_eq!(errs[0], errs[1]);
    assert_eq!(
        errs[1].1,
        "Error: INSTALLATION FAILED: context deadline exceeded\n"
    );
}

#[test]
fn enable_dns_controls_get_host_by_name() {
    let Some(c) = TestCluster::start(&[]) else {
        return;
    };
    let chart = c.chart(
        "dns",
        &[
            ("Chart.yaml", "apiVersion: v2\nname: dns\nversion: 0.1.0\n"),
            (
                "templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  ip: {{ getHostByName \"localhost\" | quote }}\n",
            ),
        ],
    );
    let chart = chart.to_str().unwrap();
    c.rudder(&["install", "dns-off", chart]).ok();
    c.rudder(&["install", "dns-on", chart, "--enable-dns"]).ok();
    let ip = |n: &str| {
        c.object(&format!("/api/v1/namespaces/default/configmaps/{n}"))["data"]["ip"]
            .as_str()
            .unwrap_or("?")
            .to_string()
    };
    assert_eq!(ip("dns-off"), "");
    let on = ip("dns-on");
    assert!(on == "127.0.0.1" || on == "::1", "{on}");
    c.rudder(&["upgrade", "dns-on", chart]).ok();
    assert_eq!(ip("dns-on"), "");
    c.rudder(&["upgrade", "dns-off", chart, "--enable-dns"])
        .ok();
    assert!(!ip("dns-off").is_empty());
}

#[test]
fn watcher_timeout_lists_every_unready_object_as_helm() {
    let Some(c) = TestCluster::start(&[]) else {
        return;
    };
    if c.helm(&["version"]).is_none() {
        eprintln!("skipping: helm is not installed");
        return;
    }
    let never = "  annotations:\n    kube-test.rudder.dev/never-ready: \"true\"\n";
    let pod = "  template:\n    metadata:\n      labels: {app: x}\n    spec:\n      containers: [{name: c, image: nginx}]\n";
    let all = format!(
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: ss\n{never}spec:\n  replicas: 2\n  serviceName: ss\n  selector:\n    matchLabels: {{app: x}}\n{pod}---\n\
         apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: ds\n{never}spec:\n  selector:\n    matchLabels: {{app: x}}\n{pod}---\n\
         apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: pvc\n{never}spec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests: {{storage: 1Gi}}\n---\n\
         apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: jb\n{never}spec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{{name: c, image: busybox}}]\n"
    );
    let chart = c.chart(
        "nr",
        &[
            ("Chart.yaml", "apiVersion: v2\nname: nr\nversion: 0.1.0\n"),
            ("templates/all.yaml", &all),
        ],
    );
    let chart = chart.to_str().unwrap();
    let mut outs = Vec::new();
    for ns in ["wh", "wr"] {
        let args = [
            "install",
            "n",
            chart,
            "-n",
            ns,
            "--create-namespace",
            "--wait",
            "--wait-for-jobs",
            "--timeout",
            "3s",
        ];
        let out = if ns == "wh" {
            c.helm(&args).unwrap()
        } else {
            c.rudder(&args)
        };
        outs.push((out.code, out.stderr.replace("/wh/", "/wr/")));
    }
    assert_eq!(outs[1], outs[0]);
    assert!(outs[1]
        .1
        .contains("message: PVC is not Bound. phase: Pending\n"));
}

#[test]
fn custom_resources_get_helms_json_merge_patch() {
    let Some(c) = TestCluster::start(&[]) else {
        return;
    };
    if c.helm(&["version"]).is_none() {
        eprintln!("skipping: helm is not installed");
        return;
    }
    let chart = c.chart(
        "cr",
        &[
            ("Chart.yaml", "apiVersion: v2\nname: cr\nversion: 0.1.0\n"),
            ("values.yaml", "size: 3\nextra: true\n"),
            (
                "crds/g.yaml",
                "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: gadgets.example.com\nspec:\n  group: example.com\n  names: {kind: Gadget, plural: gadgets, singular: gadget}\n  scope: Namespaced\n  versions:\n    - name: v1\n      served: true\n      storage: true\n      schema:\n        openAPIV3Schema:\n          type: object\n          x-kubernetes-preserve-unknown-fields: true\n",
            ),
            (
                "templates/g.yaml",
                "apiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  size: {{ .Values.size }}\n  {{- if .Values.extra }}\n  extra: [a, b]\n  {{- end }}\n",
            ),
        ],
    );
    let chart = chart.to_str().unwrap();
    let mut bodies = Vec::new();
    for (tool, name) in [("helm", "gh"), ("rudder", "gr")] {
        let install = ["install", name, chart, "--server-side=false"];
        let upgrade = ["upgrade", name, chart, "--set", "size=5,extra=false"];
        match tool {
            "helm" => c.helm(&install).unwrap().ok(),
            _ => c.rudder(&install).ok(),
        };
        let since = c.last_seq();
        match tool {
            "helm" => c.helm(&upgrade).unwrap().ok(),
            _ => c.rudder(&upgrade).ok(),
        };
        let patch: Vec<(String, String)> = c
            .requests_since(since)
            .iter()
            .filter(|r| r["method"] == "PATCH")
            .map(|r| {
                (
                    r["ctype"].as_str().unwrap_or("").to_string(),
                    r["body"].as_str().unwrap_or("").replace(name, "NAME"),
                )
            })
            .collect();
        bodies.push(patch);
        let g = c.object(&format!(
            "/apis/example.com/v1/namespaces/default/gadgets/{name}"
        ));
        assert_eq!(g["spec"], serde_json::json!({"size": 5}), "{tool}");
    }
    assert_eq!(bodies[1], bodies[0]);
    assert_eq!(bodies[1][0].0, "application/merge-patch+json");
}
