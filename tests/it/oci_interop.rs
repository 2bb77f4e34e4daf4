//! rudder and the real helm sharing one registry and one credentials file:
//! what either pushes the other pulls, shows and renders identically, and
//! the same archive pushed by both gets the same manifest digest.

use super::oci_support::{helm_bin, reported_digest, Home, Registry, PASSWORD, USER};

fn helm() -> Option<std::path::PathBuf> {
    let h = helm_bin();
    if h.is_none() {
        println!("skipped: no helm binary (HELM_BIN, .helm-oracle/helm, /work/helm-bin/helm)");
    }
    h
}

#[test]
fn rudder_push_helm_pull_show_template() {
    let Some(reg) = Registry::start(false) else {
        return;
    };
    let Some(helm) = helm() else { return };
    let home = Home::new();
    let tgz = home.packaged_chart("interop", "1.2.3+meta");
    let push = home.rudder(&[
        "push",
        &tgz.to_string_lossy(),
        &reg.oci("x"),
        "--plain-http",
    ]);
    push.ok();

    let pull = home.helm(
        &helm,
        &["pull", &reg.oci("x/interop"), "--plain-http", "-d", "h"],
    );
    assert_eq!(pull.code, 1, "helm needs -d to exist");
    std::fs::create_dir_all(home.work().join("h")).unwrap();
    let pull = home.helm(
        &helm,
        &["pull", &reg.oci("x/interop"), "--plain-http", "-d", "h"],
    );
    pull.ok();
    assert_eq!(reported_digest(&pull.stdout), reported_digest(&push.stdout));
    assert_eq!(
        std::fs::read(home.work().join("h/interop-1.2.3+meta.tgz")).unwrap(),
        std::fs::read(&tgz).unwrap()
    );

    for args in [
        vec![
            "show",
            "chart",
            &reg.oci("x/interop") as &str,
            "--plain-http",
        ],
        vec!["show", "values", &reg.oci("x/interop"), "--plain-http"],
        vec![
            "template",
            "r",
            &reg.oci("x/interop"),
            "--plain-http",
            "--version",
            "^1",
        ],
    ] {
        let h = home.helm(&helm, &args);
        h.ok();
        let r = home.rudder(&args);
        r.ok();
        assert_eq!(r.stdout, h.stdout, "{args:?}");
        assert_eq!(r.stderr, h.stderr, "{args:?}");
    }
}

#[test]
fn helm_push_rudder_pull_template_and_same_digests() {
    let Some(reg) = Registry::start(false) else {
        return;
    };
    let Some(helm) = helm() else { return };
    let home = Home::new();
    let tgz = home.packaged_chart("fromhelm", "0.4.0");
    let tgz = tgz.to_string_lossy().into_owned();
    let hpush = home.helm(&helm, &["push", &tgz, &reg.oci("h"), "--plain-http"]);
    hpush.ok();
    let rpush = home.rudder(&["push", &tgz, &reg.oci("r"), "--plain-http"]);
    rpush.ok();
    // Same archive, same mtime: byte-identical manifests.
    assert_eq!(
        reported_digest(&rpush.stdout),
        reported_digest(&hpush.stdout)
    );
    assert_eq!(rpush.stdout.replace("/r/", "/h/"), hpush.stdout);

    for (bin_is_rudder, args) in [
        (
            true,
            vec!["pull", &reg.oci("h/fromhelm") as &str, "--plain-http"],
        ),
        (
            false,
            vec![
                "pull",
                &reg.oci("r/fromhelm"),
                "--plain-http",
                "--version",
                "0.4.0",
                "-d",
                "sub",
            ],
        ),
    ] {
        std::fs::create_dir_all(home.work().join("sub")).unwrap();
        let r = if bin_is_rudder {
            home.rudder(&args)
        } else {
            home.helm(&helm, &args)
        };
        r.ok();
    }
    let original = std::fs::read(&tgz).unwrap();
    assert_eq!(
        std::fs::read(home.work().join("fromhelm-0.4.0.tgz")).unwrap(),
        original
    );
    assert_eq!(
        std::fs::read(home.work().join("sub/fromhelm-0.4.0.tgz")).unwrap(),
        original
    );

    let args = [
        "template",
        "rel",
        &reg.oci("h/fromhelm") as &str,
        "--plain-http",
        "--set",
        "replicaCount=3",
    ];
    let h = home.helm(&helm, &args);
    let r = home.rudder(&args);
    h.ok();
    r.ok();
    assert_eq!(r.stdout, h.stdout);

    // Errors match helm's text for the same failures.
    for args in [
        vec![
            "pull",
            &reg.oci("h/fromhelm") as &str,
            "--plain-http",
            "--version",
            "7.0.0",
        ],
        vec!["pull", &reg.oci("h/missing"), "--plain-http"],
        vec![
            "pull",
            &reg.oci("h/fromhelm"),
            "--plain-http",
            "--version",
            ">1",
        ],
        vec![
            "show",
            "chart",
            &reg.oci("h/fromhelm"),
            "--plain-http",
            "--version",
            "0.0.1",
        ],
    ] {
        let h = home.helm(&helm, &args);
        let r = home.rudder(&args);
        assert_eq!((r.code, &r.stderr), (h.code, &h.stderr), "{args:?}");
    }
}

#[test]
fn credentials_file_is_shared_with_helm() {
    let Some(reg) = Registry::start(true) else {
        return;
    };
    let Some(helm) = helm() else { return };
    let home = Home::new();
    let tgz = home.packaged_chart("shared", "2.0.0");
    let tgz = tgz.to_string_lossy().into_owned();
    let host = reg.host.clone();

    // rudder logs in, helm pushes with that login.
    home.rudder_stdin(
        &[
            "registry",
            "login",
            &host,
            "-u",
            USER,
            "--password-stdin",
            "--plain-http",
        ],
        PASSWORD,
    )
    .ok();
    home.helm(&helm, &["push", &tgz, &reg.oci("s"), "--plain-http"])
        .ok();
    home.rudder(&["pull", &reg.oci("s/shared"), "--plain-http"])
        .ok();

    // helm logs out and in again; rudder uses what helm wrote.
    home.helm(&helm, &["registry", "logout", &host]).ok();
    let r = home.rudder(&["pull", &reg.oci("s/shared"), "--plain-http", "-d", ".."]);
    let h = home.helm(
        &helm,
        &["pull", &reg.oci("s/shared"), "--plain-http", "-d", ".."],
    );
    assert_eq!((r.code, &r.stderr), (h.code, &h.stderr));
    let login = home.helm(
        &helm,
        &[
            "registry",
            "login",
            &host,
            "-u",
            USER,
            "-p",
            PASSWORD,
            "--plain-http",
        ],
    );
    login.ok();
    let before = std::fs::read_to_string(home.registry_config()).unwrap();
    home.rudder(&["show", "chart", &reg.oci("s/shared"), "--plain-http"])
        .ok();
    // And rudder's own login writes the same bytes helm wrote.
    home.rudder(&[
        "registry",
        "login",
        &host,
        "-u",
        USER,
        "-p",
        PASSWORD,
        "--plain-http",
    ])
    .ok();
    assert_eq!(
        std::fs::read_to_string(home.registry_config()).unwrap(),
        before
    );
}

#[test]
fn dependency_update_matches_helm() {
    let Some(reg) = Registry::start(false) else {
        return;
    };
    let Some(helm) = helm() else { return };
    let home = Home::new();
    for v in ["1.1.0", "1.3.0", "2.0.0"] {
        let tgz = home.packaged_chart("sub", v);
        home.rudder(&[
            "push",
            &tgz.to_string_lossy(),
            &reg.oci("d"),
            "--plain-http",
        ])
        .ok();
    }
    let mut outputs = Vec::new();
    for who in ["helm", "rudder"] {
        home.rudder(&["create", who]).ok();
        let chart_yaml = home.work().join(who).join("Chart.yaml");
        let mut text = std::fs::read_to_string(&chart_yaml).unwrap();
        text.push_str(&format!(
            "dependencies:\n  - name: sub\n    version: ^1.0.0\n    repository: {}\n",
            reg.oci("d")
        ));
        std::fs::write(&chart_yaml, text).unwrap();
        let args = ["dependency", "update", who, "--plain-http"];
        let run = if who == "helm" {
            home.helm(&helm, &args)
        } else {
            home.rudder(&args)
        };
        run.ok();
        let lock = std::fs::read_to_string(home.work().join(who).join("Chart.lock")).unwrap();
        let lock: String = lock
            .lines()
            .filter(|l| !l.starts_with("generated:"))
            .collect::<Vec<_>>()
            .join("\n");
        let tgz = std::fs::read(home.work().join(who).join("charts/sub-1.3.0.tgz")).unwrap();
        outputs.push((run.stdout, run.stderr, lock, tgz));
    }
    assert_eq!(outputs[0], outputs[1]);
}

#[test]
fn provenance_layer_is_pushed_like_helm() {
    let Some(reg) = Registry::start(false) else {
        return;
    };
    let Some(helm) = helm() else { return };
    let home = Home::new();
    let tgz = home.packaged_chart("signed", "3.1.4");
    let prov = format!("{}.prov", tgz.to_string_lossy());
    std::fs::write(
        &prov,
        "-----BEGIN PGP SIGNED MESSAGE-----\nnot really signed\n",
    )
    .unwrap();
    let tgz = tgz.to_string_lossy().into_owned();
    let h = home.helm(&helm, &["push", &tgz, &reg.oci("h"), "--plain-http"]);
    h.ok();
    let r = home.rudder(&["push", &tgz, &reg.oci("r"), "--plain-http"]);
    r.ok();
    assert_eq!(reported_digest(&r.stdout), reported_digest(&h.stdout));
    // The chart still pulls; the provenance layer is not in the way.
    home.rudder(&["pull", &reg.oci("h/signed"), "--plain-http"])
        .ok();
    assert_eq!(
        std::fs::read(home.work().join("signed-3.1.4.tgz")).unwrap(),
        std::fs::read(&tgz).unwrap()
    );
    // `--prov` fetches it as helm does (a second report), or warns when absent.
    for (dir, repo) in [("with", "h/signed"), ("without", "plain/signed")] {
        if dir == "without" {
            std::fs::remove_file(&prov).unwrap();
            home.rudder(&["push", &tgz, &reg.oci("plain"), "--plain-http"])
                .ok();
        }
        let mut seen = Vec::new();
        for who in ["helm", "rudder"] {
            let d = format!("{who}-{dir}");
            std::fs::create_dir_all(home.work().join(&d)).unwrap();
            let args = [
                "pull",
                &reg.oci(repo) as &str,
                "--plain-http",
                "--prov",
                "-d",
                &d,
            ];
            let run = if who == "helm" {
                home.helm(&helm, &args)
            } else {
                home.rudder(&args)
            };
            run.ok();
            let mut files: Vec<String> = std::fs::read_dir(home.work().join(&d))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            files.sort();
            seen.push((run.stdout, run.stderr, files));
        }
        assert_eq!(seen[0], seen[1], "{dir}");
    }
}
