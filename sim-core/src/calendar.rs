//! The event calendar: a priority queue of `(time, sequence, event)`.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// One scheduled event, ordered by a single integer key so that the heap compares
/// cheaply: the high 64 bits are the time's IEEE-754 bits, the low 64 bits the
/// insertion sequence. For the non-negative times of a simulation (the calendar
/// starts at 0 and never schedules into the past) the bit pattern orders exactly
/// as `f64::total_cmp`, so the key orders by `(time, seq)`.
#[derive(Clone, Copy, Debug)]
struct Entry<E> {
    key: u128,
    event: E,
}

impl<E> Entry<E> {
    #[inline]
    fn new(time: f64, seq: u64, event: E) -> Self {
        Self {
            key: (u128::from(time.to_bits()) << 64) | u128::from(seq),
            event,
        }
    }

    #[inline]
    fn time(&self) -> f64 {
        f64::from_bits((self.key >> 64) as u64)
    }
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl<E> Eq for Entry<E> {}

impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<E> Ord for Entry<E> {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap and we want the earliest event first.
        other.key.cmp(&self.key)
    }
}

/// The future event list of a simulation.
///
/// Events are small `Copy` values owned by the model. Ties in time are broken by
/// insertion order, which makes runs reproducible. Cancellation is left to the
/// model (generation counters inside the event): a stale event is dropped when
/// popped, which keeps scheduling `O(log n)` with no allocation per event once
/// the heap has grown to the model's peak number of pending events.
#[derive(Clone, Debug)]
pub struct EventCalendar<E> {
    heap: BinaryHeap<Entry<E>>,
    now: f64,
    next_seq: u64,
}

impl<E: Copy> Default for EventCalendar<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy> EventCalendar<E> {
    /// An empty calendar at time 0.
    pub fn new() -> Self {
        Self {
            heap: BinaryHeap::new(),
            now: 0.0,
            next_seq: 0,
        }
    }

    /// The current simulation time (the time of the event being handled).
    #[inline]
    pub fn now(&self) -> f64 {
        self.now
    }

    /// Schedules `event` at `now + delay`.
    ///
    /// `delay` must be finite and non-negative; models validate their inputs where
    /// they enter, so this is only checked in debug builds.
    #[inline]
    pub fn schedule(&mut self, delay: f64, event: E) {
        debug_assert!(delay >= 0.0 && delay.is_finite(), "bad delay {delay}");
        self.schedule_at(self.now + delay, event);
    }

    /// Schedules `event` at absolute time `time` (not before now, and finite).
    #[inline]
    pub fn schedule_at(&mut self, time: f64, event: E) {
        debug_assert!(
            time >= self.now && time.is_finite(),
            "event in the past or at a non-finite time: {time} < {}",
            self.now
        );
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Entry::new(time, seq, event));
    }

    /// The time of the next event, if any.
    #[inline]
    pub fn peek_time(&self) -> Option<f64> {
        self.heap.peek().map(Entry::time)
    }

    /// Removes the next event and advances the clock to its time.
    #[inline]
    pub fn pop(&mut self) -> Option<(f64, E)> {
        let entry = self.heap.pop()?;
        self.now = entry.time();
        Some((self.now, entry.event))
    }

    /// Advances the clock to `time` without handling an event (used at the horizon).
    pub fn advance_to(&mut self, time: f64) {
        if time > self.now {
            self.now = time;
        }
    }

    /// Drops every pending event: the loop ends at the next check (used by a
    /// model that must stop early, e.g. when a user plug-in fails).
    pub fn clear(&mut self) {
        self.heap.clear();
    }

    /// Number of pending events (including stale ones not yet dropped).
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when no event is pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_then_insertion_order() {
        let mut cal = EventCalendar::new();
        cal.schedule(2.0, 'c');
        cal.schedule(1.0, 'a');
        cal.schedule(2.0, 'd');
        cal.schedule(1.0, 'b');
        let order: Vec<char> = std::iter::from_fn(|| cal.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, vec!['a', 'b', 'c', 'd']);
        assert_eq!(cal.now(), 2.0);
    }

    #[test]
    fn orders_times_across_magnitudes() {
        let mut cal = EventCalendar::new();
        let times = [1e300, 0.0, 5e-324, 1.0, 2.5, 1e-300, 1e9, 0.1];
        for (i, t) in times.iter().enumerate() {
            cal.schedule_at(*t, i);
        }
        let popped: Vec<f64> = std::iter::from_fn(|| cal.pop().map(|(t, _)| t)).collect();
        let mut sorted = times.to_vec();
        sorted.sort_by(f64::total_cmp);
        assert_eq!(popped, sorted);
    }

    #[test]
    fn schedule_is_relative_to_now() {
        let mut cal = EventCalendar::new();
        cal.schedule(5.0, 1u8);
        cal.pop();
        cal.schedule(1.5, 2u8);
        assert_eq!(cal.pop(), Some((6.5, 2u8)));
    }
}
