//! values.yaml rules (helm's `rules.ValuesWithOverrides`): the file
//! parses, and the user values over it satisfy values.schema.json.

use super::{LintContext, Linter, Severity};
use crate::chart::loader::go_yaml_utf8_error;
use crate::values::coalesce::coalesce_tables;
use crate::values::schema::validate_single;
use crate::values::yaml::unmarshal_map;

const FILE: &str = "values.yaml";

pub(super) fn lint(linter: &mut Linter, ctx: &LintContext) {
    let path = linter.chart_dir.join(FILE);
    let exists = std::fs::metadata(&path).is_ok();
    if !linter.rule(
        Severity::Info,
        FILE,
        if exists {
            Ok(())
        } else {
            Err("file does not exist".into())
        },
    ) {
        return;
    }
    let result = validate_values_file(linter, ctx);
    linter.rule(Severity::Error, FILE, result);
}

fn validate_values_file(linter: &Linter, ctx: &LintContext) -> Result<(), String> {
    let path = linter.chart_dir.join(FILE);
    let bytes = std::fs::read(&path).map_err(|e| {
        format!(
            "unable to parse YAML: {}",
            crate::chart::loader::go_io_error("read", &path, &e)
        )
    })?;
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        let msg = go_yaml_utf8_error(&bytes).unwrap_or("invalid leading UTF-8 octet");
        format!("unable to parse YAML: error converting YAML to JSON: yaml: {msg}")
    })?;
    // common.ReadValues: one document into `common.Values`.
    let values = unmarshal_map(super::chartfile::without_bom(text)).map_err(|e| {
        format!("unable to parse YAML: {e}").replace("map[string]interface {}", "common.Values")
    })?;
    let mut ignore = |_: String| {};
    let coalesced = coalesce_tables(
        &crate::value::Value::empty_map(),
        &ctx.values.deep_copy(),
        &mut ignore,
    );
    let coalesced = coalesce_tables(&coalesced, &values, &mut ignore);
    let schema = std::fs::read(linter.chart_dir.join("values.schema.json")).unwrap_or_default();
    if schema.is_empty() || ctx.skip_schema_validation {
        return Ok(());
    }
    validate_single(&coalesced, &schema)
}
