//! `toYaml`: sigs.k8s.io/yaml `Marshal`, i.e. encoding/json first, the JSON
//! read back by go-yaml v2 (so integral numbers become ints, others floats),
//! then go-yaml v2's encoder: map keys in its "natural" order, strings that
//! would read back as something else (`"yes"`, `"1.5"`, `"2001-12-14"`,
//! `"1:30"`) double-quoted, multi-line strings as literal blocks.

use std::cmp::Ordering;

use super::emitter::{Emitter, Node, Style, GO_YAML_V2};
use super::float::{format_g, format_json};
use super::json::JsonError;
use crate::value::Value;
use crate::values::yaml::resolve::{resolve_plain, GoYaml};

/// go-yaml v2's map key order (`sorter.go`): numbers by value, letters
/// before non-letters, runs of digits compared numerically.
pub fn natural_less(a: &str, b: &str) -> bool {
    natural_less_impl(a, b, false)
}

/// go-yaml v3's variant: after an equal digit, a letter sorts before a
/// non-letter (`0x1F` before `0.01`).
pub fn natural_less_v3(a: &str, b: &str) -> bool {
    natural_less_impl(a, b, true)
}

fn natural_less_impl(a: &str, b: &str, v3: bool) -> bool {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let mut i = 0;
    let mut digits = false;
    while i < ar.len() && i < br.len() {
        if ar[i] == br[i] {
            digits = ar[i].is_ascii_digit();
            i += 1;
            continue;
        }
        let al = ar[i].is_alphabetic();
        let bl = br[i].is_alphabetic();
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return if v3 && digits { al } else { bl };
        }
        let (mut an, mut bn): (i64, i64) = (0, 0);
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && ar[j - 1].is_ascii_digit() {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_ascii_digit() {
            an = an.wrapping_mul(10).wrapping_add(ar[ai] as i64 - '0' as i64);
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_ascii_digit() {
            bn = bn.wrapping_mul(10).wrapping_add(br[bi] as i64 - '0' as i64);
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}

/// Sorts keys with go-yaml's comparison (a merge sort, so an inconsistent
/// comparison can never panic).
pub fn sort_keys(keys: &mut [String]) {
    sort_keys_by(keys, natural_less);
}

/// Sorts keys with a go-yaml `Less` function.
pub fn sort_keys_by(keys: &mut [String], less: fn(&str, &str) -> bool) {
    let mut v: Vec<String> = keys.to_vec();
    v.sort_by(|a, b| {
        if less(a, b) {
            Ordering::Less
        } else if less(b, a) {
            Ordering::Greater
        } else {
            Ordering::Equal
        }
    });
    keys.clone_from_slice(&v);
}

fn digits_then(s: &[u8], i: &mut usize, min: usize, max: usize) -> Option<u32> {
    let start = *i;
    while *i < s.len() && *i - start < max && s[*i].is_ascii_digit() {
        *i += 1;
    }
    if *i - start < min {
        return None;
    }
    std::str::from_utf8(&s[start..*i]).ok()?.parse().ok()
}

fn days_in(month: u32, year: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) {
                29
            } else {
                28
            }
        }
    }
}

/// Whether go-yaml v2 would read `s` as a timestamp (its four layouts:
/// `2006-1-2T15:4:5.999999999Z07:00` (also lower-case `t`),
/// `2006-1-2 15:4:5.999999999`, `2006-1-2`).
pub fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let Some(year) = digits_then(b, &mut i, 4, 4) else {
        return false;
    };
    if b.get(i) != Some(&b'-') {
        return false;
    }
    i += 1;
    let Some(month) = digits_then(b, &mut i, 1, 2) else {
        return false;
    };
    if b.get(i) != Some(&b'-') {
        return false;
    }
    i += 1;
    let Some(day) = digits_then(b, &mut i, 1, 2) else {
        return false;
    };
    if !(1..=12).contains(&month) || day < 1 || day > days_in(month, year) {
        return false;
    }
    if i == b.len() {
        return true;
    }
    let sep = b[i];
    if sep != b'T' && sep != b't' && sep != b' ' {
        return false;
    }
    i += 1;
    let time = |i: &mut usize| -> bool {
        let Some(h) = digits_then(b, i, 1, 2) else {
            return false;
        };
        if b.get(*i) != Some(&b':') {
            return false;
        }
        *i += 1;
        let Some(m) = digits_then(b, i, 1, 2) else {
            return false;
        };
        if b.get(*i) != Some(&b':') {
            return false;
        }
        *i += 1;
        let Some(sec) = digits_then(b, i, 1, 2) else {
            return false;
        };
        if h > 23 || m > 59 || sec > 59 {
            return false;
        }
        if b.get(*i) == Some(&b'.') || b.get(*i) == Some(&b',') {
            *i += 1;
            let start = *i;
            while *i < b.len() && b[*i].is_ascii_digit() {
                *i += 1;
            }
            if *i == start {
                return false;
            }
        }
        true
    };
    if !time(&mut i) {
        return false;
    }
    if sep == b' ' {
        return i == b.len();
    }
    match b.get(i) {
        Some(b'Z') => i + 1 == b.len(),
        Some(b'+') | Some(b'-') => {
            let rest = &b[i + 1..];
            rest.len() == 5
                && rest[0].is_ascii_digit()
                && rest[1].is_ascii_digit()
                && rest[2] == b':'
                && rest[3].is_ascii_digit()
                && rest[4].is_ascii_digit()
        }
        _ => false,
    }
}

/// `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`
fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    if !b.get(i).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    i += 1;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while b.get(i) == Some(&b':') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() && i - start < 2 {
            i += 1;
        }
        let len = i - start;
        if len == 0 {
            return false;
        }
        if len == 2 && b[start] > b'5' {
            // `[0-5]?[0-9]`: a two-digit group must start with 0-5; a
            // backtrack to a single digit would leave a digit unmatched.
            return false;
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// The style go-yaml v2's `stringv` asks for.
pub fn v2_string_style(s: &str) -> Style {
    let resolves_to_str = matches!(resolve_plain(s), GoYaml::Str(_)) && !is_timestamp(s);
    let can_use_plain = resolves_to_str && !is_base60_float(s);
    if s.contains('\n') {
        Style::Literal
    } else if can_use_plain {
        Style::Plain
    } else {
        Style::DoubleQuoted
    }
}

/// Characters encoding/json leaves raw but go-yaml's reader rejects when it
/// reads the JSON back, which makes Helm's `toYaml` fail.
pub fn yaml_readable(s: &str) -> Result<(), JsonError> {
    if s.chars()
        .any(|c| matches!(c, '\u{7f}' | '\u{fffe}' | '\u{ffff}'))
    {
        return Err(JsonError(
            "error converting JSON to YAML: yaml: control characters are not allowed".into(),
        ));
    }
    Ok(())
}

/// A number as JSON writes it and go-yaml v2 reads it back and prints it.
fn number_text(json: &str) -> String {
    match resolve_plain(json) {
        GoYaml::Int(i) => i.to_string(),
        GoYaml::Uint(u) => u.to_string(),
        GoYaml::Float(f) | GoYaml::Big(f) => format_g(f),
        _ => json.to_string(),
    }
}

fn to_node(v: &Value) -> Result<Node, JsonError> {
    Ok(match v {
        Value::Nil => Node::Scalar("null".into(), Style::Plain),
        Value::Bool(b) => Node::Scalar(b.to_string(), Style::Plain),
        Value::Int(i) | Value::Int64(i) => Node::Scalar(i.to_string(), Style::Plain),
        Value::Float(f) => {
            if !f.is_finite() {
                return Err(JsonError(format!(
                    "json: unsupported value: {}",
                    format_g(*f)
                )));
            }
            Node::Scalar(number_text(&format_json(*f)), Style::Plain)
        }
        Value::String(s) => {
            yaml_readable(s)?;
            Node::Scalar(s.to_string(), v2_string_style(s))
        }
        // The JSON round trip replaces invalid bytes with U+FFFD.
        Value::RawString(b) => {
            let s = crate::value::go_lossy(b);
            yaml_readable(&s)?;
            let style = v2_string_style(&s);
            Node::Scalar(s, style)
        }
        Value::Bytes(_) => {
            let json = super::json::to_json(v)?;
            let s = json.trim_matches('"').to_string();
            let style = v2_string_style(&s);
            Node::Scalar(s, style)
        }
        // Nil slices and maps marshal to JSON null first.
        Value::Map(m) if m.nil && m.entries.borrow().is_empty() => {
            Node::Scalar("null".into(), Style::Plain)
        }
        Value::List(l) if l.nil && l.items.borrow().is_empty() => {
            Node::Scalar("null".into(), Style::Plain)
        }
        Value::List(l) => Node::Seq(
            l.items
                .borrow()
                .iter()
                .map(to_node)
                .collect::<Result<_, _>>()?,
        ),
        Value::Map(m) => {
            let entries = m.entries.borrow();
            let mut keys: Vec<String> = entries.keys().cloned().collect();
            sort_keys(&mut keys);
            let mut out = Vec::with_capacity(keys.len());
            for k in keys {
                yaml_readable(&k)?;
                let style = v2_string_style(&k);
                let val = to_node(&entries[&k])?;
                out.push((Node::Scalar(k, style), val));
            }
            Node::Map(out)
        }
        Value::Object(o) => match o.to_data() {
            Some(d) => to_node(&d)?,
            None => Node::Map(Vec::new()),
        },
    })
}

/// sigs.k8s.io/yaml `Marshal(v)`: the YAML document with its trailing
/// newline. Fails as json.Marshal fails (NaN, infinities); the error text is
/// `error marshaling into JSON: json: unsupported value: NaN`.
pub fn to_yaml(v: &Value) -> Result<String, JsonError> {
    let node = to_node(v).map_err(|e| {
        if e.0.starts_with("error converting") {
            e
        } else {
            JsonError(format!("error marshaling into JSON: {}", e.0))
        }
    })?;
    Ok(Emitter::new(GO_YAML_V2).document(&node))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::yaml::parse_values;

    fn y(src: &str) -> String {
        to_yaml(&parse_values(src).unwrap()).unwrap()
    }

    #[test]
    fn natural_key_order() {
        let mut keys: Vec<String> = ["a-b", "B", "10", "a", "9", "2a", "1", "_x", "A1", "-1"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        sort_keys(&mut keys);
        assert_eq!(
            keys,
            ["-1", "_x", "1", "2a", "9", "10", "A1", "B", "a", "a-b"]
        );
    }

    #[test]
    fn scalars_and_quoting() {
        assert_eq!(
            y("a: 'yes'\nb: '1.5'\nc: 'y'\nd: 'a: b'\ne: ''\nf: '2001-12-14'\ng: '1:30'\nh: '~'\ni: 'null'\n"),
            "a: \"yes\"\nb: \"1.5\"\nc: \"y\"\nd: 'a: b'\ne: \"\"\nf: \"2001-12-14\"\ng: \"1:30\"\nh: \"~\"\ni: \"null\"\n"
        );
        assert_eq!(
            y("a: 1000000\nb: 1.5\nc: 1e-7\nd: 1e21\ne: null\n"),
            "a: 1000000\nb: 1.5\nc: 1e-07\nd: 1e+21\ne: null\n"
        );
        assert_eq!(y("a: []\nb: {}\n"), "a: []\nb: {}\n");
    }

    #[test]
    fn nesting() {
        assert_eq!(
            y("items:\n  - name: a\n    ports: [80, 443]\n  - name: b\n    env: {X: '1'}\n"),
            "items:\n- name: a\n  ports:\n  - 80\n  - 443\n- env:\n    X: \"1\"\n  name: b\n"
        );
        assert_eq!(y("a: [[1, 2], [3]]"), "a:\n- - 1\n  - 2\n- - 3\n");
    }

    #[test]
    fn multiline_strings() {
        assert_eq!(
            y("keep: \"line1\\nline2\\n\"\nstrip: \"line1\\nline2\"\ntwo_nl: \"a\\n\\n\"\nlead_nl: \"\\nfirst\"\nspaces_nl: \"  indented\\nx\"\n"),
            "keep: |\n  line1\n  line2\nlead_nl: |2-\n\n  first\nspaces_nl: |2-\n    indented\n  x\nstrip: |-\n  line1\n  line2\ntwo_nl: |+\n  a\n\n"
        );
    }

    #[test]
    fn unicode_escapes() {
        assert_eq!(
            y("emoji: \"rocket 🚀\"\ntab: \"a\\tb\"\nnbsp: \"a\\u00a0b\"\nctrl: \"bell\\u0007\"\ncjk: 日本語\n"),
            "cjk: 日本語\nctrl: \"bell\\a\"\nemoji: \"rocket \\U0001F680\"\nnbsp: a\u{a0}b\ntab: \"a\\tb\"\n"
        );
    }

    #[test]
    fn timestamps_and_base60() {
        assert!(is_timestamp("2001-12-14"));
        assert!(is_timestamp("2001-12-14T21:59:43.10Z"));
        assert!(is_timestamp("2001-1-4 1:2:3"));
        assert!(!is_timestamp("2001-13-14"));
        assert!(!is_timestamp("2001-12-14 21:59:43Z"));
        assert!(is_base60_float("1:30"));
        assert!(is_base60_float("190:20:30.15"));
        assert!(!is_base60_float("1:70"));
    }
}
