//! The Bearer token flow (what Docker Hub, GHCR and most hosted registries
//! use) against a small in-process registry with its own token service:
//! anonymous requests are challenged, tokens are fetched with the stored
//! login (OAuth2 password grant on login, distribution tokens otherwise)
//! and scoped per repository and action. The same server is driven by the
//! real helm when it is installed, so both clients meet the same rules.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use super::oci_support::{helm_bin, sha256, Home, PASSWORD, USER};

#[derive(Default)]
struct Store {
    blobs: HashMap<String, Vec<u8>>,
    /// `repo:tag` and `repo@digest` → manifest bytes.
    manifests: HashMap<String, Vec<u8>>,
    uploads: usize,
    token_requests: Vec<String>,
}

struct Request {
    method: String,
    target: String,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

fn read_request(stream: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    stream.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        stream.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    stream.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        target,
        headers,
        body,
    })
}

fn respond(stream: &mut TcpStream, status: &str, headers: &[(&str, String)], body: &[u8]) {
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

fn query_params(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.replace('+', " ").into_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(
                std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"),
                16,
            ) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn b64(data: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(data)
}

fn unb64(s: &str) -> String {
    use base64::Engine as _;
    String::from_utf8_lossy(
        &base64::engine::general_purpose::STANDARD
            .decode(s)
            .unwrap_or_default(),
    )
    .into_owned()
}

const UNAUTHORIZED: &str =
    r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}"#;

/// Whether `token` grants `action` on `repo` (tokens are base64 of the granted scopes).
fn allows(token: Option<&str>, repo: &str, action: &str) -> bool {
    let Some(t) = token.and_then(|h| h.strip_prefix("Bearer ")) else {
        return false;
    };
    unb64(t).split(' ').any(|scope| {
        let mut p = scope.rsplitn(2, ':');
        let actions = p.next().unwrap_or("");
        let resource = p.next().unwrap_or("");
        resource == format!("repository:{repo}") && actions.split(',').any(|a| a == action)
    })
}

fn handle(mut stream: TcpStream, host: &str, store: &Mutex<Store>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let Some(req) = read_request(&mut reader) else {
        return;
    };
    let (path, query) = req
        .target
        .split_once('?')
        .unwrap_or((req.target.as_str(), ""));
    let auth = req.headers.get("authorization").map(String::as_str);
    let realm = format!("http://{host}/token");
    let json = ("Content-Type", "application/json".to_string());

    if path == "/token" {
        let params = if req.method == "POST" {
            query_params(&String::from_utf8_lossy(&req.body))
        } else {
            query_params(query)
        };
        let get = |k: &str| {
            params
                .iter()
                .filter(|(pk, _)| pk == k)
                .map(|(_, v)| v.clone())
                .collect::<Vec<_>>()
        };
        store.lock().unwrap().token_requests.push(format!(
            "{} {}",
            req.method,
            params
                .iter()
                .map(|(k, _)| k.as_str())
                .collect::<Vec<_>>()
                .join(",")
        ));
        let authenticated = if req.method == "POST" {
            get("grant_type") == ["password"]
                && get("username") == [USER]
                && get("password") == [PASSWORD]
        } else {
            auth == Some(&format!(
                "Basic {}",
                b64(format!("{USER}:{PASSWORD}").as_bytes())
            ))
        };
        if !authenticated {
            respond(
                &mut stream,
                "401 Unauthorized",
                &[json],
                UNAUTHORIZED.as_bytes(),
            );
            return;
        }
        let scopes: Vec<String> = get("scope")
            .iter()
            .flat_map(|s| s.split(' ').map(str::to_string).collect::<Vec<_>>())
            .collect();
        let token = b64(format!("user:{USER} {}", scopes.join(" ")).as_bytes());
        let key = if req.method == "POST" {
            "access_token"
        } else {
            "token"
        };
        respond(
            &mut stream,
            "200 OK",
            &[json],
            format!("{{\"{key}\":\"{token}\"}}").as_bytes(),
        );
        return;
    }

    let Some(rest) = path.strip_prefix("/v2/") else {
        respond(&mut stream, "404 Not Found", &[], b"");
        return;
    };
    if rest.is_empty() {
        if auth.is_some_and(|a| a.starts_with("Bearer ")) {
            respond(&mut stream, "200 OK", &[json], b"{}");
        } else {
            respond(
                &mut stream,
                "401 Unauthorized",
                &[
                    json,
                    (
                        "WWW-Authenticate",
                        format!("Bearer realm=\"{realm}\",service=\"fake-registry\""),
                    ),
                ],
                UNAUTHORIZED.as_bytes(),
            );
        }
        return;
    }
    let (repo, kind, reference) = ["/manifests/", "/blobs/uploads/", "/blobs/", "/tags/list"]
        .iter()
        .find_map(|k| {
            rest.find(k)
                .map(|i| (rest[..i].to_string(), *k, rest[i + k.len()..].to_string()))
        })
        .unwrap_or_default();
    let action = if matches!(req.method.as_str(), "GET" | "HEAD") {
        "pull"
    } else {
        "push"
    };
    if !allows(auth, &repo, action) {
        let scope = if action == "pull" {
            format!("repository:{repo}:pull")
        } else {
            format!("repository:{repo}:pull,push")
        };
        let challenge =
            format!("Bearer realm=\"{realm}\",service=\"fake-registry\",scope=\"{scope}\"");
        respond(
            &mut stream,
            "401 Unauthorized",
            &[json, ("WWW-Authenticate", challenge)],
            UNAUTHORIZED.as_bytes(),
        );
        return;
    }
    let mut s = store.lock().unwrap();
    match (req.method.as_str(), kind) {
        ("GET", "/tags/list") => {
            let mut tags: Vec<String> = s
                .manifests
                .keys()
                .filter_map(|k| k.strip_prefix(&format!("{repo}:")).map(str::to_string))
                .collect();
            tags.sort();
            let body = format!(
                "{{\"name\":\"{repo}\",\"tags\":[{}]}}",
                tags.iter()
                    .map(|t| format!("\"{t}\""))
                    .collect::<Vec<_>>()
                    .join(",")
            );
            respond(&mut stream, "200 OK", &[json], body.as_bytes());
        }
        ("GET" | "HEAD", "/manifests/") => {
            let key = if reference.starts_with("sha256:") {
                format!("{repo}@{reference}")
            } else {
                format!("{repo}:{reference}")
            };
            match s.manifests.get(&key) {
                Some(m) => {
                    let headers = [
                        (
                            "Content-Type",
                            "application/vnd.oci.image.manifest.v1+json".to_string(),
                        ),
                        ("Docker-Content-Digest", sha256(m)),
                    ];
                    let body = if req.method == "HEAD" {
                        vec![]
                    } else {
                        m.clone()
                    };
                    if req.method == "HEAD" {
                        let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\nContent-Type: {}\r\nDocker-Content-Digest: {}\r\n\r\n", m.len(), headers[0].1, headers[1].1);
                        let _ = stream.write_all(head.as_bytes());
                    } else {
                        respond(&mut stream, "200 OK", &headers, &body);
                    }
                }
                None => respond(
                    &mut stream,
                    "404 Not Found",
                    &[json],
                    br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#,
                ),
            }
        }
        ("GET" | "HEAD", "/blobs/") => match s.blobs.get(&reference) {
            Some(b) if req.method == "GET" => respond(&mut stream, "200 OK", &[], &b.clone()),
            Some(b) => {
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    b.len()
                );
                let _ = stream.write_all(head.as_bytes());
            }
            None => respond(&mut stream, "404 Not Found", &[], b""),
        },
        ("POST", "/blobs/uploads/") => {
            s.uploads += 1;
            let location = format!("/v2/{repo}/blobs/uploads/u{}", s.uploads);
            respond(&mut stream, "202 Accepted", &[("Location", location)], b"");
        }
        ("PUT", "/blobs/uploads/") => {
            let digest = query_params(query)
                .into_iter()
                .find(|(k, _)| k == "digest")
                .map(|(_, v)| v)
                .unwrap_or_default();
            if sha256(&req.body) != digest {
                respond(&mut stream, "400 Bad Request", &[json], br#"{"errors":[{"code":"DIGEST_INVALID","message":"provided digest did not match uploaded content"}]}"#);
                return;
            }
            s.blobs.insert(digest.clone(), req.body);
            respond(
                &mut stream,
                "201 Created",
                &[("Docker-Content-Digest", digest)],
                b"",
            );
        }
        ("PUT", "/manifests/") => {
            let digest = sha256(&req.body);
            s.manifests
                .insert(format!("{repo}:{reference}"), req.body.clone());
            s.manifests.insert(format!("{repo}@{digest}"), req.body);
            respond(
                &mut stream,
                "201 Created",
                &[("Docker-Content-Digest", digest)],
                b"",
            );
        }
        _ => respond(&mut stream, "405 Method Not Allowed", &[], b""),
    }
}

struct FakeRegistry {
    host: String,
    store: Arc<Mutex<Store>>,
}

fn start() -> FakeRegistry {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let host = listener.local_addr().expect("addr").to_string();
    let store = Arc::new(Mutex::new(Store::default()));
    let (h, st) = (host.clone(), store.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (h, st) = (h.clone(), st.clone());
            std::thread::spawn(move || handle(stream, &h, &st));
        }
    });
    FakeRegistry { host, store }
}

#[test]
fn bearer_token_login_push_pull() {
    let reg = start();
    let host = reg.host.clone();
    let home = Home::new();
    let tgz = home.packaged_chart("tok", "1.0.0");
    let tgz = tgz.to_string_lossy().into_owned();
    let oci = format!("oci://{host}/team/tok");

    // Anonymous: the token service refuses, and the message names both requests.
    home.rudder(&["pull", &oci, "--plain-http"]).fails_with(&format!(
        "GET \"http://{host}/v2/team/tok/tags/list\": GET \"http://{host}/token?scope=repository%3Ateam%2Ftok%3Apull&service=fake-registry\": response status code 401: unauthorized: authentication required"
    ));

    // Login: an OAuth2 password grant, then the credentials are stored.
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
        PASSWORD,
    );
    login.ok();
    assert_eq!(login.stdout, "Login Succeeded\n");
    assert_eq!(
        reg.store.lock().unwrap().token_requests.last().unwrap(),
        "POST grant_type,username,password,service,client_id"
    );

    // Push and pull with distribution tokens fetched with the stored login.
    let push = home.rudder(&["push", &tgz, &format!("oci://{host}/team"), "--plain-http"]);
    push.ok();
    assert!(
        push.stdout
            .starts_with(&format!("Pushed: {host}/team/tok:1.0.0\nDigest: sha256:")),
        "{}",
        push.stdout
    );
    assert!(reg
        .store
        .lock()
        .unwrap()
        .token_requests
        .iter()
        .any(|t| t == "GET scope,service"));
    home.rudder(&["pull", &oci, "--plain-http"]).ok();
    assert_eq!(
        std::fs::read(home.work().join("tok-1.0.0.tgz")).unwrap(),
        std::fs::read(&tgz).unwrap()
    );
    let show = home.rudder(&["show", "chart", &oci, "--plain-http"]);
    assert!(show.ok().stdout.contains("name: tok\n"));

    // helm meets the same server: it pulls what rudder pushed, and rudder
    // pulls what helm pushed.
    if let Some(helm) = helm_bin() {
        std::fs::create_dir_all(home.work().join("h")).unwrap();
        home.helm(&helm, &["pull", &oci, "--plain-http", "-d", "h"])
            .ok();
        assert_eq!(
            std::fs::read(home.work().join("h/tok-1.0.0.tgz")).unwrap(),
            std::fs::read(&tgz).unwrap()
        );
        let other = home.packaged_chart("fromhelm", "0.0.1");
        home.helm(
            &helm,
            &[
                "push",
                &other.to_string_lossy(),
                &format!("oci://{host}/team"),
                "--plain-http",
            ],
        )
        .ok();
        home.rudder(&[
            "pull",
            &format!("oci://{host}/team/fromhelm"),
            "--plain-http",
        ])
        .ok();
        let anon = Home::new();
        let h = anon.helm(&helm, &["pull", &oci, "--plain-http"]);
        let r = anon.rudder(&["pull", &oci, "--plain-http"]);
        assert_eq!((r.code, &r.stderr), (h.code, &h.stderr));
    }

    // Logout: anonymous again.
    home.rudder(&["registry", "logout", &host]).ok();
    assert_eq!(
        home.rudder(&["pull", &oci, "--plain-http", "-d", "h"]).code,
        1
    );
}
