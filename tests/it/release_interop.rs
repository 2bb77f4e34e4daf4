//! rudder and the real helm 4 manage the same releases, in both directions:
//! records one writes are read, upgraded, rolled back and uninstalled by the other.

use super::release_support::TestCluster;

#[test]
fn rudder_installs_helm_manages() {
    let Some(c) = TestCluster::start(&[]) else {
        return;
    };
    if c.helm(&["version"]).is_none() {
        eprintln!("skipping: helm is not installed");
        return;
    }
    let chart = c.app_chart("app", "0.1.0");
    let chart = chart.to_str().unwrap();
    c.rudder(&[
        "install",
        "r1",
        chart,
        "--set",
        "greeting=from-rudder",
        "--labels",
        "team=a",
    ])
    .ok();

    // helm reads what rudder wrote, with identical output.
    for args in [
        vec!["list"],
        vec!["history", "r1"],
        vec!["get", "values", "r1"],
        vec!["get", "values", "r1", "--all"],
        vec!["get", "manifest", "r1"],
        vec!["get", "hooks", "r1"],
        vec!["get", "notes", "r1"],
        vec!["get", "metadata", "r1"],
    ] {
        let h = c.helm(&args).unwrap();
        let r = c.rudder(&args);
        assert_eq!(h.ok().stdout, r.ok().stdout, "helm vs rudder for {args:?}");
    }

    // helm upgrades and rolls back a rudder release (same field manager: no conflicts).
    let up = c
        .helm(&[
            "upgrade",
            "r1",
            chart,
            "--reuse-values",
            "--set",
            "extra=true",
        ])
        .unwrap();
    up.ok();
    let st = c.rudder(&["get", "values", "r1"]);
    assert_eq!(
        st.ok().stdout,
        "USER-SUPPLIED VALUES:\nextra: true\ngreeting: from-rudder\n"
    );
    c.helm(&["rollback", "r1", "1"]).unwrap().ok();
    let h = c.rudder(&["history", "r1", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_str(&h.ok().stdout).unwrap();
    let statuses: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["superseded", "superseded", "deployed"]);
    let gone = c.kube_get("/api/v1/namespaces/default/configmaps/r1-extra");
    assert!(gone.contains("\"code\":404"), "{gone}");
    c.helm(&["uninstall", "r1"]).unwrap().ok();
    assert_eq!(c.rudder(&["list", "-q"]).ok().stdout, "");
}

#[test]
fn helm_installs_rudder_manages() {
    let Some(c) = TestCluster::start(&[]) else {
        return;
    };
    let chart = c.app_chart("app", "0.1.0");
    let chart = chart.to_str().unwrap();
    let Some(inst) = c.helm(&["install", "h1", chart, "--set", "greeting=from-helm"]) else {
        eprintln!("skipping: helm is not installed");
        return;
    };
    inst.ok();
    for args in [
        vec!["list"],
        vec!["list", "-A", "-o", "yaml"],
        vec!["history", "h1"],
        vec!["get", "values", "h1", "-o", "yaml"],
        vec!["get", "all", "h1"],
    ] {
        let h = c.helm(&args).unwrap();
        let r = c.rudder(&args);
        assert_eq!(h.ok().stdout, r.ok().stdout, "helm vs rudder for {args:?}");
    }
    // status -o json: the same record and the same live objects in info.resources.
    let hs = c.helm(&["status", "h1", "-o", "json"]).unwrap();
    let rs = c.rudder(&["status", "h1", "-o", "json"]);
    assert_eq!(hs.ok().stdout, rs.ok().stdout);

    c.rudder(&[
        "upgrade",
        "h1",
        chart,
        "--reuse-values",
        "--set",
        "replicas=2",
    ])
    .ok();
    let deploy = c.kube_get("/apis/apps/v1/namespaces/default/deployments/h1");
    assert!(deploy.contains("\"replicas\":2"), "{deploy}");
    assert!(!deploy.contains("\"manager\":\"rudder\""), "{deploy}");
    let hv = c.helm(&["get", "values", "h1"]).unwrap();
    assert_eq!(
        hv.ok().stdout,
        "USER-SUPPLIED VALUES:\ngreeting: from-helm\nreplicas: 2\n"
    );
    c.rudder(&["rollback", "h1"]).ok();
    let hh = c.helm(&["history", "h1"]).unwrap();
    assert!(
        hh.ok().stdout.contains("\tdeployed  \t") && hh.stdout.contains("Rollback to 1"),
        "{}",
        hh.stdout
    );
    // helm can upgrade again after rudder's rollback.
    c.helm(&["upgrade", "h1", chart]).unwrap().ok();
    c.rudder(&["uninstall", "h1"]).ok();
    assert_eq!(c.helm(&["list", "-q"]).unwrap().ok().stdout, "");
    let deploy = c.kube_get("/apis/apps/v1/namespaces/default/deployments/h1");
    assert!(deploy.contains("\"code\":404"), "{deploy}");
}

/// A release as Helm 3.19 leaves it: client-side applied objects and a record
/// with `deleted`/zero hook times written out and no `apply_method`. rudder
/// reads it, upgrades it (taking over the client-side fields) and helm reads
/// the result.
#[test]
fn helm3_shaped_release_is_read_and_upgraded() {
    use base64::Engine as _;
    use std::io::{Read, Write};
    let Some(c) = TestCluster::start(&[]) else {
        return;
    };
    let chart = c.app_chart("app", "0.1.0");
    let chart = chart.to_str().unwrap();
    let Some(inst) = c.helm(&["install", "old", chart, "--server-side=false"]) else {
        eprintln!("skipping: helm is not installed");
        return;
    };
    inst.ok();
    let path = "/api/v1/namespaces/default/secrets/sh.helm.release.v1.old.v1";
    let secret: serde_json::Value = serde_json::from_str(&c.kube_get(path)).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD;
    let inner = b64
        .decode(secret["data"]["release"].as_str().unwrap())
        .unwrap();
    let zipped = b64.decode(&inner).unwrap();
    let mut json = String::new();
    flate2::read::GzDecoder::new(zipped.as_slice())
        .read_to_string(&mut json)
        .unwrap();
    let mut rec: serde_json::Value = serde_json::from_str(&json).unwrap();
    rec.as_object_mut().unwrap().remove("apply_method");
    rec["info"]["deleted"] = "0001-01-01T00:00:00Z".into();
    for h in rec["hooks"].as_array_mut().unwrap() {
        h["last_run"] = serde_json::json!({"started_at": "0001-01-01T00:00:00Z", "completed_at": "0001-01-01T00:00:00Z", "phase": ""});
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(serde_json::to_string(&rec).unwrap().as_bytes())
        .unwrap();
    let data = b64.encode(b64.encode(gz.finish().unwrap()));
    let mut new_secret = secret.clone();
    new_secret["data"]["release"] = data.into();
    new_secret["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("resourceVersion");
    c.http("PUT", path, &new_secret.to_string());

    let st = c.rudder(&["get", "metadata", "old"]);
    assert!(
        st.ok().stdout.contains("APPLY_METHOD: client-side apply\n"),
        "{}",
        st.stdout
    );
    for args in [
        vec!["list"],
        vec!["history", "old"],
        vec!["get", "all", "old"],
    ] {
        let h = c.helm(&args).unwrap();
        assert_eq!(h.ok().stdout, c.rudder(&args).ok().stdout, "{args:?}");
    }
    c.rudder(&["upgrade", "old", chart, "--set", "greeting=new"])
        .ok();
    let cm = c.kube_get("/api/v1/namespaces/default/configmaps/old-cm");
    assert!(cm.contains("\"greeting\":\"new\""), "{cm}");
    let hs = c.helm(&["status", "old"]).unwrap();
    assert!(
        hs.ok().stdout.contains("STATUS: deployed\nREVISION: 2\n"),
        "{}",
        hs.stdout
    );
    c.helm(&["rollback", "old", "1"]).unwrap().ok();
    let cm = c.kube_get("/api/v1/namespaces/default/configmaps/old-cm");
    assert!(cm.contains("\"greeting\":\"hello\""), "{cm}");
}
