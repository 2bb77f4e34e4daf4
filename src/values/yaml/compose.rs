//! Builds go-yaml v2's view of one YAML document from yaml-rust2's event
//! stream: a node tree (aliases shared), then decoded into [`GoYaml`] with
//! v2's rules for merge keys, duplicate keys (last wins), explicit tags and
//! invalid keys.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::resolve::{resolve_plain, resolve_tagged, GoYaml};
use super::syntax_error::{go_syntax_error, GoSyntaxError};

/// A composed YAML node. Aliases point at the anchored node itself.
pub(crate) enum Node {
    Scalar {
        value: String,
        style: TScalarStyle,
        tag: Option<String>,
    },
    Seq(Vec<Rc<Node>>),
    Map(Vec<(Rc<Node>, Rc<Node>)>),
}

/// Failure while composing or decoding, already in go-yaml's words
/// (without the `yaml: ` prefix).
pub(crate) type ComposeError = String;

/// The text of a tag the way go-yaml spells it in messages (`!!int`).
fn tag_text(tag: &Tag) -> String {
    let full = format!("{}{}", tag.handle, tag.suffix);
    match full.strip_prefix("tag:yaml.org,2002:") {
        Some(rest) => format!("!!{rest}"),
        None => full,
    }
}

/// Reads the anchor or alias name that starts at `mark` in `src`.
fn name_at(src: &str, mark: &Marker) -> String {
    let rest: String = src.chars().skip(mark.index()).collect();
    let rest = rest.trim_start_matches(['*', '&']);
    rest.chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | '[' | ']' | '{' | '}'))
        .collect()
}

/// The 0-based line of a `\/` escape in the double-quoted scalar whose
/// opening quote is at or after `mark`, if any.
fn slash_escape_line(src: &str, mark: &Marker) -> Option<usize> {
    let mut line0 = mark.line().saturating_sub(1);
    let mut chars = src.chars().skip(mark.index());
    for c in chars.by_ref() {
        if c == '"' {
            break;
        }
        if c == '\n' {
            line0 += 1;
        }
    }
    while let Some(c) = chars.next() {
        match c {
            '"' => return None,
            '\n' => line0 += 1,
            '\\' => match chars.next() {
                Some('/') => return Some(line0),
                Some('\n') => line0 += 1,
                _ => {}
            },
            _ => {}
        }
    }
    None
}

/// A scan error before the root node started. When the root is a
/// double-quoted scalar with more text after it, go-yaml reads the scalar
/// and never looks further, so parse just that scalar.
fn root_scan_error(src: &str, e: &yaml_rust2::ScanError) -> Result<Option<Rc<Node>>, ComposeError> {
    if e.info() == "invalid trailing content after double-quoted scalar" {
        let first = src
            .lines()
            .map(str::trim_start)
            .find(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("---"));
        if first.is_some_and(|l| l.starts_with('"')) {
            if let Some((start, end)) = first_quoted_scalar(src) {
                // A `:` after it makes it a (multi-line) key instead.
                let after = src[end..].trim_start_matches([' ', '\t']);
                if !after.starts_with(':') {
                    // ... unless a `:` later on its line makes it a key.
                    if !src[start..end].contains('\n') {
                        if let Some(e) = super::root_key_quirks::quoted_root_key_error(src, end) {
                            return Err(e);
                        }
                    }
                    return compose_text(&src[..end]);
                }
            }
        }
    }
    Err(go_syntax_error(src, e).message)
}

/// Byte range of the first double-quoted scalar in `src`, from its opening
/// quote to just past its closing quote (escapes honoured).
fn first_quoted_scalar(src: &str) -> Option<(usize, usize)> {
    let start = src.find('"')?;
    let mut iter = src[start + 1..].char_indices();
    while let Some((i, c)) = iter.next() {
        match c {
            '\\' => {
                iter.next();
            }
            '"' => return Some((start, start + 1 + i + 1)),
            _ => {}
        }
    }
    None
}

/// Whether the block scalar header at `mark` carries the keep (`+`)
/// chomping indicator.
fn block_keeps_breaks(src: &str, mark: &Marker) -> bool {
    let before: Vec<char> = src.chars().take(mark.index() + 1).collect();
    let Some(header) = before.iter().rposition(|c| *c == '|' || *c == '>') else {
        return false;
    };
    before[header + 1..]
        .iter()
        .take_while(|c| !c.is_whitespace())
        .any(|c| *c == '+')
}

struct Composer<'a> {
    src: &'a str,
    parser: Parser<std::str::Chars<'a>>,
    anchors: HashMap<usize, Rc<Node>>,
    /// Anchors whose node is still being built (an alias to one is a cycle).
    open_anchors: HashMap<usize, Marker>,
    /// The input has a `\/`, which go-yaml v2 rejects in double quotes.
    check_slash_escape: bool,
    /// Start markers of the collections being composed, innermost last.
    open: Vec<Marker>,
    /// Set when the scan failed on yaml-rust2's indentation rule inside a
    /// flow collection (see [`FlowIndent`]).
    flow_indent: Option<FlowIndent>,
}

/// yaml-rust2 applies YAML 1.2's rule that lines inside a flow collection
/// are indented past the enclosing block; libyaml never checks indentation
/// in flow context (`args: [` / `  "x"` / `]` is fine for helm). White space
/// at the start of a line inside a flow collection means nothing, so the
/// line can be indented to the column of the outermost open `[`/`{`.
#[derive(Clone, Copy)]
struct FlowIndent {
    /// 0-based line that failed.
    line0: usize,
    /// Column it must be indented to.
    col: usize,
}

impl<'a> Composer<'a> {
    fn next(&mut self) -> Result<(Event, Marker), ComposeError> {
        self.parser.next_token().map_err(|e| {
            if matches!(
                e.info(),
                "invalid indentation" | "invalid indentation in flow construct"
            ) {
                self.flow_indent = self.flow_indent_fix(e.marker());
            }
            let GoSyntaxError { message } = go_syntax_error(self.src, &e);
            message
        })
    }

    /// The fix for an indentation failure at `at` when the innermost open
    /// collection is a flow collection.
    fn flow_indent_fix(&self, at: &Marker) -> Option<FlowIndent> {
        let is_flow = |m: &Marker| matches!(self.src.chars().nth(m.index()), Some('[' | '{'));
        let flows = self.open.iter().rev().take_while(|m| is_flow(m)).count();
        if flows == 0 {
            return None;
        }
        let outermost = self.open[self.open.len() - flows];
        let line0 = at.line().checked_sub(1)?;
        (at.col() < outermost.col()).then_some(FlowIndent {
            line0,
            col: outermost.col(),
        })
    }

    fn node(&mut self, ev: Event, mark: Marker) -> Result<Rc<Node>, ComposeError> {
        match ev {
            Event::Alias(id) => match self.anchors.get(&id) {
                Some(n) => Ok(n.clone()),
                None => {
                    let name = name_at(self.src, &mark);
                    if self.open_anchors.contains_key(&id) {
                        Err(format!("anchor '{name}' value contains itself"))
                    } else {
                        Err(format!("unknown anchor '{name}' referenced"))
                    }
                }
            },
            Event::Scalar(mut value, style, anchor, tag) => {
                if self.check_slash_escape && matches!(style, TScalarStyle::DoubleQuoted) {
                    if let Some(line0) = slash_escape_line(self.src, &mark) {
                        let line = if line0 == 0 { 0 } else { line0 + 1 };
                        return Err(if line == 0 {
                            "found unknown escape character".to_string()
                        } else {
                            format!("line {line}: found unknown escape character")
                        });
                    }
                }
                if matches!(style, TScalarStyle::Literal | TScalarStyle::Folded)
                    && !value.is_empty()
                    && value.chars().all(|c| c == '\n')
                    && !block_keeps_breaks(self.src, &mark)
                {
                    // An empty block scalar: libyaml gives "" unless `+`.
                    value.clear();
                }
                let node = Rc::new(Node::Scalar {
                    value,
                    style,
                    tag: tag.as_ref().map(tag_text),
                });
                if anchor > 0 {
                    self.anchors.insert(anchor, node.clone());
                }
                Ok(node)
            }
            Event::SequenceStart(anchor, _) => {
                if anchor > 0 {
                    self.open_anchors.insert(anchor, mark);
                }
                self.open.push(mark);
                let mut items = Vec::new();
                loop {
                    let (ev, m) = self.next()?;
                    if matches!(ev, Event::SequenceEnd) {
                        break;
                    }
                    items.push(self.node(ev, m)?);
                }
                self.open.pop();
                let node = Rc::new(Node::Seq(items));
                if anchor > 0 {
                    self.open_anchors.remove(&anchor);
                    self.anchors.insert(anchor, node.clone());
                }
                Ok(node)
            }
            Event::MappingStart(anchor, _) => {
                if anchor > 0 {
                    self.open_anchors.insert(anchor, mark);
                }
                self.open.push(mark);
                let mut entries = Vec::new();
                loop {
                    let (ev, m) = self.next()?;
                    if matches!(ev, Event::MappingEnd) {
                        break;
                    }
                    if let Event::Scalar(v, TScalarStyle::Plain, _, None) = &ev {
                        if v.is_empty() && self.src.chars().nth(m.index()) == Some(':') {
                            // `: value` with no key: libyaml's block mapping
                            // parser wanted a key token here.
                            let line0 = m.line().saturating_sub(1);
                            return Err(if line0 == 0 {
                                "did not find expected key".to_string()
                            } else {
                                format!("line {line0}: did not find expected key")
                            });
                        }
                    }
                    let bare_collection = matches!(
                        ev,
                        Event::MappingStart(0, None) | Event::SequenceStart(0, None)
                    );
                    let key = self.node(ev, m)?;
                    if bare_collection && is_empty_collection(&key) {
                        if let Some(e) = super::empty_flow_key::forgotten_key_error(
                            self.src,
                            &m,
                            &self.open,
                            entries.is_empty(),
                        ) {
                            return Err(e);
                        }
                    }
                    let (ev, m) = self.next()?;
                    let value = self.node(ev, m)?;
                    entries.push((key, value));
                }
                self.open.pop();
                let node = Rc::new(Node::Map(entries));
                if anchor > 0 {
                    self.open_anchors.remove(&anchor);
                    self.anchors.insert(anchor, node.clone());
                }
                Ok(node)
            }
            other => Err(format!("unexpected YAML event {other:?}")),
        }
    }
}

fn is_empty_collection(n: &Node) -> bool {
    match n {
        Node::Seq(items) => items.is_empty(),
        Node::Map(entries) => entries.is_empty(),
        Node::Scalar { .. } => false,
    }
}

/// Composes the first document of `src` (go-yaml's `Unmarshal` reads only
/// the first). `None` for a stream without documents.
pub(crate) fn compose_first(src: &str) -> Result<Option<Rc<Node>>, ComposeError> {
    // An unterminated last line of spaces means nothing to libyaml; yaml-rust2
    // reads it as one more (empty) line of a block scalar ending there.
    let src = match src.rsplit_once('\n') {
        Some((head, tail)) if !tail.is_empty() && tail.bytes().all(|b| b == b' ') => {
            &src[..head.len() + 1]
        }
        _ => src,
    };
    let plain_ascii = src
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) || b == b'\n' || b == b'\t' || b == b'\r');
    if !plain_ascii && src.chars().any(|c| !yaml_readable_char(c)) {
        return Err("control characters are not allowed".to_string());
    }
    if let Some(msg) = super::syntax_error::leading_document_end(src) {
        return Err(msg);
    }
    if let Some(root) = super::root_key_quirks::flow_root(src) {
        return compose_text(root?);
    }
    match compose_text(src) {
        // yaml-rust2 rejects tabs that start a continuation line of a quoted
        // scalar; libyaml takes them as whitespace. Retry with those tabs
        // turned into spaces (same width, same meaning).
        Err(e) if e.contains("found a tab character that violates indentation") => {
            match super::syntax_error::untab_quoted_continuations(src) {
                Some(untabbed) => compose_text(&untabbed).map_err(|_| e),
                None => Err(e),
            }
        }
        Err(e) => {
            // yaml-rust2 also wants continuation lines of a quoted scalar
            // indented past the enclosing block; libyaml does not check. The
            // leading white space of those lines is folded away either way, so
            // indenting them does not change the value. (The message may have
            // been reworded already, so ask the scanner again.)
            let mut text = src.to_string();
            for _ in 0..64 {
                let Some(fixed) = super::syntax_error::indent_quoted_continuations(&text) else {
                    return Err(e);
                };
                match compose_text(&fixed) {
                    Err(_) => text = fixed,
                    ok => return ok,
                }
            }
            Err(e)
        }
        other => other,
    }
}

/// Composes `src`, indenting lines inside flow collections as far as
/// yaml-rust2 wants them (see [`FlowIndent`]); the first error is the one
/// reported when that does not help.
fn compose_text(src: &str) -> Result<Option<Rc<Node>>, ComposeError> {
    let (result, fix) = compose_attempt(src);
    let (Err(first), Some(mut fix)) = (&result, fix) else {
        return result;
    };
    let mut text = src.to_string();
    for _ in 0..256 {
        text = indent_line(&text, fix);
        match compose_attempt(&text) {
            (Err(_), Some(next)) => fix = next,
            (Err(_), None) => return Err(first.clone()),
            (ok, _) => return ok,
        }
    }
    Err(first.clone())
}

/// `src` with line `fix.line0` indented to at least `fix.col` columns.
fn indent_line(src: &str, fix: FlowIndent) -> String {
    let mut out = String::with_capacity(src.len() + fix.col);
    for (i, line) in src.split_inclusive('\n').enumerate() {
        if i == fix.line0 {
            let body = line.trim_start_matches(' ');
            let have = line.len() - body.len();
            out.extend(std::iter::repeat_n(' ', fix.col.saturating_sub(have)));
        }
        out.push_str(line);
    }
    out
}

fn compose_attempt(src: &str) -> (Result<Option<Rc<Node>>, ComposeError>, Option<FlowIndent>) {
    let mut c = Composer {
        src,
        parser: Parser::new_from_str(src),
        anchors: HashMap::new(),
        open_anchors: HashMap::new(),
        check_slash_escape: src.contains("\\/"),
        open: Vec::new(),
        flow_indent: None,
    };
    let result = compose_events(&mut c);
    (result, c.flow_indent)
}

fn compose_events(c: &mut Composer) -> Result<Option<Rc<Node>>, ComposeError> {
    let src = c.src;
    loop {
        let (ev, mark) = match c.parser.next_token() {
            Ok(x) => x,
            Err(e) => return root_scan_error(src, &e),
        };
        match ev {
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => continue,
            Event::StreamEnd => return Ok(None),
            Event::DocumentStart => {
                let (ev, mark) = match c.parser.next_token() {
                    Ok(x) => x,
                    Err(e) => return root_scan_error(src, &e),
                };
                if matches!(ev, Event::DocumentEnd) {
                    return Ok(Some(Rc::new(Node::Scalar {
                        value: String::new(),
                        style: TScalarStyle::Plain,
                        tag: None,
                    })));
                }
                // go-yaml stops after the root node: anything after it in
                // the stream is never looked at.
                let plain_root = matches!(ev, Event::Scalar(_, TScalarStyle::Plain, _, _));
                let node = c.node(ev, mark)?;
                if plain_root {
                    // libyaml's scanner looks past a plain scalar for a `:`
                    // that would make it a key; on a later line that fails.
                    if let Err(e) = c.parser.next_token() {
                        if e.info() == "mapping values are not allowed in this context" {
                            return Err(go_syntax_error(src, &e).message);
                        }
                    }
                }
                if let Some(msg) = super::syntax_error::leading_tab_error(src) {
                    return Err(msg);
                }
                return Ok(Some(unterminated_block_end(src, node)));
            }
            other => {
                let node = c.node(other, mark)?;
                return Ok(Some(unterminated_block_end(src, node)));
            }
        }
    }
}

/// A block scalar (`|`, `>`) whose last line is the unterminated last line
/// of the input has no line break to keep: libyaml's value ends without
/// `\n`, yaml-rust2 adds one. The last scalar in document order is the
/// only one that can end there.
fn unterminated_block_end(src: &str, node: Rc<Node>) -> Rc<Node> {
    let last_line = src.rsplit('\n').next().unwrap_or("");
    // Block scalar content is indented (a `---` or `...` line is not content).
    if !last_line.starts_with(' ')
        || last_line.trim().is_empty()
        || last_line.trim_start().starts_with('#')
    {
        return node;
    }
    fn strip(node: &Rc<Node>) -> Option<Rc<Node>> {
        match &**node {
            Node::Scalar { value, style, tag }
                if matches!(style, TScalarStyle::Literal | TScalarStyle::Folded)
                    && value.ends_with('\n') =>
            {
                Some(Rc::new(Node::Scalar {
                    value: value[..value.len() - 1].to_string(),
                    style: *style,
                    tag: tag.clone(),
                }))
            }
            Node::Scalar { .. } => None,
            Node::Seq(items) => {
                let last = strip(items.last()?)?;
                let mut items = items.clone();
                let end = items.len() - 1;
                items[end] = last;
                Some(Rc::new(Node::Seq(items)))
            }
            Node::Map(entries) => {
                let (k, v) = entries.last()?;
                let last = strip(v)?;
                let mut entries = entries.clone();
                let end = entries.len() - 1;
                entries[end] = (k.clone(), last);
                Some(Rc::new(Node::Map(entries)))
            }
        }
    }
    strip(&node).unwrap_or(node)
}

/// Characters libyaml's reader accepts (anything else is rejected up front).
fn yaml_readable_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{7e}' | '\u{85}' | '\u{a0}'..='\u{d7ff}')
        || ('\u{e000}'..='\u{fffd}').contains(&c)
        || c as u32 >= 0x10000
}

/// Go's `%#v` of a decoded value, used by go-yaml's `invalid map key` error.
pub(crate) fn go_sharp_v(v: &GoYaml) -> String {
    match v {
        GoYaml::Null => "interface {}(nil)".to_string(),
        GoYaml::Bool(b) => b.to_string(),
        GoYaml::Int(i) => i.to_string(),
        GoYaml::Uint(u) => format!("0x{u:x}"),
        GoYaml::Big(f) | GoYaml::Float(f) => crate::render::encode::float::format_g(*f),
        GoYaml::Str(s) => crate::render::encode::json::quote_go(s),
        GoYaml::Seq(items) => {
            let parts: Vec<String> = items.iter().map(go_sharp_v).collect();
            format!("[]interface {{}}{{{}}}", parts.join(", "))
        }
        GoYaml::Map(entries) => {
            let mut parts: Vec<(String, String)> = entries
                .iter()
                .map(|(k, v)| (go_sharp_v(k), go_sharp_v(v)))
                .collect();
            parts.sort();
            let parts: Vec<String> = parts.into_iter().map(|(k, v)| format!("{k}:{v}")).collect();
            format!("map[interface {{}}]interface {{}}{{{}}}", parts.join(", "))
        }
    }
}

/// Identity of a map key under Go's interface equality.
fn key_identity(k: &GoYaml) -> Option<String> {
    Some(match k {
        GoYaml::Null => "n".to_string(),
        GoYaml::Bool(b) => format!("b{b}"),
        GoYaml::Int(i) => format!("i{i}"),
        GoYaml::Uint(u) => format!("u{u}"),
        GoYaml::Big(f) => format!("B{}", f.to_bits()),
        GoYaml::Float(f) if f.is_nan() => return None,
        GoYaml::Float(f) => format!("f{}", if *f == 0.0 { 0 } else { f.to_bits() }),
        GoYaml::Str(s) => format!("s{s}"),
        GoYaml::Seq(_) | GoYaml::Map(_) => return None,
    })
}

/// A map under construction with Go map semantics (assignment replaces).
struct MapBuilder {
    entries: Vec<(GoYaml, GoYaml)>,
    index: HashMap<String, usize>,
}

impl MapBuilder {
    fn set(&mut self, k: GoYaml, v: GoYaml) {
        match key_identity(&k) {
            Some(id) => {
                if let Some(&i) = self.index.get(&id) {
                    self.entries[i].1 = v;
                } else {
                    self.index.insert(id, self.entries.len());
                    self.entries.push((k, v));
                }
            }
            None => self.entries.push((k, v)),
        }
    }
}

fn is_merge_key(n: &Node) -> bool {
    match n {
        Node::Scalar { value, style, tag } => {
            value == "<<"
                && match tag {
                    Some(t) => t == "!!merge",
                    None => matches!(style, TScalarStyle::Plain),
                }
        }
        _ => false,
    }
}

/// Decodes a composed node as go-yaml v2 decodes into `interface{}`.
pub(crate) fn decode(n: &Node) -> Result<GoYaml, ComposeError> {
    let mut d = Decoder::default();
    // The document node itself is one decode step in go-yaml.
    d.step()?;
    d.step()?;
    d.decode_inner(n)
}

/// go-yaml v2 refuses documents whose alias expansion dominates the work
/// ("billion laughs"): every decode step is counted, steps made while
/// expanding an alias too, and the share of the latter may not exceed a
/// ratio that shrinks from 99% to 10% as documents grow. Without this a
/// few hundred bytes of nested aliases expand to gigabytes.
#[derive(Default)]
struct Decoder {
    decode_count: usize,
    alias_count: usize,
    alias_depth: usize,
    /// Shared (anchored and aliased) nodes already decoded once: a later
    /// visit of one is an alias expansion.
    seen: HashSet<*const Node>,
}

const ALIAS_RATIO_RANGE_LOW: usize = 400_000;
const ALIAS_RATIO_RANGE_HIGH: usize = 4_000_000;

fn allowed_alias_ratio(decode_count: usize) -> f64 {
    if decode_count <= ALIAS_RATIO_RANGE_LOW {
        0.99
    } else if decode_count >= ALIAS_RATIO_RANGE_HIGH {
        0.10
    } else {
        let span = (ALIAS_RATIO_RANGE_HIGH - ALIAS_RATIO_RANGE_LOW) as f64;
        0.99 - 0.89 * ((decode_count - ALIAS_RATIO_RANGE_LOW) as f64 / span)
    }
}

impl Decoder {
    /// One decode step; fails once alias expansion is excessive.
    fn step(&mut self) -> Result<(), ComposeError> {
        self.decode_count += 1;
        if self.alias_depth > 0 {
            self.alias_count += 1;
        }
        if self.alias_count > 100
            && self.decode_count > 1000
            && self.alias_count as f64 / self.decode_count as f64
                > allowed_alias_ratio(self.decode_count)
        {
            return Err("document contains excessive aliasing".to_string());
        }
        Ok(())
    }

    /// Counts a visit of `n` (and of the alias that led to it, if any);
    /// returns whether it is an alias expansion, for [`Decoder::leave`].
    fn enter(&mut self, n: &Rc<Node>) -> Result<bool, ComposeError> {
        let alias = Rc::strong_count(n) > 1 && !self.seen.insert(Rc::as_ptr(n));
        if alias {
            self.step()?;
            self.alias_depth += 1;
        }
        if let Err(e) = self.step() {
            self.leave(alias);
            return Err(e);
        }
        Ok(alias)
    }

    fn leave(&mut self, alias: bool) {
        if alias {
            self.alias_depth -= 1;
        }
    }

    fn decode(&mut self, n: &Rc<Node>) -> Result<GoYaml, ComposeError> {
        let alias = self.enter(n)?;
        let r = self.decode_inner(n);
        self.leave(alias);
        r
    }

    fn decode_inner(&mut self, n: &Node) -> Result<GoYaml, ComposeError> {
        match n {
            Node::Scalar { value, style, tag } => match tag.as_deref() {
                Some(t) if is_standard_tag(t) => resolve_tagged(t, value),
                Some(_) => Ok(GoYaml::Str(value.clone())),
                None => {
                    if matches!(style, TScalarStyle::Plain) {
                        Ok(resolve_plain(value))
                    } else {
                        Ok(GoYaml::Str(value.clone()))
                    }
                }
            },
            Node::Seq(items) => Ok(GoYaml::Seq(
                items
                    .iter()
                    .map(|i| self.decode(i))
                    .collect::<Result<_, _>>()?,
            )),
            Node::Map(entries) => {
                let mut out = MapBuilder {
                    entries: Vec::new(),
                    index: HashMap::new(),
                };
                self.decode_map_into(entries, &mut out)?;
                Ok(GoYaml::Map(out.entries))
            }
        }
    }

    fn decode_map_into(
        &mut self,
        entries: &[(Rc<Node>, Rc<Node>)],
        out: &mut MapBuilder,
    ) -> Result<(), ComposeError> {
        for (k, v) in entries {
            if is_merge_key(k) {
                self.merge_into(v, out)?;
                continue;
            }
            let key = self.decode(k)?;
            if matches!(key, GoYaml::Seq(_) | GoYaml::Map(_)) {
                return Err(format!("invalid map key: {}", go_sharp_v(&key)));
            }
            let value = self.decode(v)?;
            out.set(key, value);
        }
        Ok(())
    }

    fn merge_into(&mut self, v: &Rc<Node>, out: &mut MapBuilder) -> Result<(), ComposeError> {
        let alias = self.enter(v)?;
        let r = self.merge_inner(v, out);
        self.leave(alias);
        r
    }

    fn merge_inner(&mut self, v: &Node, out: &mut MapBuilder) -> Result<(), ComposeError> {
        match v {
            Node::Map(entries) => self.decode_map_into(entries, out),
            Node::Seq(items) => {
                for item in items.iter().rev() {
                    if !matches!(&**item, Node::Map(_)) {
                        return Err(MERGE_ERROR.to_string());
                    }
                    self.merge_into(item, out)?;
                }
                Ok(())
            }
            _ => Err(MERGE_ERROR.to_string()),
        }
    }
}

fn is_standard_tag(t: &str) -> bool {
    matches!(
        t,
        "!!str"
            | "!!bool"
            | "!!int"
            | "!!float"
            | "!!null"
            | "!!timestamp"
            | "!!binary"
            | "!!merge"
    )
}

const MERGE_ERROR: &str = "map merge requires map or sequence of maps as the value";
