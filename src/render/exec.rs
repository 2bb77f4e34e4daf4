//! Executor for parsed templates, with Go text/template's semantics.
//!
//! Go distinguishes a *nil interface value* (what a map lookup of a missing
//! or null key yields) from an *invalid* value (what a pipeline produces
//! after unwrapping such a nil): `.Values.a.b` on a missing `a` is an error
//! (`nil pointer evaluating interface {}.b`) while `$x.b` with `$x` nil is
//! not. [`Dot`] and variables therefore carry an `iface` flag next to the
//! value; pipelines clear it, as Go's unwrapping does.
//!
//! Errors are built eagerly as Go's strings (location, context and message),
//! so the AST is only borrowed while executing and a `tpl` or `include` can
//! run in a nested state with its own borrowed templates.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

use crate::render::ast::{
    Branch, Callee, Command, Node, NodeDisplay, Number, Operand, Pipe, Template, TemplateCall,
};
use crate::render::error::ExecError;
use crate::render::funcs::builtins::{self, zero_of};
use crate::render::funcs::{FuncDef, FuncEnv, Sig, Ty};
use crate::render::gofmt::{self, quote};
use crate::render::parse::{parse, ParseError};
use crate::value::{ElemType, Value};

/// Helm's limit on nested `include` of one template name.
const MAX_INCLUDE_RECURSION: usize = 1000;
/// Cap on nested template executions (template/include/tpl) so hostile input
/// cannot exhaust the stack; Go's own limit text is reported.
const MAX_NESTING: usize = 10_000;
/// Name Helm gives its root template (seen in `tpl` errors).
pub const ROOT_NAME: &str = "gotpl";

/// A map keyed by template names or texts (which a chart chooses): hashed
/// with foldhash, seeded per process, several times cheaper than the
/// default SipHash on the lookups every `include` makes.
pub type NameMap<K, V> = HashMap<K, V, hashbrown::DefaultHashBuilder>;

/// Named templates visible to an execution; `tpl` pushes a layer with the
/// definitions of its text on top of the chart's namespace.
pub struct Namespace<'p> {
    pub templates: NameMap<Rc<str>, Rc<Template>>,
    pub parent: Option<&'p Namespace<'p>>,
    /// Templates not in `templates` that are parsed when first looked up.
    pub late: Option<&'p dyn LateTemplates>,
}

/// Template files whose trees are made when first asked for (the engine
/// renders the first files while the last are still being parsed). Each
/// is its file's template alone: a file with a `define` or `block` is
/// never late.
pub trait LateTemplates {
    fn late_lookup(&self, name: &str) -> Option<Rc<Template>>;
}

impl<'p> Namespace<'p> {
    pub fn new() -> Namespace<'static> {
        Namespace {
            templates: NameMap::default(),
            parent: None,
            late: None,
        }
    }

    pub fn lookup(&self, name: &str) -> Option<Rc<Template>> {
        if let Some(t) = self.templates.get(name) {
            return Some(t.clone());
        }
        if let Some(parent) = self.parent {
            return parent.lookup(name);
        }
        self.late.and_then(|late| late.late_lookup(name))
    }

    /// Go's `associate`: a later definition replaces an earlier one, unless
    /// it is empty and the earlier one is not.
    pub fn associate(&mut self, t: Rc<Template>) {
        if t.is_empty() && self.lookup(&t.name).is_some() {
            return;
        }
        self.templates.insert(t.name.clone(), t);
    }
}

/// Parsed `tpl` texts, cached across files (charts call `tpl` on the same
/// values many times).
pub type TplCache = RefCell<NameMap<String, Result<Rc<Vec<Rc<Template>>>, ParseError>>>;

/// State shared by one top-level execution and everything it includes.
pub struct Ctx<'e> {
    pub env: &'e RefCell<FuncEnv>,
    /// `missingkey=error` (helm's `--strict` lint) instead of `missingkey=zero`.
    pub strict: bool,
    pub resolve: &'e dyn Fn(&str) -> Option<Callee>,
    pub tpl_cache: &'e TplCache,
    include_counts: RefCell<NameMap<String, usize>>,
    nesting: Cell<usize>,
}

impl<'e> Ctx<'e> {
    pub fn new(
        env: &'e RefCell<FuncEnv>,
        strict: bool,
        resolve: &'e dyn Fn(&str) -> Option<Callee>,
        tpl_cache: &'e TplCache,
    ) -> Ctx<'e> {
        Ctx {
            env,
            strict,
            resolve,
            tpl_cache,
            include_counts: RefCell::new(NameMap::default()),
            nesting: Cell::new(0),
        }
    }
}

/// Executes `tmpl` with `data` as `.` and `$`, appending to `out`. Bytes
/// that are not UTF-8 (Go strings may hold any bytes) arrive as U+FFFD; use
/// [`execute_bytes`] to keep them.
pub fn execute(
    ctx: &Ctx<'_>,
    ns: &Namespace<'_>,
    tmpl: &Template,
    data: Value,
    out: &mut String,
) -> Result<(), ExecError> {
    let mut buf = Vec::new();
    let r = execute_bytes(ctx, ns, tmpl, data, &mut buf);
    match String::from_utf8(buf) {
        Ok(s) if out.is_empty() => *out = s,
        Ok(s) => out.push_str(&s),
        Err(e) => out.push_str(&crate::value::go_lossy(e.as_bytes())),
    }
    r
}

/// Executes `tmpl` with `data` as `.` and `$`, appending the output bytes to
/// `out` (as Go's text/template writes to an `io.Writer`).
pub fn execute_bytes(
    ctx: &Ctx<'_>,
    ns: &Namespace<'_>,
    tmpl: &Template,
    data: Value,
    out: &mut Vec<u8>,
) -> Result<(), ExecError> {
    let depth = ctx.nesting.get();
    if depth >= MAX_NESTING {
        return Err(ExecError::new(format!(
            "template: {}: exceeded maximum template depth (100000)",
            tmpl.name
        )));
    }
    ctx.nesting.set(depth + 1);
    let mut st = State {
        ctx,
        ns,
        tmpl,
        cur: Cur::None,
        vars: vec![Var {
            name: Rc::from("$"),
            value: data.clone(),
            iface: false,
        }],
    };
    let r = st.walk_list(
        &Dot {
            v: data,
            iface: false,
        },
        &tmpl.root.nodes,
        out,
    );
    ctx.nesting.set(depth);
    match r {
        Ok(()) => Ok(()),
        Err(Flow::Err(e)) => Err(e),
        // The parser rejects break/continue outside range.
        Err(Flow::Break | Flow::Continue) => Ok(()),
    }
}

/// The value of `.`, with Go's nil-interface flag.
#[derive(Clone)]
struct Dot {
    v: Value,
    iface: bool,
}

struct Var {
    name: Rc<str>,
    value: Value,
    iface: bool,
}

/// The node Go's `state.at` last recorded, for error messages.
#[derive(Clone, Copy)]
enum Cur<'a> {
    None,
    Node(usize, &'a Node),
    Pipe(&'a Pipe),
    Cmd(&'a Command),
    Op(&'a Operand),
    Tcall(&'a TemplateCall),
}

impl Cur<'_> {
    fn pos(&self) -> usize {
        match self {
            Cur::None => 0,
            Cur::Node(p, _) => *p,
            Cur::Pipe(p) => p.pos as usize,
            Cur::Cmd(c) => c.pos as usize,
            Cur::Op(o) => o.pos(),
            Cur::Tcall(t) => t.pos as usize,
        }
    }
}

/// A [`Cur`] as Go prints it, with the source its text nodes are ranges of.
struct CurDisplay<'a> {
    cur: Cur<'a>,
    source: &'a [u8],
}

impl fmt::Display for CurDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.cur {
            Cur::None => Ok(()),
            Cur::Node(_, node) => write!(
                f,
                "{}",
                NodeDisplay {
                    node,
                    source: self.source
                }
            ),
            Cur::Pipe(p) => write!(f, "{p}"),
            Cur::Cmd(c) => write!(f, "{c}"),
            Cur::Op(o) => write!(f, "{o}"),
            Cur::Tcall(t) => write!(f, "{t}"),
        }
    }
}

/// Non-local exits while walking: errors and `break`/`continue`.
enum Flow {
    Err(ExecError),
    Break,
    Continue,
}

impl From<ExecError> for Flow {
    fn from(e: ExecError) -> Flow {
        Flow::Err(e)
    }
}

/// A function's failure before Go wraps it in `error calling NAME: ...`.
enum CallError {
    Plain(String),
    Chain(ExecError),
    /// An argument-checking failure (arity/type), reported unwrapped.
    Check(String),
}

fn is_call_check_error(msg: &str) -> bool {
    msg.starts_with("wrong number of args for ") || msg.starts_with("wrong type for value; ")
}

type EResult<T> = Result<T, ExecError>;

struct State<'a, 'e> {
    ctx: &'a Ctx<'e>,
    ns: &'a Namespace<'a>,
    tmpl: &'a Template,
    cur: Cur<'a>,
    vars: Vec<Var>,
}

fn node_pos(n: &Node) -> usize {
    match n {
        Node::Text { .. } => 0,
        Node::Action(p) => p.pos as usize,
        Node::If(b) | Node::Range(b) | Node::With(b) => b.pipe.pos as usize,
        Node::Template(t) => t.pos as usize,
        Node::Break(p) | Node::Continue(p) => *p as usize,
    }
}

/// Whether a literal node is a hex integer or rune literal (Go's idealConstant).
fn is_hex_int(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() > 2 && b[0] == b'0' && (b[1] == b'x' || b[1] == b'X') && !s.contains(['p', 'P'])
}

impl<'a, 'e> State<'a, 'e> {
    fn at(&mut self, c: Cur<'a>) {
        self.cur = c;
    }

    fn errorf(&self, msg: impl fmt::Display) -> ExecError {
        let name = &self.tmpl.name;
        let text = match self.cur {
            Cur::None => format!("template: {name}: {msg}"),
            c => format!(
                "template: {}: executing {} at <{}>: {}",
                self.tmpl.location(c.pos()),
                quote(name),
                CurDisplay {
                    cur: c,
                    source: &self.tmpl.source
                },
                msg
            ),
        };
        ExecError::new(text)
    }

    fn call_error(&self, name: &str, err: CallError) -> ExecError {
        let inner = match err {
            CallError::Plain(s) => ExecError::new(s),
            CallError::Chain(e) => e,
            CallError::Check(s) => return self.errorf(s),
        };
        let prefix = self.errorf(format!("error calling {name}: ")).text();
        inner.wrap(prefix)
    }

    // ----- walking -----

    fn walk_list(&mut self, dot: &Dot, nodes: &'a [Node], out: &mut Vec<u8>) -> Result<(), Flow> {
        for n in nodes {
            self.walk(dot, n, out)?;
        }
        Ok(())
    }

    fn walk(&mut self, dot: &Dot, node: &'a Node, out: &mut Vec<u8>) -> Result<(), Flow> {
        self.at(Cur::Node(node_pos(node), node));
        match node {
            Node::Text { start, end } => out.extend_from_slice(self.tmpl.text(*start, *end)),
            Node::Action(pipe) => {
                let v = self.eval_pipeline(dot, pipe)?;
                if pipe.decl.is_empty() {
                    self.at(Cur::Node(node_pos(node), node));
                    // A function's result is a copy; fields and variables
                    // still refer to the (addressable) original.
                    let from_call = pipe
                        .cmds
                        .last()
                        .and_then(|c| c.args.first())
                        .is_some_and(|a| matches!(a, Operand::Ident { .. }));
                    print_value(&v, !from_call, out);
                }
            }
            Node::If(b) => self.walk_if_or_with(false, dot, b, out)?,
            Node::With(b) => self.walk_if_or_with(true, dot, b, out)?,
            Node::Range(b) => self.walk_range(dot, node, b, out)?,
            Node::Template(t) => self.walk_template(dot, t, out)?,
            Node::Break(_) => return Err(Flow::Break),
            Node::Continue(_) => return Err(Flow::Continue),
        }
        Ok(())
    }

    fn walk_if_or_with(
        &mut self,
        with: bool,
        dot: &Dot,
        b: &'a Branch,
        out: &mut Vec<u8>,
    ) -> Result<(), Flow> {
        let mark = self.vars.len();
        let r = (|| {
            let v = self.eval_pipeline(dot, &b.pipe)?;
            if v.truthy() {
                if with {
                    let d = Dot { v, iface: false };
                    self.walk_list(&d, &b.list.nodes, out)?;
                } else {
                    self.walk_list(dot, &b.list.nodes, out)?;
                }
            } else if let Some(e) = &b.else_list {
                self.walk_list(dot, &e.nodes, out)?;
            }
            Ok(())
        })();
        self.vars.truncate(mark);
        r
    }

    fn walk_range(
        &mut self,
        dot: &Dot,
        node: &'a Node,
        b: &'a Branch,
        out: &mut Vec<u8>,
    ) -> Result<(), Flow> {
        self.at(Cur::Node(node_pos(node), node));
        let mark = self.vars.len();
        let r = self.walk_range_inner(dot, b, out);
        self.vars.truncate(mark);
        r
    }

    fn walk_range_inner(
        &mut self,
        dot: &Dot,
        b: &'a Branch,
        out: &mut Vec<u8>,
    ) -> Result<(), Flow> {
        let mut val = self.eval_pipeline(dot, &b.pipe)?;
        if let Value::Object(o) = &val {
            if let Some(d) = o.to_data() {
                if matches!(d, Value::List(_) | Value::Map(_)) {
                    val = d;
                }
            }
        }
        let mark = self.vars.len();
        let decl = &b.pipe.decl;
        // Runs one iteration; returns false when the loop must stop (break).
        let mut one =
            |st: &mut Self, index: Value, elem: Value, iface: bool| -> Result<bool, Flow> {
                if !decl.is_empty() {
                    if b.pipe.is_assign {
                        if decl.len() > 1 {
                            st.set_var(&decl[0], index.clone(), false)?;
                        } else {
                            st.set_var(&decl[0], elem.clone(), iface)?;
                        }
                    } else {
                        st.set_top_var(1, elem.clone(), iface);
                    }
                }
                if decl.len() > 1 {
                    if b.pipe.is_assign {
                        st.set_var(&decl[1], elem.clone(), iface)?;
                    } else {
                        st.set_top_var(2, index, false);
                    }
                }
                let d = Dot { v: elem, iface };
                let r = st.walk_list(&d, &b.list.nodes, out);
                st.vars.truncate(mark);
                match r {
                    Ok(()) | Err(Flow::Continue) => Ok(true),
                    Err(Flow::Break) => Ok(false),
                    Err(e) => Err(e),
                }
            };
        match &val {
            Value::List(l) => {
                let n = l.items.borrow().len();
                if n > 0 {
                    let iface = l.elem == ElemType::Any;
                    for i in 0..n {
                        let elem = l.items.borrow().get(i).cloned().unwrap_or(Value::Nil);
                        if !one(self, Value::Int(i as i64), elem, iface)? {
                            break;
                        }
                    }
                    return Ok(());
                }
            }
            Value::Bytes(bytes) => {
                if !bytes.is_empty() {
                    for (i, x) in bytes.iter().enumerate() {
                        if !one(self, Value::Int(i as i64), Value::Int(*x as i64), false)? {
                            break;
                        }
                    }
                    return Ok(());
                }
            }
            Value::Map(m) => {
                let entries: Vec<(String, Value)> = m
                    .entries
                    .borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                if !entries.is_empty() {
                    let iface = m.elem == ElemType::Any;
                    for (k, v) in entries {
                        if !one(self, Value::string(k), v, iface)? {
                            break;
                        }
                    }
                    return Ok(());
                }
            }
            Value::Int(n) | Value::Int64(n) => {
                if decl.len() > 1 {
                    return Err(self
                        .errorf(format!(
                            "can't use {} to iterate over more than one variable",
                            gofmt::sprint(&val)
                        ))
                        .into());
                }
                let is64 = matches!(val, Value::Int64(_));
                if *n > 0 {
                    for i in 0..*n {
                        let e = if is64 { Value::Int64(i) } else { Value::Int(i) };
                        if !one(self, Value::Nil, e, false)? {
                            break;
                        }
                    }
                    return Ok(());
                }
            }
            Value::Nil => {}
            other => {
                return Err(self
                    .errorf(format!("range can't iterate over {}", gofmt::sprint(other)))
                    .into())
            }
        }
        if let Some(e) = &b.else_list {
            self.walk_list(dot, &e.nodes, out)?;
        }
        Ok(())
    }

    fn walk_template(
        &mut self,
        dot: &Dot,
        t: &'a TemplateCall,
        out: &mut Vec<u8>,
    ) -> Result<(), Flow> {
        self.at(Cur::Tcall(t));
        let Some(target) = self.ns.lookup(&t.name) else {
            return Err(self
                .errorf(format!("template {} not defined", quote(&t.name)))
                .into());
        };
        let depth = self.ctx.nesting.get();
        if depth >= MAX_NESTING {
            return Err(self
                .errorf("exceeded maximum template depth (100000)")
                .into());
        }
        let new_dot = match &t.pipe {
            Some(p) => self.eval_pipeline(dot, p)?,
            None => Value::Nil,
        };
        self.ctx.nesting.set(depth + 1);
        let mut sub = State {
            ctx: self.ctx,
            ns: self.ns,
            tmpl: &target,
            cur: Cur::None,
            vars: vec![Var {
                name: Rc::from("$"),
                value: new_dot.clone(),
                iface: false,
            }],
        };
        let r = sub.walk_list(
            &Dot {
                v: new_dot,
                iface: false,
            },
            &target.root.nodes,
            out,
        );
        self.ctx.nesting.set(depth);
        r
    }

    // ----- variables -----

    fn set_var(&mut self, name: &str, value: Value, iface: bool) -> EResult<()> {
        for v in self.vars.iter_mut().rev() {
            if &*v.name == name {
                v.value = value;
                v.iface = iface;
                return Ok(());
            }
        }
        Err(self.errorf(format!("undefined variable: {name}")))
    }

    fn set_top_var(&mut self, n: usize, value: Value, iface: bool) {
        let Some(i) = self.vars.len().checked_sub(n) else {
            return;
        };
        if let Some(v) = self.vars.get_mut(i) {
            v.value = value;
            v.iface = iface;
        }
    }

    fn var_value(&self, name: &str) -> EResult<(Value, bool)> {
        for v in self.vars.iter().rev() {
            if &*v.name == name {
                return Ok((v.value.clone(), v.iface));
            }
        }
        Err(self.errorf(format!("undefined variable: {name}")))
    }

    // ----- evaluation -----

    fn eval_pipeline(&mut self, dot: &Dot, pipe: &'a Pipe) -> EResult<Value> {
        self.at(Cur::Pipe(pipe));
        let mut value: Option<Value> = None;
        for cmd in &pipe.cmds {
            let (v, _iface) = self.eval_command(dot, cmd, value.take())?;
            value = Some(v);
        }
        let value = value.unwrap_or(Value::Nil);
        for name in &pipe.decl {
            if pipe.is_assign {
                self.set_var(name, value.clone(), false)?;
            } else {
                self.vars.push(Var {
                    name: name.clone(),
                    value: value.clone(),
                    iface: false,
                });
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, args: &'a [Operand], fin: &Option<Value>) -> EResult<()> {
        if args.len() > 1 || fin.is_some() {
            return Err(self.errorf(format!("can't give argument to non-function {}", args[0])));
        }
        Ok(())
    }

    fn eval_command(
        &mut self,
        dot: &Dot,
        cmd: &'a Command,
        fin: Option<Value>,
    ) -> EResult<(Value, bool)> {
        let first = &cmd.args[0];
        match first {
            Operand::Field { .. } => return self.eval_field_node(dot, first, &cmd.args, fin),
            Operand::Chain { .. } => return self.eval_chain_node(dot, first, &cmd.args, fin),
            Operand::Ident { func, .. } => {
                return self
                    .eval_function(
                        dot,
                        first,
                        &func.name,
                        func.callee,
                        Cur::Cmd(cmd),
                        Some(&cmd.args[1..]),
                        fin,
                    )
                    .map(|v| (v, false))
            }
            Operand::Pipe(p) => {
                self.not_a_function(&cmd.args, &fin)?;
                return self.eval_pipeline(dot, p).map(|v| (v, false));
            }
            Operand::Variable { .. } => return self.eval_variable_node(dot, first, &cmd.args, fin),
            _ => {}
        }
        self.at(Cur::Op(first));
        self.not_a_function(&cmd.args, &fin)?;
        Ok(match first {
            Operand::Bool(_, b) => (Value::Bool(*b), false),
            Operand::Dot(_) => (dot.v.clone(), dot.iface),
            Operand::Nil(_) => return Err(self.errorf("nil is not a command")),
            Operand::Number(_, n) => (self.ideal_constant(first, n)?, false),
            Operand::String(_, lit) => (lit.text.clone(), false),
            _ => {
                return Err(self.errorf(format!(
                    "can't evaluate command {}",
                    quote(&first.to_string())
                )))
            }
        })
    }

    fn ideal_constant(&mut self, node: &'a Operand, n: &Number) -> EResult<Value> {
        self.at(Cur::Op(node));
        let text = &*n.text;
        if n.float.is_some()
            && !is_hex_int(text)
            && !text.starts_with('\'')
            && text.contains(['.', 'e', 'E', 'p', 'P'])
        {
            return Ok(Value::Float(n.float.unwrap_or(0.0)));
        }
        if let Some(i) = n.int {
            return Ok(Value::Int(i));
        }
        if n.uint.is_some() {
            return Err(self.errorf(format!("{text} overflows int")));
        }
        Ok(Value::Nil)
    }

    fn eval_field_node(
        &mut self,
        dot: &Dot,
        node: &'a Operand,
        args: &'a [Operand],
        fin: Option<Value>,
    ) -> EResult<(Value, bool)> {
        self.at(Cur::Op(node));
        let Operand::Field { idents, .. } = node else {
            return Ok((Value::Nil, false));
        };
        self.eval_field_chain(dot, dot.v.clone(), dot.iface, node, idents, args, fin)
    }

    fn eval_chain_node(
        &mut self,
        dot: &Dot,
        node: &'a Operand,
        args: &'a [Operand],
        fin: Option<Value>,
    ) -> EResult<(Value, bool)> {
        self.at(Cur::Op(node));
        let Operand::Chain(chain) = node else {
            return Ok((Value::Nil, false));
        };
        let (inner, fields) = (&chain.node, &chain.fields);
        if let Operand::Nil(_) = inner {
            return Err(self.errorf(format!("indirection through explicit nil in {node}")));
        }
        let recv = self.eval_arg(dot, None, inner)?;
        self.eval_field_chain(dot, recv, false, node, fields, args, fin)
    }

    fn eval_variable_node(
        &mut self,
        dot: &Dot,
        node: &'a Operand,
        args: &'a [Operand],
        fin: Option<Value>,
    ) -> EResult<(Value, bool)> {
        self.at(Cur::Op(node));
        let Operand::Variable { idents, .. } = node else {
            return Ok((Value::Nil, false));
        };
        let (value, iface) = self.var_value(&idents[0])?;
        if idents.len() == 1 {
            if !args.is_empty() {
                self.not_a_function(args, &fin)?;
            }
            return Ok((value, iface));
        }
        self.eval_field_chain(dot, value, iface, node, &idents[1..], args, fin)
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_field_chain(
        &mut self,
        dot: &Dot,
        mut recv: Value,
        mut iface: bool,
        node: &'a Operand,
        idents: &'a [Rc<str>],
        args: &'a [Operand],
        fin: Option<Value>,
    ) -> EResult<(Value, bool)> {
        let n = idents.len();
        for name in &idents[..n - 1] {
            let (v, i) = self.eval_field(dot, name, node, &[], None, recv, iface)?;
            recv = v;
            iface = i;
        }
        self.eval_field(dot, &idents[n - 1], node, args, fin, recv, iface)
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_field(
        &mut self,
        dot: &Dot,
        name: &str,
        node: &'a Operand,
        args: &'a [Operand],
        fin: Option<Value>,
        recv: Value,
        recv_iface: bool,
    ) -> EResult<(Value, bool)> {
        if recv.is_nil() {
            if recv_iface {
                return Err(self.errorf(format!("nil pointer evaluating interface {{}}.{name}")));
            }
            if self.ctx.strict {
                return Err(self.errorf(format!("nil data; no entry for key {}", quote(name))));
            }
            return Ok((Value::Nil, false));
        }
        let has_args = args.len() > 1 || fin.is_some();
        match &recv {
            Value::Map(m) => {
                let values_method = m.go_type == Some(crate::render::objects::VALUES_TYPE);
                if let Some(sig) = values_method
                    .then(|| crate::render::objects::values_method_sig(name))
                    .flatten()
                {
                    let recv = recv.clone();
                    let call_args = if args.is_empty() { args } else { &args[1..] };
                    let mname = name.to_string();
                    let v = self.eval_call(
                        dot,
                        Some(sig),
                        name,
                        Cur::Op(node),
                        call_args,
                        fin,
                        move |_, argv| {
                            crate::render::objects::call_values_method(&recv, &mname, &argv)
                                .map_err(CallError::Plain)
                        },
                    )?;
                    return Ok((v, false));
                }
                if has_args {
                    return Err(self.errorf(format!("{name} is not a method but has arguments")));
                }
                let found = m.entries.borrow().get(name).cloned();
                match found {
                    Some(v) => Ok((v, m.elem == ElemType::Any)),
                    None => {
                        if self.ctx.strict {
                            return Err(
                                self.errorf(format!("map has no entry for key {}", quote(name)))
                            );
                        }
                        Ok((zero_of(m.elem), m.elem == ElemType::Any))
                    }
                }
            }
            Value::Object(o) => {
                if o.has_method(name) {
                    let o = o.clone();
                    let sig = o.method_sig(name);
                    let call_args = if args.is_empty() { args } else { &args[1..] };
                    let mname = name.to_string();
                    let v = self.eval_call(
                        dot,
                        sig,
                        name,
                        Cur::Op(node),
                        call_args,
                        fin,
                        move |_, argv| match o.call_method(&mname, &argv) {
                            Some(Ok(v)) => Ok(v),
                            // Objects without a declared signature check their own
                            // arguments; Go reports those failures unwrapped.
                            Some(Err(e)) if is_call_check_error(&e) => Err(CallError::Check(e)),
                            Some(Err(e)) => Err(CallError::Plain(e)),
                            None => Err(CallError::Plain(format!("no method {mname}"))),
                        },
                    )?;
                    return Ok((v, false));
                }
                if let Some(v) = o.get_field(name) {
                    if has_args {
                        return Err(self.errorf(format!(
                            "{name} has arguments but cannot be invoked as function"
                        )));
                    }
                    return Ok((v, false));
                }
                let ty = if recv_iface {
                    "interface {}".to_string()
                } else {
                    recv.type_name()
                };
                Err(self.errorf(format!("can't evaluate field {name} in type {ty}")))
            }
            other => {
                let ty = if recv_iface {
                    "interface {}".to_string()
                } else {
                    other.type_name()
                };
                Err(self.errorf(format!("can't evaluate field {name} in type {ty}")))
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_function(
        &mut self,
        dot: &Dot,
        ident: &'a Operand,
        name: &str,
        callee: Callee,
        cmd: Cur<'a>,
        args: Option<&'a [Operand]>,
        fin: Option<Value>,
    ) -> EResult<Value> {
        self.at(Cur::Op(ident));
        let args = args.unwrap_or(&[]);
        match callee {
            Callee::Func(def) => self.eval_native(dot, def, false, cmd, args, fin),
            Callee::Builtin(def) => self.eval_native(dot, def, true, cmd, args, fin),
            Callee::Include => {
                const SIG: Sig = Sig::fixed(&[Ty::String, Ty::Any]);
                self.eval_call(dot, Some(SIG), name, cmd, args, fin, |st, argv| {
                    let tname = argv[0].as_str().unwrap_or("").to_string();
                    st.include(&tname, argv[1].clone())
                })
            }
            Callee::Tpl => {
                const SIG: Sig = Sig::fixed(&[Ty::String, Ty::Any]);
                self.eval_call(dot, Some(SIG), name, cmd, args, fin, |st, argv| {
                    let text = argv[0].as_str().unwrap_or("").to_string();
                    st.tpl(&text, argv[1].clone())
                })
            }
        }
    }

    fn eval_native(
        &mut self,
        dot: &Dot,
        def: FuncDef,
        builtin: bool,
        cmd: Cur<'a>,
        args: &'a [Operand],
        fin: Option<Value>,
    ) -> EResult<Value> {
        if builtin && (def.name == "and" || def.name == "or") {
            self.check_arity(Some(def.sig), def.name, args.len(), fin.is_some())?;
            let want = def.name == "or";
            let mut v = Value::Nil;
            for a in args {
                v = self.eval_arg(dot, Some(Ty::Any), a)?;
                if v.truthy() == want {
                    return Ok(v);
                }
            }
            if let Some(f) = fin {
                v = f;
            }
            return Ok(v);
        }
        if builtin && def.name == "call" {
            self.check_arity(Some(def.sig), def.name, args.len(), fin.is_some())?;
            // Every argument is evaluated before the callee is looked at:
            // an error in a later argument wins over "non-function".
            let mut argv = Vec::with_capacity(args.len());
            for a in args {
                argv.push(self.eval_arg(dot, Some(Ty::Any), a)?);
            }
            let (callee_name, f) = match args.first() {
                Some(a) => (a.to_string(), argv.swap_remove(0)),
                None => {
                    let f = fin.clone().unwrap_or(Value::Nil);
                    (reflect_value_string(&f), f)
                }
            };
            self.at(cmd);
            let msg = if f.is_nil() {
                "call of nil".to_string()
            } else {
                format!("non-function {callee_name} of type {}", f.type_name())
            };
            return Err(self.call_error("call", CallError::Plain(msg)));
        }
        if builtin && def.name == "len" {
            self.check_arity(Some(def.sig), def.name, args.len(), fin.is_some())?;
            let (v, iface) = match args.first() {
                Some(a) => self.eval_arg_with_iface(dot, a)?,
                None => (fin.unwrap_or(Value::Nil), false),
            };
            let result = if v.is_nil() {
                // A nil interface (a field's value) is a nil pointer to Go's
                // `len`; a nil literal, piped or stored nil is no value at all.
                Err(if iface {
                    "len of nil pointer".to_string()
                } else {
                    "reflect: call of reflect.Value.Type on zero Value".to_string()
                })
            } else {
                (def.f)(&mut self.ctx.env.borrow_mut(), &[v]).map_err(|e| e.0)
            };
            // Like Go, the position moves to the command only on failure.
            return result.map_err(|msg| {
                self.at(cmd);
                self.call_error("len", CallError::Plain(msg))
            });
        }
        let env = self.ctx.env;
        self.eval_call(
            dot,
            Some(def.sig),
            def.name,
            cmd,
            args,
            fin,
            move |_, argv| (def.f)(&mut env.borrow_mut(), &argv).map_err(|e| CallError::Plain(e.0)),
        )
    }

    fn check_arity(
        &self,
        sig: Option<Sig>,
        name: &str,
        nargs: usize,
        has_final: bool,
    ) -> EResult<()> {
        let Some(sig) = sig else { return Ok(()) };
        let num_in = nargs + usize::from(has_final);
        let fixed = sig.params.len();
        if sig.variadic.is_some() {
            if num_in < fixed {
                return Err(self.errorf(format!(
                    "wrong number of args for {name}: want at least {fixed} got {nargs}"
                )));
            }
        } else if num_in != fixed {
            return Err(self.errorf(format!(
                "wrong number of args for {name}: want {fixed} got {num_in}"
            )));
        }
        Ok(())
    }

    /// Go's `evalCall`: arity check, argument evaluation and conversion,
    /// the call, and wrapping of its error.
    #[allow(clippy::too_many_arguments)]
    fn eval_call(
        &mut self,
        dot: &Dot,
        sig: Option<Sig>,
        name: &str,
        node: Cur<'a>,
        args: &'a [Operand],
        fin: Option<Value>,
        invoke: impl FnOnce(&mut Self, Vec<Value>) -> Result<Value, CallError>,
    ) -> EResult<Value> {
        self.check_arity(sig, name, args.len(), fin.is_some())?;
        let sig = sig.unwrap_or(Sig::variadic(&[], Ty::Any));
        let fixed = sig.params.len();
        let num_in = args.len() + usize::from(fin.is_some());
        let mut argv = Vec::with_capacity(num_in);
        for (i, a) in args.iter().enumerate() {
            let ty = if i < fixed {
                sig.params[i]
            } else {
                sig.variadic.unwrap_or(Ty::Any)
            };
            argv.push(self.eval_arg(dot, Some(ty), a)?);
        }
        if let Some(f) = fin {
            let ty = if sig.variadic.is_some() {
                if num_in - 1 < fixed {
                    sig.params[num_in - 1]
                } else {
                    sig.variadic.unwrap_or(Ty::Any)
                }
            } else {
                sig.params.last().copied().unwrap_or(Ty::Any)
            };
            argv.push(self.validate_type(f, false, Some(ty))?);
        }
        match invoke(self, argv) {
            Ok(v) => Ok(v),
            Err(e) => {
                self.at(node);
                Err(self.call_error(name, e))
            }
        }
    }

    /// Go's `validateType` for our parameter types; `iface` marks a nil
    /// interface value (as opposed to an invalid one).
    fn validate_type(&self, v: Value, iface: bool, ty: Option<Ty>) -> EResult<Value> {
        let Some(ty) = ty else { return Ok(v) };
        if v.is_nil() {
            if ty == Ty::Any {
                return Ok(Value::Nil);
            }
            if iface {
                return Err(self.errorf(format!(
                    "wrong type for value; expected {}; got interface {{}}",
                    ty.go_name()
                )));
            }
            return match ty {
                // Go passes the zero value: a nil slice or map.
                Ty::List => Ok(Value::nil_list(ElemType::Any)),
                Ty::Strings => Ok(Value::nil_list(ElemType::String)),
                Ty::Map => Ok(Value::nil_map()),
                Ty::Bytes => Ok(Value::Bytes(Rc::from(&[][..]))),
                _ => Err(self.errorf(format!("invalid value; expected {}", ty.go_name()))),
            };
        }
        let ok = match (ty, &v) {
            (Ty::Any, _) => true,
            (Ty::String | Ty::StringBytes, Value::String(_)) => true,
            (Ty::StringBytes, Value::RawString(_)) => true,
            (Ty::String, Value::RawString(b)) => {
                return Ok(Value::string(crate::value::go_lossy(b)));
            }
            (Ty::Int, Value::Int(_)) => true,
            (Ty::Int64, Value::Int64(_)) => true,
            (Ty::Float64, Value::Float(_)) => true,
            (Ty::Bool, Value::Bool(_)) => true,
            (Ty::List, Value::List(l)) => l.elem == ElemType::Any,
            (Ty::Strings, Value::List(l)) => l.elem == ElemType::String,
            (Ty::Map, Value::Map(m)) if m.go_type.is_some() && m.elem == ElemType::Any => {
                // A named map type (`common.Values`) is assignable to the
                // parameter and arrives as the plain map type.
                return Ok(v.with_go_type(None));
            }
            (Ty::Map, Value::Map(m)) => m.elem == ElemType::Any,
            (Ty::Bytes, Value::Bytes(_)) => true,
            (Ty::Named(name), Value::Object(o)) => o.type_name() == name,
            _ => false,
        };
        if ok {
            Ok(v)
        } else {
            Err(self.errorf(format!(
                "wrong type for value; expected {}; got {}",
                ty.go_name(),
                v.type_name()
            )))
        }
    }

    /// Go's `evalArg`: evaluates an argument for a parameter of type `ty`
    /// (`None` = untyped, for chain receivers).
    fn eval_arg(&mut self, dot: &Dot, ty: Option<Ty>, n: &'a Operand) -> EResult<Value> {
        self.at(Cur::Op(n));
        if let Some(found) = self.eval_interface_operand(dot, n) {
            let (v, iface) = found?;
            return self.validate_type(v, iface, ty);
        }
        match n {
            Operand::Nil(_) => {
                return match ty {
                    None | Some(Ty::Any) => Ok(Value::Nil),
                    Some(t @ (Ty::List | Ty::Strings | Ty::Map | Ty::Bytes)) => {
                        self.validate_type(Value::Nil, false, Some(t))
                    }
                    Some(t) => Err(self.errorf(format!("cannot assign nil to {}", t.go_name()))),
                }
            }
            Operand::Pipe(p) => {
                let v = self.eval_pipeline(dot, p)?;
                return self.validate_type(v, false, ty);
            }
            Operand::Ident { func, .. } => {
                let v =
                    self.eval_function(dot, n, &func.name, func.callee, Cur::Op(n), None, None)?;
                return self.validate_type(v, false, ty);
            }
            _ => {}
        }
        match ty.unwrap_or(Ty::Any) {
            Ty::Bool => match n {
                Operand::Bool(_, b) => Ok(Value::Bool(*b)),
                _ => Err(self.errorf(format!("expected bool; found {n}"))),
            },
            Ty::Float64 => match n {
                Operand::Number(_, num) if num.float.is_some() => {
                    Ok(Value::Float(num.float.unwrap_or(0.0)))
                }
                _ => Err(self.errorf(format!("expected float; found {n}"))),
            },
            t @ (Ty::Int | Ty::Int64) => match n {
                Operand::Number(_, num) if num.int.is_some() => {
                    let i = num.int.unwrap_or(0);
                    Ok(if t == Ty::Int {
                        Value::Int(i)
                    } else {
                        Value::Int64(i)
                    })
                }
                _ => Err(self.errorf(format!("expected integer; found {n}"))),
            },
            t @ (Ty::String | Ty::StringBytes) => match n {
                Operand::String(_, lit) => self.validate_type(lit.text.clone(), false, Some(t)),
                _ => Err(self.errorf(format!("expected string; found {n}"))),
            },
            Ty::Any => match n {
                Operand::Bool(_, b) => Ok(Value::Bool(*b)),
                Operand::Number(_, num) => self.ideal_constant(n, num),
                Operand::String(_, lit) => Ok(lit.text.clone()),
                _ => Err(self.errorf(format!(
                    "can't handle assignment of {n} to empty interface argument"
                ))),
            },
            t => Err(self.errorf(format!("can't handle {n} for arg of type {}", t.go_name()))),
        }
    }

    /// The value of a dot, field, variable or chain operand and whether it
    /// is an interface value (which can be a typed nil) rather than a
    /// pipeline result; `None` for other operands.
    fn eval_interface_operand(
        &mut self,
        dot: &Dot,
        n: &'a Operand,
    ) -> Option<EResult<(Value, bool)>> {
        Some(match n {
            Operand::Dot(_) => Ok((dot.v.clone(), dot.iface)),
            Operand::Field { .. } => self.eval_field_node(dot, n, std::slice::from_ref(n), None),
            Operand::Variable { .. } => self.eval_variable_node(dot, n, &[], None),
            Operand::Chain { .. } => self.eval_chain_node(dot, n, &[], None),
            _ => return None,
        })
    }

    /// An argument's value and whether it is an interface value (see
    /// [`Self::eval_interface_operand`]); other operands are not.
    fn eval_arg_with_iface(&mut self, dot: &Dot, n: &'a Operand) -> EResult<(Value, bool)> {
        self.at(Cur::Op(n));
        match self.eval_interface_operand(dot, n) {
            Some(found) => found,
            None => Ok((self.eval_arg(dot, Some(Ty::Any), n)?, false)),
        }
    }

    // ----- Helm's include and tpl -----

    fn include(&mut self, name: &str, data: Value) -> Result<Value, CallError> {
        {
            let mut counts = self.ctx.include_counts.borrow_mut();
            match counts.get_mut(name) {
                Some(c) => {
                    if *c > MAX_INCLUDE_RECURSION {
                        return Err(CallError::Plain(format!(
                            "rendering template has a nested reference name: {name}: unable to execute template"
                        )));
                    }
                    *c += 1;
                }
                None => {
                    counts.insert(name.to_string(), 1);
                }
            }
        }
        let r = match self.ns.lookup(name) {
            None => Err(CallError::Plain(format!(
                "template: no template {} associated with template {}",
                quote(name),
                quote(ROOT_NAME)
            ))),
            Some(t) => {
                let mut buf = Vec::new();
                match execute_bytes(self.ctx, self.ns, &t, data, &mut buf) {
                    Ok(()) => Ok(Value::from_go_bytes(buf)),
                    Err(e) => Err(CallError::Chain(e)),
                }
            }
        };
        if let Some(c) = self.ctx.include_counts.borrow_mut().get_mut(name) {
            *c = c.saturating_sub(1);
        }
        r
    }

    fn tpl(&mut self, text: &str, data: Value) -> Result<Value, CallError> {
        let cached = self.ctx.tpl_cache.borrow().get(text).cloned();
        let parsed = match cached {
            Some(p) => p,
            None => {
                let p = parse(ROOT_NAME, text, self.ctx.resolve).map(Rc::new);
                self.ctx
                    .tpl_cache
                    .borrow_mut()
                    .insert(text.to_string(), p.clone());
                p
            }
        };
        let trees = match parsed {
            Ok(t) => t,
            Err(e) => {
                return Err(CallError::Chain(
                    ExecError::new(e.0).wrap(format!("cannot parse template {}: ", quote(text))),
                ))
            }
        };
        let mut layer = Namespace {
            templates: NameMap::default(),
            parent: Some(self.ns),
            late: None,
        };
        let mut main = None;
        for t in trees.iter() {
            if &*t.name == ROOT_NAME {
                main = Some(t.clone());
            }
            layer.associate(t.clone());
        }
        let Some(main) = main else {
            return Ok(Value::str(""));
        };
        let mut buf = Vec::new();
        match execute_bytes(self.ctx, &layer, &main, data, &mut buf) {
            Ok(()) => Ok(Value::from_go_bytes(remove_no_value(buf))),
            Err(e) => Err(CallError::Chain(e.wrap(format!(
                "error during tpl function execution for {}: ",
                quote(text)
            )))),
        }
    }
}

/// Go's `printValue`: nil prints `<no value>`, everything else `fmt.Print`;
/// host objects print as [`crate::value::Object::format_template`] when
/// `addressable`.
fn print_value(v: &Value, addressable: bool, out: &mut Vec<u8>) {
    match v {
        Value::Nil => out.extend_from_slice(b"<no value>"),
        Value::String(s) => out.extend_from_slice(s.as_bytes()),
        Value::RawString(b) => out.extend_from_slice(b),
        Value::Object(o) if addressable => out.extend_from_slice(o.format_template().as_bytes()),
        other => match gofmt::sprint_value(other) {
            Value::String(s) => out.extend_from_slice(s.as_bytes()),
            Value::RawString(b) => out.extend_from_slice(&b),
            _ => {}
        },
    }
}

/// Deletes every `<no value>` (Helm's post-processing of rendered text).
pub fn remove_no_value(buf: Vec<u8>) -> Vec<u8> {
    const NEEDLE: &[u8] = b"<no value>";
    let mut found = memchr::memmem::find_iter(&buf, NEEDLE).peekable();
    if found.peek().is_none() {
        return buf;
    }
    let mut out = Vec::with_capacity(buf.len());
    let mut i = 0;
    for at in found {
        out.extend_from_slice(&buf[i..at]);
        i = at + NEEDLE.len();
    }
    out.extend_from_slice(&buf[i..]);
    out
}

/// Resolves a name the way Helm's template sees it: Helm's `include`/`tpl`,
/// then the FuncMap, then Go's builtins.
pub fn resolve_in(reg: &crate::render::funcs::Registry, name: &str) -> Option<Callee> {
    match name {
        "include" => return Some(Callee::Include),
        "tpl" => return Some(Callee::Tpl),
        _ => {}
    }
    if let Some(def) = reg.get(name) {
        return Some(Callee::Func(*def));
    }
    builtins::lookup(name).map(Callee::Builtin)
}

/// Go's `reflect.Value.String()`: a string's own text, `<T Value>` for
/// anything else (how `call` names a piped-in callee).
fn reflect_value_string(v: &Value) -> String {
    match v {
        Value::String(_) | Value::RawString(_) => v.str_lossy().unwrap_or_default().into_owned(),
        Value::Nil => "<invalid Value>".to_string(),
        other => format!("<{} Value>", other.type_name()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::funcs::standard_registry;
    use crate::value::MapData;

    /// Parses `src` as file `t.yaml` and executes it with `data`.
    fn run_with(src: &str, data: Value, strict: bool) -> Result<String, String> {
        let reg = standard_registry();
        let resolve = |n: &str| resolve_in(&reg, n);
        let env = RefCell::new(FuncEnv::default());
        let cache: TplCache = RefCell::new(NameMap::default());
        let mut ns = Namespace::new();
        for t in parse("t.yaml", src, &resolve).map_err(|e| e.0)? {
            ns.associate(t);
        }
        let main = ns.lookup("t.yaml").ok_or("no main")?;
        let ctx = Ctx::new(&env, strict, &resolve, &cache);
        let mut out = String::new();
        execute(&ctx, &ns, &main, data, &mut out).map_err(|e| e.to_string())?;
        Ok(out)
    }

    fn data() -> Value {
        let mut m = MapData::new();
        m.insert("s".into(), Value::str("abc"));
        m.insert("n".into(), Value::Nil);
        m.insert("l".into(), Value::list(vec![Value::Nil, Value::Int(2)]));
        Value::map(m)
    }

    fn run(src: &str) -> Result<String, String> {
        run_with(src, data(), false)
    }

    /// The message after Go's `executing "..." at <...>: ` prefix.
    fn err_msg(e: &str) -> &str {
        e.split_once(">: ").map(|(_, m)| m).unwrap_or(e)
    }

    #[test]
    fn nil_interface_versus_invalid() {
        // A missing/null map entry is a nil interface: fields on it fail.
        let e = run("{{ .n.x }}").unwrap_err();
        assert_eq!(err_msg(&e), "nil pointer evaluating interface {}.x");
        let e = run("{{ .nope.x }}").unwrap_err();
        assert!(e.contains("at <.nope.x>"), "{e}");
        // After a pipeline the nil is invalid: fields on it are just empty.
        assert_eq!(run("{{ $v := .nope }}{{ $v.x }}").unwrap(), "<no value>");
        assert_eq!(run("{{ (.nope).x }}").unwrap(), "<no value>");
        // Range elements of []interface {} keep interface-ness.
        let e = run("{{ range .l }}{{ .x }}{{ end }}").unwrap_err();
        assert_eq!(err_msg(&e), "nil pointer evaluating interface {}.x");
        // Type checks see the difference too.
        let e = run("{{ upper .nope }}").unwrap_err();
        assert_eq!(
            err_msg(&e),
            "wrong type for value; expected string; got interface {}"
        );
        let e = run("{{ upper (.nope) }}").unwrap_err();
        assert_eq!(err_msg(&e), "invalid value; expected string");
    }

    #[test]
    fn strict_mode_reports_missing_keys() {
        let e = run_with("{{ .nope }}", data(), true).unwrap_err();
        assert_eq!(err_msg(&e), "map has no entry for key \"nope\"");
        assert_eq!(run_with("{{ .s }}", data(), true).unwrap(), "abc");
    }

    #[test]
    fn control_flow() {
        assert_eq!(run("{{ range 3 }}{{ . }}{{ end }}").unwrap(), "012");
        assert_eq!(
            run("{{ range $i, $v := .l }}{{ if eq $i 0 }}{{ continue }}{{ end }}{{ $v }}{{ end }}")
                .unwrap(),
            "2"
        );
        assert_eq!(
            run("{{ range .l }}{{ break }}x{{ else }}empty{{ end }}").unwrap(),
            ""
        );
        assert_eq!(
            run("{{ range .nope }}x{{ else }}empty{{ end }}").unwrap(),
            "empty"
        );
        let e = run("{{ range $i, $v := 3 }}{{ end }}").unwrap_err();
        assert_eq!(
            err_msg(&e),
            "can't use 3 to iterate over more than one variable"
        );
        let e = run("{{ range .s }}{{ end }}").unwrap_err();
        assert_eq!(err_msg(&e), "range can't iterate over abc");
        assert_eq!(
            run("{{ with .nope }}a{{ else with .s }}{{ . }}{{ end }}").unwrap(),
            "abc"
        );
        assert_eq!(
            run("{{ and 1 0 }}|{{ or 0 \"\" }}|{{ or 0 2 }}").unwrap(),
            "0||2"
        );
    }

    #[test]
    fn argument_conversion() {
        // Untyped constants convert to the parameter type.
        assert_eq!(run("{{ trunc 2.0 \"abc\" }}").unwrap(), "ab");
        let e = run("{{ trunc 1.5 \"abc\" }}").unwrap_err();
        assert_eq!(err_msg(&e), "expected integer; found 1.5");
        let e = run("{{ upper \"a\" \"b\" }}").unwrap_err();
        assert_eq!(err_msg(&e), "wrong number of args for upper: want 1 got 2");
        let e = run("{{ and }}").unwrap_err();
        assert_eq!(
            err_msg(&e),
            "wrong number of args for and: want at least 1 got 0"
        );
        let e = run("{{ .s 1 }}").unwrap_err();
        assert_eq!(err_msg(&e), "s is not a method but has arguments");
    }

    #[test]
    fn include_recursion_is_capped() {
        // Deep recursion needs a big stack, as the CLI provides.
        let h = std::thread::Builder::new()
            .stack_size(512 << 20)
            .spawn(|| {
                let e = run_with(
                    "{{ define \"a\" }}{{ include \"a\" . }}{{ end }}{{ include \"a\" . }}",
                    Value::Nil,
                    false,
                )
                .unwrap_err();
                e.ends_with(
                    "rendering template has a nested reference name: a: unable to execute template",
                )
            })
            .expect("spawn");
        assert!(h.join().expect("join"));
    }
}
