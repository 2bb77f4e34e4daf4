//! rudder and the real helm sharing one config and cache: helm adds and
//! rudder searches and pulls; rudder adds and helm searches and pulls.
//! The helm binary is `$HELM_BIN`, else `.helm-oracle/helm`, else
//! `/work/helm-bin/helm`; without one the test is skipped with a note.

use std::path::PathBuf;

use super::repo_support::*;

fn helm_bin() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    [
        std::env::var_os("HELM_BIN").map(PathBuf::from),
        Some(root.join(".helm-oracle/helm")),
        Some(PathBuf::from("/work/helm-bin/helm")),
    ]
    .into_iter()
    .flatten()
    .find(|p| p.is_file())
}

#[test]
fn helm_and_rudder_share_repositories() {
    let Some(helm) = helm_bin() else {
        println!("skipped: no helm binary (HELM_BIN, .helm-oracle/helm, /work/helm-bin/helm)");
        return;
    };
    let s = Scratch::new("interop");
    let server = sample_repo(&s, None);
    let home = s.path().join("home");
    let cwd = s.path();
    let run_helm = |args: &[&str]| command(&helm, args, cwd, &home).output().expect("run helm");

    // helm adds, rudder searches and pulls.
    let added = run_helm(&["repo", "add", "h", &server.url]);
    assert!(added.status.success(), "{}", stderr(&added));
    for args in [
        vec!["search", "repo", "alpha"],
        vec!["search", "repo", "h/", "--versions", "--devel"],
        vec!["search", "repo", "-r", "^h/b", "-o", "json"],
        vec!["repo", "list", "-o", "yaml"],
    ] {
        let h = run_helm(&args);
        let r = rudder(&args, cwd, &home);
        assert_eq!(stdout(&r), stdout(&h), "{args:?}");
        assert_eq!(r.status.code(), h.status.code(), "{args:?}");
    }
    let dest = s.path().join("r-pull");
    std::fs::create_dir_all(&dest).unwrap();
    let r = rudder(
        &["pull", "h/alpha", "-d", dest.to_str().unwrap()],
        cwd,
        &home,
    );
    assert!(r.status.success(), "{}", stderr(&r));
    assert!(dest.join("alpha-1.1.0.tgz").exists());

    // rudder adds, helm searches and pulls.
    let r = rudder(&["repo", "add", "r", &server.url], cwd, &home);
    assert!(r.status.success(), "{}", stderr(&r));
    let h = run_helm(&["search", "repo", "r/"]);
    assert_eq!(
        stdout(&h),
        stdout(&rudder(&["search", "repo", "r/"], cwd, &home))
    );
    assert!(stdout(&h).contains("r/alpha"), "{}", stdout(&h));
    let hdest = s.path().join("h-pull");
    std::fs::create_dir_all(&hdest).unwrap();
    let h = run_helm(&["pull", "r/beta", "-d", hdest.to_str().unwrap()]);
    assert!(h.status.success(), "{}", stderr(&h));
    assert!(hdest.join("beta-0.3.0.tgz").exists());

    // Both update and remove in the shared files.
    let h = run_helm(&["repo", "update", "r"]);
    assert!(h.status.success(), "{}", stderr(&h));
    let r = rudder(&["repo", "remove", "h"], cwd, &home);
    assert!(r.status.success(), "{}", stderr(&r));
    let h = run_helm(&["repo", "list"]);
    assert_eq!(stdout(&h), stdout(&rudder(&["repo", "list"], cwd, &home)));
    assert!(!stdout(&h).contains("h \t"));
}
