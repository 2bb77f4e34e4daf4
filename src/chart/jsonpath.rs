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
