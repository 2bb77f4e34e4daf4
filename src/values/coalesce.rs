//! Helm's value coalescing: a chart's defaults under the values given for it,
//! recursively for subcharts, with `global` copied down.
//!
//! The rules (and their odd corners) are Helm's, because charts observe them:
//! - user maps merge into default maps, anything else replaces the default;
//! - a user `null` deletes the default (coalescing) or is kept (merging, used
//!   while processing dependencies so a later coalesce can still delete);
//! - `global` of a parent is merged into each subchart's `global`;
//! - type clashes are not errors but warnings, logged with Helm's texts
//!   (`warning: skipped value for p.a: Not a table.`).
//!
//! Maps are shared references ([`Value`] maps behave like Go maps), and the
//! copies made here are exactly as deep as Helm's: the charts' default values
//! are deep-copied, global tables only one level. Charts can observe the
//! difference (a nested global table merged for one subchart is visible to
//! its parent), so this is deliberate.

use crate::render::gofmt;
use crate::value::{Map, MapData, Value};

/// The key whose table is copied from a chart to its subcharts.
pub const GLOBAL_KEY: &str = "global";

/// A failure that stops coalescing (Helm's `type mismatch on sub: %t`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CoalesceError(pub String);

/// What coalescing needs to know about a chart tree.
pub trait ValuesChart: Sized {
    /// The chart's name (after aliasing).
    fn chart_name(&self) -> &str;
    /// The chart's default values (`values.yaml`), a map or `Nil`.
    fn default_values(&self) -> &Value;
    /// The subcharts, in loading order.
    fn subcharts(&self) -> &[Self];
}

/// Receives Helm's coalescing warnings (logged by Helm at INFO level).
pub type Warn<'a> = dyn FnMut(String) + 'a;

/// Helm's `CoalesceValues`: the values every template of `chart` sees, from
/// user-supplied `vals` over the chart defaults. `vals` is not modified.
pub fn coalesce_values<C: ValuesChart>(
    chart: &C,
    vals: &Value,
    warn: &mut Warn<'_>,
) -> Result<Value, CoalesceError> {
    coalesce_root(chart, vals, false, false, warn)
}

/// [`coalesce_values`] for a caller that discards the chart afterwards:
/// the charts' default values are merged in place instead of copied, so
/// they become part of the result (and are modified). Saves a copy of
/// every values.yaml tree of the chart tree (~1 MB on big charts).
pub fn coalesce_values_consuming_defaults<C: ValuesChart>(
    chart: &C,
    vals: &Value,
    warn: &mut Warn<'_>,
) -> Result<Value, CoalesceError> {
    coalesce_root(chart, vals, false, true, warn)
}

/// [`coalesce_values`] for a result that is only read (dependency
/// conditions and tags, once per chart with dependencies, each time over
/// the whole coalesced tree of its parent): the tables of `vals` that
/// coalescing leaves alone are shared with it, not copied. Do not modify
/// the result.
///
/// Coalescing writes only to the top table, to what is under the keys of
/// the chart's default values (merged into those tables), under its
/// subcharts' names (their values, globals and subcharts) and under
/// `global` (whose tables the subcharts' globals share one level down);
/// those are copied as [`coalesce_values`] copies everything.
pub fn coalesce_values_to_read<C: ValuesChart>(
    chart: &C,
    vals: &Value,
    warn: &mut Warn<'_>,
) -> Result<Value, CoalesceError> {
    let dest = copy_where_written(vals, chart);
    coalesce(chart, &dest, "", false, false, warn)?;
    Ok(Value::Map(dest))
}

/// A copy of `vals` for coalescing `chart` into, deep only where that
/// writes (see [`coalesce_values_to_read`]).
fn copy_where_written<C: ValuesChart>(vals: &Value, chart: &C) -> Map {
    let Value::Map(m) = vals else {
        return new_map();
    };
    let defaults = chart.default_values().as_map();
    let written = |key: &str| {
        key == GLOBAL_KEY
            || is_subchart(chart, key)
            || defaults.is_some_and(|d| d.entries.borrow().contains_key(key))
    };
    let entries: MapData = m
        .entries
        .borrow()
        .iter()
        .map(|(k, v)| {
            let v = if written(k) { v.deep_copy() } else { v.clone() };
            (k.clone(), v)
        })
        .collect();
    Map {
        entries: std::rc::Rc::new(std::cell::RefCell::new(entries)),
        elem: m.elem,
        nil: m.nil,
        go_type: m.go_type,
    }
}

/// Helm's `MergeValues`: like [`coalesce_values`] but keeps `null`s.
pub fn merge_values<C: ValuesChart>(
    chart: &C,
    vals: &Value,
    warn: &mut Warn<'_>,
) -> Result<Value, CoalesceError> {
    coalesce_root(chart, vals, true, false, warn)
}

/// The public entry points: a copy of the user values `vals` with the chart
/// tree's defaults coalesced under it (`merge` keeps nulls; `in_place`
/// uses the charts' own default trees instead of copies).
fn coalesce_root<C: ValuesChart>(
    chart: &C,
    vals: &Value,
    merge: bool,
    in_place: bool,
    warn: &mut Warn<'_>,
) -> Result<Value, CoalesceError> {
    let dest = copy_values(vals);
    coalesce(chart, &dest, "", merge, in_place, warn)?;
    Ok(Value::Map(dest))
}

/// Helm's `CoalesceTables`: `src` under `dst` (dst wins), nulls in `dst` delete.
/// Modifies and returns `dst`.
pub fn coalesce_tables(dst: &Value, src: &Value, warn: &mut Warn<'_>) -> Value {
    tables_full_key(dst, src, "", false, warn)
}

/// Helm's `MergeTables`: like [`coalesce_tables`] but keeps nulls.
pub fn merge_tables(dst: &Value, src: &Value, warn: &mut Warn<'_>) -> Value {
    tables_full_key(dst, src, "", true, warn)
}

/// Helm's loader `MergeMaps` (used for several `-f` files and `--set-json`
/// objects): `b` over `a`, maps merged recursively, into a new top map.
pub fn merge_maps(a: &Map, b: &Map) -> Map {
    let out = new_map();
    {
        let mut o = out.entries.borrow_mut();
        for (k, v) in a.entries.borrow().iter() {
            o.insert(k.clone(), v.clone());
        }
    }
    let b_entries: Vec<(String, Value)> = entries(b);
    for (k, v) in b_entries {
        if let Value::Map(vm) = &v {
            let existing = out.entries.borrow().get(&k).cloned();
            if let Some(Value::Map(bm)) = existing {
                let merged = merge_maps(&bm, vm);
                out.entries.borrow_mut().insert(k, Value::Map(merged));
                continue;
            }
        }
        out.entries.borrow_mut().insert(k, v);
    }
    out
}

pub(crate) fn new_map() -> Map {
    Map {
        entries: Default::default(),
        elem: crate::value::ElemType::Any,
        nil: false,
        go_type: None,
    }
}

fn copy_values(vals: &Value) -> Map {
    match vals.deep_copy() {
        Value::Map(m) => m,
        _ => new_map(),
    }
}

/// A snapshot of a map's entries, so the map can be modified while walking it.
fn entries(m: &Map) -> Vec<(String, Value)> {
    m.entries
        .borrow()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn get(m: &Map, key: &str) -> Option<Value> {
    m.entries.borrow().get(key).cloned()
}

fn insert(m: &Map, key: &str, v: Value) {
    m.entries.borrow_mut().insert(key.to_string(), v);
}

fn remove(m: &Map, key: &str) {
    m.entries.borrow_mut().remove(key);
}

fn concat_prefix(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}.{b}")
    }
}

fn coalesce<C: ValuesChart>(
    chart: &C,
    dest: &Map,
    prefix: &str,
    merge: bool,
    in_place: bool,
    warn: &mut Warn<'_>,
) -> Result<(), CoalesceError> {
    coalesce_chart_values(chart, dest, prefix, merge, in_place, warn);
    coalesce_deps(chart, dest, prefix, merge, in_place, warn)
}

fn coalesce_deps<C: ValuesChart>(
    chart: &C,
    dest: &Map,
    prefix: &str,
    merge: bool,
    in_place: bool,
    warn: &mut Warn<'_>,
) -> Result<(), CoalesceError> {
    for sub in chart.subcharts() {
        let name = sub.chart_name();
        let sub_vals = match get(dest, name) {
            None => {
                let m = new_map();
                insert(dest, name, Value::Map(m.clone()));
                m
            }
            Some(Value::Map(m)) => m,
            Some(other) => {
                return Err(CoalesceError(gofmt::sprintf(
                    "type mismatch on %s: %t",
                    &[Value::str(name), other],
                )));
            }
        };
        let sub_prefix = concat_prefix(prefix, chart.chart_name());
        coalesce_globals(&sub_vals, dest, &sub_prefix, warn);
        coalesce(sub, &sub_vals, &sub_prefix, merge, in_place, warn)?;
        insert(dest, name, Value::Map(sub_vals));
    }
    Ok(())
}

/// Copies the globals of `src` (a parent's values) into `dest` (the values
/// for one of its subcharts).
fn coalesce_globals(dest: &Map, src: &Map, prefix: &str, warn: &mut Warn<'_>) {
    let dg = match get(dest, GLOBAL_KEY) {
        None => new_map(),
        Some(Value::Map(m)) => m,
        Some(_) => {
            warn(format!(
                "warning: skipping globals because destination {GLOBAL_KEY} is not a table."
            ));
            return;
        }
    };
    let sg = match get(src, GLOBAL_KEY) {
        None => new_map(),
        Some(Value::Map(m)) => m,
        Some(_) => {
            warn(format!(
                "warning: skipping globals because source {GLOBAL_KEY} is not a table."
            ));
            return;
        }
    };
    for (key, val) in entries(&sg) {
        if let Value::Map(vm) = &val {
            // One level deep, as Helm's copyMap: nested tables stay shared.
            let vv = Map {
                entries: std::rc::Rc::new(std::cell::RefCell::new(vm.entries.borrow().clone())),
                elem: vm.elem,
                nil: false,
                go_type: None,
            };
            match get(&dg, &key) {
                None => insert(&dg, &key, Value::Map(vv)),
                Some(Value::Map(destv)) => {
                    let sub_prefix = concat_prefix(prefix, &key);
                    tables_full_key_maps(&vv, &destv, &sub_prefix, true, warn);
                    insert(&dg, &key, Value::Map(vv));
                }
                Some(_) => warn(format!(
                    "Conflict: cannot merge map onto non-map for {}. Skipping.",
                    crate::values::strvals::go_quote(&key)
                )),
            }
        } else if matches!(get(&dg, &key), Some(Value::Map(_))) {
            warn(format!("key {key} is table. Skipping"));
        } else {
            insert(&dg, &key, val);
        }
    }
    insert(dest, GLOBAL_KEY, Value::Map(dg));
}

/// Builds up the values for one chart: its defaults under `v` (a copy of
/// them, or the chart's own tree when `in_place`).
fn coalesce_chart_values<C: ValuesChart>(
    chart: &C,
    v: &Map,
    prefix: &str,
    merge: bool,
    in_place: bool,
    warn: &mut Warn<'_>,
) {
    let sub_prefix = concat_prefix(prefix, chart.chart_name());
    let defaults = if in_place {
        chart.default_values().clone()
    } else {
        chart.default_values().deep_copy()
    };
    let defaults = match defaults {
        Value::Map(m) => m,
        _ => new_map(),
    };
    for (key, val) in entries(&defaults) {
        match get(v, &key) {
            Some(value) => {
                if value.is_nil() && !merge {
                    remove(v, &key);
                } else if let Value::Map(dest) = &value {
                    match &val {
                        Value::Map(src) => {
                            let merge = merge || is_subchart(chart, &key);
                            if !merge {
                                clean_nil_values(src);
                            }
                            tables_full_key_maps(
                                dest,
                                src,
                                &concat_prefix(&sub_prefix, &key),
                                merge,
                                warn,
                            );
                        }
                        Value::Nil => {}
                        _ => warn(format!(
                            "warning: skipped value for {sub_prefix}.{key}: Not a table."
                        )),
                    }
                }
            }
            None => {
                if !merge {
                    if val.is_nil() {
                        continue;
                    }
                    if let Value::Map(sub) = &val {
                        clean_nil_values(sub);
                    }
                }
                insert(v, &key, val);
            }
        }
    }
}

fn is_subchart<C: ValuesChart>(chart: &C, key: &str) -> bool {
    chart.subcharts().iter().any(|s| s.chart_name() == key)
}

fn tables_full_key(
    dst: &Value,
    src: &Value,
    prefix: &str,
    merge: bool,
    warn: &mut Warn<'_>,
) -> Value {
    match (dst, src) {
        (_, Value::Nil) => dst.clone(),
        (Value::Nil, _) => src.clone(),
        (Value::Map(d), Value::Map(s)) => {
            tables_full_key_maps(d, s, prefix, merge, warn);
            dst.clone()
        }
        _ => dst.clone(),
    }
}

/// Helm's `coalesceTablesFullKey`: `src` under `dst`; `dst` wins and is modified.
fn tables_full_key_maps(dst: &Map, src: &Map, prefix: &str, merge: bool, warn: &mut Warn<'_>) {
    if std::rc::Rc::ptr_eq(&dst.entries, &src.entries) {
        return;
    }
    // A `null` in `dst` is copied into `src` first (as helm does), but
    // whether `src` had a value there before decides below: keep that for
    // those keys only (usually none).
    let nil_keys: Vec<String> = dst
        .entries
        .borrow()
        .iter()
        .filter(|(_, v)| v.is_nil())
        .map(|(k, _)| k.clone())
        .collect();
    let mut src_had_value: Vec<&String> = Vec::new();
    for key in &nil_keys {
        if get(src, key).is_some_and(|v| !v.is_nil()) {
            src_had_value.push(key);
        }
        insert(src, key, Value::Nil);
    }
    // The dotted key, for nested tables and warnings only.
    let full_key = |key: &str| concat_prefix(prefix, key);
    for (key, val) in entries(src) {
        let dv = get(dst, &key);
        match dv {
            Some(Value::Nil) if !merge && src_had_value.contains(&&key) => remove(dst, &key),
            None => insert(dst, &key, val),
            Some(dv) => match (&val, &dv) {
                (Value::Map(vm), Value::Map(dm)) => {
                    tables_full_key_maps(dm, vm, &full_key(&key), merge, warn)
                }
                (Value::Map(_), _) => warn(format!(
                    "warning: cannot overwrite table with non table for {} ({})",
                    full_key(&key),
                    gofmt::sprint(&val)
                )),
                (_, Value::Map(_)) if !val.is_nil() => warn(format!(
                    "warning: destination for {} is a table. Ignoring non-table value ({})",
                    full_key(&key),
                    gofmt::sprint(&val)
                )),
                _ => {}
            },
        }
    }
}

/// Removes `null` entries (recursively) so chart-default nulls do not leak.
fn clean_nil_values(m: &Map) {
    let mut nested = Vec::new();
    m.entries.borrow_mut().retain(|_, v| match v {
        Value::Nil => false,
        Value::Map(sub) => {
            nested.push(sub.clone());
            true
        }
        _ => true,
    });
    for sub in nested {
        clean_nil_values(&sub);
    }
}

/// Removes `null` entries recursively from a deep copy (Helm's `trimNilValues`).
pub fn trim_nil_values(vals: &Value) -> Value {
    let copy = vals.deep_copy();
    if let Value::Map(m) = &copy {
        trim_in_place(m);
    }
    copy
}

fn trim_in_place(m: &Map) {
    let mut nested = Vec::new();
    m.entries.borrow_mut().retain(|_, v| match v {
        Value::Nil => false,
        Value::Map(sub) => {
            nested.push(sub.clone());
            true
        }
        _ => true,
    });
    for sub in nested {
        trim_in_place(&sub);
    }
}

/// Builds a map value from entries (test and caller convenience).
pub fn map_of(entries: Vec<(&str, Value)>) -> Value {
    let data: MapData = entries
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    Value::map(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct TestChart {
        name: String,
        values: Value,
        subs: Vec<TestChart>,
    }

    impl ValuesChart for TestChart {
        fn chart_name(&self) -> &str {
            &self.name
        }
        fn default_values(&self) -> &Value {
            &self.values
        }
        fn subcharts(&self) -> &[Self] {
            &self.subs
        }
    }

    fn chart(name: &str, values: Value, subs: Vec<TestChart>) -> TestChart {
        TestChart {
            name: name.into(),
            values,
            subs,
        }
    }

    fn json(v: &Value) -> String {
        match v {
            Value::Nil => "null".into(),
            Value::Map(m) => format!(
                "{{{}}}",
                m.entries
                    .borrow()
                    .iter()
                    .map(|(k, v)| format!("{k}:{}", json(v)))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Value::List(l) => format!(
                "[{}]",
                l.items
                    .borrow()
                    .iter()
                    .map(json)
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            other => gofmt::sprint(other),
        }
    }

    fn deep(c: &TestChart) -> TestChart {
        chart(
            &c.name,
            c.values.deep_copy(),
            c.subs.iter().map(deep).collect(),
        )
    }

    /// Coalesces both ways (copying the defaults, and in place on a copy
    /// of the chart), which must agree, and leaves `c` itself unchanged.
    fn run(c: &TestChart, user: Value) -> (String, Vec<String>) {
        let before = json(&c.values);
        let mut warnings = Vec::new();
        let out = coalesce_values(c, &user, &mut |w| warnings.push(w)).unwrap();
        assert_eq!(json(&c.values), before, "defaults were modified");
        let consumed = deep(c);
        let mut in_place_warnings = Vec::new();
        let in_place = coalesce_values_consuming_defaults(&consumed, &user, &mut |w| {
            in_place_warnings.push(w)
        })
        .unwrap();
        assert_eq!(json(&in_place), json(&out));
        assert_eq!(in_place_warnings, warnings);
        let user_before = json(&user);
        let mut read_warnings = Vec::new();
        let read = coalesce_values_to_read(c, &user, &mut |w| read_warnings.push(w)).unwrap();
        assert_eq!(json(&read), json(&out));
        assert_eq!(read_warnings, warnings);
        assert_eq!(json(&user), user_before, "user values were modified");
        (json(&out), warnings)
    }

    /// As dependency processing uses it (each chart with dependencies over
    /// its parent's coalesced values), on every corpus chart: the same
    /// values and warnings as the full copy, and its input left as it was.
    #[test]
    fn values_to_read_agree_on_the_corpus_charts() {
        let Some(charts) = crate::chart::corpus_charts() else {
            return;
        };
        fn check(chart: &crate::chart::Chart, vals: &Value) {
            let before = json(vals);
            let mut warnings = Vec::new();
            let full = coalesce_values(chart, vals, &mut |w| warnings.push(w)).unwrap();
            let mut read_warnings = Vec::new();
            let read =
                coalesce_values_to_read(chart, vals, &mut |w| read_warnings.push(w)).unwrap();
            assert_eq!(json(&read), json(&full), "{}", chart.name());
            assert_eq!(read_warnings, warnings, "{}", chart.name());
            assert_eq!(json(vals), before, "{}: input modified", chart.name());
            for sub in &chart.dependencies {
                check(sub, &read);
            }
            assert_eq!(
                json(&read),
                json(&full),
                "{}: shared tables modified",
                chart.name()
            );
        }
        let user = map_of(vec![
            (
                "global",
                map_of(vec![("imageRegistry", Value::str("r.example"))]),
            ),
            ("image", map_of(vec![("tag", Value::Nil)])),
            ("extra", map_of(vec![("a", Value::Int(1))])),
        ]);
        for chart in &charts {
            check(chart, &Value::empty_map());
            check(chart, &user);
        }
        assert!(charts.len() >= 10, "{} corpus charts", charts.len());
    }

    #[test]
    fn user_values_override_and_merge() {
        let c = chart(
            "t",
            map_of(vec![
                ("a", Value::str("chart")),
                (
                    "m",
                    map_of(vec![("x", Value::Float(1.0)), ("w", Value::Float(2.0))]),
                ),
            ]),
            vec![],
        );
        let user = map_of(vec![
            ("a", Value::str("user")),
            ("m", map_of(vec![("w", Value::Float(3.0))])),
        ]);
        assert_eq!(run(&c, user).0, "{a:user,m:{w:3,x:1}}");
    }

    #[test]
    fn null_deletes_default() {
        let c = chart(
            "t",
            map_of(vec![
                ("a", Value::str("chart")),
                (
                    "m",
                    map_of(vec![("x", Value::Float(1.0)), ("y", Value::Float(2.0))]),
                ),
            ]),
            vec![],
        );
        let user = map_of(vec![
            ("a", Value::Nil),
            ("m", map_of(vec![("x", Value::Nil)])),
            ("n", Value::Nil),
        ]);
        assert_eq!(run(&c, user).0, "{m:{y:2},n:null}");
    }

    #[test]
    fn scalar_over_table_and_table_over_scalar_warn() {
        let c = chart(
            "t",
            map_of(vec![
                ("a", Value::str("scalar")),
                ("b", map_of(vec![("x", Value::Float(1.0))])),
                ("c", map_of(vec![("d", Value::list(vec![]))])),
            ]),
            vec![],
        );
        let user = map_of(vec![
            ("a", map_of(vec![("now", Value::str("map"))])),
            ("b", Value::str("now-scalar")),
            (
                "c",
                map_of(vec![("d", map_of(vec![("k", Value::Float(1.0))]))]),
            ),
        ]);
        let (out, warnings) = run(&c, user);
        assert_eq!(out, "{a:{now:map},b:now-scalar,c:{d:{k:1}}}");
        assert_eq!(
            warnings,
            vec![
                "warning: skipped value for t.a: Not a table.".to_string(),
                "warning: destination for t.c.d is a table. Ignoring non-table value ([])"
                    .to_string(),
            ]
        );
    }

    #[test]
    fn subchart_values_and_globals() {
        let sub = chart(
            "sub",
            map_of(vec![
                ("x", Value::str("sub-default")),
                ("y", Value::str("keep")),
                ("global", map_of(vec![("g2", Value::str("sub"))])),
            ]),
            vec![],
        );
        let parent = chart(
            "p",
            map_of(vec![
                ("global", map_of(vec![("region", Value::str("eu"))])),
                ("sub", map_of(vec![("x", Value::str("from-parent"))])),
            ]),
            vec![sub],
        );
        let user = map_of(vec![("sub", map_of(vec![("y", Value::Nil)]))]);
        let (out, warnings) = run(&parent, user);
        assert!(warnings.is_empty());
        assert_eq!(
            out,
            "{global:{region:eu},sub:{global:{g2:sub,region:eu},x:from-parent}}"
        );
    }

    #[test]
    fn non_table_subchart_values_fail() {
        let parent = chart("p", Value::Nil, vec![chart("sub", Value::Nil, vec![])]);
        let user = map_of(vec![("sub", Value::str("x"))]);
        let err = coalesce_values(&parent, &user, &mut |_| {}).unwrap_err();
        assert_eq!(err.0, "type mismatch on sub: %!t(string=x)");
    }

    #[test]
    fn merge_keeps_nulls() {
        let c = chart("t", map_of(vec![("a", Value::str("x"))]), vec![]);
        let user = map_of(vec![("a", Value::Nil)]);
        let out = merge_values(&c, &user, &mut |_| {}).unwrap();
        assert_eq!(json(&out), "{a:null}");
    }

    #[test]
    fn merge_maps_is_recursive() {
        let a = map_of(vec![
            ("m", map_of(vec![("x", Value::Float(1.0))])),
            ("l", Value::str("a")),
        ]);
        let b = map_of(vec![
            ("m", map_of(vec![("y", Value::Float(2.0))])),
            ("l", Value::Nil),
        ]);
        let (Value::Map(a), Value::Map(b)) = (a, b) else {
            unreachable!()
        };
        assert_eq!(
            json(&Value::Map(merge_maps(&a, &b))),
            "{l:null,m:{x:1,y:2}}"
        );
    }
}
