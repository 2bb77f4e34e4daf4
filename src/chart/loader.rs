//! Loading a chart: a directory (honouring `.helmignore`) or a `.tgz`,
//! turned into a list of files and then sorted into a [`Chart`] exactly as
//! helm's `LoadFiles` sorts them.

use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use super::archive::{self, ArchiveError, BufferedFile, MAX_DECOMPRESSED_CHART_SIZE, SNIFF_LEN};
use super::decode::{apply_metadata, decode_lock};
use super::helmignore::{IgnoreError, Rules, HELM_IGNORE};
use super::metadata::{Metadata, ValidationError, API_VERSION_V1};
use super::{Chart, ChartFile, SharedBytes};
use crate::value::Value;
use crate::values::yaml::{parse_values, unmarshal, YamlError};

/// Why a chart could not be loaded; `Display` is helm's message.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// `cannot load Chart.yaml: error converting YAML to JSON: ...`
    #[error("cannot load {file}: {cause}")]
    Yaml { file: String, cause: YamlError },
    /// `cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: ...`
    #[error("cannot load {file}: error unmarshaling JSON: while decoding JSON: {message}")]
    Decode { file: String, message: String },
    #[error("Chart.yaml file is missing")]
    MissingChartYaml,
    #[error("error unpacking subchart {name} in {parent}: {cause}")]
    Subchart {
        name: String,
        parent: String,
        cause: Box<ChartError>,
    },
    #[error("error unpacking subchart tar in {parent}: expected {expected}, got {got}")]
    SubchartTar {
        parent: String,
        expected: String,
        got: String,
    },
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    /// helm's version-dispatching loader hides why an archive could not be
    /// read (the cause is kept for callers, not printed).
    #[error("unable to load chart archive")]
    ArchiveUnreadable { cause: ArchiveError },
    /// The chart's `apiVersion` is one helm's actions cannot install.
    #[error("{0}")]
    ApiVersion(&'static str),
    #[error(transparent)]
    Ignore(#[from] IgnoreError),
    /// An I/O failure, already worded as Go words it (`stat x: no such file or directory`).
    #[error("{0}")]
    Io(String),
    #[error("cannot load irregular file {0} as it has file mode type bits set")]
    Irregular(String),
    /// A chart directory's files add up to more than helm reads (helm 4
    /// has no limit per file; Helm 3's was 5 MiB).
    #[error("error reading {0}: chart exceeds maximum decompressed size of {max} bytes", max = MAX_DECOMPRESSED_CHART_SIZE)]
    ChartTooLarge(String),
}

/// Go's wording of an I/O error on `path` (`open x: permission denied`).
pub fn go_io_error(op: &str, path: &Path, e: &std::io::Error) -> String {
    let why = match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => {
            let s = e.to_string();
            // Rust appends " (os error N)"; Go does not.
            match s.find(" (os error") {
                Some(i) => s[..i].to_ascii_lowercase(),
                None => s,
            }
        }
    };
    format!("{op} {}: {why}", path.display())
}

/// What helm 4's version-dispatching loader (used by install, template and
/// package) says about a chart API version: `None` for the v1/v2 charts it
/// loads; v3 charts load but are refused by those actions.
pub fn unsupported_api_version(api_version: &str) -> Option<&'static str> {
    match api_version {
        "" | "v1" | "v2" => None,
        "v3" => Some("invalid chart apiVersion"),
        _ => Some("unsupported chart version"),
    }
}

/// Loads a chart from a directory or an archive file (helm's `loader.Load`).
pub fn load(path: &Path) -> Result<Chart, ChartError> {
    let meta =
        std::fs::metadata(path).map_err(|e| ChartError::Io(go_io_error("stat", path, &e)))?;
    if meta.is_dir() {
        load_dir(path)
    } else {
        load_archive_file(path)
    }
}

/// Loads a chart as helm 4's actions (template, install, upgrade) do,
/// through its version-dispatching loader: `apiVersion` is read first to
/// pick the chart format, and that loader words a missing `Chart.yaml` and
/// an unreadable archive its own way (unlike `show`/`lint`, which call the
/// chart loader directly).
pub fn load_for_action(path: &Path) -> Result<Chart, ChartError> {
    load_for_action_deferring(path, Deferral::Nothing)
}

/// `.Files` entries at least this big are deferred by [`Deferral::BigFiles`].
/// The bytes worth deferring are in READMEs (tens to hundreds of KiB,
/// hardly ever read by a template); the files templates do read (config
/// snippets, scripts) are mostly smaller, and reading a deferred file costs
/// inflating the archive a second time.
pub const DEFERRED_FILE_MIN_SIZE: u64 = 16 * 1024;

/// Which files of an archive an action leaves unread until something asks
/// for them (see [`archive::read_archive_deferring`]): reading one later
/// gives exactly the bytes it would have had.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deferral {
    /// Every file is read up front.
    Nothing,
    /// Files that land in a chart's `.Files` (of the chart or of a
    /// subchart unpacked under `charts/`) and have at least
    /// [`DEFERRED_FILE_MIN_SIZE`] bytes, except CRDs.
    BigFiles,
    /// Big `.Files` entries and every CRD file: `template` without
    /// `--include-crds` reads no CRD unless a template asks for one.
    BigFilesAndCrds,
}

impl Deferral {
    /// Whether the archive entry `name` (without its first component) of
    /// `size` bytes is deferred.
    pub fn defers(self, name: &str, size: u64) -> bool {
        let big_file = || size >= DEFERRED_FILE_MIN_SIZE && lands_in_files(name);
        match self {
            Deferral::Nothing => false,
            Deferral::BigFiles => !archive::is_crd_path(name) && big_file(),
            Deferral::BigFilesAndCrds => archive::is_crd_path(name) || big_file(),
        }
    }
}

/// A chart's JSON schema for its values.
const SCHEMA_FILE: &str = "values.schema.json";

/// Where [`load_files`] puts a file of a chart, by its name in the chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FileRole<'a> {
    /// Read while loading: Chart.yaml, values, schema, locks, requirements
    /// (the name says which).
    Read,
    Template,
    /// A file under `charts/` of this subchart directory or archive name;
    /// `rest` is its name there (`sub/README.md`, or `sub-1.0.0.tgz`).
    Subchart {
        subchart: &'a str,
        rest: &'a str,
    },
    /// A `.Files` entry (including `charts/*.prov`).
    File,
}

fn file_role(name: &str) -> FileRole<'_> {
    match name {
        "Chart.yaml" | "Chart.lock" | "values.yaml" | SCHEMA_FILE | "requirements.yaml"
        | "requirements.lock" => FileRole::Read,
        _ if name.starts_with("templates/") => FileRole::Template,
        _ => match name.strip_prefix("charts/") {
            Some(_) if name.ends_with(".prov") => FileRole::File,
            Some(rest) => FileRole::Subchart {
                subchart: rest.split('/').next().unwrap_or(""),
                rest,
            },
            None => FileRole::File,
        },
    }
}

/// The name a file of a chart tree has in the (sub)chart directory it
/// belongs to, as [`load_files`] files it: `charts/db/templates/a.yaml` is
/// `templates/a.yaml` of `db`. `None` for a subchart archive
/// (`charts/db-1.0.0.tgz`), which is unpacked rather than filed.
fn name_in_own_chart(name: &str) -> Option<&str> {
    match file_role(name) {
        FileRole::Subchart { rest, .. } => rest
            .split_once('/')
            .and_then(|(_, inner)| name_in_own_chart(inner)),
        _ => Some(name),
    }
}

/// Whether [`load_files`] puts a file of this name into the `files` of the
/// chart or of the subchart it belongs to, rather than reading it while
/// loading, rendering it (templates) or unpacking it (subchart archives).
fn lands_in_files(name: &str) -> bool {
    name_in_own_chart(name).is_some_and(|own| file_role(own) == FileRole::File)
}

/// Whether [`load_files`] files this name of a chart tree as a template of
/// the chart or of one of its subchart directories.
pub fn is_template_in_tree(name: &str) -> bool {
    name_in_own_chart(name).is_some_and(|own| file_role(own) == FileRole::Template)
}

/// Whether [`load_files`] reads this name of a chart tree as the
/// values.schema.json of the chart or of one of its subchart directories.
pub fn is_schema_in_tree(name: &str) -> bool {
    name_in_own_chart(name) == Some(SCHEMA_FILE)
}

/// Whether [`load_files`] reads this name of a chart tree as the
/// values.yaml of the chart or of one of its subchart directories.
fn is_values_in_tree(name: &str) -> bool {
    name_in_own_chart(name) == Some("values.yaml")
}

/// Values files parsed before [`load_files`] reached them (while the
/// archive was still inflating). A result is used only for the very bytes
/// it was parsed from ([`SharedBytes::same_view`]), and an error is
/// reported where and as `load_files` would report it.
#[derive(Default)]
struct ValuesAhead {
    parsed: Vec<(SharedBytes, Result<Value, YamlError>)>,
}

impl ValuesAhead {
    fn parse(&mut self, data: SharedBytes) {
        // Bytes that are not UTF-8 are left to `load_files`, which
        // reports them.
        if let Ok(text) = std::str::from_utf8(&data) {
            let parsed = parse_values(text);
            self.parsed.push((data, parsed));
        }
    }

    fn take(&mut self, data: &SharedBytes) -> Option<Result<Value, YamlError>> {
        let i = self.parsed.iter().position(|(d, _)| d.same_view(data))?;
        Some(self.parsed.swap_remove(i).1)
    }
}

/// The archive again, from the handle it was first read through (so a
/// rename or replacement of its path does not matter), for deferred files
/// read later: the compressed bytes (~1 MB on big charts) are not held
/// meanwhile. If the file changed in place since (another length or
/// modification time), or cannot be read, the deferred files read as empty.
fn reread_archive(file: std::fs::File, len: usize) -> archive::CompressedSource {
    let stamp = |f: &std::fs::File| f.metadata().ok().map(|m| (m.len(), m.modified().ok()));
    let first = stamp(&file);
    Arc::new(move || {
        let mut data = Vec::new();
        if first.is_none() || stamp(&file) != first {
            return data;
        }
        let mut reader = &file;
        let read = reader
            .seek(std::io::SeekFrom::Start(0))
            .and_then(|_| reader.take(len as u64 + 1).read_to_end(&mut data));
        if read.is_err() || data.len() != len {
            data.clear();
        }
        data
    })
}

/// [`load_for_action`] leaving the archive files `deferral` picks unread
/// until something reads them (a chart directory is read as usual).
pub fn load_for_action_deferring(path: &Path, deferral: Deferral) -> Result<Chart, ChartError> {
    load_for_action_observed::<()>(path, deferral, None)
}

/// Work done on an archive's files while the rest of the archive is still
/// being inflated. `prepare` runs on the inflating thread as each file
/// comes out (with the archive's top directory); what it returns is handed
/// to `accept` on the loading thread, in archive order (so it carries what
/// `accept` needs of the file). Once the archive is
/// read, the inflating thread runs `finish` while `accept` may still be
/// working through what it was handed; loading goes on when both are done.
/// Inflating is a large share of loading a big chart, and this lets the
/// other core work meanwhile.
pub struct ArchiveObserver<'a, P> {
    pub prepare: &'a (dyn Fn(&str, &BufferedFile) -> Option<P> + Sync),
    pub accept: &'a mut dyn FnMut(P),
    pub finish: &'a (dyn Fn() + Sync),
}

/// [`load_for_action_deferring`] with an [`ArchiveObserver`] of the
/// archive's files. It sees the files as inflated, before the chart is
/// put together or checked: work done on them must be checked against
/// the chart's files ([`SharedBytes::same_view`]) before it is used.
pub fn load_for_action_observed<P: Send>(
    path: &Path,
    deferral: Deferral,
    observer: Option<ArchiveObserver<'_, P>>,
) -> Result<Chart, ChartError> {
    let meta =
        std::fs::metadata(path).map_err(|e| ChartError::Io(go_io_error("stat", path, &e)))?;
    if meta.is_dir() {
        return load_dir_for_action(path);
    }
    let file =
        std::fs::File::open(path).map_err(|e| ChartError::Io(go_io_error("open", path, &e)))?;
    let name = path.display().to_string();
    let mut values_ahead = ValuesAhead::default();
    let read = if deferral == Deferral::Nothing {
        let data = read_whole(&file, path)?;
        archive::ensure_archive(&name, &data)?;
        archive::read_archive(&data)
    } else {
        let (compressed, source) = compressed_input(&file, &meta, path, &name)?;
        let defer = |name: &str, size: u64| deferral.defers(name, size);
        match observer {
            None => archive::read_archive_deferring(compressed, &defer, source, &mut |_, _| {}),
            Some(observer) => {
                read_observed(compressed, &defer, source, observer, &mut values_ahead)
            }
        }
    };
    let files = match read {
        Ok(files) => files,
        Err(ArchiveError::GzipHeader) => return Err(not_a_chart_file(path)),
        Err(cause) => return Err(ChartError::ArchiveUnreadable { cause }),
    };
    let chart_yaml = files
        .iter()
        .find(|f| f.name == "Chart.yaml")
        .ok_or_else(|| {
            ChartError::Io("unable to detect chart version, no Chart.yaml found".into())
        })?;
    check_api_version(&chart_yaml.data)?;
    load_files_with(files, &mut values_ahead)
}

/// All of a chart file's bytes.
fn read_whole(file: &std::fs::File, path: &Path) -> Result<Vec<u8>, ChartError> {
    let mut data = Vec::new();
    let mut reader = file;
    reader
        .read_to_end(&mut data)
        .map_err(|e| ChartError::Io(go_io_error("read", path, &e)))?;
    Ok(data)
}

/// The archive to inflate, checked to be gzip as helm checks it, and the
/// source that gives its compressed bytes again.
///
/// A regular file is inflated as it is read, through the inflater's small
/// buffer. Read whole first, a big chart's archive was ~230 fresh pages (a
/// page fault each) on the loading thread before inflating could start.
/// It is read again whole only for `read_archive`'s reports on an archive
/// the stream gives up on. Anything else (a pipe such as /dev/stdin)
/// cannot be read again, so it is read whole and its bytes are kept.
fn compressed_input<'f>(
    file: &'f std::fs::File,
    meta: &std::fs::Metadata,
    path: &Path,
    name: &str,
) -> Result<(Box<dyn Read + Send + 'f>, archive::CompressedSource), ChartError> {
    if !meta.is_file() {
        let data = read_whole(file, path)?;
        archive::ensure_archive(name, &data)?;
        let kept = data.clone();
        let source: archive::CompressedSource = Arc::new(move || kept.clone());
        return Ok((Box::new(std::io::Cursor::new(data)), source));
    }
    let mut head = Vec::with_capacity(SNIFF_LEN);
    file.take(SNIFF_LEN as u64)
        .read_to_end(&mut head)
        .map_err(|e| ChartError::Io(go_io_error("read", path, &e)))?;
    archive::ensure_archive(name, &head)?;
    let again = file
        .try_clone()
        .map_err(|e| ChartError::Io(go_io_error("open", path, &e)))?;
    let source = reread_archive(again, meta.len() as usize);
    Ok((Box::new(std::io::Cursor::new(head).chain(file)), source))
}

/// [`archive::read_archive_deferring`] on a second thread, the observer's
/// `accept` working here on the files already inflated, and the values
/// files of the chart tree parsed here as they come out (parsing them was
/// as long as inflating the whole archive, and came after it).
fn read_observed<P: Send>(
    compressed: impl Read + Send,
    defer: &(dyn Fn(&str, u64) -> bool + Sync),
    source: archive::CompressedSource,
    observer: ArchiveObserver<'_, P>,
    values_ahead: &mut ValuesAhead,
) -> Result<Vec<BufferedFile>, ArchiveError> {
    let ArchiveObserver {
        prepare,
        accept,
        finish,
    } = observer;
    /// What the inflating thread hands over: a values file to parse, or
    /// what the observer made of a file.
    enum Handed<P> {
        Values(SharedBytes),
        Made(P),
    }
    let whole = Arc::clone(&source);
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::channel::<Handed<P>>();
        let inflating = std::thread::Builder::new()
            .name("inflate".to_string())
            .spawn_scoped(scope, move || {
                let read =
                    archive::read_archive_deferring(compressed, defer, source, &mut |top, file| {
                        // The receiver only goes away once this returns.
                        if is_values_in_tree(&file.name) {
                            let _ = tx.send(Handed::Values(file.data.clone()));
                        }
                        if let Some(made) = prepare(top, file) {
                            let _ = tx.send(Handed::Made(made));
                        }
                    });
                finish();
                read
            });
        match inflating {
            Ok(handle) => {
                for handed in rx {
                    match handed {
                        Handed::Values(data) => values_ahead.parse(data),
                        Handed::Made(made) => accept(made),
                    }
                }
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            }
            // No second thread (e.g. a tight ulimit): the plain reading,
            // nothing observed.
            Err(_) => archive::read_archive(&whole()),
        }
    })
}

/// The directory half of [`load_for_action`] (also `package`'s loader):
/// `Chart.yaml` must exist and name a chart API version helm installs.
pub fn load_dir_for_action(dir: &Path) -> Result<Chart, ChartError> {
    let top = std::path::absolute(dir).map_err(|e| ChartError::Io(go_io_error("stat", dir, &e)))?;
    let name = top.join("Chart.yaml");
    let data = std::fs::read(&name).map_err(|e| {
        ChartError::Io(format!(
            "unable to detect chart at {}: {}",
            name.display(),
            go_io_error("open", &name, &e)
        ))
    })?;
    check_api_version(&data)?;
    load_dir(dir)
}

/// The dispatcher's look at `apiVersion`. A Chart.yaml it cannot read is
/// left to the full loader, which reports it in the same words.
fn check_api_version(chart_yaml: &[u8]) -> Result<(), ChartError> {
    let Ok(doc) = unmarshal(&String::from_utf8_lossy(chart_yaml)) else {
        return Ok(());
    };
    let api = doc
        .get("apiVersion")
        .and_then(|v| super::decode::scalar_text(&v))
        .unwrap_or_default();
    match unsupported_api_version(&api) {
        Some(msg) => Err(ChartError::ApiVersion(msg)),
        None => Ok(()),
    }
}

/// Loads a `.tgz` chart file (helm's `LoadFile`): the content is checked to
/// be gzip first so that a values file passed by mistake gets a clear error.
pub fn load_archive_file(path: &Path) -> Result<Chart, ChartError> {
    let data = std::fs::read(path).map_err(|e| ChartError::Io(go_io_error("open", path, &e)))?;
    archive::ensure_archive(&path.display().to_string(), &data)?;
    match archive::read_archive(&data) {
        Ok(files) => load_files(files),
        Err(ArchiveError::GzipHeader) => Err(not_a_chart_file(path)),
        Err(e) => Err(e.into()),
    }
}

/// helm's error for a file that passed the content sniff but is not gzip.
fn not_a_chart_file(path: &Path) -> ChartError {
    ChartError::Io(format!(
        "file '{}' does not appear to be a valid chart file (details: gzip: invalid header)",
        path.display()
    ))
}

/// Loads a chart from gzipped tar bytes (a nested subchart archive).
pub fn load_archive_bytes(data: &[u8]) -> Result<Chart, ChartError> {
    load_files(archive::read_archive(data)?)
}

/// Loads a chart directory (helm's `LoadDir`): files in lexical order,
/// `.helmignore` applied, symlinks followed wherever they point (as helm
/// does, logging each; charts link CRDs from sibling charts), UTF-8 BOMs
/// stripped.
pub fn load_dir(dir: &Path) -> Result<Chart, ChartError> {
    let top = std::path::absolute(dir).map_err(|e| ChartError::Io(go_io_error("stat", dir, &e)))?;
    let mut rules = Rules::default();
    let ignore_file = top.join(HELM_IGNORE);
    if ignore_file.exists() {
        let text = std::fs::read(&ignore_file)
            .map_err(|e| ChartError::Io(go_io_error("open", &ignore_file, &e)))?;
        rules = Rules::parse(&String::from_utf8_lossy(&text))?;
    }
    rules.add_defaults();
    let mut files = Vec::new();
    let mut budget = MAX_DECOMPRESSED_CHART_SIZE;
    walk(&top, "", &rules, &mut budget, &mut files)?;
    load_files(files)
}

/// Go's `filepath.EvalSymlinks` of an absolute path: the components are
/// walked one by one and links followed (up to 255, relative ones against
/// the directory holding them), so a dangling link reports the target that
/// is missing (`lstat /x/LICENSE: no such file or directory`) and a cycle
/// that the kernel would refuse after 40 links still resolves, as in Go.
fn eval_symlinks(path: &Path) -> Result<PathBuf, String> {
    use std::collections::VecDeque;
    use std::ffi::OsString;
    use std::path::Component;
    fn parts(p: &Path) -> impl Iterator<Item = OsString> + '_ {
        p.components().filter_map(|c| match c {
            Component::Normal(n) => Some(n.to_os_string()),
            Component::ParentDir => Some(OsString::from("..")),
            _ => None,
        })
    }
    let mut dest = PathBuf::from("/");
    let mut pending: VecDeque<OsString> = parts(path).collect();
    let mut links = 0;
    while let Some(part) = pending.pop_front() {
        if part == ".." {
            dest.pop();
            continue;
        }
        dest.push(&part);
        let meta = std::fs::symlink_metadata(&dest).map_err(|e| go_io_error("lstat", &dest, &e))?;
        if !meta.file_type().is_symlink() {
            continue;
        }
        links += 1;
        if links > 255 {
            return Err("EvalSymlinks: too many links".to_string());
        }
        let target = std::fs::read_link(&dest).map_err(|e| go_io_error("readlink", &dest, &e))?;
        dest.pop();
        if target.is_absolute() {
            dest = PathBuf::from("/");
        }
        for p in parts(&target).collect::<Vec<_>>().into_iter().rev() {
            pending.push_front(p);
        }
    }
    Ok(dest)
}

/// Recursive lexical walk, following symlinks like helm's `sympath.Walk`.
/// `budget` is what is left of the bytes helm reads of a chart directory.
fn walk(
    dir: &Path,
    rel: &str,
    rules: &Rules,
    budget: &mut u64,
    out: &mut Vec<BufferedFile>,
) -> Result<(), ChartError> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| ChartError::Io(go_io_error("open", dir, &e)))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        let path = dir.join(&name);
        let rel_name = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        let lmeta = std::fs::symlink_metadata(&path)
            .map_err(|e| ChartError::Io(go_io_error("lstat", &path, &e)))?;
        let meta = if lmeta.file_type().is_symlink() {
            let resolved = eval_symlinks(&path).map_err(|why| {
                ChartError::Io(format!(
                    "error evaluating symlink {}: {why}",
                    path.display()
                ))
            })?;
            eprintln!(
                "{}",
                crate::log::Record::new(
                    crate::log::Level::Info,
                    "found symbolic link in path. Contents of linked file included and used"
                )
                .attr("path", path.display().to_string())
                .attr("resolved", resolved.display().to_string())
            );
            std::fs::symlink_metadata(&resolved)
                .map_err(|e| ChartError::Io(go_io_error("lstat", &resolved, &e)))?
        } else {
            lmeta
        };
        if meta.is_dir() {
            if rules.ignore(&rel_name, true) {
                continue;
            }
            walk(&path, &rel_name, rules, budget, out)?;
            continue;
        }
        if rules.ignore(&rel_name, false) {
            continue;
        }
        if !meta.is_file() {
            return Err(ChartError::Irregular(path.display().to_string()));
        }
        if meta.len() > *budget {
            return Err(ChartError::ChartTooLarge(rel_name));
        }
        let read_error = |e: std::io::Error| {
            ChartError::Io(format!(
                "error reading {rel_name}: {}",
                go_io_error("read", &path, &e)
            ))
        };
        // At most one byte over the budget, should the file have grown.
        let mut data = Vec::new();
        std::fs::File::open(&path)
            .and_then(|f| f.take(budget.saturating_add(1)).read_to_end(&mut data))
            .map_err(read_error)?;
        if data.len() as u64 > *budget {
            return Err(ChartError::ChartTooLarge(rel_name));
        }
        *budget -= data.len() as u64;
        let data = archive::strip_bom(SharedBytes::from_vec(data));
        out.push(BufferedFile {
            name: rel_name,
            data,
            mod_time: meta.modified().ok(),
        });
    }
    Ok(())
}

/// go-yaml's reader error for bytes that are not UTF-8, found the way its
/// decoder walks the input (first bad sequence wins).
pub fn go_yaml_utf8_error(data: &[u8]) -> Option<&'static str> {
    let mut i = 0;
    while i < data.len() {
        let b = data[i];
        let width = match b {
            _ if b & 0x80 == 0 => 1,
            _ if b & 0xE0 == 0xC0 => 2,
            _ if b & 0xF0 == 0xE0 => 3,
            _ if b & 0xF8 == 0xF0 => 4,
            _ => return Some("invalid leading UTF-8 octet"),
        };
        if i + width > data.len() {
            return Some("incomplete UTF-8 octet sequence");
        }
        let mut value: u32 = match width {
            1 => u32::from(b),
            2 => u32::from(b & 0x1F),
            3 => u32::from(b & 0x0F),
            _ => u32::from(b & 0x07),
        };
        for k in 1..width {
            let t = data[i + k];
            if t & 0xC0 != 0x80 {
                return Some("invalid trailing UTF-8 octet");
            }
            value = (value << 6) | u32::from(t & 0x3F);
        }
        let min = [0, 0, 0x80, 0x800, 0x10000][width];
        if width > 1 && value < min {
            return Some("invalid length of a UTF-8 sequence");
        }
        if (0xD800..=0xDFFF).contains(&value) || value > 0x10FFFF {
            return Some("invalid Unicode character");
        }
        i += width;
    }
    None
}

/// The text of a YAML file, or go-yaml's error for invalid UTF-8 (wrapped
/// as a document error for files read document by document).
fn yaml_text<'a>(file: &str, data: &'a [u8], multi_doc: bool) -> Result<&'a str, ChartError> {
    std::str::from_utf8(data).map_err(|_| {
        let msg = go_yaml_utf8_error(data).unwrap_or("invalid leading UTF-8 octet");
        let err = YamlError::Yaml(msg.to_string());
        ChartError::Yaml {
            file: file.to_string(),
            cause: if multi_doc {
                YamlError::Document(Box::new(err))
            } else {
                err
            },
        }
    })
}

/// Parses a metadata-like document and applies it onto `md`.
fn apply_yaml(md: &mut Metadata, file: &str, data: &[u8]) -> Result<(), ChartError> {
    let doc = unmarshal(yaml_text(file, data, false)?).map_err(|e| ChartError::Yaml {
        file: file.to_string(),
        cause: e,
    })?;
    apply_metadata(md, &doc).map_err(|e| ChartError::Decode {
        file: file.to_string(),
        message: e.0,
    })
}

fn load_lock(file: &str, data: &[u8]) -> Result<super::Lock, ChartError> {
    let doc = unmarshal(yaml_text(file, data, false)?).map_err(|e| ChartError::Yaml {
        file: file.to_string(),
        cause: e,
    })?;
    decode_lock(&doc).map_err(|e| ChartError::Decode {
        file: file.to_string(),
        message: e.0,
    })
}

fn chart_file(f: &BufferedFile) -> ChartFile {
    ChartFile {
        name: f.name.clone(),
        data: f.data.clone(),
        mod_time: f.mod_time,
    }
}

/// helm logs these deprecation notes through slog at INFO on stderr; they
/// are advisory, so the loader writes them directly rather than making
/// every caller thread a logger through.
fn log_info(msg: &str) {
    eprintln!("{}", crate::log::Record::new(crate::log::Level::Info, msg));
}

/// Sorts loaded files into a chart (helm's `LoadFiles`), validates the
/// metadata, then loads subcharts from `charts/` (sorted by name).
pub fn load_files(files: Vec<BufferedFile>) -> Result<Chart, ChartError> {
    load_files_with(files, &mut ValuesAhead::default())
}

/// [`load_files`], taking the values files `ahead` already parsed from it.
fn load_files_with(files: Vec<BufferedFile>, ahead: &mut ValuesAhead) -> Result<Chart, ChartError> {
    let mut c = Chart {
        values: Value::empty_map(),
        ..Default::default()
    };
    let mut metadata: Option<Metadata> = None;
    for f in &files {
        c.raw.push(chart_file(f));
        if f.name == "Chart.yaml" {
            let md = metadata.get_or_insert_with(Metadata::default);
            apply_yaml(md, "Chart.yaml", &f.data)?;
            if md.api_version.is_empty() {
                md.api_version = API_VERSION_V1.to_string();
            }
            c.mod_time = f.mod_time;
        }
    }
    let mut subcharts: std::collections::BTreeMap<String, Vec<BufferedFile>> = Default::default();
    for f in files {
        match f.name.as_str() {
            "Chart.yaml" => {}
            "Chart.lock" => c.lock = Some(load_lock("Chart.lock", &f.data)?),
            "values.yaml" => {
                // Parsed ahead only from valid UTF-8, so the check that
                // reports anything else is needed only when not.
                let parsed = match ahead.take(&f.data) {
                    Some(parsed) => parsed,
                    None => parse_values(yaml_text("values.yaml", &f.data, true)?),
                };
                c.values = parsed.map_err(|e| ChartError::Yaml {
                    file: "values.yaml".into(),
                    cause: e,
                })?;
                c.values_raw = Some(f.data);
            }
            SCHEMA_FILE => {
                c.schema = Some(f.data);
                c.schema_mod_time = f.mod_time;
            }
            "requirements.yaml" => {
                let md = metadata.get_or_insert_with(Metadata::default);
                if md.api_version != API_VERSION_V1 {
                    log_info("Warning: Dependencies are handled in Chart.yaml since apiVersion \"v2\". We recommend migrating dependencies to Chart.yaml.");
                }
                apply_yaml(md, "requirements.yaml", &f.data)?;
                if md.api_version == API_VERSION_V1 {
                    c.files.push(chart_file(&f));
                }
            }
            "requirements.lock" => {
                c.lock = Some(load_lock("requirements.lock", &f.data)?);
                let md = metadata.get_or_insert_with(Metadata::default);
                if md.api_version != API_VERSION_V1 {
                    log_info("Warning: Dependency locking is handled in Chart.lock since apiVersion \"v2\". We recommend migrating to Chart.lock.");
                }
                if md.api_version == API_VERSION_V1 {
                    c.files.push(chart_file(&f));
                }
            }
            name => match file_role(name) {
                FileRole::Template => c.templates.push(chart_file(&f)),
                FileRole::Subchart { subchart, rest } => {
                    let entry = BufferedFile {
                        name: rest.to_string(),
                        data: f.data,
                        mod_time: f.mod_time,
                    };
                    subcharts
                        .entry(subchart.to_string())
                        .or_default()
                        .push(entry);
                }
                // The read files are matched by name above.
                FileRole::File | FileRole::Read => c.files.push(chart_file(&f)),
            },
        }
    }
    let Some(md) = metadata else {
        return Err(ChartError::MissingChartYaml);
    };
    c.metadata = md;
    c.metadata.validate()?;

    for (n, files) in subcharts {
        if n.starts_with('_') || n.starts_with('.') {
            continue;
        }
        let parent = c.name().to_string();
        let sub = if n.ends_with(".tgz") {
            let first = &files[0];
            if first.name != n {
                return Err(ChartError::SubchartTar {
                    parent,
                    expected: n,
                    got: first.name.clone(),
                });
            }
            load_archive_bytes(&first.data)
        } else {
            let inner: Vec<BufferedFile> = files
                .into_iter()
                .filter_map(|mut f| {
                    let (_, rest) = f.name.split_once('/')?;
                    f.name = rest.to_string();
                    Some(f)
                })
                .collect();
            load_files_with(inner, ahead)
        };
        match sub {
            Ok(sc) => c.dependencies.push(sc),
            Err(e) => {
                return Err(ChartError::Subchart {
                    name: n,
                    parent,
                    cause: Box::new(e),
                })
            }
        }
    }
    Ok(c)
}

/// A chart's path as the user gave it, resolved like helm's `LocateChart`
/// for local paths: `Ok(Some(abs))` if it exists, an error for a missing
/// absolute or `.`-relative path, `Ok(None)` for something that may be a
/// repository reference.
pub fn locate_local(name: &str) -> Result<Option<PathBuf>, String> {
    let name = name.trim();
    let p = Path::new(name);
    if p.exists() {
        return Ok(Some(
            std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()),
        ));
    }
    if p.is_absolute() || name.starts_with('.') {
        return Err(format!("path \"{name}\" not found"));
    }
    Ok(None)
}

/// Seconds since the epoch, for tar headers.
pub fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64 + i64::from(d.subsec_nanos() >= 500_000_000),
        Err(e) => {
            let d = e.duration();
            -(d.as_secs() as i64) - i64::from(d.subsec_nanos() > 500_000_000)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::package::{gzip_archive, tar_stream};

    struct TempDir(PathBuf);

    impl TempDir {
        fn new(tag: &str) -> TempDir {
            let dir = std::env::temp_dir().join(format!(
                "rudder-loader-{tag}-{}-{}",
                std::process::id(),
                SystemTime::now()
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .map(|d| d.as_nanos())
                    .unwrap_or(0)
            ));
            std::fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }

        fn write(&self, rel: &str, data: &[u8]) {
            let p = self.0.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, data).unwrap();
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn names(files: &[ChartFile]) -> Vec<&str> {
        files.iter().map(|f| f.name.as_str()).collect()
    }

    /// Deferred files are inflated from the archive file read again: the
    /// same bytes, through the handle even if the path is replaced, and
    /// nothing (rather than other bytes) if the file changed in place.
    #[test]
    fn archive_is_read_again_from_its_handle() {
        let d = TempDir::new("reread");
        let path = d.0.join("c.tgz");
        std::fs::write(&path, b"first bytes").unwrap();
        let source = reread_archive(std::fs::File::open(&path).unwrap(), 11);
        assert_eq!(source(), b"first bytes");
        assert_eq!(source(), b"first bytes");
        let moved = d.0.join("old.tgz");
        std::fs::rename(&path, &moved).unwrap();
        std::fs::write(&path, b"other").unwrap();
        assert_eq!(source(), b"first bytes");
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(&moved)
            .unwrap();
        f.set_len(3).unwrap();
        assert_eq!(source(), b"");
    }

    #[test]
    fn directory_files_go_where_helm_puts_them() {
        let d = TempDir::new("dir");
        d.write("Chart.yaml", b"apiVersion: v2\nname: top\nversion: 1.0.0\n");
        d.write("values.yaml", b"\xEF\xBB\xBFa: 1\n");
        d.write("values.schema.json", b"{}");
        d.write(".helmignore", b"*.bak\n");
        d.write("README.md", b"hi");
        d.write("old.bak", b"x");
        d.write("templates/b.yaml", b"b");
        d.write("templates/a.yaml", b"a");
        d.write("templates/.hidden", b"h");
        d.write("crds/c.yaml", b"kind: CustomResourceDefinition");
        d.write(
            "charts/sub/Chart.yaml",
            b"apiVersion: v2\nname: sub\nversion: 0.1.0\n",
        );
        d.write("charts/sub/templates/s.yaml", b"s");
        d.write("charts/_skipped/Chart.yaml", b"not a chart");
        d.write("charts/sub-0.1.0.tgz.prov", b"sig");
        let c = load_dir(&d.0).unwrap();
        assert_eq!(c.name(), "top");
        assert_eq!(
            names(&c.templates),
            ["templates/a.yaml", "templates/b.yaml"]
        );
        assert_eq!(
            names(&c.files),
            [
                ".helmignore",
                "README.md",
                "charts/sub-0.1.0.tgz.prov",
                "crds/c.yaml"
            ]
        );
        assert_eq!(c.values_raw.as_deref(), Some(&b"a: 1\n"[..]));
        assert_eq!(c.schema.as_deref(), Some(&b"{}"[..]));
        assert_eq!(c.dependencies.len(), 1);
        assert_eq!(c.dependencies[0].name(), "sub");
        assert_eq!(names(&c.dependencies[0].templates), ["templates/s.yaml"]);
        assert_eq!(c.crd_objects()[0].filename, "top/crds/c.yaml");

        // The same chart through an archive, with the subchart nested as .tgz.
        let sub_tgz = gzip_archive(&tar_stream(&c.dependencies[0]).unwrap()).unwrap();
        d.write("charts/sub-0.1.0.tgz", &sub_tgz);
        std::fs::remove_dir_all(d.0.join("charts/sub")).unwrap();
        let packed = gzip_archive(&tar_stream(&load_dir(&d.0).unwrap()).unwrap()).unwrap();
        let c2 = load_archive_bytes(&packed).unwrap();
        assert_eq!(names(&c2.templates), names(&c.templates));
        assert_eq!(c2.dependencies.len(), 1);
        assert_eq!(c2.dependencies[0].name(), "sub");
    }

    /// Loading with an observer parses the values files while the archive
    /// inflates: the same values, and a bad one fails in the same words
    /// (and only if the loader reaches it: not under a skipped directory).
    #[test]
    fn values_parsed_ahead_load_as_without() {
        let d = TempDir::new("ahead");
        let load = |sub_values: &[u8], observed: bool| {
            let mut w = crate::chart::gotar::TarWriter::new();
            w.add_file(
                "c/Chart.yaml",
                b"apiVersion: v2\nname: c\nversion: 1.0.0\n",
                0,
            );
            w.add_file("c/values.yaml", b"a: 1\nb: [x, {c: yes}]\n---\nd: 2\n", 0);
            w.add_file("c/charts/_skip/values.yaml", b"bad: [\n", 0);
            w.add_file(
                "c/charts/sub/Chart.yaml",
                b"apiVersion: v2\nname: sub\nversion: 0.1.0\n",
                0,
            );
            w.add_file("c/charts/sub/values.yaml", sub_values, 0);
            let path = d.0.join("c-1.0.0.tgz");
            std::fs::write(&path, gzip_archive(&w.finish()).unwrap()).unwrap();
            let prepare = |_: &str, _: &BufferedFile| None::<()>;
            let mut accept = |()| {};
            let finish = || {};
            let observer = observed.then_some(ArchiveObserver {
                prepare: &prepare,
                accept: &mut accept,
                finish: &finish,
            });
            load_for_action_observed(&path, Deferral::BigFiles, observer)
                .map(|c| {
                    let subs: Vec<String> = c
                        .dependencies
                        .iter()
                        .map(|d| format!("{:?}", d.values))
                        .collect();
                    (format!("{:?}", c.values), subs)
                })
                .map_err(|e| e.to_string())
        };
        let plain = load(b"s: on\n", false);
        assert!(plain.is_ok(), "{plain:?}");
        assert_eq!(load(b"s: on\n", true), plain);

        let plain = load(b"s: [\n", false);
        assert!(
            plain
                .as_ref()
                .is_err_and(|e| e.contains("sub") && e.contains("values.yaml")),
            "{plain:?}"
        );
        assert_eq!(load(b"s: [\n", true), plain);
    }

    #[test]
    fn v1_requirements_and_errors() {
        let d = TempDir::new("v1");
        d.write("Chart.yaml", b"name: old\nversion: 1.0.0\n");
        d.write(
            "requirements.yaml",
            b"dependencies:\n- name: dep\n  repository: x\n",
        );
        d.write("requirements.lock", b"digest: abc\n");
        let c = load_dir(&d.0).unwrap();
        assert_eq!(c.metadata.api_version, "v1");
        assert_eq!(c.metadata.dependencies[0].name, "dep");
        assert_eq!(c.lock.as_ref().unwrap().digest, "abc");
        assert_eq!(names(&c.files), ["requirements.lock", "requirements.yaml"]);

        let e = TempDir::new("nochart");
        e.write("values.yaml", b"a: 1\n");
        assert_eq!(
            load_dir(&e.0).unwrap_err().to_string(),
            "Chart.yaml file is missing"
        );

        let f = TempDir::new("badsub");
        f.write("Chart.yaml", b"apiVersion: v2\nname: top\nversion: 1.0.0\n");
        f.write("charts/sub/Chart.yaml", b"apiVersion: v2\nname: sub\n");
        assert_eq!(
            load_dir(&f.0).unwrap_err().to_string(),
            "error unpacking subchart sub in top: validation: chart.metadata.version is required"
        );
    }

    #[test]
    fn deferral_picks_big_files_entries_and_crds() {
        let big = DEFERRED_FILE_MIN_SIZE;
        let files_entries = [
            "README.md",
            "files/dashboard.json",
            "crds/x.yaml",
            "charts/sub/README.md",
            "charts/sub/charts/deeper/docs/a.md",
            "charts/sub-1.0.0.tgz.prov",
            "charts/sub/templates.md",
            "templates",
        ];
        for name in files_entries {
            assert!(lands_in_files(name), "{name}");
            assert!(Deferral::BigFilesAndCrds.defers(name, big), "{name}");
            assert!(!Deferral::Nothing.defers(name, big), "{name}");
        }
        let loaded_otherwise = [
            "Chart.yaml",
            "Chart.lock",
            "values.yaml",
            "values.schema.json",
            "requirements.yaml",
            "requirements.lock",
            "templates/big.yaml",
            "charts/sub-1.0.0.tgz",
            "charts/sub/values.yaml",
            "charts/sub/charts/deeper/values.schema.json",
            "charts/sub/templates/_helpers.tpl",
        ];
        for name in loaded_otherwise {
            assert!(!lands_in_files(name), "{name}");
            assert!(!Deferral::BigFilesAndCrds.defers(name, big), "{name}");
        }
        // Small files are read; CRDs are deferred at any size, unless the
        // action reads them (--include-crds).
        assert!(!Deferral::BigFilesAndCrds.defers("README.md", big - 1));
        assert!(Deferral::BigFilesAndCrds.defers("charts/sub/crds/x.yaml", 1));
        assert!(!Deferral::BigFiles.defers("charts/sub/crds/x.yaml", big));
        assert!(Deferral::BigFiles.defers("charts/sub/README.md", big));
    }

    #[test]
    fn deferred_archive_files_load_as_read_ones() {
        use crate::chart::gotar::TarWriter;
        let filler = |head: &str| {
            let mut v = head.as_bytes().to_vec();
            v.resize(DEFERRED_FILE_MIN_SIZE as usize + 100, b'#');
            v.push(b'\n');
            v
        };
        let mut readme = b"\xEF\xBB\xBF".to_vec();
        readme.extend(filler("# top\n"));
        let mut values = b"a: 1\n".to_vec();
        values.extend(filler("# "));
        let mut w = TarWriter::new();
        w.add_file(
            "c/Chart.yaml",
            b"apiVersion: v2\nname: c\nversion: 1.0.0\n",
            0,
        );
        w.add_file("c/values.yaml", &values, 0);
        w.add_file("c/values.schema.json", b"{}", 0);
        w.add_file("c/README.md", &readme, 0);
        w.add_file("c/files/small.txt", b"small", 0);
        w.add_file("c/crds/x.yaml", b"kind: CustomResourceDefinition\n", 0);
        w.add_file("c/templates/a.yaml", &filler("# a\n"), 0);
        w.add_file(
            "c/charts/sub/Chart.yaml",
            b"apiVersion: v2\nname: sub\nversion: 0.1.0\n",
            0,
        );
        w.add_file("c/charts/sub/values.yaml", &values, 0);
        w.add_file("c/charts/sub/README.md", &filler("# sub\n"), 0);
        let d = TempDir::new("deferred");
        d.write("c-1.0.0.tgz", &gzip_archive(&w.finish()).unwrap());
        let path = d.0.join("c-1.0.0.tgz");

        let read = load_for_action(&path).unwrap();
        let shape = |c: &Chart| {
            let files = |fs: &[ChartFile]| -> Vec<(String, Vec<u8>)> {
                fs.iter()
                    .map(|f| (f.name.clone(), f.data.to_vec()))
                    .collect()
            };
            (
                files(&c.files),
                files(&c.templates),
                files(&c.raw),
                c.values_raw.as_deref().map(<[u8]>::to_vec),
                c.schema.as_deref().map(<[u8]>::to_vec),
                format!("{:?}", c.values),
            )
        };
        let deferred_files = |c: &Chart| -> Vec<String> {
            c.files
                .iter()
                .chain(&c.dependencies[0].files)
                .filter(|f| f.data.is_deferred())
                .map(|f| f.name.clone())
                .collect()
        };
        for (deferral, deferred) in [
            (
                Deferral::BigFilesAndCrds,
                &["README.md", "crds/x.yaml", "README.md"][..],
            ),
            (Deferral::BigFiles, &["README.md", "README.md"][..]),
        ] {
            let c = load_for_action_deferring(&path, deferral).unwrap();
            assert_eq!(deferred_files(&c), deferred, "{deferral:?}");
            assert_eq!(shape(&c), shape(&read), "{deferral:?}");
            assert_eq!(shape(&c.dependencies[0]), shape(&read.dependencies[0]));
        }
        assert_eq!(read.files[0].data, &readme[3..]);
        assert!(read.values_raw.is_some_and(|v| v == values));
    }

    #[test]
    fn utf8_errors_like_go_yaml() {
        assert_eq!(go_yaml_utf8_error(b"ok"), None);
        assert_eq!(
            go_yaml_utf8_error(b"\xff"),
            Some("invalid leading UTF-8 octet")
        );
        assert_eq!(
            go_yaml_utf8_error(b"\xe9\n"),
            Some("incomplete UTF-8 octet sequence")
        );
        assert_eq!(
            go_yaml_utf8_error(b"\xc3a"),
            Some("invalid trailing UTF-8 octet")
        );
        assert_eq!(
            go_yaml_utf8_error(b"\xc0\x80"),
            Some("invalid length of a UTF-8 sequence")
        );
    }
}
