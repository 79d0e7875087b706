//! Buffers: the queue of waiting parts and the list of those waiting for room;
//! in a buffer whose parts differ in the stations that may take them, both by
//! class of part, so that no pull or unblocking scans the whole buffer.

use std::collections::VecDeque;

use super::part::{Link, NONE, Parts};

/// Where a part moving into a buffer goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Room {
    /// Straight onto this idle server.
    Server(u32),
    /// To the back of the queue.
    Queue,
    /// Nowhere: the buffer is full.
    Full,
}

/// Something that holds a part and waits for room in a buffer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Waiter {
    /// A server blocked with a finished part.
    Server(u32),
    /// A blocking source holding its next part.
    Source(u32),
}

/// The fixed description of a buffer, shared by every replication.
#[derive(Debug)]
pub(crate) struct BufferTable {
    /// Most waiting parts (`usize::MAX`: unlimited).
    pub(crate) capacity: usize,
    /// Stations fed from this buffer.
    pub(crate) consumers: Vec<u32>,
    /// True when every part in the queue can go to every consumer (one consumer
    /// station): the front part is always eligible.
    pub(crate) single_consumer: bool,
    /// The saturated source that feeds this buffer, or `NONE`.
    pub(crate) saturated_by: u32,
    /// True when every consumer may take every product of that source, so that
    /// a new part needs no eligibility check.
    pub(crate) saturated_eligible: bool,
    /// The classes of the parts that wait here, each the consumers their route
    /// step allows (in the order of `consumers`); a step's class is its index.
    pub(crate) classes: Vec<Vec<u32>>,
}

/// A buffer's state in one replication.
#[derive(Debug)]
pub(crate) struct Buffer<'c> {
    /// Copies of the table's hot fields, next to the queue.
    pub(crate) capacity: usize,
    pub(crate) consumers: &'c [u32],
    pub(crate) single_consumer: bool,
    /// Waiting parts in arrival order (empty when the buffer is indexed).
    pub(crate) queue: VecDeque<u32>,
    /// Servers and sources waiting for room, in the order they started waiting
    /// (empty when the buffer is indexed).
    pub(crate) waiters: VecDeque<Waiter>,
    /// Servers and sources waiting for room, in all.
    pub(crate) waiting: usize,
    /// The queue and the waiters by class, when parts of several classes wait
    /// here (a buffer shared by stations that take different parts).
    pub(crate) index: Option<Box<ClassIndex>>,
    pub(crate) books: BufferBooks,
}

/// The waiting parts and waiters of a buffer with several classes of part.
///
/// The parts are kept twice: in arrival order, as a list linked through
/// [`Parts`] (taken out from anywhere in O(1)), and per class in arrival
/// order, so that the first part a station may take is the earliest of the
/// fronts of its classes. The waiters are kept per class with a ticket that
/// orders them across classes.
#[derive(Debug, Default)]
pub(crate) struct ClassIndex {
    /// Parts waiting.
    len: usize,
    /// The first and last waiting part in arrival order (`NONE`: none).
    head: u32,
    tail: u32,
    /// The arrival number of the next part.
    next_seq: u64,
    /// Waiting parts per class, in arrival order.
    parts: Vec<VecDeque<u32>>,
    /// Waiters per class with their ticket, in the order they started waiting.
    pub(crate) waiters: Vec<VecDeque<(u64, Waiter)>>,
    /// The ticket of the next waiter.
    next_ticket: u64,
}

impl ClassIndex {
    /// An empty index of `classes` classes.
    pub(crate) fn new(classes: usize) -> Self {
        Self {
            head: NONE,
            tail: NONE,
            parts: vec![VecDeque::new(); classes],
            waiters: vec![VecDeque::new(); classes],
            ..Self::default()
        }
    }

    /// The earliest waiting part of any of `classes`, if any.
    pub(crate) fn first_of(&self, classes: &[u32], parts: &Parts) -> Option<u32> {
        classes
            .iter()
            .filter_map(|&c| self.parts[c as usize].front().copied())
            .min_by_key(|&p| parts.link(p).seq)
    }

    /// Puts a waiter of `class` at the back of its class.
    fn wait(&mut self, class: u32, waiter: Waiter) {
        self.waiters[class as usize].push_back((self.next_ticket, waiter));
        self.next_ticket += 1;
    }
}

/// The parts waiting in a buffer, in arrival order.
pub(crate) enum Queued<'a> {
    /// A buffer with one class of part.
    Plain(std::collections::vec_deque::Iter<'a, u32>),
    /// An indexed buffer: the next part of the linked list.
    Linked { next: u32, parts: &'a Parts },
}

impl Iterator for Queued<'_> {
    type Item = u32;

    #[inline]
    fn next(&mut self) -> Option<u32> {
        match self {
            Queued::Plain(iter) => iter.next().copied(),
            Queued::Linked { next, parts } => {
                let part = *next;
                if part == NONE {
                    return None;
                }
                *next = parts.link(part).next;
                Some(part)
            }
        }
    }
}

/// What a buffer's queue held during the period.
#[derive(Clone, Debug, Default)]
pub(crate) struct BufferBooks {
    /// The integral of the queue length over the period, less the waits of the
    /// parts taken out during the period (the consumer stations' books hold
    /// those): set at the end of the warm-up to minus the time the parts then
    /// waiting had already waited, and completed at the horizon.
    pub(crate) area: f64,
    /// The longest the queue was during the period.
    pub(crate) max: usize,
    /// Time the queue was at its capacity during the period.
    pub(crate) full_time: f64,
    /// Since when the queue has been full (meaningful while it is).
    pub(crate) full_since: f64,
}

impl Buffer<'_> {
    /// Parts waiting.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        match &self.index {
            None => self.queue.len(),
            Some(index) => index.len,
        }
    }

    /// The waiting parts in arrival order.
    pub(crate) fn iter<'a>(&'a self, parts: &'a Parts) -> Queued<'a> {
        match &self.index {
            None => Queued::Plain(self.queue.iter()),
            Some(index) => Queued::Linked {
                next: index.head,
                parts,
            },
        }
    }

    /// Puts `part` at the back of the queue at `now` (a buffer not indexed).
    #[inline]
    pub(crate) fn push(&mut self, part: u32, now: f64) {
        self.queue.push_back(part);
        self.pushed(self.queue.len(), now);
    }

    /// Puts `part`, of `class`, at the back of the queue of an indexed
    /// buffer at `now`.
    pub(crate) fn push_class(&mut self, part: u32, class: u32, now: f64, parts: &mut Parts) {
        let index = self.index.as_mut().expect("an indexed buffer");
        *parts.link_mut(part) = Link {
            prev: index.tail,
            next: NONE,
            seq: index.next_seq,
            class,
        };
        index.next_seq += 1;
        if index.tail == NONE {
            index.head = part;
        } else {
            parts.link_mut(index.tail).next = part;
        }
        index.tail = part;
        index.parts[class as usize].push_back(part);
        index.len += 1;
        let len = index.len;
        self.pushed(len, now);
    }

    /// The books of a push that left `len` parts waiting at `now`.
    #[inline]
    fn pushed(&mut self, len: usize, now: f64) {
        if len > self.books.max {
            self.books.max = len;
        }
        if len == self.capacity {
            self.books.full_since = now;
        }
    }

    /// The books of a take at `now`, before it.
    #[inline]
    fn taking(&mut self, now: f64) {
        if self.len() == self.capacity {
            self.books.full_time += now - self.books.full_since;
        }
    }

    /// Takes the part at `index` out of the queue at `now` and returns it (a
    /// buffer not indexed); the caller adds its time in the queue to the
    /// consumer station's books.
    #[inline]
    pub(crate) fn take(&mut self, index: usize, now: f64) -> u32 {
        self.taking(now);
        if index == 0 {
            self.queue.pop_front()
        } else {
            self.queue.remove(index)
        }
        .expect("the index of a waiting part")
    }

    /// Takes `part` out of the queue of an indexed buffer at `now`, in O(1)
    /// when it is the first of its class (as first in, first out takes it).
    pub(crate) fn take_part(&mut self, part: u32, now: f64, parts: &mut Parts) {
        self.taking(now);
        let index = self.index.as_mut().expect("an indexed buffer");
        let link = *parts.link(part);
        match link.prev {
            NONE => index.head = link.next,
            prev => parts.link_mut(prev).next = link.next,
        }
        match link.next {
            NONE => index.tail = link.prev,
            next => parts.link_mut(next).prev = link.prev,
        }
        let class = &mut index.parts[link.class as usize];
        if class.front() == Some(&part) {
            class.pop_front();
        } else {
            // A rule took it from further back: the class is in arrival order.
            let at = class.partition_point(|&p| parts.link(p).seq < link.seq);
            class.remove(at);
        }
        index.len -= 1;
    }

    /// Puts `waiter`, whose part is of `class`, at the back of the waiters.
    #[inline]
    pub(crate) fn wait(&mut self, waiter: Waiter, class: u32) {
        match &mut self.index {
            None => self.waiters.push_back(waiter),
            Some(index) => index.wait(class, waiter),
        }
        self.waiting += 1;
    }

    /// Takes `waiter` out of the waiters (it stops waiting).
    pub(crate) fn unwait(&mut self, waiter: Waiter) {
        match &mut self.index {
            None => self.waiters.retain(|w| *w != waiter),
            Some(index) => index
                .waiters
                .iter_mut()
                .for_each(|queue| queue.retain(|&(_, w)| w != waiter)),
        }
        self.waiting = match &self.index {
            None => self.waiters.len(),
            Some(index) => index.waiters.iter().map(VecDeque::len).sum(),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::{Buffer, BufferBooks, ClassIndex};
    use crate::engine::part::Parts;
    use std::collections::VecDeque;

    /// An indexed buffer agrees with a plain list in arrival order: the
    /// first part a station may take is the first of its classes in that
    /// list, parts taken from anywhere leave the others in order.
    #[test]
    fn indexed_queue_matches_a_scan_in_arrival_order() {
        let classes = 3;
        // Station 0 may take classes 0 and 2, station 1 classes 1 and 2.
        let allowed: [&[u32]; 2] = [&[0, 2], &[1, 2]];
        let mut parts = Parts::default();
        let mut buffer = Buffer {
            capacity: usize::MAX,
            consumers: &[0, 1],
            single_consumer: false,
            queue: VecDeque::new(),
            waiters: VecDeque::new(),
            waiting: 0,
            index: Some(Box::new(ClassIndex::new(classes))),
            books: BufferBooks::default(),
        };
        let mut plain: Vec<(u32, u32)> = Vec::new();
        let mut x = 7_u64;
        for step in 0..4_000 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let r = (x >> 33) as usize;
            if r % 5 < 3 || plain.is_empty() {
                let part = parts.create(0);
                let class = (r / 5 % classes) as u32;
                buffer.push_class(part, class, f64::from(step), &mut parts);
                plain.push((part, class));
            } else if r % 5 == 3 {
                // First in, first out at one of the stations.
                let station = r / 5 % 2;
                let index = buffer.index.as_ref().unwrap();
                let first = index.first_of(allowed[station], &parts);
                let expected = plain.iter().position(|(_, c)| allowed[station].contains(c));
                assert_eq!(first, expected.map(|i| plain[i].0));
                if let (Some(part), Some(i)) = (first, expected) {
                    buffer.take_part(part, f64::from(step), &mut parts);
                    plain.remove(i);
                    parts.free(part);
                }
            } else {
                // A rule takes one from anywhere.
                let i = r / 5 % plain.len();
                let (part, _) = plain.remove(i);
                buffer.take_part(part, f64::from(step), &mut parts);
                parts.free(part);
            }
            let order: Vec<u32> = buffer.iter(&parts).collect();
            assert_eq!(order, plain.iter().map(|p| p.0).collect::<Vec<_>>());
            assert_eq!(buffer.len(), plain.len());
        }
    }
}
