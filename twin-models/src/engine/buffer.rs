//! Buffers: the queue of waiting parts and the list of those waiting for room.

use std::collections::VecDeque;

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
}

/// A buffer's state in one replication.
#[derive(Debug)]
pub(crate) struct Buffer<'c> {
    /// Copies of the table's hot fields, next to the queue.
    pub(crate) capacity: usize,
    pub(crate) consumers: &'c [u32],
    pub(crate) single_consumer: bool,
    /// Waiting parts in arrival order.
    pub(crate) queue: VecDeque<u32>,
    /// Servers and sources waiting for room, in the order they started waiting.
    pub(crate) waiters: VecDeque<Waiter>,
    pub(crate) books: BufferBooks,
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
    /// Puts `part` at the back of the queue at `now`.
    #[inline]
    pub(crate) fn push(&mut self, part: u32, now: f64) {
        self.queue.push_back(part);
        let len = self.queue.len();
        if len > self.books.max {
            self.books.max = len;
        }
        if len == self.capacity {
            self.books.full_since = now;
        }
    }

    /// Takes the part at `index` out of the queue at `now` and returns it; the
    /// caller adds its time in the queue to the consumer station's books.
    #[inline]
    pub(crate) fn take(&mut self, index: usize, now: f64) -> u32 {
        if self.queue.len() == self.capacity {
            self.books.full_time += now - self.books.full_since;
        }
        if index == 0 {
            self.queue.pop_front()
        } else {
            self.queue.remove(index)
        }
        .expect("the index of a waiting part")
    }
}
