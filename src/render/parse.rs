//! Parser for Go text/template: builds the [`ast`](crate::render::ast) of a
//! file and of every `define`/`block` in it.
//!
//! It mirrors Go's parser closely enough that errors name the same token and
//! line (`template: NAME:LINE: unexpected "/" in command`), because Helm
//! shows those texts verbatim. Functions and variables are checked here, as
//! Go does: an undefined function is a parse error even in a branch that
//! never runs. Identifiers are resolved to their [`Callee`] once, so the
//! executor never looks names up.
//!
//! The tree is built compactly, because on big charts it lives for the
//! whole render and every fresh page costs a fault: lists are exact-size
//! boxed slices (built on scratch stacks, so no growth slack), text nodes
//! are views of the file's shared bytes (not copies), and identifier names
//! and string literals are interned (`.Values` is one allocation, not one
//! per use).

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::rc::Rc;
use std::thread::LocalKey;

use crate::chart::SharedBytes;
use crate::render::ast::{
    Branch, Callee, Chain, Command, Function, List, Node, Number, Operand, Pipe, Pos,
    StringLiteral, Template, TemplateCall,
};
use crate::render::fast_hash::FastHasher;
use crate::render::gofmt::quote;
use crate::render::lex::{lex, Item, ItemType, Lexed};

/// A parse failure, carrying Go's full message
/// (`template: t/templates/x.yaml:3: unclosed action`).
#[derive(Clone, Debug, PartialEq)]
pub struct ParseError(pub String);

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

type PResult<T> = Result<T, ParseError>;

/// Maximum depth of parenthesised expressions (Go's limit).
const MAX_PAREN_DEPTH: usize = 10000;
/// Maximum nesting of control structures; Go has none, but a recursive
/// descent parser needs one so hostile input cannot exhaust the stack.
const MAX_BLOCK_DEPTH: usize = 3000;
/// Names and literals longer than this are not interned (they are rarely
/// repeated), and the table stops growing at [`MAX_INTERNED`] entries, so
/// hostile input cannot make it hold much.
const MAX_INTERNED_LEN: usize = 256;
const MAX_INTERNED: usize = 64 * 1024;

/// The interning table of names (see `INTERNED`).
type Table<T> = HashSet<Rc<T>, BuildHasherDefault<FastHasher>>;

/// A table of what the parsers made, by its source text (see `PATH_TEXTS`).
type ByText<T> = RefCell<HashMap<Box<str>, Rc<T>, BuildHasherDefault<FastHasher>>>;

/// Room made up front in each table: a big chart has a few thousand
/// distinct names and paths, and growing from empty rehashed them several
/// times (a visible share of parse time).
const INTERNED_CAPACITY: usize = 2048;

thread_local! {
    /// Identifier names, field names and string literals seen by the
    /// parsers of this thread: a chart repeats the same few hundred names
    /// (`Values`, `include`, `"common.labels"`) tens of thousands of times.
    static INTERNED: RefCell<Table<str>> =
        RefCell::new(HashSet::with_capacity_and_hasher(INTERNED_CAPACITY, Default::default()));
    /// Field paths (`.Values.image.tag`) seen by the parsers of this
    /// thread, each kept once however often a chart repeats it. Keyed by
    /// the addresses of their names, which are interned first: equal
    /// interned names are one allocation, so hashing and comparing
    /// addresses is enough and far cheaper than hashing the text again.
    static PATHS: RefCell<hashbrown::HashTable<Rc<[Rc<str>]>>> =
        RefCell::new(hashbrown::HashTable::with_capacity(INTERNED_CAPACITY));
    /// The same paths by their text in the source (`.Values.image.tag`,
    /// `$root.Values`): most uses of a path find it here at once.
    static PATH_TEXTS: ByText<[Rc<str>]> =
        RefCell::new(HashMap::with_capacity_and_hasher(INTERNED_CAPACITY, Default::default()));
    /// String literals by their source text, quotes included: the files
    /// of a chart repeat the same names (`"common.names.fullname"`).
    static LITERALS: ByText<StringLiteral> =
        RefCell::new(HashMap::with_capacity_and_hasher(INTERNED_CAPACITY, Default::default()));
}

/// The shared copy of `key` in `table`, made by `make` (and kept, while
/// the table has room) the first time.
fn intern_in<T: ?Sized + Hash + Eq>(
    table: &'static LocalKey<RefCell<Table<T>>>,
    key: &T,
    make: impl FnOnce() -> Rc<T>,
) -> Rc<T> {
    table.with(|t| {
        let mut t = t.borrow_mut();
        if let Some(r) = t.get(key) {
            return r.clone();
        }
        let r = make();
        if t.len() < MAX_INTERNED {
            t.insert(r.clone());
        }
        r
    })
}

/// What a parser on this thread made of `text` before, if `table` has it.
fn made_from<T: ?Sized>(table: &'static LocalKey<ByText<T>>, text: &str) -> Option<Rc<T>> {
    table.with(|t| t.borrow().get(text).cloned())
}

/// Keeps `made` in `table` under its source `text` (not a text longer
/// than names are interned, nor once the table is full).
fn remember<T: ?Sized>(table: &'static LocalKey<ByText<T>>, text: &str, made: &Rc<T>) {
    if text.len() > MAX_INTERNED_LEN {
        return;
    }
    table.with(|t| {
        let mut t = t.borrow_mut();
        if t.len() < MAX_INTERNED {
            t.insert(Box::from(text), made.clone());
        }
    });
}

/// A shared `Rc<str>` equal to `s`.
fn intern(s: &str) -> Rc<str> {
    if s.len() > MAX_INTERNED_LEN {
        return Rc::from(s);
    }
    intern_in(&INTERNED, s, || Rc::from(s))
}

/// Hash of a path by the addresses of its names.
fn path_hash(names: &[Rc<str>]) -> u64 {
    let mut h = FastHasher::default();
    for n in names {
        h.write_usize(Rc::as_ptr(n).cast::<u8>() as usize);
    }
    h.finish()
}

/// A shared slice equal to `names` (names already interned by [`intern`]).
/// A name that was not interned (too long, or the table was full) has an
/// address of its own, so its path is never found again: it is still
/// correct, only not shared.
fn intern_path(names: &[Rc<str>]) -> Rc<[Rc<str>]> {
    if names.iter().any(|n| n.len() > MAX_INTERNED_LEN) {
        return Rc::from(names);
    }
    let hash = path_hash(names);
    PATHS.with(|t| {
        let mut t = t.borrow_mut();
        let same = |p: &Rc<[Rc<str>]>| {
            p.len() == names.len() && p.iter().zip(names).all(|(a, b)| Rc::ptr_eq(a, b))
        };
        if let Some(p) = t.find(hash, same) {
            return p.clone();
        }
        let p: Rc<[Rc<str>]> = Rc::from(names);
        if t.len() < MAX_INTERNED {
            t.insert_unique(hash, p.clone(), |p| path_hash(p));
        }
        p
    })
}

/// Empties this thread's interning tables, so that the trees its parsers
/// made are the only holders of their names and paths (see [`HandedOver`]).
fn forget_thread_interned() {
    INTERNED.with(|t| t.borrow_mut().clear());
    PATHS.with(|t| t.borrow_mut().clear());
    PATH_TEXTS.with(|t| t.borrow_mut().clear());
    LITERALS.with(|t| t.borrow_mut().clear());
}

/// Parse results made on one thread, on their way to another (a helper
/// that parsed for the thread that renders: [`crate::render::parse_ahead`],
/// [`crate::render::parse_split`]).
pub struct HandedOver<T>(T);

impl<T> HandedOver<T> {
    /// Wraps `parsed` after emptying this thread's interning tables, the
    /// only other holders of its names and paths.
    ///
    /// # Safety
    /// Every `Rc` reachable from `parsed` must have been made on this
    /// thread by its parsers, with no clone held anywhere but inside
    /// `parsed` (and the interning tables this empties); this thread must
    /// touch none of them afterwards, and the receiver must take them only
    /// after joining it, or through a lock this thread released after
    /// wrapping them (which orders their making before their taking).
    pub unsafe fn new(parsed: T) -> HandedOver<T> {
        forget_thread_interned();
        HandedOver(parsed)
    }

    pub fn into_inner(self) -> T {
        self.0
    }
}

// SAFETY: `Rc` is not `Send` because two threads could touch clones of one
// `Rc` (its count) at once. `HandedOver::new`'s contract puts every clone
// of the wrapped `Rc`s inside the value, so they all move together and only
// one thread at a time touches them. Sources are `Arc`-backed (`SharedBytes`).
unsafe impl<T> Send for HandedOver<T> {}

/// A byte offset as the tree stores it (sources are checked to fit).
fn pos32(pos: usize) -> Pos {
    Pos::try_from(pos).unwrap_or(Pos::MAX)
}

/// Parses `text` (a file named `name`) into its templates: the file itself
/// plus every `define`/`block`, in Go's duplicate-definition semantics.
pub fn parse(
    name: &str,
    text: &str,
    resolve: &dyn Fn(&str) -> Option<Callee>,
) -> PResult<Vec<Rc<Template>>> {
    parse_lexed(name, SharedBytes::from(text), lex(text), resolve)
}

/// The text of a template file as the parser reads it: its bytes shared
/// (not copied) when they are UTF-8; otherwise a copy with U+FFFD for the
/// bad bytes, as Go reads them.
pub fn source_text(bytes: &SharedBytes) -> SharedBytes {
    // The strict check first: it is several times faster than the lossy
    // scan, and chart sources are almost always valid UTF-8.
    if std::str::from_utf8(bytes).is_ok() {
        return bytes.clone();
    }
    match String::from_utf8_lossy(bytes) {
        std::borrow::Cow::Borrowed(_) => bytes.clone(),
        std::borrow::Cow::Owned(s) => SharedBytes::from(s),
    }
}

/// [`parse`] with the tokens already made by [`lex`] (the engine lexes the
/// next file on another thread while parsing this one). `source` holds the
/// same bytes as `lexed.input`; the tree's text nodes and error locations
/// refer to it.
pub fn parse_lexed(
    name: &str,
    source: SharedBytes,
    lexed: Lexed<'_>,
    resolve: &dyn Fn(&str) -> Option<Callee>,
) -> PResult<Vec<Rc<Template>>> {
    if Pos::try_from(source.len()).is_err() {
        return Err(ParseError(format!(
            "template: {name}: template is too large ({} bytes)",
            source.len()
        )));
    }
    let empty = empty_item(&lexed);
    let mut p = Parser {
        lexed,
        next_item: 0,
        token: [empty; 3],
        peek_count: 0,
        parse_name: Rc::from(name),
        source,
        vars: vec!["$"],
        resolve,
        trees: Vec::new(),
        action_pos: None,
        range_depth: 0,
        paren_depth: 0,
        block_depth: 0,
        nodes: Vec::new(),
        cmds: Vec::new(),
        operands: Vec::new(),
        names: Vec::new(),
        // Room for a typical file's distinct functions, so the map does not
        // rehash as it fills.
        callees: HashMap::with_capacity_and_hasher(64, Default::default()),
    };
    let root = p.parse_top()?;
    p.add(Rc::from(name), root)?;
    Ok(p.trees)
}

/// An EOF token at the end of the input.
fn empty_item(lexed: &Lexed<'_>) -> Item {
    let end = lexed.input.len();
    Item::new(ItemType::Eof, end, end)
}

/// What `textOrAction` can produce: a node, or the `{{end}}`/`{{else}}` markers.
enum Parsed {
    Node(Node),
    End,
    Else,
}

impl std::fmt::Display for Parsed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // Never shown: only the markers end a list.
            Parsed::Node(_) => Ok(()),
            Parsed::End => f.write_str("{{end}}"),
            Parsed::Else => f.write_str("{{else}}"),
        }
    }
}

struct Parser<'r, 's> {
    lexed: Lexed<'s>,
    next_item: usize,
    token: [Item; 3],
    peek_count: usize,
    parse_name: Rc<str>,
    source: SharedBytes,
    vars: Vec<&'s str>,
    resolve: &'r dyn Fn(&str) -> Option<Callee>,
    trees: Vec<Rc<Template>>,
    /// Where the action being parsed starts (Go's `actionLine`, as a position).
    action_pos: Option<usize>,
    range_depth: usize,
    paren_depth: usize,
    block_depth: usize,
    /// Scratch stacks the lists under construction live on; a finished list
    /// is moved off into an exact-size boxed slice.
    nodes: Vec<Node>,
    cmds: Vec<Command>,
    operands: Vec<Operand>,
    /// Scratch for the names of the path being parsed.
    names: Vec<Rc<str>>,
    /// Resolved functions of this file, by name.
    callees: HashMap<&'s str, Rc<Function>, BuildHasherDefault<FastHasher>>,
}

impl<'s> Parser<'_, 's> {
    /// The source text of a (non-error) token.
    fn text(&self, it: &Item) -> &'s str {
        self.lexed.text(it)
    }

    fn lex_next(&mut self) -> Item {
        match self.lexed.items.get(self.next_item) {
            Some(it) => {
                self.next_item += 1;
                *it
            }
            None => match self.lexed.items.last() {
                Some(it) => *it,
                None => empty_item(&self.lexed),
            },
        }
    }

    // `next` and `peek` return the token they store rather than reading it
    // back: that read, right after the store, was a visible stall.
    fn next(&mut self) -> Item {
        if self.peek_count > 0 {
            self.peek_count -= 1;
            return self.token[self.peek_count];
        }
        let it = self.lex_next();
        self.token[0] = it;
        it
    }

    fn backup(&mut self) {
        self.peek_count += 1;
    }

    fn backup2(&mut self, t1: Item) {
        self.token[1] = t1;
        self.peek_count = 2;
    }

    fn backup3(&mut self, t2: Item, t1: Item) {
        self.token[1] = t1;
        self.token[2] = t2;
        self.peek_count = 3;
    }

    fn peek(&mut self) -> Item {
        if self.peek_count > 0 {
            return self.token[self.peek_count - 1];
        }
        self.peek_count = 1;
        let it = self.lex_next();
        self.token[0] = it;
        it
    }

    fn next_non_space(&mut self) -> Item {
        loop {
            let t = self.next();
            if t.typ != ItemType::Space {
                return t;
            }
        }
    }

    fn peek_non_space(&mut self) -> Item {
        let t = self.next_non_space();
        self.backup();
        t
    }

    fn errorf(&self, msg: impl std::fmt::Display) -> ParseError {
        ParseError(format!(
            "template: {}:{}: {}",
            self.parse_name,
            self.lexed.line_of(self.token[0].pos()),
            msg
        ))
    }

    fn unexpected(&self, tok: &Item, context: &str) -> ParseError {
        let shown = self.lexed.describe(tok);
        if tok.typ == ItemType::Error {
            let mut extra = String::new();
            let action_line = self
                .action_pos
                .map(|pos| self.lexed.line_of(pos))
                .filter(|&line| line != self.lexed.line_of(tok.pos()));
            if let Some(action_line) = action_line {
                extra = format!(" in action started at {}:{action_line}", self.parse_name);
                if self.lexed.val(tok).ends_with(" action") {
                    extra = extra[" in action".len()..].to_string();
                }
            }
            return self.errorf(format!("{shown}{extra}"));
        }
        self.errorf(format!("unexpected {shown} in {context}"))
    }

    fn expect(&mut self, typ: ItemType, context: &str) -> PResult<Item> {
        let t = self.next_non_space();
        if t.typ != typ {
            return Err(self.unexpected(&t, context));
        }
        Ok(t)
    }

    /// Moves the nodes pushed since `mark` into a list.
    fn take_nodes(&mut self, mark: usize) -> List {
        List {
            nodes: self.nodes.split_off(mark).into_boxed_slice(),
        }
    }

    /// Records a template in this file's set (Go's `Tree.add`).
    fn add(&mut self, name: Rc<str>, root: List) -> PResult<()> {
        let tmpl = Template {
            name: name.clone(),
            parse_name: self.parse_name.clone(),
            source: self.source.clone(),
            root: Rc::new(root),
        };
        if let Some(i) = self.trees.iter().position(|t| t.name == name) {
            if self.trees[i].is_empty() {
                self.trees[i] = Rc::new(tmpl);
            } else if !tmpl.is_empty() {
                return Err(self.errorf(format!(
                    "template: multiple definition of template {}",
                    quote(&name)
                )));
            }
            return Ok(());
        }
        self.trees.push(Rc::new(tmpl));
        Ok(())
    }

    fn parse_top(&mut self) -> PResult<List> {
        let mark = self.nodes.len();
        while self.peek().typ != ItemType::Eof {
            if self.peek().typ == ItemType::LeftDelim {
                let delim = self.next();
                if self.next_non_space().typ == ItemType::Define {
                    self.parse_definition()?;
                    continue;
                }
                self.backup2(delim);
            }
            match self.text_or_action()? {
                p @ (Parsed::End | Parsed::Else) => {
                    return Err(self.errorf(format!("unexpected {p}")));
                }
                Parsed::Node(n) => self.nodes.push(n),
            }
        }
        Ok(self.take_nodes(mark))
    }

    /// Runs `f` as the parse of a nested template (define/block body), which
    /// starts with fresh variables and range depth.
    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        let vars = std::mem::replace(&mut self.vars, vec!["$"]);
        let range_depth = std::mem::replace(&mut self.range_depth, 0);
        let r = f(self);
        self.vars = vars;
        self.range_depth = range_depth;
        r
    }

    fn parse_definition(&mut self) -> PResult<()> {
        const CONTEXT: &str = "define clause";
        self.nested(|p| {
            let tok = p.next_non_space();
            if tok.typ != ItemType::String && tok.typ != ItemType::RawString {
                return Err(p.unexpected(&tok, CONTEXT));
            }
            let name = go_unquote(p.text(&tok)).map_err(|e| p.errorf(e))?;
            p.expect(ItemType::RightDelim, CONTEXT)?;
            let (list, end) = p.item_list()?;
            if !matches!(end, Parsed::End) {
                return Err(p.errorf(format!("unexpected {end} in {CONTEXT}")));
            }
            p.add(Rc::from(name.as_str()), list)
        })
    }

    fn item_list(&mut self) -> PResult<(List, Parsed)> {
        let mark = self.nodes.len();
        while self.peek_non_space().typ != ItemType::Eof {
            match self.text_or_action()? {
                Parsed::Node(n) => self.nodes.push(n),
                other => return Ok((self.take_nodes(mark), other)),
            }
        }
        Err(self.errorf("unexpected EOF"))
    }

    fn text_or_action(&mut self) -> PResult<Parsed> {
        let tok = self.next_non_space();
        match tok.typ {
            ItemType::Text => Ok(Parsed::Node(Node::Text {
                start: pos32(tok.pos()),
                end: pos32(tok.end()),
            })),
            ItemType::LeftDelim => {
                self.action_pos = Some(tok.pos());
                let r = self.action();
                self.action_pos = None;
                r
            }
            _ => Err(self.unexpected(&tok, "input")),
        }
    }

    fn action(&mut self) -> PResult<Parsed> {
        let tok = self.next_non_space();
        match tok.typ {
            ItemType::Block => return self.block_control().map(Parsed::Node),
            ItemType::Break | ItemType::Continue => {
                let what = if tok.typ == ItemType::Break {
                    "break"
                } else {
                    "continue"
                };
                let t = self.next_non_space();
                if t.typ != ItemType::RightDelim {
                    return Err(self.unexpected(&t, &format!("{{{{{what}}}}}")));
                }
                if self.range_depth == 0 {
                    return Err(self.errorf(format!("{{{{{what}}}}} outside {{{{range}}}}")));
                }
                return Ok(Parsed::Node(if tok.typ == ItemType::Break {
                    Node::Break(pos32(tok.pos()))
                } else {
                    Node::Continue(pos32(tok.pos()))
                }));
            }
            ItemType::Else => {
                let peek = self.peek_non_space();
                if peek.typ == ItemType::If || peek.typ == ItemType::With {
                    return Ok(Parsed::Else);
                }
                self.expect(ItemType::RightDelim, "else")?;
                return Ok(Parsed::Else);
            }
            ItemType::End => {
                self.expect(ItemType::RightDelim, "end")?;
                return Ok(Parsed::End);
            }
            ItemType::If => return self.control("if").map(|b| Parsed::Node(Node::If(b))),
            ItemType::Range => return self.control("range").map(|b| Parsed::Node(Node::Range(b))),
            ItemType::With => return self.control("with").map(|b| Parsed::Node(Node::With(b))),
            ItemType::Template => return self.template_control().map(Parsed::Node),
            _ => {}
        }
        self.backup();
        let pipe = self.pipeline("command", ItemType::RightDelim)?;
        Ok(Parsed::Node(Node::Action(Box::new(pipe))))
    }

    fn control(&mut self, context: &str) -> PResult<Box<Branch>> {
        if self.block_depth >= MAX_BLOCK_DEPTH {
            return Err(self.errorf("max nesting depth exceeded"));
        }
        self.block_depth += 1;
        let mark = self.vars.len();
        let r = self.control_inner(context);
        self.vars.truncate(mark);
        self.block_depth -= 1;
        r
    }

    fn control_inner(&mut self, context: &str) -> PResult<Box<Branch>> {
        let pipe = self.pipeline(context, ItemType::RightDelim)?;
        let is_range = context == "range";
        if is_range {
            self.range_depth += 1;
        }
        let r = self.item_list();
        if is_range {
            self.range_depth -= 1;
        }
        let (list, next) = r?;
        let mut else_list = None;
        if let Parsed::Else = next {
            let peek = self.peek().typ;
            if context == "if" && peek == ItemType::If {
                self.next();
                let inner = self.control("if")?;
                else_list = Some(List {
                    nodes: Box::new([Node::If(inner)]),
                });
            } else if context == "with" && peek == ItemType::With {
                self.next();
                let inner = self.control("with")?;
                else_list = Some(List {
                    nodes: Box::new([Node::With(inner)]),
                });
            } else {
                let (l, next) = self.item_list()?;
                if !matches!(next, Parsed::End) {
                    return Err(self.errorf(format!("expected end; found {next}")));
                }
                else_list = Some(l);
            }
        }
        Ok(Box::new(Branch {
            pipe,
            list,
            else_list,
        }))
    }

    fn template_name(&mut self, tok: &Item, context: &str) -> PResult<String> {
        match tok.typ {
            ItemType::String | ItemType::RawString => {
                go_unquote(self.text(tok)).map_err(|e| self.errorf(e))
            }
            _ => Err(self.unexpected(tok, context)),
        }
    }

    fn block_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "block clause";
        let tok = self.next_non_space();
        let name = self.template_name(&tok, CONTEXT)?;
        let pipe = self.pipeline(CONTEXT, ItemType::RightDelim)?;
        self.nested(|p| {
            let (list, end) = p.item_list()?;
            if !matches!(end, Parsed::End) {
                return Err(p.errorf(format!("unexpected {end} in {CONTEXT}")));
            }
            p.add(Rc::from(name.as_str()), list)
        })?;
        Ok(Node::Template(Box::new(TemplateCall {
            pos: pos32(tok.pos()),
            name: intern(&name),
            pipe: Some(pipe),
        })))
    }

    fn template_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "template clause";
        let tok = self.next_non_space();
        let name = self.template_name(&tok, CONTEXT)?;
        let mut pipe = None;
        if self.next_non_space().typ != ItemType::RightDelim {
            self.backup();
            pipe = Some(self.pipeline(CONTEXT, ItemType::RightDelim)?);
        }
        Ok(Node::Template(Box::new(TemplateCall {
            pos: pos32(tok.pos()),
            name: intern(&name),
            pipe,
        })))
    }

    fn pipeline(&mut self, context: &str, end: ItemType) -> PResult<Pipe> {
        let tok = self.peek_non_space();
        let pos = tok.pos();
        let mut is_assign = false;
        let mut decl: Vec<Rc<str>> = Vec::new();
        loop {
            let v = self.peek_non_space();
            if v.typ != ItemType::Variable {
                break;
            }
            self.next();
            let after = self.peek();
            let nxt = self.peek_non_space();
            let name = self.text(&v);
            if nxt.typ == ItemType::Assign || nxt.typ == ItemType::Declare {
                is_assign = nxt.typ == ItemType::Assign;
                self.next_non_space();
                decl.push(intern(name));
                self.vars.push(name);
            } else if nxt.typ == ItemType::Char && self.text(&nxt) == "," {
                self.next_non_space();
                decl.push(intern(name));
                self.vars.push(name);
                if context == "range" && decl.len() < 2 {
                    match self.peek_non_space().typ {
                        ItemType::Variable | ItemType::RightDelim | ItemType::RightParen => {
                            continue
                        }
                        _ => return Err(self.errorf("range can only initialize variables")),
                    }
                }
                return Err(self.errorf(format!("too many declarations in {context}")));
            } else if after.typ == ItemType::Space {
                self.backup3(v, after);
            } else {
                self.backup2(v);
            }
            break;
        }
        let mark = self.cmds.len();
        loop {
            let tok = self.next_non_space();
            if tok.typ == end {
                let pipe = Pipe {
                    pos: pos32(pos),
                    is_assign,
                    decl: decl.into_boxed_slice(),
                    cmds: self.cmds.split_off(mark).into_boxed_slice(),
                };
                self.check_pipeline(&pipe, context)?;
                return Ok(pipe);
            }
            match tok.typ {
                ItemType::Bool
                | ItemType::CharConstant
                | ItemType::Complex
                | ItemType::Dot
                | ItemType::Field
                | ItemType::Identifier
                | ItemType::Number
                | ItemType::Nil
                | ItemType::RawString
                | ItemType::String
                | ItemType::Variable
                | ItemType::LeftParen => {
                    self.backup();
                    let cmd = self.command()?;
                    self.cmds.push(cmd);
                }
                _ => return Err(self.unexpected(&tok, context)),
            }
        }
    }

    fn check_pipeline(&self, pipe: &Pipe, context: &str) -> PResult<()> {
        if pipe.cmds.is_empty() {
            return Err(self.errorf(format!("missing value for {context}")));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if matches!(
                c.args.first(),
                Some(
                    Operand::Bool(..)
                        | Operand::Dot(_)
                        | Operand::Nil(_)
                        | Operand::Number(..)
                        | Operand::String(..)
                )
            ) {
                return Err(self.errorf(format!(
                    "non executable command in pipeline stage {}",
                    i + 1
                )));
            }
        }
        Ok(())
    }

    fn command(&mut self) -> PResult<Command> {
        let pos = self.peek_non_space().pos();
        let mark = self.operands.len();
        loop {
            self.peek_non_space();
            self.push_operand()?;
            let tok = self.next();
            match tok.typ {
                ItemType::Space => continue,
                ItemType::RightDelim | ItemType::RightParen => self.backup(),
                ItemType::Pipe => {}
                _ => return Err(self.unexpected(&tok, "operand")),
            }
            break;
        }
        if self.operands.len() == mark {
            return Err(self.errorf("empty command"));
        }
        Ok(Command {
            pos: pos32(pos),
            args: self.operands.split_off(mark).into_boxed_slice(),
        })
    }

    /// The path of the field or variable term `first` (its token), taking
    /// the field names that follow it (`.a.b.c`, `$x.a.b`)
    /// into the same path, so it is interned once. Go moves such a node to
    /// where its first following field starts; so does this.
    ///
    /// The fields follow their term without a gap, so the whole path is
    /// one slice of the source (`.Values.image.tag`, `$x.a`): a path seen
    /// before is found by that text with one lookup, rather than one per
    /// name and one for the path.
    fn name_path(&mut self, first: &Item) -> (Pos, Rc<[Rc<str>]>) {
        let mut pos = pos32(first.pos());
        let mut end = first.end();
        if self.peek().typ == ItemType::Field {
            pos = pos32(self.peek().pos());
            while self.peek().typ == ItemType::Field {
                end = self.next().end();
            }
        }
        let text = self.lexed.input.get(first.pos()..end).unwrap_or_default();
        if let Some(path) = made_from(&PATH_TEXTS, text) {
            return (pos, path);
        }
        // A field term's text starts with its dot; a variable's does not.
        let names = text.strip_prefix('.').unwrap_or(text).split('.');
        self.names.clear();
        self.names.extend(names.map(intern));
        let path = intern_path(&self.names);
        self.names.clear();
        remember(&PATH_TEXTS, text, &path);
        (pos, path)
    }

    /// Parses the operand here onto `self.operands`, if there is one.
    /// Operands are built in place there rather than returned: moving the
    /// enum out through `Result` and `Option` layers stored it piecewise
    /// and read it back whole, a stall the profile showed on every one.
    fn push_operand(&mut self) -> PResult<()> {
        if !self.push_term()? {
            return Ok(());
        }
        // A field or variable term has taken the fields after it already.
        if self.peek().typ != ItemType::Field
            || matches!(
                self.operands.last(),
                Some(Operand::Field { .. } | Operand::Variable { .. })
            )
        {
            return Ok(());
        }
        let Some(node) = self.operands.pop() else {
            return Ok(());
        };
        let chain_pos = pos32(self.peek().pos());
        let mut fields: Vec<Rc<str>> = Vec::new();
        while self.peek().typ == ItemType::Field {
            let f = self.next();
            fields.push(intern(&self.text(&f)[1..]));
        }
        let chain = match node {
            Operand::Bool(..)
            | Operand::String(..)
            | Operand::Number(..)
            | Operand::Nil(_)
            | Operand::Dot(_) => {
                return Err(self.errorf(format!(
                    "unexpected . after term {}",
                    quote(&node.to_string())
                )));
            }
            other => Operand::Chain(Box::new(Chain {
                pos: chain_pos,
                node: other,
                fields: fields.into_boxed_slice(),
            })),
        };
        self.operands.push(chain);
        Ok(())
    }

    /// Parses a term onto `self.operands`; false (the token put back) if
    /// none starts here.
    fn push_term(&mut self) -> PResult<bool> {
        let tok = self.next_non_space();
        let pos = pos32(tok.pos());
        let val = self.text(&tok);
        match tok.typ {
            ItemType::Identifier => {
                let func = match self.callees.get(val) {
                    Some(c) => c.clone(),
                    None => {
                        let Some(callee) = (self.resolve)(val) else {
                            return Err(self.errorf(format!("function {} not defined", quote(val))));
                        };
                        let c = Rc::new(Function {
                            name: intern(val),
                            callee,
                        });
                        self.callees.insert(val, c.clone());
                        c
                    }
                };
                self.operands.push(Operand::Ident { pos, func });
            }
            ItemType::Dot => self.operands.push(Operand::Dot(pos)),
            ItemType::Nil => self.operands.push(Operand::Nil(pos)),
            ItemType::Variable => {
                if !self.vars.contains(&val) {
                    return Err(self.errorf(format!("undefined variable {}", quote(val))));
                }
                let (pos, idents) = self.name_path(&tok);
                self.operands.push(Operand::Variable { pos, idents });
            }
            ItemType::Field => {
                let (pos, idents) = self.name_path(&tok);
                self.operands.push(Operand::Field { pos, idents });
            }
            ItemType::Bool => self.operands.push(Operand::Bool(pos, val == "true")),
            ItemType::CharConstant | ItemType::Complex | ItemType::Number => {
                let n = parse_number(val, tok.typ).map_err(|e| self.errorf(e))?;
                self.operands.push(Operand::Number(pos, Box::new(n)));
            }
            ItemType::LeftParen => {
                if self.paren_depth >= MAX_PAREN_DEPTH {
                    return Err(self.errorf("max expression depth exceeded"));
                }
                self.paren_depth += 1;
                let p = self.pipeline("parenthesized pipeline", ItemType::RightParen);
                self.paren_depth -= 1;
                let p = Box::new(p?);
                self.operands.push(Operand::Pipe(p));
            }
            ItemType::String | ItemType::RawString => {
                if let Some(lit) = made_from(&LITERALS, val) {
                    self.operands.push(Operand::String(pos, lit));
                    return Ok(true);
                }
                let text = go_unquote_bytes(val).map_err(|e| self.errorf(e))?;
                let text = match String::from_utf8(text) {
                    Ok(s) => crate::value::Value::String(intern(&s)),
                    Err(e) => crate::value::Value::from_go_bytes(e.into_bytes()),
                };
                let lit = Rc::new(StringLiteral {
                    quoted: intern(val),
                    text,
                });
                remember(&LITERALS, val, &lit);
                self.operands.push(Operand::String(pos, lit));
            }
            _ => {
                self.backup();
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// Go's `strconv.Unquote` for "...", `...` and '...' literals.
pub fn go_unquote(s: &str) -> Result<String, &'static str> {
    const BAD: &str = "invalid syntax";
    let b = s.as_bytes();
    if b.len() < 2 {
        return Err(BAD);
    }
    let q = b[0];
    if q != b[b.len() - 1] {
        return Err(BAD);
    }
    let body = &s[1..s.len() - 1];
    match q {
        b'`' => {
            if body.contains('`') {
                return Err(BAD);
            }
            Ok(body.replace('\r', ""))
        }
        b'"' if memchr::memchr3(b'\\', b'"', b'\n', body.as_bytes()).is_none() => {
            // Nothing to decode (the common case): the body as it is.
            Ok(body.to_string())
        }
        b'"' | b'\'' => {
            let mut out = String::new();
            let mut rest = body;
            while !rest.is_empty() {
                let (c, tail) = unquote_char(rest, q as char)?;
                match c {
                    CharOrByte::Char(c) => out.push(c),
                    CharOrByte::Byte(b) => {
                        // Go strings may hold arbitrary bytes; we keep valid UTF-8 only.
                        out.push(char::from(b));
                    }
                }
                rest = tail;
                if q == b'\'' && !rest.is_empty() {
                    return Err(BAD);
                }
            }
            if q == b'\'' && out.chars().count() != 1 {
                return Err(BAD);
            }
            Ok(out)
        }
        _ => Err(BAD),
    }
}

/// Go's `strconv.Unquote` of a string literal as the bytes Go gets: `\xNN`
/// and octal escapes are single bytes, so the result may not be UTF-8.
pub fn go_unquote_bytes(s: &str) -> Result<Vec<u8>, &'static str> {
    let b = s.as_bytes();
    if b.first() != Some(&b'"') || !s.contains('\\') {
        return go_unquote(s).map(String::into_bytes);
    }
    if b.len() < 2 || b[b.len() - 1] != b'"' {
        return Err("invalid syntax");
    }
    let mut out = Vec::new();
    let mut rest = &s[1..s.len() - 1];
    while !rest.is_empty() {
        let (c, tail) = unquote_char(rest, '"')?;
        match c {
            CharOrByte::Char(c) => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
            CharOrByte::Byte(b) => out.push(b),
        }
        rest = tail;
    }
    Ok(out)
}

enum CharOrByte {
    Char(char),
    Byte(u8),
}

/// Go's `strconv.UnquoteChar`: decodes one (possibly escaped) character.
fn unquote_char(s: &str, quote: char) -> Result<(CharOrByte, &str), &'static str> {
    const BAD: &str = "invalid syntax";
    let mut chars = s.chars();
    let c = chars.next().ok_or(BAD)?;
    if c == quote && (quote == '\'' || quote == '"') {
        return Err(BAD);
    }
    if c != '\\' {
        if c == '\n' {
            return Err(BAD);
        }
        return Ok((CharOrByte::Char(c), chars.as_str()));
    }
    let e = chars.next().ok_or(BAD)?;
    let rest = chars.as_str();
    let simple = match e {
        'a' => Some('\u{7}'),
        'b' => Some('\u{8}'),
        'f' => Some('\u{c}'),
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        'v' => Some('\u{b}'),
        '\\' => Some('\\'),
        '\'' | '"' => {
            if e != quote {
                return Err(BAD);
            }
            Some(e)
        }
        _ => None,
    };
    if let Some(c) = simple {
        return Ok((CharOrByte::Char(c), rest));
    }
    match e {
        'x' | 'u' | 'U' => {
            let n = match e {
                'x' => 2,
                'u' => 4,
                _ => 8,
            };
            if rest.len() < n || !rest.is_char_boundary(n) {
                return Err(BAD);
            }
            let v = u32::from_str_radix(&rest[..n], 16).map_err(|_| BAD)?;
            if e == 'x' {
                return Ok((CharOrByte::Byte(v as u8), &rest[n..]));
            }
            let c = char::from_u32(v).ok_or(BAD)?;
            Ok((CharOrByte::Char(c), &rest[n..]))
        }
        '0'..='7' => {
            if rest.len() < 2 || !rest.is_char_boundary(2) {
                return Err(BAD);
            }
            let digits = format!("{e}{}", &rest[..2]);
            let v = u32::from_str_radix(&digits, 8).map_err(|_| BAD)?;
            if v > 255 {
                return Err(BAD);
            }
            Ok((CharOrByte::Byte(v as u8), &rest[2..]))
        }
        _ => Err(BAD),
    }
}

/// Go's `underscoreOK`: underscores only between digits (or after a base prefix).
fn underscore_ok(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let b = s.as_bytes();
    let mut saw = b'^';
    let mut i = 0;
    let mut hex = false;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1] | 0x20, b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = (b[1] | 0x20) == b'x';
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || (hex && (c | 0x20).is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
        i += 1;
    }
    saw != b'_'
}

/// Go's `strconv.ParseUint(s, 0, 64)` on the unsigned part.
fn parse_uint_base0(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let (digits, radix) = if s.len() >= 2 && s.as_bytes()[0] == b'0' {
        match s.as_bytes()[1] | 0x20 {
            b'x' => (&s[2..], 16),
            b'o' => (&s[2..], 8),
            b'b' => (&s[2..], 2),
            _ => (&s[1..], 8),
        }
    } else {
        (s, 10)
    };
    if s.contains('_') && !underscore_ok(s) {
        return None;
    }
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    if clean.is_empty() {
        // "0" alone (prefix consumed) is zero; "0x" is invalid.
        return if s == "0" { Some(0) } else { None };
    }
    u64::from_str_radix(&clean, radix).ok()
}

fn parse_int_base0(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let u = parse_uint_base0(body)?;
    if neg {
        if u <= i64::MAX as u64 + 1 {
            Some((u as i128).wrapping_neg() as i64)
        } else {
            None
        }
    } else if u <= i64::MAX as u64 {
        Some(u as i64)
    } else {
        None
    }
}

/// Go's `strconv.ParseFloat(s, 64)` for the literal forms the lexer produces.
fn parse_float_go(s: &str) -> Option<f64> {
    if s.contains('_') && !underscore_ok(s) {
        return None;
    }
    let clean: String = s.chars().filter(|&c| c != '_').collect();
    let (neg, body) = match clean.as_bytes().first() {
        Some(b'-') => (true, &clean[1..]),
        Some(b'+') => (false, &clean[1..]),
        _ => (false, clean.as_str()),
    };
    let v = if body.len() > 2 && (body.starts_with("0x") || body.starts_with("0X")) {
        parse_hex_float(&body[2..])?
    } else {
        if body.is_empty()
            || !body
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
        {
            return None;
        }
        body.parse::<f64>().ok()?
    };
    Some(if neg { -v } else { v })
}

fn parse_hex_float(s: &str) -> Option<f64> {
    let (mant, exp) = match s.find(['p', 'P']) {
        Some(i) => (&s[..i], s[i + 1..].parse::<i32>().ok()?),
        None => return None, // hex floats need an exponent in Go
    };
    let (int_part, frac_part) = match mant.find('.') {
        Some(i) => (&mant[..i], &mant[i + 1..]),
        None => (mant, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let mut v = 0f64;
    for c in int_part.chars() {
        v = v * 16.0 + c.to_digit(16)? as f64;
    }
    let mut scale = 1.0 / 16.0;
    for c in frac_part.chars() {
        v += c.to_digit(16)? as f64 * scale;
        scale /= 16.0;
    }
    Some(v * 2f64.powi(exp))
}

/// Builds a number literal with Go's rules (`newNumber`).
fn parse_number(text: &str, typ: ItemType) -> Result<Number, String> {
    let mut n = Number {
        text: Rc::from(text),
        int: None,
        uint: None,
        float: None,
    };
    if typ == ItemType::CharConstant {
        let (c, tail) = unquote_char(&text[1..], '\'').map_err(|e| e.to_string())?;
        if tail != "'" {
            return Err(format!("malformed character constant: {text}"));
        }
        let v = match c {
            CharOrByte::Char(c) => c as u32,
            CharOrByte::Byte(b) => b as u32,
        };
        n.int = Some(v as i64);
        n.uint = Some(v as u64);
        n.float = Some(v as f64);
        return Ok(n);
    }
    if typ == ItemType::Complex || text.ends_with('i') {
        return Err(format!("illegal number syntax: {}", quote(text)));
    }
    let u = parse_uint_base0(text);
    let i = parse_int_base0(text);
    n.uint = u;
    if let Some(i) = i {
        n.int = Some(i);
        if i == 0 {
            n.uint = Some(0);
        }
    }
    if let Some(i) = n.int {
        n.float = Some(i as f64);
    } else if let Some(u) = n.uint {
        n.float = Some(u as f64);
    } else if let Some(f) = parse_float_go(text) {
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Err(format!("integer overflow: {}", quote(text)));
        }
        n.float = Some(f);
        if f.fract() == 0.0 && (-9.223372036854776e18..9.223372036854776e18).contains(&f) {
            n.int = Some(f as i64);
        }
        if f.fract() == 0.0 && (0.0..1.8446744073709552e19).contains(&f) {
            n.uint = Some(f as u64);
        }
    }
    if n.int.is_none() && n.uint.is_none() && n.float.is_none() {
        return Err(format!("illegal number syntax: {}", quote(text)));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(name: &str) -> Option<Callee> {
        match name {
            "include" => Some(Callee::Include),
            "tpl" => Some(Callee::Tpl),
            _ => None,
        }
    }

    fn perr(src: &str) -> String {
        parse("t.yaml", src, &resolve).unwrap_err().0
    }

    #[test]
    fn parse_errors_match_go() {
        assert_eq!(
            perr("a: {{ end }}"),
            "template: t.yaml:1: unexpected {{end}}"
        );
        assert_eq!(
            perr("a: {{ /* c */ }}"),
            "template: t.yaml:1: unexpected \"/\" in command"
        );
        assert_eq!(
            perr("a: {{ .Values.x \n"),
            "template: t.yaml:2: unclosed action started at t.yaml:1"
        );
        assert_eq!(
            perr("{{ nosuch }}"),
            "template: t.yaml:1: function \"nosuch\" not defined"
        );
        assert_eq!(
            perr("{{ $nope }}"),
            "template: t.yaml:1: undefined variable \"$nope\""
        );
        assert_eq!(
            perr("{{ 1a }}"),
            "template: t.yaml:1: bad number syntax: \"1a\""
        );
        assert_eq!(
            perr("{{ 99999999999999999999 }}"),
            "template: t.yaml:1: integer overflow: \"99999999999999999999\""
        );
        assert_eq!(
            perr("{{ with false }}a{{ else if true }}b{{ end }}"),
            "template: t.yaml:1: unexpected <if> in input"
        );
        assert_eq!(
            perr("{{ range $a, $b, $c := . }}{{ end }}"),
            "template: t.yaml:1: too many declarations in range"
        );
        assert_eq!(
            perr("{{ break }}"),
            "template: t.yaml:1: {{break}} outside {{range}}"
        );
        assert_eq!(
            perr("{{ \"x\" | \"y\" }}"),
            "template: t.yaml:1: non executable command in pipeline stage 2"
        );
    }

    #[test]
    fn defines_and_strings() {
        let t = parse(
            "f",
            "{{ define \"a\" }}A{{ end }}{{ template \"a\" . }} {{ .Values.a.b }}",
            &resolve,
        )
        .unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(&*t[0].name, "a");
        let f = &t[1];
        assert_eq!(shown(f), "{{template \"a\" .}} {{.Values.a.b}}");
        assert_eq!(go_unquote(r#""a\tb\u00e9""#).unwrap(), "a\tbé");
    }

    /// The tree printed back as Go's `Tree.Root.String()`.
    fn shown(t: &Template) -> String {
        t.root
            .nodes
            .iter()
            .map(|node| {
                crate::render::ast::NodeDisplay {
                    node,
                    source: &t.source,
                }
                .to_string()
            })
            .collect()
    }

    /// Text nodes are ranges of the file's bytes and names and field paths
    /// are shared, so the tree of a big chart does not copy its source.
    #[test]
    fn tree_shares_source_and_names() {
        let src = SharedBytes::from("a: {{ .Values.x }}\nb: {{ .Values.y }}\n");
        let text = std::str::from_utf8(&src).unwrap();
        let t = parse_lexed("f", src.clone(), lex(text), &resolve).unwrap();
        let nodes = &t[0].root.nodes;
        let Node::Text { start, end } = nodes[0] else {
            panic!("text node expected");
        };
        assert_eq!(t[0].text(start, end), b"a: ");
        assert_eq!(t[0].source.as_ptr(), src.as_ptr());
        let field = |n: &Node| match n {
            Node::Action(p) => match &p.cmds[0].args[0] {
                Operand::Field { idents, .. } => idents[0].clone(),
                other => panic!("field expected, got {other:?}"),
            },
            other => panic!("action expected, got {other:?}"),
        };
        assert!(Rc::ptr_eq(&field(&nodes[1]), &field(&nodes[3])));
        assert_eq!(shown(&t[0]), "a: {{.Values.x}}\nb: {{.Values.y}}\n");
        // One `.Values.x` path however often it is written.
        let t = parse("g", "{{ .Values.x }}{{ .Values.x }}", &resolve).unwrap();
        let path = |n: &Node| match n {
            Node::Action(p) => match &p.cmds[0].args[0] {
                Operand::Field { idents, .. } => idents.clone(),
                other => panic!("field expected, got {other:?}"),
            },
            other => panic!("action expected, got {other:?}"),
        };
        assert!(Rc::ptr_eq(
            &path(&t[0].root.nodes[0]),
            &path(&t[0].root.nodes[1])
        ));
    }

    #[test]
    fn numbers() {
        let n = parse_number("0x1F", ItemType::Number).unwrap();
        assert_eq!(n.int, Some(31));
        let n = parse_number("1e3", ItemType::Number).unwrap();
        assert_eq!(n.float, Some(1000.0));
        assert_eq!(n.int, Some(1000));
        let n = parse_number("07", ItemType::Number).unwrap();
        assert_eq!(n.int, Some(7));
        let n = parse_number("0x1.8p1", ItemType::Number).unwrap();
        assert_eq!(n.float, Some(3.0));
        assert!(parse_number("08", ItemType::Number).is_err());
        let n = parse_number("'a'", ItemType::CharConstant).unwrap();
        assert_eq!(n.int, Some(97));
    }
}
