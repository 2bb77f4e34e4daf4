//! Hostile-input regressions: deep nesting, runaway recursion and alias
//! bombs must end in an error (helm's text where helm has one), never in a
//! panic, a stack overflow, a hang or unbounded memory. Cases found by the
//! fuzzers in `fuzz/` are pinned here deterministically.
//!
//! Every case runs on a thread with the stack the CLI gives its worker
//! thread, so a missing depth cap shows up as a crashed test binary rather
//! than depending on the test harness's small default stack.

use std::time::{Duration, Instant};

use rudder::render::engine::{Engine, EngineOptions};
use rudder::render::funcs::standard_registry;
use rudder::value::Value;
use rudder::values::yaml::parse_values;

/// The stack `src/main.rs` gives the CLI thread.
const CLI_STACK_BYTES: usize = 1 << 30;
/// Generous bound for one hostile input in a debug build on a busy machine.
const TIME_BUDGET: Duration = Duration::from_secs(20);

/// Runs `f` on a CLI-sized stack and checks it finished within the budget.
fn on_cli_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let start = Instant::now();
    let out = std::thread::Builder::new()
        .stack_size(CLI_STACK_BYTES)
        .spawn(f)
        .expect("spawn test thread")
        .join()
        .expect("no panic on hostile input");
    let took = start.elapsed();
    assert!(took < TIME_BUDGET, "took {took:?}");
    out
}

fn render(src: String, values: &str) -> Result<String, String> {
    let values = values.to_string();
    on_cli_stack(move || {
        let vals = parse_values(&values).map_err(|e| e.to_string())?;
        let mut top = rudder::value::MapData::new();
        top.insert("Values".to_string(), vals);
        let engine = Engine::new(standard_registry(), EngineOptions::default());
        engine
            .render_string("t/templates/x.yaml", &src, Value::map(top))
            .map_err(|e| e.to_string())
    })
}

/// Loads a values file; on success, the number of top-level keys.
fn values(src: String) -> Result<usize, String> {
    on_cli_stack(move || {
        parse_values(&src)
            .map(|v| v.as_map().map_or(0, |m| m.entries.borrow().len()))
            .map_err(|e| e.to_string())
    })
}

fn expect_err(r: Result<String, String>, needle: &str) {
    match r {
        Ok(out) => panic!(
            "expected an error containing {needle:?}, got output of {} bytes",
            out.len()
        ),
        Err(e) => assert!(e.contains(needle), "error {e:?} lacks {needle:?}"),
    }
}

// ---- values YAML ----

/// "Billion laughs": six levels of nine-fold aliases (531441 leaves). go-yaml refuses it by
/// its alias-expansion ratio; rudder used to expand it until memory ran out.
#[test]
fn yaml_alias_bomb_is_refused() {
    let mut src = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut prev = 'a';
    for c in "bcdef".chars() {
        let refs = vec![format!("*{prev}"); 9].join(",");
        src.push_str(&format!("{c}: &{c} [{refs}]\n"));
        prev = c;
    }
    let err = values(src).expect_err("alias bomb must fail");
    assert_eq!(
        err,
        "cannot unmarshal yaml document: error converting YAML to JSON: yaml: document contains excessive aliasing"
    );
}

/// A small bomb (fan-out 4, depth 3) is ordinary use and still loads.
#[test]
fn yaml_moderate_aliasing_loads() {
    let mut src = String::from("a: &a [1, 2, 3, 4]\n");
    let mut prev = 'a';
    for c in "bcd".chars() {
        let refs = vec![format!("*{prev}"); 4].join(",");
        src.push_str(&format!("{c}: &{c} [{refs}]\n"));
        prev = c;
    }
    for i in 0..300 {
        src.push_str(&format!("k{i}:\n  <<: {{x: 1}}\n  v: *a\n"));
    }
    assert_eq!(values(src), Ok(304));
}

#[test]
fn yaml_deep_flow_sequence_is_an_error() {
    let n = 100_000;
    let src = format!("a: {}{}\n", "[".repeat(n), "]".repeat(n));
    let err = values(src).expect_err("too deep");
    assert!(
        err.contains("recursion limit exceeded") || err.contains("exceeded"),
        "{err}"
    );
}

#[test]
fn yaml_unclosed_deep_flow_is_an_error() {
    let src = format!("a: {}\n", "[{a: ".repeat(50_000));
    values(src).expect_err("unclosed, too deep");
}

#[test]
fn yaml_deep_block_nesting_is_an_error_or_value() {
    // Block indentation nesting: each level is two more spaces.
    let mut src = String::new();
    for i in 0..2000 {
        src.push_str(&" ".repeat(2 * i));
        src.push_str("a:\n");
    }
    src.push_str(&" ".repeat(4000));
    src.push_str("b: 1\n");
    // Either outcome is acceptable; it must simply not crash or hang.
    let _ = values(src);
}

#[test]
fn yaml_self_referencing_anchor_is_an_error() {
    let err = values("a: &x\n  b: *x\n".to_string()).expect_err("cycle");
    assert!(
        err.ends_with("yaml: anchor 'x' value contains itself"),
        "{err}"
    );
}

// ---- templates ----

#[test]
fn template_deep_parentheses_are_a_parse_error() {
    let n = 100_000;
    let src = format!("{{{{{}1{}}}}}", "(".repeat(n), ")".repeat(n));
    expect_err(render(src, ""), "max expression depth exceeded");
}

#[test]
fn template_unclosed_parentheses_are_a_parse_error() {
    let src = format!("{{{{{}", "(".repeat(100_000));
    expect_err(render(src, ""), "parse error");
}

#[test]
fn template_deep_if_nesting_is_a_parse_error() {
    let n = 100_000;
    let src = format!("{}x{}", "{{if 1}}".repeat(n), "{{end}}".repeat(n));
    expect_err(render(src, ""), "max nesting depth exceeded");
}

#[test]
fn template_deep_range_with_nesting_is_a_parse_error() {
    let n = 50_000;
    let src = format!(
        "{}x{}",
        "{{range .Values.l}}{{with .}}".repeat(n),
        "{{end}}{{end}}".repeat(n)
    );
    expect_err(render(src, "l: [1]\n"), "max nesting depth exceeded");
}

#[test]
fn template_self_template_is_capped() {
    let src = r#"{{define "a"}}{{template "a" .}}{{end}}{{template "a" .}}"#.to_string();
    expect_err(render(src, ""), "exceeded maximum template depth (100000)");
}

#[test]
fn template_self_include_is_capped() {
    let src = r#"{{define "a"}}{{include "a" .}}{{end}}{{include "a" .}}"#.to_string();
    expect_err(render(src, ""), "error calling include");
}

#[test]
fn template_mutual_include_is_capped() {
    let src = r#"{{define "a"}}{{include "b" .}}{{end}}{{define "b"}}{{include "a" .}}{{end}}{{include "a" .}}"#
        .to_string();
    expect_err(render(src, ""), "error calling include");
}

#[test]
fn template_tpl_recursion_is_capped() {
    let src = "{{ tpl .Values.s . }}".to_string();
    expect_err(
        render(src, "s: \"{{ tpl .Values.s . }}\"\n"),
        "error calling tpl",
    );
}

#[test]
fn template_recursive_define_in_tpl_is_capped() {
    let src = r#"{{ tpl "{{define \"z\"}}{{template \"z\" .}}{{end}}{{template \"z\" .}}" . }}"#
        .to_string();
    expect_err(render(src, ""), "error calling tpl");
}

#[test]
fn template_long_pipeline_chain_renders() {
    // Long but flat: 20k pipeline stages must not recurse per stage.
    let src = format!("{{{{ 1{} }}}}", " | toString".repeat(20_000));
    let out = render(src, "").expect("renders");
    assert_eq!(out, "1");
}

#[test]
fn template_many_variables_render() {
    let mut src = String::new();
    for i in 0..5000 {
        src.push_str(&format!("{{{{$v{i} := {i}}}}}"));
    }
    src.push_str("{{$v4999}}");
    assert_eq!(render(src, "").expect("renders"), "4999");
}

// ---- chart archives ----

fn load_bytes(data: Vec<u8>) -> Result<(), String> {
    on_cli_stack(move || {
        rudder::chart::loader::load_archive_bytes(&data)
            .map(|_| ())
            .map_err(|e| e.to_string())
    })
}

#[test]
fn archive_garbage_is_an_error() {
    for data in [
        Vec::new(),
        b"\x1f\x8b".to_vec(),
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff".to_vec(),
        vec![0u8; 4096],
        b"not a chart at all".to_vec(),
    ] {
        load_bytes(data).expect_err("garbage is not a chart");
    }
}

#[test]
fn archive_truncated_real_chart_is_an_error() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    {
        let mut tar = tar::Builder::new(&mut gz);
        let chart_yaml = b"apiVersion: v2\nname: t\nversion: 0.1.0\n";
        let mut h = tar::Header::new_gnu();
        h.set_size(chart_yaml.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        tar.append_data(&mut h, "t/Chart.yaml", &chart_yaml[..])
            .unwrap();
        tar.finish().unwrap();
    }
    let full = gz.finish().unwrap();
    load_bytes(full.clone()).expect("the complete archive loads");
    for cut in [full.len() / 2, full.len() - 4, 12] {
        let _ = load_bytes(full[..cut].to_vec());
    }
}

/// Data nested 100k deep, built by a template loop (YAML's own depth cap
/// does not apply): copying, comparing and dropping it must not overflow
/// the CLI's stack.
#[test]
fn template_deeply_nested_data_survives() {
    let build = r#"{{$d := dict}}{{range until 100000}}{{$d = dict "a" $d}}{{end}}"#;
    let src = format!(
        "{build}{{{{ deepCopy $d | len }}}} {{{{ eq (toString $d) \"x\" }}}} {{{{ empty $d }}}}"
    );
    let out = render(src, "").expect("renders");
    assert_eq!(out, "1 false false");
}

/// Printing nested data as `%v` (helm prints 700005 bytes for 100k levels;
/// rudder's printer stops at 10000 levels with `...` to survive maps that
/// contain themselves, so this pins a depth below that cap).
#[test]
fn template_deeply_nested_data_prints() {
    let build = r#"{{$d := dict}}{{range until 9000}}{{$d = dict "a" $d}}{{end}}"#;
    let out = render(format!("{build}{{{{ $d | toString | len }}}}"), "").expect("renders");
    assert_eq!(out, "63005");
}

/// Deeply nested JSON and YAML text given to `fromJson`/`fromYaml` is an
/// error value or an error, never a crash.
#[test]
fn template_from_deep_text_survives() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    for f in ["fromJson", "fromJsonArray", "fromYaml", "fromYamlArray"] {
        let _ = render(format!("{{{{ {f} \"{deep}\" }}}}"), "");
    }
}
