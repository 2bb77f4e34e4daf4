//! Registry credentials in Docker's `config.json` format, in the file helm
//! uses (`$HELM_REGISTRY_CONFIG`, default `<config>/registry/config.json`),
//! with Docker's own config as a read-only fallback, as ORAS's credential
//! store does. A config naming a credential helper (`credHelpers` for one
//! registry, `credsStore` for all) delegates to `docker-credential-<name>`. Writes keep every other key of the file and replace it
//! atomically, so a concurrent helm never reads half a file.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde_json::{Map, Value};

use super::error::OciError;
use crate::repo::atomic_file::write_atomic;

/// A credential for one registry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Credential {
    pub username: String,
    pub password: String,
    /// `identitytoken`: an OAuth2 refresh token.
    pub refresh_token: String,
    /// `registrytoken`: a bearer token used as is.
    pub access_token: String,
}

impl Credential {
    pub fn is_empty(&self) -> bool {
        *self == Credential::default()
    }
}

/// The key a registry's entry is stored under: Docker Hub keeps its legacy
/// `https://index.docker.io/v1/` key.
pub fn server_address(host: &str) -> String {
    match host {
        "docker.io" | "registry-1.docker.io" | "index.docker.io" => {
            "https://index.docker.io/v1/".to_string()
        }
        _ => host.to_string(),
    }
}

/// `https://host/path` (legacy keys) → `host`.
fn key_hostname(key: &str) -> &str {
    let k = key.split_once("://").map_or(key, |(_, rest)| rest);
    k.split('/').next().unwrap_or(k)
}

fn io_error(path: &Path, e: &std::io::Error) -> OciError {
    OciError(crate::chart::loader::go_io_error("open", path, e))
}

fn read_config(path: &Path) -> Result<Map<String, Value>, OciError> {
    match std::fs::read(path) {
        Ok(data) if data.iter().all(u8::is_ascii_whitespace) => Ok(Map::new()),
        Ok(data) => match serde_json::from_slice::<Value>(&data) {
            Ok(Value::Object(m)) => Ok(m),
            Ok(_) | Err(_) => Err(OciError(format!(
                "failed to decode config file at {}: invalid config format",
                path.display()
            ))),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Map::new()),
        Err(e) => Err(io_error(path, &e)),
    }
}

fn entry_credential(entry: &Value) -> Credential {
    let s = |k: &str| {
        entry
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let mut c = Credential {
        username: s("username"),
        password: s("password"),
        refresh_token: s("identitytoken"),
        access_token: s("registrytoken"),
    };
    let auth = s("auth");
    if !auth.is_empty() {
        if let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(auth.trim()) {
            if let Some((u, p)) = String::from_utf8_lossy(&raw).split_once(':') {
                c.username = u.to_string();
                c.password = p.to_string();
            }
        }
    }
    c
}

fn lookup(config: &Map<String, Value>, key: &str) -> Credential {
    let Some(auths) = config.get("auths").and_then(Value::as_object) else {
        return Credential::default();
    };
    if let Some(e) = auths.get(key) {
        return entry_credential(e);
    }
    auths
        .iter()
        .find(|(k, _)| key_hostname(k) == key)
        .map(|(_, e)| entry_credential(e))
        .unwrap_or_default()
}

/// The credential helper a config names for `key` (`credHelpers`, else `credsStore`).
fn helper_for(config: &Map<String, Value>, key: &str) -> Option<String> {
    let named = config
        .get("credHelpers")
        .and_then(|h| h.get(key))
        .and_then(Value::as_str)
        .filter(|h| !h.is_empty());
    named
        .or_else(|| {
            config
                .get("credsStore")
                .and_then(Value::as_str)
                .filter(|h| !h.is_empty())
        })
        .map(str::to_string)
}

/// A credential from a config: through its helper when it names one.
fn config_credential(config: &Map<String, Value>, key: &str) -> Result<Credential, OciError> {
    match helper_for(config, key) {
        Some(helper) => helper_get(&helper, key),
        None => Ok(lookup(config, key)),
    }
}

/// Runs `docker-credential-<helper> <action>` with `input` on stdin.
fn run_helper(helper: &str, action: &str, input: &str) -> Result<String, OciError> {
    use std::io::Write as _;
    let program = format!("docker-credential-{helper}");
    let mut child = std::process::Command::new(&program)
        .arg(action)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|_| {
            OciError(format!(
                "exec: \"{program}\": executable file not found in $PATH"
            ))
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(input.as_bytes());
    }
    let out = child
        .wait_with_output()
        .map_err(|e| OciError(e.to_string()))?;
    let stdout = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() {
        return Err(OciError(if stdout.is_empty() {
            String::from_utf8_lossy(&out.stderr).trim().to_string()
        } else {
            stdout
        }));
    }
    Ok(stdout)
}

fn helper_get(helper: &str, key: &str) -> Result<Credential, OciError> {
    match run_helper(helper, "get", key) {
        Ok(text) => {
            let doc: Value = serde_json::from_str(&text).map_err(|e| OciError(e.to_string()))?;
            let field = |k: &str| doc.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            let (user, secret) = (field("Username"), field("Secret"));
            Ok(if user == "<token>" {
                Credential {
                    refresh_token: secret,
                    ..Default::default()
                }
            } else {
                Credential {
                    username: user,
                    password: secret,
                    ..Default::default()
                }
            })
        }
        Err(e) if e.0.contains("credentials not found") => Ok(Credential::default()),
        Err(e) => Err(e),
    }
}

fn helper_store(helper: &str, key: &str, cred: &Credential) -> Result<(), OciError> {
    let (user, secret) = if cred.refresh_token.is_empty() {
        (cred.username.as_str(), cred.password.as_str())
    } else {
        ("<token>", cred.refresh_token.as_str())
    };
    let payload = serde_json::json!({"ServerURL": key, "Username": user, "Secret": secret});
    run_helper(helper, "store", &payload.to_string()).map(|_| ())
}

fn helper_erase(helper: &str, key: &str) -> Result<(), OciError> {
    match run_helper(helper, "erase", key) {
        Err(e) if !e.0.contains("credentials not found") => Err(e),
        _ => Ok(()),
    }
}

/// Docker's own config file (`$DOCKER_CONFIG/config.json` or `~/.docker/config.json`).
fn docker_config_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("config.json"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker").join("config.json"))
}

/// The credential file helm reads and writes.
#[derive(Clone, Debug)]
pub struct CredentialStore {
    pub path: PathBuf,
}

impl CredentialStore {
    pub fn new(path: impl Into<PathBuf>) -> CredentialStore {
        CredentialStore { path: path.into() }
    }

    /// The credential for `host`: helm's file first, then Docker's.
    pub fn get(&self, host: &str) -> Result<Credential, OciError> {
        let key = server_address(host);
        let c = config_credential(&read_config(&self.path)?, &key)?;
        if !c.is_empty() {
            return Ok(c);
        }
        match docker_config_path().and_then(|p| read_config(&p).ok()) {
            Some(cfg) => config_credential(&cfg, &key),
            None => Ok(Credential::default()),
        }
    }

    /// Stores `cred` for `host` (registry login).
    pub fn put(&self, host: &str, cred: &Credential) -> Result<(), OciError> {
        let mut config = read_config(&self.path)?;
        if let Some(helper) = helper_for(&config, &server_address(host)) {
            return helper_store(&helper, &server_address(host), cred);
        }
        let mut entry = Map::new();
        if !cred.username.is_empty() || !cred.password.is_empty() {
            let raw = format!("{}:{}", cred.username, cred.password);
            entry.insert(
                "auth".into(),
                Value::String(base64::engine::general_purpose::STANDARD.encode(raw)),
            );
        }
        if !cred.refresh_token.is_empty() {
            entry.insert(
                "identitytoken".into(),
                Value::String(cred.refresh_token.clone()),
            );
        }
        if !cred.access_token.is_empty() {
            entry.insert(
                "registrytoken".into(),
                Value::String(cred.access_token.clone()),
            );
        }
        auths_mut(&mut config).insert(server_address(host), Value::Object(entry));
        self.save(&config)
    }

    /// Removes the entry for `host` (registry logout); a missing entry is fine.
    pub fn delete(&self, host: &str) -> Result<(), OciError> {
        let mut config = read_config(&self.path)?;
        let key = server_address(host);
        if let Some(helper) = helper_for(&config, &key) {
            return helper_erase(&helper, &key);
        }
        let present = config
            .get("auths")
            .and_then(Value::as_object)
            .is_some_and(|a| a.contains_key(&key));
        if !present {
            return Ok(());
        }
        auths_mut(&mut config).remove(&key);
        self.save(&config)
    }

    fn save(&self, config: &Map<String, Value>) -> Result<(), OciError> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir).map_err(|e| io_error(dir, &e))?;
        }
        let mut text = String::new();
        write_indented(&mut text, &Value::Object(config.clone()), 0);
        write_atomic(&self.path, text.as_bytes(), 0o600).map_err(|e| io_error(&self.path, &e))
    }
}

fn auths_mut(config: &mut Map<String, Value>) -> &mut Map<String, Value> {
    if !config.get("auths").is_some_and(Value::is_object) {
        config.insert("auths".into(), Value::Object(Map::new()));
    }
    match config.get_mut("auths") {
        Some(Value::Object(m)) => m,
        _ => unreachable!("auths was just made an object"),
    }
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// Go's `json.MarshalIndent(v, "", "\t")`: keys sorted, HTML characters escaped.
fn write_indented(out: &mut String, v: &Value, depth: usize) {
    let pad = |out: &mut String, d: usize| {
        out.push('\n');
        for _ in 0..d {
            out.push('\t');
        }
    };
    match v {
        Value::Object(m) if m.is_empty() => out.push_str("{}"),
        Value::Object(m) => {
            out.push('{');
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                pad(out, depth + 1);
                write_go_string(out, k);
                out.push_str(": ");
                write_indented(out, &m[k.as_str()], depth + 1);
            }
            pad(out, depth);
            out.push('}');
        }
        Value::Array(a) if a.is_empty() => out.push_str("[]"),
        Value::Array(a) => {
            out.push('[');
            for (i, item) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                pad(out, depth + 1);
                write_indented(out, item, depth + 1);
            }
            pad(out, depth);
            out.push(']');
        }
        Value::String(s) => write_go_string(out, s),
        other => out.push_str(&other.to_string()),
    }
}

fn write_go_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_logout_round_trip_in_helms_format() {
        let dir = tempfile::tempdir().unwrap();
        let store = CredentialStore::new(dir.path().join("registry/config.json"));
        let cred = Credential {
            username: "alice".into(),
            password: "secret".into(),
            ..Default::default()
        };
        store.put("127.0.0.1:5502", &cred).unwrap();
        let text = std::fs::read_to_string(&store.path).unwrap();
        assert_eq!(text, "{\n\t\"auths\": {\n\t\t\"127.0.0.1:5502\": {\n\t\t\t\"auth\": \"YWxpY2U6c2VjcmV0\"\n\t\t}\n\t}\n}");
        assert_eq!(store.get("127.0.0.1:5502").unwrap(), cred);
        store.delete("127.0.0.1:5502").unwrap();
        assert_eq!(
            std::fs::read_to_string(&store.path).unwrap(),
            "{\n\t\"auths\": {}\n}"
        );
        assert!(store.get("127.0.0.1:5502").unwrap().username.is_empty());
    }

    #[test]
    fn keeps_other_keys_and_reads_legacy_entries() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.json");
        std::fs::write(&p, r#"{"credHelpers":{"x":"y"},"auths":{"https://h.io/v1/":{"username":"u","password":"p"}}}"#).unwrap();
        let store = CredentialStore::new(&p);
        assert_eq!(store.get("h.io").unwrap().username, "u");
        store
            .put(
                "docker.io",
                &Credential {
                    username: "a".into(),
                    password: "b".into(),
                    ..Default::default()
                },
            )
            .unwrap();
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        assert_eq!(v["credHelpers"]["x"], "y");
        assert_eq!(v["auths"]["https://index.docker.io/v1/"]["auth"], "YTpi");
    }
}
