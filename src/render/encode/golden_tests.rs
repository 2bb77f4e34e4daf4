//! Byte-for-byte comparison with goldens produced by the real helm
//! (`testdata/encode/gen.py`): each case is a values file loaded with
//! [`parse_values`] and serialised by every encoder.

use std::path::PathBuf;

use crate::render::funcs::{serialization, FuncEnv, Registry};
use crate::value::Value;
use crate::values::yaml::parse_values;

/// Helm's coalescing drops null map entries before templates see them.
fn strip_nulls(v: &Value) {
    if let Value::Map(m) = v {
        m.entries.borrow_mut().retain(|_, x| !x.is_nil());
        for x in m.entries.borrow().values() {
            strip_nulls(x);
        }
    }
}

#[test]
fn goldens_from_helm() {
    // RUDDER_ENCODE_GOLDENS points at another cases/ + golden/ pair made
    // with the same script (e.g. from real charts' values files).
    let dir = match std::env::var_os("RUDDER_ENCODE_GOLDENS") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/encode"),
    };
    let mut reg = Registry::default();
    serialization::register(&mut reg);
    let mut failures = Vec::new();
    let mut cases = 0;
    for entry in std::fs::read_dir(dir.join("cases")).expect("cases dir") {
        let path = entry.expect("entry").path();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let src = std::fs::read_to_string(&path).expect("case");
        let golden: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("golden").join(format!("{name}.json")))
                .expect("golden"),
        )
        .expect("golden json");
        let golden = golden.as_object().expect("object");
        let values = match parse_values(&src) {
            Ok(v) => v,
            Err(e) => {
                if !golden.contains_key("error") {
                    failures.push(format!("{name}: unexpected load error {e}"));
                }
                continue;
            }
        };
        strip_nulls(&values);
        for (func, want) in golden {
            let Some(def) = reg.get(func) else { continue };
            cases += 1;
            let got = (def.f)(&mut FuncEnv::default(), std::slice::from_ref(&values));
            let got = match got {
                Ok(Value::String(s)) => s.to_string(),
                other => format!("{other:?}"),
            };
            if Some(got.as_str()) != want.as_str() {
                failures.push(format!(
                    "{name} {func}:\n--- want\n{}\n--- got\n{got}\n",
                    want.as_str().unwrap_or("")
                ));
            }
        }
    }
    assert!(cases > 0);
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
