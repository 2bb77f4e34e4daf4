//! A real OCI registry for the registry tests: Debian's `docker-registry`
//! (the CNCF distribution registry) started on 127.0.0.1 with a config file
//! written here — plain HTTP, optionally htpasswd basic auth (hashed with
//! our bcrypt) — plus private helm homes and a runner for rudder and the
//! real helm. Tests skip with a printed reason when the registry binary
//! (or helm, for interop) is absent.

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub use super::release_support::helm_bin;

pub const USER: &str = "alice";
pub const PASSWORD: &str = "s3cret-pw";

pub fn registry_bin() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("DOCKER_REGISTRY_BIN").map(PathBuf::from) {
        return p.is_file().then_some(p);
    }
    std::env::var_os("PATH")
        .map(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join("docker-registry"))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
        .into_iter()
        .chain([PathBuf::from("/usr/bin/docker-registry")])
        .find(|p| p.is_file())
}

/// Output of one command.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    #[track_caller]
    pub fn ok(&self) -> &Run {
        assert_eq!(
            self.code, 0,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// A failure reported as exactly one `Error: ...` line, exit 1.
    #[track_caller]
    pub fn fails_with(&self, message: &str) {
        assert_eq!(
            self.code, 1,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        assert_eq!(
            self.stderr,
            format!("Error: {message}\n"),
            "stdout:\n{}",
            self.stdout
        );
    }
}

/// A running registry with its storage and a scratch area; killed on drop.
pub struct Registry {
    child: Child,
    pub dir: tempfile::TempDir,
    /// `127.0.0.1:PORT`.
    pub host: String,
    pub auth: bool,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

impl Registry {
    /// Starts a plain-HTTP registry; `auth` adds htpasswd basic auth for
    /// [`USER`]/[`PASSWORD`]. `None` (with a printed reason) when the
    /// registry binary is missing.
    pub fn start(auth: bool) -> Option<Registry> {
        Registry::start_with(auth, false, false)
    }

    /// A registry serving HTTPS with a certificate from a CA made here
    /// (`ca.crt` in [`Registry::ca_file`]); needs the `openssl` command.
    pub fn start_tls() -> Option<Registry> {
        Registry::start_with(false, true, false)
    }

    /// Like [`Registry::start_tls`], and clients must show a certificate
    /// signed by the same CA ([`Registry::client_cert`]).
    pub fn start_mtls() -> Option<Registry> {
        Registry::start_with(false, true, true)
    }

    /// (`client.crt`, `client.key`) signed by the test CA.
    pub fn client_cert(&self) -> (String, String) {
        let p = |f: &str| self.dir.path().join(f).to_string_lossy().into_owned();
        (p("client.crt"), p("client.key"))
    }

    pub fn ca_file(&self) -> String {
        self.dir
            .path()
            .join("ca.crt")
            .to_string_lossy()
            .into_owned()
    }

    fn start_with(auth: bool, tls: bool, client_certs: bool) -> Option<Registry> {
        let Some(bin) = registry_bin() else {
            println!("skipped: docker-registry not installed (apt-get install docker-registry)");
            return None;
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let port = free_port();
        let host = format!("127.0.0.1:{port}");
        let mut config = format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: {host}\n",
            dir.path().join("storage").display()
        );
        if auth {
            let hash = bcrypt::hash(PASSWORD, 5).expect("bcrypt");
            let htpasswd = dir.path().join("htpasswd");
            std::fs::write(&htpasswd, format!("{USER}:{hash}\n")).expect("htpasswd");
            config.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: rudder-test\n    path: {}\n",
                htpasswd.display()
            ));
        }
        if tls {
            if !make_certificates(dir.path()) {
                println!("skipped: openssl could not make a test CA");
                return None;
            }
            config.push_str(&format!(
                "  tls:\n    certificate: {}\n    key: {}\n",
                dir.path().join("server.crt").display(),
                dir.path().join("server.key").display()
            ));
            if client_certs {
                config.push_str(&format!(
                    "    clientcas:\n      - {}\n",
                    dir.path().join("ca.crt").display()
                ));
            }
        }
        let config_path = dir.path().join("config.yml");
        std::fs::write(&config_path, config).expect("config");
        let log = std::fs::File::create(dir.path().join("registry.log")).expect("log");
        let child = Command::new(bin)
            .arg("serve")
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("start docker-registry");
        let reg = Registry {
            child,
            dir,
            host,
            auth,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(&reg.host).is_err() {
            if Instant::now() > deadline {
                panic!("docker-registry did not start: {}", reg.log());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(reg)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default()
    }

    /// `oci://HOST/path`.
    pub fn oci(&self, path: &str) -> String {
        format!("oci://{}/{path}", self.host)
    }

    /// The stored bytes of a blob (to corrupt it behind the registry's back).
    pub fn blob_path(&self, digest: &str) -> PathBuf {
        let hex = digest.trim_start_matches("sha256:");
        self.dir
            .path()
            .join("storage/docker/registry/v2/blobs/sha256")
            .join(&hex[..2])
            .join(hex)
            .join("data")
    }

    fn request(
        &self,
        method: &str,
        url: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> (u16, String, Vec<u8>) {
        let client = reqwest::blocking::Client::new();
        let mut req = client
            .request(method.parse().expect("method"), url)
            .header("content-type", content_type)
            .body(body);
        if self.auth {
            req = req.basic_auth(USER, Some(PASSWORD));
        }
        let resp = req.send().expect("registry request");
        let status = resp.status().as_u16();
        let location = resp
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        (
            status,
            location,
            resp.bytes().map(|b| b.to_vec()).unwrap_or_default(),
        )
    }

    /// Uploads a blob directly; returns its digest.
    pub fn put_blob(&self, repo: &str, data: &[u8]) -> String {
        let digest = sha256(data);
        let (status, location, _) = self.request(
            "POST",
            &format!("http://{}/v2/{repo}/blobs/uploads/", self.host),
            "application/octet-stream",
            vec![],
        );
        assert_eq!(status, 202);
        let sep = if location.contains('?') { '&' } else { '?' };
        let (status, _, _) = self.request(
            "PUT",
            &format!("{location}{sep}digest={digest}"),
            "application/octet-stream",
            data.to_vec(),
        );
        assert_eq!(status, 201);
        digest
    }

    /// Stores a hand-made manifest under `tag`.
    pub fn put_manifest(&self, repo: &str, tag: &str, manifest: &str) {
        self.put_manifest_as(
            repo,
            tag,
            "application/vnd.oci.image.manifest.v1+json",
            manifest,
        );
    }

    /// Stores a manifest (or index) of `media_type` under a tag or digest.
    pub fn put_manifest_as(&self, repo: &str, reference: &str, media_type: &str, manifest: &str) {
        let (status, _, body) = self.request(
            "PUT",
            &format!("http://{}/v2/{repo}/manifests/{reference}", self.host),
            media_type,
            manifest.as_bytes().to_vec(),
        );
        assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    }
}

/// A CA (`ca.crt`), a server certificate for 127.0.0.1 (`server.crt`/`server.key`)
/// and a client certificate (`client.crt`/`client.key`) signed by it, with openssl.
pub fn make_certificates(dir: &Path) -> bool {
    let openssl = |args: &[&str]| {
        Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .is_err()
    {
        return false;
    }
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "2",
        "-subj",
        "/CN=rudder test CA",
    ]) && openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]) && openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.crt",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]) && std::fs::write(dir.join("client.cnf"), "extendedKeyUsage=clientAuth\n").is_ok()
        && openssl(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "client.key",
            "-out",
            "client.csr",
            "-subj",
            "/CN=rudder test client",
        ])
        && openssl(&[
            "x509",
            "-req",
            "-in",
            "client.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "client.crt",
            "-days",
            "2",
            "-extfile",
            "client.cnf",
        ])
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn sha256(data: &[u8]) -> String {
    use sha2::Digest as _;
    let sum = sha2::Sha256::digest(data);
    format!(
        "sha256:{}",
        sum.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

/// Private helm homes (config, cache, data) plus a working directory.
pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Default for Home {
    fn default() -> Self {
        Self::new()
    }
}

impl Home {
    pub fn new() -> Home {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("work")).expect("work");
        Home { dir }
    }

    pub fn work(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    pub fn registry_config(&self) -> PathBuf {
        self.dir.path().join("config/registry/config.json")
    }

    pub fn content_cache(&self) -> PathBuf {
        self.dir.path().join("cache/content")
    }

    fn command(&self, bin: &Path, args: &[&str]) -> Command {
        let mut c = Command::new(bin);
        c.args(args)
            .current_dir(self.work())
            .env("HOME", self.dir.path())
            .env("HELM_CONFIG_HOME", self.dir.path().join("config"))
            .env("HELM_CACHE_HOME", self.dir.path().join("cache"))
            .env("HELM_DATA_HOME", self.dir.path().join("data"))
            .env_remove("HELM_REGISTRY_CONFIG")
            .env_remove("HELM_CONTENT_CACHE")
            .env_remove("DOCKER_CONFIG")
            .env_remove("KUBECONFIG");
        c
    }

    fn run_with(&self, bin: &Path, args: &[&str], stdin: Option<&str>) -> Run {
        self.run_env(bin, args, stdin, &[])
    }

    /// rudder with extra environment variables.
    pub fn rudder_env(&self, args: &[&str], stdin: Option<&str>, env: &[(&str, String)]) -> Run {
        self.run_env(Path::new(env!("CARGO_BIN_EXE_rudder")), args, stdin, env)
    }

    fn run_env(
        &self,
        bin: &Path,
        args: &[&str],
        stdin: Option<&str>,
        env: &[(&str, String)],
    ) -> Run {
        let mut c = self.command(bin, args);
        for (k, v) in env {
            c.env(k, v);
        }
        c.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().expect("spawn");
        if let Some(mut pipe) = child.stdin.take() {
            if let Some(s) = stdin {
                let _ = pipe.write_all(s.as_bytes());
            }
        }
        let o = child.wait_with_output().expect("wait");
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    pub fn rudder(&self, args: &[&str]) -> Run {
        self.run_with(Path::new(env!("CARGO_BIN_EXE_rudder")), args, None)
    }

    pub fn rudder_stdin(&self, args: &[&str], stdin: &str) -> Run {
        self.run_with(Path::new(env!("CARGO_BIN_EXE_rudder")), args, Some(stdin))
    }

    pub fn helm(&self, helm: &Path, args: &[&str]) -> Run {
        self.run_with(helm, args, None)
    }

    /// `rudder create NAME` with its version set, packaged; returns the archive path.
    pub fn packaged_chart(&self, name: &str, version: &str) -> PathBuf {
        let src = self.dir.path().join("src");
        std::fs::create_dir_all(&src).expect("src");
        let chart_dir = src.join(name);
        let _ = std::fs::remove_dir_all(&chart_dir);
        let bin = Path::new(env!("CARGO_BIN_EXE_rudder"));
        let out = self
            .command(bin, &["create", &chart_dir.to_string_lossy()])
            .output()
            .expect("create");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let chart_yaml = chart_dir.join("Chart.yaml");
        let text = std::fs::read_to_string(&chart_yaml).expect("Chart.yaml");
        let text: String = text
            .lines()
            .map(|l| {
                if l.starts_with("version:") {
                    format!("version: {version}")
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        std::fs::write(&chart_yaml, text + "\nmaintainers:\n  - name: Ada\n    email: ada@example.com\nhome: https://example.com/home\n").expect("write");
        let dest = self.dir.path().join("pkg");
        std::fs::create_dir_all(&dest).expect("pkg");
        let out = self
            .command(
                bin,
                &[
                    "package",
                    &chart_dir.to_string_lossy(),
                    "-d",
                    &dest.to_string_lossy(),
                ],
            )
            .output()
            .expect("package");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        dest.join(format!("{name}-{version}.tgz"))
    }

    /// Every file under the content cache.
    pub fn cached_files(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let mut stack = vec![self.content_cache()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                if e.path().is_dir() {
                    stack.push(e.path());
                } else {
                    out.push(e.path());
                }
            }
        }
        out
    }

    /// Names of the files in the working directory.
    pub fn work_files(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(self.work())
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}

/// The `Digest:` line of a push/pull report.
pub fn reported_digest(stdout: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("Digest: "))
        .unwrap_or_default()
        .to_string()
}
