//! Without a kubeconfig file helm (client-go) falls back to
//! `http://localhost:8080`; an explicit `--kubeconfig` to a missing file is an error.

use std::process::Command;

fn rudder_list(home: &std::path::Path, kubeconfig_env: Option<&str>, flag: Option<&str>) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rudder"));
    cmd.arg("list").env("HOME", home).env_remove("KUBECONFIG");
    for (k, _) in std::env::vars() {
        if k.starts_with("HELM_") {
            cmd.env_remove(k);
        }
    }
    if let Some(k) = kubeconfig_env {
        cmd.env("KUBECONFIG", k);
    }
    if let Some(f) = flag {
        cmd.args(["--kubeconfig", f]);
    }
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn missing_kubeconfig_falls_back_to_localhost_8080() {
    if std::net::TcpStream::connect("127.0.0.1:8080").is_ok() {
        println!("skipped: something listens on 127.0.0.1:8080");
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let want = "Error: kubernetes cluster unreachable: Get \"http://localhost:8080/version\": \
                dial tcp 127.0.0.1:8080: connect: connection refused\n";
    assert_eq!(rudder_list(home.path(), None, None), want);
    assert_eq!(
        rudder_list(home.path(), Some("/nonexistent/kubeconfig"), None),
        want
    );
    assert_eq!(
        rudder_list(home.path(), None, Some("/nonexistent/kubeconfig")),
        "Error: kubernetes cluster unreachable: stat /nonexistent/kubeconfig: no such file or directory\n"
    );
}
