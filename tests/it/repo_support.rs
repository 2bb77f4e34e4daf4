//! Support for the repository tests: a small HTTP server on 127.0.0.1
//! (std::net, one thread per connection) serving a folder of packaged
//! charts and its index, with optional basic auth, ETags, a forced
//! status for chosen paths and a truncated-body mode; scratch helm homes;
//! and a runner for rudder (and the real helm) sharing those homes.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// A scratch directory removed on drop.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(tag: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!(
            "rudder-repo-{tag}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        ));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// How the server misbehaves, changeable while it runs.
#[derive(Default)]
pub struct Faults {
    /// path -> status line to answer instead of the file.
    pub status: HashMap<String, String>,
    /// Paths whose body is cut in half (Content-Length stays whole).
    pub truncate: Vec<String>,
}

pub struct Server {
    pub url: String,
    pub root: PathBuf,
    pub faults: Arc<Mutex<Faults>>,
    /// Requests answered with 200 and a body.
    pub full_responses: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl Server {
    /// Serves `root`; with `auth`, every request needs that user/password.
    pub fn start(root: &Path, auth: Option<(&str, &str)>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let faults = Arc::new(Mutex::new(Faults::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let full = Arc::new(AtomicUsize::new(0));
        let expected_auth =
            auth.map(|(u, p)| format!("Basic {}", base64(format!("{u}:{p}").as_bytes())));
        let (root2, faults2, stop2, full2) = (
            root.to_path_buf(),
            faults.clone(),
            stop.clone(),
            full.clone(),
        );
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop2.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (root, faults, auth, full) = (
                    root2.clone(),
                    faults2.clone(),
                    expected_auth.clone(),
                    full2.clone(),
                );
                std::thread::spawn(move || {
                    let _ = handle(stream, &root, &faults, auth.as_deref(), &full);
                });
            }
        });
        Server {
            url,
            root: root.to_path_buf(),
            faults,
            full_responses: full,
            stop,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
    }
}

fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn handle(
    mut stream: TcpStream,
    root: &Path,
    faults: &Mutex<Faults>,
    auth: Option<&str>,
    full: &AtomicUsize,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_string();
    let path = path.split('?').next().unwrap_or("/").to_string();
    let mut headers = HashMap::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let respond = |stream: &mut TcpStream,
                   status: &str,
                   extra: &str,
                   body: &[u8],
                   len: usize|
     -> std::io::Result<()> {
        write!(
            stream,
            "HTTP/1.1 {status}\r\nContent-Length: {len}\r\nConnection: close\r\n{extra}\r\n"
        )?;
        stream.write_all(body)?;
        stream.flush()
    };
    if let Some(want) = auth {
        if headers.get("authorization").map(String::as_str) != Some(want) {
            return respond(
                &mut stream,
                "401 Unauthorized",
                "WWW-Authenticate: Basic realm=\"x\"\r\n",
                b"",
                0,
            );
        }
    }
    let (status, truncate) = {
        let f = faults.lock().expect("faults");
        (f.status.get(&path).cloned(), f.truncate.contains(&path))
    };
    if let Some(status) = status {
        return respond(&mut stream, &status, "", b"", 0);
    }
    let file = root.join(path.trim_start_matches('/'));
    let Ok(data) = std::fs::read(&file) else {
        return respond(&mut stream, "404 Not Found", "", b"", 0);
    };
    let etag = format!(
        "\"{}-{}\"",
        data.len(),
        data.iter().map(|&b| b as u64).sum::<u64>()
    );
    if headers.get("if-none-match") == Some(&etag) {
        return respond(
            &mut stream,
            "304 Not Modified",
            &format!("ETag: {etag}\r\n"),
            b"",
            0,
        );
    }
    full.fetch_add(1, Ordering::Relaxed);
    if truncate {
        let half = &data[..data.len() / 2];
        return respond(&mut stream, "200 OK", "", half, data.len());
    }
    respond(
        &mut stream,
        "200 OK",
        &format!("ETag: {etag}\r\n"),
        &data,
        data.len(),
    )
}

/// Helm homes in `home`, shared by rudder and helm in one test.
pub fn command(bin: &Path, args: &[&str], cwd: &Path, home: &Path) -> Command {
    let mut cmd = Command::new(bin);
    cmd.args(args).current_dir(cwd);
    for (k, _) in std::env::vars() {
        if k.starts_with("HELM_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_DATA_HOME", home.join("data"))
        .env("KUBECONFIG", home.join("kubeconfig"))
        .env("NO_COLOR", "1");
    cmd
}

pub fn rudder_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_rudder"))
}

pub fn rudder(args: &[&str], cwd: &Path, home: &Path) -> Output {
    command(&rudder_bin(), args, cwd, home)
        .output()
        .expect("run rudder")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A minimal chart `name-version` packaged into `dir` with rudder itself.
pub fn package_chart(dir: &Path, name: &str, version: &str, description: &str) -> PathBuf {
    let src = dir.join(format!(".src-{name}-{version}"));
    std::fs::create_dir_all(src.join("templates")).expect("mkdir");
    std::fs::write(
        src.join("Chart.yaml"),
        format!("apiVersion: v2\nname: {name}\nversion: {version}\ndescription: {description}\nappVersion: \"1.0\"\nkeywords: [test, {name}kw]\n"),
    )
    .expect("Chart.yaml");
    std::fs::write(src.join("values.yaml"), "replicas: 1\n").expect("values");
    std::fs::write(
        src.join("templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  replicas: {{ .Values.replicas | quote }}\n",
    )
    .expect("template");
    let home = dir.join(".pkg-home");
    let out = rudder(
        &[
            "package",
            src.to_str().expect("utf8"),
            "-d",
            dir.to_str().expect("utf8"),
        ],
        dir,
        &home,
    );
    assert!(out.status.success(), "package failed: {}", stderr(&out));
    let _ = std::fs::remove_dir_all(&src);
    let _ = std::fs::remove_dir_all(&home);
    dir.join(format!("{name}-{version}.tgz"))
}

/// A served repository: two charts (one with two versions and a
/// prerelease) indexed with rudder's `repo index --url`.
pub fn sample_repo(scratch: &Scratch, auth: Option<(&str, &str)>) -> Server {
    let root = scratch.path().join("srv");
    std::fs::create_dir_all(&root).expect("srv");
    package_chart(&root, "alpha", "1.0.0", "Alpha test chart");
    package_chart(&root, "alpha", "1.1.0", "Alpha test chart");
    package_chart(&root, "alpha", "2.0.0-rc.1", "Alpha test chart");
    package_chart(&root, "beta", "0.3.0", "Beta chart that mentions alpha");
    let server = Server::start(&root, auth);
    let out = rudder(
        &[
            "repo",
            "index",
            root.to_str().expect("utf8"),
            "--url",
            &server.url,
        ],
        scratch.path(),
        &scratch.path().join("idx-home"),
    );
    assert!(out.status.success(), "repo index failed: {}", stderr(&out));
    server
}
