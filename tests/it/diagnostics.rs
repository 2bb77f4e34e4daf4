//! `--debug` adds a source snippet after helm's unchanged `Error:` line.

use std::process::Command;

fn write(dir: &std::path::Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn debug_error_points_at_the_failing_action_inside_a_helper() {
    let tmp = tempfile::tempdir().unwrap();
    let chart = tmp.path().join("dc");
    write(
        &chart,
        "Chart.yaml",
        "apiVersion: v2\nname: dc\nversion: 0.1.0\n",
    );
    write(
        &chart,
        "templates/a.yaml",
        "a: 1\nname: {{ include \"x\" . }}\n",
    );
    write(
        &chart,
        "templates/_h.tpl",
        "{{- define \"x\" -}}\n  v: {{ .Values.a.b }}\n{{- end -}}\n",
    );
    let run = |debug: bool| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rudder"));
        cmd.args(["template", "t"]).arg(&chart);
        if debug {
            cmd.arg("--debug");
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8(out.stderr).unwrap()
    };
    let plain = run(false);
    assert!(
        plain.starts_with("Error: dc/templates/a.yaml:2:9\n"),
        "{plain}"
    );
    assert!(!plain.contains("-->"), "{plain}");
    let debug = run(true);
    let error_at = debug
        .find("Error: dc/templates/a.yaml:2:9\n")
        .expect("helm's first line");
    let snippet =
        " --> dc/templates/_h.tpl:2:15\n  |\n2 |   v: {{ .Values.a.b }}\n  |               ^\n";
    assert!(debug[error_at..].ends_with(snippet), "{debug}");
}
