//! Repositories over HTTPS with a CA made in the test: `openssl` makes
//! the CA and a certificate for 127.0.0.1, and `openssl s_server -WWW`
//! serves the packaged charts. Without the `openssl` command the test is
//! skipped with a note. `repo add` must fail without `--ca-file` (with
//! helm's error text, compared with the real helm when it is installed)
//! and succeed with it; `pull` then downloads over the same TLS setup.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::oci_support::make_certificates;
use super::repo_support::*;

/// `openssl s_server -WWW` serving `root` over TLS; killed on drop.
pub struct TlsServer {
    pub url: String,
    child: Child,
}

impl TlsServer {
    /// Serves `root` with `certs/server.{crt,key}`; with
    /// `require_client_cert`, only clients with a certificate signed by
    /// `certs/ca.crt` are served.
    pub fn start(root: &Path, certs: &Path, require_client_cert: bool) -> Option<TlsServer> {
        // A free port: bind, note it, release it for s_server.
        let port = TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let mut cmd = Command::new("openssl");
        cmd.args(["s_server", "-WWW", "-quiet", "-accept"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("-cert")
            .arg(certs.join("server.crt"))
            .arg("-key")
            .arg(certs.join("server.key"));
        if require_client_cert {
            cmd.args(["-Verify", "1", "-verify_return_error", "-CAfile"])
                .arg(certs.join("ca.crt"));
        }
        let child = cmd
            .current_dir(root)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let server = TlsServer {
            url: format!("https://127.0.0.1:{port}"),
            child,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(server)
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn helm_bin() -> Option<PathBuf> {
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

#[test]
fn repo_add_and_pull_over_tls_with_a_test_ca() {
    let s = Scratch::new("tls");
    let certs = s.path().join("certs");
    let root = s.path().join("srv");
    std::fs::create_dir_all(&certs).expect("certs");
    std::fs::create_dir_all(&root).expect("srv");
    if !make_certificates(&certs) {
        println!("skipped: the openssl command is absent or could not make a test CA");
        return;
    }
    package_chart(&root, "alpha", "1.0.0", "Alpha test chart");
    let Some(server) = TlsServer::start(&root, &certs, false) else {
        println!("skipped: openssl s_server did not start");
        return;
    };
    let idx = rudder(
        &[
            "repo",
            "index",
            root.to_str().expect("utf8"),
            "--url",
            &server.url,
        ],
        s.path(),
        &s.path().join("idx-home"),
    );
    assert!(idx.status.success(), "repo index: {}", stderr(&idx));

    let home = s.path().join("home");
    let untrusted = rudder(&["repo", "add", "t", &server.url], s.path(), &home);
    assert_eq!(untrusted.status.code(), Some(1), "{}", stderr(&untrusted));
    let expected = format!(
        "Error: looks like \"{0}\" is not a valid chart repository or cannot be reached: \
         Get \"{0}/index.yaml\": tls: failed to verify certificate: x509: certificate signed by unknown authority\n",
        server.url
    );
    assert_eq!(stderr(&untrusted), expected);
    assert!(
        !home.join("config/helm/repositories.yaml").exists()
            || !std::fs::read_to_string(home.join("config/helm/repositories.yaml"))
                .unwrap_or_default()
                .contains(&server.url),
        "a failed add must not register the repository"
    );
    if let Some(helm) = helm_bin() {
        let helm_home = s.path().join("helm-home");
        let out = command(
            &helm,
            &["repo", "add", "t", &server.url],
            s.path(),
            &helm_home,
        )
        .output()
        .expect("run helm");
        assert_eq!(stderr(&out), expected, "helm's text differs");
    }

    let ca = certs.join("ca.crt");
    let ca = ca.to_str().expect("utf8");
    let added = rudder(
        &["repo", "add", "t", &server.url, "--ca-file", ca],
        s.path(),
        &home,
    );
    assert!(added.status.success(), "{}", stderr(&added));
    assert_eq!(
        stdout(&added),
        "\"t\" has been added to your repositories\n"
    );

    let dest = s.path().join("out");
    std::fs::create_dir_all(&dest).expect("out");
    let pulled = rudder(
        &["pull", "t/alpha", "-d", dest.to_str().expect("utf8")],
        s.path(),
        &home,
    );
    assert!(pulled.status.success(), "{}", stderr(&pulled));
    assert_eq!(
        std::fs::read(dest.join("alpha-1.0.0.tgz")).expect("pulled archive"),
        std::fs::read(root.join("alpha-1.0.0.tgz")).expect("served archive")
    );
}
