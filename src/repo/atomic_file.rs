//! Writing shared files so that a reader (another rudder, or helm) never
//! sees half a file, and serialising writers of `repositories.yaml` with
//! the same `flock` lock file helm uses.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A fresh temporary file name in `dest`'s folder, so the final rename
/// stays on one file system.
fn temp_path_beside(dest: &Path) -> PathBuf {
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let base = dest
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    unique_temp_path(&dir, &base)
}

/// Writes `data` to a temporary file next to `dest`, sets `mode`, then
/// renames it over `dest` (helm's `fileutil.AtomicWriteFile`).
pub fn write_atomic(dest: &Path, data: &[u8], mode: u32) -> std::io::Result<()> {
    let tmp = temp_path_beside(dest);
    let result = (|| {
        let mut f = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        f.write_all(data)?;
        f.sync_all()?;
        set_mode(&tmp, mode)?;
        std::fs::rename(&tmp, dest)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// [`write_atomic`] for output produced piece by piece: `fill` writes into
/// a buffered temporary file next to `dest`, which replaces `dest` only
/// when `fill` returns `Ok(true)`; on `Ok(false)` or an error nothing is
/// left behind. Like helm's `AtomicWriteFile` (and unlike
/// [`write_atomic`]) the data is not synced first: this is for big
/// generated files such as a merged `index.yaml`.
pub fn write_atomic_streamed(
    dest: &Path,
    mode: u32,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<bool>,
) -> std::io::Result<bool> {
    let tmp = temp_path_beside(dest);
    let result = (|| {
        let f = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
        if !fill(&mut w)? {
            return Ok(false);
        }
        w.flush()?;
        drop(w);
        set_mode(&tmp, mode)?;
        std::fs::rename(&tmp, dest)?;
        Ok(true)
    })();
    if !matches!(result, Ok(true)) {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn unique_temp_path(dir: &Path, base: &str) -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    dir.join(format!(".{base}.{}.{nanos}.{n}.tmp", std::process::id()))
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

/// An exclusive advisory lock held until dropped (gofrs/flock compatible:
/// both use `flock(2)` on the lock file).
pub struct FileLock {
    file: File,
}

impl FileLock {
    /// Acquires the lock on `path` (created if missing), retrying until
    /// `timeout` passes, as helm's `TryLockContext` does.
    pub fn acquire(path: &Path, timeout: Duration) -> std::io::Result<FileLock> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(path)?;
        let start = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(FileLock { file }),
                Err(std::fs::TryLockError::WouldBlock) => {
                    if start.elapsed() >= timeout {
                        return Err(std::io::Error::new(
                            std::io::ErrorKind::TimedOut,
                            "context deadline exceeded",
                        ));
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(e),
            }
        }
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.yaml");
        write_atomic(&p, b"one", 0o644).unwrap();
        write_atomic(&p, b"two", 0o600).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn lock_is_exclusive() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("repositories.lock");
        let held = FileLock::acquire(&p, Duration::from_secs(1)).unwrap();
        assert!(FileLock::acquire(&p, Duration::from_millis(120)).is_err());
        drop(held);
        assert!(FileLock::acquire(&p, Duration::from_millis(120)).is_ok());
    }
}
