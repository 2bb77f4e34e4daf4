//! Packaging a chart into `<name>-<version>.tgz` exactly as helm's `Save`
//! lays it out: entries under `<name>/`, in the order Chart.yaml
//! (re-serialised), Chart.lock, values.yaml (raw), values.schema.json,
//! templates, other files, then every subchart as folders under
//! `charts/<sub>/` (nested archives are expanded). Mode 0644, no directory
//! entries, Go's tar header bytes; with SOURCE_DATE_EPOCH the tar stream
//! is reproducible and equal to helm's.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::gotar::TarWriter;
use super::gotime::parse_rfc3339;
use super::loader::{go_io_error, unix_seconds, ChartError};
use super::metadata::{API_VERSION_V1, API_VERSION_V2};
use super::Chart;
use crate::render::encode::to_yaml;
use crate::version::Version;

/// The gzip "extra" field helm writes into every chart archive.
const GZIP_EXTRA: &[u8] = b"rr\x28\x00aHR0cHM6Ly95b3V0dS5iZS96OVV6MWljandyTQo=";

#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error("{0:?} is not a valid chart name")]
    InvalidName(String),
    #[error("invalid JSON in values.schema.json")]
    InvalidSchema,
    #[error("chart validation: {0}")]
    Validation(String),
    #[error("{0}")]
    Marshal(String),
    #[error("{0}")]
    Io(String),
    #[error(transparent)]
    Load(#[from] ChartError),
    #[error("{0}")]
    Version(String),
    #[error("found in Chart.yaml, but missing in charts/ directory: {0}")]
    MissingDependencies(String),
    #[error("failed to save: {0}")]
    Save(Box<PackageError>),
}

/// `filepath.Base(name) == name`.
fn validate_name(name: &str) -> Result<(), PackageError> {
    let base = name.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    if base != name || name.is_empty() {
        return Err(PackageError::InvalidName(name.to_string()));
    }
    Ok(())
}

fn yaml(v: &crate::value::Value) -> Result<String, PackageError> {
    to_yaml(v).map_err(|e| PackageError::Marshal(e.to_string()))
}

/// The tar header time: the file's time rounded to seconds, or now.
fn header_time(t: Option<SystemTime>) -> i64 {
    unix_seconds(t.unwrap_or_else(SystemTime::now))
}

fn write_chart(out: &mut TarWriter, c: &Chart, prefix: &str) -> Result<(), PackageError> {
    validate_name(c.name())?;
    let base = if prefix.is_empty() {
        c.name().to_string()
    } else {
        format!("{prefix}/{}", c.name())
    };
    let is_v1 = c.metadata.api_version == API_VERSION_V1;
    let chart_yaml = yaml(&c.metadata.to_value_with(!is_v1))?;
    out.add_file(
        &format!("{base}/Chart.yaml"),
        chart_yaml.as_bytes(),
        header_time(c.mod_time),
    );
    if c.metadata.api_version == API_VERSION_V2 {
        if let Some(lock) = &c.lock {
            let value = lock.to_value();
            if lock.generated.is_empty() {
                if let Some(m) = value.as_map() {
                    m.entries.borrow_mut().insert(
                        "generated".into(),
                        crate::value::Value::str("0001-01-01T00:00:00Z"),
                    );
                }
            }
            let data = yaml(&value)?;
            let t = parse_rfc3339(&lock.generated);
            out.add_file(
                &format!("{base}/Chart.lock"),
                data.as_bytes(),
                header_time(t),
            );
        }
    }
    for f in c.raw.iter().filter(|f| f.name == "values.yaml") {
        out.add_file(
            &format!("{base}/values.yaml"),
            &f.data,
            header_time(f.mod_time),
        );
    }
    if let Some(schema) = &c.schema {
        if serde_json::from_slice::<serde::de::IgnoredAny>(schema).is_err() {
            return Err(PackageError::InvalidSchema);
        }
        out.add_file(
            &format!("{base}/values.schema.json"),
            schema,
            header_time(c.schema_mod_time),
        );
    }
    for f in c.templates.iter().chain(c.files.iter()) {
        let name = crate::helmpath::go_clean(&format!("{base}/{}", f.name));
        out.add_file(&name, &f.data, header_time(f.mod_time));
    }
    for dep in &c.dependencies {
        write_chart(out, dep, &format!("{base}/charts"))?;
    }
    Ok(())
}

/// The uncompressed tar stream of a chart archive.
pub fn tar_stream(c: &Chart) -> Result<Vec<u8>, PackageError> {
    let mut w = TarWriter::new();
    write_chart(&mut w, c, "")?;
    Ok(w.finish())
}

/// Gzips a tar stream with helm's gzip header (extra field, comment `Helm`).
pub fn gzip_archive(tar: &[u8]) -> Result<Vec<u8>, PackageError> {
    let mut enc = flate2::GzBuilder::new()
        .extra(GZIP_EXTRA.to_vec())
        .comment("Helm")
        .operating_system(255)
        .mtime(0)
        .write(Vec::new(), flate2::Compression::default());
    enc.write_all(tar)
        .and_then(|_| enc.finish())
        .map_err(|e| PackageError::Io(e.to_string()))
}

/// Writes `<out_dir>/<name>-<version>.tgz` (helm's `chartutil.Save`) and
/// returns its path.
pub fn save(c: &Chart, out_dir: &Path) -> Result<PathBuf, PackageError> {
    let mut check = c.metadata.clone();
    check
        .validate()
        .map_err(|e| PackageError::Validation(e.to_string()))?;
    let filename = out_dir.join(format!("{}-{}.tgz", c.name(), c.metadata.version));
    let dir = filename.parent().unwrap_or(out_dir).to_path_buf();
    match std::fs::metadata(&dir) {
        Ok(m) if !m.is_dir() => {
            return Err(PackageError::Io(format!(
                "is not a directory: {}",
                dir.display()
            )))
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(&dir)
                .map_err(|e| PackageError::Io(go_io_error("mkdir", &dir, &e)))?;
        }
        Err(e) => {
            return Err(PackageError::Io(format!(
                "stat {}: {}",
                dir.display(),
                go_io_error("stat", &dir, &e)
            )))
        }
    }
    let data = gzip_archive(&tar_stream(c)?)?;
    std::fs::write(&filename, data)
        .map_err(|e| PackageError::Io(go_io_error("open", &filename, &e)))?;
    Ok(filename)
}

/// Options of `helm package`.
#[derive(Clone, Debug, Default)]
pub struct PackageOptions {
    pub version: Option<String>,
    pub app_version: Option<String>,
    /// Where the archive goes (already resolved; `.` is the working directory).
    pub destination: PathBuf,
    /// SOURCE_DATE_EPOCH, for reproducible archives.
    pub source_date_epoch: Option<SystemTime>,
}

/// Reads SOURCE_DATE_EPOCH as helm does (the caller passes the variable).
pub fn parse_source_date_epoch(value: Option<&str>) -> Result<Option<SystemTime>, String> {
    let Some(v) = value.filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let n: i64 = v.parse().map_err(|e: std::num::ParseIntError| {
        let why = match e.kind() {
            std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => {
                "value out of range"
            }
            _ => "invalid syntax",
        };
        format!("invalid SOURCE_DATE_EPOCH: strconv.ParseInt: parsing \"{v}\": {why}")
    })?;
    if n < 0 {
        return Err("invalid SOURCE_DATE_EPOCH: must not be negative".into());
    }
    Ok(Some(
        SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(n as u64),
    ))
}

/// helm's `Package.Run` for a chart directory: load, override versions,
/// stamp times, check dependencies, save. Returns the archive path.
pub fn package_dir(path: &Path, opts: &PackageOptions) -> Result<PathBuf, PackageError> {
    // helm's top-level loader reads Chart.yaml first to pick the chart API.
    let mut c = super::loader::load_dir_for_action(path)?;
    if let Some(v) = opts.version.as_deref().filter(|v| !v.is_empty()) {
        c.metadata.version = v.to_string();
    }
    Version::parse(&c.metadata.version).map_err(|e| PackageError::Version(e.to_string()))?;
    if let Some(v) = opts.app_version.as_deref().filter(|v| !v.is_empty()) {
        c.metadata.app_version = v.to_string();
    }
    if let Some(t) = opts.source_date_epoch {
        c.stamp_mod_times(t);
    }
    let missing: Vec<&str> = c
        .metadata
        .dependencies
        .iter()
        .map(|d| d.name.as_str())
        .filter(|name| !c.dependencies.iter().any(|sub| sub.name() == *name))
        .collect();
    if !missing.is_empty() {
        return Err(PackageError::MissingDependencies(missing.join(", ")));
    }
    save(&c, &opts.destination).map_err(|e| PackageError::Save(Box::new(e)))
}
