//! The bodies of rudder's fuzz targets, kept in a library so the libFuzzer
//! binaries in `fuzz_targets/` stay one line each and a crash can be
//! replayed from any harness.
//!
//! Every target runs its input on a thread with the CLI's stack: the engine
//! and the YAML composer are recursive and rely on their depth caps fitting
//! into that stack, which is exactly what the fuzzers check. A panic on that
//! thread aborts the process (libfuzzer-sys's panic hook), so libFuzzer
//! records it as a crash.

use rudder::render::engine::{Engine, EngineOptions};
use rudder::render::funcs::{standard_registry, FuncEnv, Registry};
use rudder::value::{MapData, Value};

/// The stack `src/main.rs` gives the CLI thread.
const CLI_STACK_BYTES: usize = 1 << 30;

fn on_cli_stack(f: impl FnOnce() + Send + 'static) {
    let handle = std::thread::Builder::new()
        .stack_size(CLI_STACK_BYTES)
        .spawn(f)
        .expect("spawn fuzz worker thread");
    if let Err(panic) = handle.join() {
        std::panic::resume_unwind(panic);
    }
}

/// (a) The lexer and the parser on arbitrary template text.
pub fn template_parse(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let text = text.to_string();
    on_cli_stack(move || {
        let _ = rudder::render::lex::lex(&text);
        let registry = standard_registry();
        let resolve = |name: &str| rudder::render::exec::resolve_in(&registry, name);
        let _ = rudder::render::parse::parse("fuzz/templates/t.yaml", &text, &resolve);
    });
}

/// Functions whose cost is driven by an argument (counts, widths, key
/// sizes, bcrypt/scrypt rounds) or that touch the outside world. Without
/// them a template's running time is bounded by the loops it spells out,
/// which [`within_budget`] bounds in turn.
const COSTLY_FUNCS: &[&str] = &[
    "until",
    "untilStep",
    "seq",
    "repeat",
    "indent",
    "nindent",
    "wrap",
    "wrapWith",
    "randAlpha",
    "randAlphaNum",
    "randAscii",
    "randNumeric",
    "randBytes",
    "mul",
    "mulf",
    "bcrypt",
    "htpasswd",
    "derivePassword",
    "genPrivateKey",
    "genCA",
    "genCAWithKey",
    "genSelfSignedCert",
    "genSelfSignedCertWithKey",
    "genSignedCert",
    "genSignedCertWithKey",
    "buildCustomCert",
    "getHostByName",
    "lookup",
];

/// The step budget for (b): the engine has no instruction counter (Helm
/// has none either), so inputs that could spell out huge loop counts or
/// deep loop nests are skipped: every run of digits is at most two long,
/// no exponent/hex suffix follows one, and at most three `range`s and
/// three template calls appear.
fn within_budget(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i - start > 2 {
                return false;
            }
            if i < b.len()
                && matches!(
                    b[i],
                    b'e' | b'E'
                        | b'x'
                        | b'X'
                        | b'p'
                        | b'P'
                        | b'o'
                        | b'O'
                        | b'b'
                        | b'B'
                        | b'_'
                        | b'.'
                )
            {
                return false;
            }
        } else {
            i += 1;
        }
    }
    let count = |w: &str| text.matches(w).count();
    count("range") <= 3 && count("template") + count("include") + count("tpl") + count("block") <= 3
}

/// The fixed, small context of (b).
fn context() -> Value {
    let values = rudder::values::yaml::parse_values(
        "name: demo\nreplicas: 3\nenabled: true\nratio: 1.5\nempty: \"\"\nlist: [a, b, c]\n\
         map: {k1: v1, k2: {deep: [1, 2]}}\nnested:\n  a:\n    b: c\nnullish: ~\n",
    )
    .expect("fixed values parse");
    let mut chart = MapData::new();
    chart.insert("Name".into(), Value::str("demo"));
    chart.insert("Version".into(), Value::str("0.1.0"));
    let mut release = MapData::new();
    release.insert("Name".into(), Value::str("rel"));
    release.insert("Namespace".into(), Value::str("default"));
    release.insert("IsInstall".into(), Value::Bool(true));
    let mut top = MapData::new();
    top.insert("Values".into(), values);
    top.insert("Chart".into(), Value::map(chart));
    top.insert("Release".into(), Value::map(release));
    top.insert(
        "Capabilities".into(),
        rudder::render::objects::Capabilities::for_template(None, &[]).to_value(),
    );
    Value::map(top)
}

fn fuzz_registry() -> Registry {
    let mut reg = standard_registry();
    for name in COSTLY_FUNCS {
        reg.remove(name);
    }
    reg
}

/// (b) Parse and execute arbitrary template text against a fixed context.
/// The text before the first NUL byte is a `_helpers.tpl` partial, the rest
/// the rendered file, so `define`/`include` across files is reached too.
pub fn template_render(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if !within_budget(text) {
        return;
    }
    let (helpers, main) = text.split_once('\0').unwrap_or(("", text));
    let (helpers, main) = (helpers.to_string(), main.to_string());
    on_cli_stack(move || {
        let env = FuncEnv {
            fixed_now: Some((1_700_000_000, 0)),
            rng_seed: Some(1),
            ..FuncEnv::default()
        };
        let engine = Engine::new(
            fuzz_registry(),
            EngineOptions {
                env,
                ..EngineOptions::default()
            },
        );
        let ctx = context();
        let files = [
            rudder::render::engine::TemplateFile {
                name: "demo/templates/_helpers.tpl".into(),
                source: helpers,
                context: ctx.clone(),
                base_path: "demo/templates".into(),
            },
            rudder::render::engine::TemplateFile {
                name: "demo/templates/x.yaml".into(),
                source: main,
                context: ctx,
                base_path: "demo/templates".into(),
            },
        ];
        if let Ok(out) = engine.render(&files) {
            // The rendered text feeds Helm's manifest splitting next.
            for content in out.values() {
                let _ = rudder::render::manifest::split_manifests(content);
            }
        }
    });
}

/// (c) The values YAML loader (also Chart.yaml, requirements.yaml, ...).
pub fn values_yaml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let text = text.to_string();
    on_cli_stack(move || {
        let _ = rudder::values::yaml::parse_values(&text);
        let _ = rudder::values::yaml::parse_documents(&text);
    });
}

/// (d) The chart archive loader on arbitrary bytes (gzip, tar, then every
/// file of the chart: Chart.yaml, values, dependencies, templates). Input
/// that is not gzip is gzipped first, so the fuzzer can also mutate an
/// uncompressed tar stream (seeds: `seed.sh` writes charts as plain tars)
/// instead of fighting gzip's checksums.
pub fn chart_archive(data: &[u8]) {
    let data = if data.starts_with(&[0x1f, 0x8b]) {
        data.to_vec()
    } else {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        if gz.write_all(data).is_err() {
            return;
        }
        match gz.finish() {
            Ok(v) => v,
            Err(_) => return,
        }
    };
    on_cli_stack(move || {
        let _ = rudder::chart::loader::load_archive_bytes(&data);
    });
}
