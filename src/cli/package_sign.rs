//! `package --sign`: writes `CHART-VER.tgz.prov` next to the archive just
//! packaged, signed with a key from a (secret) keyring, as helm does.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use rudder::chart::loader::go_io_error;
use rudder::repo::provenance::{ProvenanceError, Signer};

/// Signs `archive` with the key `key` of `keyring`. A protected key's
/// passphrase comes from `passphrase_file` (`-` for stdin; read once and
/// kept in `cache` for the next chart) or is asked for on the terminal.
pub fn sign_archive(
    archive: &Path,
    key: &str,
    keyring: &Path,
    passphrase_file: Option<&str>,
    cache: &mut Option<Vec<u8>>,
) -> anyhow::Result<()> {
    let mut signer = Signer::from_keyring(keyring, key)?;
    let from_file = match passphrase_file {
        Some(f) => Some(match cache {
            Some(p) => p.clone(),
            None => {
                let p = read_passphrase_file(f)?;
                *cache = Some(p.clone());
                p
            }
        }),
        None => None,
    };
    let mut fetch = |name: &str| -> Result<Vec<u8>, ProvenanceError> {
        match &from_file {
            Some(p) => Ok(p.clone()),
            None => prompt_passphrase(name),
        }
    };
    signer.unlock(&mut fetch)?;

    let chart = rudder::chart::loader::load_archive_file(archive)
        .map_err(|e| ProvenanceError::LoadChart(e.to_string()))?;
    let metadata = rudder::render::encode::to_yaml(&chart.metadata.to_value())
        .map_err(|e| anyhow::anyhow!("failed to marshal chart metadata: {e}"))?;
    let data = std::fs::read(archive).map_err(|e| {
        anyhow::anyhow!(
            "failed to read chart archive: {}",
            go_io_error("open", archive, &e)
        )
    })?;
    let name = archive
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let doc = signer.clearsign(&data, &name, &metadata)?;
    let mut prov = archive.as_os_str().to_owned();
    prov.push(".prov");
    let prov = Path::new(&prov);
    std::fs::write(prov, doc.as_bytes())
        .map_err(|e| anyhow::anyhow!(go_io_error("open", prov, &e)))?;
    Ok(())
}

/// The first line of the passphrase file (helm's `passphraseFileFetcher`);
/// `-` reads stdin, which must be a pipe.
fn read_passphrase_file(file: &str) -> anyhow::Result<Vec<u8>> {
    let mut line = Vec::new();
    if file == "-" {
        use std::os::unix::fs::FileTypeExt;
        let piped = std::fs::metadata("/dev/stdin").is_ok_and(|m| m.file_type().is_fifo());
        if !piped {
            anyhow::bail!("specified reading passphrase from stdin, without input on stdin");
        }
        std::io::stdin().lock().read_until(b'\n', &mut line)?;
    } else {
        let path = Path::new(file);
        let f = std::fs::File::open(path)
            .map_err(|e| anyhow::anyhow!(go_io_error("open", path, &e)))?;
        std::io::BufReader::new(f).read_until(b'\n', &mut line)?;
    }
    if line.is_empty() {
        anyhow::bail!("EOF");
    }
    if line.last() == Some(&b'\n') {
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
    }
    Ok(line)
}

/// Asks for the passphrase on the terminal without echo, as helm's
/// `promptUser`; stdin that is not a terminal fails as Go's `ReadPassword`.
fn prompt_passphrase(name: &str) -> Result<Vec<u8>, ProvenanceError> {
    let mut out = std::io::stdout().lock();
    let _ = write!(out, "Password for key {} >  ", go_quote(name));
    let _ = out.flush();
    let stdin = std::io::stdin();
    let result = if stdin.is_terminal() {
        let echo_off = std::process::Command::new("stty").arg("-echo").status();
        let mut line = String::new();
        let read = stdin.lock().read_line(&mut line);
        if echo_off.is_ok() {
            let _ = std::process::Command::new("stty").arg("echo").status();
        }
        read.map(|_| line.trim_end_matches(['\n', '\r']).as_bytes().to_vec())
            .map_err(|e| ProvenanceError::Io(e.to_string()))
    } else {
        Err(ProvenanceError::Io("inappropriate ioctl for device".into()))
    };
    let _ = writeln!(out);
    result
}

fn go_quote(s: &str) -> String {
    rudder::chart::metadata::go_quote(s)
}
