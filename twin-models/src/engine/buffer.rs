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
}
