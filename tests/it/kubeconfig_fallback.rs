//! Without a kubeconfig file helm (client-go) falls back to
//! `http://localhost:8080`; an explicit `--kubeconfig` to a missing file is an error.
//! A `--kube-context` or `current-context` naming no context fails before
//! anything is dialled, with client-go's words.

use std::path::Path;
use std::process::Command;

/// stderr of `BINARY list ARGS` (exit code 1) with `HOME` at `home` and only
/// the given `KUBECONFIG`.
fn list_stderr(binary: &Path, home: &Path, kubeconfig_env: Option<&str>, args: &[&str]) -> String {
    let mut cmd = Command::new(binary);
    cmd.arg("list")
        .args(args)
        .env("HOME", home)
        .env_remove("KUBECONFIG");
    for (k, _) in std::env::vars() {
        if k.starts_with("HELM_") {
            cmd.env_remove(k);
        }
    }
    if let Some(k) = kubeconfig_env {
        cmd.env("KUBECONFIG", k);
    }
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    String::from_utf8(out.stderr).unwrap()
}

fn rudder_list(home: &Path, kubeconfig_env: Option<&str>, flag: Option<&str>) -> String {
    let args: Vec<&str> = match flag {
        Some(f) => vec!["--kubeconfig", f],
        None => Vec::new(),
    };
    list_stderr(
        Path::new(env!("CARGO_BIN_EXE_rudder")),
        home,
        kubeconfig_env,
        &args,
    )
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

#[test]
fn unknown_contexts_fail_before_dialling() {
    let home = tempfile::tempdir().unwrap();
    let kubeconfig = home.path().join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: k\n  cluster:\n    server: http://127.0.0.1:1\n\
         contexts:\n- name: a\n  context:\n    cluster: k\ncurrent-context: zz\n",
    )
    .unwrap();
    let kubeconfig = kubeconfig.to_str().unwrap();
    let no_context = "Error: kubernetes cluster unreachable: context \"c\" does not exist\n";
    let cases: [(Option<&str>, &[&str], &str); 4] = [
        (None, &["--kube-context", "c"], no_context),
        (
            None,
            &[
                "--kube-apiserver",
                "http://127.0.0.1:1",
                "--kube-context",
                "c",
            ],
            no_context,
        ),
        (Some(kubeconfig), &["--kube-context", "c"], no_context),
        (
            Some(kubeconfig),
            &[],
            "Error: kubernetes cluster unreachable: invalid configuration: \
             context was not found for specified context: zz\n",
        ),
    ];
    let helm = super::release_support::helm_bin();
    for (env, args, want) in cases {
        let got = list_stderr(
            Path::new(env!("CARGO_BIN_EXE_rudder")),
            home.path(),
            env,
            args,
        );
        assert_eq!(got, want, "{args:?}");
        if let Some(helm) = &helm {
            assert_eq!(
                list_stderr(helm, home.path(), env, args),
                got,
                "helm, {args:?}"
            );
        }
    }
}
