//! The order book: orders release their parts at their release times, parts
//! that find no room wait at their source in release order, and an order is
//! done when the last of its parts has left the line.

use std::collections::VecDeque;

use sim_core::EventCalendar;

use super::buffer::{Room, Waiter};
use super::build::Line;
use super::event::Event;
use super::part::NONE;

/// What became of an order in one replication.
#[derive(Clone, Copy, Debug)]
pub(crate) struct OrderState {
    /// Its parts not yet completed or scrapped.
    pub(crate) remaining: u32,
    /// Its good parts that reached the sink.
    pub(crate) completed: u32,
    /// When its last part left the line (NaN while it has parts in the line).
    pub(crate) completion: f64,
}

impl Line<'_> {
    /// Time 0: every order's release is scheduled.
    pub(crate) fn schedule_orders(&mut self, cal: &mut EventCalendar<Event>) {
        for (order, spec) in self.c.spec.orders.iter().enumerate() {
            cal.schedule_at(
                spec.release,
                Event::OrderRelease {
                    order: order as u32,
                },
            );
        }
    }

    /// An order is released: its parts queue at its source and enter the line
    /// as far as there is room.
    pub(crate) fn on_order_release(&mut self, order: u32, cal: &mut EventCalendar<Event>) {
        let spec = &self.c.spec.orders[order as usize];
        for _ in 0..spec.quantity {
            let part = self.parts.create(spec.product as u32);
            self.parts[part].order = order;
            self.sources[spec.source].backlog.push_back(part);
        }
        self.feed_backlog(spec.source as u32, cal);
    }

    /// Parts released by orders and waiting at `source` enter the line in order
    /// until one finds its first buffer full; that one is held (the source
    /// waits for room there) and the rest wait behind it.
    pub(crate) fn feed_backlog(&mut self, source: u32, cal: &mut EventCalendar<Event>) {
        let s = source as usize;
        while self.sources[s].held == NONE {
            let Some(part) = self.sources[s].backlog.pop_front() else {
                return;
            };
            let first = &self.routes[self.parts[part].product as usize][0];
            let (buffer, class) = (first.buffer, first.class);
            let room = self.room_for(buffer, part);
            if room == Room::Full {
                self.sources[s].held = part;
                self.buffers[buffer as usize].wait(Waiter::Source(source), class);
                return;
            }
            self.release(part, cal.now());
            self.put(part, buffer, room, cal);
        }
    }

    /// A part of `order` left the line at `now`, good or scrapped; returns
    /// whether that was the order's last part.
    #[inline]
    pub(crate) fn order_part_done(&mut self, order: u32, good: bool, now: f64) -> bool {
        let o = &mut self.orders[order as usize];
        o.remaining -= 1;
        if good {
            o.completed += 1;
        }
        if o.remaining == 0 {
            o.completion = now;
            return true;
        }
        false
    }
}

/// Fresh order states for one replication.
pub(crate) fn order_states(c: &super::build::CompiledLine) -> Vec<OrderState> {
    c.spec
        .orders
        .iter()
        .map(|o| OrderState {
            remaining: o.quantity,
            completed: 0,
            completion: f64::NAN,
        })
        .collect()
}

/// The parts a source of kind orders has released but not yet let in.
pub(crate) type Backlog = VecDeque<u32>;
