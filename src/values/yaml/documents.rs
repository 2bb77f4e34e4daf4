//! Splitting a stream into documents the way Helm's values loader does
//! (k8s.io/apimachinery's `YAMLReader`): any line starting with `---` ends a
//! document, only whitespace or a comment may follow the dashes, lines are
//! re-terminated with `\n` (a `\r\n` ending loses its `\r`). A separator
//! line with no document before it stays the first line of the next one
//! (so `---` then `...` is an empty document, and a leading `---` counts
//! in line numbers); no document is empty. Line numbers in later errors are
//! relative to the document.

use std::borrow::Cow;

use super::YamlError;

/// [`split_documents`] without copying the usual single-document file: when
/// no line starts with `---`, no line ends in `\r\n` and the text ends with
/// a line break, the one document is the text itself.
pub(crate) fn documents(src: &str) -> Result<Vec<Cow<'_, str>>, YamlError> {
    let single = src.ends_with('\n')
        && !src.starts_with("---")
        && !src.contains("\n---")
        && !src.contains("\r\n");
    if single {
        return Ok(vec![Cow::Borrowed(src)]);
    }
    Ok(split_documents(src)?.into_iter().map(Cow::Owned).collect())
}

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
                continue;
            }
            // A separator that ends no document starts the next one: the
            // reader keeps the line (an explicit `---` for the parser).
        }
        buf.push_str(line);
        buf.push('\n');
    }
    if !buf.is_empty() {
        docs.push(buf);
    }
    Ok(docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borrowed_single_document_matches_split() {
        for src in [
            "a: 1\n",
            "a: 1",
            "a: 1\r\nb: 2\r\n",
            "a: 1\n---\nb: 2\n",
            "---\na: 1\n",
            "\n\n",
            "",
            "a: |\n  x\n  ---y\n",
            "a: 1\n--- x\n",
            "a\rb: 1\n",
        ] {
            let fast: Result<Vec<String>, _> =
                documents(src).map(|d| d.into_iter().map(Cow::into_owned).collect());
            assert_eq!(fast, split_documents(src), "{src:?}");
        }
    }
}
