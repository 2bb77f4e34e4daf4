//! Work over the charts of a big index on every core, with the results
//! handed back in chart order.
//!
//! The charts of an index are independent (see
//! [`super::index_split::split_index`]), so decoding them — most of
//! the time of a cold search or a `repo index --merge` — spreads over
//! threads. Results arrive in item order, as soon as every earlier one has
//! arrived, so a caller can stream them out while later ones are still
//! being computed.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

/// How many threads to use for `items` work items.
fn thread_count(items: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    cores.min(4).min(items)
}

/// Runs `work` on every item and hands each result to `sink` in item
/// order. Stops early and returns `false` when `work` gives `None` or
/// `sink` returns `false`; `true` when every item went through.
pub fn for_each_ordered<I: Sync, T: Send>(
    items: &[I],
    work: impl Fn(&I) -> Option<T> + Sync,
    sink: impl FnMut(usize, T) -> bool,
) -> bool {
    for_each_ordered_with(items, || (), |_, item| work(item), sink)
}

/// [`for_each_ordered`] where each thread keeps a state made by `init`
/// (reusable buffers) across the items it works on.
pub fn for_each_ordered_with<I: Sync, S, T: Send>(
    items: &[I],
    init: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, &I) -> Option<T> + Sync,
    mut sink: impl FnMut(usize, T) -> bool,
) -> bool {
    let threads = thread_count(items.len());
    if threads <= 1 {
        let mut state = init();
        for (i, item) in items.iter().enumerate() {
            let Some(t) = work(&mut state, item) else {
                return false;
            };
            if !sink(i, t) {
                return false;
            }
        }
        return true;
    }
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel::<(usize, Option<T>)>();
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, stop, work, init) = (&next, &stop, &work, &init);
            scope.spawn(move || {
                let mut state = init();
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else {
                        break;
                    };
                    let result = work(&mut state, item);
                    let failed = result.is_none();
                    if tx.send((i, result)).is_err() || failed {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut pending: BTreeMap<usize, T> = BTreeMap::new();
        let mut want = 0;
        for (i, result) in rx {
            let Some(t) = result else {
                stop.store(true, Ordering::Relaxed);
                return false;
            };
            pending.insert(i, t);
            while let Some(t) = pending.remove(&want) {
                if !sink(want, t) {
                    stop.store(true, Ordering::Relaxed);
                    return false;
                }
                want += 1;
            }
        }
        want == items.len()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_arrive_in_order() {
        let items: Vec<u64> = (0..200).collect();
        let mut seen = Vec::new();
        let ok = for_each_ordered(
            &items,
            |&i| {
                // Uneven work so that later items often finish first.
                let spins = (200 - i) * 200;
                std::hint::black_box((0..spins).fold(i, |a, b| a ^ b.wrapping_mul(31)));
                Some(i * 2)
            },
            |i, v| {
                seen.push((i, v));
                true
            },
        );
        assert!(ok);
        assert_eq!(
            seen,
            (0..200).map(|i| (i as usize, i * 2)).collect::<Vec<_>>()
        );
    }

    #[test]
    fn stops_on_failure() {
        let items: Vec<u32> = (0..100).collect();
        let mut seen = 0;
        let ok = for_each_ordered(
            &items,
            |&i| (i != 50).then_some(i),
            |_, _| {
                seen += 1;
                true
            },
        );
        assert!(!ok);
        assert!(seen <= 50);
        let ok = for_each_ordered(&items, |&i| Some(i), |i, _| i < 10);
        assert!(!ok);
    }
}
