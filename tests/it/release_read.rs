//! The read-side commands and their flags against releases in several states,
//! byte for byte against the real helm 4 on the same test API server:
//! `list` (filters, sorting, paging, formats), `status` (`--revision`,
//! `--show-resources`), `history`, `get all|hooks|manifest|values|notes|metadata`,
//! `test --logs --filter`, and `uninstall --cascade/--ignore-not-found/--wait`.

use super::release_support::TestCluster;

/// Ages (`5s`, `2m3s`, `1h`) and ANSIC times vary between two runs: mask them.
fn mask_times(text: &str) -> String {
    let age = |w: &str| {
        let w = w.trim_end_matches(['s', 'm', 'h', 'd']);
        !w.is_empty()
            && w.chars().next().is_some_and(|c| c.is_ascii_digit())
            && w.chars().all(|c| c.is_ascii_alphanumeric())
    };
    text.lines()
        .map(|line| {
            if line.starts_with("Last Started:")
                || line.starts_with("Last Completed:")
                || line.starts_with("LAST DEPLOYED:")
            {
                return line.split(':').next().unwrap_or("").to_string();
            }
            line.split(' ')
                .map(|w| if age(w) && w.len() <= 6 { "AGE" } else { w })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn read_commands_match_helm() {
    let Some(c) = TestCluster::start(&[]) else {
        return;
    };
    if c.helm(&["version"]).is_none() {
        eprintln!("skipping: helm is not installed");
        return;
    }
    let chart = c.app_chart("app", "0.1.0");
    let chart = chart.to_str().unwrap();
    let chart2 = c.app_chart("app2", "0.2.0");
    let chart2 = chart2.to_str().unwrap();
    c.helm(&["install", "rel-a", chart]).unwrap().ok();
    c.rudder(&["install", "rel-b", chart, "--labels", "team=x"])
        .ok();
    c.rudder(&["upgrade", "rel-b", chart2, "--set", "replicas=2"])
        .ok();
    c.helm(&[
        "install",
        "rel-c",
        chart,
        "-n",
        "other",
        "--create-namespace",
    ])
    .unwrap()
    .ok();
    c.rudder(&["install", "rel-d", chart]).ok();
    c.rudder(&["uninstall", "rel-d", "--keep-history"]).ok();
    c.faults(r#"[{"method": "PATCH", "path": "/deployments/rel-e$", "status": 500}]"#);
    assert_eq!(c.rudder(&["install", "rel-e", chart]).code, 1);
    c.faults("[]");

    let cases: Vec<Vec<&str>> = vec![
        vec!["list"],
        vec!["list", "-A"],
        vec!["list", "--all"],
        vec!["list", "-a", "--date"],
        vec!["list", "-a", "--reverse"],
        vec!["list", "-a", "-d", "-r"],
        vec!["list", "-a", "--max", "2"],
        vec!["list", "-a", "--max", "2", "--offset", "1"],
        vec!["list", "-a", "--offset", "9"],
        vec!["list", "-a", "--short"],
        vec!["list", "-a", "--no-headers"],
        vec!["list", "-a", "-o", "json"],
        vec!["list", "-a", "-o", "yaml"],
        vec!["list", "--uninstalled"],
        vec!["list", "--failed"],
        vec!["list", "--superseded"],
        vec!["list", "--deployed", "-A"],
        vec!["list", "-l", "team=x"],
        vec!["list", "-a", "--filter", "rel-[bd]"],
        vec!["list", "-A", "--time-format", "2006-01-02"],
        vec!["history", "rel-b"],
        vec!["history", "rel-b", "--max", "1", "-o", "yaml"],
        vec!["history", "rel-e", "-o", "json"],
        vec!["status", "rel-b"],
        vec!["status", "rel-b", "--revision", "1"],
        vec!["status", "rel-b", "--show-resources"],
        vec!["status", "rel-c", "-n", "other", "--show-resources"],
        vec!["status", "rel-b", "-o", "json"],
        vec!["status", "rel-d"],
        vec!["status", "rel-e"],
        vec!["get", "all", "rel-b"],
        vec!["get", "hooks", "rel-b"],
        vec!["get", "hooks", "rel-b", "--revision", "1"],
        vec!["get", "manifest", "rel-b", "--revision", "1"],
        vec!["get", "values", "rel-b", "-o", "yaml"],
        vec!["get", "values", "rel-b", "--all", "-o", "json"],
        vec!["get", "notes", "rel-a"],
        vec!["get", "metadata", "rel-b", "-o", "yaml"],
        vec!["get", "all", "nope"],
        vec!["status", "rel-b", "--revision", "7"],
    ];
    for args in cases {
        let h = c.helm(&args).unwrap();
        let r = c.rudder(&args);
        assert_eq!(r.code, h.code, "{args:?}\nrudder: {}", r.stderr);
        // helm prints the RESOURCES tables of `status` in map order (random),
        // each header only when the columns change: compare those as line sets.
        let tables = args[0] == "status" && !args.contains(&"-o");
        let norm = |s: &str| {
            let s = mask_times(s);
            if !tables {
                return s;
            }
            let mut lines: Vec<&str> = s.lines().filter(|l| !l.starts_with("NAME ")).collect();
            lines.sort();
            lines.join("\n")
        };
        assert_eq!(norm(&r.stdout), norm(&h.stdout), "{args:?}");
        assert_eq!(r.stderr, h.stderr, "{args:?}");
    }

    // `test`: helm on rel-a, rudder on its twin rel-b (names swapped back).
    for args in [
        vec!["test", "REL", "--logs"],
        vec!["test", "REL", "--filter", "name=REL-test"],
        vec!["test", "REL", "--filter", "!name=REL-test"],
    ] {
        let with =
            |name: &str| -> Vec<String> { args.iter().map(|a| a.replace("REL", name)).collect() };
        let ha = with("rel-a");
        let ra = with("rel-b");
        let h = c
            .helm(&ha.iter().map(String::as_str).collect::<Vec<_>>())
            .unwrap();
        let r = c.rudder(&ra.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(r.code, h.code, "{args:?}\n{}", r.stderr);
        let norm = |s: &str| {
            mask_times(s)
                .replace("rel-b", "rel-a")
                .replace("REVISION: 2", "REVISION: 1")
                .replace("Upgrade complete", "Install complete")
        };
        assert_eq!(norm(&r.stdout), norm(&h.stdout), "{args:?}");
    }

    // uninstall flags: same output, same objects left.
    for args in [
        vec!["uninstall", "nope"],
        vec!["uninstall", "nope", "--ignore-not-found"],
        vec!["uninstall", "REL", "--cascade", "sideways"],
        vec![
            "uninstall",
            "REL",
            "--cascade",
            "orphan",
            "--keep-history",
            "--wait",
        ],
    ] {
        let h = c
            .helm(
                &args
                    .iter()
                    .map(|a| a.replace("REL", "rel-a"))
                    .collect::<Vec<_>>()
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>(),
            )
            .unwrap();
        let r = c.rudder(
            &args
                .iter()
                .map(|a| a.replace("REL", "rel-b"))
                .collect::<Vec<_>>()
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        );
        assert_eq!(r.code, h.code, "{args:?}\n{}", r.stderr);
        assert_eq!(r.stdout.replace("rel-b", "rel-a"), h.stdout, "{args:?}");
        assert_eq!(r.stderr.replace("rel-b", "rel-a"), h.stderr, "{args:?}");
    }
    // `--cascade orphan` leaves the Deployment's ReplicaSets in place.
    let rs = c.http("GET", "/apis/apps/v1/namespaces/default/replicasets", "");
    assert!(rs.contains("\"rel-a-") && rs.contains("\"rel-b-"), "{rs}");
}
