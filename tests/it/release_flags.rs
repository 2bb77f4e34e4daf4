//! install/upgrade flags on twin releases: helm acts on `hN`, rudder on `rN`
//! (same chart, same server), and the outputs, exit codes and resulting
//! records agree once the names are swapped and times masked.

use super::release_support::{Run, TestCluster};

/// Clock times (`07:23:20`) differ between the two runs: mask them. client-go's
/// own log lines (`I1128 07:00:00 ... reflector.go`) are dropped.
fn mask(text: &str) -> String {
    let text: String = text
        .split_inclusive('\n')
        .filter(|l| {
            let b = l.as_bytes();
            !(b.len() > 5 && b"IWE".contains(&b[0]) && b[1..5].iter().all(u8::is_ascii_digit))
        })
        .collect();
    let text = text.as_str();
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        let clock = i + 8 <= b.len()
            && [0, 1, 3, 4, 6, 7]
                .iter()
                .all(|&k| b[i + k].is_ascii_digit())
            && b[i + 2] == b':'
            && b[i + 5] == b':';
        if clock {
            out.push_str("hh:mm:ss");
            i += 8;
        } else if text[i..].starts_with("(rule ") {
            // fault rule ids differ between the twins
            out.push_str("(rule N");
            i += 6;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        } else {
            let ch = text[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// Runs `args` (with `REL` for the release name) through helm on `h<n>` and
/// rudder on `r<n>`; asserts they agree and returns rudder's run.
fn twin(c: &TestCluster, n: &str, args: &[&str]) -> Run {
    let with = |prefix: &str| -> Vec<String> {
        args.iter()
            .map(|a| a.replace("REL", &format!("{prefix}{n}")))
            .collect()
    };
    let hargs = with("h");
    let rargs = with("r");
    let h = c
        .helm(&hargs.iter().map(String::as_str).collect::<Vec<_>>())
        .expect("helm");
    let r = c.rudder(&rargs.iter().map(String::as_str).collect::<Vec<_>>());
    let swap = |s: &str| mask(&s.replace(&format!("r{n}"), &format!("h{n}")));
    assert_eq!(
        r.code, h.code,
        "{args:?}\nrudder: {}\nhelm: {}",
        r.stderr, h.stderr
    );
    assert_eq!(swap(&r.stdout), mask(&h.stdout), "{args:?}");
    assert_eq!(swap(&r.stderr), mask(&h.stderr), "{args:?}");
    r
}

#[test]
fn install_and_upgrade_flags_match_helm() {
    let Some(c) = TestCluster::start(&[]) else {
        return;
    };
    if c.helm(&["version"]).is_none() {
        eprintln!("skipping: helm is not installed");
        return;
    }
    let app = c.app_chart("app", "0.1.0");
    let app = app.to_str().unwrap();
    let job = c.chart(
        "job",
        &[
            ("Chart.yaml", "apiVersion: v2\nname: job\nversion: 0.1.0\n"),
            (
                "templates/job.yaml",
                "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {{ .Release.Name }}-job\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n        - name: j\n          image: busybox\n",
            ),
            (
                "templates/hook.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-hook\n  annotations:\n    helm.sh/hook: post-install,post-upgrade\ndata:\n  a: b\n",
            ),
        ],
    );
    let job = job.to_str().unwrap();
    let crd = c.chart(
        "crd",
        &[
            ("Chart.yaml", "apiVersion: v2\nname: crd\nversion: 0.1.0\n"),
            (
                "crds/widgets.yaml",
                "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  names:\n    kind: Widget\n    plural: widgets\n    singular: widget\n  scope: Namespaced\n  versions:\n    - name: v1\n      served: true\n      storage: true\n      schema:\n        openAPIV3Schema:\n          type: object\n          x-kubernetes-preserve-unknown-fields: true\n",
            ),
            (
                "templates/widget.yaml",
                "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  size: 3\n",
            ),
        ],
    );
    let crd = crd.to_str().unwrap();

    // install flags
    twin(
        &c,
        "1",
        &[
            "install",
            "REL",
            app,
            "--description",
            "first",
            "--hide-notes",
        ],
    );
    twin(&c, "1", &["get", "values", "REL", "--all"]);
    twin(
        &c,
        "2",
        &["install", "REL", app, "--no-hooks", "--set", "greeting=hi"],
    );
    twin(
        &c,
        "3",
        &[
            "install",
            "REL",
            job,
            "--wait",
            "--wait-for-jobs",
            "--timeout",
            "60s",
        ],
    );
    twin(&c, "3", &["get", "hooks", "REL"]);
    twin(&c, "4", &["install", "REL", crd]);
    twin(&c, "4", &["get", "manifest", "REL"]);
    twin(&c, "5", &["install", "REL", app, "--dry-run=server"]);
    twin(
        &c,
        "5",
        &[
            "install",
            "REL",
            app,
            "--dry-run=client",
            "--set",
            "extra=true",
        ],
    );
    twin(&c, "1", &["install", "REL", app]);
    twin(&c, "6", &["install", "REL", "--skip-crds", crd]);
    twin(
        &c,
        "7",
        &["install", "--name-template", "REL-{{ add 1 2 }}", app],
    );
    twin(&c, "7", &["history", "REL-3"]);
    for bad in ["{{", "{{ .Foo }}", "Bad_Name"] {
        twin(&c, "8", &["install", "--name-template", bad, app]);
    }
    twin(&c, "8", &["install", "REL", app, "--name-template", "x"]);
    twin(&c, "1", &["rollback", "REL", "--", "-1"]);
    twin(&c, "1", &["rollback", "Bad_REL"]);
    twin(&c, "1", &["rollback", "REL", "9"]);

    // upgrade value handling
    twin(&c, "2", &["upgrade", "REL", app, "--set", "replicas=2"]);
    twin(&c, "2", &["get", "values", "REL"]);
    twin(
        &c,
        "2",
        &[
            "upgrade",
            "REL",
            app,
            "--reuse-values",
            "--set",
            "extra=true",
        ],
    );
    twin(&c, "2", &["get", "values", "REL", "--all"]);
    twin(
        &c,
        "2",
        &[
            "upgrade",
            "REL",
            app,
            "--reset-then-reuse-values",
            "--set",
            "greeting=yo",
        ],
    );
    twin(&c, "2", &["get", "values", "REL", "--all"]);
    twin(&c, "2", &["upgrade", "REL", app, "--reset-values"]);
    twin(&c, "2", &["get", "values", "REL"]);
    twin(
        &c,
        "2",
        &[
            "upgrade",
            "REL",
            app,
            "--dry-run=server",
            "--set",
            "greeting=dry",
        ],
    );
    twin(&c, "2", &["history", "REL"]);

    // a failed upgrade with --rollback-on-failure restores the previous revision
    c.faults(
        r#"[{"method": "PATCH", "path": "/deployments/h1$", "status": 500},
            {"method": "PATCH", "path": "/deployments/r1$", "status": 500}]"#,
    );
    twin(
        &c,
        "1",
        &[
            "upgrade",
            "REL",
            app,
            "--set",
            "replicas=3",
            "--rollback-on-failure",
            "--timeout",
            "20s",
        ],
    );
    c.faults("[]");
    twin(&c, "1", &["history", "REL"]);
    let r = c.rudder(&["history", "r1", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let statuses: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(statuses, ["superseded", "failed", "deployed"]);

    // --cleanup-on-fail deletes what the failed upgrade created
    c.faults(
        r#"[{"method": "PATCH", "path": "/deployments/h2$", "status": 500},
            {"method": "PATCH", "path": "/deployments/r2$", "status": 500}]"#,
    );
    twin(
        &c,
        "2",
        &[
            "upgrade",
            "REL",
            app,
            "--set",
            "extra=true",
            "--cleanup-on-fail",
        ],
    );
    c.faults("[]");
    for n in ["h2", "r2"] {
        let extra = c.http(
            "GET",
            &format!("/api/v1/namespaces/default/configmaps/{n}-extra"),
            "",
        );
        assert!(extra.contains("NotFound"), "{n}: {extra}");
    }
    twin(&c, "2", &["history", "REL"]);

    // Hook failures: upgrade words them its own way; a failed pre-rollback
    // hook leaves the rollback revision pending, so the next upgrade is refused.
    let hooks = c.chart(
        "hk",
        &[
            ("Chart.yaml", "apiVersion: v2\nname: hk\nversion: 0.1.0\n"),
            ("values.yaml", "fail: false\n"),
            (
                "templates/hook.yaml",
                "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {{ .Release.Name }}-pre\n  annotations:\n    helm.sh/hook: pre-install,pre-upgrade,pre-rollback\n    helm.sh/hook-delete-policy: hook-succeeded\n    {{- if .Values.fail }}\n    kube-test.rudder.dev/fail: \"true\"\n    {{- end }}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: j, image: busybox}]\n",
            ),
        ],
    );
    let hooks = hooks.to_str().unwrap();
    twin(&c, "9", &["install", "REL", hooks]);
    twin(
        &c,
        "9",
        &[
            "upgrade",
            "REL",
            hooks,
            "--set",
            "fail=true",
            "--timeout",
            "10s",
        ],
    );
    twin(&c, "9", &["rollback", "REL", "1", "--timeout", "10s"]);
    twin(&c, "9", &["history", "REL"]);
    twin(&c, "9", &["upgrade", "REL", hooks]);

    // Deprecated spellings: cobra's notices in command-line order.
    twin(&c, "10", &["install", "REL", app, "--force", "--atomic"]);
    twin(&c, "10", &["upgrade", "REL", app, "--atomic", "--force"]);
    twin(&c, "10", &["rollback", "REL", "--force"]);
    twin(&c, "10", &["history", "REL"]);

    // A failing post-delete hook: the uninstall completes with the error.
    let post_delete = c.chart(
        "hk2",
        &[
            ("Chart.yaml", "apiVersion: v2\nname: hk2\nversion: 0.1.0\n"),
            ("values.yaml", "fail: false\n"),
            (
                "templates/hook.yaml",
                "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {{ .Release.Name }}-pd\n  annotations:\n    helm.sh/hook: post-delete\n    {{- if .Values.fail }}\n    kube-test.rudder.dev/fail: \"true\"\n    {{- end }}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: j, image: busybox}]\n",
            ),
        ],
    );
    let post_delete = post_delete.to_str().unwrap();
    twin(
        &c,
        "11",
        &["install", "REL", post_delete, "--set", "fail=true"],
    );
    twin(
        &c,
        "11",
        &["uninstall", "REL", "--keep-history", "--timeout", "10s"],
    );
    twin(&c, "11", &["history", "REL"]);
}
