//! Go's `fmt` package as templates observe it: `%v` printing of every
//! [`Value`] kind (`fmt.Sprint`), `print`/`println` operand spacing, and
//! `printf` verbs with flags, width and precision, including Go's in-band
//! error forms (`%!d(float64=1.5)`, `%!s(MISSING)`, `%!(EXTRA ...)`).
//!
//! Charts depend on these exact texts (a float64 `1000000` prints `1e+06`,
//! maps print `map[a:1 b:2]`), so this follows Go's algorithms rather than
//! Rust's formatting conventions.

use crate::value::{decode_rune, go_rune_count, Value};

/// Output of Go's fmt: a byte buffer, because a Go string operand may hold
/// bytes that are not UTF-8 (see [`Value::RawString`]) and `%s` copies them.
#[derive(Default)]
pub struct GoBuf(pub Vec<u8>);

impl GoBuf {
    pub fn push_str(&mut self, s: &str) {
        self.0.extend_from_slice(s.as_bytes());
    }
    pub fn push(&mut self, c: char) {
        let mut b = [0u8; 4];
        self.push_str(c.encode_utf8(&mut b));
    }
    pub fn push_bytes(&mut self, b: &[u8]) {
        self.0.extend_from_slice(b);
    }
    pub fn extend(&mut self, chars: impl Iterator<Item = char>) {
        for c in chars {
            self.push(c);
        }
    }
    /// The text as a Go string value.
    pub fn into_value(self) -> Value {
        Value::from_go_bytes(self.0)
    }
    /// The text for messages (invalid bytes as U+FFFD).
    pub fn into_string(self) -> String {
        match String::from_utf8(self.0) {
            Ok(s) => s,
            Err(e) => crate::value::go_lossy(e.as_bytes()),
        }
    }
}

/// Go `fmt.Sprint(v)` of one value, i.e. `%v`. `Nil` prints `<nil>`.
pub fn sprint(v: &Value) -> String {
    sprint_buf(v).into_string()
}

/// [`sprint`] as a Go string value (keeps non-UTF-8 bytes).
pub fn sprint_value(v: &Value) -> Value {
    match v {
        Value::String(_) | Value::RawString(_) => v.clone(),
        _ => sprint_buf(v).into_value(),
    }
}

fn sprint_buf(v: &Value) -> GoBuf {
    let mut out = GoBuf::default();
    write_value(&mut out, v, &Spec::plain('v'), 0);
    out
}

fn is_go_string(v: &Value) -> bool {
    matches!(v, Value::String(_) | Value::RawString(_))
}

/// Go `fmt.Sprint(args...)`: spaces between operands when neither side is a string.
pub fn sprint_args(args: &[Value]) -> String {
    sprint_args_buf(args).into_string()
}

/// [`sprint_args`] as a Go string value.
pub fn sprint_args_value(args: &[Value]) -> Value {
    sprint_args_buf(args).into_value()
}

fn sprint_args_buf(args: &[Value]) -> GoBuf {
    let mut out = GoBuf::default();
    for (i, a) in args.iter().enumerate() {
        if i > 0 && !is_go_string(&args[i - 1]) && !is_go_string(a) {
            out.push(' ');
        }
        write_value(&mut out, a, &Spec::plain('v'), 0);
    }
    out
}

/// Go `fmt.Sprintln(args...)`: always a space between operands, newline at the end.
pub fn sprintln_args(args: &[Value]) -> String {
    sprintln_args_value(args)
        .str_lossy()
        .map(|s| s.into_owned())
        .unwrap_or_default()
}

/// [`sprintln_args`] as a Go string value.
pub fn sprintln_args_value(args: &[Value]) -> Value {
    let mut out = GoBuf::default();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        write_value(&mut out, a, &Spec::plain('v'), 0);
    }
    out.push('\n');
    out.into_value()
}

/// Go's `%v` of a float64 (shortest representation, `%g` style with
/// exponent for exp < -4 || exp >= 21 is NOT used: Go uses 6 for shortest).
pub fn format_float_v(x: f64) -> String {
    format_float(x, 'g', None, false)
}

/// Go `strconv.Quote`.
pub fn quote(s: &str) -> String {
    quote_with(s, false)
}

/// A parsed `printf` directive.
#[derive(Clone, Debug, Default)]
struct Spec {
    verb: char,
    plus: bool,
    minus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    width: Option<usize>,
    prec: Option<usize>,
    /// `%+v`: structs print their field names.
    field_names: bool,
    /// Printing the operand of a `%!verb(type=value)` error: Go prints it
    /// with `v` but keeps every flag, so `#` here is not Go syntax.
    in_bad_verb: bool,
}

impl Spec {
    fn plain(verb: char) -> Spec {
        Spec {
            verb,
            ..Spec::default()
        }
    }
}

/// Go `fmt.Sprintf(format, args...)`.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    sprintf_buf(format.as_bytes(), args).into_string()
}

/// [`sprintf`] with a format of any bytes, as a Go string value.
pub fn sprintf_value(format: &[u8], args: &[Value]) -> Value {
    sprintf_buf(format, args).into_value()
}

fn sprintf_buf(format: &[u8], args: &[Value]) -> GoBuf {
    let mut out = GoBuf::default();
    let bytes = format;
    let mut i = 0;
    let mut argi = 0;
    let mut reordered = false;
    let n = bytes.len();
    while i < n {
        // Copy literal text up to the next '%'.
        let start = i;
        while i < n && bytes[i] != b'%' {
            i += 1;
        }
        out.push_bytes(&format[start..i]);
        if i >= n {
            break;
        }
        i += 1; // skip '%'
        let mut spec = Spec::default();
        // Flags.
        while i < n {
            match bytes[i] {
                b'#' => spec.sharp = true,
                b'0' => spec.zero = true,
                b'+' => spec.plus = true,
                b'-' => spec.minus = true,
                b' ' => spec.space = true,
                _ => break,
            }
            i += 1;
        }
        // Argument index [n], width, precision, argument index again (Go's order).
        let mut good_arg = true;
        let mut arg_number = |i: &mut usize, argi: &mut usize, good: &mut bool| -> bool {
            match parse_arg_index(bytes, *i) {
                None => false,
                Some((idx, next)) => {
                    *i = next;
                    reordered = true;
                    match idx {
                        Some(k) if k < args.len() => *argi = k,
                        _ => *good = false,
                    }
                    true
                }
            }
        };
        let mut after_index = arg_number(&mut i, &mut argi, &mut good_arg);
        // Width.
        if i < n && bytes[i] == b'*' {
            i += 1;
            match int_from_arg(args, &mut argi) {
                Some(w) => {
                    if w < 0 {
                        spec.minus = true;
                        spec.width = Some(w.unsigned_abs() as usize);
                    } else {
                        spec.width = Some(w as usize);
                    }
                }
                None => out.push_str("%!(BADWIDTH)"),
            }
            after_index = false;
        } else {
            let (num, ni) = parse_num(bytes, i);
            if ni > i {
                spec.width = num;
                i = ni;
                if after_index {
                    good_arg = false;
                }
            }
        }
        // Precision.
        if i + 1 < n && bytes[i] == b'.' {
            i += 1;
            if after_index {
                good_arg = false;
            }
            after_index = arg_number(&mut i, &mut argi, &mut good_arg);
            if i < n && bytes[i] == b'*' {
                i += 1;
                match int_from_arg(args, &mut argi) {
                    Some(p) if p >= 0 => spec.prec = Some(p as usize),
                    Some(_) => {
                        spec.prec = None;
                        out.push_str("%!(BADPREC)");
                    }
                    None => out.push_str("%!(BADPREC)"),
                }
                after_index = false;
            } else {
                let (num, ni) = parse_num(bytes, i);
                spec.prec = Some(num.unwrap_or(0));
                i = ni;
            }
        }
        if !after_index {
            arg_number(&mut i, &mut argi, &mut good_arg);
        }
        if i >= n {
            out.push_str("%!(NOVERB)");
            break;
        }
        // The verb (a full UTF-8 char; an invalid byte is U+FFFD of width 1).
        let (verb, width) = decode_rune(&format[i..]);
        i += width;
        spec.verb = verb;
        if spec.minus {
            spec.zero = false;
        }
        if verb == 'v' && spec.plus {
            // `%+v` only adds struct field names; numbers get no sign.
            spec.plus = false;
            spec.field_names = true;
        }
        if verb == '%' {
            out.push('%');
            continue;
        }
        if !good_arg {
            out.push_str("%!");
            out.push(verb);
            out.push_str("(BADINDEX)");
            continue;
        }
        match args.get(argi) {
            None => {
                out.push_str("%!");
                out.push(verb);
                out.push_str("(MISSING)");
            }
            Some(arg) => {
                argi += 1;
                if verb == 'w' {
                    // Sprintf does not support %w: a bad verb like any other.
                    bad_verb(&mut out, arg, &spec);
                } else {
                    format_arg(&mut out, arg, &spec);
                }
            }
        }
    }
    if !reordered && argi < args.len() {
        out.push_str("%!(EXTRA ");
        for (k, a) in args[argi..].iter().enumerate() {
            if k > 0 {
                out.push_str(", ");
            }
            if a.is_nil() {
                out.push_str("<nil>");
            } else {
                out.push_str(&a.type_name());
                out.push('=');
                write_value(&mut out, a, &Spec::plain('v'), 0);
            }
        }
        out.push(')');
    }
    out
}

fn parse_num(bytes: &[u8], mut i: usize) -> (Option<usize>, usize) {
    let start = i;
    let mut v: usize = 0;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        v = v
            .saturating_mul(10)
            .saturating_add((bytes[i] - b'0') as usize);
        if v > 1_000_000 {
            v = 1_000_000;
        }
        i += 1;
    }
    if i == start {
        (None, i)
    } else {
        (Some(v), i)
    }
}

/// Go's `parseArgNumber` at `bytes[i]`: `None` when there is no `[`;
/// otherwise the zero-based index (`None` if malformed) and the next position.
fn parse_arg_index(bytes: &[u8], i: usize) -> Option<(Option<usize>, usize)> {
    if i >= bytes.len() || bytes[i] != b'[' {
        return None;
    }
    if bytes.len() - i < 3 {
        return Some((None, i + 1));
    }
    let Some(close) = bytes[i + 1..].iter().position(|&b| b == b']') else {
        return Some((None, i + 1));
    };
    let j = i + 1 + close;
    let (num, end) = parse_num(bytes, i + 1);
    match num {
        Some(k) if end == j && k >= 1 => Some((Some(k - 1), j + 1)),
        _ => Some((None, j + 1)),
    }
}

/// Go's `intFromArg`: the `*` width/precision argument, advancing past it.
fn int_from_arg(args: &[Value], argi: &mut usize) -> Option<i64> {
    let v = args.get(*argi)?;
    *argi += 1;
    match v {
        Value::Int(x) | Value::Int64(x) if x.unsigned_abs() <= 1_000_000 => Some(*x),
        _ => None,
    }
}

/// Formats one argument with a verb, including Go's `%!v(type=value)` errors.
fn format_arg(out: &mut GoBuf, arg: &Value, spec: &Spec) {
    if spec.verb == 'T' {
        let t = arg.type_name();
        pad(out, &t, spec);
        return;
    }
    if spec.verb == 'p' {
        bad_verb(out, arg, spec);
        return;
    }
    write_value(out, arg, spec, 0)
}

fn bad_verb(out: &mut GoBuf, arg: &Value, spec: &Spec) {
    out.push_str("%!");
    out.push(spec.verb);
    out.push('(');
    if arg.is_nil() {
        out.push_str("<nil>");
    } else {
        out.push_str(&arg.type_name());
        out.push('=');
        // Go prints the operand with `v` and the same flags (width,
        // precision, `+`, `#`, ...), without calling its String method.
        let inner = Spec {
            verb: 'v',
            field_names: false,
            in_bad_verb: true,
            ..spec.clone()
        };
        match arg {
            Value::Object(o) if o.go_int().is_some() => {
                format_int(out, o.go_int().unwrap_or_default(), arg, &inner)
            }
            _ => write_value(out, arg, &inner, 0),
        }
    }
    out.push(')');
}

/// Writes `v` with the verb in `spec`, recursing into collections as Go's
/// `printValue` does (the verb applies to every element).
/// Nesting beyond which collections are not printed: a map that contains
/// itself (`set $m "self" $m`) would otherwise recurse until the stack ends.
const MAX_PRINT_DEPTH: usize = 10_000;

fn write_value(out: &mut GoBuf, v: &Value, spec: &Spec, depth: usize) {
    if depth > MAX_PRINT_DEPTH {
        out.push_str("...");
        return;
    }
    if spec.sharp && spec.verb == 'v' && !spec.in_bad_verb {
        let s = go_syntax(v, depth == 0);
        pad(out, &s, spec);
        return;
    }
    match v {
        // A nil element of a collection is an empty interface: Go writes
        // `<nil>` whatever the verb, without padding.
        Value::Nil if depth > 0 => out.push_str("<nil>"),
        Value::Nil => match spec.verb {
            'v' => pad(out, "<nil>", spec),
            _ => bad_verb(out, v, spec),
        },
        Value::Bool(b) => match spec.verb {
            'v' | 't' => pad(out, if *b { "true" } else { "false" }, spec),
            _ => bad_verb(out, v, spec),
        },
        Value::Int(i) | Value::Int64(i) => format_int(out, *i, v, spec),
        Value::Float(x) => format_float_verb(out, *x, v, spec),
        Value::String(s) => format_str(out, s.as_bytes(), v, spec),
        Value::RawString(b) => format_str(out, b, v, spec),
        Value::Bytes(b) => match spec.verb {
            's' | 'q' | 'x' | 'X' => format_str(out, b, v, spec),
            _ => {
                out.push('[');
                for (k, byte) in b.iter().enumerate() {
                    if k > 0 {
                        out.push(' ');
                    }
                    format_int(out, *byte as i64, &Value::Int(*byte as i64), spec);
                }
                out.push(']');
            }
        },
        Value::List(l) => {
            out.push('[');
            for (k, item) in l.items.borrow().iter().enumerate() {
                if k > 0 {
                    out.push(' ');
                }
                write_value(out, item, spec, depth + 1);
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push_str("map[");
            for (k, (key, item)) in m.entries.borrow().iter().enumerate() {
                if k > 0 {
                    out.push(' ');
                }
                format_str(out, key.as_bytes(), &Value::str(key), spec);
                out.push(':');
                write_value(out, item, spec, depth + 1);
            }
            out.push(']');
        }
        Value::Object(o) if depth > 0 && o.is_plain_struct_pointer() => {
            write_nested_pointer(out, pointer_address(o), v, spec)
        }
        Value::Object(o) => match (o.go_int(), spec.verb) {
            // A Stringer formats its String() as a string for these verbs.
            (Some(_), 'v' | 's' | 'q' | 'x' | 'X') => {
                let s = o.format_go();
                format_str(out, s.as_bytes(), v, spec)
            }
            (Some(i), _) => format_int(out, i, v, spec),
            (None, 'v' | 's' | 'q') => {
                let s = match o.format_go_fields() {
                    Some(named) if spec.field_names => named,
                    _ => o.format_go(),
                };
                if spec.verb == 'q' {
                    pad(out, &quote(&s), spec)
                } else {
                    pad(out, &s, spec)
                }
            }
            (None, _) => bad_verb(out, v, spec),
        },
    }
}

/// The address a Go pointer would print: the object's own, so that two
/// objects differ and one object prints the same each time (Go's heap
/// addresses vary from run to run anyway).
fn pointer_address(o: &std::rc::Rc<dyn crate::value::Object>) -> u64 {
    std::rc::Rc::as_ptr(o) as *const u8 as usize as u64
}

/// A pointer inside a collection, which fmt formats as the pointer itself:
/// `0x...` for `%v`, the address as a number for the integer verbs, and a
/// bad verb (the pointer's fields, as at the top) for the others.
fn write_nested_pointer(out: &mut GoBuf, address: u64, v: &Value, spec: &Spec) {
    match spec.verb {
        'v' | 'p' => pad(out, &format!("0x{address:x}"), spec),
        'b' | 'o' | 'd' | 'x' | 'X' => format_int(out, address as i64, v, spec),
        _ => bad_verb(out, v, spec),
    }
}

/// Go's `%#v` (Go-syntax) representation.
fn go_syntax(v: &Value, top: bool) -> String {
    match v {
        Value::Nil => {
            if top {
                "<nil>".to_string()
            } else {
                "interface {}(nil)".to_string()
            }
        }
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Int64(i) => i.to_string(),
        Value::Float(x) => format_float(*x, 'g', None, false),
        Value::String(s) => quote(s),
        Value::RawString(b) => quote_bytes(b, false),
        Value::Bytes(b) => {
            let items: Vec<String> = b.iter().map(|x| format!("0x{x:x}")).collect();
            format!("[]byte{{{}}}", items.join(", "))
        }
        Value::List(l) if l.nil && l.items.borrow().is_empty() => {
            format!("{}(nil)", v.type_name())
        }
        Value::Map(m) if m.nil && m.entries.borrow().is_empty() => {
            format!("{}(nil)", v.type_name())
        }
        Value::List(l) => {
            let items: Vec<String> = l
                .items
                .borrow()
                .iter()
                .map(|x| go_syntax(x, false))
                .collect();
            format!("{}{{{}}}", v.type_name(), items.join(", "))
        }
        Value::Map(m) => {
            let items: Vec<String> = m
                .entries
                .borrow()
                .iter()
                .map(|(k, x)| format!("{}:{}", quote(k), go_syntax(x, false)))
                .collect();
            format!("{}{{{}}}", v.type_name(), items.join(", "))
        }
        Value::Object(o) if !top && o.is_plain_struct_pointer() => {
            format!("({})(0x{:x})", o.type_name(), pointer_address(o))
        }
        Value::Object(o) => match o.go_int() {
            Some(i) => i.to_string(),
            None => o.format_go(),
        },
    }
}

/// Pads `s` to the spec's width (counted in runes), left or right.
fn pad(out: &mut GoBuf, s: &str, spec: &Spec) {
    pad_bytes(out, s.as_bytes(), spec)
}

fn pad_bytes(out: &mut GoBuf, s: &[u8], spec: &Spec) {
    let width = spec.width.unwrap_or(0);
    if width == 0 {
        out.push_bytes(s);
        return;
    }
    let len = go_rune_count(s);
    if len >= width {
        out.push_bytes(s);
        return;
    }
    let fill = width - len;
    if spec.minus {
        out.push_bytes(s);
        out.extend(std::iter::repeat_n(' ', fill));
    } else {
        let c = if spec.zero { '0' } else { ' ' };
        out.extend(std::iter::repeat_n(c, fill));
        out.push_bytes(s);
    }
}

fn format_int(out: &mut GoBuf, i: i64, v: &Value, spec: &Spec) {
    let neg = i < 0;
    let abs = i.unsigned_abs();
    let (digits, prefix): (String, &str) = match spec.verb {
        'v' | 'd' => (abs.to_string(), ""),
        'b' => (format!("{abs:b}"), if spec.sharp { "0b" } else { "" }),
        'o' => (format!("{abs:o}"), if spec.sharp { "0" } else { "" }),
        'O' => (format!("{abs:o}"), "0o"),
        'x' => (format!("{abs:x}"), if spec.sharp { "0x" } else { "" }),
        'X' => (format!("{abs:X}"), if spec.sharp { "0X" } else { "" }),
        'c' => {
            let c = char::from_u32(i as u32).unwrap_or('\u{FFFD}');
            pad(out, &c.to_string(), spec);
            return;
        }
        'q' => {
            let c = char::from_u32(i as u32).unwrap_or('\u{FFFD}');
            pad(out, &quote_rune(c, spec.plus), spec);
            return;
        }
        'U' => {
            let mut s = format!("U+{:04X}", abs);
            if spec.sharp {
                if let Some(c) = char::from_u32(i as u32).filter(|c| is_go_printable(*c)) {
                    s.push_str(&format!(" '{c}'"));
                }
            }
            pad(out, &s, spec);
            return;
        }
        _ => {
            bad_verb(out, v, spec);
            return;
        }
    };
    // Precision: minimum number of digits; precision 0 with value 0 prints nothing.
    let mut digits = digits;
    if let Some(p) = spec.prec {
        if p == 0 && abs == 0 {
            digits.clear();
        } else if digits.len() < p {
            digits = format!("{}{}", "0".repeat(p - digits.len()), digits);
        }
    }
    // `%#o` adds its 0 only where the digits do not already start with one.
    let prefix = if spec.verb == 'o' && digits.starts_with('0') {
        ""
    } else {
        prefix
    };
    let sign = if neg {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    };
    let body_len = sign.len() + prefix.len() + digits.len();
    let width = spec.width.unwrap_or(0);
    if spec.zero && spec.prec.is_none() && !spec.minus && width > body_len {
        let mut s = String::new();
        s.push_str(sign);
        s.push_str(prefix);
        s.extend(std::iter::repeat_n('0', width - body_len));
        s.push_str(&digits);
        out.push_str(&s);
    } else {
        let s = format!("{sign}{prefix}{digits}");
        let sp = Spec {
            zero: false,
            ..spec.clone()
        };
        pad(out, &s, &sp);
    }
}

/// Go's `#` flag on floats: always a radix point, and for `%g` (and `%x`)
/// trailing zeros up to the precision (6 when unset). Like Go, `%X` gets
/// no zeros and every character after the first non-zero one counts as a
/// digit (the `x` of `0x` too).
fn sharp_float(num: String, verb: char, prec: Option<usize>) -> String {
    let mut digits: i64 = match verb {
        'g' | 'G' | 'x' => prec.map(|p| p as i64).unwrap_or(6),
        _ => 0,
    };
    let hex = matches!(verb, 'x' | 'X');
    let (sign, body) = match num.strip_prefix(['-', '+']) {
        Some(rest) => (&num[..1], rest),
        None => ("", num.as_str()),
    };
    let exponent_at = if hex {
        body.find(['p', 'P'])
    } else {
        body.find(['e', 'E'])
    };
    let (mantissa, tail) = match exponent_at {
        Some(i) => (&body[..i], &body[i..]),
        None => (body, ""),
    };
    let mut has_point = false;
    let mut saw_nonzero = false;
    for c in mantissa.chars() {
        if c == '.' {
            has_point = true;
            continue;
        }
        if c != '0' {
            saw_nonzero = true;
        }
        if saw_nonzero {
            digits -= 1;
        }
    }
    let mut out = format!("{sign}{mantissa}");
    if !has_point {
        if mantissa == "0" {
            digits -= 1;
        }
        out.push('.');
    }
    while digits > 0 {
        out.push('0');
        digits -= 1;
    }
    out.push_str(tail);
    out
}

/// A finite float taken apart as strconv's FormatFloat does for `%x` and
/// `%b`: sign, integer mantissa (with the implicit bit) and binary exponent
/// of the mantissa's top bit; Go's text for NaN and the infinities.
fn float_parts(x: f64) -> Result<(bool, u64, i64), &'static str> {
    if x.is_nan() {
        return Err("NaN");
    }
    if x.is_infinite() {
        return Err(if x > 0.0 { "+Inf" } else { "-Inf" });
    }
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i64;
    let mant = bits & ((1u64 << 52) - 1);
    Ok(match biased {
        0 => (bits >> 63 != 0, mant, 1 - 1023),
        _ => (bits >> 63 != 0, mant | 1u64 << 52, biased - 1023),
    })
}

/// strconv.FormatFloat(x, 'x'/'X', prec, 64): `-0x1.8p+01`, the mantissa
/// normalised to a leading 1 and rounded (half to even) to `prec` hex
/// digits when given.
fn format_hex_float(x: f64, prec: Option<usize>, upper: bool) -> String {
    let (neg, mut mant, mut exp) = match float_parts(x) {
        Ok(parts) => parts,
        Err(text) => return text.to_string(),
    };
    if mant == 0 {
        exp = 0;
    }
    // The leading 1 at bit 60.
    mant <<= 8;
    while mant != 0 && mant & (1u64 << 60) == 0 {
        mant <<= 1;
        exp -= 1;
    }
    if let Some(p) = prec.filter(|p| *p < 15) {
        let shift = (p * 4) as u32;
        let extra = (mant << shift) & ((1u64 << 60) - 1);
        mant >>= 60 - shift;
        if extra | (mant & 1) > 1u64 << 59 {
            mant += 1;
        }
        mant <<= 60 - shift;
        if mant & (1u64 << 61) != 0 {
            mant >>= 1;
            exp += 1;
        }
    }
    let digits: &[u8] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    out.push('0');
    out.push(if upper { 'X' } else { 'x' });
    out.push(if (mant >> 60) & 1 == 1 { '1' } else { '0' });
    mant <<= 4;
    // Without a precision, the fraction's digits up to its last non-zero one.
    let frac_digits = prec.unwrap_or(if mant == 0 {
        0
    } else {
        (64 - mant.trailing_zeros() as usize).div_ceil(4)
    });
    if frac_digits > 0 {
        out.push('.');
        for _ in 0..frac_digits {
            out.push(digits[((mant >> 60) & 15) as usize] as char);
            mant <<= 4;
        }
    }
    out.push(if upper { 'P' } else { 'p' });
    out.push(if exp < 0 { '-' } else { '+' });
    let e = exp.unsigned_abs();
    if e < 10 {
        out.push('0');
    }
    out.push_str(&e.to_string());
    out
}

/// strconv.FormatFloat(x, 'b', -1, 64): decimal mantissa, binary exponent.
fn format_binary_float(x: f64) -> String {
    match float_parts(x) {
        Ok((neg, mant, exp)) => {
            let exp = exp - 52;
            format!(
                "{}{mant}p{}{exp}",
                if neg { "-" } else { "" },
                if exp >= 0 { "+" } else { "" }
            )
        }
        Err(text) => text.to_string(),
    }
}

fn format_float_verb(out: &mut GoBuf, x: f64, v: &Value, spec: &Spec) {
    // The number, and the verb it was formatted with (`v` is `%g`).
    let (s, formatted_as) = match spec.verb {
        'v' => (format_float(x, 'g', spec.prec, false), 'g'),
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
            let prec = spec.prec.or(match spec.verb {
                'g' | 'G' => None,
                _ => Some(6),
            });
            (format_float(x, spec.verb, prec, false), spec.verb)
        }
        'x' | 'X' => (format_hex_float(x, spec.prec, spec.verb == 'X'), spec.verb),
        'b' => (format_binary_float(x), 'b'),
        _ => {
            bad_verb(out, v, spec);
            return;
        }
    };
    // `#` (never for `%b`; on `v` only inside a bad verb's operand, as `%#v`
    // is Go syntax) keeps the radix point and, for `%g`/`%x`, zeros.
    let s = if spec.sharp && formatted_as != 'b' && x.is_finite() {
        sharp_float(s, formatted_as, spec.prec)
    } else {
        s
    };
    if x.is_infinite() {
        // Go keeps the sign of infinities and never zero-pads them.
        let body = if x > 0.0 && spec.space && !spec.plus {
            " Inf".to_string()
        } else {
            s
        };
        let sp = Spec {
            zero: false,
            ..spec.clone()
        };
        pad(out, &body, &sp);
        return;
    }
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, s.strip_prefix('+').unwrap_or(&s).to_string()),
    };
    let sign = if neg {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    };
    let width = spec.width.unwrap_or(0);
    let total = sign.len() + body.chars().count();
    let is_finite = x.is_finite();
    if spec.zero && !spec.minus && width > total && is_finite {
        out.push_str(sign);
        out.extend(std::iter::repeat_n('0', width - total));
        out.push_str(&body);
    } else {
        let sp = Spec {
            zero: false,
            ..spec.clone()
        };
        pad(out, &format!("{sign}{body}"), &sp);
    }
}

/// Decimal digits of |x| without trailing zeros, and the decimal point
/// position: |x| = 0.d1d2d3... * 10^dp. `sig` = significant digits to round
/// to; `None` = shortest round-trip representation.
fn decimal_digits(x: f64, sig: Option<usize>) -> (Vec<u8>, i32) {
    let ax = x.abs();
    if ax == 0.0 {
        return (Vec::new(), 0);
    }
    let s = match sig {
        None => format!("{ax:e}"),
        Some(p) => format!("{:.*e}", p.max(1) - 1, ax),
    };
    let (mant, exp) = match s.split_once('e') {
        Some(pair) => pair,
        None => (s.as_str(), "0"),
    };
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut digits: Vec<u8> = mant.bytes().filter(|b| b.is_ascii_digit()).collect();
    while digits.last() == Some(&b'0') {
        digits.pop();
    }
    if digits.is_empty() {
        return (Vec::new(), 0);
    }
    (digits, exp + 1)
}

/// strconv.FormatFloat(x, fmt, prec, 64) for fmt in e E f F g G
/// (`prec` None = -1 = shortest). `sharp` is fmt's `#` flag (keep zeros).
fn format_float(x: f64, fmt: char, prec: Option<usize>, sharp: bool) -> String {
    if x.is_nan() {
        return "NaN".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    let neg = x.is_sign_negative();
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    match fmt {
        'f' | 'F' => match prec {
            Some(p) => out.push_str(&format!("{:.*}", p, x.abs())),
            None => {
                let (d, dp) = decimal_digits(x, None);
                let p = (d.len() as i32 - dp).max(0) as usize;
                fmt_f(&mut out, &d, dp, p);
            }
        },
        'e' | 'E' => {
            let (d, dp, p) = match prec {
                Some(p) => {
                    let (d, dp) = decimal_digits(x, Some(p + 1));
                    (d, dp, p)
                }
                None => {
                    let (d, dp) = decimal_digits(x, None);
                    let p = d.len().max(1) - 1;
                    (d, dp, p)
                }
            };
            fmt_e(&mut out, &d, dp, p, fmt);
        }
        _ => {
            // 'g' / 'G'
            let upper = fmt == 'G';
            let (d, dp) = match prec {
                Some(p) => decimal_digits(x, Some(p.max(1))),
                None => decimal_digits(x, None),
            };
            let shortest = prec.is_none();
            let mut p = match prec {
                Some(p) => p.max(1),
                None => d.len(),
            };
            let mut eprec = p as i32;
            if eprec > d.len() as i32 && d.len() as i32 >= dp {
                eprec = d.len() as i32;
            }
            if shortest {
                eprec = 6;
            }
            if sharp {
                // %#g keeps trailing zeros up to the precision.
                eprec = p as i32;
            }
            let exp = dp - 1;
            if exp < -4 || exp >= eprec {
                if !sharp && p > d.len() {
                    p = d.len();
                }
                fmt_e(
                    &mut out,
                    &d,
                    dp,
                    p.max(1) - 1,
                    if upper { 'E' } else { 'e' },
                );
            } else {
                if !sharp && p as i32 > dp {
                    p = d.len();
                }
                let frac = (p as i32 - dp).max(0) as usize;
                fmt_f(&mut out, &d, dp, frac);
            }
        }
    }
    out
}

fn fmt_e(out: &mut String, d: &[u8], dp: i32, prec: usize, e: char) {
    out.push(if d.is_empty() { '0' } else { d[0] as char });
    if prec > 0 {
        out.push('.');
        for k in 1..=prec {
            out.push(if k < d.len() { d[k] as char } else { '0' });
        }
    }
    out.push(if e == 'E' || e == 'G' { 'E' } else { 'e' });
    let exp = if d.is_empty() { 0 } else { dp - 1 };
    out.push(if exp < 0 { '-' } else { '+' });
    let a = exp.unsigned_abs();
    if a < 10 {
        out.push('0');
    }
    out.push_str(&a.to_string());
}

fn fmt_f(out: &mut String, d: &[u8], dp: i32, prec: usize) {
    if dp > 0 {
        for k in 0..dp as usize {
            out.push(if k < d.len() { d[k] as char } else { '0' });
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for k in 0..prec as i32 {
            let idx = dp + k;
            let c = if idx >= 0 && (idx as usize) < d.len() {
                d[idx as usize] as char
            } else {
                '0'
            };
            out.push(c);
        }
    }
}

fn format_str(out: &mut GoBuf, b: &[u8], v: &Value, spec: &Spec) {
    match spec.verb {
        'v' | 's' => {
            let s = truncate_runes(b, spec.prec);
            pad_bytes(out, s, spec);
        }
        'q' => {
            let s = truncate_runes(b, spec.prec);
            let q = match std::str::from_utf8(s) {
                Ok(t)
                    if spec.sharp
                        && !t.contains('`')
                        && t.chars().all(|c| c == '\t' || !c.is_control()) =>
                {
                    format!("`{t}`")
                }
                _ => quote_bytes(s, spec.plus),
            };
            pad(out, &q, spec);
        }
        'x' | 'X' => {
            let bytes = match spec.prec {
                Some(p) if p < b.len() => &b[..p],
                _ => b,
            };
            let mut s = String::new();
            for (k, byte) in bytes.iter().enumerate() {
                if spec.space && k > 0 {
                    s.push(' ');
                }
                if spec.sharp && (spec.space || k == 0) {
                    s.push_str(if spec.verb == 'x' { "0x" } else { "0X" });
                }
                if spec.verb == 'x' {
                    s.push_str(&format!("{byte:02x}"));
                } else {
                    s.push_str(&format!("{byte:02X}"));
                }
            }
            pad(out, &s, spec);
        }
        _ => bad_verb(out, v, spec),
    }
}

/// The first `prec` characters (Go runes: an invalid byte counts as one).
fn truncate_runes(b: &[u8], prec: Option<usize>) -> &[u8] {
    let Some(p) = prec else { return b };
    let mut i = 0;
    for _ in 0..p {
        if i >= b.len() {
            break;
        }
        i += decode_rune(&b[i..]).1;
    }
    &b[..i]
}

/// Whether Go's `strconv.IsPrint` holds (approximation over Rust's tables).
fn is_go_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(
        c,
        '\u{00AD}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E000}'..='\u{F8FF}'
    )
}

fn quote_with(s: &str, ascii_only: bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        escape_char(&mut out, c, '"', ascii_only);
    }
    out.push('"');
    out
}

/// Go `strconv.Quote` of a Go string of any bytes: bytes that are not valid
/// UTF-8 are written as `\xNN`.
pub fn quote_bytes(b: &[u8], ascii_only: bool) -> String {
    if let Ok(s) = std::str::from_utf8(b) {
        return quote_with(s, ascii_only);
    }
    let mut out = String::with_capacity(b.len() + 2);
    out.push('"');
    for chunk in b.utf8_chunks() {
        for c in chunk.valid().chars() {
            escape_char(&mut out, c, '"', ascii_only);
        }
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02x}"));
        }
    }
    out.push('"');
    out
}

/// Go `strconv.QuoteRune` (`QuoteRuneToASCII` with `ascii_only`), as `%q`
/// prints a rune: `'a'`, `'\n'`, `'\x00'`.
pub(crate) fn quote_rune(c: char, ascii_only: bool) -> String {
    let mut out = String::from("'");
    escape_char(&mut out, c, '\'', ascii_only);
    out.push('\'');
    out
}

fn escape_char(out: &mut String, c: char, quote: char, ascii_only: bool) {
    if c == quote || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    if ascii_only {
        if (c as u32) < 0x80 && is_go_printable(c) {
            out.push(c);
            return;
        }
    } else if is_go_printable(c) {
        out.push(c);
        return;
    }
    match c {
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        '\u{FFFD}' => out.push_str("\\ufffd"),
        _ => {
            let u = c as u32;
            if u < 0x20 || u == 0x7f {
                out.push_str(&format!("\\x{u:02x}"));
            } else if u < 0x10000 {
                out.push_str(&format!("\\u{u:04x}"));
            } else {
                out.push_str(&format!("\\U{u:08x}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::MapData;

    fn f(x: f64) -> String {
        sprint(&Value::Float(x))
    }

    #[test]
    fn floats_print_like_go() {
        assert_eq!(f(1000000.0), "1e+06");
        assert_eq!(f(123456789.0), "1.23456789e+08");
        assert_eq!(f(100000.0), "100000");
        assert_eq!(f(3.0), "3");
        assert_eq!(f(0.1), "0.1");
        assert_eq!(f(0.00001), "1e-05");
        assert_eq!(f(0.0001), "0.0001");
        assert_eq!(f(-2.5), "-2.5");
        assert_eq!(f(0.0), "0");
        assert_eq!(f(f64::INFINITY), "+Inf");
    }

    #[test]
    fn collections_print_like_go() {
        let mut m = MapData::new();
        m.insert("b".into(), Value::Int(2));
        m.insert("a".into(), Value::list(vec![Value::str("x"), Value::Nil]));
        assert_eq!(sprint(&Value::map(m)), "map[a:[x <nil>] b:2]");
        assert_eq!(sprint(&Value::Nil), "<nil>");
    }

    #[test]
    fn printf_verbs() {
        let a = |v: Vec<Value>, fmt: &str| sprintf(fmt, &v);
        assert_eq!(
            a(
                vec![
                    Value::Float(3.14158),
                    Value::Float(2.5),
                    Value::Float(1234.5678),
                    Value::Float(0.000012),
                    Value::Float(3.14158),
                    Value::Float(1.5)
                ],
                "%5.2f|%.0f|%e|%g|%08.3f|%-8.2f|"
            ),
            " 3.14|2|1.234568e+03|1.2e-05|0003.142|1.50    |"
        );
        assert_eq!(a(vec![Value::Float(1.5)], "%d"), "%!d(float64=1.5)");
        assert_eq!(
            a(vec![Value::str("one")], "%s and %s"),
            "one and %!s(MISSING)"
        );
        assert_eq!(
            a(
                vec![Value::str("one"), Value::str("two"), Value::Int(3)],
                "%s"
            ),
            "one%!(EXTRA string=two, int=3)"
        );
        assert_eq!(a(vec![Value::Int(5), Value::Int(42)], "%*d"), "   42");
        assert_eq!(a(vec![Value::str("hi")], "% x"), "68 69");
        assert_eq!(a(vec![Value::Int(65)], "%q"), "'A'");
        assert_eq!(
            a(vec![Value::str("he said \"hi\"\n")], "%q"),
            "\"he said \\\"hi\\\"\\n\""
        );
        assert_eq!(a(vec![Value::Int(-5)], "%05d"), "-0005");
        assert_eq!(a(vec![Value::Float(3.0)], "%.3g"), "3");
        assert_eq!(a(vec![Value::Float(1234.5678)], "%.3g"), "1.23e+03");
        assert_eq!(
            a(
                vec![Value::list(vec![Value::Int(1), Value::str("a")])],
                "%#v"
            ),
            "[]interface {}{1, \"a\"}"
        );
    }

    /// Outputs of helm 4.3.1 (`printf` in a template).
    #[test]
    fn bad_verbs_keep_flags_and_floats_in_hex() {
        let a = |v: Value, fmt: &str| sprintf(fmt, &[v]);
        assert_eq!(a(Value::Float(2.5), "% d"), "%!d(float64= 2.5)");
        assert_eq!(a(Value::Float(1000.0), "%+d"), "%!d(float64=+1000)");
        assert_eq!(a(Value::str("abc"), "%-5d|"), "%!d(string=abc  )|");
        assert_eq!(a(Value::str("t"), "%.0f"), "%!f(string=)");
        assert_eq!(a(Value::Int(0), "%.10g"), "%!g(int=0000000000)");
        assert_eq!(a(Value::Float(3.0), "%#o"), "%!o(float64=3.00000)");
        assert_eq!(a(Value::Float(1e-7), "%#q"), "%!q(float64=1.00000e-07)");
        assert_eq!(a(Value::Float(123456789.0), "%.2q"), "%!q(float64=1.2e+08)");
        assert_eq!(a(Value::Float(1000.0), "%x"), "0x1.f4p+09");
        assert_eq!(a(Value::Float(1000.0), "%#x"), "0x1.f400p+09");
        assert_eq!(a(Value::Float(1e20), "% x"), " 0x1.5af1d78b58c4p+66");
        assert_eq!(a(Value::Float(1e21), "%X"), "0X1.B1AE4D6E2EF5P+69");
        assert_eq!(a(Value::Float(-0.5), "%#x"), "-0x1.0000p-01");
        assert_eq!(a(Value::Float(1.0), "%b"), "4503599627370496p-52");
        assert_eq!(a(Value::Int(3), "%#U"), "U+0003");
        assert_eq!(a(Value::Int(120), "%#U"), "U+0078 'x'");
        assert_eq!(a(Value::Nil, "%w"), "%!w(<nil>)");
        assert_eq!(
            a(
                Value::list(vec![Value::Int(0), Value::Int(1), Value::Int(2)]),
                "%#o"
            ),
            "[0 01 02]"
        );
    }

    #[test]
    fn strings_of_any_bytes() {
        let raw = Value::from_go_bytes(b"\xe2\x82".to_vec());
        assert_eq!(quote_bytes(b"h\xc3", false), "\"h\\xc3\"");
        assert_eq!(
            sprintf_value(
                b"%q|%5s|%.1s|%x",
                &[raw.clone(), raw.clone(), raw.clone(), raw.clone()]
            )
            .go_str_bytes(),
            Some(&b"\"\\xe2\\x82\"|   \xe2\x82|\xe2|e282"[..])
        );
        assert_eq!(sprint(&raw), "\u{FFFD}\u{FFFD}");
        let nil = Value::nil_list(crate::value::ElemType::Any);
        assert_eq!(
            sprintf("%v|%#v", &[nil.clone(), nil]),
            "[]|[]interface {}(nil)"
        );
    }

    #[test]
    fn sprint_spacing() {
        assert_eq!(
            sprint_args(&[
                Value::str("a"),
                Value::Int(1),
                Value::Int(2),
                Value::str("b")
            ]),
            "a1 2b"
        );
    }
}
