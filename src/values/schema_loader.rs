//! Loading the documents a `values.schema.json` refers to (`"$ref":
//! "https://..."`, `"$ref": "file://..."`), as Helm 4 configures
//! santhosh-tekuri/jsonschema v6: the schema itself is
//! `file:///values.schema.json`, `file` URLs are opened at their path
//! (`file://../x.json` is host `..` and path `/x.json`), `http`/`https`
//! are fetched with a 15 s timeout, `urn:` ones stand for `true` (Helm 4's
//! URN loader). A failure is reported in v6's and Go's words:
//! `failing loading "URL": open /x.json: no such file or directory`.

use std::fmt;
use std::sync::{Arc, Mutex};

/// The URL the root schema is registered under, which relative `$ref`s
/// resolve against.
pub const ROOT_SCHEMA_URL: &str = "file:///values.schema.json";

/// A load failure already worded as Go words it (without v6's prefix).
#[derive(Debug)]
pub struct LoadError(pub String);

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LoadError {}

/// The retriever handed to the `jsonschema` crate, with the documents
/// already loaded (a custom `$schema` meta-schema, which v6 loads first).
///
/// Helm 4 gives `urn:` references a permissive `true` schema and warns
/// about each; the URNs met are kept for the caller to log.
#[derive(Default)]
pub struct HelmSchemaLoader {
    loaded: Vec<(String, serde_json::Value)>,
    urns: Arc<Mutex<Vec<String>>>,
}

impl jsonschema::Retrieve for HelmSchemaLoader {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<serde_json::Value, Box<dyn std::error::Error + Send + Sync>> {
        let url = uri.as_str();
        if let Some((_, doc)) = self
            .loaded
            .iter()
            .find(|(u, _)| u.eq_ignore_ascii_case(url))
        {
            return Ok(doc.clone());
        }
        self.load(uri)
            .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)
    }
}

impl HelmSchemaLoader {
    /// Loads the meta-schema a schema's `$schema` names when it is not one
    /// of the drafts, as v6 does before anything else: `Err` is v6's report
    /// line (`failing loading "URL": why`). v6 does not resolve it against
    /// the schema's own URL, so a bare path has no loader.
    pub fn preload_meta_schema(&mut self, declared: &str) -> Result<(), String> {
        let url = declared.split_once('#').map_or(declared, |(url, _)| url);
        let doc = match jsonschema::uri::from_str(url) {
            Ok(uri) if url.contains(':') => self.load(&uri),
            _ => Err(no_loader(url)),
        }
        .map_err(|why| format!("failing loading \"{url}\": {why}"))?;
        self.loaded.push((url.to_string(), doc));
        Ok(())
    }

    /// The URNs the loader has been asked for, shared with it: read it after
    /// the loader has been handed to the crate.
    pub fn urns(&self) -> Arc<Mutex<Vec<String>>> {
        Arc::clone(&self.urns)
    }

    fn load(&self, uri: &jsonschema::Uri<String>) -> Result<serde_json::Value, LoadError> {
        let url = uri.as_str();
        match uri.scheme().as_str() {
            "file" => load_file(&percent_decode(uri.path().as_str())),
            "http" | "https" => load_http(url),
            "urn" => {
                if let Ok(mut urns) = self.urns.lock() {
                    urns.push(url.to_string());
                }
                Ok(serde_json::Value::Bool(true))
            }
            _ => Err(no_loader(url)),
        }
    }
}

/// v6's failure for a URL whose scheme has no loader (it quotes the URL).
fn no_loader(url: &str) -> LoadError {
    LoadError(format!(
        "no URLLoader registered for {}",
        crate::values::strvals::go_quote(url)
    ))
}

fn load_file(path: &str) -> Result<serde_json::Value, LoadError> {
    let data = std::fs::read(path).map_err(|e| {
        LoadError(crate::chart::loader::go_io_error(
            "open",
            std::path::Path::new(path),
            &e,
        ))
    })?;
    serde_json::from_slice(&data).map_err(|e| LoadError(super::schema::json_error_text(&data, &e)))
}

fn load_http(url: &str) -> Result<serde_json::Value, LoadError> {
    let client = reqwest::blocking::Client::builder()
        .use_rustls_tls()
        .timeout(std::time::Duration::from_secs(15))
        .build()
        .map_err(|e| LoadError(format!("failed to create HTTP request for {url}: {e}")))?;
    let resp = client.get(url).send().map_err(|e| {
        LoadError(format!(
            "HTTP request failed for {url}: {}",
            go_transport_error(url, &e)
        ))
    })?;
    let status = resp.status();
    if status != reqwest::StatusCode::OK {
        return Err(LoadError(format!(
            "HTTP request to {url} returned status {} ({})",
            status.as_u16(),
            status.canonical_reason().unwrap_or("")
        )));
    }
    let body = resp.bytes().map_err(|e| LoadError(e.to_string()))?;
    serde_json::from_slice(&body).map_err(|e| LoadError(super::schema::json_error_text(&body, &e)))
}

/// Go's `*url.Error` text for a failed GET, for the failures whose wording
/// is stable: an unknown host (Go's own resolver names the first
/// nameserver of /etc/resolv.conf) and a timeout.
fn go_transport_error(url: &str, e: &reqwest::Error) -> String {
    let mut chain = Vec::new();
    let mut src: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = src {
        chain.push(s.to_string());
        src = s.source();
    }
    let all = chain.join(": ").to_lowercase();
    let detail = if e.is_timeout() {
        "context deadline exceeded (Client.Timeout exceeded while awaiting headers)".to_string()
    } else if all.contains("dns error") || all.contains("failed to lookup address") {
        let host = e
            .url()
            .and_then(|u| u.host_str())
            .unwrap_or_default()
            .to_string();
        format!("dial tcp: lookup {host} on {}: no such host", nameserver())
    } else {
        chain.last().cloned().unwrap_or_else(|| e.to_string())
    };
    format!("Get \"{url}\": {detail}")
}

/// The first `nameserver` of /etc/resolv.conf as Go's resolver prints it
/// (`10.0.0.53:53`, `[::1]:53`); Go's default when there is none.
fn nameserver() -> String {
    let conf = std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default();
    let first = conf.lines().find_map(|l| {
        let mut words = l.split_whitespace();
        (words.next() == Some("nameserver"))
            .then(|| words.next())
            .flatten()
            .map(str::to_string)
    });
    match first {
        Some(ip) if ip.contains(':') => format!("[{ip}]:53"),
        Some(ip) => format!("{ip}:53"),
        None => "127.0.0.1:53".to_string(),
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
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

/// The report line for a schema that does not compile. A reference that
/// could not be loaded reads as v6's `LoadURLError` (`failing loading
/// "URL": why`, no newline after it, as Helm prints it); other failures keep
/// the crate's message and the newline of v6's error trees.
pub fn v6_compile_message(message: &str) -> String {
    const MID: &str = "' is not present in a registry and retrieving it failed: ";
    if let Some(rest) = message.strip_prefix("Resource '") {
        if let Some((url, why)) = rest.split_once(MID) {
            return format!("failing loading \"{url}\": {why}");
        }
    }
    format!("{message}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_messages_become_v6_messages() {
        assert_eq!(
            v6_compile_message(
                "Resource 'file://../x.json' is not present in a registry and retrieving it failed: open /x.json: no such file or directory"
            ),
            "failing loading \"file://../x.json\": open /x.json: no such file or directory"
        );
        assert_eq!(v6_compile_message("something else"), "something else\n");
    }

    #[test]
    fn percent_escapes_in_file_paths() {
        assert_eq!(percent_decode("/a%20b.json"), "/a b.json");
        assert_eq!(percent_decode("/a%2"), "/a%2");
    }
}
