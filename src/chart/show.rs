//! `show chart|values|readme|crds|all`: a chart's parts printed exactly as
//! helm's `Show` action prints them.

use super::jsonpath::JsonPath;
use super::Chart;
use crate::render::encode::to_yaml;

/// Which part of the chart to print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShowFormat {
    All,
    Chart,
    Values,
    Readme,
    Crds,
}

#[derive(Debug, thiserror::Error)]
pub enum ShowError {
    #[error("error parsing jsonpath {template}: {message}")]
    JsonPath { template: String, message: String },
    #[error("{0}")]
    Marshal(String),
}

/// README names helm looks for (case-insensitive), in this order per file.
const README_NAMES: [&str; 3] = ["readme.md", "readme.txt", "readme"];

/// The Chart.yaml as helm re-serialises it (sorted keys, omitempty).
pub fn chart_yaml(chart: &Chart) -> Result<String, ShowError> {
    to_yaml(&chart.metadata.to_value()).map_err(|e| ShowError::Marshal(e.to_string()))
}

/// The first top-level README file, as helm's `findReadme` finds it.
pub fn find_readme(chart: &Chart) -> Option<&super::ChartFile> {
    chart
        .files
        .iter()
        .find(|f| README_NAMES.iter().any(|n| f.name.eq_ignore_ascii_case(n)))
}

/// Renders the requested part(s). `jsonpath` filters `values`.
/// Bytes, because files are printed as stored (they need not be UTF-8).
pub fn render(
    chart: &Chart,
    format: ShowFormat,
    jsonpath: Option<&str>,
) -> Result<Vec<u8>, ShowError> {
    let all = format == ShowFormat::All;
    let mut out: Vec<u8> = Vec::new();
    if all || format == ShowFormat::Chart {
        out.extend_from_slice(chart_yaml(chart)?.as_bytes());
        out.push(b'\n');
    }
    if (all || format == ShowFormat::Values) && chart.values_raw.is_some() {
        if all {
            out.extend_from_slice(b"---\n");
        }
        if let Some(template) = jsonpath {
            let jp = JsonPath::parse(template).map_err(|e| ShowError::JsonPath {
                template: template.to_string(),
                message: e.to_string(),
            })?;
            if let Some(text) = jp.execute(&chart.values) {
                out.extend_from_slice(text.as_bytes());
            }
        } else if let Some(f) = chart.raw_file("values.yaml") {
            out.extend_from_slice(&f.data);
            out.push(b'\n');
        }
    }
    if all || format == ShowFormat::Readme {
        if let Some(readme) = find_readme(chart) {
            if all {
                out.extend_from_slice(b"---\n");
            }
            out.extend_from_slice(&readme.data);
            out.push(b'\n');
        }
    }
    if all || format == ShowFormat::Crds {
        for crd in chart.crd_objects() {
            if !crd.data.starts_with(b"---") {
                out.extend_from_slice(b"---\n");
            }
            out.extend_from_slice(&crd.data);
            out.push(b'\n');
        }
    }
    Ok(out)
}
