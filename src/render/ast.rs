//! Parse tree of a Go template.
//!
//! Positions are byte offsets into the template's source (the whole file,
//! also for `define`d templates), from which error locations
//! (`NAME:LINE:COL`) are computed only when an error happens. `Display`
//! renders nodes the way Go's `Node.String()` does, because Go prints that
//! text as the error context (`executing "x" at <.Values.a.b>`).
//!
//! The tree is kept small because on big charts it lives for the whole
//! render: lists are exact-size boxed slices, text nodes are views of the
//! file's bytes (shared with the loaded chart, not copied), and names are
//! interned by the parser.

use std::fmt;
use std::rc::Rc;

use crate::chart::SharedBytes;
use crate::render::funcs::FuncDef;

/// A byte offset into a template's source. 32 bits keep every node small;
/// the parser refuses sources that do not fit.
pub type Pos = u32;

/// A named template: a file or a `define`/`block` body.
#[derive(Debug)]
pub struct Template {
    pub name: Rc<str>,
    /// Name of the file it was parsed from (Go's `ParseName`), for error locations.
    pub parse_name: Rc<str>,
    /// The whole source text of that file (valid UTF-8); text nodes are
    /// ranges of it.
    pub source: SharedBytes,
    /// Shared by the copies [`Template::relabeled`] makes.
    pub root: Rc<List>,
}

impl Template {
    /// This template as parsing `source`, the same text in the file `file`,
    /// makes it: the file's own template takes the file's name, a
    /// `define` keeps its name, and errors point into `file`.
    pub fn relabeled(&self, file: &Rc<str>, source: &SharedBytes) -> Template {
        let own = self.name == self.parse_name;
        Template {
            name: if own { file.clone() } else { self.name.clone() },
            parse_name: file.clone(),
            source: source.clone(),
            root: self.root.clone(),
        }
    }

    /// Go's `IsEmptyTree`: only whitespace text (and nothing else).
    pub fn is_empty(&self) -> bool {
        self.root.is_empty_tree(&self.source)
    }

    /// The bytes of a text node of this template.
    pub fn text(&self, start: Pos, end: Pos) -> &[u8] {
        text_of(&self.source, start, end)
    }

    /// `FILE:LINE:COL` of a byte position (column 0-based, as Go computes it).
    pub fn location(&self, pos: usize) -> String {
        let pos = pos.min(self.source.len());
        let text = &self.source[..pos];
        let line = 1 + text.iter().filter(|&&b| b == b'\n').count();
        let col = match text.iter().rposition(|&b| b == b'\n') {
            Some(i) => pos - (i + 1),
            None => pos,
        };
        format!("{}:{}:{}", self.parse_name, line, col)
    }
}

/// The text node `start..end` of a template's source (empty if out of
/// range, which the parser never produces).
fn text_of(source: &[u8], start: Pos, end: Pos) -> &[u8] {
    source.get(start as usize..end as usize).unwrap_or_default()
}

#[derive(Debug, Default)]
pub struct List {
    pub nodes: Box<[Node]>,
}

impl List {
    fn is_empty_tree(&self, source: &[u8]) -> bool {
        self.nodes.iter().all(|n| match n {
            Node::Text { start, end } => text_of(source, *start, *end)
                .iter()
                .all(|b| b.is_ascii_whitespace()),
            _ => false,
        })
    }
}

#[derive(Debug)]
pub enum Node {
    /// Text between actions: a range of the template's source.
    Text {
        start: Pos,
        end: Pos,
    },
    /// Boxed: half the nodes are text, which would otherwise carry a
    /// pipe's worth of padding.
    Action(Box<Pipe>),
    If(Box<Branch>),
    Range(Box<Branch>),
    With(Box<Branch>),
    Template(Box<TemplateCall>),
    Break(Pos),
    Continue(Pos),
}

#[derive(Debug)]
pub struct Branch {
    pub pipe: Pipe,
    pub list: List,
    pub else_list: Option<List>,
}

#[derive(Debug)]
pub struct TemplateCall {
    pub pos: Pos,
    pub name: Rc<str>,
    pub pipe: Option<Pipe>,
}

#[derive(Debug)]
pub struct Pipe {
    pub pos: Pos,
    pub is_assign: bool,
    /// Declared/assigned variable names, e.g. `$x`.
    pub decl: Box<[Rc<str>]>,
    pub cmds: Box<[Command]>,
}

#[derive(Debug)]
pub struct Command {
    pub pos: Pos,
    pub args: Box<[Operand]>,
}

/// How an identifier resolves, decided once at parse time.
#[derive(Clone, Copy)]
pub enum Callee {
    /// A function from the FuncMap (Sprig, Helm).
    Func(FuncDef),
    /// A Go builtin (`and`, `index`, `printf`, ...).
    Builtin(FuncDef),
    /// Helm's `include`.
    Include,
    /// Helm's `tpl`.
    Tpl,
}

impl fmt::Debug for Callee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Callee::Func(d) => write!(f, "Func({})", d.name),
            Callee::Builtin(d) => write!(f, "Builtin({})", d.name),
            Callee::Include => f.write_str("Include"),
            Callee::Tpl => f.write_str("Tpl"),
        }
    }
}

/// An identifier as written and what it resolves to; shared by the uses
/// of one name in a file (a `Callee` is 72 bytes).
#[derive(Debug)]
pub struct Function {
    pub name: Rc<str>,
    pub callee: Callee,
}

#[derive(Clone, Debug)]
pub struct Number {
    pub text: Rc<str>,
    pub int: Option<i64>,
    pub uint: Option<u64>,
    pub float: Option<f64>,
}

/// A string literal; shared by its uses in a file.
#[derive(Debug)]
pub struct StringLiteral {
    /// As written, quotes included.
    pub quoted: Rc<str>,
    /// The Go string value (bytes from `\x` escapes may not be UTF-8).
    pub text: crate::value::Value,
}

/// `(pipe).a.b` or `$x` chains that are not plain fields.
#[derive(Debug)]
pub struct Chain {
    pub pos: Pos,
    pub node: Operand,
    pub fields: Box<[Rc<str>]>,
}

#[derive(Debug)]
pub enum Operand {
    /// `.a.b`: idents without dots (one shared slice per distinct path).
    Field {
        pos: Pos,
        idents: Rc<[Rc<str>]>,
    },
    /// `$x.a.b`: idents[0] is the variable name including `$`.
    Variable {
        pos: Pos,
        idents: Rc<[Rc<str>]>,
    },
    /// Boxed: rare, and it would make every operand bigger.
    Chain(Box<Chain>),
    Ident {
        pos: Pos,
        func: Rc<Function>,
    },
    Dot(Pos),
    Nil(Pos),
    Bool(Pos, bool),
    /// Boxed: a number is rare and would make every operand bigger.
    Number(Pos, Box<Number>),
    String(Pos, Rc<StringLiteral>),
    Pipe(Box<Pipe>),
}

impl Operand {
    pub fn pos(&self) -> usize {
        let pos = match self {
            Operand::Field { pos, .. }
            | Operand::Variable { pos, .. }
            | Operand::Ident { pos, .. }
            | Operand::Dot(pos)
            | Operand::Nil(pos)
            | Operand::Bool(pos, _)
            | Operand::Number(pos, _)
            | Operand::String(pos, _) => *pos,
            Operand::Chain(c) => c.pos,
            Operand::Pipe(p) => p.pos,
        };
        pos as usize
    }
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Field { idents, .. } => {
                for i in idents.iter() {
                    write!(f, ".{i}")?;
                }
                Ok(())
            }
            Operand::Variable { idents, .. } => {
                for (k, i) in idents.iter().enumerate() {
                    if k > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(i)?;
                }
                Ok(())
            }
            Operand::Chain(c) => {
                if let Operand::Pipe(p) = &c.node {
                    write!(f, "({p})")?;
                } else {
                    write!(f, "{}", c.node)?;
                }
                for i in &c.fields {
                    write!(f, ".{i}")?;
                }
                Ok(())
            }
            Operand::Ident { func, .. } => f.write_str(&func.name),
            Operand::Dot(_) => f.write_str("."),
            Operand::Nil(_) => f.write_str("nil"),
            Operand::Bool(_, b) => write!(f, "{b}"),
            Operand::Number(_, n) => f.write_str(&n.text),
            Operand::String(_, lit) => f.write_str(&lit.quoted),
            Operand::Pipe(p) => write!(f, "{p}"),
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            if let Operand::Pipe(p) = a {
                write!(f, "({p})")?;
            } else {
                write!(f, "{a}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Pipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            for (i, d) in self.decl.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                f.write_str(d)?;
            }
            f.write_str(if self.is_assign { " = " } else { " := " })?;
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

/// A node as Go's `Node.String()` prints it (error contexts show it); text
/// nodes are ranges, so the template's source comes along.
pub struct NodeDisplay<'a> {
    pub node: &'a Node,
    pub source: &'a [u8],
}

impl fmt::Display for NodeDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_node(f, self.node, self.source)
    }
}

fn write_list(f: &mut fmt::Formatter<'_>, list: &List, source: &[u8]) -> fmt::Result {
    for n in &list.nodes {
        write_node(f, n, source)?;
    }
    Ok(())
}

fn write_branch(f: &mut fmt::Formatter<'_>, name: &str, b: &Branch, source: &[u8]) -> fmt::Result {
    write!(f, "{{{{{name} {}}}}}", b.pipe)?;
    write_list(f, &b.list, source)?;
    if let Some(e) = &b.else_list {
        f.write_str("{{else}}")?;
        write_list(f, e, source)?;
    }
    f.write_str("{{end}}")
}

fn write_node(f: &mut fmt::Formatter<'_>, node: &Node, source: &[u8]) -> fmt::Result {
    match node {
        Node::Text { start, end } => {
            f.write_str(&String::from_utf8_lossy(text_of(source, *start, *end)))
        }
        Node::Action(p) => write!(f, "{{{{{p}}}}}"),
        Node::If(b) => write_branch(f, "if", b, source),
        Node::Range(b) => write_branch(f, "range", b, source),
        Node::With(b) => write_branch(f, "with", b, source),
        Node::Template(t) => write!(f, "{t}"),
        Node::Break(_) => f.write_str("{{break}}"),
        Node::Continue(_) => f.write_str("{{continue}}"),
    }
}

impl fmt::Display for TemplateCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let q = crate::render::gofmt::quote(&self.name);
        match &self.pipe {
            Some(p) => write!(f, "{{{{template {q} {p}}}}}"),
            None => write!(f, "{{{{template {q}}}}}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A big chart has ~100k operands and ~50k nodes alive for the whole
    /// render: keep them small (an operand was 96 bytes before its callee
    /// and number literal were moved out of line, 64 before positions
    /// became 32-bit and string literals, chains and names were shared or
    /// boxed; a node was 48 before text became a range of the source).
    #[test]
    fn nodes_stay_small() {
        assert!(std::mem::size_of::<Node>() <= 16);
        assert!(std::mem::size_of::<Operand>() <= 24);
        assert!(std::mem::size_of::<Command>() <= 24);
        assert!(std::mem::size_of::<Pipe>() <= 40);
    }
}
