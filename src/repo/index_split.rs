//! Cutting an index in helm's own layout into its charts, from text in
//! memory or straight from the file.
//!
//! One pass over the line starts finds the charts: a non-blank line at
//! column 0 is a top-level key, and inside a block `entries:` a line at
//! the chart names' indentation that is not a `- ` item names the next
//! chart (every scalar and nested node of a version sits deeper). Each
//! chart is then a byte range that can be decoded on its own, on any
//! thread. Reading from the file keeps only a small window of it in
//! memory (a big index is tens of megabytes, and on this kind of machine
//! every page first touched costs time), and each chart is read again
//! from the file by whoever decodes it.

use std::collections::HashSet;
use std::io::Read;

use super::index_fast_yaml::{chart_name_line, parse_index, ChartBlock, EntryEvent, IndexLayout};
use crate::value::MapData;

/// One chart under `entries`: its name and the byte range of its version
/// list (the lines after the name's line, up to the next chart).
#[derive(Clone, Debug)]
pub struct ChartSpan {
    pub name: String,
    pub start: usize,
    pub end: usize,
    /// Written as `name: []`: nothing may follow.
    pub flow_empty: bool,
}

impl ChartSpan {
    /// The chart as a block over `body`, its text.
    pub fn block<'a>(&self, body: &'a str) -> ChartBlock<'a> {
        ChartBlock::new(self.name.clone(), body, self.flow_empty)
    }
}

/// An index cut into charts: the other top-level keys (already read) and
/// the charts' byte ranges, in file order.
pub struct SpanLayout {
    pub top: MapData,
    pub charts: Vec<ChartSpan>,
}

/// The line-by-line state of the cut.
#[derive(Default)]
struct Splitter {
    /// `entries:` seen at column 0.
    entries: bool,
    /// The entries' block has ended (a later line at column 0).
    body_ended: bool,
    charts: Vec<ChartSpan>,
    seen: HashSet<String>,
    chart_indent: Option<usize>,
    /// The chart being read: name, body start, written as `[]`.
    current: Option<(String, usize, bool)>,
    /// The document without the entries' block, `entries: {}` in its place.
    rest: String,
}

impl Splitter {
    fn finish_chart(&mut self, end: usize) {
        if let Some((name, start, flow_empty)) = self.current.take() {
            self.charts.push(ChartSpan {
                name,
                start,
                end: end.max(start),
                flow_empty,
            });
        }
    }

    /// Takes the line starting at byte `at` (without its line break;
    /// `newline` tells whether one followed). `None` when the text is
    /// outside the layout.
    fn line(&mut self, at: usize, line: &[u8], newline: bool) -> Option<()> {
        // Only lines at most at the chart names' indentation matter; the
        // (many) deeper ones are recognised from their first bytes.
        let cap = self.chart_indent.map_or(usize::MAX, |n| n + 1);
        let indent = line.iter().take(cap).take_while(|&&b| b == b' ').count();
        let inside = self.entries && !self.body_ended;
        if indent == line.len() {
            // Blank: inside the entries it belongs to the current chart.
            if !inside {
                self.keep(line, newline)?;
            }
            return Some(());
        }
        if indent == 0 {
            if inside {
                self.finish_chart(at);
                self.body_ended = true;
            }
            if line == b"entries:" {
                if self.entries {
                    return None;
                }
                self.entries = true;
                self.rest.push_str("entries: {}\n");
                return Some(());
            }
            return self.keep(line, newline);
        }
        if !inside {
            return self.keep(line, newline);
        }
        let n = *self.chart_indent.get_or_insert(indent);
        if indent > n || (indent == n && is_seq_item_bytes(&line[indent..])) {
            // Part of the current chart's list (there must be one).
            self.current.as_ref()?;
            return Some(());
        }
        if indent < n {
            return None;
        }
        let text = std::str::from_utf8(&line[indent..]).ok()?;
        let (name, flow_empty) = chart_name_line(text)?;
        // A repeated chart name is left to the general loader's error.
        if !self.seen.insert(name.clone()) {
            return None;
        }
        self.finish_chart(at);
        let start = at + line.len() + usize::from(newline);
        self.current = Some((name, start, flow_empty));
        Some(())
    }

    /// Keeps a line outside the entries' block for the top-level reader.
    fn keep(&mut self, line: &[u8], newline: bool) -> Option<()> {
        self.rest.push_str(std::str::from_utf8(line).ok()?);
        if newline {
            self.rest.push('\n');
        }
        Some(())
    }

    /// The layout once every line of a text of `len` bytes went through.
    fn finish(mut self, len: usize) -> Option<SpanLayout> {
        if self.entries && !self.body_ended {
            self.finish_chart(len);
        }
        // The rest of the document (with an empty mapping standing in for
        // the entries) goes through the whole-document reader.
        let mut none = |_: EntryEvent| None;
        let top = parse_index(&self.rest, &mut none)?;
        Some(SpanLayout {
            top,
            charts: self.charts,
        })
    }
}

fn is_seq_item_bytes(t: &[u8]) -> bool {
    t == b"-" || t.starts_with(b"- ")
}

/// Characters the fast readers do not handle (the general loader does).
fn has_unsupported_chars(bytes: &[u8]) -> bool {
    memchr::memchr2(b'\r', b'\t', bytes).is_some()
}

/// Cuts `src` into its charts (see the module docs); `None` when it is
/// outside helm's layout.
pub fn split_spans(src: &str) -> Option<SpanLayout> {
    let bytes = src.as_bytes();
    if has_unsupported_chars(bytes) || src.starts_with('\u{feff}') {
        return None;
    }
    let mut s = Splitter::default();
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', bytes) {
        s.line(start, &bytes[start..end], true)?;
        start = end + 1;
    }
    s.line(start, &bytes[start..], false)?;
    s.finish(bytes.len())
}

/// [`split_spans`] with every chart's text borrowed from `src`.
pub fn split_index(src: &str) -> Option<IndexLayout<'_>> {
    let layout = split_spans(src)?;
    let charts = layout
        .charts
        .iter()
        .map(|c| Some(c.block(src.get(c.start..c.end)?)))
        .collect::<Option<Vec<_>>>()?;
    Some(IndexLayout {
        top: layout.top,
        charts,
    })
}

/// [`split_spans`] reading `file` a window at a time; `None` as well when
/// the file cannot be read or is not UTF-8 where it was looked at (chart
/// texts are checked when they are read again).
pub fn split_file(file: &std::fs::File) -> Option<SpanLayout> {
    const WINDOW: usize = 1 << 20;
    let mut reader = file;
    let mut buf = vec![0u8; WINDOW];
    // `buf[..filled]` holds the file from byte `base` on.
    let (mut base, mut filled) = (0usize, 0usize);
    let mut s = Splitter::default();
    let mut first = true;
    loop {
        if filled == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
        let got = reader.read(&mut buf[filled..]).ok()?;
        let chunk = &buf[filled..filled + got];
        if has_unsupported_chars(chunk) {
            return None;
        }
        filled += got;
        if first && filled >= 3 {
            if buf.starts_with("\u{feff}".as_bytes()) {
                return None;
            }
            first = false;
        }
        if got == 0 {
            // The last line has no line break.
            s.line(base, &buf[..filled], false)?;
            return s.finish(base + filled);
        }
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', &buf[filled - got..filled]) {
            let end = end + filled - got;
            s.line(base + start, &buf[start..end], true)?;
            start = end + 1;
        }
        buf.copy_within(start..filled, 0);
        base += start;
        filled -= start;
    }
}

/// Reads `span`'s text from `file` into `buf` (reused across charts);
/// `None` when it cannot be read or is not UTF-8.
pub fn read_span<'b>(
    file: &std::fs::File,
    span: &ChartSpan,
    buf: &'b mut Vec<u8>,
) -> Option<&'b str> {
    buf.clear();
    buf.resize(span.end - span.start, 0);
    read_at(file, buf, span.start as u64)?;
    std::str::from_utf8(buf).ok()
}

#[cfg(unix)]
fn read_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> Option<()> {
    use std::os::unix::fs::FileExt;
    file.read_exact_at(buf, offset).ok()
}

/// Elsewhere the general loader reads the index.
#[cfg(not(unix))]
fn read_at(_file: &std::fs::File, _buf: &mut [u8], _offset: u64) -> Option<()> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::index_fast_yaml::{chart_items, LineBuffer};

    fn names_and_items(src: &str) -> Option<Vec<(String, usize)>> {
        let layout = split_index(src)?;
        layout
            .charts
            .iter()
            .map(|b| {
                Some((
                    b.name.clone(),
                    chart_items(b, &mut LineBuffer::default())?.len(),
                ))
            })
            .collect()
    }

    /// Cutting the file a window at a time finds what cutting the text does.
    fn file_equals_text(src: &str) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.yaml");
        std::fs::write(&path, src).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let from_file = split_file(&file);
        let from_text = split_spans(src);
        assert_eq!(from_file.is_some(), from_text.is_some(), "{src}");
        let (Some(a), Some(b)) = (from_file, from_text) else {
            return;
        };
        assert_eq!(format!("{:?}", a.top), format!("{:?}", b.top), "{src}");
        assert_eq!(
            format!("{:?}", a.charts),
            format!("{:?}", b.charts),
            "{src}"
        );
        let mut buf = Vec::new();
        for span in &a.charts {
            assert_eq!(
                read_span(&file, span, &mut buf).unwrap(),
                &src[span.start..span.end]
            );
        }
    }

    #[test]
    fn reads_the_file_as_the_text() {
        let long_chart: String = (0..40_000)
            .map(|i| format!("  - name: big\n    version: 1.0.{i}\n"))
            .collect();
        for src in [
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    description: |\n      text\n\n      more\n  - null\n  b: []\n  c:\n  d:\n    - name: d\n      version: 1.0.0\ngenerated: x\n".to_string(),
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0".to_string(),
            "generated: x\n\napiVersion: v1\n".to_string(),
            "apiVersion: v1\nentries: {}\n".to_string(),
            "apiVersion: v1\nentries:\n  a:\n  - name: a\r\n".to_string(),
            "\u{feff}apiVersion: v1\n".to_string(),
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n  a:\n  - name: a\n".to_string(),
            format!("apiVersion: v1\nentries:\n  big:\n{long_chart}  small:\n  - name: small\n    version: 1.0.0\ngenerated: \"2020-01-01T00:00:00Z\"\n"),
            format!("apiVersion: v1\nentries:\n  big:\n  - name: big\n    description: {}\n", "x".repeat(3 << 20)),
            String::new(),
        ] {
            file_equals_text(&src);
        }
    }

    #[test]
    fn cuts_charts_at_their_names() {
        let src = "apiVersion: v1\nentries:\n  a:\n  - name: a\n    description: |\n      text\n\n      more\n  - null\n  b: []\n  c:\n  d:\n    - name: d\n      version: 1.0.0\ngenerated: x\n";
        assert_eq!(
            names_and_items(src).unwrap(),
            [
                ("a".into(), 2),
                ("b".into(), 0),
                ("c".into(), 0),
                ("d".into(), 1)
            ]
        );
        let layout = split_index(src).unwrap();
        assert_eq!(layout.top.len(), 2); // apiVersion, generated
    }

    #[test]
    fn refuses_what_the_whole_reader_refuses() {
        for src in [
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n  a:\n  - name: a\n",
            "apiVersion: v1\nentries:\n  - a\n",
            "apiVersion: v1\nentries:\n  a: []\n  - name: a\n",
            "apiVersion: v1\nentries:\n    a:\n  b:\n",
            "apiVersion: v1\nentries:\n  a: x\n",
            "apiVersion: v1\nEntries: {}\nentries:\n  a: []\n",
            "apiVersion: v1\n\tentries:\n",
        ] {
            assert!(names_and_items(src).is_none(), "{src}");
        }
    }
}
