//! A small OCI distribution client over blocking `reqwest`: manifests,
//! blobs, tag lists, monolithic uploads, and the two auth schemes helm's
//! ORAS client answers (`Basic` and the `Bearer` token challenge, with
//! distribution tokens or OAuth2 password/refresh grants). Errors are
//! worded as ORAS words them.
//!
//! A hand-written client rather than an OCI crate: the async crates pull a
//! runtime and their own TLS stack and do not expose the request-level
//! details helm's messages are made of.

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;

use base64::Engine as _;
use sha2::{Digest as _, Sha256};

use super::credentials::{Credential, CredentialStore};
use super::error::{describe_error_body, status_text, OciError};
use super::reference::Reference;

/// OCI image manifest media type (what helm writes).
pub const MEDIA_TYPE_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// OCI image index media type.
pub const MEDIA_TYPE_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// Largest manifest accepted (ORAS's limit).
const MAX_MANIFEST_BYTES: usize = 4 * 1024 * 1024;
/// helm's default getter timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// How to reach and authenticate to registries.
#[derive(Clone, Debug, Default)]
pub struct ClientOptions {
    /// `http://` instead of `https://`.
    pub plain_http: bool,
    pub insecure_skip_tls_verify: bool,
    pub ca_file: String,
    pub cert_file: String,
    pub key_file: String,
    /// Credentials from the command line; they win over the store.
    pub username: String,
    pub password: String,
    /// `$HELM_REGISTRY_CONFIG`.
    pub credentials_file: PathBuf,
    pub timeout: Option<Duration>,
}

/// `sha256:<hex>` of `data`.
pub fn sha256_digest(data: &[u8]) -> String {
    let sum = Sha256::digest(data);
    let mut s = String::with_capacity(71);
    s.push_str("sha256:");
    for b in sum {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scheme {
    Basic,
    Bearer,
}

#[derive(Default, Debug)]
struct HostAuth {
    scheme: Option<Scheme>,
    basic: Option<String>,
    bearer: HashMap<String, String>,
}

/// A response read to the end.
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
    pub url: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A registry client; it remembers each host's auth scheme and tokens.
pub struct Client {
    http: reqwest::blocking::Client,
    opts: ClientOptions,
    store: CredentialStore,
    /// Credentials that apply to one host only (registry login).
    static_credential: Option<(String, Credential)>,
    force_oauth2: std::cell::Cell<bool>,
    auth: RefCell<HashMap<String, HostAuth>>,
}

/// Go's `url.Error` operation name: `Get`, `Head`, `Put`, `Post`.
fn url_op(method: &reqwest::Method) -> String {
    let m = method.as_str();
    let mut op = m[..1].to_string();
    op.push_str(&m[1..].to_ascii_lowercase());
    op
}

/// Go's `net/http` wording for a transport failure.
fn transport_error(method: &reqwest::Method, url: &str, e: &reqwest::Error) -> OciError {
    let mut chain = Vec::new();
    let mut src: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = src {
        chain.push(s.to_string());
        src = s.source();
    }
    let all = chain.join(": ");
    let lower = all.to_lowercase();
    let addr = reqwest::Url::parse(url)
        .ok()
        .map(|u| {
            let port = u.port_or_known_default().unwrap_or(0);
            format!("{}:{port}", u.host_str().unwrap_or(""))
        })
        .unwrap_or_default();
    let detail = if e.is_connect() && e.is_timeout() {
        format!("dial tcp {addr}: i/o timeout")
    } else if e.is_timeout() {
        "context deadline exceeded (Client.Timeout exceeded while awaiting headers)".to_string()
    } else if lower.contains("connection refused") {
        format!("dial tcp {addr}: connect: connection refused")
    } else if lower.contains("invalidcontenttype") || lower.contains("corrupt message") {
        "http: server gave HTTP response to HTTPS client".to_string()
    } else if lower.contains("unknownissuer") || lower.contains("unknown issuer") {
        "tls: failed to verify certificate: x509: certificate signed by unknown authority"
            .to_string()
    } else if let Some(alert) = all.split("received fatal alert: ").nth(1) {
        format!(
            "remote error: tls: {}",
            go_alert_text(alert.split([':', ' ', ')']).next().unwrap_or(""))
        )
    } else if lower.contains("dns error") || lower.contains("failed to lookup address") {
        let host = addr.rsplit_once(':').map_or(addr.as_str(), |(h, _)| h);
        format!("dial tcp: lookup {host}: no such host")
    } else {
        chain.last().cloned().unwrap_or_else(|| e.to_string())
    };
    OciError(format!("{} \"{url}\": {detail}", url_op(method)))
}

/// Go's text for a TLS alert rustls names in CamelCase (`BadCertificate`).
fn go_alert_text(alert: &str) -> String {
    match alert {
        "UnknownCA" => "unknown certificate authority".into(),
        "DecryptError" => "error decrypting message".into(),
        "ProtocolVersion" => "protocol version not supported".into(),
        _ => {
            let mut out = String::new();
            for (i, c) in alert.chars().enumerate() {
                if c.is_ascii_uppercase() && i > 0 {
                    out.push(' ');
                }
                out.push(c.to_ascii_lowercase());
            }
            out
        }
    }
}

/// ORAS's `ErrorResponse`: `GET "url": response status code 404: name unknown: ...`.
pub fn response_error(method: &reqwest::Method, reply: &Reply) -> OciError {
    let detail =
        describe_error_body(&reply.body).unwrap_or_else(|| status_text(reply.status).to_string());
    OciError(format!(
        "{} \"{}\": response status code {}: {detail}",
        method.as_str(),
        reply.url,
        reply.status
    ))
}

/// `Bearer realm="...",service="...",scope="..."` → scheme and parameters.
fn parse_challenge(header: &str) -> (Option<Scheme>, HashMap<String, String>) {
    let header = header.trim();
    let (scheme, rest) = header.split_once(' ').unwrap_or((header, ""));
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "basic" => Some(Scheme::Basic),
        "bearer" => Some(Scheme::Bearer),
        _ => None,
    };
    let mut params = HashMap::new();
    let mut s = rest.trim();
    while !s.is_empty() {
        let Some((key, after)) = s.split_once('=') else {
            break;
        };
        let key = key
            .trim()
            .trim_start_matches(',')
            .trim()
            .to_ascii_lowercase();
        let (value, tail) = if let Some(q) = after.strip_prefix('"') {
            let mut value = String::new();
            let mut end = q.len();
            let mut escaped = false;
            for (i, c) in q.char_indices() {
                if escaped {
                    value.push(c);
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    end = i + 1;
                    break;
                } else {
                    value.push(c);
                }
            }
            (value, &q[end.min(q.len())..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_string(), &after[end..])
        };
        params.insert(key, value);
        s = tail.trim_start_matches([',', ' ']);
    }
    (scheme, params)
}

/// ORAS's `CleanScopes`: one scope per resource with its actions merged and sorted.
fn clean_scopes(scopes: &[String]) -> Vec<String> {
    let mut merged: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    let mut others = std::collections::BTreeSet::new();
    for s in scopes {
        let parts: Vec<&str> = s.rsplitn(2, ':').collect();
        if parts.len() != 2 {
            others.insert(s.clone());
            continue;
        }
        let set = merged.entry(parts[1].to_string()).or_default();
        for a in parts[0].split(',').filter(|a| !a.is_empty()) {
            set.insert(a.to_string());
        }
    }
    let mut out: Vec<String> = others.into_iter().collect();
    for (res, actions) in merged {
        if actions.contains("*") {
            out.push(format!("{res}:*"));
        } else {
            out.push(format!(
                "{res}:{}",
                actions.into_iter().collect::<Vec<_>>().join(",")
            ));
        }
    }
    out.sort();
    out
}

/// The scope asking for `actions` on a repository.
pub fn repository_scope(repository: &str, actions: &[&str]) -> String {
    format!("repository:{repository}:{}", actions.join(","))
}

impl Client {
    pub fn new(opts: ClientOptions) -> Result<Client, OciError> {
        let tls = |msg: String| OciError(format!("can't create TLS config for client: {msg}"));
        let read = |what: &str, path: &str| {
            std::fs::read(path).map_err(|e| {
                let io = crate::chart::loader::go_io_error("open", std::path::Path::new(path), &e);
                tls(format!(
                    "{what}: {}: {io}",
                    crate::chart::metadata::go_quote(path)
                ))
            })
        };
        let mut b = reqwest::blocking::Client::builder()
            .use_rustls_tls()
            .user_agent(concat!("rudder/", env!("CARGO_PKG_VERSION")))
            .timeout(opts.timeout.unwrap_or(DEFAULT_TIMEOUT))
            // helm's registry transport: 5 s to connect, and no transparent
            // gzip (blobs must arrive byte for byte to match their digest).
            .connect_timeout(Duration::from_secs(5))
            .no_gzip()
            .danger_accept_invalid_certs(opts.insecure_skip_tls_verify);
        if !opts.cert_file.is_empty() && !opts.key_file.is_empty() {
            let mut pem = read("unable to read cert file", &opts.cert_file)?;
            pem.push(b'\n');
            pem.extend(read("unable to read key file", &opts.key_file)?);
            let id = reqwest::Identity::from_pem(&pem)
                .map_err(|e| tls(format!("unable to load cert from key pair: {e}")))?;
            b = b.identity(id);
        }
        if !opts.ca_file.is_empty() {
            let pem = read("can't read CA file", &opts.ca_file)?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .ok()
                .filter(|c| !c.is_empty())
                .ok_or_else(|| tls("failed to append certificates from pem block".into()))?;
            for c in certs {
                b = b.add_root_certificate(c);
            }
        }
        let http = b.build().map_err(|e| OciError(e.to_string()))?;
        let store = CredentialStore::new(opts.credentials_file.clone());
        Ok(Client {
            http,
            opts,
            store,
            static_credential: None,
            force_oauth2: std::cell::Cell::new(false),
            auth: RefCell::new(HashMap::new()),
        })
    }

    /// Only `cred` is offered, and only to `host` (helm's login).
    pub fn with_static_credential(mut self, host: &str, cred: Credential) -> Client {
        self.static_credential = Some((host.to_string(), cred));
        self
    }

    pub fn credential_store(&self) -> &CredentialStore {
        &self.store
    }

    fn base(&self, host: &str) -> String {
        let scheme = if self.opts.plain_http {
            "http"
        } else {
            "https"
        };
        format!("{scheme}://{host}")
    }

    fn credential(&self, host: &str) -> Result<Credential, OciError> {
        if let Some((h, c)) = &self.static_credential {
            return Ok(if h == host {
                c.clone()
            } else {
                Credential::default()
            });
        }
        if !self.opts.username.is_empty() && !self.opts.password.is_empty() {
            return Ok(Credential {
                username: self.opts.username.clone(),
                password: self.opts.password.clone(),
                ..Default::default()
            });
        }
        self.store.get(host)
    }

    fn raw_send(
        &self,
        method: &reqwest::Method,
        url: &str,
        headers: &[(&str, String)],
        body: Option<&[u8]>,
        authorization: Option<String>,
    ) -> Result<Reply, OciError> {
        let mut req = self.http.request(method.clone(), url);
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        if let Some(a) = authorization {
            req = req.header(reqwest::header::AUTHORIZATION, a);
        }
        if let Some(b) = body {
            req = req.body(b.to_vec());
        }
        let mut resp = req.send().map_err(|e| transport_error(method, url, &e))?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let mut data = Vec::new();
        if *method != reqwest::Method::HEAD {
            resp.read_to_end(&mut data)
                .map_err(|_| OciError(format!("{} \"{url}\": unexpected EOF", url_op(method))))?;
        }
        Ok(Reply {
            status,
            headers,
            body: data,
            url: url.to_string(),
        })
    }

    /// Sends a request to `host`, answering an auth challenge once.
    pub fn send(
        &self,
        host: &str,
        method: reqwest::Method,
        url: &str,
        headers: &[(&str, String)],
        body: Option<&[u8]>,
        scopes: &[String],
    ) -> Result<Reply, OciError> {
        let scopes = clean_scopes(scopes);
        let key = scopes.join(" ");
        let cached = {
            let auth = self.auth.borrow();
            auth.get(host).and_then(|a| match a.scheme {
                Some(Scheme::Basic) => a.basic.clone().map(|t| format!("Basic {t}")),
                Some(Scheme::Bearer) => a.bearer.get(&key).map(|t| format!("Bearer {t}")),
                None => None,
            })
        };
        let reply = self.raw_send(&method, url, headers, body, cached)?;
        if reply.status != 401 {
            return Ok(reply);
        }
        let challenge = reply.header("www-authenticate").unwrap_or("").to_string();
        let (scheme, params) = parse_challenge(&challenge);
        let wrap = |e: OciError| OciError(format!("{} \"{url}\": {}", method.as_str(), e.0));
        let authorization = match scheme {
            Some(Scheme::Basic) => {
                let token = self.basic_token(host).map_err(wrap)?;
                let mut auth = self.auth.borrow_mut();
                let a = auth.entry(host.to_string()).or_default();
                a.scheme = Some(Scheme::Basic);
                a.basic = Some(token.clone());
                format!("Basic {token}")
            }
            Some(Scheme::Bearer) => {
                let mut all = scopes.clone();
                if let Some(s) = params.get("scope").filter(|s| !s.is_empty()) {
                    all.extend(s.split(' ').map(str::to_string));
                }
                let all = clean_scopes(&all);
                let realm = params.get("realm").cloned().unwrap_or_default();
                let service = params.get("service").cloned().unwrap_or_default();
                let token = self
                    .bearer_token(host, &realm, &service, &all)
                    .map_err(wrap)?;
                let mut auth = self.auth.borrow_mut();
                let a = auth.entry(host.to_string()).or_default();
                a.scheme = Some(Scheme::Bearer);
                a.bearer.insert(key.clone(), token.clone());
                a.bearer.insert(all.join(" "), token.clone());
                format!("Bearer {token}")
            }
            None => return Ok(reply),
        };
        self.raw_send(&method, url, headers, body, Some(authorization))
    }

    fn basic_token(&self, host: &str) -> Result<String, OciError> {
        let cred = self
            .credential(host)
            .map_err(|e| OciError(format!("failed to resolve credential: {e}")))?;
        if cred.is_empty() {
            return Err(OciError::new("basic credential not found"));
        }
        if cred.username.is_empty() || cred.password.is_empty() {
            return Err(OciError::new("missing username or password for basic auth"));
        }
        Ok(base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", cred.username, cred.password)))
    }

    fn bearer_token(
        &self,
        host: &str,
        realm: &str,
        service: &str,
        scopes: &[String],
    ) -> Result<String, OciError> {
        let cred = self.credential(host)?;
        if !cred.access_token.is_empty() {
            return Ok(cred.access_token);
        }
        if cred.is_empty() || (cred.refresh_token.is_empty() && !self.force_oauth2.get()) {
            return self.distribution_token(realm, service, scopes, &cred);
        }
        self.oauth2_token(realm, service, scopes, &cred)
    }

    fn distribution_token(
        &self,
        realm: &str,
        service: &str,
        scopes: &[String],
        cred: &Credential,
    ) -> Result<String, OciError> {
        let mut url =
            reqwest::Url::parse(realm).map_err(|e| OciError(format!("parse \"{realm}\": {e}")))?;
        {
            let mut q = url.query_pairs_mut();
            for s in scopes {
                q.append_pair("scope", s);
            }
            if !service.is_empty() {
                q.append_pair("service", service);
            }
        }
        let url = url.to_string();
        let authorization = (!cred.username.is_empty() || !cred.password.is_empty()).then(|| {
            let raw = format!("{}:{}", cred.username, cred.password);
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(raw)
            )
        });
        let method = reqwest::Method::GET;
        let reply = self.raw_send(&method, &url, &[], None, authorization)?;
        if reply.status != 200 {
            return Err(response_error(&method, &reply));
        }
        token_from(&reply, &method, &["access_token", "token"])
    }

    fn oauth2_token(
        &self,
        realm: &str,
        service: &str,
        scopes: &[String],
        cred: &Credential,
    ) -> Result<String, OciError> {
        let mut form_url =
            reqwest::Url::parse("http://form.invalid/").map_err(|e| OciError(e.to_string()))?;
        let mut form = form_url.query_pairs_mut();
        if !cred.refresh_token.is_empty() {
            form.append_pair("grant_type", "refresh_token");
            form.append_pair("refresh_token", &cred.refresh_token);
        } else if !cred.username.is_empty() && !cred.password.is_empty() {
            form.append_pair("grant_type", "password");
            form.append_pair("username", &cred.username);
            form.append_pair("password", &cred.password);
        } else {
            return Err(OciError::new(
                "missing username or password for bearer auth",
            ));
        }
        form.append_pair("service", service);
        form.append_pair("client_id", "oras-go");
        if !scopes.is_empty() {
            form.append_pair("scope", &scopes.join(" "));
        }
        drop(form);
        let body = form_url.query().unwrap_or("").to_string();
        let method = reqwest::Method::POST;
        let headers = [(
            "content-type",
            "application/x-www-form-urlencoded".to_string(),
        )];
        let reply = self.raw_send(&method, realm, &headers, Some(body.as_bytes()), None)?;
        if reply.status != 200 {
            return Err(response_error(&method, &reply));
        }
        token_from(&reply, &method, &["access_token"])
    }

    /// `GET /v2/`; with `force_oauth2` a Bearer challenge is answered with an
    /// OAuth2 password grant first (helm's login).
    pub fn ping(&self, host: &str, force_oauth2: bool) -> Result<(), OciError> {
        self.force_oauth2.set(force_oauth2);
        let url = format!("{}/v2/", self.base(host));
        let result = self.send(host, reqwest::Method::GET, &url, &[], None, &[]);
        self.force_oauth2.set(false);
        let reply = result?;
        match reply.status {
            200 => Ok(()),
            404 => Err(OciError(format!("{}: not found", host))),
            _ => Err(response_error(&reqwest::Method::GET, &reply)),
        }
    }

    /// Forgets cached tokens (before a second login attempt).
    pub fn reset_auth(&self) {
        self.auth.borrow_mut().clear();
    }

    fn repo_url(&self, r: &Reference, tail: &str) -> String {
        format!("{}/v2/{}/{tail}", self.base(r.host()), r.repository)
    }

    /// All tags of a repository, following `Link` pagination.
    pub fn tags(&self, r: &Reference) -> Result<Vec<String>, OciError> {
        let scopes = [repository_scope(&r.repository, &["pull"])];
        let mut url = self.repo_url(r, "tags/list");
        let mut tags = Vec::new();
        loop {
            let reply = self.send(r.host(), reqwest::Method::GET, &url, &[], None, &scopes)?;
            if reply.status != 200 {
                return Err(response_error(&reqwest::Method::GET, &reply));
            }
            let doc: serde_json::Value = serde_json::from_slice(&reply.body)
                .map_err(|e| OciError(format!("{}: failed to decode response: {e}", url)))?;
            if let Some(list) = doc.get("tags").and_then(|t| t.as_array()) {
                tags.extend(list.iter().filter_map(|t| t.as_str().map(str::to_string)));
            }
            match reply.header("link").and_then(next_link) {
                Some(next) => {
                    url = reqwest::Url::parse(&url)
                        .and_then(|u| u.join(&next))
                        .map(|u| u.to_string())
                        .map_err(|e| OciError(e.to_string()))?;
                }
                None => return Ok(tags),
            }
        }
    }

    /// Fetches a manifest by tag or digest: (body, media type, digest). The
    /// body is checked against the digest it was asked by.
    pub fn fetch_manifest(&self, r: &Reference) -> Result<(Vec<u8>, String, String), OciError> {
        let scopes = [repository_scope(&r.repository, &["pull"])];
        let url = self.repo_url(r, &format!("manifests/{}", r.reference()));
        let accept = [
            MEDIA_TYPE_MANIFEST,
            MEDIA_TYPE_INDEX,
            DOCKER_MANIFEST,
            DOCKER_MANIFEST_LIST,
        ]
        .join(", ");
        let reply = self.send(
            r.host(),
            reqwest::Method::GET,
            &url,
            &[("accept", accept)],
            None,
            &scopes,
        )?;
        match reply.status {
            200 => {}
            404 => return Err(OciError(format!("{r}: not found"))),
            _ => return Err(response_error(&reqwest::Method::GET, &reply)),
        }
        if reply.body.len() > MAX_MANIFEST_BYTES {
            return Err(OciError(format!(
                "{r}: manifest size exceeds limit {MAX_MANIFEST_BYTES}"
            )));
        }
        let digest = sha256_digest(&reply.body);
        if !r.digest.is_empty() && r.digest != digest {
            return Err(OciError::new("mismatched digest"));
        }
        if let Some(h) = reply.header("docker-content-digest") {
            if h.starts_with("sha256:") && h != digest {
                return Err(OciError::new("mismatched digest"));
            }
        }
        let media_type = reply
            .header("content-type")
            .map(|c| c.split(';').next().unwrap_or("").trim().to_string())
            .unwrap_or_default();
        Ok((reply.body, media_type, digest))
    }

    /// Fetches a blob's bytes (check them with [`verify_content`]).
    pub fn fetch_blob(&self, r: &Reference, digest: &str) -> Result<Vec<u8>, OciError> {
        let scopes = [repository_scope(&r.repository, &["pull"])];
        let url = self.repo_url(r, &format!("blobs/{digest}"));
        let reply = self.send(r.host(), reqwest::Method::GET, &url, &[], None, &scopes)?;
        match reply.status {
            200 => Ok(reply.body),
            404 => Err(OciError(format!("{digest}: not found"))),
            _ => Err(response_error(&reqwest::Method::GET, &reply)),
        }
    }

    fn exists(&self, r: &Reference, kind: &str, digest: &str) -> Result<bool, OciError> {
        let scopes = [repository_scope(&r.repository, &["pull", "push"])];
        let url = self.repo_url(r, &format!("{kind}/{digest}"));
        let headers = if kind == "manifests" {
            vec![("accept", [MEDIA_TYPE_MANIFEST, MEDIA_TYPE_INDEX].join(", "))]
        } else {
            vec![]
        };
        let reply = self.send(
            r.host(),
            reqwest::Method::HEAD,
            &url,
            &headers,
            None,
            &scopes,
        )?;
        match reply.status {
            200 => Ok(true),
            404 => Ok(false),
            _ => Err(response_error(&reqwest::Method::HEAD, &reply)),
        }
    }

    pub fn manifest_exists(&self, r: &Reference, digest: &str) -> Result<bool, OciError> {
        self.exists(r, "manifests", digest)
    }

    pub fn blob_exists(&self, r: &Reference, digest: &str) -> Result<bool, OciError> {
        self.exists(r, "blobs", digest)
    }

    /// A monolithic upload: `POST .../blobs/uploads/` then `PUT <location>?digest=`.
    pub fn push_blob(&self, r: &Reference, data: &[u8]) -> Result<(), OciError> {
        let scopes = [repository_scope(&r.repository, &["pull", "push"])];
        let url = self.repo_url(r, "blobs/uploads/");
        let reply = self.send(r.host(), reqwest::Method::POST, &url, &[], None, &scopes)?;
        if reply.status != 202 {
            return Err(response_error(&reqwest::Method::POST, &reply));
        }
        let location = reply
            .header("location")
            .ok_or_else(|| OciError(format!("POST \"{url}\": missing Location header")))?;
        let mut put = reqwest::Url::parse(&url)
            .and_then(|u| u.join(location))
            .map_err(|e| OciError(e.to_string()))?;
        put.query_pairs_mut()
            .append_pair("digest", &sha256_digest(data));
        let put = put.to_string();
        let headers = [("content-type", "application/octet-stream".to_string())];
        let reply = self.send(
            r.host(),
            reqwest::Method::PUT,
            &put,
            &headers,
            Some(data),
            &scopes,
        )?;
        if reply.status != 201 {
            return Err(response_error(&reqwest::Method::PUT, &reply));
        }
        Ok(())
    }

    /// `PUT .../manifests/<reference>`.
    pub fn push_manifest(
        &self,
        r: &Reference,
        media_type: &str,
        data: &[u8],
    ) -> Result<(), OciError> {
        let scopes = [repository_scope(&r.repository, &["pull", "push"])];
        let url = self.repo_url(r, &format!("manifests/{}", r.reference()));
        let headers = [("content-type", media_type.to_string())];
        let reply = self.send(
            r.host(),
            reqwest::Method::PUT,
            &url,
            &headers,
            Some(data),
            &scopes,
        )?;
        if reply.status != 201 {
            return Err(response_error(&reqwest::Method::PUT, &reply));
        }
        Ok(())
    }
}

fn token_from(reply: &Reply, method: &reqwest::Method, keys: &[&str]) -> Result<String, OciError> {
    let doc: serde_json::Value = serde_json::from_slice(&reply.body).map_err(|e| {
        OciError(format!(
            "{} \"{}\": failed to decode response: {e}",
            method.as_str(),
            reply.url
        ))
    })?;
    for k in keys {
        if let Some(t) = doc
            .get(*k)
            .and_then(|t| t.as_str())
            .filter(|t| !t.is_empty())
        {
            return Ok(t.to_string());
        }
    }
    Err(OciError(format!(
        "{} \"{}\": empty token returned",
        method.as_str(),
        reply.url
    )))
}

/// ORAS's content check: exactly `size` bytes (when known) hashing to `digest`.
pub fn verify_content(data: &[u8], digest: &str, size: i64) -> Result<(), OciError> {
    if size >= 0 && (data.len() as u64) > size as u64 {
        return Err(OciError::new("trailing data"));
    }
    if size >= 0 && (data.len() as u64) < size as u64 {
        return Err(OciError::new("unexpected EOF"));
    }
    if sha256_digest(data) != digest {
        return Err(OciError::new("mismatched digest"));
    }
    Ok(())
}

/// The target of `Link: <url>; rel="next"`.
fn next_link(header: &str) -> Option<String> {
    let (target, params) = header.split_once(';')?;
    if !params.contains("rel=\"next\"") && !params.contains("rel=next") {
        return None;
    }
    Some(
        target
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_parse() {
        let (s, p) = parse_challenge(
            r#"Bearer realm="https://auth.io/token",service="reg.io",scope="repository:a/b:pull""#,
        );
        assert_eq!(s, Some(Scheme::Bearer));
        assert_eq!(p["realm"], "https://auth.io/token");
        assert_eq!(p["service"], "reg.io");
        assert_eq!(p["scope"], "repository:a/b:pull");
        let (s, p) = parse_challenge(r#"Basic realm="test-realm""#);
        assert_eq!(s, Some(Scheme::Basic));
        assert_eq!(p["realm"], "test-realm");
        assert_eq!(parse_challenge("Negotiate").0, None);
    }

    #[test]
    fn scopes_merge_actions() {
        let s = clean_scopes(&[
            "repository:a:pull".into(),
            "repository:a:push".into(),
            "repository:b:pull".into(),
        ]);
        assert_eq!(s, vec!["repository:a:pull,push", "repository:b:pull"]);
    }

    #[test]
    fn link_header() {
        assert_eq!(
            next_link(r#"</v2/a/tags/list?last=x&n=2>; rel="next""#).unwrap(),
            "/v2/a/tags/list?last=x&n=2"
        );
        assert_eq!(next_link(r#"</x>; rel="prev""#), None);
    }

    #[test]
    fn tls_alerts_read_like_go() {
        assert_eq!(go_alert_text("BadCertificate"), "bad certificate");
        assert_eq!(go_alert_text("CertificateRequired"), "certificate required");
        assert_eq!(go_alert_text("UnknownCA"), "unknown certificate authority");
    }

    #[test]
    fn digests() {
        assert_eq!(
            sha256_digest(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
