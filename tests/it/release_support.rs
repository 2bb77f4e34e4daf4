//! A kube-test-apiserver per test group, and running rudder and the real
//! helm against it with a private HOME. Tests skip with a printed reason when
//! `../shared` (the fake API server) or helm is absent.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub fn server_script() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/tools/kube-test-apiserver/kube-test-apiserver");
    p.is_file().then_some(p)
}

pub fn helm_bin() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        std::env::var_os("HELM_BIN").map(PathBuf::from),
        Some(root.join(".helm-oracle/helm")),
        Some(PathBuf::from("/work/helm-bin/helm")),
    ]
    .into_iter()
    .flatten()
    .find(|p| p.is_file())
}

pub struct TestCluster {
    child: Option<Child>,
    pub dir: tempfile::TempDir,
    pub port: u16,
}

/// Output of one command, as text.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    #[track_caller]
    pub fn ok(&self) -> &Run {
        assert_eq!(
            self.code, 0,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

impl TestCluster {
    /// Starts a server, or `None` (with the reason printed) when it is not available.
    pub fn start(extra: &[&str]) -> Option<TestCluster> {
        let Some(script) = server_script() else {
            eprintln!("skipping: ../shared/tools/kube-test-apiserver is absent");
            return None;
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let ready = dir.path().join("port");
        let child = Command::new(&script)
            .args(["--port", "0", "--ready-file"])
            .arg(&ready)
            .arg("--kubeconfig")
            .arg(dir.path().join("kubeconfig"))
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn kube-test-apiserver");
        let deadline = Instant::now() + Duration::from_secs(15);
        let port = loop {
            if let Ok(s) = std::fs::read_to_string(&ready) {
                if let Ok(p) = s.trim().parse::<u16>() {
                    break p;
                }
            }
            assert!(
                Instant::now() < deadline,
                "kube-test-apiserver did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        std::fs::create_dir_all(dir.path().join("home")).expect("home");
        Some(TestCluster {
            child: Some(child),
            dir,
            port,
        })
    }

    pub fn kubeconfig(&self) -> PathBuf {
        self.dir.path().join("kubeconfig")
    }

    fn command(&self, bin: &Path, args: &[&str]) -> Command {
        let mut c = Command::new(bin);
        c.args(args)
            .current_dir(self.dir.path())
            .env("KUBECONFIG", self.kubeconfig())
            .env("HOME", self.dir.path().join("home"))
            .env("HELM_CACHE_HOME", self.dir.path().join("home/cache"))
            .env("HELM_CONFIG_HOME", self.dir.path().join("home/config"))
            .env("HELM_DATA_HOME", self.dir.path().join("home/data"))
            .env_remove("HELM_DRIVER")
            .env_remove("HELM_NAMESPACE");
        c
    }

    pub fn rudder_cmd(&self, args: &[&str]) -> Command {
        self.command(Path::new(env!("CARGO_BIN_EXE_rudder")), args)
    }

    pub fn rudder(&self, args: &[&str]) -> Run {
        Run::from(self.rudder_cmd(args).output().expect("run rudder"))
    }

    /// The real helm, or `None` when it is not installed.
    pub fn helm(&self, args: &[&str]) -> Option<Run> {
        let bin = helm_bin()?;
        Some(Run::from(
            self.command(&bin, args).output().expect("run helm"),
        ))
    }

    /// A raw HTTP request to the server (test endpoints); returns the body.
    pub fn http(&self, method: &str, path: &str, body: &str) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        s.write_all(req.as_bytes()).expect("write");
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out.split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or(out)
    }

    pub fn faults(&self, rules: &str) {
        self.http(
            "POST",
            "/__test/faults",
            &format!("{{\"rules\": {rules}, \"replace\": true}}"),
        );
    }

    /// Writes a small chart under the test dir and returns its path.
    pub fn chart(&self, name: &str, files: &[(&str, &str)]) -> PathBuf {
        let root = self.dir.path().join("charts").join(name);
        for (path, content) in files {
            let p = root.join(path);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(&p, content).expect("write chart file");
        }
        root
    }

    /// The standard test chart: a ConfigMap from values, a Deployment, a test hook and NOTES.
    pub fn app_chart(&self, name: &str, version: &str) -> PathBuf {
        self.chart(
            name,
            &[
                (
                    "Chart.yaml",
                    &format!("apiVersion: v2\nname: app\nversion: {version}\nappVersion: \"1.0\"\n"),
                ),
                ("values.yaml", "greeting: hello\nreplicas: 1\nextra: false\n"),
                (
                    "templates/cm.yaml",
                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\ndata:\n  greeting: {{ .Values.greeting | quote }}\n  revision: \"{{ .Release.Revision }}\"\n",
                ),
                (
                    "templates/extra.yaml",
                    "{{- if .Values.extra }}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-extra\ndata:\n  a: b\n{{- end }}\n",
                ),
                (
                    "templates/deploy.yaml",
                    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  replicas: {{ .Values.replicas }}\n  selector:\n    matchLabels:\n      app: {{ .Release.Name }}\n  template:\n    metadata:\n      labels:\n        app: {{ .Release.Name }}\n    spec:\n      containers:\n        - name: c\n          image: nginx\n",
                ),
                (
                    "templates/tests/test.yaml",
                    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}-test\n  annotations:\n    helm.sh/hook: test\nspec:\n  restartPolicy: Never\n  containers:\n    - name: t\n      image: busybox\n",
                ),
                ("templates/NOTES.txt", "Thanks for installing {{ .Release.Name }}.\n"),
            ],
        )
    }

    /// The sequence number of the newest request in the server's log.
    pub fn last_seq(&self) -> u64 {
        let v: serde_json::Value =
            serde_json::from_str(&self.http("GET", "/__test/requests?limit=1", ""))
                .expect("request log");
        v["last_seq"].as_u64().unwrap_or(0)
    }

    /// The API requests logged after `since` (test endpoints excluded).
    pub fn requests_since(&self, since: u64) -> Vec<serde_json::Value> {
        let v: serde_json::Value = serde_json::from_str(&self.http(
            "GET",
            &format!("/__test/requests?since={since}&limit=10000"),
            "",
        ))
        .expect("request log");
        v["requests"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r.get("mark").is_none())
            .collect()
    }

    /// One object as JSON from the API.
    pub fn object(&self, path: &str) -> serde_json::Value {
        serde_json::from_str(&self.http("GET", path, "")).expect("object JSON")
    }

    /// The decoded release record of a revision, via the API (kubectl-free).
    pub fn kube_get(&self, path: &str) -> String {
        self.http("GET", path, "")
    }
}

impl Drop for TestCluster {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .status();
            let deadline = Instant::now() + Duration::from_secs(5);
            loop {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                if Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}
