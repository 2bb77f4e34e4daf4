//! The fast path of the YAML front end: yaml-rust2's events decoded straight
//! into the final [`Value`] (or, for a rendered manifest, only into its
//! [`ManifestHead`]), without the composed node tree and the go-yaml tree.
//!
//! Those intermediate trees exist to reproduce go-yaml's handling of
//! anchors, aliases, merge keys, explicit tags, duplicate keys and its many
//! error cases. Almost every document Helm reads (values files, Chart.yaml,
//! rendered manifests) uses none of that, and on this workload every freshly
//! touched page costs more than the work itself, so building three trees per
//! document is most of the YAML cost. The fast path therefore handles only
//! the plain cases and answers `None` ("ask the full path") the moment it
//! meets anything else: an anchor, alias, tag, merge key, null or unusual
//! key, a duplicate key, a value JSON cannot hold, any syntax error, or one
//! of the input shapes where `compose` corrects yaml-rust2 towards libyaml.
//! Because it reads the very same event stream as `compose`, stopping after
//! the same root node, a document it accepts decodes exactly as the full
//! path decodes it; the tests check that on many inputs.

use std::collections::BTreeMap;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::TScalarStyle;

use super::comment_lines::blank_comment_lines;
use super::manifest::{ManifestHead, ManifestMetadata};
use super::resolve::{may_resolve_to_non_string, resolve_plain, GoYaml};
use crate::render::encode::float::format_float;
use crate::value::Value;

/// The event source, with every scan error turned into "use the full path"
/// (which reproduces go-yaml's error text).
struct Events<'a> {
    parser: Parser<std::str::Chars<'a>>,
    /// The text ends in an unterminated, indented line (see [`prepare`]).
    unterminated: bool,
    /// The last node started so far is a block scalar ending in a line
    /// break: when the document ends there, compose drops that break.
    last_block: bool,
}

impl<'a> Events<'a> {
    fn new(src: &'a str, unterminated: bool) -> Self {
        Events {
            parser: Parser::new_from_str(src),
            unterminated,
            last_block: false,
        }
    }

    fn next(&mut self) -> Option<Event> {
        let ev = self.parser.next_token().ok()?.0;
        match &ev {
            Event::Scalar(v, style, ..) => {
                self.last_block = is_block(*style) && v.ends_with('\n');
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => self.last_block = false,
            _ => {}
        }
        Some(ev)
    }

    /// Whether the document read so far would get compose's
    /// unterminated-block fix (which the fast path does not apply).
    fn needs_block_fix(&self) -> bool {
        self.unterminated && self.last_block
    }
}

fn is_block(style: TScalarStyle) -> bool {
    matches!(style, TScalarStyle::Literal | TScalarStyle::Folded)
}

/// Bytes `prepare` looks at more closely: control characters, DEL, tab and
/// everything non-ASCII. (Arithmetic rather than a table, so the block test
/// below compiles to vector code.)
#[inline]
fn special(b: u8) -> bool {
    (b.wrapping_sub(0x20) >= 0x5f) & (b != b'\n') & (b != b'\r')
}

/// `src` as `compose_first` would parse it, and whether it ends in an
/// unterminated indented line; `None` when the text has one of the shapes
/// `compose` treats specially on its way to a result (left to it).
fn prepare(src: &str) -> Option<(&str, bool)> {
    // Same trimming of an unterminated last line of spaces as compose_first.
    let src = match src.rsplit_once('\n') {
        Some((head, tail)) if !tail.is_empty() && tail.bytes().all(|b| b == b' ') => {
            &src[..head.len() + 1]
        }
        _ => src,
    };
    let bytes = src.as_bytes();
    // Control characters (an error), tabs at line starts (libyaml rejects
    // them, yaml-rust2 does not) and `\\/` escapes (go-yaml v2 rejects them).
    // Usual text has none of those bytes: a branch-free pass per block finds
    // that quickly, the byte-wise pass runs only for blocks that have one.
    let mut non_ascii = false;
    for (n, block) in bytes.chunks(64).enumerate() {
        if !block.iter().fold(false, |acc, &b| acc | special(b)) {
            continue;
        }
        let base = n * 64;
        for (j, &b) in block.iter().enumerate() {
            let i = base + j;
            if !special(b) {
                continue;
            }
            match b {
                b'\t' => {
                    if i == 0 || bytes[i - 1] == b'\n' {
                        return None;
                    }
                }
                0x80.. => non_ascii = true,
                _ => return None,
            }
        }
    }
    if src.contains("\\/") {
        return None;
    }
    if super::syntax_error::leading_document_end(src).is_some() {
        return None;
    }
    // A root flow collection with more on its line: go-yaml's potential
    // key there decides what it reads (see `root_key_quirks`).
    if super::root_key_quirks::flow_root(src).is_some() {
        return None;
    }
    if non_ascii && src.chars().any(|c| !readable_non_ascii(c)) {
        return None;
    }
    // compose removes the final line break of a block scalar that ends on
    // an unterminated last line (see [`Events::needs_block_fix`]).
    let last_line = src.rsplit('\n').next().unwrap_or("");
    let last_content = last_line.trim();
    let unterminated =
        last_line.starts_with(' ') && !last_content.is_empty() && !last_content.starts_with('#');
    Some((src, unterminated))
}

/// Non-ASCII characters libyaml's reader accepts (see compose's list).
fn readable_non_ascii(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{7e}')
        || matches!(c, '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}')
        || c as u32 >= 0x10000
}

/// The root event of the first document, positioned as compose_events
/// finds it. `Ok(None)` for a stream without documents or an empty
/// document (both decode to nil); `Err(())` when the full path is needed.
fn root_event(events: &mut Events) -> Result<Option<Event>, ()> {
    loop {
        match events.next().ok_or(())? {
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => continue,
            Event::StreamEnd => return Ok(None),
            Event::DocumentStart => {
                return match events.next().ok_or(())? {
                    Event::DocumentEnd => Ok(None),
                    // A root scalar is not a mapping (and a plain one makes
                    // compose look further ahead): not the fast path's job.
                    Event::Scalar(..) => Err(()),
                    ev => Ok(Some(ev)),
                };
            }
            Event::Scalar(..) => return Err(()),
            ev => return Ok(Some(ev)),
        }
    }
}

/// What a plain scalar resolves to, when the fast path can represent it.
/// `None` for the non-finite floats JSON refuses.
fn plain_value(s: String) -> Option<Value> {
    if s.is_empty() {
        return Some(Value::Nil);
    }
    if !may_resolve_to_non_string(&s) {
        return Some(Value::string(s));
    }
    Some(match resolve_plain(&s) {
        GoYaml::Null => Value::Nil,
        GoYaml::Bool(b) => Value::Bool(b),
        GoYaml::Int(i) => Value::Float(i as f64),
        GoYaml::Uint(u) => Value::Float(u as f64),
        GoYaml::Big(f) | GoYaml::Float(f) => {
            if !f.is_finite() {
                return None;
            }
            Value::Float(f)
        }
        _ => Value::string(s),
    })
}

/// A scalar map key as sigs.k8s.io/yaml turns it into a JSON key, when that
/// is simple: `None` for merge keys, null keys, unsigned and non-finite
/// keys (errors or special cases of the full path).
fn key_text(value: String, style: TScalarStyle) -> Option<String> {
    if !matches!(style, TScalarStyle::Plain) {
        return Some(value);
    }
    if value.is_empty() || value == "<<" {
        return None;
    }
    if !may_resolve_to_non_string(&value) {
        return Some(value);
    }
    match resolve_plain(&value) {
        GoYaml::Str(_) => Some(value),
        GoYaml::Bool(b) => Some(b.to_string()),
        GoYaml::Int(i) => Some(i.to_string()),
        GoYaml::Float(f) if f.is_finite() => Some(format_float(f, 'g', true)),
        _ => None,
    }
}

/// Whether a plain scalar in value position is one JSON cannot hold.
fn non_finite(s: &str) -> bool {
    matches!(s.as_bytes().first(), Some(b'.' | b'+' | b'-'))
        && matches!(resolve_plain(s), GoYaml::Float(f) if !f.is_finite())
}

/// An empty block scalar, which compose adjusts (libyaml keeps its line
/// breaks only with the `+` indicator).
fn adjusted_block(value: &str, style: TScalarStyle) -> bool {
    is_block(style) && !value.is_empty() && value.bytes().all(|b| b == b'\n')
}

/// Decodes one node into a [`Value`]; `None` means "use the full path".
fn value(events: &mut Events, ev: Event) -> Option<Value> {
    match ev {
        Event::Scalar(v, style, anchor, tag) => {
            if anchor > 0 || tag.is_some() || adjusted_block(&v, style) {
                return None;
            }
            if matches!(style, TScalarStyle::Plain) {
                plain_value(v)
            } else {
                Some(Value::string(v))
            }
        }
        Event::SequenceStart(0, None) => {
            let mut items = Vec::new();
            loop {
                match events.next()? {
                    Event::SequenceEnd => break,
                    ev => items.push(value(events, ev)?),
                }
            }
            Some(Value::list(items))
        }
        Event::MappingStart(0, None) => {
            let mut map = BTreeMap::new();
            loop {
                let key = match events.next()? {
                    Event::MappingEnd => break,
                    Event::Scalar(k, style, 0, None) => key_text(k, style)?,
                    _ => return None,
                };
                let ev = events.next()?;
                let v = value(events, ev)?;
                if map.insert(key, v).is_some() {
                    // Duplicate keys: Go map identity decides which wins.
                    return None;
                }
            }
            Some(Value::map(map))
        }
        _ => None,
    }
}

/// Reads past one node, checking what the full path would reject about it.
fn skip(events: &mut Events, ev: Event) -> Option<()> {
    match ev {
        Event::Scalar(v, style, anchor, tag) => {
            if anchor > 0 || tag.is_some() {
                return None;
            }
            if matches!(style, TScalarStyle::Plain) && non_finite(&v) {
                return None;
            }
            Some(())
        }
        Event::SequenceStart(0, None) => loop {
            match events.next()? {
                Event::SequenceEnd => return Some(()),
                ev => skip(events, ev)?,
            }
        },
        Event::MappingStart(0, None) => loop {
            match events.next()? {
                Event::MappingEnd => return Some(()),
                Event::Scalar(k, style, 0, None) => {
                    key_text(k, style)?;
                }
                _ => return None,
            }
            let ev = events.next()?;
            skip(events, ev)?;
        },
        _ => None,
    }
}

/// A scalar for a Go string field, as sigs.k8s.io/yaml coerces it: `Ok(None)`
/// for null (the field keeps its value); `None` (outer) for the full path.
fn string_field(events: &mut Events) -> Option<Option<String>> {
    let Event::Scalar(v, style, 0, None) = events.next()? else {
        return None;
    };
    if adjusted_block(&v, style) || events.unterminated && is_block(style) {
        return None;
    }
    if !matches!(style, TScalarStyle::Plain) {
        return Some(Some(v));
    }
    Some(Some(match resolve_plain(&v) {
        GoYaml::Null => return Some(None),
        GoYaml::Str(_) => v,
        GoYaml::Bool(b) => b.to_string(),
        GoYaml::Int(i) => i.to_string(),
        GoYaml::Uint(u) => u.to_string(),
        GoYaml::Float(f) | GoYaml::Big(f) if f.is_finite() => format_float(f, 'g', true),
        _ => return None,
    }))
}

/// The keys of a struct-bound mapping: `Some(Some(name))` for a field of
/// the struct, `Some(None)` for any other key, `None` (outer) for the full
/// path (a key matching a field only case-insensitively, or a field given
/// twice).
fn field_key<'f>(
    key: String,
    fields: &[&'f str],
    seen: &mut Vec<&'f str>,
) -> Option<Option<&'f str>> {
    if let Some(f) = fields.iter().find(|f| **f == key) {
        if seen.contains(f) {
            return None;
        }
        seen.push(f);
        return Some(Some(f));
    }
    if fields.iter().any(|f| f.eq_ignore_ascii_case(&key)) {
        return None;
    }
    Some(None)
}

fn metadata(events: &mut Events, head: &mut ManifestHead) -> Option<()> {
    match events.next()? {
        Event::Scalar(v, TScalarStyle::Plain, 0, None) => {
            return matches!(resolve_plain(&v), GoYaml::Null).then_some(());
        }
        Event::MappingStart(0, None) => {}
        _ => return None,
    }
    let md = head.metadata.get_or_insert_with(ManifestMetadata::default);
    let mut seen = Vec::new();
    loop {
        let key = match events.next()? {
            Event::MappingEnd => return Some(()),
            Event::Scalar(k, style, 0, None) => key_text(k, style)?,
            _ => return None,
        };
        match field_key(key, &["name", "annotations"], &mut seen)? {
            Some("name") => {
                if let Some(name) = string_field(events)? {
                    md.name = name;
                }
            }
            Some(_) => annotations(events, &mut md.annotations)?,
            None => {
                let ev = events.next()?;
                skip(events, ev)?;
            }
        }
    }
}

fn annotations(events: &mut Events, out: &mut BTreeMap<String, String>) -> Option<()> {
    match events.next()? {
        Event::Scalar(v, TScalarStyle::Plain, 0, None) => {
            return matches!(resolve_plain(&v), GoYaml::Null).then_some(());
        }
        Event::MappingStart(0, None) => {}
        _ => return None,
    }
    loop {
        let key = match events.next()? {
            Event::MappingEnd => return Some(()),
            Event::Scalar(k, style, 0, None) => key_text(k, style)?,
            _ => return None,
        };
        let v = string_field(events)?.unwrap_or_default();
        if out.insert(key, v).is_some() {
            return None;
        }
    }
}

/// sigs.k8s.io/yaml `Unmarshal` of the first document into `interface{}`,
/// when the document needs none of the full path's special handling.
pub(crate) fn unmarshal(src: &str) -> Option<Value> {
    let (src, unterminated) = prepare(src)?;
    let src = blank_comment_lines(src);
    let mut events = Events::new(&src, unterminated);
    let v = match root_event(&mut events).ok()? {
        None => Value::Nil,
        Some(ev) => value(&mut events, ev)?,
    };
    (!events.needs_block_fix()).then_some(v)
}

/// The head of one rendered manifest, when the document needs none of the
/// full path's special handling. Everything outside the head is still read
/// and checked, so a document the full path rejects is never accepted.
pub(crate) fn manifest_head(src: &str) -> Option<ManifestHead> {
    let (src, unterminated) = prepare(src)?;
    let mut events = Events::new(src, unterminated);
    let mut head = ManifestHead::default();
    match root_event(&mut events).ok()? {
        None => return Some(head),
        Some(Event::MappingStart(0, None)) => {}
        Some(_) => return None,
    }
    let mut seen = Vec::new();
    loop {
        let key = match events.next()? {
            Event::MappingEnd => return Some(head),
            Event::Scalar(k, style, 0, None) => key_text(k, style)?,
            _ => return None,
        };
        match field_key(key, &["apiVersion", "kind", "metadata"], &mut seen)? {
            Some("apiVersion") => {
                if let Some(s) = string_field(&mut events)? {
                    head.api_version = s;
                }
            }
            Some("kind") => {
                if let Some(s) = string_field(&mut events)? {
                    head.kind = s;
                }
            }
            Some(_) => metadata(&mut events, &mut head)?,
            None => {
                let ev = events.next()?;
                skip(&mut events, ev)?;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::manifest::{parse_manifest_head, parse_manifest_head_full};
    use super::super::{unmarshal, unmarshal_full};

    /// Documents the fast path must decode itself (so the comparison below
    /// is not vacuous).
    const FAST: &[&str] = &[
        "a: 1\nb: yes\nYes: on\n1: 2\nc: 0777\nd: 0x1F\ne: 1_000\nf: 2001-12-14\nh: [1, 1.5, 1e3, \"x\"]\n",
        "a:\nb: ~\nc: null\nd: ''\ne: \"\"\n",
        "s: 'single ''quoted'''\nd: \"double \\\"q\\\" \\u00e9 \\n\"\np: plain text here\n",
        "lit: |\n  line one\n  line two\nfold: >\n  folded\n  text\n\n  para\nkeep: |+\n  kept\n\nstrip: |-\n  stripped\nnext: 1\n",
        "n1: 12345678901234567890\nn2: -0x1f\nn3: +12\nn4: .5\nn5: 1.\nn6: 089\nn7: 0o17\nn8: 0b101\nn9: 1_0.5\nn10: 1e400\n",
        "b: [y, Y, n, N, true, False, OFF, on, yEs]\nflow: {a: 1, b: [x, {c: d}], 'e f': \"g\"}\n",
        "# comment\nlist:\n- a # trailing\n- b: 1\n  c: 2\n-   - nested\n    - seq\nempty: []\nemptymap: {}\n",
        "1.5: a\n1e3: b\n0o17: 1\ntrue: x\nno: y\n'~': z\n\"<<\": m\n",
        "---\na: 1\n...\n",
        "",
        "# only comment\n",
        "- a\n- b\n",
        "url: http://x/y\ntime: 12:30:00\nver: 1.2.3\nneg: -x\nmix: a:b\nwin: c:\\path\n",
        "unicode: é ✓ 🎉\nkey é: v\n",
        "a: 1\r\nb: 2\r\n",
        "deep:\n  deeper:\n    deepest:\n      - {a: 1}\n      - [1, 2, [3]]\n",
        "x: \"multi\n  line\n  quoted\"\ny: plain\n  continued\n  lines\n",
        "a: 1\n---\nb: 2\n",
        "a: 'x'\n# trailing comment\n  # indented comment",
        "a:\n  b: x\n  c: y",
        "a:\n  b: |\n    x\n  c: y",
        "a:\n- |\n  x\n- {}",
    ];

    /// Documents the fast path must leave to the full path (or that fail).
    const OTHER: &[&str] = &[
        "a: &x 1\nb: *x\n",
        "a: 1\n<<: {a: 2, b: 3}\n",
        "x: &x {a: 1, b: 2}\ny: &y {b: 5, c: 6}\nz:\n  <<: [*x, *y]\n  c: 7",
        "a: 1\na: 2\n",
        "1: a\n\"1\": b\n1: c\n",
        "a: !!str 12\nb: !!int \"12\"\nc: !!float 1\n",
        "a: !!int abc\n",
        "a: !custom x\n",
        "t: !!map {a: 1}\n",
        "a: .inf\n",
        "a: [.nan]\n",
        "~: 1\n",
        "null: 1\n",
        ": no key\n",
        "[1,2]: a\n",
        "? {a: 1}\n: b\n",
        "12345678901234567890: big\n",
        ".nan: k\n",
        "hello",
        "\"quoted root\"",
        "a: b\n c: d: e",
        "a: b\nc\nd: e",
        "a: [1, 2\n",
        "a: \"unterminated\n",
        "a:\n\t- tab\n",
        "a: \"x\\/y\"\n",
        "a: |\n  text\n  end",
        "a: \u{1}\n",
        "a: \"\\q\"\n",
        "- a\nb: c\n",
        "a: *missing\n",
        "a: |\n\n\nb: 1\n",
        "a: &a [*a]\n",
        "key: [\n  a,\nb]\n",
        "args: [\n\"x\"\n]\n",
        "a: 1\n--- x\nb: 2\n",
        "a: 'x\n\ty'\n",
        "a: b: c\n",
        "a:\n  - b\n  c: d\n",
        "%YAML 1.1\n---\na: 1\n",
        "%TAG !e! tag:e.com,2000:\n---\na: !e!x 1\n",
        "{a: 1}: x\n",
        "a: {b: 1, b: 2}\n",
        "a: [1,]\n",
        "a: @x\n",
        "a: `x\n",
        "---\n",
        "neg: -\n",
    ];

    fn show(r: Result<crate::value::Value, super::super::YamlError>) -> String {
        match r {
            Ok(v) => format!("ok {v:?}"),
            Err(e) => format!("err {e}"),
        }
    }

    fn check_unmarshal(src: &str) {
        assert_eq!(
            show(unmarshal(src)),
            show(unmarshal_full(src)),
            "unmarshal differs for {src:?}"
        );
    }

    fn check_head(src: &str) {
        assert_eq!(
            parse_manifest_head(src),
            parse_manifest_head_full(src),
            "manifest head differs for {src:?}"
        );
    }

    #[test]
    fn fast_path_takes_plain_documents_and_agrees() {
        for src in FAST {
            assert!(super::unmarshal(src).is_some(), "fast path refused {src:?}");
            check_unmarshal(src);
            check_head(src);
        }
    }

    #[test]
    fn other_documents_agree_through_fallback() {
        for src in OTHER {
            check_unmarshal(src);
            check_head(src);
        }
        for src in ["a: &x 1\n", "a: 1\na: 2\n", "<<: {a: 1}\n", "a: !!str x\n"] {
            assert!(super::unmarshal(src).is_none(), "fast path took {src:?}");
        }
    }

    const HEADS: &[&str] = &[
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  labels: {a: b}\n  annotations:\n    helm.sh/hook: pre-install\n    helm.sh/hook-weight: \"-5\"\n    n: 5\n    b: yes\n    f: 1.5\n    z:\n    e: ''\nspec:\n  ports: [{port: 80}]\n",
        "kind: Job\nmetadata:\n  name: 123\n",
        "kind: Job\nmetadata:\n",
        "kind: Job\nmetadata: ~\n",
        "kind: Job\nmetadata: {}\n",
        "kind: Job\nmetadata:\n  annotations:\n",
        "kind: yes\napiVersion: 1.0\n",
        "kind: ~\n",
        "Kind: Job\n",
        "KIND: Job\nkind: Pod\n",
        "kind: Job\nkind: Pod\n",
        "metadata:\n  Name: x\n",
        "metadata:\n  name: x\n  name: y\n",
        "metadata:\n  annotations: {a: 1, a: 2}\n",
        "metadata:\n  annotations: {a: [1]}\n",
        "metadata:\n  annotations: [a]\n",
        "metadata: [a]\n",
        "metadata: x\n",
        "metadata: \"\"\n",
        "metadata: yes\n",
        "kind: [a]\n",
        "kind: {a: b}\n",
        "kind: .inf\n",
        "kind: 12345678901234567890\n",
        "kind: 1e3\n",
        "kind: !!str 1\n",
        "kind: &k Pod\nother: *k\n",
        "kind: Pod\nspec: {x: .nan}\n",
        "kind: Pod\nspec: {~: 1}\n",
        "kind: Pod\nspec:\n  <<: {a: 1}\n",
        "kind: Pod\nspec: [a, b: c]\n",
        "kind: Pod\ndata:\n  big: |\n    text\n    more\n",
        "kind: Pod\ndata:\n  big: |\n    text\n    more",
        "kind: Pod\nmetadata:\n  annotations:\n    a: |\n      t",
        "kind: Pod\nmetadata:\n  annotations:\n    a: >-\n      t\n    b: x",
        "kind: Pod\nmetadata:\n  name: |\n    t\n",
        "metadata:\n  name: x\nkind: |\n  Pod",
        "- a\n",
        "just a string\n",
        "",
        "# Source: x\n",
        "kind: Pod\nspec: {a: 1}}\n",
        "kind: Pod\n  bad: indent\n",
        "kind: Pod\nmetadata:\n  name: 'x'\n  annotations:\n    \"helm.sh/hook\": \"post-install,post-upgrade\"\n",
    ];

    #[test]
    fn manifest_heads_agree() {
        for src in HEADS.iter().chain(FAST).chain(OTHER) {
            check_head(src);
        }
        assert!(super::manifest_head(HEADS[0]).is_some());
        let unterminated = "kind: Pod\nspec:\n  x: |\n    t\n  y: [a]";
        assert!(super::manifest_head(unterminated).is_some());
        check_head(unterminated);
    }

    /// Every single-character edit of every sample (deletions, and
    /// insertions of YAML indicators) decodes identically on both paths,
    /// which exercises many invalid and unusual documents.
    #[test]
    fn mutations_agree() {
        const INSERTS: &[&str] = &[
            ":", "-", "&a ", "*a", "!!str ", "'", "\"", "\n", " ", "# ", "[", "]", "{", "}",
            "<<: ", "\t", ",", "?", "|", ">", "~", "\\",
        ];
        for src in FAST.iter().chain(HEADS).take(60) {
            let chars: Vec<(usize, char)> = src.char_indices().collect();
            for &(i, c) in &chars {
                let deleted = format!("{}{}", &src[..i], &src[i + c.len_utf8()..]);
                check_unmarshal(&deleted);
                check_head(&deleted);
                for ins in INSERTS {
                    let inserted = format!("{}{}{}", &src[..i], ins, &src[i..]);
                    check_unmarshal(&inserted);
                    check_head(&inserted);
                }
            }
        }
    }

    #[test]
    fn golden_cases_agree() {
        let dir =
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/values-yaml/cases");
        for entry in std::fs::read_dir(dir).expect("cases") {
            let bytes = std::fs::read(entry.expect("entry").path()).expect("case");
            let src = String::from_utf8_lossy(&bytes);
            for doc in super::super::split_documents(&src).unwrap_or_default() {
                check_unmarshal(&doc);
                check_head(&doc);
            }
            check_unmarshal(&src);
            check_head(&src);
        }
    }
}

#[cfg(test)]
mod prepare_tests {
    #[test]
    fn special_bytes_are_control_del_tab_and_non_ascii() {
        for b in 0..=255u8 {
            let want = (b < 0x20 && b != b'\n' && b != b'\r') || b >= 0x7f;
            assert_eq!(super::special(b), want, "byte {b:#x}");
        }
    }

    #[test]
    fn prepare_leaves_odd_text_to_the_full_path() {
        let long = "k: v\n".repeat(40);
        for bad in [
            "\tx: 1\n",
            "a: 1\n\tb: 2\n",
            "a: \"\\/\"\n",
            "a: \u{1}\n",
            "a: \u{7f}\n",
        ] {
            assert!(super::prepare(bad).is_none(), "{bad:?}");
            let later = format!("{long}{bad}");
            assert!(super::prepare(&later).is_none(), "{later:?}");
        }
        for ok in ["a: 1\n", "a: x\ty\n", "a: é\n", "u: http://x/y\n"] {
            assert!(super::prepare(ok).is_some(), "{ok:?}");
        }
    }
}
