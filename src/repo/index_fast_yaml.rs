//! A fast reader for the YAML that helm itself writes for index files
//! (go-yaml v2 block style: `key: value` maps, `- ` sequences at the
//! parent key's indentation, plain / quoted / literal-block scalars).
//!
//! Big repository indexes are tens of megabytes; the general YAML loader
//! (full YAML 1.1 composition and Go type emulation) takes seconds on
//! them. This reader handles only the constructs that emitter produces and
//! gives up (`None`) on anything else — anchors, tags, flow collections,
//! folded blocks, comments, numbers, duplicate keys — so the caller falls
//! back to the general loader, which also produces the exact error texts.
//! When it succeeds, the result equals the general loader's.

use crate::value::{MapData, Value};
use crate::values::yaml::comment_lines::simple_key_end;
use crate::values::yaml::resolve::{may_resolve_to_non_string, resolve_plain, GoYaml};

pub(super) struct Line<'a> {
    pub(super) indent: usize,
    pub(super) text: &'a str,
}

pub(super) struct Reader<'a> {
    pub(super) lines: Vec<Line<'a>>,
    pub(super) i: usize,
    /// Item lines rewritten by [`Reader::seq_walk`]: position and the
    /// original indentation and text.
    rewritten: Vec<(usize, usize, &'a str)>,
}

/// One item of a block sequence as [`Reader::seq_walk`] finds it.
pub(super) enum SeqItem<'a> {
    /// `- key: ...`: a mapping at this indentation, whose first line (the
    /// current one) now starts at its first key.
    Map(usize),
    /// `- text`: a scalar starting with this text (the reader is past the
    /// item's first line).
    Inline(&'a str),
}

/// What [`parse_index`] hands to its caller while it reads `entries`.
pub enum EntryEvent<'a> {
    /// A chart name under `entries` (its versions follow).
    Chart(&'a str),
    /// One item of the current chart's list: a version's mapping, or `Nil`.
    Version(Value),
}

/// Whether `src` has characters this reader does not handle.
fn unsupported_chars(src: &str) -> bool {
    src.contains(['\r', '\t']) || src.starts_with('\u{feff}')
}

/// Splits `src` into lines, or `None` when it has characters this reader
/// does not handle.
fn reader(src: &str) -> Option<Reader<'_>> {
    if unsupported_chars(src) {
        return None;
    }
    Some(lines_of(src))
}

fn lines_of(src: &str) -> Reader<'_> {
    let mut lines = Vec::with_capacity(src.len() / 24);
    for raw in src.split('\n') {
        let text = raw.trim_start_matches(' ');
        lines.push(Line {
            indent: raw.len() - text.len(),
            text,
        });
    }
    Reader {
        lines,
        i: 0,
        rewritten: Vec::new(),
    }
}

/// One chart under `entries`: its name and the text of its version list
/// (the lines after the name's line, up to the next chart).
#[derive(Clone, Debug)]
pub struct ChartBlock<'a> {
    pub name: String,
    body: &'a str,
    /// Written as `name: []`: nothing may follow.
    flow_empty: bool,
}

impl<'a> ChartBlock<'a> {
    pub fn new(name: String, body: &'a str, flow_empty: bool) -> ChartBlock<'a> {
        ChartBlock {
            name,
            body,
            flow_empty,
        }
    }
}

/// An index in helm's layout cut into independent pieces: the top-level
/// keys other than `entries` (already read) and one [`ChartBlock`] per
/// chart, in file order. Each block can be read on its own (and so on any
/// thread) with [`chart_items`].
pub struct IndexLayout<'a> {
    pub top: MapData,
    pub charts: Vec<ChartBlock<'a>>,
}

/// The lines of `src` with their byte offsets.
fn line_spans(src: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    let mut breaks = memchr::memchr_iter(b'\n', src.as_bytes());
    std::iter::from_fn(move || {
        if start > src.len() {
            return None;
        }
        let end = breaks.next().unwrap_or(src.len());
        let line = (start, &src[start..end]);
        start = end + 1;
        Some(line)
    })
}

/// The chart-name line of a chart under `entries`: its name and whether
/// it is written `name: []`. `None` for anything else.
pub(super) fn chart_name_line(text: &str) -> Option<(String, bool)> {
    let end = simple_key_end(text)?;
    let key = &text[..end];
    if key.ends_with(' ') || key.contains(": ") {
        return None;
    }
    let GoYaml::Str(name) = resolve_plain(key) else {
        return None;
    };
    match text[end + 1..].trim_start_matches(' ') {
        "" => Some((name, false)),
        "[]" => Some((name, true)),
        _ => None,
    }
}

/// Reusable line storage for [`chart_items`], so that reading many charts
/// on one thread does not allocate (and fault in) a line table for each.
#[derive(Default)]
pub struct LineBuffer<'a>(Vec<Line<'a>>);

/// One item of a chart's version list.
// Items are handed over one at a time and consumed at once; boxing the
// common variant would only add an allocation per version.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum ChartItem {
    /// A version in helm's own layout, decoded straight into its struct.
    Version(super::index::ChartVersion),
    /// Any other item as a `Value` (a mapping the caller decodes with the
    /// general rules, or `Nil` for a null item).
    Other(Value),
}

/// The items of one chart's version list. `None` when the block is
/// outside the layout this reader handles.
pub fn chart_items<'a>(block: &ChartBlock<'a>, buf: &mut LineBuffer<'a>) -> Option<Vec<ChartItem>> {
    let mut items = Vec::new();
    each_chart_item(block, buf, &mut |v| {
        items.push(v);
        Some(())
    })?;
    Some(items)
}

/// [`chart_items`] handing each item to `each` as soon as it is read (so
/// only one version exists at a time); `each` may refuse with `None`,
/// which ends the reading with `None`.
pub fn each_chart_item<'a>(
    block: &ChartBlock<'a>,
    buf: &mut LineBuffer<'a>,
    each: &mut dyn FnMut(ChartItem) -> Option<()>,
) -> Option<()> {
    let mut lines = std::mem::take(&mut buf.0);
    lines.clear();
    // Sized once: growing a big chart's table step by step copies it
    // into ever fresh (first-touched) memory.
    lines.reserve(memchr::memchr_iter(b'\n', block.body.as_bytes()).count() + 1);
    for (_, raw) in line_spans(block.body) {
        let text = raw.trim_start_matches(' ');
        lines.push(Line {
            indent: raw.len() - text.len(),
            text,
        });
    }
    let mut r = Reader {
        lines,
        i: 0,
        rewritten: Vec::new(),
    };
    let done = read_items(&mut r, block.flow_empty, each);
    buf.0 = r.lines;
    done
}

fn read_items(
    r: &mut Reader,
    flow_empty: bool,
    each: &mut dyn FnMut(ChartItem) -> Option<()>,
) -> Option<()> {
    let Some(j) = r.peek() else {
        return Some(());
    };
    let line = &r.lines[j];
    if flow_empty || !is_seq_item(line.text) {
        return None;
    }
    let k = line.indent;
    r.seq_walk(k, &mut |r, item| match item {
        SeqItem::Map(m) => {
            let (start, mark) = (r.i, r.rewritten.len());
            if let Some(cv) = r.chart_version(m) {
                r.rewritten.clear();
                return each(ChartItem::Version(cv));
            }
            // Anything unusual: the same lines again, as a `Value`.
            r.undo_rewrites(mark);
            r.i = start;
            let v = r.map(m)?;
            r.rewritten.clear();
            each(ChartItem::Other(v))
        }
        SeqItem::Inline(text) => each(ChartItem::Other(r.inline(text, k)?)),
    })?;
    r.peek().is_none().then_some(())
}

/// Reads an index in helm's layout without ever holding the whole tree:
/// each chart version under the top-level `entries` key is built as a
/// small `Value` and handed to `on_entry` at once (which may refuse with
/// `None`); the other top-level keys are returned as a map. `None` when
/// the text is not in the layout this reader handles (or `on_entry`
/// refused), so the caller falls back to the general loader.
pub fn parse_index(
    src: &str,
    on_entry: &mut dyn FnMut(EntryEvent) -> Option<()>,
) -> Option<MapData> {
    let mut r = reader(src)?;
    let mut top = MapData::new();
    let mut seen_entries = false;
    while let Some(j) = r.peek() {
        let line = &r.lines[j];
        if line.indent != 0 || is_seq_item(line.text) || line.text.starts_with("---") {
            return None;
        }
        r.i = j;
        let text = line.text;
        let end = simple_key_end(text)?;
        let key = &text[..end];
        if key.ends_with(' ') || key.contains(": ") {
            return None;
        }
        let GoYaml::Str(key) = resolve_plain(key) else {
            return None;
        };
        let rest = text[end + 1..].trim_start_matches(' ');
        r.i += 1;
        if key.eq_ignore_ascii_case("entries") {
            // Only one spelling, once: encoding/json's case-insensitive
            // last-wins matching is left to the general loader.
            if key != "entries" || seen_entries {
                return None;
            }
            seen_entries = true;
            if rest == "{}" {
                continue;
            }
            if !rest.is_empty() {
                return None;
            }
            r.entries(on_entry)?;
            continue;
        }
        let value = if rest.is_empty() {
            r.nested(0)?
        } else {
            r.inline(rest, 0)?
        };
        if top.insert(key, value).is_some() {
            return None;
        }
    }
    Some(top)
}

/// Parses `src`, or `None` when it uses YAML this reader does not handle.
pub fn parse(src: &str) -> Option<Value> {
    let mut r = reader(src)?;
    r.skip_blank();
    if r.i >= r.lines.len() {
        return None;
    }
    let first = &r.lines[r.i];
    if first.indent != 0 || first.text.starts_with("---") || first.text.starts_with('%') {
        return None;
    }
    let v = if is_seq_item(first.text) {
        r.seq(0)?
    } else {
        r.map(0)?
    };
    r.skip_blank();
    (r.i >= r.lines.len()).then_some(v)
}

pub(super) fn is_seq_item(t: &str) -> bool {
    t == "-" || t.starts_with("- ")
}

fn is_blank(l: &Line) -> bool {
    l.text.is_empty()
}

/// A scalar as the index's fields can hold it: text, a boolean or null
/// (numbers, timestamps and the like are left to the general loader).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Scalar {
    Str(String),
    Bool(bool),
    Null,
}

/// Resolves a plain scalar's text. Text that cannot be anything but a
/// string (most of an index) is kept as is, without a copy.
fn plain_scalar(text: String) -> Option<Scalar> {
    if !text.is_empty() && !may_resolve_to_non_string(&text) {
        return Some(Scalar::Str(text));
    }
    match resolve_plain(&text) {
        GoYaml::Str(_) => Some(Scalar::Str(text)),
        GoYaml::Bool(b) => Some(Scalar::Bool(b)),
        GoYaml::Null => Some(Scalar::Null),
        _ => None,
    }
}

impl<'a> Reader<'a> {
    fn skip_blank(&mut self) {
        while self.i < self.lines.len() && is_blank(&self.lines[self.i]) {
            self.i += 1;
        }
    }

    /// The next non-blank line's index, without consuming.
    pub(super) fn peek(&self) -> Option<usize> {
        let mut j = self.i;
        while j < self.lines.len() && is_blank(&self.lines[j]) {
            j += 1;
        }
        (j < self.lines.len()).then_some(j)
    }

    /// Walks the block mapping at indentation `n` (its first line is the
    /// next one): `each` gets each key's text and the rest of its line,
    /// and reads the value.
    pub(super) fn map_walk(
        &mut self,
        n: usize,
        each: &mut dyn FnMut(&mut Self, &'a str, &'a str) -> Option<()>,
    ) -> Option<()> {
        while let Some(j) = self.peek() {
            let line = &self.lines[j];
            if line.indent < n {
                break;
            }
            if line.indent > n || is_seq_item(line.text) {
                return None;
            }
            self.i = j;
            let text = line.text;
            let end = simple_key_end(text)?;
            let key = &text[..end];
            if key.ends_with(' ') || key.contains(": ") {
                return None;
            }
            let rest = text[end + 1..].trim_start_matches(' ');
            self.i += 1;
            each(self, key, rest)?;
        }
        Some(())
    }

    /// The scalar value after `key:` at indentation `n`: null when the
    /// line ends there and no nested collection follows; `None` for any
    /// collection.
    pub(super) fn map(&mut self, n: usize) -> Option<Value> {
        let mut m = MapData::new();
        self.map_walk(n, &mut |r, key, rest| {
            let GoYaml::Str(key) = resolve_plain(key) else {
                return None;
            };
            let value = if rest.is_empty() {
                r.nested(n)?
            } else {
                r.inline(rest, n)?
            };
            m.insert(key, value).is_none().then_some(())
        })?;
        Some(Value::map(m))
    }

    /// The block value after `key:` at indentation `n`.
    pub(super) fn nested(&mut self, n: usize) -> Option<Value> {
        let Some(j) = self.peek() else {
            return Some(Value::Nil);
        };
        let line = &self.lines[j];
        if line.indent == n && is_seq_item(line.text) {
            return self.seq(n);
        }
        if line.indent > n {
            let k = line.indent;
            return if is_seq_item(line.text) {
                self.seq(k)
            } else {
                self.map(k)
            };
        }
        Some(Value::Nil)
    }

    /// The block mapping of chart names to version lists under `entries:`.
    fn entries(&mut self, on_entry: &mut dyn FnMut(EntryEvent) -> Option<()>) -> Option<()> {
        let Some(j) = self.peek() else {
            return Some(());
        };
        let n = self.lines[j].indent;
        if n == 0 {
            // `entries:` with nothing nested is null; leave that to the
            // general loader unless the next line is another top-level key.
            return (!is_seq_item(self.lines[j].text)).then_some(());
        }
        while let Some(j) = self.peek() {
            let line = &self.lines[j];
            if line.indent < n {
                break;
            }
            if line.indent > n || is_seq_item(line.text) {
                return None;
            }
            self.i = j;
            let text = line.text;
            let end = simple_key_end(text)?;
            let key = &text[..end];
            if key.ends_with(' ') || key.contains(": ") {
                return None;
            }
            let GoYaml::Str(name) = resolve_plain(key) else {
                return None;
            };
            let rest = text[end + 1..].trim_start_matches(' ');
            self.i += 1;
            on_entry(EntryEvent::Chart(&name))?;
            match rest {
                "[]" => continue,
                "" => {}
                _ => return None,
            }
            let Some(j) = self.peek() else {
                break;
            };
            let line = &self.lines[j];
            if !is_seq_item(line.text) || line.indent < n {
                if line.indent <= n {
                    continue; // `name:` alone is a null list
                }
                return None;
            }
            let k = line.indent;
            self.seq_each(k, &mut |v| on_entry(EntryEvent::Version(v)))?;
        }
        Some(())
    }

    fn seq(&mut self, n: usize) -> Option<Value> {
        let mut items = Vec::new();
        self.seq_each(n, &mut |v| {
            items.push(v);
            Some(())
        })?;
        Some(Value::list(items))
    }

    /// Reads the block sequence at indentation `n`, handing each item to
    /// `each` as it is complete.
    fn seq_each(&mut self, n: usize, each: &mut dyn FnMut(Value) -> Option<()>) -> Option<()> {
        self.seq_walk(n, &mut |r, item| match item {
            SeqItem::Map(k) => each(r.map(k)?),
            SeqItem::Inline(text) => each(r.inline(text, n)?),
        })
    }

    /// Walks the block sequence at indentation `n`: `each` reads every
    /// item (see [`SeqItem`]) and leaves the reader after it.
    pub(super) fn seq_walk(
        &mut self,
        n: usize,
        each: &mut dyn FnMut(&mut Self, SeqItem<'a>) -> Option<()>,
    ) -> Option<()> {
        while let Some(j) = self.peek() {
            let line = &self.lines[j];
            if line.indent < n {
                break;
            }
            if line.indent > n || !is_seq_item(line.text) {
                if line.indent == n {
                    break;
                }
                return None;
            }
            self.i = j;
            let item = line.text.strip_prefix("- ")?;
            let pad = item.len() - item.trim_start_matches(' ').len();
            let item = &item[pad..];
            let k = n + 2 + pad;
            if item.is_empty() || is_seq_item(item) {
                return None;
            }
            if simple_key_end(item).is_some() {
                // `- key: value`: a mapping whose first entry shares the line.
                self.rewritten.push((j, line.indent, line.text));
                self.lines[j] = Line {
                    indent: k,
                    text: item,
                };
                each(self, SeqItem::Map(k))?;
            } else {
                self.i += 1;
                each(self, SeqItem::Inline(item))?;
            }
        }
        Some(())
    }

    /// Puts back the item lines [`Reader::seq_walk`] rewrote since the
    /// `mark`-th rewrite, so that the same text can be read again.
    pub(super) fn undo_rewrites(&mut self, mark: usize) {
        while self.rewritten.len() > mark {
            let Some((j, indent, text)) = self.rewritten.pop() else {
                break;
            };
            self.lines[j] = Line { indent, text };
        }
    }

    /// A scalar (or empty flow collection) starting on the current line;
    /// continuation lines must be indented more than `n`.
    fn inline(&mut self, rest: &'a str, n: usize) -> Option<Value> {
        match rest {
            "[]" => return Some(Value::list(Vec::new())),
            "{}" => return Some(Value::empty_map()),
            _ => {}
        }
        Some(match self.scalar(rest, n)? {
            Scalar::Str(s) => Value::string(s),
            Scalar::Bool(b) => Value::Bool(b),
            Scalar::Null => Value::Nil,
        })
    }

    /// A scalar starting on the current line (not an empty flow
    /// collection); continuation lines must be indented more than `n`.
    pub(super) fn scalar(&mut self, rest: &'a str, n: usize) -> Option<Scalar> {
        let first = *rest.as_bytes().first()?;
        match first {
            b'"' => self.quoted(&rest[1..], true, n).map(Scalar::Str),
            b'\'' => self.quoted(&rest[1..], false, n).map(Scalar::Str),
            b'|' => self.literal(&rest[1..], n).map(Scalar::Str),
            b'>' | b'&' | b'*' | b'!' | b'%' | b'@' | b'`' | b'{' | b'[' | b']' | b'}' | b'#'
            | b',' | b'?' => None,
            _ => self.plain(rest, n),
        }
    }

    fn plain(&mut self, first: &str, n: usize) -> Option<Scalar> {
        let check = |t: &str| {
            !(t.contains(" #") || t.contains(": ") || t.ends_with(':') || t.starts_with('#'))
        };
        let first = first.trim_end_matches(' ');
        if !check(first) || first.starts_with("- ") || first.starts_with(": ") {
            return None;
        }
        let mut text = first.to_string();
        let mut newlines = 0;
        while self.i < self.lines.len() {
            let l = &self.lines[self.i];
            if is_blank(l) {
                newlines += 1;
                self.i += 1;
                continue;
            }
            if l.indent <= n {
                break;
            }
            let t = l.text.trim_end_matches(' ');
            if !check(t) {
                return None;
            }
            if newlines == 0 {
                text.push(' ');
            } else {
                text.extend(std::iter::repeat_n('\n', newlines));
            }
            newlines = 0;
            text.push_str(t);
            self.i += 1;
        }
        if newlines > 0 {
            // Trailing blank lines belong to no scalar; give them back.
            self.i -= newlines;
        }
        plain_scalar(text)
    }

    /// A double- (`escapes`) or single-quoted scalar; `body` follows the quote.
    fn quoted(&mut self, body: &'a str, escapes: bool, n: usize) -> Option<String> {
        let mut out = String::new();
        let mut line = body;
        let mut first_line = true;
        loop {
            let b = line.as_bytes();
            let mut i = 0;
            let mut seg_start_len = out.len();
            if !first_line {
                let t = line.trim_start_matches(' ');
                i = line.len() - t.len();
                seg_start_len = out.len();
            }
            let mut escaped_break = false;
            while i < b.len() {
                let c = b[i];
                if escapes && c == b'\\' {
                    if i + 1 == b.len() {
                        escaped_break = true;
                        break;
                    }
                    let (ch, used) = unescape(&line[i + 1..])?;
                    out.push(ch);
                    i += 1 + used;
                    seg_start_len = out.len();
                    continue;
                }
                if c == (if escapes { b'"' } else { b'\'' }) {
                    if !escapes && b.get(i + 1) == Some(&b'\'') {
                        out.push('\'');
                        i += 2;
                        seg_start_len = out.len();
                        continue;
                    }
                    // Closing quote: nothing else may follow on the line.
                    if !line[i + 1..].trim_end_matches(' ').is_empty() {
                        return None;
                    }
                    if !first_line {
                        self.i += 1;
                    }
                    return Some(out);
                }
                let len = utf8_len(c);
                out.push_str(&line[i..i + len]);
                i += len;
            }
            // Line break inside the scalar: fold.
            if !escaped_break {
                let keep = out[seg_start_len..].trim_end_matches(' ').len();
                out.truncate(seg_start_len + keep);
            }
            if !first_line {
                self.i += 1;
            }
            let mut blanks = 0;
            while self.i < self.lines.len() && is_blank(&self.lines[self.i]) {
                blanks += 1;
                self.i += 1;
            }
            if self.i >= self.lines.len() || self.lines[self.i].indent <= n {
                return None;
            }
            if !escaped_break {
                if blanks == 0 {
                    out.push(' ');
                } else {
                    out.extend(std::iter::repeat_n('\n', blanks));
                }
            } else {
                out.extend(std::iter::repeat_n('\n', blanks));
            }
            let l = &self.lines[self.i];
            line = l.text;
            first_line = false;
            // `text` has leading spaces stripped already; keep the view.
        }
    }

    fn literal(&mut self, header: &str, n: usize) -> Option<String> {
        let mut chomp = 'c';
        let mut explicit: Option<usize> = None;
        for c in header.chars() {
            match c {
                '-' | '+' if chomp == 'c' => chomp = c,
                '1'..='9' if explicit.is_none() => explicit = Some(c as usize - '0' as usize),
                _ => return None,
            }
        }
        let start = self.i;
        let mut j = start;
        while j < self.lines.len() && is_blank(&self.lines[j]) {
            j += 1;
        }
        let content_indent = match explicit {
            Some(d) => n + d,
            None => {
                if j >= self.lines.len() || self.lines[j].indent <= n {
                    // An empty block.
                    return None;
                }
                self.lines[j].indent
            }
        };
        // Leading blank lines longer than the content indentation are an error.
        if self.lines[start..j]
            .iter()
            .any(|l| l.indent > content_indent)
        {
            return None;
        }
        let mut out = String::new();
        let mut k = start;
        let mut pending_blank = 0;
        while k < self.lines.len() {
            let l = &self.lines[k];
            if is_blank(l) {
                pending_blank += 1;
                k += 1;
                continue;
            }
            if l.indent < content_indent {
                break;
            }
            for _ in 0..pending_blank {
                out.push('\n');
            }
            pending_blank = 0;
            out.extend(std::iter::repeat_n(' ', l.indent - content_indent));
            out.push_str(l.text);
            out.push('\n');
            k += 1;
        }
        // A whitespace-only line inside a block keeps its extra spaces; this
        // reader has dropped them, so refuse blocks that had any.
        for l in &self.lines[start..k] {
            if is_blank(l) && l.indent > content_indent {
                return None;
            }
        }
        match chomp {
            '-' => {
                while out.ends_with('\n') {
                    out.pop();
                }
            }
            '+' => {
                for _ in 0..pending_blank {
                    out.push('\n');
                }
            }
            _ => {}
        }
        if chomp == '+' {
            self.i = k;
        } else {
            self.i = k - pending_blank;
        }
        Some(out)
    }
}

fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

/// One escape after `\` in a double-quoted scalar: the character and how
/// many bytes of `s` it used.
fn unescape(s: &str) -> Option<(char, usize)> {
    let c = s.chars().next()?;
    let simple = match c {
        '0' => Some('\0'),
        'a' => Some('\u{7}'),
        'b' => Some('\u{8}'),
        't' | '\t' => Some('\t'),
        'n' => Some('\n'),
        'v' => Some('\u{b}'),
        'f' => Some('\u{c}'),
        'r' => Some('\r'),
        'e' => Some('\u{1b}'),
        ' ' => Some(' '),
        '"' => Some('"'),
        '/' => Some('/'),
        '\\' => Some('\\'),
        'N' => Some('\u{85}'),
        '_' => Some('\u{a0}'),
        'L' => Some('\u{2028}'),
        'P' => Some('\u{2029}'),
        _ => None,
    };
    if let Some(ch) = simple {
        return Some((ch, c.len_utf8()));
    }
    let width = match c {
        'x' => 2,
        'u' => 4,
        'U' => 8,
        _ => return None,
    };
    let hex = s.get(1..1 + width)?;
    let code = u32::from_str_radix(hex, 16).ok()?;
    Some((char::from_u32(code)?, 1 + width))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(src: &str) {
        let slow = crate::values::yaml::unmarshal(src).unwrap();
        let fast = parse(src).unwrap_or_else(|| panic!("fast reader refused:\n{src}"));
        assert_eq!(
            crate::render::encode::to_json(&fast).unwrap(),
            crate::render::encode::to_json(&slow).unwrap(),
            "{src}"
        );
    }

    #[test]
    fn matches_general_loader() {
        same("apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    keywords:\n    - x\n    - y\n    urls: []\n    annotations: {}\n    removed: true\n    description: a long line that was\n      folded by the emitter\n");
        same("a: \"quoted \\\"x\\\" \\u00e9 \\U0001F600\"\nb: 'it''s'\nc: \"folded\n  line\"\nd: \"no \\\n  space\"\n");
        same("a: |\n  line1\n    indented\n\n  line3\nb: |-\n  x\nc: |+\n  y\n\nd: |2-\n    two\ne: x\n");
        same("list:\n- a: 1x\n  b:\n  - c\n- d: e\nnested:\n  deeper:\n    k: v\nz: ~\n");
        same("generated: \"2026-11-28T03:31:29.532224921Z\"\nk: 2026-11-28\n");
        let corpus =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/index.yaml");
        if let Ok(text) = std::fs::read_to_string(corpus) {
            same(&text);
        }
    }

    #[test]
    fn refuses_what_it_does_not_handle() {
        for src in [
            "a: &x 1\n",
            "a: [1, 2]\n",
            "a: >\n  folded\n",
            "a: 1\n",
            "a: b # comment\n",
            "a: x\na: y\n",
            "- - x\n",
            "a:\n\tb: c\n",
            "a: \"open\n",
        ] {
            assert!(parse(src).is_none(), "{src}");
        }
    }
}

#[cfg(test)]
mod big_tests {
    /// `RUDDER_BIG_INDEX=path cargo test --lib big_index -- --ignored`:
    /// the fast reader and the general loader agree on a real big index.
    #[test]
    #[ignore]
    fn big_index_matches_general_loader() {
        let Ok(path) = std::env::var("RUDDER_BIG_INDEX") else {
            return;
        };
        let text = std::fs::read_to_string(path).unwrap();
        let fast = super::parse(&text).expect("fast reader refused the index");
        let slow = crate::values::yaml::unmarshal(&text).unwrap();
        assert!(
            crate::render::encode::to_json(&fast).unwrap()
                == crate::render::encode::to_json(&slow).unwrap()
        );
    }
}
