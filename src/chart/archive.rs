//! Reading chart archives (`.tgz`) safely, as helm's `LoadArchiveFiles`:
//! the first path component (the chart's folder) is dropped, absolute
//! paths and `..` are refused, decompression stops at 100 MiB in total and
//! 5 MiB per file, UTF-8 BOMs are stripped, symlinks that leave the chart
//! are refused. Every rejection names the entry.

use std::io::Read;
use std::ops::Range;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use flate2::read::MultiGzDecoder;

use super::shared_bytes::Deferred;
use super::SharedBytes;

/// Helm's `MaxDecompressedChartSize`.
pub const MAX_DECOMPRESSED_CHART_SIZE: u64 = 100 * 1024 * 1024;

/// A file read from an archive or a directory, before it is sorted into a chart.
#[derive(Clone, Debug)]
pub struct BufferedFile {
    pub name: String,
    pub data: SharedBytes,
    pub mod_time: Option<SystemTime>,
}

#[cfg(test)]
impl BufferedFile {
    /// A file named `name` holding `data`, without a modification time.
    pub fn for_test(name: &str, data: impl Into<SharedBytes>) -> BufferedFile {
        BufferedFile {
            name: name.to_string(),
            data: data.into(),
            mod_time: None,
        }
    }
}

/// Why an archive was refused; `Display` is helm's text (plus the entry
/// name where helm leaves it out).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArchiveError {
    #[error("gzip: invalid header")]
    GzipHeader,
    #[error("unexpected EOF")]
    UnexpectedEof,
    #[error("archive/tar: invalid tar header")]
    BadTar,
    #[error("{0}")]
    Read(String),
    #[error("chart illegally contains absolute paths: {0:?}")]
    AbsolutePath(String),
    #[error("chart illegally contains content outside the base directory: {0:?}")]
    OutsideBase(String),
    #[error("chart illegally references parent directory: {0:?}")]
    ParentDirectory(String),
    #[error("chart contains illegally named files: {0:?}")]
    IllegalName(String),
    #[error("chart yaml not in base directory")]
    ChartYamlNotInBase,
    #[error("decompressed chart is larger than the maximum size {max}", max = MAX_DECOMPRESSED_CHART_SIZE)]
    ChartTooLarge,
    #[error("chart file {entry:?} is a link to {target:?}, outside the chart")]
    LinkOutside { entry: String, target: String },
    #[error("no files in chart archive")]
    Empty,
    /// The file is not gzip at all (helm's `EnsureArchive`).
    #[error("file '{name}' seems to be a YAML file, but expected a gzipped archive")]
    YamlNotArchive { name: String },
    #[error("file '{name}' does not appear to be a gzipped archive; got '{content_type}'")]
    NotGzip { name: String, content_type: String },
}

fn io_to_archive(e: std::io::Error) -> ArchiveError {
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof => ArchiveError::UnexpectedEof,
        _ => {
            let msg = e.to_string();
            if msg.contains("invalid gzip header") {
                ArchiveError::GzipHeader
            } else if msg.contains("entire block") || msg.contains("unexpected EOF") {
                ArchiveError::UnexpectedEof
            } else {
                ArchiveError::Read(msg)
            }
        }
    }
}

/// How many leading bytes [`sniff_content_type`] (and so
/// [`ensure_archive`]) looks at, as Go's `http.DetectContentType`.
pub const SNIFF_LEN: usize = 512;

/// A subset of Go's `http.DetectContentType`, applied to the first 512
/// bytes zero-padded as helm does (so short text files sniff as binary).
pub fn sniff_content_type(data: &[u8]) -> &'static str {
    let mut buf = [0u8; SNIFF_LEN];
    let n = data.len().min(SNIFF_LEN);
    buf[..n].copy_from_slice(&data[..n]);
    let sigs: &[(&[u8], &str)] = &[
        (b"\x1f\x8b\x08", "application/x-gzip"),
        (b"%PDF-", "application/pdf"),
        (b"PK\x03\x04", "application/zip"),
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"GIF87a", "image/gif"),
        (b"GIF89a", "image/gif"),
        (b"BZh", "application/x-bzip2"),
        (b"Rar!\x1a\x07", "application/x-rar-compressed"),
        (b"\x00asm", "application/wasm"),
    ];
    for (sig, ct) in sigs {
        if buf.starts_with(sig) {
            return ct;
        }
    }
    if buf.starts_with(b"\xfe\xff") {
        return "text/plain; charset=utf-16be";
    }
    if buf.starts_with(b"\xff\xfe") {
        return "text/plain; charset=utf-16le";
    }
    if buf.starts_with(b"\xef\xbb\xbf") {
        return "text/plain; charset=utf-8";
    }
    let binary = buf.iter().any(|&b| {
        b <= 0x08 || b == 0x0b || (0x0e..=0x1a).contains(&b) || (0x1c..=0x1f).contains(&b)
    });
    if binary {
        "application/octet-stream"
    } else {
        "text/plain; charset=utf-8"
    }
}

/// Helm's `EnsureArchive`: a friendly error when the file is not gzip.
pub fn ensure_archive(name: &str, data: &[u8]) -> Result<(), ArchiveError> {
    let ct = sniff_content_type(data);
    if ct == "application/x-gzip" || data.starts_with(b"\x1f\x8b\x08") {
        return Ok(());
    }
    if name.ends_with(".yml") || name.ends_with(".yaml") {
        return Err(ArchiveError::YamlNotArchive {
            name: name.to_string(),
        });
    }
    Err(ArchiveError::NotGzip {
        name: name.to_string(),
        content_type: ct.to_string(),
    })
}

/// Go's `path.Clean` on a relative path.
fn clean(p: &str) -> String {
    crate::helmpath::go_clean(p)
}

/// The path inside the chart for an entry name, or why it is refused.
fn entry_path(raw: &str) -> Result<String, ArchiveError> {
    // Archives made on Windows may use `\`.
    let delim = if raw.contains('\\') { '\\' } else { '/' };
    if raw.starts_with(delim) {
        return Err(ArchiveError::AbsolutePath(raw.to_string()));
    }
    let parts: Vec<&str> = raw.split(delim).collect();
    if parts.contains(&"..") {
        return Err(ArchiveError::ParentDirectory(raw.to_string()));
    }
    if parts[0] == "Chart.yaml" {
        return Err(ArchiveError::ChartYamlNotInBase);
    }
    let n = parts[1..].join("/");
    if n.starts_with('/') {
        return Err(ArchiveError::AbsolutePath(raw.to_string()));
    }
    let n = clean(&n);
    if n == "." {
        return Err(ArchiveError::OutsideBase(raw.to_string()));
    }
    if n.starts_with("..") {
        return Err(ArchiveError::ParentDirectory(raw.to_string()));
    }
    let b = n.as_bytes();
    if b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'/' {
        return Err(ArchiveError::IllegalName(raw.to_string()));
    }
    Ok(n)
}

/// Whether a link target, relative to the entry's folder, stays in the chart.
fn link_stays_inside(entry_path: &str, target: &str) -> bool {
    if target.starts_with('/') || target.starts_with('\\') {
        return false;
    }
    let dir = match entry_path.rfind('/') {
        Some(i) => &entry_path[..i],
        None => "",
    };
    let joined = clean(&format!("{dir}/{target}"));
    let joined = joined.trim_start_matches('/');
    joined != ".." && !joined.starts_with("../")
}

/// Room for tar headers and padding on top of the file-size limit when the
/// whole archive is inflated up front: an archive whose file data fits the
/// limit never reaches this cap before the per-entry checks fire.
const TAR_OVERHEAD_ALLOWANCE: u64 = 32 * 1024 * 1024;

/// Inflates the whole gzip stream (all members) into one buffer. Returns
/// the bytes inflated and the error that stopped inflation, if any; a
/// stream larger than the limit is cut and reported as too large.
fn inflate_all(data: &[u8]) -> (Vec<u8>, Option<ArchiveError>) {
    let cap = MAX_DECOMPRESSED_CHART_SIZE + TAR_OVERHEAD_ALLOWANCE;
    // The gzip trailer holds the (last member's) size mod 2^32: a good
    // first guess that saves growing (and copying) the buffer.
    let hint = data
        .len()
        .checked_sub(4)
        .and_then(|i| data.get(i..))
        .and_then(|t| <[u8; 4]>::try_from(t).ok())
        .map(|t| u64::from(u32::from_le_bytes(t)))
        .unwrap_or(0)
        .min(cap)
        .min(data.len() as u64 * 1032);
    let mut buf = Vec::with_capacity(hint as usize + 1);
    let mut gz = MultiGzDecoder::new(data).take(cap + 1);
    match gz.read_to_end(&mut buf) {
        Ok(_) if buf.len() as u64 > cap => {
            buf.truncate(cap as usize);
            (buf, Some(ArchiveError::ChartTooLarge))
        }
        Ok(_) => (buf, None),
        Err(e) => (buf, Some(io_to_archive(e))),
    }
}

/// Reads every file of a gzipped tar chart archive with helm's checks and
/// limits. The archive is inflated once into one buffer and every file is
/// a view of it (no per-file copies). An inflate error is reported where
/// streaming would have met it: at the first entry that needs bytes past
/// the point where inflation stopped.
pub fn read_archive(data: &[u8]) -> Result<Vec<BufferedFile>, ArchiveError> {
    if data.len() < 10 || !data.starts_with(&[0x1f, 0x8b]) {
        return Err(if data.is_empty() {
            ArchiveError::UnexpectedEof
        } else {
            ArchiveError::GzipHeader
        });
    }
    let (buf, inflate_error) = inflate_all(data);
    let tar_bytes = SharedBytes::from_vec(buf);
    let truncated = |fallback: ArchiveError| inflate_error.clone().unwrap_or(fallback);
    let mut archive = tar::Archive::new(std::io::Cursor::new(&tar_bytes[..]));
    let mut files = Vec::new();
    let mut remaining = MAX_DECOMPRESSED_CHART_SIZE;
    let entries = archive
        .entries_with_seek()
        .map_err(|e| truncated(io_to_archive(e)))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| truncated(io_to_archive(e)))?;
        let header = entry.header();
        let kind = header.entry_type();
        if kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
            continue;
        }
        let raw_name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        if is_directory(header, &raw_name) {
            continue;
        }
        let name = entry_path(&raw_name)?;
        if kind.is_symlink() || kind.is_hard_link() {
            let target = entry
                .link_name_bytes()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            let inside = if kind.is_hard_link() {
                entry_path(&target).is_ok()
            } else {
                link_stays_inside(&name, &target)
            };
            if !inside {
                return Err(ArchiveError::LinkOutside {
                    entry: raw_name,
                    target,
                });
            }
        }
        let size = entry.size();
        check_size(size, remaining)?;
        let mod_time = mod_time(entry.header());
        let contiguous = matches!(kind, tar::EntryType::Regular | tar::EntryType::Continuous);
        let file = if contiguous {
            let start = entry.raw_file_position() as usize;
            let end = start.saturating_add(size as usize);
            if end > tar_bytes.len() {
                return Err(truncated(ArchiveError::UnexpectedEof));
            }
            remaining -= size;
            tar_bytes.slice(start..end)
        } else {
            // Links, sparse files and other rare kinds: read them through
            // the tar reader, as helm's io.Copy does.
            let mut buf = Vec::with_capacity(size as usize);
            let read = (&mut entry)
                .take(remaining)
                .read_to_end(&mut buf)
                .map_err(|e| truncated(io_to_archive(e)))? as u64;
            remaining -= read;
            if read < size {
                return Err(truncated(ArchiveError::UnexpectedEof));
            }
            SharedBytes::from_vec(buf)
        };
        if remaining == 0 {
            return Err(ArchiveError::ChartTooLarge);
        }
        files.push(BufferedFile {
            name,
            data: strip_bom(file),
            mod_time,
        });
    }
    let ran_out = archive.into_inner().position() >= tar_bytes.len() as u64;
    if let (Some(e), true) = (inflate_error, ran_out) {
        // The stream broke (or was cut) before the tar's end marker; past
        // the marker helm (like tar) reads nothing more.
        return Err(e);
    }
    if files.is_empty() {
        return Err(ArchiveError::Empty);
    }
    Ok(files)
}

const UTF8_BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// The bytes without a leading UTF-8 byte order mark (a view, no copy), as
/// helm strips it from every chart file it reads.
pub(crate) fn strip_bom(data: SharedBytes) -> SharedBytes {
    if data.starts_with(&UTF8_BOM) {
        data.slice(UTF8_BOM.len()..data.len())
    } else {
        data
    }
}

/// Whether helm takes an entry for a directory (and skips it): its type or
/// mode says so, or it is an old-style regular entry named with a `/`.
fn is_directory(header: &tar::Header, raw_name: &str) -> bool {
    let kind = header.entry_type();
    let mode = header.mode().unwrap_or(0);
    kind.is_dir()
        || (mode & 0o170000) == 0o040000
        || (kind == tar::EntryType::Regular
            && raw_name.ends_with('/')
            && header.as_bytes()[156] == 0)
}

/// helm's size limit for one more file of `size` bytes, `remaining` bytes
/// being left of the whole chart's allowance (helm 4 has no limit per file;
/// Helm 3's was 5 MiB).
fn check_size(size: u64, remaining: u64) -> Result<(), ArchiveError> {
    if size > remaining {
        return Err(ArchiveError::ChartTooLarge);
    }
    Ok(())
}

fn mod_time(header: &tar::Header) -> Option<SystemTime> {
    header
        .mtime()
        .ok()
        .map(|s| SystemTime::UNIX_EPOCH + Duration::from_secs(s))
}

/// Whether an archive entry (named without its first component) lies in the
/// `crds/` folder of the chart or of a subchart unpacked under `charts/`.
pub fn is_crd_path(name: &str) -> bool {
    let parts: Vec<&str> = name.split('/').collect();
    let mut at = 0;
    while parts.get(at) == Some(&"charts") && at + 2 < parts.len() {
        at += 2;
    }
    parts.get(at) == Some(&"crds") && at + 1 < parts.len()
}

/// The compressed archive again, for inflating deferred files when one is
/// first read (an empty vector if it cannot be had: the views then read
/// as empty). Shared, so that a caller can keep it for a fallback.
pub type CompressedSource = Arc<dyn Fn() -> Vec<u8> + Send + Sync>;

/// [`read_archive`] for a caller that may never read some files (`rudder
/// template` never reads READMEs, nor CRDs without `--include-crds`, often
/// most of an archive's bytes): the files `defer(name, size)` picks come
/// back deferred, re-inflated from what `source` gives (the archive file
/// read again, so the compressed bytes need not be held) if something
/// reads them after all, and the archive is streamed instead of inflated
/// whole, so their bytes are never held until then. `compressed` is the
/// archive from its first byte; it may be read as it is inflated (a file
/// through a small buffer, not first read whole into memory). Anything
/// unusual (links, sparse files, damage, limits) is left to
/// [`read_archive`] on what `source` gives, which then reports exactly
/// what it always does.
///
/// `observe` sees each file as soon as it is inflated, with the archive's
/// top directory (the chart's directory name), while the rest is still
/// being inflated. The files it sees are not necessarily the ones returned:
/// when the stream is abandoned for [`read_archive`], those are new buffers
/// (see [`SharedBytes::same_view`]).
pub fn read_archive_deferring(
    compressed: impl Read,
    defer: &dyn Fn(&str, u64) -> bool,
    source: CompressedSource,
    observe: &mut dyn FnMut(&str, &BufferedFile),
) -> Result<Vec<BufferedFile>, ArchiveError> {
    match stream_regular_files(compressed, defer, observe) {
        Some((mut files, deferred)) => {
            attach_deferred(source, &mut files, deferred);
            Ok(files)
        }
        None => read_archive(&source()),
    }
}

/// Where each deferred file's bytes lie in the tar stream (BOM left out),
/// and which of the files they belong to.
type DeferredRanges = Vec<(usize, Range<usize>)>;

/// The streaming half of [`read_archive_deferring`]: `None` wherever
/// [`read_archive`] might have something to report.
fn stream_regular_files(
    compressed: impl Read,
    defer: &dyn Fn(&str, u64) -> bool,
    observe: &mut dyn FnMut(&str, &BufferedFile),
) -> Option<(Vec<BufferedFile>, DeferredRanges)> {
    let mut archive = tar::Archive::new(MultiGzDecoder::new(compressed));
    let mut files = Vec::new();
    let mut deferred: DeferredRanges = Vec::new();
    let mut remaining = MAX_DECOMPRESSED_CHART_SIZE;
    for entry in archive.entries().ok()? {
        let mut entry = entry.ok()?;
        let kind = entry.header().entry_type();
        if kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
            continue;
        }
        let raw_name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        if is_directory(entry.header(), &raw_name) {
            continue;
        }
        if !matches!(kind, tar::EntryType::Regular | tar::EntryType::Continuous) {
            return None;
        }
        let name = entry_path(&raw_name).ok()?;
        let size = entry.size();
        check_size(size, remaining).ok()?;
        remaining -= size;
        if remaining == 0 {
            return None;
        }
        let mod_time = mod_time(entry.header());
        let len = usize::try_from(size).ok()?;
        let deferring = defer(&name, size);
        let file = if deferring {
            // Only the first bytes, for the BOM; the tar reader skips the
            // rest through a small buffer.
            let mut head = [0u8; 3];
            let want = len.min(head.len());
            entry.read_exact(&mut head[..want]).ok()?;
            let start = usize::try_from(entry.raw_file_position()).ok()?;
            let skip = if head == UTF8_BOM { UTF8_BOM.len() } else { 0 };
            deferred.push((files.len(), start + skip..start + len));
            SharedBytes::default()
        } else {
            let mut buf = Vec::with_capacity(len);
            entry.read_to_end(&mut buf).ok()?;
            if buf.len() != len {
                return None;
            }
            strip_bom(SharedBytes::from_vec(buf))
        };
        let file = BufferedFile {
            name,
            data: file,
            mod_time,
        };
        // A deferred file has no bytes yet (they are attached at the end).
        if !deferring {
            let top = raw_name.split(['/', '\\']).next().unwrap_or_default();
            observe(top, &file);
        }
        files.push(file);
    }
    if files.is_empty() {
        return None;
    }
    Some((files, deferred))
}

/// Makes the deferred files views of one buffer holding just their bytes,
/// back to back, produced by inflating the archive again when one of them
/// is first read: a template that reads one README then holds the deferred
/// files, never the whole inflated archive.
fn attach_deferred(source: CompressedSource, files: &mut [BufferedFile], deferred: DeferredRanges) {
    if deferred.is_empty() {
        return;
    }
    let ranges: Vec<Range<usize>> = deferred.iter().map(|(_, r)| r.clone()).collect();
    let buffer = Deferred::new(move || inflate_ranges(&source(), &ranges));
    let mut at = 0;
    for (index, range) in deferred {
        if let Some(file) = files.get_mut(index) {
            file.data = buffer.view(at..at + range.len());
        }
        at += range.len();
    }
}

/// The bytes of `ranges` (ascending, disjoint offsets into the inflated
/// stream) back to back. The stream was read whole once already, so it
/// does not break now; if it did, the views it cannot cover read as empty.
fn inflate_ranges(data: &[u8], ranges: &[Range<usize>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(ranges.iter().map(Range::len).sum());
    let mut stream = MultiGzDecoder::new(data);
    let mut at = 0;
    for range in ranges {
        let Some(gap) = range.start.checked_sub(at) else {
            break;
        };
        let skipped = std::io::copy(&mut (&mut stream).take(gap as u64), &mut std::io::sink());
        if skipped.ok() != Some(gap as u64) {
            break;
        }
        let before = out.len();
        let read = (&mut stream).take(range.len() as u64).read_to_end(&mut out);
        if read.is_err() || out.len() - before != range.len() {
            out.truncate(before);
            break;
        }
        at = range.end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_names() {
        assert_eq!(
            entry_path("c/templates/a.yaml").unwrap(),
            "templates/a.yaml"
        );
        assert_eq!(entry_path("c\\values.yaml").unwrap(), "values.yaml");
        assert!(matches!(
            entry_path("c/../evil"),
            Err(ArchiveError::ParentDirectory(_))
        ));
        assert!(matches!(
            entry_path("/etc/passwd"),
            Err(ArchiveError::AbsolutePath(_))
        ));
        assert!(matches!(
            entry_path("c//etc/passwd"),
            Err(ArchiveError::AbsolutePath(_))
        ));
        assert!(matches!(entry_path("c"), Err(ArchiveError::OutsideBase(_))));
        assert_eq!(
            entry_path("Chart.yaml"),
            Err(ArchiveError::ChartYamlNotInBase)
        );
        assert!(matches!(
            entry_path("c/c:/x"),
            Err(ArchiveError::IllegalName(_))
        ));
    }

    #[test]
    fn links() {
        assert!(link_stays_inside("templates/a", "b"));
        assert!(link_stays_inside("templates/a", "../values.yaml"));
        assert!(!link_stays_inside("templates/a", "../../x"));
        assert!(!link_stays_inside("a", "/etc/passwd"));
    }

    #[test]
    fn sniffing() {
        assert_eq!(sniff_content_type(b"hi\n"), "application/octet-stream");
        assert_eq!(
            sniff_content_type(&[b'a'; 600]),
            "text/plain; charset=utf-8"
        );
        assert!(ensure_archive("x.yaml", b"a: 1")
            .unwrap_err()
            .to_string()
            .contains("seems to be a YAML file"));
    }
}

#[cfg(test)]
mod read_tests {
    use super::*;
    use crate::chart::gotar::TarWriter;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn long_names_bom_and_first_component() {
        let long = format!("c/files/{}/{}.txt", "d".repeat(120), "f".repeat(150));
        let mut w = TarWriter::new();
        w.add_file("c/Chart.yaml", b"\xEF\xBB\xBFname: c\n", 0);
        w.add_file(&long, b"x", 0);
        w.add_file("c/caf\u{e9}.txt", b"y", 0);
        let files = read_archive(&gz(&w.finish())).unwrap();
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["Chart.yaml", &long[2..], "caf\u{e9}.txt"]);
        assert_eq!(files[0].data, b"name: c\n");
    }

    #[test]
    fn concatenated_gzip_members_are_one_stream() {
        let mut w = TarWriter::new();
        w.add_file("c/Chart.yaml", b"name: c\n", 0);
        let tar = w.finish();
        let (a, b) = tar.split_at(512);
        let mut both = gz(a);
        both.extend(gz(b));
        assert_eq!(read_archive(&both).unwrap().len(), 1);
    }

    #[test]
    fn stream_breaks_are_found_where_streaming_meets_them() {
        let body: Vec<u8> = (0..50_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let mut w = TarWriter::new();
        w.add_file("c/Chart.yaml", b"name: c\n", 0);
        w.add_file("c/data.bin", &body, 0);
        let tgz = gz(&w.finish());
        let files = read_archive(&tgz).unwrap();
        assert_eq!(files[1].data, body);

        // Bytes after the tar's end marker are never read, as in helm.
        let mut trailing = tgz.clone();
        trailing.extend_from_slice(b"not gzip");
        assert_eq!(read_archive(&trailing).unwrap().len(), 2);

        // A stream cut inside a file's data fails at that file.
        assert_eq!(
            read_archive(&tgz[..tgz.len() / 2]).unwrap_err(),
            ArchiveError::UnexpectedEof
        );
    }

    #[test]
    fn crd_paths_of_the_chart_and_unpacked_subcharts() {
        assert!(is_crd_path("crds/a.yaml"));
        assert!(is_crd_path("charts/sub/crds/a.yaml"));
        assert!(is_crd_path("charts/crds/crds/x/a.yaml"));
        assert!(!is_crd_path("charts/crds/values.yaml"));
        assert!(!is_crd_path("templates/crds/a.yaml"));
        assert!(!is_crd_path("crds"));
    }

    /// The compressed bytes kept in memory, as their source.
    fn kept(data: &Arc<Vec<u8>>) -> CompressedSource {
        let data = Arc::clone(data);
        Arc::new(move || data.to_vec())
    }

    #[test]
    fn deferred_reading_matches_whole_reading() {
        let body: Vec<u8> = (0..50_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let mut w = TarWriter::new();
        w.add_file("c/Chart.yaml", b"\xEF\xBB\xBFname: c\n", 0);
        w.add_file("c/crds/big.yaml", &body, 0);
        w.add_file("c/crds/bom.yaml", b"\xEF\xBB\xBFkind: X\n", 0);
        w.add_file("c/crds/empty.yaml", b"", 0);
        w.add_file("c/templates/a.yaml", b"a: 1\n", 0);
        let mut readme = b"\xEF\xBB\xBF# c\n".to_vec();
        readme.extend((0..40_000u32).map(|i| b'a' + (i % 26) as u8));
        w.add_file("c/README.md", &readme, 0);
        w.add_file("c/NOTES.md", b"small", 0);
        let tgz = Arc::new(gz(&w.finish()));
        let whole = read_archive(&tgz).unwrap();
        // CRDs, and other files by size (the predicate sees the size
        // before the BOM is stripped).
        let defer = |name: &str, size: u64| is_crd_path(name) || size > 1000;
        let deferring =
            read_archive_deferring(&tgz[..], &defer, kept(&tgz), &mut |_, _| {}).unwrap();
        let shape = |files: &[BufferedFile]| -> Vec<(String, usize)> {
            files
                .iter()
                .map(|f| (f.name.clone(), f.data.len()))
                .collect()
        };
        assert_eq!(shape(&whole), shape(&deferring));
        let deferred: Vec<bool> = deferring.iter().map(|f| f.data.is_deferred()).collect();
        assert_eq!(deferred, [false, true, true, true, false, true, false]);
        for (a, b) in whole.iter().zip(&deferring) {
            assert_eq!(a.data, b.data, "{}", a.name);
        }
        assert_eq!(deferring[5].data, &readme[3..]);

        // Damage is reported exactly as read_archive reports it.
        let cut = Arc::new(tgz[..tgz.len() / 2].to_vec());
        assert_eq!(
            read_archive_deferring(&cut[..], &defer, kept(&cut), &mut |_, _| {}).unwrap_err(),
            read_archive(&cut).unwrap_err()
        );
    }

    #[test]
    fn deferred_files_are_inflated_back_to_back() {
        let body: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        let tgz = gz(&body);
        assert_eq!(
            inflate_ranges(&tgz, &[3..10, 10..12, 50_000..60_000]),
            [&body[3..12], &body[50_000..60_000]].concat()
        );
        // Ranges the stream does not cover are left out, not invented.
        assert_eq!(inflate_ranges(&tgz, &[5..8, 99_999..100_001]), &body[5..8]);
        assert_eq!(inflate_ranges(&tgz, &[]), Vec::<u8>::new());
    }

    #[test]
    fn garbage_is_a_gzip_header_error() {
        assert_eq!(
            read_archive(b"\x1f\x8bnot really gzip").unwrap_err(),
            ArchiveError::GzipHeader
        );
    }
}
