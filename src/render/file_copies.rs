//! Template files with the very bytes of an earlier one. Each subchart that
//! vendors a library chart (Bitnami's `common`) carries a copy of its
//! files; a copy is parsed once and its trees relabeled
//! ([`crate::render::ast::Template::relabeled`]).

use std::collections::HashMap;

use crate::chart::SharedBytes;

/// Sources seen so far, each under a key of the caller's, found again by
/// their exact bytes (compared only among sources of the same length).
pub struct FileCopies<K> {
    by_len: HashMap<usize, Vec<(SharedBytes, K)>>,
}

impl<K> Default for FileCopies<K> {
    fn default() -> FileCopies<K> {
        FileCopies {
            by_len: HashMap::new(),
        }
    }
}

impl<K: Copy> FileCopies<K> {
    /// The key of an earlier source with the bytes of `source`; if there is
    /// none, `source` is recorded under `key` and `None` returned.
    pub fn first_or_record(&mut self, source: &SharedBytes, key: K) -> Option<K> {
        let same_len = self.by_len.entry(source.len()).or_default();
        if let Some((_, first)) = same_len.iter().find(|(s, _)| **s == **source) {
            return Some(*first);
        }
        same_len.push((source.clone(), key));
        None
    }

    /// Records `source` under `key` (a later copy finds it), even if it is
    /// itself a copy.
    pub fn record(&mut self, source: &SharedBytes, key: K) {
        self.by_len
            .entry(source.len())
            .or_default()
            .push((source.clone(), key));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_finds_the_first_source_with_its_bytes() {
        let a = SharedBytes::from("{{ define \"x\" }}x{{ end }}".to_string());
        let same = SharedBytes::from("{{ define \"x\" }}x{{ end }}".to_string());
        let other = SharedBytes::from("{{ define \"y\" }}y{{ end }}".to_string());
        let mut copies = FileCopies::default();
        assert_eq!(copies.first_or_record(&a, 0), None);
        assert_eq!(copies.first_or_record(&other, 1), None);
        assert_eq!(copies.first_or_record(&same, 2), Some(0));
        copies.record(&same, 3);
        assert_eq!(copies.first_or_record(&same, 4), Some(0));
    }
}
