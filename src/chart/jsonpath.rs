//! The subset of Kubernetes JSONPath templates that `show values --jsonpath`
//! needs: literal text, `{.a.b}`, `{['a.b']}`, `{.a[0]}`, `{.a[-1]}`,
//! `{.a[*]}`, `{.*}`, `{..a}`, `{"text"}`, and `{range X}...{end}`.
//!
//! As in kubectl's printer, results are computed first and printed only
//! when every expression succeeded (helm drops the error, so a missing key
//! prints nothing); maps and lists print as compact JSON, scalars with Go's
//! `%v`, several results of one expression are separated by spaces.

use crate::render::encode::{float::format_g, to_json};
use crate::value::Value;

/// A template parse failure (`unclosed action`, ...).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct JsonPathError(pub String);

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Field(String),
    /// `[start:end:step]`; a single index `[i]` is `[i:i+1]`.
    Slice {
        start: Option<i64>,
        end: Option<i64>,
        step: Option<i64>,
        single: bool,
    },
    All,
    Recursive,
    /// `[?(@.a == 'x')]`, or `[?(@.a)]` (existence) when `op` is `None`.
    Filter {
        left: Vec<Step>,
        op: Option<String>,
        right: Operand,
    },
}

/// The right-hand side of a filter comparison.
#[derive(Debug, Clone, PartialEq)]
enum Operand {
    None,
    Path(Vec<Step>),
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Text(String),
    Path(Vec<Step>),
    Range(Vec<Step>, Vec<Node>),
}

/// A parsed template.
#[derive(Debug, Clone)]
pub struct JsonPath {
    nodes: Vec<Node>,
}

fn err(msg: impl Into<String>) -> JsonPathError {
    JsonPathError(msg.into())
}

fn parse_string_literal(s: &str) -> Result<String, JsonPathError> {
    let inner = &s[1..s.len() - 1];
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            Some('"') => out.push('"'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => return Err(err("unterminated quoted string")),
        }
    }
    Ok(out)
}

/// `@.a.b OP operand` or `@.a.b` (kubectl's filter syntax).
fn parse_filter(body: &str) -> Result<Step, JsonPathError> {
    let ops = ["==", "!=", "<=", ">=", "<", ">"];
    let mut split = None;
    let mut quote: Option<char> = None;
    for (idx, c) in body.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None => {
                if let Some(op) = ops.iter().find(|op| body[idx..].starts_with(**op)) {
                    split = Some((idx, *op));
                    break;
                }
            }
        }
    }
    let Some((idx, op)) = split else {
        return Ok(Step::Filter {
            left: parse_path(body.trim())?,
            op: None,
            right: Operand::None,
        });
    };
    let left = parse_path(body[..idx].trim())?;
    let rhs = body[idx + op.len()..].trim();
    let right = if (rhs.starts_with('\'') && rhs.ends_with('\'') && rhs.len() >= 2)
        || (rhs.starts_with('"') && rhs.ends_with('"') && rhs.len() >= 2)
    {
        Operand::Str(rhs[1..rhs.len() - 1].to_string())
    } else if rhs == "true" || rhs == "false" {
        Operand::Bool(rhs == "true")
    } else if let Ok(i) = rhs.parse::<i64>() {
        Operand::Int(i)
    } else if let Ok(f) = rhs.parse::<f64>() {
        Operand::Float(f)
    } else {
        Operand::Path(parse_path(rhs)?)
    };
    Ok(Step::Filter {
        left,
        op: Some(op.to_string()),
        right,
    })
}

/// Go text/template comparison as kubectl's filters use it: both sides of
/// the same basic kind, else an error.
fn compare(left: &Value, op: &str, right: &Value) -> Result<bool, String> {
    use std::cmp::Ordering;
    let ord = match (left, right) {
        (Value::String(a), Value::String(b)) => a.as_ref().cmp(b.as_ref()),
        (Value::Float(a), Value::Float(b)) => a.partial_cmp(b).unwrap_or(Ordering::Equal),
        (Value::Int(a) | Value::Int64(a), Value::Int(b) | Value::Int64(b)) => a.cmp(b),
        (Value::Bool(a), Value::Bool(b)) if op == "==" || op == "!=" => a.cmp(b),
        _ => return Err("incompatible types for comparison".into()),
    };
    Ok(match op {
        "==" => ord == Ordering::Equal,
        "!=" => ord != Ordering::Equal,
        "<" => ord == Ordering::Less,
        ">" => ord == Ordering::Greater,
        "<=" => ord != Ordering::Greater,
        _ => ord != Ordering::Less,
    })
}

/// `[i]`, `[a:b]`, `[a:b:c]` with optional parts (kubectl's array syntax).
fn parse_slice(inner: &str) -> Result<Step, JsonPathError> {
    let parts: Vec<&str> = inner.split(':').collect();
    if parts.len() > 3 {
        return Err(err(format!("invalid array index {inner}")));
    }
    let num = |p: &str| -> Result<Option<i64>, JsonPathError> {
        let p = p.trim();
        if p.is_empty() {
            return Ok(None);
        }
        p.parse()
            .map(Some)
            .map_err(|_| err(format!("invalid array index {p}")))
    };
    if parts.len() == 1 {
        let i = num(parts[0])?.ok_or_else(|| err("invalid array index"))?;
        return Ok(Step::Slice {
            start: Some(i),
            end: Some(i + 1),
            step: None,
            single: true,
        });
    }
    Ok(Step::Slice {
        start: num(parts[0])?,
        end: num(parts[1])?,
        step: match parts.get(2) {
            Some(p) => num(p)?,
            None => None,
        },
        single: false,
    })
}

fn parse_path(expr: &str) -> Result<Vec<Step>, JsonPathError> {
    let chars: Vec<char> = expr.chars().collect();
    let mut steps = Vec::new();
    let mut i = 0;
    // A leading `$` means the root, as does nothing at all.
    if chars.first() == Some(&'$') {
        i += 1;
    }
    while i < chars.len() {
        match chars[i] {
            '.' => {
                if chars.get(i + 1) == Some(&'.') {
                    steps.push(Step::Recursive);
                    // `..name` is recursive descent followed by a field.
                    i += 1;
                    if matches!(chars.get(i + 1), Some('[') | None) {
                        i += 1;
                        continue;
                    }
                }
                i += 1;
                let start = i;
                while i < chars.len() && chars[i] != '.' && chars[i] != '[' {
                    i += 1;
                }
                let name: String = chars[start..i].iter().collect();
                if name == "*" {
                    steps.push(Step::All);
                } else if !name.is_empty() {
                    steps.push(Step::Field(name));
                }
            }
            '[' if chars.get(i + 1) == Some(&'?') => {
                // A filter ends at the first `)]` outside quotes.
                let mut j = i + 2;
                let mut quote: Option<char> = None;
                let end = loop {
                    let Some(&c) = chars.get(j) else {
                        return Err(err("unterminated filter"));
                    };
                    match quote {
                        Some(q) if c == q => quote = None,
                        Some(_) => {}
                        None if c == '\'' || c == '"' => quote = Some(c),
                        None if c == ')' && chars.get(j + 1) == Some(&']') => break j,
                        None => {}
                    }
                    j += 1;
                };
                let body: String = chars[i + 2..end].iter().collect();
                let body = body.trim();
                let body = body.strip_prefix('(').unwrap_or(body);
                steps.push(parse_filter(body)?);
                i = end + 2;
            }
            '[' => {
                let end = chars[i..]
                    .iter()
                    .position(|c| *c == ']')
                    .map(|p| p + i)
                    .ok_or_else(|| err("unterminated array"))?;
                let inner: String = chars[i + 1..end].iter().collect();
                let inner = inner.trim();
                if inner == "*" {
                    steps.push(Step::All);
                } else if inner.starts_with('\'') && inner.ends_with('\'') && inner.len() >= 2 {
                    steps.push(Step::Field(inner[1..inner.len() - 1].to_string()));
                } else {
                    steps.push(parse_slice(inner)?);
                }
                i = end + 1;
            }
            // `@` is the current object, which every path starts from anyway.
            c if c.is_whitespace() || c == '@' => i += 1,
            other => return Err(err(format!("unrecognized character in action: {other:?}"))),
        }
    }
    Ok(steps)
}

impl JsonPath {
    pub fn parse(template: &str) -> Result<JsonPath, JsonPathError> {
        let mut stack: Vec<(Vec<Step>, Vec<Node>)> = Vec::new();
        let mut nodes: Vec<Node> = Vec::new();
        let mut rest = template;
        while !rest.is_empty() {
            let Some(open) = rest.find('{') else {
                nodes.push(Node::Text(rest.to_string()));
                break;
            };
            if open > 0 {
                nodes.push(Node::Text(rest[..open].to_string()));
            }
            let after = &rest[open + 1..];
            let close = after.find('}').ok_or_else(|| err("unclosed action"))?;
            let action = after[..close].trim();
            rest = &after[close + 1..];
            if action.starts_with('"') && action.ends_with('"') && action.len() >= 2 {
                nodes.push(Node::Text(parse_string_literal(action)?));
            } else if let Some(expr) = action.strip_prefix("range") {
                stack.push((parse_path(expr.trim())?, std::mem::take(&mut nodes)));
            } else if action == "end" {
                let (path, outer) = stack
                    .pop()
                    .ok_or_else(|| err("not in range, nothing to end"))?;
                let body = std::mem::replace(&mut nodes, outer);
                nodes.push(Node::Range(path, body));
            } else {
                nodes.push(Node::Path(parse_path(action)?));
            }
        }
        if !stack.is_empty() {
            return Err(err("unclosed range"));
        }
        Ok(JsonPath { nodes })
    }

    /// Executes the template; `None` when an expression fails (the caller
    /// prints nothing, as helm does).
    pub fn execute(&self, data: &Value) -> Option<String> {
        let mut out = String::new();
        exec_nodes(&self.nodes, data, &mut out).ok()?;
        Some(out)
    }
}

fn exec_nodes(nodes: &[Node], data: &Value, out: &mut String) -> Result<(), String> {
    for n in nodes {
        match n {
            Node::Text(t) => out.push_str(t),
            Node::Path(steps) => {
                let results = eval(steps, data)?;
                let texts: Result<Vec<String>, String> = results.iter().map(print_value).collect();
                out.push_str(&texts?.join(" "));
            }
            Node::Range(steps, body) => {
                for item in eval(steps, data)? {
                    exec_nodes(body, &item, out)?;
                }
            }
        }
    }
    Ok(())
}

fn children(v: &Value) -> Vec<Value> {
    match v {
        Value::Map(m) => m.entries.borrow().values().cloned().collect(),
        Value::List(l) => l.items.borrow().clone(),
        _ => Vec::new(),
    }
}

fn eval(steps: &[Step], root: &Value) -> Result<Vec<Value>, String> {
    let mut cur = vec![root.clone()];
    for step in steps {
        let mut next = Vec::new();
        match step {
            Step::Field(name) => {
                for v in &cur {
                    if let Some(x) = v.get(name) {
                        next.push(x);
                    }
                }
                if next.is_empty() {
                    return Err(format!("{name} is not found"));
                }
            }
            Step::Slice {
                start,
                end,
                step,
                single,
            } => {
                for v in &cur {
                    let Some(l) = v.as_list() else {
                        return Err("not array or slice".into());
                    };
                    let items = l.items.borrow();
                    let len = items.len() as i64;
                    let mut a = start.unwrap_or(0);
                    if a < 0 {
                        a += len;
                    }
                    let mut b = end.unwrap_or(len);
                    if b < 0 || (*single && b == 0) {
                        b += len;
                    }
                    if a == b {
                        continue;
                    }
                    if a >= len || a < 0 {
                        return Err(format!(
                            "array index out of bounds: index {a}, length {len}"
                        ));
                    }
                    if b > len || b < 0 {
                        return Err(format!(
                            "array index out of bounds: index {}, length {len}",
                            b - 1
                        ));
                    }
                    if a > b {
                        return Err(format!(
                            "starting index {a} is greater than ending index {b}"
                        ));
                    }
                    let step = step.unwrap_or(1);
                    if step <= 0 {
                        return Err("step must be > 0".into());
                    }
                    let mut i = a;
                    while i < b {
                        next.push(items[i as usize].clone());
                        i += step;
                    }
                }
            }
            Step::All => {
                for v in &cur {
                    next.extend(children(v));
                }
            }
            Step::Filter { left, op, right } => {
                for v in &cur {
                    let Some(l) = v.as_list() else {
                        return Err("not array or slice and cannot be filtered".into());
                    };
                    for item in l.items.borrow().iter() {
                        let lefts = eval(left, item);
                        let Some(op) = op else {
                            if lefts.is_ok_and(|l| !l.is_empty()) {
                                next.push(item.clone());
                            }
                            continue;
                        };
                        let lefts = lefts?;
                        let lhs = match lefts.as_slice() {
                            [] => continue,
                            [one] => one.clone(),
                            _ => return Err("can only compare one element at a time".into()),
                        };
                        let rhs = match right {
                            Operand::Path(p) => match eval(p, item)?.as_slice() {
                                [] => continue,
                                [one] => one.clone(),
                                _ => return Err("can only compare one element at a time".into()),
                            },
                            Operand::Str(t) => Value::str(t),
                            Operand::Int(i) => Value::Int(*i),
                            Operand::Float(f) => Value::Float(*f),
                            Operand::Bool(b) => Value::Bool(*b),
                            Operand::None => continue,
                        };
                        if compare(&lhs, op, &rhs)? {
                            next.push(item.clone());
                        }
                    }
                }
            }
            Step::Recursive => {
                fn walk(v: &Value, out: &mut Vec<Value>) {
                    let kids = children(v);
                    if kids.is_empty() {
                        return;
                    }
                    out.push(v.clone());
                    for k in &kids {
                        walk(k, out);
                    }
                }
                for v in &cur {
                    walk(v, &mut next);
                }
            }
        }
        cur = next;
    }
    Ok(cur)
}

fn print_value(v: &Value) -> Result<String, String> {
    Ok(match v {
        Value::Nil => "null".to_string(),
        Value::Map(_) | Value::List(_) => to_json(v).map_err(|e| e.to_string())?,
        Value::String(s) => s.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) | Value::Int64(i) => i.to_string(),
        Value::Float(f) => format_g(*f),
        other => format!("{other:?}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::yaml::parse_values;

    fn run(t: &str, src: &str) -> Option<String> {
        JsonPath::parse(t)
            .unwrap()
            .execute(&parse_values(src).unwrap())
    }

    #[test]
    fn paths() {
        let src = "a: {b: x, num: 1000000}\nl: [1, 2, {c: d}]\nm: {p: 80, q: 443}\n";
        assert_eq!(run("{.a.b}", src).unwrap(), "x");
        assert_eq!(run("{.a.num}", src).unwrap(), "1e+06");
        assert_eq!(run("{.l[2].c}{\"\\n\"}", src).unwrap(), "d\n");
        assert_eq!(run("{.l[-1]}", src).unwrap(), "{\"c\":\"d\"}");
        assert_eq!(run("{.m.*}", src).unwrap(), "80 443");
        assert_eq!(run("{.m}", src).unwrap(), "{\"p\":80,\"q\":443}");
        assert_eq!(run("x{.nope}y", src), None);
        assert_eq!(run("{range .m.*}[{@}]{end}", src).unwrap(), "[80][443]");
    }

    #[test]
    fn parse_errors() {
        assert_eq!(
            JsonPath::parse("{.foo").unwrap_err().to_string(),
            "unclosed action"
        );
    }
}

#[cfg(test)]
mod filter_tests {
    use super::*;
    use crate::values::yaml::parse_values;

    #[test]
    fn filters_like_kubectl() {
        let v = parse_values("p:\n- {name: a, port: 80}\n- {name: b, port: 443}\n").unwrap();
        let run = |t: &str| JsonPath::parse(t).unwrap().execute(&v);
        assert_eq!(run("{.p[?(@.name=='b')].port}").unwrap(), "443");
        assert_eq!(run("{.p[?(@.port>100.0)].name}").unwrap(), "b");
        // A float value compared with an int literal is an error in Go's templates.
        assert_eq!(run("{.p[?(@.port>100)].name}"), None);
        assert_eq!(run("{.p[?(@.name)].port}").unwrap(), "80 443");
    }
}
