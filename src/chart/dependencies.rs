//! Dependency processing before rendering (Helm's `ProcessDependencies`):
//! aliases, enabling/disabling subcharts by `condition` and `tags`, and
//! `import-values` from children into parents.
//!
//! The sequence of value coalescing steps is Helm's, including the ones that
//! only matter for their side effects: each step logs its own type-clash
//! warnings (so one clash can be reported several times, with different key
//! prefixes), and import processing replaces every parent chart's default
//! values with the merged tree of its subcharts.

use crate::chart::{Chart, Dependency};
use crate::log::{Level, Logger, Record};
use crate::value::{Map, Value};
use crate::values::coalesce::{self, CoalesceError, ValuesChart};
use crate::version::{Constraint, Version};

impl ValuesChart for Chart {
    fn chart_name(&self) -> &str {
        &self.metadata.name
    }
    fn default_values(&self) -> &Value {
        &self.values
    }
    fn subcharts(&self) -> &[Chart] {
        &self.dependencies
    }
}

/// Helm's `CheckDependencies`: every dependency in Chart.yaml must have a
/// chart in `charts/` (by name). Returns the missing names.
pub fn missing_dependencies(chart: &Chart) -> Vec<String> {
    chart
        .metadata
        .dependencies
        .iter()
        .filter(|req| !chart.dependencies.iter().any(|d| d.name() == req.name))
        .map(|req| req.name.clone())
        .collect()
}

/// The text Helm prints for [`missing_dependencies`].
pub fn missing_dependencies_error(missing: &[String]) -> String {
    format!(
        "an error occurred while checking for chart dependencies. You may need to run 'helm dependency build' to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: {}",
        missing.join(", ")
    )
}

/// Helm's `IsCompatibleRange`: whether `version` satisfies `constraint`;
/// false when either does not parse.
pub fn is_compatible_range(constraint: &str, version: &str) -> bool {
    let Ok(v) = Version::parse(version) else {
        return false;
    };
    let Ok(c) = Constraint::parse(constraint) else {
        return false;
    };
    c.matches(&v)
}

/// Helm's `ProcessDependencies`: applies aliases, removes disabled
/// subcharts (recursively) and imports values, modifying `chart`.
pub fn process_dependencies(
    chart: &mut Chart,
    vals: &Value,
    log: &mut Logger<'_>,
) -> Result<(), CoalesceError> {
    process_enabled(chart, vals, "", log)?;
    process_import_values_tree(chart, log)
}

fn warn_fn<'a, 'b: 'a>(log: &'a mut Logger<'b>) -> impl FnMut(String) + use<'a, 'b> {
    move |msg| log(Record::new(Level::Info, msg))
}

/// The loaded chart a dependency entry refers to: the first with that
/// name whose version satisfies the entry.
fn matching_chart(charts: &[Chart], dep: &Dependency) -> Option<usize> {
    charts.iter().position(|c| {
        c.name() == dep.name && is_compatible_range(&dep.version, &c.metadata.version)
    })
}

fn process_enabled(
    chart: &mut Chart,
    vals: &Value,
    path: &str,
    log: &mut Logger<'_>,
) -> Result<(), CoalesceError> {
    if chart.metadata.dependencies.is_empty() {
        return Ok(());
    }
    // Loaded charts not named by any dependency entry are kept as they are;
    // each entry then gets (a copy of) the first chart it matches, renamed
    // to its alias. Charts are moved rather than copied where possible:
    // they can carry megabytes of files.
    let matches: Vec<Option<usize>> = chart
        .metadata
        .dependencies
        .iter()
        .map(|req| matching_chart(&chart.dependencies, req))
        .collect();
    let mut uses = vec![0usize; chart.dependencies.len()];
    for i in matches.iter().flatten() {
        uses[*i] += 1;
    }
    let mut loaded: Vec<Option<Chart>> = std::mem::take(&mut chart.dependencies)
        .into_iter()
        .map(Some)
        .collect();
    let mut charts: Vec<Chart> = Vec::new();
    for (i, slot) in loaded.iter_mut().enumerate() {
        let unmatched = !chart.metadata.dependencies.iter().any(|req| {
            slot.as_ref().is_some_and(|existing| {
                existing.name() == req.name
                    && is_compatible_range(&req.version, &existing.metadata.version)
            })
        });
        if unmatched && uses[i] == 0 {
            if let Some(c) = slot.take() {
                charts.push(c);
            }
        } else if unmatched {
            if let Some(c) = slot.as_ref() {
                charts.push(c.clone());
            }
        }
    }
    for (req, m) in chart.metadata.dependencies.iter_mut().zip(&matches) {
        if let Some(i) = *m {
            uses[i] -= 1;
            let mut c = if uses[i] == 0 {
                loaded[i].take()
            } else {
                loaded[i].clone()
            };
            if let Some(c) = c.as_mut() {
                if !req.alias.is_empty() {
                    c.metadata.name = req.alias.clone();
                }
            }
            charts.extend(c);
        }
        if !req.alias.is_empty() {
            req.name = req.alias.clone();
        }
    }
    chart.dependencies = charts;
    for req in &mut chart.metadata.dependencies {
        req.enabled = true;
    }

    // Read for tags and conditions only, and by the subcharts' own
    // processing, which copy what they coalesce into.
    let cvals = coalesce::coalesce_values_to_read(&*chart, vals, &mut warn_fn(log))?;
    apply_tags(&mut chart.metadata.dependencies, &cvals, log);
    apply_conditions(&mut chart.metadata.dependencies, &cvals, path, log);

    let disabled: Vec<String> = chart
        .metadata
        .dependencies
        .iter()
        .filter(|r| !r.enabled)
        .map(|r| r.name.clone())
        .collect();
    chart
        .dependencies
        .retain(|c| !disabled.contains(&c.metadata.name));
    chart
        .metadata
        .dependencies
        .retain(|r| !disabled.contains(&r.name));

    for sub in &mut chart.dependencies {
        let sub_path = format!("{path}{}.", sub.metadata.name);
        process_enabled(sub, &cvals, &sub_path, log)?;
    }
    Ok(())
}

/// `tags`: a dependency is disabled when some of its tags are false and none true.
fn apply_tags(reqs: &mut [Dependency], cvals: &Value, log: &mut Logger<'_>) {
    let Ok(tags) = table(cvals, "tags") else {
        return;
    };
    for r in reqs.iter_mut() {
        let (mut has_true, mut has_false) = (false, false);
        for k in &r.tags {
            match tags.entries.borrow().get(k) {
                Some(Value::Bool(true)) => has_true = true,
                Some(Value::Bool(false)) => has_false = true,
                Some(_) => log(Record::new(Level::Warn, "returned non-bool value")
                    .attr("tag", k.clone())
                    .attr("chart", r.name.clone())),
                None => {}
            }
        }
        r.enabled = has_true || !has_false;
    }
}

/// `condition`: the first of its comma-separated paths that holds a bool decides.
fn apply_conditions(reqs: &mut [Dependency], cvals: &Value, path: &str, log: &mut Logger<'_>) {
    for r in reqs.iter_mut() {
        let condition = r.condition.trim().to_string();
        for c in condition.split(',') {
            if c.is_empty() {
                continue;
            }
            if let Some(v) = path_value(cvals, &format!("{path}{c}")) {
                if let Value::Bool(b) = v {
                    r.enabled = b;
                    break;
                }
                log(Record::new(Level::Warn, "returned non-bool value")
                    .attr("path", c.to_string())
                    .attr("chart", r.name.clone()));
            }
        }
    }
}

/// Helm's `Values.Table`: the map at a dotted path (the same map, not a copy),
/// or `"<key>" is not a table` naming the first key that failed.
pub fn table(vals: &Value, name: &str) -> Result<Map, String> {
    let Value::Map(mut current) = vals.clone() else {
        return Err(not_a_table(name.split('.').next().unwrap_or("")));
    };
    for key in name.split('.') {
        let next = current.entries.borrow().get(key).cloned();
        match next {
            Some(Value::Map(m)) => current = m,
            _ => return Err(not_a_table(key)),
        }
    }
    Ok(current)
}

fn not_a_table(key: &str) -> String {
    format!("{} is not a table", crate::values::strvals::go_quote(key))
}

/// Helm's `Values.PathValue`: a non-table value at a dotted path.
fn path_value(vals: &Value, path: &str) -> Option<Value> {
    let (parent, key) = match path.rfind('.') {
        Some(i) => (Some(&path[..i]), &path[i + 1..]),
        None => (None, path),
    };
    let t = match parent {
        Some(p) => table(vals, p).ok()?,
        None => vals.as_map()?.clone(),
    };
    let v = t.entries.borrow().get(key).cloned()?;
    if matches!(v, Value::Map(_)) {
        return None;
    }
    Some(v)
}

/// Imports values children-first, as Helm's `processDependencyImportValues`.
fn process_import_values_tree(
    chart: &mut Chart,
    log: &mut Logger<'_>,
) -> Result<(), CoalesceError> {
    for sub in &mut chart.dependencies {
        process_import_values_tree(sub, log)?;
    }
    process_import_values(chart, log)
}

/// Nests `data` under a dotted `path` (`.` = the top level).
fn path_to_map(path: &str, data: Value) -> Value {
    if path == "." {
        return data;
    }
    let mut cur = data;
    for key in path.split('.').rev() {
        cur = coalesce::map_of(vec![(key, cur)]);
    }
    cur
}

fn process_import_values(chart: &mut Chart, log: &mut Logger<'_>) -> Result<(), CoalesceError> {
    if chart.metadata.dependencies.is_empty() {
        return Ok(());
    }
    let cvals = coalesce::merge_values(&*chart, &Value::Nil, &mut warn_fn(log))?;
    let mut b = Value::empty_map();
    for r in &mut chart.metadata.dependencies {
        let mut normalized = Vec::new();
        for iv in &r.import_values {
            match iv {
                Value::Map(m) => {
                    let field = |k: &str| {
                        let v = m.entries.borrow().get(k).cloned().unwrap_or(Value::Nil);
                        crate::render::gofmt::sprint(&v)
                    };
                    let (child, parent) = (field("child"), field("parent"));
                    normalized.push(string_pair(&child, &parent));
                    match table(&cvals, &format!("{}.{child}", r.name)) {
                        Ok(vv) => {
                            let src = path_to_map(&parent, Value::Map(vv));
                            b = coalesce::merge_tables(&b, &src, &mut warn_fn(log));
                        }
                        Err(e) => log(Record::new(
                            Level::Warn,
                            "ImportValues missing table from chart",
                        )
                        .attr("chart", r.name.clone())
                        .attr("error", e)),
                    }
                }
                Value::String(s) => {
                    let child = format!("exports.{s}");
                    normalized.push(string_pair(&child, "."));
                    match table(&cvals, &format!("{}.{child}", r.name)) {
                        Ok(vm) => {
                            b = coalesce::merge_tables(&b, &Value::Map(vm), &mut warn_fn(log));
                        }
                        Err(e) => {
                            log(Record::new(Level::Warn, "ImportValues missing table")
                                .attr("error", e))
                        }
                    }
                }
                _ => {}
            }
        }
        r.import_values = normalized;
    }
    // Helm deep-copies `cvals` here, so that the tables imported into `b`
    // (views into `cvals`) and the globals copied one level deep do not end
    // up shared. `cvals` is dropped afterwards: only its shared parts need
    // copying.
    let cvals = cvals.into_unshared();
    chart.values = coalesce::merge_tables(&cvals, &b, &mut warn_fn(log));
    Ok(())
}

/// `{child: ..., parent: ...}` as Helm rewrites import-values (a `map[string]string`).
fn string_pair(child: &str, parent: &str) -> Value {
    let mut m = crate::value::MapData::new();
    m.insert("child".into(), Value::str(child));
    m.insert("parent".into(), Value::str(parent));
    Value::Map(Map {
        entries: std::rc::Rc::new(std::cell::RefCell::new(m)),
        elem: crate::value::ElemType::String,
        nil: false,
        go_type: None,
    })
}
