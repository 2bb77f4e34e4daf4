//! `toYaml`: sigs.k8s.io/yaml `Marshal`, i.e. encoding/json first, the JSON
//! read back by go-yaml v2 (so integral numbers become ints, others floats),
//! then go-yaml v2's encoder: map keys in its "natural" order, strings that
//! would read back as something else (`"yes"`, `"1.5"`, `"2001-12-14"`,
//! `"1:30"`) double-quoted, multi-line strings as literal blocks.

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
    // Keys are nearly always ASCII: compare their bytes as they are, and
    // decode characters only otherwise.
    if a.is_ascii() && b.is_ascii() {
        return natural_less_in(a.as_bytes(), b.as_bytes(), v3);
    }
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    natural_less_in(&ar, &br, v3)
}

/// go-yaml's `keyList.Less` over the characters of two keys (bytes of
/// ASCII keys, or decoded characters).
fn natural_less_in<C: Copy + Into<char>>(ar: &[C], br: &[C], v3: bool) -> bool {
    let at = |s: &[C], i: usize| -> char { s[i].into() };
    let mut i = 0;
    let mut digits = false;
    while i < ar.len() && i < br.len() {
        let (ac, bc) = (at(ar, i), at(br, i));
        if ac == bc {
            digits = ac.is_ascii_digit();
            i += 1;
            continue;
        }
        let al = ac.is_alphabetic();
        let bl = bc.is_alphabetic();
        if al && bl {
            return ac < bc;
        }
        if al || bl {
            return if v3 && digits { al } else { bl };
        }
        let (mut an, mut bn): (i64, i64) = (0, 0);
        if ac == '0' || bc == '0' {
            let mut j = i;
            while j > 0 && at(ar, j - 1).is_ascii_digit() {
                j -= 1;
                if at(ar, j) != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && at(ar, ai).is_ascii_digit() {
            an = an
                .wrapping_mul(10)
                .wrapping_add(at(ar, ai) as i64 - '0' as i64);
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && at(br, bi).is_ascii_digit() {
            bn = bn
                .wrapping_mul(10)
                .wrapping_add(at(br, bi) as i64 - '0' as i64);
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ac < bc;
    }
    ar.len() < br.len()
}

/// Sorts keys with go-yaml's comparison (a merge sort, so an inconsistent
/// comparison can never panic).
pub fn sort_keys(keys: &mut Vec<String>) {
    stable_sort_by(keys, |a, b| natural_less(a, b));
}

/// A stable merge sort by a `less` function that may be inconsistent (not
/// a total order): it then yields some order but never panics, unlike the
/// standard sorts. Already ordered input, the usual case for map keys in
/// byte order, costs one comparison per element.
pub fn stable_sort_by<T>(items: &mut Vec<T>, less: impl Fn(&T, &T) -> bool) {
    let n = items.len();
    if (1..n).all(|i| !less(&items[i], &items[i - 1])) {
        return;
    }
    let mut order: Vec<usize> = (0..n).collect();
    let mut scratch: Vec<usize> = Vec::with_capacity(n);
    merge_sort(&mut order, &mut scratch, &|a: usize, b: usize| {
        less(&items[a], &items[b])
    });
    let mut slots: Vec<Option<T>> = std::mem::take(items).into_iter().map(Some).collect();
    items.extend(order.iter().filter_map(|&i| slots[i].take()));
}

fn merge_sort(v: &mut [usize], scratch: &mut Vec<usize>, less: &dyn Fn(usize, usize) -> bool) {
    let n = v.len();
    if n <= 1 {
        return;
    }
    let mid = n / 2;
    merge_sort(&mut v[..mid], scratch, less);
    merge_sort(&mut v[mid..], scratch, less);
    if !less(v[mid], v[mid - 1]) {
        return;
    }
    scratch.clear();
    let (mut i, mut j) = (0, mid);
    while i < mid && j < n {
        // The right run's element goes first only when strictly less:
        // equal elements keep their order.
        if less(v[j], v[i]) {
            scratch.push(v[j]);
            j += 1;
        } else {
            scratch.push(v[i]);
            i += 1;
        }
    }
    scratch.extend_from_slice(&v[i..mid]);
    scratch.extend_from_slice(&v[j..n]);
    v.copy_from_slice(scratch);
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
            let mut pairs: Vec<(&String, &Value)> = entries.iter().collect();
            stable_sort_by(&mut pairs, |a, b| natural_less(a.0, b.0));
            let mut out = Vec::with_capacity(pairs.len());
            for (k, v) in pairs {
                yaml_readable(k)?;
                let style = v2_string_style(k);
                let val = to_node(v)?;
                out.push((Node::Scalar(k.clone(), style), val));
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
    fn stable_sort_orders_like_the_standard_sort_and_never_panics() {
        let mut seed = 7u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for n in 0..40 {
            let mut items: Vec<(u64, usize)> = (0..n).map(|i| (next() % 8, i)).collect();
            let mut expected = items.clone();
            expected.sort_by_key(|p| p.0);
            stable_sort_by(&mut items, |a, b| a.0 < b.0);
            assert_eq!(items, expected);
        }
        // Not a total order: some order comes out, with every item once.
        let mut items: Vec<u64> = (0..50).map(|_| next() % 100).collect();
        let mut before = items.clone();
        stable_sort_by(&mut items, |a, b| (a * 7 + b * 3) % 5 < 2);
        before.sort_unstable();
        items.sort_unstable();
        assert_eq!(items, before);
    }

    #[test]
    fn non_ascii_keys_sort_by_character() {
        let mut keys: Vec<String> = ["é2", "é10", "a", "ß", "-"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        sort_keys(&mut keys);
        // As helm 4.3.1 prints `dict "é2" 1 "é10" 2 "a" 3 "ß" 4 "-" 5 | toYaml`.
        assert_eq!(keys, ["-", "a", "ß", "é2", "é10"]);
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
