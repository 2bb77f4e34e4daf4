//! `rudder registry login|logout HOST`, and the command-line side of
//! `oci://` chart references shared by pull, show, template and install.

use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};

use clap::{Args as ClapArgs, Subcommand};
use rudder::log::{Level, Record};
use rudder::repo::oci::{self, ClientOptions, Credential};

use super::chart_path::{ChartPathArgs, ConnectionArgs};
use super::settings::Settings;

#[derive(ClapArgs, Debug)]
#[command(arg_required_else_help = true)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// login to a registry
    Login(LoginArgs),
    /// logout from a registry
    Logout(LogoutArgs),
}

#[derive(ClapArgs, Debug)]
struct LoginArgs {
    #[arg(value_name = "host")]
    hosts: Vec<String>,
    /// registry username
    #[arg(short = 'u', long, value_name = "string")]
    username: Option<String>,
    /// registry password or identity token
    #[arg(short = 'p', long, value_name = "string")]
    password: Option<String>,
    /// read password or identity token from stdin
    #[arg(long = "password-stdin")]
    password_stdin: bool,
    /// allow connections to TLS registry without certs
    #[arg(long)]
    insecure: bool,
    /// identify registry client using this SSL certificate file
    #[arg(long = "cert-file", value_name = "string")]
    cert_file: Option<String>,
    /// identify registry client using this SSL key file
    #[arg(long = "key-file", value_name = "string")]
    key_file: Option<String>,
    /// verify certificates of HTTPS-enabled servers using this CA bundle
    #[arg(long = "ca-file", value_name = "string")]
    ca_file: Option<String>,
    /// use insecure HTTP connections for the chart upload
    #[arg(long = "plain-http")]
    plain_http: bool,
}

#[derive(ClapArgs, Debug)]
struct LogoutArgs {
    #[arg(value_name = "host")]
    hosts: Vec<String>,
}

pub fn run(a: Args, settings: &Settings) -> anyhow::Result<()> {
    match a.command {
        Command::Login(l) => login(l, settings),
        Command::Logout(l) => logout(l, settings),
    }
}

fn warn(r: Record) {
    let _ = writeln!(std::io::stderr().lock(), "{r}");
}

fn read_line(prompt: &str) -> anyhow::Result<String> {
    print!("{prompt}");
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    let n = std::io::stdin().lock().read_line(&mut line)?;
    if n == 0 {
        anyhow::bail!("EOF");
    }
    Ok(line
        .trim_end_matches('\n')
        .trim_end_matches('\r')
        .to_string())
}

/// A password read from the terminal with echo off, as helm reads it.
fn read_secret(prompt: &str) -> anyhow::Result<String> {
    use std::io::IsTerminal;
    print!("{prompt}");
    let _ = std::io::stdout().flush();
    if !std::io::stdin().is_terminal() {
        anyhow::bail!("inappropriate ioctl for device");
    }
    let stty = |arg: &str| {
        std::process::Command::new("stty")
            .arg(arg)
            .stdin(std::process::Stdio::inherit())
            .status()
    };
    let _ = stty("-echo");
    let mut line = String::new();
    let result = std::io::stdin().lock().read_line(&mut line);
    let _ = stty("echo");
    println!();
    result?;
    Ok(line
        .trim_end_matches('\n')
        .trim_end_matches('\r')
        .to_string())
}

/// helm's `getUsernamePassword`.
fn username_password(a: &LoginArgs) -> anyhow::Result<(String, String)> {
    let mut username = a.username.clone().unwrap_or_default();
    let mut password = a.password.clone().unwrap_or_default();
    if a.password_stdin {
        let mut data = String::new();
        std::io::stdin().lock().read_to_string(&mut data)?;
        password = data.strip_suffix('\n').unwrap_or(&data).to_string();
        password = password.strip_suffix('\r').unwrap_or(&password).to_string();
    } else if password.is_empty() {
        if username.is_empty() {
            username = read_line("Username: ")?.trim().to_string();
        }
        if username.is_empty() {
            password = read_secret("Token: ")?;
            if password.is_empty() {
                anyhow::bail!("token required");
            }
        } else {
            password = read_secret("Password: ")?;
            if password.is_empty() {
                anyhow::bail!("password required");
            }
        }
    } else {
        warn(Record::new(
            Level::Warn,
            "using --password via the CLI is insecure. Use --password-stdin",
        ));
    }
    Ok((username, password))
}

fn login(a: LoginArgs, settings: &Settings) -> anyhow::Result<()> {
    super::minimum_args(
        &a.hosts,
        1,
        "rudder registry login",
        "rudder registry login [host] [flags]",
    )?;
    let host = a.hosts[0].clone();
    let (username, password) = username_password(&a)?;
    if host.contains('/') {
        let suggested = host.split('/').next().unwrap_or("").to_string();
        warn(
            Record::new(
                Level::Warn,
                "registry login currently only supports registry hostname, not a repository path",
            )
            .attr("host", &host)
            .attr("suggested", suggested),
        );
    }
    oci::reference::validate_registry(&host)?;
    let cred = Credential {
        username,
        password,
        ..Default::default()
    };
    let client = oci::Client::new(ClientOptions {
        plain_http: a.plain_http,
        insecure_skip_tls_verify: a.insecure,
        ca_file: a.ca_file.unwrap_or_default(),
        cert_file: a.cert_file.unwrap_or_default(),
        key_file: a.key_file.unwrap_or_default(),
        credentials_file: settings.registry_config.clone(),
        ..Default::default()
    })?
    .with_static_credential(&host, cred.clone());
    let ping_host = if host == "docker.io" {
        "registry-1.docker.io"
    } else {
        host.as_str()
    };
    if client.ping(ping_host, true).is_err() {
        client.reset_auth();
        client
            .ping(ping_host, false)
            .map_err(|e| anyhow::anyhow!("authenticating to \"{host}\": {e}"))?;
    }
    client.credential_store().put(&host, &cred)?;
    println!("Login Succeeded");
    Ok(())
}

fn logout(a: LogoutArgs, settings: &Settings) -> anyhow::Result<()> {
    super::minimum_args(
        &a.hosts,
        1,
        "rudder registry logout",
        "rudder registry logout [host] [flags]",
    )?;
    let host = &a.hosts[0];
    oci::CredentialStore::new(settings.registry_config.clone()).delete(host)?;
    println!("Removing login credentials for {host}");
    Ok(())
}

/// A registry client from the connection flags (`--plain-http`, TLS
/// files, `--username/--password`).
pub fn client_for(c: &ConnectionArgs, settings: &Settings) -> anyhow::Result<oci::Client> {
    oci::Client::new(c.registry_options(settings))
        .map_err(|e| anyhow::anyhow!("missing registry client: {e}"))
}

/// A chart pulled from a registry: the archive bytes and the
/// `Pulled:`/`Digest:` report.
pub struct Pulled {
    pub data: Vec<u8>,
    pub report: String,
}

/// Resolves `reference` at `version` and downloads it (verified, in memory).
pub fn pull_oci(
    reference: &str,
    version: &str,
    p: &ChartPathArgs,
    settings: &Settings,
    with_prov: bool,
) -> anyhow::Result<Pulled> {
    let client = client_for(&p.connection, settings)?;
    let resolved = oci::resolve_chart_ref(&client, reference, version)?;
    let result = oci::pull_chart(&client, &resolved.reference, with_prov)?;
    Ok(Pulled {
        report: result.report(),
        data: result.chart,
    })
}

/// `LocateChart` for `oci://` references: the archive lands in the content
/// cache under its sha256 (written atomically after verification), the
/// `Pulled:` lines go to stderr, and the cached path is returned.
pub fn locate_oci_chart(
    reference: &str,
    p: &ChartPathArgs,
    settings: &Settings,
) -> anyhow::Result<PathBuf> {
    super::pull::downloader_cache_log(settings);
    if p.verify {
        return super::verify::locate_oci_chart_verified(reference, p, settings);
    }
    let version = p.version.clone().unwrap_or_default();
    let pulled = pull_oci(reference, &version, p, settings, false)?;
    let _ = std::io::stderr().lock().write_all(pulled.report.as_bytes());
    let hex = oci::client::sha256_digest(&pulled.data)
        .trim_start_matches("sha256:")
        .to_string();
    let path = settings
        .content_cache
        .join(&hex[..2])
        .join(format!("{hex}.chart"));
    save(&path, &pulled.data)?;
    Ok(path)
}

/// Writes `data` to `path` atomically, creating its directory.
pub fn save(path: &Path, data: &[u8]) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| anyhow::anyhow!(rudder::chart::loader::go_io_error("mkdir", dir, &e)))?;
    }
    rudder::repo::atomic_file::write_atomic(path, data, 0o644)
        .map_err(|e| anyhow::anyhow!(rudder::chart::loader::go_io_error("open", path, &e)))?;
    Ok(())
}

/// `pull oci://...`: the `Pulled:` report goes to stdout; with `dest` the
/// verified archive is saved there as helm names it and `None` returned,
/// otherwise the bytes are returned for unpacking. With `prov` the
/// provenance layer is fetched too (a missing one is only a warning, as
/// with helm's `--prov`).
pub fn pull_oci_command(
    reference: &str,
    version: &str,
    p: &ChartPathArgs,
    settings: &Settings,
    dest: Option<&Path>,
    prov: bool,
) -> anyhow::Result<Option<Vec<u8>>> {
    let client = client_for(&p.connection, settings)?;
    let resolved = oci::resolve_chart_ref(&client, reference, version)?;
    let pulled = oci::pull_chart(&client, &resolved.reference, false)?;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(pulled.report().as_bytes())?;
    if let Some(dir) = dest {
        save_in(dir, &resolved.file_name, &pulled.chart)?;
    }
    if prov {
        match oci::pull_provenance(&client, &resolved.reference) {
            Ok(p) => {
                stdout.write_all(p.report().as_bytes())?;
                if let (Some(dir), Some(data)) = (dest, &p.prov) {
                    save_in(dir, &format!("{}.prov", resolved.file_name), data)?;
                }
            }
            Err(e) => writeln!(
                stdout,
                "WARNING: Verification not found for {reference}: {e}"
            )?,
        }
    }
    Ok(if dest.is_some() {
        None
    } else {
        Some(pulled.chart)
    })
}

/// Saves into an existing directory (helm does not create `-d`).
fn save_in(dir: &Path, name: &str, data: &[u8]) -> anyhow::Result<()> {
    let path = dir.join(name);
    if !dir.is_dir() {
        let e = std::io::Error::from(std::io::ErrorKind::NotFound);
        anyhow::bail!(rudder::chart::loader::go_io_error("open", &path, &e));
    }
    rudder::repo::atomic_file::write_atomic(&path, data, 0o644)
        .map_err(|e| anyhow::anyhow!(rudder::chart::loader::go_io_error("open", &path, &e)))?;
    Ok(())
}
