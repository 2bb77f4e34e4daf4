//! The repository flags of the chart commands against servers started in
//! the test: `--ca-file/--cert-file/--key-file` and
//! `--insecure-skip-tls-verify` over mutual TLS, `--username/--password`
//! and `--pass-credentials` over basic auth (on `pull`, `show` and
//! `template` with `--repo`), credentials stored in repositories.yaml for
//! `dependency update` and `--dependency-update`, and `-f`/`--set-file`
//! values URLs. Where helm behaves observably the real helm runs the same
//! command in the same homes and its output must be identical.

use std::path::Path;
use std::process::Output;

use super::repo_support::*;
use super::repo_tls::{helm_bin, TlsServer};

fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "failed: stdout={} stderr={}",
        stdout(o),
        stderr(o)
    );
}

/// A failure is one `Error: ...` line on stderr and exit status 1.
fn one_line_error(o: &Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(1),
        "stdout={} stderr={}",
        stdout(o),
        stderr(o)
    );
    let err = stderr(o);
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("Error: ")).collect();
    assert_eq!(lines.len(), 1, "stderr: {err}");
    lines[0].to_string()
}

fn helm(args: &[&str], cwd: &Path, home: &Path) -> Option<Output> {
    let bin = helm_bin()?;
    Some(command(&bin, args, cwd, home).output().expect("run helm"))
}

/// Runs `args` with rudder and (when installed) helm in the same homes;
/// both must agree on exit status, stdout and any `Error:` line.
fn same_as_helm(args: &[&str], cwd: &Path, home: &Path) -> Output {
    let ours = rudder(args, cwd, home);
    if let Some(theirs) = helm(args, cwd, home) {
        assert_eq!(
            ours.status.code(),
            theirs.status.code(),
            "{args:?}\n{}",
            stderr(&theirs)
        );
        assert_eq!(stdout(&ours), stdout(&theirs), "{args:?}");
        let errors = |o: &Output| -> Vec<String> {
            stderr(o)
                .lines()
                .filter(|l| l.starts_with("Error: "))
                .map(str::to_string)
                .collect()
        };
        assert_eq!(errors(&ours), errors(&theirs), "{args:?}");
    }
    ours
}

fn index_dir(root: &Path, url: &str, cwd: &Path) {
    let out = rudder(
        &["repo", "index", root.to_str().expect("utf8"), "--url", url],
        cwd,
        &cwd.join("idx-home"),
    );
    assert!(out.status.success(), "repo index: {}", stderr(&out));
}

#[test]
fn tls_flags_on_pull_show_template_and_dependencies() {
    let s = Scratch::new("flags-tls");
    let certs = s.path().join("certs");
    let root = s.path().join("srv");
    std::fs::create_dir_all(&certs).expect("certs");
    std::fs::create_dir_all(&root).expect("srv");
    if !super::oci_support::make_certificates(&certs) {
        println!("skipped: the openssl command is absent or could not make a test CA");
        return;
    }
    package_chart(&root, "alpha", "1.0.0", "Alpha test chart");
    let Some(server) = TlsServer::start(&root, &certs, true) else {
        println!("skipped: openssl s_server did not start");
        return;
    };
    index_dir(&root, &server.url, s.path());
    let home = s.path().join("home");
    let path = |f: &str| certs.join(f).to_str().expect("utf8").to_string();
    let (ca, cert, key) = (path("ca.crt"), path("client.crt"), path("client.key"));
    let tls = [
        "--ca-file",
        ca.as_str(),
        "--cert-file",
        cert.as_str(),
        "--key-file",
        key.as_str(),
    ];
    let with = |base: &[&str], extra: &[&str]| -> Vec<String> {
        base.iter().chain(extra).map(|s| s.to_string()).collect()
    };
    let run = |args: &[String]| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        same_as_helm(&args, s.path(), &home)
    };

    let show = ["show", "chart", "--repo", server.url.as_str(), "alpha"];
    let shown = run(&with(&show, &tls));
    ok(&shown);
    assert!(
        stdout(&shown).contains("name: alpha\n"),
        "{}",
        stdout(&shown)
    );
    // The server's certificate is trusted only through --ca-file...
    let untrusted = rudder(
        &with(&show, &tls[2..])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        s.path(),
        &home,
    );
    assert!(
        one_line_error(&untrusted).contains("certificate signed by unknown authority"),
        "{}",
        stderr(&untrusted)
    );
    // ... or skipped with --insecure-skip-tls-verify.
    ok(&run(&with(
        &show,
        &[
            "--insecure-skip-tls-verify",
            "--cert-file",
            cert.as_str(),
            "--key-file",
            key.as_str(),
        ],
    )));
    // Without the client certificate the server refuses the handshake.
    let refused = rudder(
        &with(&show, &tls[..2])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        s.path(),
        &home,
    );
    one_line_error(&refused);

    let template = ["template", "rel", "alpha", "--repo", server.url.as_str()];
    let rendered = run(&with(&template, &tls));
    ok(&rendered);
    assert!(
        stdout(&rendered).contains("kind: ConfigMap"),
        "{}",
        stdout(&rendered)
    );

    let dest = s.path().join("pulled");
    std::fs::create_dir_all(&dest).expect("dest");
    let pull = [
        "pull",
        "alpha",
        "--repo",
        server.url.as_str(),
        "-d",
        dest.to_str().expect("utf8"),
    ];
    ok(&rudder(
        &with(&pull, &tls)
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        s.path(),
        &home,
    ));
    assert_eq!(
        std::fs::read(dest.join("alpha-1.0.0.tgz")).expect("pulled"),
        std::fs::read(root.join("alpha-1.0.0.tgz")).expect("served")
    );

    // dependency update uses the TLS files stored with the repository.
    let add = with(&["repo", "add", "t", server.url.as_str()], &tls);
    ok(&rudder(
        &add.iter().map(String::as_str).collect::<Vec<_>>(),
        s.path(),
        &home,
    ));
    let app = s.path().join("app");
    write_app_chart(&app, "\"@t\"");
    let up = rudder(&["dependency", "update", "app"], s.path(), &home);
    ok(&up);
    assert!(
        app.join("charts/alpha-1.0.0.tgz").exists(),
        "{}",
        stdout(&up)
    );
}

/// A chart `app` depending on `alpha ^1.0.0` from `repository`.
fn write_app_chart(dir: &Path, repository: &str) {
    std::fs::create_dir_all(dir.join("templates")).expect("mkdir");
    std::fs::write(
        dir.join("Chart.yaml"),
        format!(
            "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n- name: alpha\n  version: ^1.0.0\n  repository: {repository}\n"
        ),
    )
    .expect("Chart.yaml");
    std::fs::write(
        dir.join("templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n",
    )
    .expect("template");
}

#[test]
fn basic_auth_flags_and_pass_credentials() {
    let s = Scratch::new("flags-auth");
    let auth = Some(("user", "pw"));
    // `own` lists its charts under its own URL; `far` lists them under a
    // second server (another host:port), so credentials reach the chart
    // download only with --pass-credentials.
    let own_root = s.path().join("own");
    let far_root = s.path().join("far");
    for root in [&own_root, &far_root] {
        std::fs::create_dir_all(root).expect("root");
        package_chart(root, "alpha", "1.0.0", "Alpha test chart");
    }
    let own = Server::start(&own_root, auth);
    let far = Server::start(&far_root, auth);
    let charts = Server::start(&far_root, auth);
    index_dir(&own_root, &own.url, s.path());
    index_dir(&far_root, &charts.url, s.path());
    let home = s.path().join("home");
    let creds = ["--username", "user", "--password", "pw"];
    let args = |base: &[&str], extra: &[&str]| -> Vec<String> {
        base.iter().chain(extra).map(|s| s.to_string()).collect()
    };
    let run = |a: Vec<String>| {
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        same_as_helm(&a, s.path(), &home)
    };

    let show = ["show", "values", "--repo", own.url.as_str(), "alpha"];
    let denied = run(args(&show, &[]));
    assert!(
        one_line_error(&denied).contains("401 Unauthorized"),
        "{}",
        stderr(&denied)
    );
    let shown = run(args(&show, &creds));
    assert_eq!(stdout(&shown), "replicas: 1\n\n");
    // --plain-http is for OCI registries; an HTTP repository ignores it.
    let mut plain = creds.to_vec();
    plain.push("--plain-http");
    assert_eq!(stdout(&run(args(&show, &plain))), "replicas: 1\n\n");
    ok(&run(args(
        &["template", "rel", "alpha", "--repo", own.url.as_str()],
        &creds,
    )));

    // With --repo the credentials go to the chart's URL wherever it is.
    let dest = s.path().join("pulled");
    std::fs::create_dir_all(&dest).expect("dest");
    let dest_s = dest.to_str().expect("utf8");
    ok(&run(args(
        &["pull", "alpha", "--repo", far.url.as_str(), "-d", dest_s],
        &creds,
    )));
    assert!(dest.join("alpha-1.0.0.tgz").exists());
    std::fs::remove_file(dest.join("alpha-1.0.0.tgz")).expect("rm");
    // A repository's credentials reach another host only when it was
    // added with --pass-credentials (in fresh homes: the content cache
    // would serve the archive pulled above without any download).
    let home = s.path().join("home2");
    let run = |a: Vec<String>| {
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        same_as_helm(&a, s.path(), &home)
    };
    ok(&rudder(
        &args(&["repo", "add", "far", far.url.as_str()], &creds)
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        s.path(),
        &home,
    ));
    let not_passed = run(args(&["pull", "far/alpha", "-d", dest_s], &[]));
    assert_eq!(
        one_line_error(&not_passed),
        format!(
            "Error: failed to fetch {}/alpha-1.0.0.tgz : 401 Unauthorized",
            charts.url
        )
    );
    assert!(!dest.join("alpha-1.0.0.tgz").exists());
    ok(&rudder(
        &args(
            &[
                "repo",
                "add",
                "far2",
                far.url.as_str(),
                "--pass-credentials",
            ],
            &creds,
        )
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>(),
        s.path(),
        &home,
    ));
    ok(&run(args(&["pull", "far2/alpha", "-d", dest_s], &[])));
    assert!(dest.join("alpha-1.0.0.tgz").exists());

    // dependency update and --dependency-update use the stored credentials
    // (in homes with that one repository: helm reports the refresh of
    // several repositories in the order its downloads finish).
    let home = s.path().join("home3");
    let run = |a: Vec<String>| {
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        same_as_helm(&a, s.path(), &home)
    };
    ok(&rudder(
        &[
            "repo",
            "add",
            "t",
            own.url.as_str(),
            "--username",
            "user",
            "--password",
            "pw",
        ],
        s.path(),
        &home,
    ));
    for dir in ["app-rudder", "app-helm"] {
        write_app_chart(&s.path().join(dir), &own.url);
    }
    let missing = run(vec!["template".into(), "rel".into(), "app-rudder".into()]);
    assert_eq!(
        one_line_error(&missing),
        "Error: an error occurred while checking for chart dependencies. You may need to run 'helm dependency build' to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: alpha"
    );
    let ours = rudder(
        &["template", "rel", "app-rudder", "--dependency-update"],
        s.path(),
        &home,
    );
    ok(&ours);
    let out = stdout(&ours);
    assert!(
        out.starts_with("Hang tight while we grab the latest from your chart repositories...\n"),
        "{out}"
    );
    assert!(
        out.contains("# Source: app/charts/alpha/templates/cm.yaml"),
        "{out}"
    );
    assert!(s.path().join("app-rudder/charts/alpha-1.0.0.tgz").exists());
    assert!(s.path().join("app-rudder/Chart.lock").exists());
    if let Some(theirs) = helm(
        &["template", "rel", "app-helm", "--dependency-update"],
        s.path(),
        &home,
    ) {
        ok(&theirs);
        assert_eq!(out.replace("app-rudder", "app-helm"), stdout(&theirs));
    }
    // Once the dependency is there the flag changes nothing.
    let again = rudder(
        &["template", "rel", "app-rudder", "--dependency-update"],
        s.path(),
        &home,
    );
    ok(&again);
    assert!(stdout(&again).starts_with("---\n"), "{}", stdout(&again));
}

#[test]
fn values_urls() {
    let s = Scratch::new("flags-values");
    let root = s.path().join("srv");
    std::fs::create_dir_all(&root).expect("srv");
    std::fs::write(root.join("values.yaml"), "replicas: 7\n").expect("values");
    std::fs::write(root.join("note.txt"), "from a URL").expect("note");
    package_chart(&root, "alpha", "1.0.0", "Alpha test chart");
    let server = Server::start(&root, None);
    let chart = root.join("alpha-1.0.0.tgz");
    let chart = chart.to_str().expect("utf8");
    let home = s.path().join("home");
    let values = format!("{}/values.yaml", server.url);
    let rendered = same_as_helm(
        &[
            "template",
            "rel",
            chart,
            "-f",
            &values,
            "--set-file",
            &format!("extra={}/note.txt", server.url),
        ],
        s.path(),
        &home,
    );
    ok(&rendered);
    assert!(
        stdout(&rendered).contains("replicas: \"7\""),
        "{}",
        stdout(&rendered)
    );

    let missing = format!("{}/nope.yaml", server.url);
    let not_found = same_as_helm(&["template", "rel", chart, "-f", &missing], s.path(), &home);
    assert_eq!(
        one_line_error(&not_found),
        format!("Error: failed to fetch {missing} : 404 Not Found")
    );
    let lint = same_as_helm(&["lint", chart, "-f", &missing], s.path(), &home);
    assert_eq!(lint.status.code(), Some(1));

    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let unreachable = format!("http://127.0.0.1:{closed}/values.yaml");
    let refused = same_as_helm(
        &["template", "rel", chart, "-f", &unreachable],
        s.path(),
        &home,
    );
    assert_eq!(
        one_line_error(&refused),
        format!("Error: Get \"{unreachable}\": dial tcp 127.0.0.1:{closed}: connect: connection refused")
    );
    let bad = same_as_helm(
        &["template", "rel", chart, "-f", "a%zz.yaml"],
        s.path(),
        &home,
    );
    assert_eq!(
        one_line_error(&bad),
        "Error: parse \"a%zz.yaml\": invalid URL escape \"%zz\""
    );
}

/// Flag values as pflag reads them: a bool flag takes `=VALUE` in
/// `strconv.ParseBool`'s spellings (the last occurrence wins), a refused
/// value is reported under the flag's `-s, --long` name, as are refused
/// values of other flags that have a shorthand.
#[test]
fn flag_values_and_names_as_pflag_reads_them() {
    let s = Scratch::new("flags-pflag");
    let (cwd, home) = (s.path(), s.path().join("home"));
    std::fs::create_dir_all(&home).expect("home");
    let no_repos = "Error: no repositories configured";
    for args in [
        &["search", "repo", "x", "--versions=false"][..],
        &["search", "repo", "x", "-l=1", "--devel=False", "-r=T"],
        &["search", "repo", "x", "--versions", "--versions=0"],
    ] {
        assert_eq!(one_line_error(&same_as_helm(args, cwd, &home)), no_repos);
    }
    for (args, error) in [
        (
            &["search", "repo", "x", "--versions=yes"][..],
            "Error: invalid argument \"yes\" for \"-l, --versions\" flag: strconv.ParseBool: parsing \"yes\": invalid syntax",
        ),
        (
            &["search", "repo", "x", "--regexp="],
            "Error: invalid argument \"\" for \"-r, --regexp\" flag: strconv.ParseBool: parsing \"\": invalid syntax",
        ),
        (
            &["search", "repo", "x", "-r="],
            "Error: unknown shorthand flag: '=' in -=",
        ),
        (
            &["search", "repo", "x", "--output", "xml"],
            "Error: invalid argument \"xml\" for \"-o, --output\" flag: invalid format type",
        ),
        (
            &["search", "repo", "x", "--fail-on-no-result=2"],
            "Error: invalid argument \"2\" for \"--fail-on-no-result\" flag: strconv.ParseBool: parsing \"2\": invalid syntax",
        ),
    ] {
        assert_eq!(one_line_error(&same_as_helm(args, cwd, &home)), error, "{args:?}");
    }
}
