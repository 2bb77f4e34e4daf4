use super::*;
use crate::render::encode::to_json;

fn json_of(src: &str) -> String {
    match parse_values(src) {
        Ok(v) => to_json(&v).unwrap(),
        Err(e) => format!("ERR {e}"),
    }
}

#[test]
fn helm_values_semantics() {
    assert_eq!(
        json_of("a: 1\nb: yes\nYes: on\n1: 2\nc: 0777\nd: 0x1F\ne: 1_000\nf: 2001-12-14\nh: [1, 1.5, 1e3, \"x\"]\n"),
        r#"{"1":2,"a":1,"b":true,"c":511,"d":31,"e":1000,"f":"2001-12-14","h":[1,1.5,1000,"x"],"true":true}"#
    );
    assert_eq!(json_of(""), "{}");
    assert_eq!(json_of("# only comment"), "{}");
    assert_eq!(json_of("a: 1\n---\nb: 2"), r#"{"a":1,"b":2}"#);
    assert_eq!(json_of("a: 1\na: 2"), r#"{"a":2}"#);
    assert_eq!(
        json_of("1.5: a\n1e3: b\n0o17: 1"),
        r#"{"1.5":"a","1000":"b","15":1}"#
    );
    assert_eq!(json_of("a: ~\n"), r#"{"a":null}"#);
}

#[test]
fn merges_and_anchors() {
    assert_eq!(json_of("a: 1\n<<: {a: 2, b: 3}"), r#"{"a":2,"b":3}"#);
    assert_eq!(
        json_of("x: &x {a: 1, b: 2}\ny: &y {b: 5, c: 6}\nz:\n  <<: [*x, *y]\n  c: 7"),
        r#"{"true":{"b":5,"c":6},"x":{"a":1,"b":2},"z":{"a":1,"b":2,"c":7}}"#
    );
    assert_eq!(
        json_of("a: &x 1\nb: *y"),
        "ERR cannot unmarshal yaml document: error converting YAML to JSON: yaml: unknown anchor 'y' referenced"
    );
}

#[test]
fn helm_error_texts() {
    let pre = "ERR cannot unmarshal yaml document: ";
    assert_eq!(
        json_of("- a\n- b"),
        format!("{pre}error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {{}}")
    );
    assert_eq!(
        json_of("hello"),
        format!("{pre}error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go value of type map[string]interface {{}}")
    );
    assert_eq!(
        json_of("a: .inf"),
        format!("{pre}error converting YAML to JSON: json: unsupported value: +Inf")
    );
    assert_eq!(
        json_of("~: 1"),
        format!("{pre}error converting YAML to JSON: unsupported map key of type: %!s(<nil>), key: <nil>, value: 1")
    );
    assert_eq!(
        json_of("[1,2]: a"),
        format!(
            "{pre}error converting YAML to JSON: yaml: invalid map key: []interface {{}}{{1, 2}}"
        )
    );
    assert_eq!(
        json_of("a: 1\n--- x\nb: 2\n"),
        "ERR error reading yaml document: invalid Yaml document separator: x"
    );
}

#[test]
fn syntax_errors_match_go_yaml() {
    let pre = "ERR cannot unmarshal yaml document: error converting YAML to JSON: yaml: ";
    assert_eq!(
        json_of("a: b\n c: d: e"),
        format!("{pre}line 2: mapping values are not allowed in this context")
    );
    assert_eq!(
        json_of("a: b\nc\nd: e"),
        format!("{pre}line 3: could not find expected ':'")
    );
    assert_eq!(
        json_of("a: [1"),
        format!("{pre}line 1: did not find expected ',' or ']'")
    );
    assert_eq!(
        json_of("a: \"x"),
        format!("{pre}line 2: found unexpected end of stream")
    );
}

#[test]
fn manifest_head() {
    let h = parse_manifest_head(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: 5\n  annotations:\n    x: 1\n",
    )
    .unwrap();
    assert_eq!(h.api_version, "v1");
    assert_eq!(h.kind, "Pod");
    let md = h.metadata.unwrap();
    assert_eq!(md.name, "5");
    assert_eq!(md.annotations.get("x").map(String::as_str), Some("1"));
    assert_eq!(
        parse_manifest_head("just a plain string\n").unwrap_err().to_string(),
        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go value of type util.SimpleHead"
    );
    assert_eq!(
        parse_manifest_head("KIND: [1]").unwrap_err().to_string(),
        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go struct field .KIND of type string"
    );
    assert_eq!(
        parse_manifest_head("kind: Pod\nmetadata:\n  annotations:\n    a/b: [1]\n")
            .unwrap_err()
            .to_string(),
        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go struct field .metadata.annotations.a~1b of type string"
    );
    assert_eq!(
        parse_manifest_head("kind: Pod\nmetadata:\n  annotations:\n    \"1\": [1]\n")
            .unwrap_err()
            .to_string(),
        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into .metadata.annotations.1 of type string"
    );
    assert_eq!(
        parse_manifest_head("a: b\nx: y: z").unwrap_err().to_string(),
        "error converting YAML to JSON: yaml: line 2: mapping values are not allowed in this context"
    );
}

/// Goldens from the real helm (`testdata/values-yaml/gen.py`).
#[test]
fn goldens_from_helm() {
    // RUDDER_VALUES_GOLDENS points at another cases/ + golden/ pair made
    // with the same script (e.g. mutated real values files).
    let dir = match std::env::var_os("RUDDER_VALUES_GOLDENS") {
        Some(d) => std::path::PathBuf::from(d),
        None => std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/values-yaml"),
    };
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(dir.join("cases")).expect("cases") {
        let path = entry.expect("entry").path();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let bytes = std::fs::read(&path).expect("case");
        let src = String::from_utf8_lossy(&bytes);
        let src = src.strip_prefix('\u{feff}').unwrap_or(&src);
        let want = std::fs::read_to_string(dir.join("golden").join(format!("{name}.txt")))
            .expect("golden");
        let want = want.trim_end_matches('\n');
        let got = match parse_values(src) {
            Ok(v) => {
                strip_nulls(&v);
                format!("ok {}", to_json(&v).unwrap())
            }
            Err(e) => format!("err cannot load values.yaml: {e}"),
        };
        if got != want {
            failures.push(format!("{name}:\n  want {want}\n  got  {got}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn strip_nulls(v: &Value) {
    if let Value::Map(m) = v {
        m.entries.borrow_mut().retain(|_, x| !x.is_nil());
        for x in m.entries.borrow().values() {
            strip_nulls(x);
        }
    }
}

#[test]
fn misindented_key_in_mapping() {
    assert_eq!(
        parse_values("replicaCount: 3\nimage:\n  repository: nginx\n   tag: bad-indent\n")
            .unwrap_err()
            .to_string(),
        "cannot unmarshal yaml document: error converting YAML to JSON: yaml: line 4: mapping values are not allowed in this context"
    );
}

#[test]
fn tabs_on_quoted_continuation_lines() {
    assert_eq!(
        to_json(&parse_values("b: \"multi\n\tline\"\nc: 'x\n\t y'\n").unwrap()).unwrap(),
        r#"{"b":"multi line","c":"x y"}"#
    );
}

#[test]
fn empty_block_scalars() {
    assert_eq!(
        to_json(&parse_values("a: |+\n\nb: 1\nc: |\n\nd: >+\n\n\ne: 1\n").unwrap()).unwrap(),
        r#"{"a":"\n","b":1,"c":"","d":"\n\n","e":1}"#
    );
}

#[test]
fn block_scalars_are_not_mistaken_for_quotes() {
    // A script in a literal block: `\/` and stray quotes are plain text.
    let src = "a: |\n  echo \"x\\/y\n  it's 'odd\n  \tindented\nb: \"q\\\"\"\n";
    assert_eq!(
        to_json(&parse_values(src).unwrap()).unwrap(),
        r#"{"a":"echo \"x\\/y\nit's 'odd\n\tindented\n","b":"q\""}"#
    );
    assert_eq!(
        parse_values("a: \"x\\/y\"\n").unwrap_err().to_string(),
        "cannot unmarshal yaml document: error converting YAML to JSON: yaml: found unknown escape character"
    );
}
