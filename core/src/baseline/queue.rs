//! A small timed queue for the mirrored-MySQL model: the earliest time first, ties in the order
//! of scheduling, so the run is a pure function of the seed and the workload.

use crate::time::SimTime;
use alloc::collections::BinaryHeap;
use core::cmp::Ordering;

#[derive(Clone, Debug)]
struct Item<E> {
    at: u64,
    seq: u64,
    ev: E,
}

impl<E> PartialEq for Item<E> {
    fn eq(&self, o: &Self) -> bool {
        (self.at, self.seq) == (o.at, o.seq)
    }
}
impl<E> Eq for Item<E> {}
impl<E> Ord for Item<E> {
    fn cmp(&self, o: &Self) -> Ordering {
        (o.at, o.seq).cmp(&(self.at, self.seq))
    }
}
impl<E> PartialOrd for Item<E> {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

/// Events due at simulated times.
#[derive(Clone, Debug)]
pub(crate) struct Queue<E> {
    heap: BinaryHeap<Item<E>>,
    seq: u64,
}

impl<E> Default for Queue<E> {
    fn default() -> Self {
        Queue {
            heap: BinaryHeap::new(),
            seq: 0,
        }
    }
}

impl<E> Queue<E> {
    pub fn push(&mut self, at: SimTime, ev: E) {
        self.seq += 1;
        self.heap.push(Item {
            at: at.as_micros(),
            seq: self.seq,
            ev,
        });
    }

    /// The next event due at or before `limit`, with its time.
    pub fn pop_until(&mut self, limit: SimTime) -> Option<(SimTime, E)> {
        if self.heap.peek()?.at > limit.as_micros() {
            return None;
        }
        self.heap.pop().map(|i| (SimTime::from_micros(i.at), i.ev))
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earliest_first_then_schedule_order() {
        let mut q = Queue::default();
        q.push(SimTime::from_micros(30), 'c');
        q.push(SimTime::from_micros(10), 'a');
        q.push(SimTime::from_micros(30), 'd');
        q.push(SimTime::from_micros(20), 'b');
        assert!(q.pop_until(SimTime::from_micros(5)).is_none());
        let mut out = alloc::vec::Vec::new();
        while let Some((_, e)) = q.pop_until(SimTime::MAX) {
            out.push(e);
        }
        assert_eq!(out, ['a', 'b', 'c', 'd']);
    }
}
