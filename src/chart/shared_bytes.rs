//! Immutable, reference-counted file bytes.
//!
//! A chart archive is inflated once into one buffer, and every file of the
//! chart (and of its subcharts, and of `Raw`, `.Files` and the CRD list) is a
//! [`SharedBytes`] view of that buffer: cloning one is a reference-count
//! bump, not a copy. Before this, the 5 MB of CRDs of kube-prometheus-stack
//! existed about four times in memory.

use std::fmt;
use std::ops::{Deref, Range};
use std::sync::Arc;

/// A cheap-to-clone view of immutable bytes.
#[derive(Clone)]
pub struct SharedBytes {
    buf: Arc<Vec<u8>>,
    range: Range<usize>,
}

impl SharedBytes {
    /// Takes ownership of `data` without copying it.
    pub fn from_vec(data: Vec<u8>) -> SharedBytes {
        let range = 0..data.len();
        SharedBytes {
            buf: Arc::new(data),
            range,
        }
    }

    /// A view of `range` (relative to this view) sharing the same buffer.
    /// Panics if `range` is out of bounds, like slice indexing; callers
    /// check lengths first.
    pub fn slice(&self, range: Range<usize>) -> SharedBytes {
        assert!(range.start <= range.end && range.end <= self.len());
        SharedBytes {
            buf: Arc::clone(&self.buf),
            range: self.range.start + range.start..self.range.start + range.end,
        }
    }

    pub fn as_slice(&self) -> &[u8] {
        &self.buf[self.range.clone()]
    }

    /// The bytes as an owned vector: no copy when this view is the only
    /// holder of its whole buffer.
    pub fn into_vec(self) -> Vec<u8> {
        if self.range.start == 0 && self.range.end == self.buf.len() {
            match Arc::try_unwrap(self.buf) {
                Ok(v) => v,
                Err(buf) => buf[self.range].to_vec(),
            }
        } else {
            self.buf[self.range].to_vec()
        }
    }
}

impl Default for SharedBytes {
    fn default() -> SharedBytes {
        SharedBytes::from_vec(Vec::new())
    }
}

impl Deref for SharedBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl AsRef<[u8]> for SharedBytes {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl fmt::Debug for SharedBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_slice(), f)
    }
}

impl From<Vec<u8>> for SharedBytes {
    fn from(v: Vec<u8>) -> SharedBytes {
        SharedBytes::from_vec(v)
    }
}

impl From<String> for SharedBytes {
    fn from(s: String) -> SharedBytes {
        SharedBytes::from_vec(s.into_bytes())
    }
}

impl From<&str> for SharedBytes {
    fn from(s: &str) -> SharedBytes {
        SharedBytes::from_vec(s.as_bytes().to_vec())
    }
}

impl From<&[u8]> for SharedBytes {
    fn from(s: &[u8]) -> SharedBytes {
        SharedBytes::from_vec(s.to_vec())
    }
}

impl<const N: usize> From<&[u8; N]> for SharedBytes {
    fn from(s: &[u8; N]) -> SharedBytes {
        SharedBytes::from_vec(s.to_vec())
    }
}

impl From<&Vec<u8>> for SharedBytes {
    fn from(s: &Vec<u8>) -> SharedBytes {
        SharedBytes::from_vec(s.clone())
    }
}

impl PartialEq for SharedBytes {
    fn eq(&self, other: &SharedBytes) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for SharedBytes {}

impl PartialEq<[u8]> for SharedBytes {
    fn eq(&self, other: &[u8]) -> bool {
        self.as_slice() == other
    }
}

impl PartialEq<&[u8]> for SharedBytes {
    fn eq(&self, other: &&[u8]) -> bool {
        self.as_slice() == *other
    }
}

impl<const N: usize> PartialEq<&[u8; N]> for SharedBytes {
    fn eq(&self, other: &&[u8; N]) -> bool {
        self.as_slice() == &other[..]
    }
}

impl PartialEq<Vec<u8>> for SharedBytes {
    fn eq(&self, other: &Vec<u8>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_share_one_buffer() {
        let all = SharedBytes::from_vec(b"hello world".to_vec());
        let world = all.slice(6..11);
        assert_eq!(world, b"world");
        assert_eq!(world.slice(1..3), b"or");
        assert!(Arc::ptr_eq(&all.buf, &world.buf));
        assert_eq!(world.clone().into_vec(), b"world".to_vec());
        drop(world);
        assert_eq!(all.into_vec(), b"hello world".to_vec());
        assert!(SharedBytes::default().is_empty());
    }
}
