//! HTTP(S) downloads as helm's `HTTPGetter` makes them: basic auth only
//! towards the repository's own host unless credentials may be passed to
//! all domains, custom CA / client certificate / insecure TLS, a timeout,
//! and helm's error texts. Conditional requests (ETag / Last-Modified)
//! let `repo update` skip unchanged indexes.

use std::io::Read;
use std::time::Duration;

/// helm's default HTTP timeout (`getter.DefaultHTTPTimeout`, 120 s).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// Everything a download needs besides the URL.
#[derive(Clone, Debug, Default)]
pub struct HttpOptions {
    /// The repository URL credentials belong to (helm's `WithURL`).
    pub base_url: String,
    pub username: String,
    pub password: String,
    pub pass_credentials_all: bool,
    pub ca_file: String,
    pub cert_file: String,
    pub key_file: String,
    pub insecure_skip_tls_verify: bool,
    pub timeout: Option<Duration>,
}

/// Cache validators from an earlier response.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

impl Validators {
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }

    /// One line per validator: `etag: ...` / `last-modified: ...`.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        if let Some(e) = &self.etag {
            s.push_str(&format!("etag: {e}\n"));
        }
        if let Some(l) = &self.last_modified {
            s.push_str(&format!("last-modified: {l}\n"));
        }
        s
    }

    pub fn from_text(text: &str) -> Validators {
        let mut v = Validators::default();
        for line in text.lines() {
            if let Some(e) = line.strip_prefix("etag: ") {
                v.etag = Some(e.to_string());
            } else if let Some(l) = line.strip_prefix("last-modified: ") {
                v.last_modified = Some(l.to_string());
            }
        }
        v
    }
}

/// The result of a GET.
#[derive(Debug)]
pub enum Fetched {
    Body {
        data: Vec<u8>,
        validators: Validators,
    },
    /// 304: the copy described by the sent validators is current.
    NotModified,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct HttpError(pub String);

fn scheme_host(url: &str) -> Option<(String, String)> {
    let u = reqwest::Url::parse(url).ok()?;
    let host = match (u.host_str(), u.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        _ => String::new(),
    };
    Some((u.scheme().to_string(), host))
}

fn read_file(path: &str) -> Result<Vec<u8>, HttpError> {
    std::fs::read(path).map_err(|e| {
        HttpError(crate::chart::loader::go_io_error(
            "open",
            std::path::Path::new(path),
            &e,
        ))
    })
}

fn client(opts: &HttpOptions) -> Result<reqwest::blocking::Client, HttpError> {
    let mut b = reqwest::blocking::Client::builder()
        .use_rustls_tls()
        .user_agent(concat!("rudder/", env!("CARGO_PKG_VERSION")))
        .timeout(opts.timeout.unwrap_or(DEFAULT_TIMEOUT))
        .danger_accept_invalid_certs(opts.insecure_skip_tls_verify);
    if !opts.ca_file.is_empty() {
        let pem = read_file(&opts.ca_file)?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|_| {
            HttpError(format!(
                "can't load CA file {}: failed to append certificates",
                opts.ca_file
            ))
        })?;
        for c in certs {
            b = b.add_root_certificate(c);
        }
    }
    if !opts.cert_file.is_empty() && !opts.key_file.is_empty() {
        let mut pem = read_file(&opts.cert_file)?;
        pem.push(b'\n');
        pem.extend(read_file(&opts.key_file)?);
        let id = reqwest::Identity::from_pem(&pem).map_err(|e| {
            HttpError(format!(
                "can't load key pair from cert {} and key {}: {e}",
                opts.cert_file, opts.key_file
            ))
        })?;
        b = b.identity(id);
    }
    b.build().map_err(|e| HttpError(e.to_string()))
}

/// Go's `net/http` wording for a transport failure.
fn transport_error(href: &str, e: &reqwest::Error) -> HttpError {
    let mut chain = Vec::new();
    let mut src: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = src {
        chain.push(s.to_string());
        src = s.source();
    }
    let all = chain.join(": ").to_lowercase();
    let detail = if e.is_timeout() {
        "context deadline exceeded (Client.Timeout exceeded while awaiting headers)".to_string()
    } else if all.contains("connection refused") {
        let addr = scheme_host(href).map(|(_, h)| h).unwrap_or_default();
        format!("dial tcp {addr}: connect: connection refused")
    } else if all.contains("unknownissuer") || all.contains("unknown issuer") {
        // rustls names the failure differently from Go's crypto/tls.
        "tls: failed to verify certificate: x509: certificate signed by unknown authority"
            .to_string()
    } else if all.contains("invalidcontenttype") || all.contains("corrupt message") {
        "http: server gave HTTP response to HTTPS client".to_string()
    } else {
        chain.last().cloned().unwrap_or_else(|| e.to_string())
    };
    HttpError(format!("Get \"{href}\": {detail}"))
}

/// GETs `href`. With `validators`, the request is conditional and a 304
/// answer gives [`Fetched::NotModified`].
pub fn get(
    href: &str,
    opts: &HttpOptions,
    validators: Option<&Validators>,
) -> Result<Fetched, HttpError> {
    let c = client(opts)?;
    let mut req = c.get(href);
    let same_origin =
        scheme_host(&opts.base_url).is_some() && scheme_host(&opts.base_url) == scheme_host(href);
    if (opts.pass_credentials_all || same_origin)
        && !opts.username.is_empty()
        && !opts.password.is_empty()
    {
        req = req.basic_auth(&opts.username, Some(&opts.password));
    }
    if let Some(v) = validators {
        if let Some(e) = &v.etag {
            req = req.header(reqwest::header::IF_NONE_MATCH, e);
        }
        if let Some(l) = &v.last_modified {
            req = req.header(reqwest::header::IF_MODIFIED_SINCE, l);
        }
    }
    let mut resp = req.send().map_err(|e| transport_error(href, &e))?;
    let status = resp.status();
    if status == reqwest::StatusCode::NOT_MODIFIED && validators.is_some_and(|v| !v.is_empty()) {
        return Ok(Fetched::NotModified);
    }
    if status != reqwest::StatusCode::OK {
        // Go prints the status line as the server sent it.
        let line = match resp.extensions().get::<hyper::ext::ReasonPhrase>() {
            Some(reason) => format!(
                "{} {}",
                status.as_u16(),
                String::from_utf8_lossy(reason.as_bytes())
            ),
            None => status.to_string(),
        };
        return Err(HttpError(format!("failed to fetch {href} : {line}")));
    }
    let header = |name: reqwest::header::HeaderName| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let got = Validators {
        etag: header(reqwest::header::ETAG),
        last_modified: header(reqwest::header::LAST_MODIFIED),
    };
    let expected_len = resp.content_length();
    let mut data = Vec::new();
    resp.read_to_end(&mut data)
        .map_err(|_| HttpError("unexpected EOF".into()))?;
    if let Some(n) = expected_len {
        if (data.len() as u64) < n
            && resp
                .headers()
                .get(reqwest::header::CONTENT_ENCODING)
                .is_none()
        {
            return Err(HttpError("unexpected EOF".into()));
        }
    }
    Ok(Fetched::Body {
        data,
        validators: got,
    })
}

/// An unconditional GET of the whole body.
pub fn get_bytes(href: &str, opts: &HttpOptions) -> Result<Vec<u8>, HttpError> {
    match get(href, opts, None)? {
        Fetched::Body { data, .. } => Ok(data),
        Fetched::NotModified => Err(HttpError(format!(
            "failed to fetch {href} : 304 Not Modified"
        ))),
    }
}
