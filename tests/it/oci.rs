//! OCI registries against a real `docker-registry` process: push, pull
//! (tags, ranges, digests), show/template of `oci://` references, login and
//! logout with basic auth, and bad input failing with helm's one-line
//! errors while leaving nothing half-written.

use super::oci_support::{reported_digest, Home, Registry, PASSWORD, USER};

const UNDERSCORE_NOTE: &str = "
OCI artifact references (e.g. tags) do not support the plus sign (+). To support
storing semantic versions, Helm adopts the convention of changing plus (+) to
an underscore (_) in chart version tags when pushing to a registry and back to
a plus (+) when pulling from a registry.
";

#[test]
fn push_then_pull_show_template_round_trip() {
    let Some(reg) = Registry::start(false) else {
        return;
    };
    let home = Home::new();
    let tgz = home.packaged_chart("demo", "0.1.0+build.2");
    let push = home.rudder(&[
        "push",
        &tgz.to_string_lossy(),
        &reg.oci("charts"),
        "--plain-http",
    ]);
    push.ok();
    let digest = reported_digest(&push.stdout);
    assert!(
        digest.starts_with("sha256:") && digest.len() == 71,
        "{}",
        push.stdout
    );
    let pushed_ref = format!("{}/charts/demo:0.1.0_build.2", reg.host);
    assert_eq!(
        push.stdout,
        format!("Pushed: {pushed_ref}\nDigest: {digest}\n{pushed_ref} contains an underscore.\n{UNDERSCORE_NOTE}")
    );

    // Latest version, saved under the chart's own file name with `+` restored.
    let pull = home.rudder(&["pull", &reg.oci("charts/demo"), "--plain-http"]);
    pull.ok();
    assert!(
        pull.stdout
            .starts_with(&format!("Pulled: {pushed_ref}\nDigest: {digest}\n")),
        "{}",
        pull.stdout
    );
    let original = std::fs::read(&tgz).unwrap();
    assert_eq!(
        std::fs::read(home.work().join("demo-0.1.0+build.2.tgz")).unwrap(),
        original
    );

    // Pinned by digest: helm's odd file name, same bytes.
    let by_digest = format!("{}@{digest}", reg.oci("charts/demo"));
    home.rudder(&["pull", &by_digest, "--plain-http"]).ok();
    let pinned = format!("demo@sha256-{}.tgz", &digest[7..]);
    assert_eq!(std::fs::read(home.work().join(&pinned)).unwrap(), original);

    // Unpacked.
    home.rudder(&[
        "pull",
        &reg.oci("charts/demo"),
        "--plain-http",
        "--untar",
        "--untardir",
        "unpacked",
    ])
    .ok();
    assert!(home.work().join("unpacked/demo/Chart.yaml").is_file());

    // show and template read the same reference; the report goes to stderr.
    let show = home.rudder(&["show", "chart", &reg.oci("charts/demo"), "--plain-http"]);
    show.ok();
    assert!(
        show.stdout.contains("name: demo\n") && show.stdout.contains("version: 0.1.0+build.2\n"),
        "{}",
        show.stdout
    );
    assert!(
        show.stderr.starts_with(&format!("Pulled: {pushed_ref}\n")),
        "{}",
        show.stderr
    );
    let template = home.rudder(&[
        "template",
        "rel",
        &reg.oci("charts/demo"),
        "--plain-http",
        "--version",
        "0.1.0+build.2",
    ]);
    template.ok();
    assert!(
        template
            .stdout
            .contains("# Source: demo/templates/service.yaml"),
        "{}",
        template.stdout
    );
    // The verified archive sits in the content cache under its sha256.
    let cached = home.cached_files();
    assert_eq!(cached.len(), 1, "{cached:?}");
    assert_eq!(std::fs::read(&cached[0]).unwrap(), original);
}

#[test]
fn versions_resolve_to_the_highest_matching_tag() {
    let Some(reg) = Registry::start(false) else {
        return;
    };
    let home = Home::new();
    for v in ["0.1.0", "0.2.0", "1.0.0-rc.1", "0.1.5"] {
        let tgz = home.packaged_chart("multi", v);
        home.rudder(&[
            "push",
            &tgz.to_string_lossy(),
            &reg.oci("r"),
            "--plain-http",
        ])
        .ok();
    }
    let pulled = |args: &[&str]| {
        let mut all = vec!["pull", "--plain-http", "-d", "out"];
        all.extend_from_slice(args);
        let _ = std::fs::remove_dir_all(home.work().join("out"));
        std::fs::create_dir_all(home.work().join("out")).unwrap();
        home.rudder(&all).ok();
        let names: Vec<String> = std::fs::read_dir(home.work().join("out"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.join(",")
    };
    let repo = reg.oci("r/multi");
    assert_eq!(pulled(&[&repo]), "multi-0.2.0.tgz");
    assert_eq!(pulled(&[&repo, "--version", "~0.1"]), "multi-0.1.5.tgz");
    assert_eq!(
        pulled(&[&repo, "--version", ">=1.0.0-0"]),
        "multi-1.0.0-rc.1.tgz"
    );
    assert_eq!(pulled(&[&repo, "--devel"]), "multi-1.0.0-rc.1.tgz");
    assert_eq!(pulled(&[&repo, "--version", "0.1.0"]), "multi-0.1.0.tgz");
    assert_eq!(pulled(&[&format!("{repo}:0.1.5")]), "multi-0.1.5.tgz");
}

#[test]
fn bad_input_fails_with_one_line_and_writes_nothing() {
    let Some(reg) = Registry::start(false) else {
        return;
    };
    let home = Home::new();
    let tgz = home.packaged_chart("bad", "1.0.0");
    let push = home.rudder(&[
        "push",
        &tgz.to_string_lossy(),
        &reg.oci("c"),
        "--plain-http",
    ]);
    push.ok();
    let before = home.work_files();
    let host = &reg.host.clone();

    home.rudder(&[
        "pull",
        &reg.oci("c/bad"),
        "--version",
        "9.9.9",
        "--plain-http",
    ])
    .fails_with(&format!(
        "failed to perform \"FetchReference\" on source: {host}/c/bad:9.9.9: not found"
    ));
    home.rudder(&["pull", &reg.oci("c/bad"), "--version", ">5", "--plain-http"])
        .fails_with("could not locate a version matching provided version string >5");
    home.rudder(&["pull", &reg.oci("c/nope"), "--plain-http"]).fails_with(&format!(
        "GET \"http://{host}/v2/c/nope/tags/list\": response status code 404: name unknown: repository name not known to registry: map[name:c/nope]"
    ));
    home.rudder(&[
        "pull",
        &format!("{}:2.0.0", reg.oci("c/bad")),
        "--version",
        "1.0.0",
        "--plain-http",
    ])
    .fails_with("chart reference and version mismatch: 1.0.0 is not 2.0.0");
    home.rudder(&[
        "pull",
        &reg.oci("c/bad"),
        "--plain-http",
        "--version",
        "1.0.0",
        "-d",
        "missing-dir",
    ]);
    home.rudder(&["push", "nope.tgz", &reg.oci("c"), "--plain-http"])
        .fails_with("nope.tgz: no such file");
    home.rudder(&["push", &tgz.to_string_lossy(), "http://x/y"])
        .fails_with("scheme \"http\" not supported");
    home.rudder(&["push", &tgz.to_string_lossy(), "x/y"])
        .fails_with("scheme prefix missing from remote (e.g. \"oci://\")");

    // Wrong media types: an image config, then a helm config without a chart layer.
    let config = reg.put_blob("c/img", b"{}");
    reg.put_manifest(
        "c/img",
        "1.0.0",
        &format!(r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config}","size":2}},"layers":[]}}"#),
    );
    home.rudder(&["pull", &reg.oci("c/img"), "--plain-http"])
        .fails_with(
            "manifest does not contain minimum number of descriptors (2), descriptors found: 1",
        );
    let layer = reg.put_blob("c/img", b"not a chart");
    reg.put_manifest(
        "c/img",
        "1.0.1",
        &format!(r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.cncf.helm.config.v1+json","digest":"{config}","size":2}},"layers":[{{"mediaType":"application/octet-stream","digest":"{layer}","size":11}}]}}"#),
    );
    home.rudder(&["pull", &reg.oci("c/img"), "--version", "1.0.1", "--plain-http"])
        .fails_with("manifest does not contain a layer with mediatype application/vnd.cncf.helm.chart.content.v1.tar+gzip");

    // The chart blob corrupted on the registry's disk: the digest check refuses it.
    let original = std::fs::read(&tgz).unwrap();
    let blob = reg.blob_path(&super::oci_support::sha256(&original));
    let mut corrupt = original.clone();
    corrupt[40] ^= 0xff;
    std::fs::write(&blob, &corrupt).unwrap();
    home.rudder(&["pull", &reg.oci("c/bad"), "--plain-http"])
        .fails_with("failed to perform \"Push\" on destination: mismatched digest");
    home.rudder(&["template", "x", &reg.oci("c/bad"), "--plain-http"])
        .fails_with("failed to perform \"Push\" on destination: mismatched digest");
    std::fs::write(&blob, &original).unwrap();

    // Nothing landed anywhere.
    assert_eq!(home.work_files(), before);
    assert!(home.cached_files().is_empty(), "{:?}", home.cached_files());

    // A registry that is not there, and plain HTTP spoken to as HTTPS.
    drop(reg);
    home.rudder(&["pull", &format!("oci://{host}/c/bad"), "--plain-http"])
        .fails_with(&format!(
        "Get \"http://{host}/v2/c/bad/tags/list\": dial tcp {host}: connect: connection refused"
    ));
    assert_eq!(home.work_files(), before);
}

#[test]
fn plain_http_registry_spoken_to_as_https_is_refused() {
    let Some(reg) = Registry::start(false) else {
        return;
    };
    let home = Home::new();
    let host = &reg.host;
    home.rudder(&["pull", &reg.oci("a/b"), "--version", "1.0.0"]).fails_with(&format!(
        "failed to perform \"FetchReference\" on source: Get \"https://{host}/v2/a/b/manifests/1.0.0\": http: server gave HTTP response to HTTPS client"
    ));
}

#[test]
fn login_logout_and_basic_auth() {
    let Some(reg) = Registry::start(true) else {
        return;
    };
    let home = Home::new();
    let tgz = home.packaged_chart("secure", "0.3.0");
    let tgz = tgz.to_string_lossy().into_owned();
    let host = reg.host.clone();
    let digest_path = |d: &str| format!("http://{host}/v2/s/secure/manifests/{d}");

    // Without credentials: the Basic challenge cannot be answered.
    let push = home.rudder(&["push", &tgz, &reg.oci("s"), "--plain-http"]);
    assert_eq!(push.code, 1);
    assert!(
        push.stderr.starts_with(&format!(
            "Error: failed to perform \"Exists\" on destination: HEAD \"{}",
            digest_path("sha256:")
        )),
        "{}",
        push.stderr
    );
    assert!(
        push.stderr.ends_with("\": basic credential not found\n"),
        "{}",
        push.stderr
    );
    home.rudder(&["pull", &reg.oci("s/secure"), "--plain-http"])
        .fails_with(&format!(
            "GET \"http://{host}/v2/s/secure/tags/list\": basic credential not found"
        ));

    // A wrong password is refused and nothing is stored.
    let bad = home.rudder(&[
        "registry",
        "login",
        &host,
        "-u",
        USER,
        "-p",
        "wrong",
        "--plain-http",
    ]);
    assert_eq!(bad.code, 1);
    assert_eq!(
        bad.stderr,
        format!(
            "level=WARN msg=\"using --password via the CLI is insecure. Use --password-stdin\"\nError: authenticating to \"{host}\": GET \"http://{host}/v2/\": response status code 401: unauthorized: authentication required\n"
        )
    );
    assert!(!home.registry_config().exists());

    // Login from stdin writes helm's config.json (0600).
    let login = home.rudder_stdin(
        &[
            "registry",
            "login",
            &host,
            "-u",
            USER,
            "--password-stdin",
            "--plain-http",
        ],
        &format!("{PASSWORD}\n"),
    );
    login.ok();
    assert_eq!(login.stdout, "Login Succeeded\n");
    let auth = base64_std(format!("{USER}:{PASSWORD}").as_bytes());
    assert_eq!(
        std::fs::read_to_string(home.registry_config()).unwrap(),
        format!(
            "{{\n\t\"auths\": {{\n\t\t\"{host}\": {{\n\t\t\t\"auth\": \"{auth}\"\n\t\t}}\n\t}}\n}}"
        )
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(home.registry_config())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    home.rudder(&["push", &tgz, &reg.oci("s"), "--plain-http"])
        .ok();
    home.rudder(&["pull", &reg.oci("s/secure"), "--plain-http"])
        .ok();
    assert!(home.work().join("secure-0.3.0.tgz").is_file());

    // Explicit flags work without a stored login, for another home.
    let other = Home::new();
    other
        .rudder(&[
            "pull",
            &reg.oci("s/secure"),
            "--plain-http",
            "--username",
            USER,
            "--password",
            PASSWORD,
        ])
        .ok();
    other.rudder(&["pull", &reg.oci("s/secure"), "--plain-http", "--version", "0.3.0", "--username", USER, "--password", "nope", "-d", ".."]).fails_with(&format!(
        "failed to perform \"FetchReference\" on source: GET \"http://{host}/v2/s/secure/manifests/0.3.0\": response status code 401: unauthorized: authentication required: [map[Action:pull Class: Name:s/secure Type:repository]]"
    ));

    // Logout empties the entry; pulls fail again.
    let logout = home.rudder(&["registry", "logout", &host]);
    logout.ok();
    assert_eq!(
        logout.stdout,
        format!("Removing login credentials for {host}\n")
    );
    assert_eq!(
        std::fs::read_to_string(home.registry_config()).unwrap(),
        "{\n\t\"auths\": {}\n}"
    );
    assert_eq!(
        home.rudder(&["pull", &reg.oci("s/secure"), "--plain-http"])
            .code,
        1
    );
}

#[test]
fn login_argument_errors() {
    let home = Home::new();
    home.rudder(&["registry", "login"]).fails_with(
        "\"rudder registry login\" requires at least 1 argument\n\nUsage:  rudder registry login [host] [flags]",
    );
    let r = home.rudder(&["registry", "login", "127.0.0.1:1/foo", "-u", "a", "-p", "b"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .ends_with("Error: invalid reference: invalid registry \"127.0.0.1:1/foo\"\n"),
        "{}",
        r.stderr
    );
    home.rudder_stdin(&["registry", "login", "127.0.0.1:1"], "")
        .fails_with("EOF");
    home.rudder(&["push", "x.tgz"]).fails_with(
        "\"rudder push\" requires at least 2 arguments\n\nUsage:  rudder push [chart] [remote] [flags]",
    );
}

fn base64_std(data: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(data)
}

#[test]
fn dependencies_from_oci_repositories() {
    let Some(reg) = Registry::start(false) else {
        return;
    };
    let home = Home::new();
    for (name, v) in [
        ("dep-a", "0.1.0"),
        ("dep-a", "0.2.0"),
        ("dep-b", "1.0.0+build.7"),
    ] {
        let tgz = home.packaged_chart(name, v);
        home.rudder(&[
            "push",
            &tgz.to_string_lossy(),
            &reg.oci("deps"),
            "--plain-http",
        ])
        .ok();
    }
    home.rudder(&["create", "parent"]).ok();
    let chart_yaml = home.work().join("parent/Chart.yaml");
    let mut text = std::fs::read_to_string(&chart_yaml).unwrap();
    text.push_str(&format!(
        "dependencies:\n  - name: dep-a\n    version: \"~0.1 || ^0.2\"\n    repository: {0}\n  - name: dep-b\n    version: 1.0.0+build.7\n    repository: {0}\n",
        reg.oci("deps")
    ));
    std::fs::write(&chart_yaml, &text).unwrap();

    let up = home.rudder(&["dependency", "update", "parent", "--plain-http"]);
    up.ok();
    let host = &reg.host;
    assert!(up.stdout.starts_with(&format!(
        "Saving 2 charts\nDownloading dep-a from repo oci://{host}/deps\nPulled: {host}/deps/dep-a:0.2.0\nDigest: sha256:"
    )), "{}", up.stdout);
    assert!(
        up.stdout.ends_with("Deleting outdated charts\n"),
        "{}",
        up.stdout
    );
    let lock = std::fs::read_to_string(home.work().join("parent/Chart.lock")).unwrap();
    assert!(lock.starts_with(&format!(
        "dependencies:\n- name: dep-a\n  repository: oci://{host}/deps\n  version: 0.2.0\n- name: dep-b\n  repository: oci://{host}/deps\n  version: 1.0.0+build.7\n"
    )), "{lock}");
    let charts = home.work().join("parent/charts");
    let mut names: Vec<String> = std::fs::read_dir(&charts)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["dep-a-0.2.0.tgz", "dep-b-1.0.0+build.7.tgz"]);

    std::fs::remove_dir_all(&charts).unwrap();
    home.rudder(&["dependency", "build", "parent", "--plain-http"])
        .ok();
    assert!(charts.join("dep-b-1.0.0+build.7.tgz").is_file());
    home.rudder(&["template", "t", "parent"]).ok();

    // A range nothing satisfies is locked as written; the download reports it.
    std::fs::write(&chart_yaml, text.replace("~0.1 || ^0.2", "^0.5")).unwrap();
    let r = home.rudder(&["dependency", "update", "parent", "--plain-http"]);
    r.fails_with(&format!(
        "could not download oci://{host}/deps/dep-a: could not locate a version matching provided version string ^0.5"
    ));
    std::fs::write(&chart_yaml, text.replace("/deps", "/nowhere")).unwrap();
    home.rudder(&["dependency", "update", "parent", "--plain-http"]).fails_with(&format!(
        "could not retrieve list of tags for repository oci://{host}/nowhere: GET \"http://{host}/v2/nowhere/dep-a/tags/list\": response status code 404: name unknown: repository name not known to registry: map[name:nowhere/dep-a]"
    ));
    // The charts from the successful update are untouched.
    assert!(charts.join("dep-a-0.2.0.tgz").is_file());
}

#[test]
fn tls_registry_with_a_test_ca() {
    let Some(reg) = Registry::start_tls() else {
        return;
    };
    let home = Home::new();
    let tgz = home.packaged_chart("tls", "0.9.0");
    let tgz = tgz.to_string_lossy().into_owned();
    let host = &reg.host;
    let ca = reg.ca_file();
    let unknown =
        "tls: failed to verify certificate: x509: certificate signed by unknown authority";

    let push = home.rudder(&["push", &tgz, &reg.oci("t")]);
    assert_eq!(push.code, 1);
    assert!(push.stderr.starts_with(&format!("Error: failed to perform \"Exists\" on destination: Head \"https://{host}/v2/t/tls/manifests/sha256:")), "{}", push.stderr);
    assert!(
        push.stderr.ends_with(&format!("\": {unknown}\n")),
        "{}",
        push.stderr
    );
    home.rudder(&["push", &tgz, &reg.oci("t"), "--ca-file", &ca])
        .ok();

    home.rudder(&["pull", &reg.oci("t/tls")])
        .fails_with(&format!(
            "Get \"https://{host}/v2/t/tls/tags/list\": {unknown}"
        ));
    home.rudder(&["pull", &reg.oci("t/tls"), "--ca-file", &ca])
        .ok();
    home.rudder(&[
        "pull",
        &reg.oci("t/tls"),
        "--insecure-skip-tls-verify",
        "-d",
        "..",
    ])
    .ok();
    assert_eq!(
        std::fs::read(home.work().join("tls-0.9.0.tgz")).unwrap(),
        std::fs::read(&tgz).unwrap()
    );
    home.rudder(&["show", "chart", &reg.oci("t/tls"), "--ca-file", &ca])
        .ok();
    home.rudder(&["pull", &reg.oci("t/tls"), "--ca-file", "nope.crt"]).fails_with(
        "missing registry client: can't create TLS config for client: can't read CA file: \"nope.crt\": open nope.crt: no such file or directory",
    );

    // Login needs the CA too (the registry has no auth, so any login succeeds).
    let login = home.rudder(&["registry", "login", host, "-u", "a", "-p", "b"]);
    assert!(
        login.stderr.ends_with(&format!(
            "Error: authenticating to \"{host}\": Get \"https://{host}/v2/\": {unknown}\n"
        )),
        "{}",
        login.stderr
    );
    home.rudder(&[
        "registry",
        "login",
        host,
        "-u",
        "a",
        "-p",
        "b",
        "--ca-file",
        &ca,
    ])
    .ok();
    home.rudder(&[
        "registry",
        "login",
        host,
        "-u",
        "a",
        "-p",
        "b",
        "--insecure",
    ])
    .ok();

    // helm reads what rudder pushed over TLS.
    if let Some(helm) = super::oci_support::helm_bin() {
        std::fs::create_dir_all(home.work().join("h")).unwrap();
        home.helm(
            &helm,
            &["pull", &reg.oci("t/tls"), "--ca-file", &ca, "-d", "h"],
        )
        .ok();
        assert_eq!(
            std::fs::read(home.work().join("h/tls-0.9.0.tgz")).unwrap(),
            std::fs::read(&tgz).unwrap()
        );
    }
}

#[test]
fn legacy_chart_layer_is_accepted_with_helms_warning() {
    let Some(reg) = Registry::start(false) else {
        return;
    };
    let home = Home::new();
    let tgz = home.packaged_chart("old", "0.0.7");
    let chart = std::fs::read(&tgz).unwrap();
    let config_json = br#"{"name":"old","version":"0.0.7","apiVersion":"v2"}"#;
    let config = reg.put_blob("legacy/old", config_json);
    let layer = reg.put_blob("legacy/old", &chart);
    let manifest = format!(
        r#"{{"schemaVersion":2,"config":{{"mediaType":"application/vnd.cncf.helm.config.v1+json","digest":"{config}","size":{}}},"layers":[{{"mediaType":"application/tar+gzip","digest":"{layer}","size":{}}}]}}"#,
        config_json.len(),
        chart.len()
    );
    reg.put_manifest("legacy/old", "0.0.7", &manifest);
    let pull = home.rudder(&["pull", &reg.oci("legacy/old"), "--plain-http"]);
    pull.ok();
    assert_eq!(
        pull.stdout,
        format!(
            "Warning: chart media type application/tar+gzip is deprecated\nPulled: {}/legacy/old:0.0.7\nDigest: {}\n",
            reg.host,
            super::oci_support::sha256(manifest.as_bytes())
        )
    );
    assert_eq!(
        std::fs::read(home.work().join("old-0.0.7.tgz")).unwrap(),
        chart
    );
}

#[test]
fn client_certificates_for_mutual_tls() {
    let Some(reg) = Registry::start_mtls() else {
        return;
    };
    let home = Home::new();
    let tgz = home.packaged_chart("mtls", "1.0.0");
    let tgz = tgz.to_string_lossy().into_owned();
    let ca = reg.ca_file();
    let (cert, key) = reg.client_cert();
    let refused = home.rudder(&["push", &tgz, &reg.oci("m"), "--ca-file", &ca]);
    assert_eq!(refused.code, 1);
    assert!(
        refused
            .stderr
            .ends_with("\": remote error: tls: bad certificate\n")
            || refused
                .stderr
                .ends_with("\": remote error: tls: certificate required\n"),
        "{}",
        refused.stderr
    );
    home.rudder(&[
        "push",
        &tgz,
        &reg.oci("m"),
        "--ca-file",
        &ca,
        "--cert-file",
        &cert,
        "--key-file",
        &key,
    ])
    .ok();
    home.rudder(&[
        "pull",
        &reg.oci("m/mtls"),
        "--ca-file",
        &ca,
        "--cert-file",
        &cert,
        "--key-file",
        &key,
    ])
    .ok();
    assert_eq!(
        std::fs::read(home.work().join("mtls-1.0.0.tgz")).unwrap(),
        std::fs::read(&tgz).unwrap()
    );
    home.rudder(&["pull", &reg.oci("m/mtls"), "--ca-file", &ca, "--cert-file", "missing.crt", "--key-file", &key]).fails_with(
        "missing registry client: can't create TLS config for client: unable to read cert file: \"missing.crt\": open missing.crt: no such file or directory",
    );
}

/// A config naming a credential helper delegates to `docker-credential-<name>`.
#[cfg(unix)]
#[test]
fn credential_helpers_store_and_supply_logins() {
    use std::os::unix::fs::PermissionsExt;
    let Some(reg) = Registry::start(true) else {
        return;
    };
    let home = Home::new();
    let bin = home.dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let vault = home.dir.path().join("vault");
    // A helper keeping one secret in a file, logging each call.
    let helper = bin.join("docker-credential-testvault");
    std::fs::write(
        &helper,
        format!(
            "#!/bin/sh\nin=$(cat)\necho \"$1\" >> {v}.log\ncase $1 in\n store) echo \"$in\" > {v};;\n get) if [ -f {v} ]; then printf '{{\"Username\":\"%s\",\"Secret\":\"%s\"}}' {USER} {PASSWORD}; else echo 'credentials not found in native keychain'; exit 1; fi;;\n erase) rm -f {v};;\nesac\n",
            v = vault.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::create_dir_all(home.registry_config().parent().unwrap()).unwrap();
    std::fs::write(home.registry_config(), r#"{"credsStore":"testvault"}"#).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let env = [("PATH", path)];

    let tgz = home.packaged_chart("helped", "0.1.0");
    let push = |h: &Home| {
        h.rudder_env(
            &[
                "push",
                &tgz.to_string_lossy(),
                &reg.oci("v"),
                "--plain-http",
            ],
            None,
            &env,
        )
    };
    assert_eq!(push(&home).code, 1, "no stored secret yet");
    home.rudder_env(
        &[
            "registry",
            "login",
            &reg.host,
            "-u",
            USER,
            "--password-stdin",
            "--plain-http",
        ],
        Some(PASSWORD),
        &env,
    )
    .ok();
    let stored = std::fs::read_to_string(&vault).unwrap();
    assert!(
        stored.contains(&format!("\"Secret\":\"{PASSWORD}\""))
            && stored.contains(&format!("\"ServerURL\":\"{}\"", reg.host)),
        "{stored}"
    );
    // The file still only names the helper.
    assert_eq!(
        std::fs::read_to_string(home.registry_config()).unwrap(),
        r#"{"credsStore":"testvault"}"#
    );
    push(&home).ok();
    home.rudder_env(&["registry", "logout", &reg.host], None, &env)
        .ok();
    assert!(!vault.exists());
    let calls = std::fs::read_to_string(home.dir.path().join("vault.log")).unwrap();
    assert!(
        calls.contains("store\n") && calls.contains("get\n") && calls.ends_with("erase\n"),
        "{calls}"
    );
}

#[test]
fn chart_inside_an_image_index() {
    let Some(reg) = Registry::start(false) else {
        return;
    };
    let home = Home::new();
    let tgz = home.packaged_chart("indexed", "2.0.0");
    let chart = std::fs::read(&tgz).unwrap();
    let config_json = br#"{"name":"indexed","version":"2.0.0","apiVersion":"v2"}"#;
    let config = reg.put_blob("ix/indexed", config_json);
    let layer = reg.put_blob("ix/indexed", &chart);
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.cncf.helm.config.v1+json","digest":"{config}","size":{}}},"layers":[{{"mediaType":"application/vnd.cncf.helm.chart.content.v1.tar+gzip","digest":"{layer}","size":{}}}]}}"#,
        config_json.len(),
        chart.len()
    );
    let manifest_digest = super::oci_support::sha256(manifest.as_bytes());
    reg.put_manifest("ix/indexed", &manifest_digest, &manifest);
    let index = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{manifest_digest}","size":{}}}]}}"#,
        manifest.len()
    );
    reg.put_manifest_as(
        "ix/indexed",
        "2.0.0",
        "application/vnd.oci.image.index.v1+json",
        &index,
    );
    let pull = home.rudder(&["pull", &reg.oci("ix/indexed"), "--plain-http"]);
    pull.ok();
    assert_eq!(
        pull.stdout,
        format!(
            "Pulled: {}/ix/indexed:2.0.0\nDigest: {}\n",
            reg.host,
            super::oci_support::sha256(index.as_bytes())
        )
    );
    assert_eq!(
        std::fs::read(home.work().join("indexed-2.0.0.tgz")).unwrap(),
        chart
    );
}
