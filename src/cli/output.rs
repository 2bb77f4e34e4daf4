//! helm's `-o table|json|yaml` output: gosuri/uitable tables (tab
//! separated, padded, cells cut to `--max-col-width` with `...`), JSON
//! through `json.Encoder` (struct field order, one line), YAML through
//! sigs.k8s.io/yaml (sorted keys).

use rudder::value::{MapData, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    Table,
    Json,
    Yaml,
}

impl OutputFormat {
    pub fn parse(s: &str) -> Result<OutputFormat, String> {
        match s {
            "table" => Ok(OutputFormat::Table),
            "json" => Ok(OutputFormat::Json),
            "yaml" => Ok(OutputFormat::Yaml),
            _ => Err("invalid format type".into()),
        }
    }
}

/// One output object: fields in Go struct order.
pub type Record = Vec<(&'static str, Value)>;

/// `json.NewEncoder(out).Encode(list)`.
pub fn json_records(records: &[Record]) -> anyhow::Result<String> {
    let mut out = String::from("[");
    for (i, rec) in records.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('{');
        for (j, (k, v)) in rec.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            out.push_str(&rudder::render::encode::to_json(&Value::str(k))?);
            out.push(':');
            out.push_str(&rudder::render::encode::to_json(v)?);
        }
        out.push('}');
    }
    out.push_str("]\n");
    Ok(out)
}

/// sigs.k8s.io/yaml `Marshal(list)`.
pub fn yaml_records(records: &[Record]) -> anyhow::Result<String> {
    let list = records
        .iter()
        .map(|rec| {
            let m: MapData = rec
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect();
            Value::map(m)
        })
        .collect();
    Ok(rudder::render::encode::to_yaml(&Value::list(list))?)
}

/// Display width of a character (go-runewidth, East Asian wide = 2,
/// combining marks = 0).
fn rune_width(c: char) -> usize {
    let cp = c as u32;
    if cp == 0 || (0x300..=0x36f).contains(&cp) || (0x200b..=0x200f).contains(&cp) {
        return 0;
    }
    let wide = matches!(cp,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x1F300..=0x1F64F | 0x1F900..=0x1F9FF | 0x20000..=0x3FFFD);
    if wide {
        2
    } else {
        1
    }
}

fn str_width(s: &str) -> usize {
    s.chars().map(rune_width).sum()
}

/// uitable's cell: padded to `width`, or cut to `width - 3` columns + `...`.
fn resize(s: &str, width: usize) -> String {
    let w = str_width(s);
    if w == width {
        return s.to_string();
    }
    if w < width {
        return format!("{s}{}", " ".repeat(width - w));
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        out.push(c);
        let cw = rune_width(c);
        if used + cw >= width.saturating_sub(3) {
            break;
        }
        used += cw;
    }
    out.push_str("...");
    out
}

/// A uitable table with `\t` separators and helm's trailing newline.
pub fn table(rows: &[Vec<String>], max_col_width: usize) -> String {
    let mut widths: Vec<usize> = Vec::new();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if widths.len() <= i {
                widths.push(0);
            }
            let mut w = cell.split('\n').map(str_width).max().unwrap_or(0);
            if max_col_width != 0 && w > max_col_width {
                w = max_col_width;
            }
            widths[i] = widths[i].max(w);
        }
    }
    let mut out = String::new();
    for (r, row) in rows.iter().enumerate() {
        if r > 0 {
            out.push('\n');
        }
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                if widths[i] > 0 {
                    resize(cell, widths[i])
                } else {
                    cell.clone()
                }
            })
            .collect();
        out.push_str(&cells.join("\t"));
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_like_uitable() {
        let long = "Apache HTTP Server is an open-source HTTP server. The goal";
        assert_eq!(
            resize(long, 50),
            "Apache HTTP Server is an open-source HTTP serve..."
        );
        assert_eq!(resize("ab", 4), "ab  ");
    }
}
