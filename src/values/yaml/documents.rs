//! Splitting a stream into documents the way Helm's values loader does
//! (k8s.io/apimachinery's `YAMLReader`): any line starting with `---` ends a
//! document, only whitespace or a comment may follow the dashes, lines are
//! re-terminated with `\n` (a `\r\n` ending loses its `\r`), and empty
//! documents are dropped. Line numbers in later errors are relative to the
//! document.

use super::YamlError;

pub fn split_documents(src: &str) -> Result<Vec<String>, YamlError> {
    let mut docs = Vec::new();
    let mut buf = String::new();
    if src.is_empty() {
        return Ok(docs);
    }
    let body = src.strip_suffix('\n').unwrap_or(src);
    for line in body.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if let Some(rest) = line.strip_prefix("---") {
            let trimmed = rest.trim();
            if !trimmed.is_empty() && !trimmed.starts_with('#') {
                return Err(YamlError::Separator(trimmed.to_string()));
            }
            if !buf.is_empty() {
                docs.push(std::mem::take(&mut buf));
            }
            continue;
        }
        buf.push_str(line);
        buf.push('\n');
    }
    if !buf.is_empty() {
        docs.push(buf);
    }
    Ok(docs)
}
