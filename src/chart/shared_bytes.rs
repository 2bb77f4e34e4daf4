//! Immutable, reference-counted file bytes.
//!
//! A chart archive is inflated once into one buffer, and every file of the
//! chart (and of its subcharts, and of `Raw`, `.Files` and the CRD list) is a
//! [`SharedBytes`] view of that buffer: cloning one is a reference-count
//! bump, not a copy. Before this, the 5 MB of CRDs of kube-prometheus-stack
//! existed about four times in memory.
//!
//! A view may also be *deferred*: its bytes are produced on first use (see
//! [`Deferred`]). `rudder template` without `--include-crds` defers the
//! CRD files of an archive, so their megabytes are never held, yet a
//! template that reads one through `.Files` still gets it.

use std::fmt;
use std::ops::{Deref, Range};
use std::sync::{Arc, OnceLock};

/// A cheap-to-clone view of immutable bytes (24 bytes: a chart holds one
/// per file, a template source, `.Files` entry or raw file).
#[derive(Clone)]
pub struct SharedBytes {
    buf: Arc<Backing>,
    range: Range<usize>,
}

enum Backing {
    Bytes(Vec<u8>),
    Deferred(Arc<Deferred>),
}

impl Backing {
    fn bytes(&self) -> &[u8] {
        match self {
            Backing::Bytes(v) => v,
            Backing::Deferred(d) => d.bytes(),
        }
    }
}

/// A buffer made on first use by a producer that must return the same bytes
/// every time (e.g. re-inflating an archive already inflated once).
pub struct Deferred {
    produce: Box<dyn Fn() -> Vec<u8> + Send + Sync>,
    bytes: OnceLock<Vec<u8>>,
}

impl Deferred {
    pub fn new(produce: impl Fn() -> Vec<u8> + Send + Sync + 'static) -> Arc<Deferred> {
        Arc::new(Deferred {
            produce: Box::new(produce),
            bytes: OnceLock::new(),
        })
    }

    fn bytes(&self) -> &[u8] {
        self.bytes.get_or_init(|| (self.produce)())
    }

    /// A view of `range` of the buffer, produced when first read. A range
    /// the producer's buffer turns out not to cover reads as empty.
    pub fn view(self: &Arc<Deferred>, range: Range<usize>) -> SharedBytes {
        SharedBytes {
            buf: Arc::new(Backing::Deferred(Arc::clone(self))),
            range,
        }
    }
}

impl SharedBytes {
    /// Takes ownership of `data` without copying it.
    pub fn from_vec(data: Vec<u8>) -> SharedBytes {
        let range = 0..data.len();
        SharedBytes {
            buf: Arc::new(Backing::Bytes(data)),
            range,
        }
    }

    /// The length, known without producing a deferred view's bytes.
    pub fn len(&self) -> usize {
        self.range.len()
    }

    pub fn is_empty(&self) -> bool {
        self.range.is_empty()
    }

    /// Whether `other` is this very view (the same buffer and range), not
    /// merely equal bytes: work done on one view's bytes (such as parsing a
    /// template ahead) can stand for the other.
    pub fn same_view(&self, other: &SharedBytes) -> bool {
        Arc::ptr_eq(&self.buf, &other.buf) && self.range == other.range
    }

    /// Whether the bytes are produced on first use rather than held.
    pub fn is_deferred(&self) -> bool {
        matches!(*self.buf, Backing::Deferred(_))
    }

    /// A view of `range` (relative to this view) sharing the same buffer.
    /// Panics if `range` is out of bounds, like slice indexing; callers
    /// check lengths first.
    pub fn slice(&self, range: Range<usize>) -> SharedBytes {
        assert!(range.start <= range.end && range.end <= self.len());
        SharedBytes {
            buf: self.buf.clone(),
            range: self.range.start + range.start..self.range.start + range.end,
        }
    }

    /// The bytes. A deferred view whose range the produced buffer does not
    /// cover reads as empty (views of held bytes are always in range).
    pub fn as_slice(&self) -> &[u8] {
        self.buf.bytes().get(self.range.clone()).unwrap_or_default()
    }

    /// The bytes as an owned vector: no copy when this view is the only
    /// holder of its whole buffer.
    pub fn into_vec(self) -> Vec<u8> {
        let SharedBytes { buf, range } = self;
        match Arc::try_unwrap(buf) {
            Ok(Backing::Bytes(v)) if range == (0..v.len()) => v,
            Ok(backing) => backing.bytes().get(range).unwrap_or_default().to_vec(),
            Err(buf) => buf.bytes().get(range).unwrap_or_default().to_vec(),
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
        assert_eq!(std::mem::size_of::<SharedBytes>(), 24);
        assert_eq!(world.clone().into_vec(), b"world".to_vec());
        drop(world);
        assert_eq!(all.into_vec(), b"hello world".to_vec());
        assert!(SharedBytes::default().is_empty());
    }

    #[test]
    fn deferred_views_produce_once_on_first_read() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&calls);
        let d = Deferred::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            b"hello world".to_vec()
        });
        let world = d.view(6..11);
        let beyond = d.view(6..40);
        assert!(world.is_deferred());
        assert_eq!((world.len(), world.slice(1..3).len()), (5, 2));
        assert_eq!(calls.load(Ordering::SeqCst), 0);
        assert_eq!(world, b"world");
        assert_eq!(world.slice(1..3), b"or");
        assert_eq!(world.clone().into_vec(), b"world".to_vec());
        assert_eq!(beyond, b"");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
