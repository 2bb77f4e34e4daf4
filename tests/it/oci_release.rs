//! Installing and upgrading releases from `oci://` references against the
//! test API server: a chart helm pushed is installed by rudder, and helm
//! sees the release.

use super::oci_support::Registry;
use super::release_support::TestCluster;

#[test]
fn install_and_upgrade_from_a_registry_helm_pushed_to() {
    let Some(reg) = Registry::start(false) else {
        return;
    };
    let Some(c) = TestCluster::start(&[]) else {
        return;
    };
    let pkg = c.dir.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let pkg_s = pkg.to_string_lossy().into_owned();
    for v in ["0.1.0", "0.2.0"] {
        let chart = c.app_chart("app", v);
        c.rudder(&["package", chart.to_str().unwrap(), "-d", &pkg_s])
            .ok();
        let tgz = pkg.join(format!("app-{v}.tgz"));
        let tgz = tgz.to_string_lossy().into_owned();
        // helm pushes when it is installed; rudder otherwise.
        match c.helm(&["push", &tgz, &reg.oci("apps"), "--plain-http"]) {
            Some(run) => {
                run.ok();
            }
            None => {
                c.rudder(&["push", &tgz, &reg.oci("apps"), "--plain-http"])
                    .ok();
            }
        }
    }
    let oci = reg.oci("apps/app");
    let install = c.rudder(&["install", "web", &oci, "--version", "0.1.0", "--plain-http"]);
    install.ok();
    assert!(
        install.stdout.starts_with("NAME: web\n"),
        "{}",
        install.stdout
    );
    assert!(
        install.stderr.starts_with(&format!(
            "Pulled: {}/apps/app:0.1.0\nDigest: sha256:",
            reg.host
        )),
        "{}",
        install.stderr
    );
    let up = c.rudder(&["upgrade", "web", &oci, "--plain-http"]);
    up.ok();
    assert!(
        up.stderr
            .starts_with(&format!("Pulled: {}/apps/app:0.2.0\n", reg.host)),
        "{}",
        up.stderr
    );
    let list = c.rudder(&["list"]);
    assert!(list.ok().stdout.contains("app-0.2.0"), "{}", list.stdout);
    if let Some(h) = c.helm(&["status", "web"]) {
        assert!(
            h.ok().stdout.contains("STATUS: deployed\nREVISION: 2\n"),
            "{}",
            h.stdout
        );
    }
    // A tag that is not there: one line, nothing installed.
    let bad = c.rudder(&[
        "install",
        "nope",
        &oci,
        "--version",
        "9.0.0",
        "--plain-http",
    ]);
    assert_eq!(bad.code, 1);
    // helm prefixes `INSTALLATION FAILED: ` (the install command's wrapping, not the registry's).
    assert!(
        bad.stderr.starts_with("Error: ")
            && bad.stderr.ends_with(&format!(
                "failed to perform \"FetchReference\" on source: {}/apps/app:9.0.0: not found\n",
                reg.host
            ))
            && bad.stderr.lines().count() == 1,
        "{}",
        bad.stderr
    );
}
