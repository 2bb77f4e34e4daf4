//! Chart provenance against the real helm: rudder signs and helm verifies,
//! helm signs and rudder verifies and pulls with `--verify` from a local
//! repository, a tampered archive is refused with helm's error and leaves
//! nothing behind. Keys are made inside each test with GnuPG (`gpg`); the
//! tests are skipped with a note when gpg (or, for the helm halves, helm)
//! is not installed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use super::repo_support::*;

fn helm_bin() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    [
        std::env::var_os("HELM_BIN").map(PathBuf::from),
        Some(root.join(".helm-oracle/helm")),
        Some(PathBuf::from("/work/helm-bin/helm")),
    ]
    .into_iter()
    .flatten()
    .find(|p| p.is_file())
}

fn have_gpg() -> bool {
    let ok = Command::new("gpg")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        println!("skipped: gpg not installed (apt-get install gnupg)");
    }
    ok
}

/// A GnuPG home with one key, exported as legacy keyrings the way helm's
/// docs say (`gpg --export` / `gpg --export-secret-keys`).
struct Keys {
    home: PathBuf,
    public: PathBuf,
    secret: PathBuf,
}

impl Keys {
    /// Makes an RSA key for `name`; with `passphrase` the secret key is
    /// protected by it.
    fn generate(dir: &Path, name: &str, passphrase: Option<&str>) -> Keys {
        let home = dir.join(format!("gnupg-{}", name.replace(' ', "-")));
        std::fs::create_dir_all(&home).expect("gnupg home");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        let protection = match passphrase {
            Some(p) => format!("Passphrase: {p}\n"),
            None => "%no-protection\n".to_string(),
        };
        let params = format!(
            "Key-Type: RSA\nKey-Length: 2048\nName-Real: {name}\nName-Comment: rudder test\nName-Email: test@example.com\nExpire-Date: 0\n{protection}%commit\n"
        );
        let params_file = home.join("params");
        std::fs::write(&params_file, params).unwrap();
        let out = gpg(
            &home,
            &["--pinentry-mode", "loopback", "--gen-key"],
            &[&params_file],
        );
        assert!(out.status.success(), "gpg --gen-key: {}", stderr(&out));
        let public = home.join("exported-pub.gpg");
        let secret = home.join("exported-sec.gpg");
        let out = gpg(&home, &["--export"], &[]);
        std::fs::write(&public, &out.stdout).unwrap();
        let mut args = vec!["--pinentry-mode", "loopback"];
        if let Some(p) = passphrase {
            args.extend(["--passphrase", p]);
        }
        args.push("--export-secret-keys");
        let out = gpg(&home, &args, &[]);
        assert!(!out.stdout.is_empty(), "gpg export: {}", stderr(&out));
        std::fs::write(&secret, &out.stdout).unwrap();
        Keys {
            home,
            public,
            secret,
        }
    }
}

impl Drop for Keys {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .args(["--kill", "gpg-agent"])
            .env("GNUPGHOME", &self.home)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn gpg(home: &Path, args: &[&str], files: &[&Path]) -> Output {
    Command::new("gpg")
        .arg("--batch")
        .args(args)
        .args(files)
        .env("GNUPGHOME", home)
        .stdin(Stdio::null())
        .output()
        .expect("run gpg")
}

/// A small chart directory `name` (version 0.1.0) under `dir`.
fn chart_dir(dir: &Path, name: &str) -> PathBuf {
    let src = dir.join(name);
    std::fs::create_dir_all(src.join("templates")).unwrap();
    std::fs::write(
        src.join("Chart.yaml"),
        format!("apiVersion: v2\nname: {name}\nversion: 0.1.0\ndescription: Signed test chart\nappVersion: \"1.2\"\nkeywords: [provenance]\nmaintainers:\n  - name: Tester\n    email: t@example.com\n"),
    )
    .unwrap();
    std::fs::write(src.join("values.yaml"), "replicas: 1\n").unwrap();
    std::fs::write(
        src.join("templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n",
    )
    .unwrap();
    src
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf8 path")
}

/// The three lines `helm verify` prints for `keys`' signature on `archive`.
fn expected_report(keys: &Keys, name: &str, archive: &Path) -> String {
    let out = gpg(&keys.home, &["--with-colons", "--fingerprint"], &[]);
    let listing = stdout(&out);
    let fingerprint = listing
        .lines()
        .find(|l| l.starts_with("fpr:"))
        .and_then(|l| l.split(':').nth(9))
        .expect("fingerprint")
        .to_string();
    let digest = {
        use sha2::Digest;
        let data = std::fs::read(archive).unwrap();
        format!("{:x}", sha2::Sha256::digest(&data))
    };
    format!(
        "Signed by: {name} (rudder test) <test@example.com>\nUsing Key With Fingerprint: {fingerprint}\nChart Hash Verified: sha256:{digest}\n"
    )
}

#[test]
fn rudder_signs_and_helm_verifies() {
    if !have_gpg() {
        return;
    }
    let sc = Scratch::new("prov-sign");
    let keys = Keys::generate(sc.path(), "Rudder Signer", None);
    let home = sc.path().join("home");
    let chart = chart_dir(sc.path(), "signed");
    let out = rudder(
        &[
            "package",
            "--sign",
            "--key",
            "Rudder Signer",
            "--keyring",
            s(&keys.secret),
            s(&chart),
        ],
        sc.path(),
        &home,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let archive = sc.path().join("signed-0.1.0.tgz");
    let prov = std::fs::read_to_string(sc.path().join("signed-0.1.0.tgz.prov")).unwrap();

    // helm's layout: clearsigned SHA512, Chart.yaml as JSON-keyed YAML
    // (sorted keys; lines starting with `-` dash-escaped), `...`, the files sums, an armored signature without
    // CRC and without a final newline.
    let report = expected_report(&keys, "Rudder Signer", &archive);
    let digest = report
        .lines()
        .nth(2)
        .unwrap()
        .trim_start_matches("Chart Hash Verified: ");
    let expected_text = format!(
        "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\napiVersion: v2\nappVersion: \"1.2\"\ndescription: Signed test chart\nkeywords:\n- - provenance\nmaintainers:\n- - email: t@example.com\n  name: Tester\nname: signed\nversion: 0.1.0\n\n...\nfiles:\n  signed-0.1.0.tgz: {digest}\n\n-----BEGIN PGP SIGNATURE-----\n\n"
    );
    assert!(prov.starts_with(&expected_text), "{prov}");
    assert!(prov.ends_with("\n-----END PGP SIGNATURE-----"), "{prov}");

    // rudder and helm verify it with the public keyring alike.
    let out = rudder(
        &["verify", "--keyring", s(&keys.public), s(&archive)],
        sc.path(),
        &home,
    );
    assert_eq!(stdout(&out), report, "{}", stderr(&out));
    assert!(out.status.success());
    // gpg itself accepts the clearsigned document.
    let out = gpg(
        &keys.home,
        &["--verify"],
        &[&sc.path().join("signed-0.1.0.tgz.prov")],
    );
    assert!(out.status.success(), "gpg --verify: {}", stderr(&out));
    let Some(helm) = helm_bin() else {
        println!("skipped the helm half: no helm binary");
        return;
    };
    let out = command(
        &helm,
        &["verify", "--keyring", s(&keys.public), s(&archive)],
        sc.path(),
        &home,
    )
    .output()
    .unwrap();
    assert_eq!(stdout(&out), report, "helm verify: {}", stderr(&out));
    assert!(out.status.success());
}

#[test]
fn protected_keys_need_their_passphrase() {
    if !have_gpg() {
        return;
    }
    let sc = Scratch::new("prov-pass");
    let keys = Keys::generate(sc.path(), "Locked Signer", Some("s3cret"));
    let home = sc.path().join("home");
    let chart = chart_dir(sc.path(), "locked");
    std::fs::write(sc.path().join("wrong"), "nope\n").unwrap();
    std::fs::write(sc.path().join("right"), "s3cret\n").unwrap();
    let sign = |pass: &str| {
        rudder(
            &[
                "package",
                "--sign",
                "--key",
                "Locked",
                "--keyring",
                s(&keys.secret),
                "--passphrase-file",
                pass,
                s(&chart),
            ],
            sc.path(),
            &home,
        )
    };
    let out = sign("wrong");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "Error: openpgp: invalid data: private key checksum failure\n"
    );
    let out = sign("missing");
    assert_eq!(
        stderr(&out),
        "Error: open missing: no such file or directory\n"
    );
    let out = sign("right");
    assert!(out.status.success(), "{}", stderr(&out));
    let archive = sc.path().join("locked-0.1.0.tgz");
    let out = rudder(
        &["verify", "--keyring", s(&keys.public), s(&archive)],
        sc.path(),
        &home,
    );
    assert_eq!(
        stdout(&out),
        expected_report(&keys, "Locked Signer", &archive)
    );

    // The public keyring holds no secret key; an unknown name finds none.
    let out = rudder(
        &[
            "package",
            "--sign",
            "--key",
            "Locked",
            "--keyring",
            s(&keys.public),
            s(&chart),
        ],
        sc.path(),
        &home,
    );
    assert_eq!(
        stderr(&out),
        "Error: provided key is not a private key. Try providing a keyring with secret keys\n"
    );
    let out = rudder(
        &[
            "package",
            "--sign",
            "--key",
            "nobody",
            "--keyring",
            s(&keys.secret),
            s(&chart),
        ],
        sc.path(),
        &home,
    );
    assert_eq!(stderr(&out), "Error: private key not found\n");
}

#[test]
fn helm_signs_and_rudder_verifies_and_pulls() {
    if !have_gpg() {
        return;
    }
    let Some(helm) = helm_bin() else {
        println!("skipped: no helm binary (HELM_BIN, .helm-oracle/helm, /work/helm-bin/helm)");
        return;
    };
    let sc = Scratch::new("prov-helm");
    let keys = Keys::generate(sc.path(), "Helm Signer", None);
    let home = sc.path().join("home");
    let srv = sc.path().join("srv");
    std::fs::create_dir_all(&srv).unwrap();
    let chart = chart_dir(sc.path(), "fromhelm");
    let run_helm = |args: &[&str]| command(&helm, args, sc.path(), &home).output().unwrap();
    let out = run_helm(&[
        "package",
        "--sign",
        "--key",
        "Helm Signer",
        "--keyring",
        s(&keys.secret),
        s(&chart),
        "-d",
        s(&srv),
    ]);
    assert!(
        out.status.success(),
        "helm package --sign: {}",
        stderr(&out)
    );
    let archive = srv.join("fromhelm-0.1.0.tgz");
    let report = expected_report(&keys, "Helm Signer", &archive);

    // Local verification, with the legacy keyring and with GnuPG's own
    // keybox as the default keyring ($GNUPGHOME/pubring.kbx).
    let out = rudder(
        &["verify", "--keyring", s(&keys.public), s(&archive)],
        sc.path(),
        &home,
    );
    assert_eq!(stdout(&out), report, "{}", stderr(&out));
    let out = command(&rudder_bin(), &["verify", s(&archive)], sc.path(), &home)
        .env("GNUPGHOME", &keys.home)
        .output()
        .unwrap();
    assert_eq!(
        stdout(&out),
        report,
        "default keybox keyring: {}",
        stderr(&out)
    );

    // From a repository: pull --verify saves the archive and its .prov.
    let server = Server::start(&srv, None);
    let out = rudder(
        &["repo", "index", s(&srv), "--url", &server.url],
        sc.path(),
        &home,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = rudder(&["repo", "add", "signed", &server.url], sc.path(), &home);
    assert!(out.status.success(), "{}", stderr(&out));
    let dest = sc.path().join("dest");
    std::fs::create_dir_all(&dest).unwrap();
    let out = rudder(
        &[
            "pull",
            "signed/fromhelm",
            "--verify",
            "--keyring",
            s(&keys.public),
            "-d",
            s(&dest),
        ],
        sc.path(),
        &home,
    );
    assert_eq!(stdout(&out), report, "{}", stderr(&out));
    assert!(out.status.success());
    assert!(dest.join("fromhelm-0.1.0.tgz").is_file());
    assert!(dest.join("fromhelm-0.1.0.tgz.prov").is_file());

    // dependency update --verify accepts it as a dependency.
    let parent = sc.path().join("parent");
    std::fs::create_dir_all(&parent).unwrap();
    std::fs::write(
        parent.join("Chart.yaml"),
        format!(
            "apiVersion: v2\nname: parent\nversion: 0.1.0\ndependencies:\n  - name: fromhelm\n    version: 0.1.0\n    repository: {}\n",
            server.url
        ),
    )
    .unwrap();
    let out = rudder(
        &[
            "dependency",
            "update",
            s(&parent),
            "--verify",
            "--keyring",
            s(&keys.public),
        ],
        sc.path(),
        &home,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(parent.join("charts/fromhelm-0.1.0.tgz").is_file());

    // template --verify of the repository chart renders.
    let out = rudder(
        &[
            "template",
            "x",
            "signed/fromhelm",
            "--verify",
            "--keyring",
            s(&keys.public),
        ],
        sc.path(),
        &home,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("kind: ConfigMap"));

    // A keyring without the signer: helm's error, nothing saved.
    let other = Keys::generate(sc.path(), "Someone Else", None);
    let dest2 = sc.path().join("dest2");
    std::fs::create_dir_all(&dest2).unwrap();
    let out = rudder(
        &[
            "pull",
            "signed/fromhelm",
            "--verify",
            "--keyring",
            s(&other.public),
            "-d",
            s(&dest2),
        ],
        sc.path(),
        &home,
    );
    assert_eq!(
        stderr(&out),
        "Error: openpgp: signature made by unknown entity\n"
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read_dir(&dest2).unwrap().count(), 0);
}

#[test]
fn tampered_archive_is_refused_like_helm() {
    if !have_gpg() {
        return;
    }
    let sc = Scratch::new("prov-tamper");
    let keys = Keys::generate(sc.path(), "Tamper Check", None);
    let home = sc.path().join("home");
    let srv = sc.path().join("srv");
    std::fs::create_dir_all(&srv).unwrap();
    let chart = chart_dir(sc.path(), "victim");
    let out = rudder(
        &[
            "package",
            "--sign",
            "--key",
            "Tamper",
            "--keyring",
            s(&keys.secret),
            s(&chart),
            "-d",
            s(&srv),
        ],
        sc.path(),
        &home,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let archive = srv.join("victim-0.1.0.tgz");
    let signed_digest = {
        use sha2::Digest;
        format!(
            "{:x}",
            sha2::Sha256::digest(std::fs::read(&archive).unwrap())
        )
    };
    // Repackage a changed chart under the same name, keeping the old .prov.
    std::fs::write(chart.join("values.yaml"), "replicas: 2\n").unwrap();
    let out = rudder(&["package", s(&chart), "-d", s(&srv)], sc.path(), &home);
    assert!(out.status.success(), "{}", stderr(&out));
    let tampered_digest = {
        use sha2::Digest;
        format!(
            "{:x}",
            sha2::Sha256::digest(std::fs::read(&archive).unwrap())
        )
    };
    assert_ne!(signed_digest, tampered_digest);
    let expected = format!(
        "Error: sha256 sum does not match for victim-0.1.0.tgz: \"sha256:{signed_digest}\" != \"sha256:{tampered_digest}\"\n"
    );

    let out = rudder(
        &["verify", "--keyring", s(&keys.public), s(&archive)],
        sc.path(),
        &home,
    );
    assert_eq!(stderr(&out), expected);
    assert_eq!(out.status.code(), Some(1));

    let server = Server::start(&srv, None);
    let out = rudder(
        &["repo", "index", s(&srv), "--url", &server.url],
        sc.path(),
        &home,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = rudder(&["repo", "add", "t", &server.url], sc.path(), &home);
    assert!(out.status.success(), "{}", stderr(&out));
    for untar in [false, true] {
        let dest = sc.path().join(format!("dest-{untar}"));
        std::fs::create_dir_all(&dest).unwrap();
        let mut args = vec![
            "pull",
            "t/victim",
            "--verify",
            "--keyring",
            s(&keys.public),
            "-d",
            s(&dest),
        ];
        if untar {
            args.push("--untar");
        }
        let out = rudder(&args, sc.path(), &home);
        assert_eq!(stderr(&out), expected, "untar={untar}");
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(stdout(&out), "");
        assert_eq!(
            std::fs::read_dir(&dest).unwrap().count(),
            0,
            "untar={untar}"
        );
    }
    // dependency update --verify refuses it as a dependency too.
    let parent = sc.path().join("parent");
    std::fs::create_dir_all(&parent).unwrap();
    std::fs::write(
        parent.join("Chart.yaml"),
        format!(
            "apiVersion: v2\nname: parent\nversion: 0.1.0\ndependencies:\n  - name: victim\n    version: 0.1.0\n    repository: {}\n",
            server.url
        ),
    )
    .unwrap();
    let out = rudder(
        &[
            "dependency",
            "update",
            s(&parent),
            "--verify",
            "--keyring",
            s(&keys.public),
        ],
        sc.path(),
        &home,
    );
    assert_eq!(out.status.code(), Some(1));
    let detail = expected.trim_start_matches("Error: ");
    assert_eq!(
        stderr(&out),
        format!(
            "Error: could not download {}/victim-0.1.0.tgz: {detail}",
            server.url
        )
    );
    assert!(!parent.join("charts/victim-0.1.0.tgz").exists());

    // install/template --verify of the local archive refuse it too.
    let out = rudder(
        &[
            "template",
            "x",
            s(&archive),
            "--verify",
            "--keyring",
            s(&keys.public),
        ],
        sc.path(),
        &home,
    );
    assert_eq!(stderr(&out), expected);

    let Some(helm) = helm_bin() else {
        println!("skipped the helm half: no helm binary");
        return;
    };
    let out = command(
        &helm,
        &["verify", "--keyring", s(&keys.public), s(&archive)],
        sc.path(),
        &home,
    )
    .output()
    .unwrap();
    assert_eq!(stderr(&out), expected, "helm's own text");
}

#[test]
fn verify_errors_read_like_helms() {
    let sc = Scratch::new("prov-errors");
    let home = sc.path().join("home");
    let chart = chart_dir(sc.path(), "plain");
    let out = rudder(&["package", s(&chart)], sc.path(), &home);
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::write(sc.path().join("ring"), b"").unwrap();
    let cases: Vec<(Vec<&str>, String)> = vec![
        (
            vec!["verify", "--keyring", "ring", "plain-0.1.0.tgz"],
            "Error: could not load provenance file plain-0.1.0.tgz.prov: stat plain-0.1.0.tgz.prov: no such file or directory\n".into(),
        ),
        (
            vec!["verify", "--keyring", "ring", "plain"],
            "Error: unpacked charts cannot be verified\n".into(),
        ),
        (
            vec!["verify", "--keyring", "ring", "missing.tgz"],
            "Error: stat missing.tgz: no such file or directory\n".into(),
        ),
        (
            vec!["package", "--sign", s(&chart)],
            "Error: --key is required for signing a package\n".into(),
        ),
    ];
    for (args, want) in cases {
        let out = rudder(&args, sc.path(), &home);
        assert_eq!(stderr(&out), want, "{args:?}");
        assert_eq!(out.status.code(), Some(1), "{args:?}");
    }
    // A .prov that is not a signed document, a keyring that is not one.
    std::fs::write(sc.path().join("plain-0.1.0.tgz.prov"), "hello\n").unwrap();
    let out = rudder(
        &["verify", "--keyring", "ring", "plain-0.1.0.tgz"],
        sc.path(),
        &home,
    );
    assert_eq!(stderr(&out), "Error: signature block not found\n");
    std::fs::write(sc.path().join("ring"), "garbage\n").unwrap();
    let out = rudder(
        &["verify", "--keyring", "ring", "plain-0.1.0.tgz"],
        sc.path(),
        &home,
    );
    assert_eq!(
        stderr(&out),
        "Error: failed to load keyring: openpgp: invalid data: tag byte does not have MSB set\n"
    );
}

#[test]
fn oci_pull_and_template_verify_the_provenance_layer() {
    use super::oci_support::{Home, Registry};
    if !have_gpg() {
        return;
    }
    let Some(reg) = Registry::start(false) else {
        return;
    };
    let home = Home::new();
    let keys = Keys::generate(home.dir.path(), "Oci Signer", None);
    let work = home.work();
    let chart = chart_dir(home.dir.path(), "ocisigned");
    let ring = keys.public.to_string_lossy().into_owned();
    home.rudder(&[
        "package",
        "--sign",
        "--key",
        "Oci Signer",
        "--keyring",
        s(&keys.secret),
        s(&chart),
    ])
    .ok();
    let archive = work.join("ocisigned-0.1.0.tgz");
    let report = expected_report(&keys, "Oci Signer", &archive);
    home.rudder(&["push", s(&archive), &reg.oci("signed"), "--plain-http"])
        .ok();

    // pull --verify: both Pulled reports (chart, provenance), then the
    // verification; the archive and its .prov are saved.
    std::fs::create_dir_all(work.join("d1")).unwrap();
    let r = home.rudder(&[
        "pull",
        &reg.oci("signed/ocisigned"),
        "--version",
        "0.1.0",
        "--plain-http",
        "--verify",
        "--keyring",
        &ring,
        "-d",
        "d1",
    ]);
    r.ok();
    assert_eq!(r.stdout.matches("Pulled: ").count(), 2, "{}", r.stdout);
    assert!(r.stdout.ends_with(&report), "{}", r.stdout);
    assert!(work.join("d1/ocisigned-0.1.0.tgz.prov").is_file());
    home.rudder(&[
        "template",
        "x",
        &reg.oci("signed/ocisigned"),
        "--version",
        "0.1.0",
        "--plain-http",
        "--verify",
        "--keyring",
        &ring,
    ])
    .ok();

    // As a dependency, with dependency update --verify.
    let parent = home.dir.path().join("parent");
    std::fs::create_dir_all(&parent).unwrap();
    std::fs::write(
        parent.join("Chart.yaml"),
        format!(
            "apiVersion: v2\nname: parent\nversion: 0.1.0\ndependencies:\n  - name: ocisigned\n    version: 0.1.0\n    repository: {}\n",
            reg.oci("signed")
        ),
    )
    .unwrap();
    home.rudder(&[
        "dependency",
        "update",
        s(&parent),
        "--verify",
        "--keyring",
        &ring,
        "--plain-http",
    ])
    .ok();
    assert!(parent.join("charts/ocisigned-0.1.0.tgz").is_file());

    // A chart pushed without provenance cannot be verified.
    std::fs::remove_file(work.join("ocisigned-0.1.0.tgz.prov")).unwrap();
    home.rudder(&["push", s(&archive), &reg.oci("plain"), "--plain-http"])
        .ok();
    std::fs::create_dir_all(work.join("d2")).unwrap();
    let host = reg
        .oci("")
        .trim_start_matches("oci://")
        .trim_end_matches('/')
        .to_string();
    home.rudder(&[
        "pull",
        &reg.oci("plain/ocisigned"),
        "--version",
        "0.1.0",
        "--plain-http",
        "--verify",
        "--keyring",
        &ring,
        "-d",
        "d2",
    ])
    .fails_with(&format!(
        "failed to fetch provenance \"oci://{host}/plain/ocisigned:0.1.0.prov\""
    ));
    assert_eq!(std::fs::read_dir(work.join("d2")).unwrap().count(), 0);
}
