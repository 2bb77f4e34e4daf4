//! `repo add|update|list|remove`, `search repo`, `pull`, `dependency`
//! against a real HTTP server started in the test, including failures.

use super::repo_support::*;

fn ok(o: &std::process::Output) {
    assert!(
        o.status.success(),
        "failed: stdout={} stderr={}",
        stdout(o),
        stderr(o)
    );
}

/// A failure is one `Error: ...` line and exit status 1.
fn one_line_error(o: &std::process::Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(1),
        "stdout={} stderr={}",
        stdout(o),
        stderr(o)
    );
    let err = stderr(o);
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("Error: ")).collect();
    assert_eq!(lines.len(), 1, "stderr: {err}");
    lines[0].to_string()
}

#[test]
fn add_search_pull_remove_round_trip() {
    let s = Scratch::new("flow");
    let server = sample_repo(&s, None);
    let home = s.path().join("home");
    let out = rudder(&["repo", "add", "t", &server.url], s.path(), &home);
    ok(&out);
    assert_eq!(stdout(&out), "\"t\" has been added to your repositories\n");
    let again = rudder(&["repo", "add", "t", &server.url], s.path(), &home);
    assert_eq!(
        stdout(&again),
        "\"t\" already exists with the same configuration, skipping\n"
    );
    assert!(home.join("cache/repository/t-index.yaml").exists());
    assert_eq!(
        std::fs::read_to_string(home.join("cache/repository/t-charts.txt")).unwrap(),
        "alpha\nbeta\n"
    );

    let list = rudder(&["repo", "list"], s.path(), &home);
    let pad = " ".repeat(server.url.len().saturating_sub(3));
    assert_eq!(
        stdout(&list),
        format!("NAME\tURL{pad}\nt   \t{}\n", server.url)
    );

    let search = rudder(&["search", "repo", "alpha"], s.path(), &home);
    ok(&search);
    assert_eq!(
        stdout(&search),
        "NAME   \tCHART VERSION\tAPP VERSION\tDESCRIPTION                   \n\
         t/alpha\t1.1.0        \t1.0        \tAlpha test chart              \n\
         t/beta \t0.3.0        \t1.0        \tBeta chart that mentions alpha\n"
    );
    let devel = rudder(
        &["search", "repo", "t/alpha", "--devel", "-o", "json"],
        s.path(),
        &home,
    );
    assert_eq!(
        stdout(&devel),
        "[{\"name\":\"t/alpha\",\"version\":\"2.0.0-rc.1\",\"app_version\":\"1.0\",\"description\":\"Alpha test chart\"}]\n"
    );
    let versions = rudder(
        &[
            "search",
            "repo",
            "alphakw",
            "--versions",
            "--version",
            "<2",
            "-o",
            "yaml",
        ],
        s.path(),
        &home,
    );
    assert_eq!(
        stdout(&versions).matches("name: t/alpha").count(),
        2,
        "{}",
        stdout(&versions)
    );
    let none = rudder(
        &["search", "repo", "zzz", "--fail-on-no-result"],
        s.path(),
        &home,
    );
    assert_eq!(one_line_error(&none), "Error: no results found");

    let dest = s.path().join("dest");
    std::fs::create_dir_all(&dest).unwrap();
    ok(&rudder(
        &["pull", "t/alpha", "-d", dest.to_str().unwrap()],
        s.path(),
        &home,
    ));
    assert_eq!(
        std::fs::read(dest.join("alpha-1.1.0.tgz")).unwrap(),
        std::fs::read(server.root.join("alpha-1.1.0.tgz")).unwrap()
    );
    ok(&rudder(
        &[
            "pull",
            "t/alpha",
            "--version",
            "1.0.0",
            "--untar",
            "-d",
            dest.to_str().unwrap(),
        ],
        s.path(),
        &home,
    ));
    assert!(std::fs::read_to_string(dest.join("alpha/Chart.yaml"))
        .unwrap()
        .contains("version: 1.0.0"));
    ok(&rudder(
        &[
            "pull",
            "alpha",
            "--repo",
            &server.url,
            "--devel",
            "-d",
            dest.to_str().unwrap(),
        ],
        s.path(),
        &home,
    ));
    assert!(dest.join("alpha-2.0.0-rc.1.tgz").exists());

    let shown = rudder(&["show", "chart", "t/beta"], s.path(), &home);
    ok(&shown);
    assert!(stdout(&shown).contains("name: beta"));
    let rendered = rudder(
        &["template", "x", "t/alpha", "--set", "replicas=3"],
        s.path(),
        &home,
    );
    ok(&rendered);
    assert!(
        stdout(&rendered).contains("replicas: \"3\""),
        "{}",
        stdout(&rendered)
    );

    let rm = rudder(&["repo", "remove", "t"], s.path(), &home);
    assert_eq!(
        stdout(&rm),
        "\"t\" has been removed from your repositories\n"
    );
    assert!(!home.join("cache/repository/t-index.yaml").exists());
    assert!(!home.join("cache/repository/t-charts.txt").exists());
}

#[test]
fn basic_auth_and_conditional_update() {
    let s = Scratch::new("auth");
    let server = sample_repo(&s, Some(("user", "s3cret")));
    let home = s.path().join("home");
    let denied = rudder(&["repo", "add", "a", &server.url], s.path(), &home);
    let e = one_line_error(&denied);
    assert!(
        e.contains("is not a valid chart repository or cannot be reached")
            && e.contains("401 Unauthorized"),
        "{e}"
    );
    assert!(!home.join("config/repositories.yaml").exists());
    ok(&rudder(
        &[
            "repo",
            "add",
            "a",
            &server.url,
            "--username",
            "user",
            "--password",
            "s3cret",
        ],
        s.path(),
        &home,
    ));
    let dest = s.path().join("d");
    std::fs::create_dir_all(&dest).unwrap();
    ok(&rudder(
        &["pull", "a/beta", "-d", dest.to_str().unwrap()],
        s.path(),
        &home,
    ));
    assert!(dest.join("beta-0.3.0.tgz").exists());

    let before = server
        .full_responses
        .load(std::sync::atomic::Ordering::Relaxed);
    let up = rudder(&["repo", "update"], s.path(), &home);
    ok(&up);
    assert_eq!(
        stdout(&up),
        "Hang tight while we grab the latest from your chart repositories...\n...Successfully got an update from the \"a\" chart repository\nUpdate Complete. ⎈Happy Helming!⎈\n"
    );
    // The index did not change since `repo add`, so updates are answered with 304.
    ok(&rudder(&["repo", "update", "a"], s.path(), &home));
    let count = || {
        server
            .full_responses
            .load(std::sync::atomic::Ordering::Relaxed)
    };
    assert_eq!(count(), before);
    // A changed index is downloaded again, and search sees the new chart.
    package_chart(&server.root, "gamma", "0.1.0", "Gamma");
    let out = rudder(
        &[
            "repo",
            "index",
            server.root.to_str().unwrap(),
            "--url",
            &server.url,
        ],
        s.path(),
        &s.path().join("ih"),
    );
    ok(&out);
    ok(&rudder(&["repo", "update", "a"], s.path(), &home));
    assert_eq!(count(), before + 1);
    assert!(stdout(&rudder(&["search", "repo", "gamma"], s.path(), &home)).contains("a/gamma"));
}

#[test]
fn bad_input_fails_cleanly() {
    let s = Scratch::new("bad");
    let server = sample_repo(&s, None);
    let home = s.path().join("home");
    let cwd = s.path();

    // Missing repositories.yaml.
    assert_eq!(
        one_line_error(&rudder(&["search", "repo", "x"], cwd, &home)),
        "Error: no repositories configured"
    );
    assert_eq!(
        one_line_error(&rudder(&["repo", "update"], cwd, &home)),
        "Error: no repositories found. You must add one before updating"
    );
    assert_eq!(
        one_line_error(&rudder(&["repo", "remove", "x"], cwd, &home)),
        "Error: no repositories configured"
    );
    assert_eq!(
        one_line_error(&rudder(&["pull", "nope/x"], cwd, &home)),
        "Error: repo nope not found"
    );

    // An index that cannot be written names the file (helm names its
    // temporary file beside it: `open DIR/index.yaml<random>: ...`).
    let missing = cwd.join("no-such-dir");
    let missing = missing.to_str().unwrap();
    assert_eq!(
        one_line_error(&rudder(&["repo", "index", missing], cwd, &home)),
        format!("Error: open {missing}/index.yaml: no such file or directory")
    );
    let merge = cwd.join("merge-me.yaml");
    std::fs::write(&merge, "apiVersion: v1\nentries: {}\n").unwrap();
    assert_eq!(
        one_line_error(&rudder(
            &["repo", "index", missing, "--merge", merge.to_str().unwrap()],
            cwd,
            &home
        )),
        format!("Error: open {missing}/index.yaml: no such file or directory")
    );

    // 404 and 500.
    let e = one_line_error(&rudder(
        &["repo", "add", "m", &format!("{}/missing", server.url)],
        cwd,
        &home,
    ));
    assert!(
        e.ends_with(&format!(
            "failed to fetch {}/missing/index.yaml : 404 Not Found",
            server.url
        )),
        "{e}"
    );
    assert!(!home.join("config/repositories.yaml").exists());
    ok(&rudder(&["repo", "add", "t", &server.url], cwd, &home));
    let config_before = std::fs::read(home.join("config/repositories.yaml")).unwrap();
    let index_before = std::fs::read(home.join("cache/repository/t-index.yaml")).unwrap();
    server
        .faults
        .lock()
        .unwrap()
        .status
        .insert("/index.yaml".into(), "500 Internal Server Error".into());
    let up = rudder(&["repo", "update"], cwd, &home);
    assert!(
        stdout(&up).contains("...Unable to get an update from the \"t\" chart repository"),
        "{}",
        stdout(&up)
    );
    assert_eq!(
        one_line_error(&up),
        format!(
            "Error: failed to update the following repositories: [{}]",
            server.url
        )
    );
    assert_eq!(
        std::fs::read(home.join("cache/repository/t-index.yaml")).unwrap(),
        index_before
    );
    server.faults.lock().unwrap().status.clear();

    // Name clash.
    let clash = rudder(
        &["repo", "add", "t", &format!("{}/other", server.url)],
        cwd,
        &home,
    );
    assert_eq!(
        one_line_error(&clash),
        "Error: repository name (t) already exists, please specify a different name"
    );
    assert_eq!(
        std::fs::read(home.join("config/repositories.yaml")).unwrap(),
        config_before
    );

    // Malformed index: refused on add, and named (repo + line) by search when cached.
    std::fs::write(server.root.join("bad").join("index.yaml"), "x").ok();
    std::fs::create_dir_all(server.root.join("bad")).unwrap();
    std::fs::write(
        server.root.join("bad/index.yaml"),
        "apiVersion: v1\nentries:\n  a: [\n",
    )
    .unwrap();
    let e = one_line_error(&rudder(
        &["repo", "add", "b", &format!("{}/bad", server.url)],
        cwd,
        &home,
    ));
    assert!(
        e.contains("error converting YAML to JSON: yaml: line"),
        "{e}"
    );
    assert_eq!(
        std::fs::read(home.join("config/repositories.yaml")).unwrap(),
        config_before
    );
    std::fs::write(
        home.join("cache/repository/t-index.yaml"),
        "apiVersion: v1\nentries: [\n",
    )
    .unwrap();
    let search = rudder(&["search", "repo", "alpha"], cwd, &home);
    assert!(
        stderr(&search).contains("msg=\"repo is corrupt or missing\" repo=t"),
        "{}",
        stderr(&search)
    );
    assert!(
        stderr(&search).contains("yaml: line"),
        "{}",
        stderr(&search)
    );
    std::fs::write(home.join("cache/repository/t-index.yaml"), &index_before).unwrap();

    // An index entry with a bad version is skipped with helm's warning.
    let with_bad = String::from_utf8(index_before.clone()).unwrap().replacen(
        "version: 0.3.0",
        "version: not-semver",
        1,
    );
    std::fs::write(home.join("cache/repository/t-index.yaml"), with_bad).unwrap();
    let search = rudder(&["search", "repo", "beta"], cwd, &home);
    assert!(
        stderr(&search).contains(
            "msg=\"skipping loading invalid entry for chart\" name=beta version=not-semver"
        ),
        "{}",
        stderr(&search)
    );
    std::fs::write(home.join("cache/repository/t-index.yaml"), &index_before).unwrap();

    // Digest mismatch: the served archive no longer matches the index.
    let dest = s.path().join("dest");
    std::fs::create_dir_all(&dest).unwrap();
    let real = std::fs::read(server.root.join("alpha-1.1.0.tgz")).unwrap();
    std::fs::copy(
        server.root.join("beta-0.3.0.tgz"),
        server.root.join("alpha-1.1.0.tgz"),
    )
    .unwrap();
    let e = one_line_error(&rudder(
        &["pull", "t/alpha", "-d", dest.to_str().unwrap()],
        cwd,
        &home,
    ));
    let want = rudder::repo::index_dir::digest_bytes(&real);
    let got = rudder::repo::index_dir::digest_bytes(
        &std::fs::read(server.root.join("beta-0.3.0.tgz")).unwrap(),
    );
    assert!(e.contains(&want) && e.contains(&got), "{e}");
    assert_eq!(std::fs::read_dir(&dest).unwrap().count(), 0);
    std::fs::write(server.root.join("alpha-1.1.0.tgz"), &real).unwrap();

    // Truncated download.
    server
        .faults
        .lock()
        .unwrap()
        .truncate
        .push("/beta-0.3.0.tgz".into());
    let e = one_line_error(&rudder(
        &["pull", "t/beta", "-d", dest.to_str().unwrap()],
        cwd,
        &home,
    ));
    assert!(e.contains("unexpected EOF") || e.contains("error"), "{e}");
    assert_eq!(std::fs::read_dir(&dest).unwrap().count(), 0);
}

#[test]
fn dependency_update_and_build() {
    let s = Scratch::new("deps");
    let server = sample_repo(&s, None);
    let home = s.path().join("home");
    ok(&rudder(&["repo", "add", "t", &server.url], s.path(), &home));
    let chart = s.path().join("app");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    let sub = s.path().join("sub");
    std::fs::create_dir_all(sub.join("templates")).unwrap();
    std::fs::write(
        sub.join("Chart.yaml"),
        "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        format!(
            "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n- name: alpha\n  version: ^1.0.0\n  repository: \"@t\"\n- name: beta\n  version: 0.x\n  repository: {}\n- name: sub\n  version: 0.1.0\n  repository: file://../sub\n",
            server.url
        ),
    )
    .unwrap();
    let up = rudder(
        &["dependency", "update", chart.to_str().unwrap()],
        s.path(),
        &home,
    );
    ok(&up);
    assert!(stdout(&up).contains("Saving 3 charts\n"), "{}", stdout(&up));
    let lock = std::fs::read_to_string(chart.join("Chart.lock")).unwrap();
    assert!(
        lock.contains("- name: alpha\n  repository: ") && lock.contains("version: 1.1.0"),
        "{lock}"
    );
    let req = vec![
        dep("alpha", "^1.0.0", &server.url),
        dep("beta", "0.x", &server.url),
        dep("sub", "0.1.0", "file://../sub"),
    ];
    let locked = vec![
        dep("alpha", "1.1.0", &server.url),
        dep("beta", "0.3.0", &server.url),
        dep("sub", "0.1.0", "file://../sub"),
    ];
    let digest = rudder::repo::dependency::hash_req(&req, &locked);
    assert!(
        lock.contains(&format!("digest: {digest}")),
        "{lock}\n{digest}"
    );
    for f in ["alpha-1.1.0.tgz", "beta-0.3.0.tgz", "sub-0.1.0.tgz"] {
        assert!(chart.join("charts").join(f).exists(), "{f}");
    }
    let list = rudder(
        &["dependency", "list", chart.to_str().unwrap()],
        s.path(),
        &home,
    );
    assert!(
        stdout(&list).contains("alpha\t^1.0.0 \t@t"),
        "{}",
        stdout(&list)
    );
    std::fs::remove_dir_all(chart.join("charts")).unwrap();
    ok(&rudder(
        &[
            "dependency",
            "build",
            chart.to_str().unwrap(),
            "--skip-refresh",
        ],
        s.path(),
        &home,
    ));
    assert!(chart.join("charts/beta-0.3.0.tgz").exists());
}

fn dep(name: &str, version: &str, repo: &str) -> rudder::chart::Dependency {
    rudder::chart::Dependency {
        name: name.into(),
        version: version.into(),
        repository: repo.into(),
        ..Default::default()
    }
}
