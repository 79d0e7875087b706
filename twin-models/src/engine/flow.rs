//! The material flow: parts arrive, servers pull them from their input buffers,
//! finished parts are pushed on, and room that appears lets blocked servers and
//! sources move in (the unblocking cascade, run from a work list so that its
//! depth never grows with the line).

use sim_core::EventCalendar;

use super::MAX_WIP;
use super::buffer::{Room, Waiter};
use super::build::Line;
use super::event::Event;
use super::part::NONE;
use crate::line::{DispatchRule, ServerState, WhenFull};

impl Line<'_> {
    /// Schedules the next arrival of a source of kind arrivals.
    pub(crate) fn schedule_arrival(&mut self, source: u32, cal: &mut EventCalendar<Event>) {
        if let Some(d) = &self.c.sources[source as usize].interarrival {
            let src = &mut self.sources[source as usize];
            cal.schedule(d.sample(&mut src.arrival_stream), Event::Arrival { source });
        }
    }

    pub(crate) fn release(&mut self, part: u32, now: f64) {
        self.parts[part].released = now;
        self.books.release(now);
    }

    /// A part leaves the line, completed (`good`) or scrapped.
    fn leave(&mut self, part: u32, good: bool, cal: &mut EventCalendar<Event>) {
        let now = cal.now();
        let order = self.parts[part].order;
        if order != NONE && self.order_part_done(order, good, now) && self.plan.is_some() {
            self.plan_order_done(cal);
        }
        self.parts.free(part);
        self.books.leave(now);
    }

    /// Starts work on `part` on the free `server`: a setup first if the part is
    /// of another family than the server is configured for, else processing.
    /// A line without setups pays one test of an `Option` here.
    fn start_processing(&mut self, server: u32, part: u32, cal: &mut EventCalendar<Event>) {
        let station = self.servers[server as usize].station as usize;
        if self.stations[station].special_start {
            if self.stations[station].planned {
                self.advance_plan(station, part);
            }
            if self.stations[station].setup.is_some()
                && let Some(duration) = self.setup_before(server, part)
            {
                self.start_setup(server, part, duration, cal);
                return;
            }
        }
        self.begin_operation(server, station, part, cal);
    }

    /// Starts processing `part` on `server` of `station` (free, or at the end
    /// of its setup).
    #[inline(always)]
    pub(crate) fn begin_operation(
        &mut self,
        server: u32,
        station: usize,
        part: u32,
        cal: &mut EventCalendar<Event>,
    ) {
        let product = self.parts[part].product as usize;
        let duration = if self.stations[station].step_times {
            self.step_duration(station, part, cal.now())
        } else {
            let st = &mut self.stations[station];
            st.processing[product]
                .as_ref()
                .map_or(0.0, |d| d.sample(&mut st.processing_stream))
        };
        let s = &mut self.servers[server as usize];
        let restart = s.state == ServerState::Busy;
        s.part = part;
        s.due = cal.now() + duration;
        cal.schedule(
            duration,
            Event::Completion {
                server,
                generation: s.generation,
            },
        );
        if restart {
            self.restart_busy_clocks(server, cal);
        } else {
            self.set_state(server, ServerState::Busy, cal);
        }
    }

    /// The processing time of `part`'s operation at a station where steps may
    /// give their own time or an execution records the operation (and may give
    /// its realised duration).
    #[inline(never)]
    fn step_duration(&mut self, station: usize, part: u32, now: f64) -> f64 {
        if let Some(duration) = self.plan_start(station, part, now) {
            return duration;
        }
        let product = self.parts[part].product as usize;
        let st = &mut self.stations[station];
        self.routes[product][self.parts[part].step as usize]
            .processing
            .as_ref()
            .map(|(d, _)| d)
            .or(st.processing[product].as_ref())
            .map_or(0.0, |d| d.sample(&mut st.processing_stream))
    }

    /// The planned (mean) processing time of `part`'s current operation at
    /// `station`: its step's own, else the station's for its product.
    #[inline]
    pub(crate) fn nominal(&self, station: u32, part: u32) -> f64 {
        let st = &self.stations[station as usize];
        let p = &self.parts[part];
        if st.step_times
            && let Some((_, mean)) = &self.routes[p.product as usize][p.step as usize].processing
        {
            return *mean;
        }
        st.nominal[p.product as usize]
    }

    /// Whether `station` may take `part` now: its route step allows the
    /// station, and a station keeping a planned sequence is due to do it next.
    pub(crate) fn eligible(&self, part: u32, station: u32) -> bool {
        let p = self.parts[part];
        self.routes[p.product as usize][p.step as usize]
            .stations
            .contains(&station)
            && (!self.stations[station as usize].planned || self.planned_next(part, station))
    }

    /// A starved server of `station` (the lowest-numbered).
    #[inline(always)]
    fn idle_server_of(&self, station: u32) -> Option<u32> {
        let (first, end) = self.stations[station as usize].servers;
        if end - first == 1 {
            (self.servers[first as usize].state == ServerState::Starved).then_some(first)
        } else {
            self.first_idle(station)
        }
    }

    /// The lowest-numbered starved server of `station`, which has several (as
    /// a scan of its servers would find it): O(log₆₄ servers) amortised.
    #[inline(never)]
    fn first_idle(&self, station: u32) -> Option<u32> {
        let first = self.stations[station as usize].servers.0;
        let starved = |i: usize| self.servers[first as usize + i].state == ServerState::Starved;
        self.idle[station as usize]
            .first(starved)
            .map(|i| first + i as u32)
    }

    /// Where `part` would go if it moved into `buffer` now.
    #[inline(always)]
    pub(crate) fn room_for(&self, buffer: u32, part: u32) -> Room {
        let b = &self.buffers[buffer as usize];
        if !b.single_consumer {
            return self.room_in_shared(buffer, part);
        }
        // One consumer takes every part here, and the buffer is not indexed.
        if let Some(server) = self.idle_server_of(b.consumers[0]) {
            Room::Server(server)
        } else if b.queue.len() < b.capacity {
            Room::Queue
        } else {
            Room::Full
        }
    }

    /// [`Line::room_for`] in a buffer shared by several stations: the first
    /// consumer that may take `part` and has a starved server.
    #[inline(never)]
    fn room_in_shared(&self, buffer: u32, part: u32) -> Room {
        let b = &self.buffers[buffer as usize];
        for &station in b.consumers {
            if self.eligible(part, station)
                && let Some(server) = self.idle_server_of(station)
            {
                return Room::Server(server);
            }
        }
        if b.len() < b.capacity {
            Room::Queue
        } else {
            Room::Full
        }
    }

    /// Moves `part` into `buffer` where [`Line::room_for`] found room: straight
    /// onto an idle server that can take it, else to the back of the queue.
    #[inline(always)]
    pub(crate) fn put(
        &mut self,
        part: u32,
        buffer: u32,
        room: Room,
        cal: &mut EventCalendar<Event>,
    ) {
        match room {
            Room::Server(server) => self.start_processing(server, part, cal),
            Room::Queue => {
                let now = cal.now();
                self.parts[part].queued_at = now;
                let b = &mut self.buffers[buffer as usize];
                if b.index.is_none() {
                    b.push(part, now);
                } else {
                    self.push_by_class(buffer, part, now);
                }
            }
            Room::Full => unreachable!("put is only called with room"),
        }
    }

    /// Puts `part` at the back of the queue of `buffer`, which is indexed.
    #[inline(never)]
    fn push_by_class(&mut self, buffer: u32, part: u32, now: f64) {
        let p = self.parts[part];
        let class = self.routes[p.product as usize][p.step as usize].class;
        self.buffers[buffer as usize].push_class(part, class, now, &mut self.parts);
    }

    /// A free `server` looks for work: the first eligible part of its input
    /// buffer (FIFO), or a new part from a saturated source, else it is starved.
    /// Free means starved, or busy with no part: a server that has just handed
    /// its part on stays busy if it can start the next one at once.
    pub(crate) fn try_pull(&mut self, server: u32, cal: &mut EventCalendar<Event>) {
        let s = &self.servers[server as usize];
        let free =
            s.state == ServerState::Starved || (s.state == ServerState::Busy && s.part == NONE);
        if !free {
            return;
        }
        let station = s.station;
        let st = &self.stations[station as usize];
        let input = st.input;
        let now = cal.now();
        let taken = if st.plain {
            let b = &mut self.buffers[input as usize];
            (!b.queue.is_empty()).then(|| b.take(0, now))
        } else {
            match self.pick(server, station, input, cal) {
                Some(found) => found.map(|(position, part)| self.take(input, position, part, now)),
                // A user rule failed: nothing more happens.
                None => return,
            }
        };
        if let Some(part) = taken {
            // The buffer's content is derived from these waits at the horizon.
            self.stations[station as usize].books.waiting_time += now - self.parts[part].queued_at;
            self.start_processing(server, part, cal);
            self.notify_room(input, cal);
        } else if self.c.buffers[input as usize].saturated_by != NONE {
            let table = &self.c.buffers[input as usize];
            let (source, always) = (table.saturated_by as usize, table.saturated_eligible);
            let product = self.c.sources[source].draw_product(&mut self.sources[source]);
            let part = self.parts.create(product);
            if always || self.eligible(part, station) {
                self.release(part, cal.now());
                self.start_processing(server, part, cal);
            } else {
                self.parts.free(part);
                self.set_state(server, ServerState::Starved, cal);
            }
        } else {
            self.set_state(server, ServerState::Starved, cal);
            // An idle server is room too: a part blocked upstream, or held by a
            // blocking source, may come straight onto it.
            self.notify_room(input, cal);
        }
    }

    /// Takes the part chosen at `position` in `buffer` out at `now` (an
    /// indexed buffer finds it by its id) and returns it.
    fn take(&mut self, buffer: u32, position: usize, part: u32, now: f64) -> u32 {
        let b = &mut self.buffers[buffer as usize];
        if b.index.is_none() {
            return b.take(position, now);
        }
        b.take_part(part, now, &mut self.parts);
        part
    }

    /// The queue position and id of the part `server` takes by its station's
    /// rule (`Some(None)`: no waiting part is eligible), or `None` when a user
    /// rule failed, which stops the run. Kept out of [`Line::try_pull`], whose
    /// FIFO fast path is the common case.
    #[inline(never)]
    fn pick(
        &mut self,
        server: u32,
        station: u32,
        input: u32,
        cal: &mut EventCalendar<Event>,
    ) -> Option<Option<(usize, u32)>> {
        if self.stations[station as usize].planned {
            return Some(self.pick_planned(station, input));
        }
        let b = &self.buffers[input as usize];
        Some(match self.stations[station as usize].rule {
            DispatchRule::Fifo if b.single_consumer => b.queue.front().map(|&p| (0, p)),
            // The earliest of the fronts of the classes the station may take:
            // the first eligible part, found without a scan.
            DispatchRule::Fifo if b.index.is_some() => b
                .index
                .as_ref()
                .and_then(|i| {
                    i.first_of(
                        &self.c.stations[station as usize].input_classes,
                        &self.parts,
                    )
                })
                .map(|p| (0, p)),
            DispatchRule::Fifo => b
                .queue
                .iter()
                .enumerate()
                .find(|&(_, &p)| self.eligible(p, station))
                .map(|(i, &p)| (i, p)),
            DispatchRule::User { index } => {
                let chosen = self.choose_by_user(index, server, station, input, cal.now());
                if self.rule_failure.is_some() {
                    cal.clear();
                    return None;
                }
                chosen
            }
            _ => self.choose(server, station, input, cal.now()),
        })
    }

    /// Room appeared in `buffer`: let blocked servers and sources move in, in the
    /// order they started waiting.
    ///
    /// A move can free room further upstream (the server that moved pulls its
    /// next part), which is handled before this buffer's remaining waiters, as a
    /// recursive call would, but from the work list `cascade`: called while the
    /// cascade runs, this only pushes `buffer` on it. The stack depth therefore
    /// stays constant however long the chain of blocked stations is.
    pub(crate) fn notify_room(&mut self, buffer: u32, cal: &mut EventCalendar<Event>) {
        if self.buffers[buffer as usize].waiting == 0 {
            // Nobody waits here: nothing to let in (the common case).
            return;
        }
        self.cascade.push(buffer);
        if self.cascade.len() > 1 {
            return;
        }
        while let Some(&top) = self.cascade.last() {
            if !self.let_one_in(top, cal) {
                self.cascade.pop();
            }
        }
    }

    /// Moves the first waiter of `buffer` whose part has room (in a buffer shared
    /// by several stations, room can depend on the part, so a waiter without room
    /// does not hold up the ones behind it). Returns false if none could move.
    /// What the move sets off may change the waiting list, so the caller starts
    /// over from the front.
    fn let_one_in(&mut self, buffer: u32, cal: &mut EventCalendar<Event>) -> bool {
        let mut i = 0;
        while let Some(&waiter) = self.buffers[buffer as usize].waiters.get(i) {
            let part = self.waiting_part(waiter);
            let room = self.room_for(buffer, part);
            if room == Room::Full {
                if self.buffers[buffer as usize].single_consumer {
                    // Every waiting part has the same room: none behind fits either.
                    return false;
                }
                i += 1;
                continue;
            }
            let b = &mut self.buffers[buffer as usize];
            b.waiters.remove(i);
            b.waiting -= 1;
            self.move_in(waiter, part, buffer, room, cal);
            return true;
        }
        // An indexed buffer keeps its waiters by class.
        self.buffers[buffer as usize].index.is_some() && self.let_one_in_by_class(buffer, cal)
    }

    /// `waiter`, let in, moves its `part` into `buffer`, where it has `room`.
    #[inline(always)]
    fn move_in(
        &mut self,
        waiter: Waiter,
        part: u32,
        buffer: u32,
        room: Room,
        cal: &mut EventCalendar<Event>,
    ) {
        match waiter {
            Waiter::Server(server) => {
                self.servers[server as usize].part = NONE;
                self.set_state(server, ServerState::Starved, cal);
                self.put(part, buffer, room, cal);
                self.try_pull(server, cal);
            }
            Waiter::Source(source) => {
                self.sources[source as usize].held = NONE;
                self.release(part, cal.now());
                self.put(part, buffer, room, cal);
                // An arrivals source resumes; an orders source lets in the
                // parts waiting behind this one.
                self.schedule_arrival(source, cal);
                self.feed_backlog(source, cal);
            }
        }
    }

    /// The part `waiter` holds.
    #[inline]
    fn waiting_part(&self, waiter: Waiter) -> u32 {
        match waiter {
            Waiter::Server(server) => self.servers[server as usize].part,
            Waiter::Source(source) => self.sources[source as usize].held,
        }
    }

    /// [`Line::let_one_in`] in an indexed buffer: the waiters of a class all
    /// have the room of its first (the room of a part depends only on its
    /// class), so the first waiter with room is the earliest of the first
    /// waiters of the classes with room: O(classes), not O(waiters). When a
    /// consumer keeps a planned sequence, room depends on the part, and each
    /// class is read up to its first waiter with room.
    #[inline(never)]
    fn let_one_in_by_class(&mut self, buffer: u32, cal: &mut EventCalendar<Event>) -> bool {
        let b = &self.buffers[buffer as usize];
        let index = b.index.as_deref().expect("an indexed buffer");
        let by_part = b
            .consumers
            .iter()
            .any(|&s| self.stations[s as usize].planned);
        let mut best: Option<(u64, usize, usize, Room)> = None;
        for (class, waiters) in index.waiters.iter().enumerate() {
            for (position, &(ticket, waiter)) in waiters.iter().enumerate() {
                if best.is_some_and(|(earliest, ..)| earliest < ticket) {
                    break;
                }
                let room = self.room_for(buffer, self.waiting_part(waiter));
                if room != Room::Full {
                    best = Some((ticket, class, position, room));
                    break;
                }
                if !by_part {
                    break;
                }
            }
        }
        let Some((_, class, position, room)) = best else {
            return false;
        };
        let (_, waiter) = index.waiters[class][position];
        let part = self.waiting_part(waiter);
        let b = &mut self.buffers[buffer as usize];
        b.index.as_deref_mut().expect("an indexed buffer").waiters[class].remove(position);
        b.waiting -= 1;
        self.move_in(waiter, part, buffer, room, cal);
        true
    }

    /// The finished part on `server` moves on: to the next step's buffer, or to
    /// its sink. If the buffer is full the server is blocked.
    pub(crate) fn push_finished(&mut self, server: u32, cal: &mut EventCalendar<Event>) {
        let part = self.servers[server as usize].part;
        let (product, step) = (self.parts[part].product, self.parts[part].step);
        let route = &self.routes[product as usize];
        if step as usize == route.len() {
            let now = cal.now();
            self.books
                .complete(product, now - self.parts[part].released);
            self.leave(part, true, cal);
            self.servers[server as usize].part = NONE;
            self.try_pull(server, cal);
            return;
        }
        let (buffer, class) = (route[step as usize].buffer, route[step as usize].class);
        let room = self.room_for(buffer, part);
        if room != Room::Full {
            self.servers[server as usize].part = NONE;
            self.put(part, buffer, room, cal);
            self.try_pull(server, cal);
        } else {
            self.set_state(server, ServerState::Blocked, cal);
            self.buffers[buffer as usize].wait(Waiter::Server(server), class);
        }
    }

    /// A server finished its operation: the part is scrapped or moves on.
    pub(crate) fn on_completion(
        &mut self,
        server: u32,
        generation: u32,
        cal: &mut EventCalendar<Event>,
    ) {
        let s = &self.servers[server as usize];
        if s.generation != generation || s.state != ServerState::Busy {
            return;
        }
        let part = s.part;
        let station = s.station as usize;
        let product = self.parts[part].product as usize;
        let st = &self.stations[station];
        if st.special_end {
            self.on_special_completion(server, part, station, product, cal);
            return;
        }
        let nominal = st.planned_run_time[product];
        self.finish_operation(server, part, station, nominal, NONE, cal);
    }

    /// [`Line::on_completion`] at a station where steps give their own times,
    /// an execution records the operation, or wear units age by use.
    #[inline(never)]
    fn on_special_completion(
        &mut self,
        server: u32,
        part: u32,
        station: usize,
        product: usize,
        cal: &mut EventCalendar<Event>,
    ) {
        let st = &self.stations[station];
        let nominal = if st.step_times {
            self.plan_end(part, cal.now());
            self.c.spec.stations[station]
                .planned_run_time(product)
                .unwrap_or_else(|| self.nominal(station as u32, part))
        } else {
            st.planned_run_time[product]
        };
        let failed = if self.stations[station].wears_by_use {
            self.wear_by_operation(server)
        } else {
            NONE
        };
        self.finish_operation(server, part, station, nominal, failed, cal);
        self.after_operation(cal);
    }

    /// The books of a finished operation, then its part is scrapped or moves
    /// on. When a wear unit `failed` with the operation (`NONE`: none), a
    /// good part stays on the server until the repair.
    #[inline(always)]
    fn finish_operation(
        &mut self,
        server: u32,
        part: u32,
        station: usize,
        nominal: f64,
        failed: u32,
        cal: &mut EventCalendar<Event>,
    ) {
        let state = &mut self.stations[station];
        state.books.operations += 1;
        state.books.nominal_time += nominal;
        if state.scrap > 0.0 && state.scrap_stream.uniform01() < state.scrap {
            state.books.scrapped += 1;
            self.books.scrapped += 1;
            let replan = self.plan.is_some() && self.plan_scrapped(part);
            self.leave(part, false, cal);
            self.servers[server as usize].part = NONE;
            if failed == NONE {
                self.try_pull(server, cal);
            } else {
                self.set_state(server, ServerState::Starved, cal);
                self.fail_after_operation(failed, false, cal);
            }
            if replan {
                self.wake_starved(cal);
            }
            return;
        }
        self.parts[part].step += 1;
        if failed == NONE {
            self.push_finished(server, cal);
        } else {
            self.fail_after_operation(failed, true, cal);
        }
    }

    /// A source of kind arrivals releases a part, or holds or loses it when the
    /// first buffer is full.
    pub(crate) fn on_arrival(&mut self, source: u32, cal: &mut EventCalendar<Event>) {
        let s = source as usize;
        let product = self.c.sources[s].draw_product(&mut self.sources[s]);
        let part = self.parts.create(product);
        let first = &self.routes[product as usize][0];
        let (buffer, class) = (first.buffer, first.class);
        let room = self.room_for(buffer, part);
        if room != Room::Full {
            self.release(part, cal.now());
            self.put(part, buffer, room, cal);
            if self.books.in_system > MAX_WIP {
                // An unstable line: stop before memory runs out.
                self.wip_overflow = Some(cal.now());
                cal.clear();
                return;
            }
            self.schedule_arrival(source, cal);
            return;
        }
        match self.c.sources[s].when_full {
            WhenFull::Lose => {
                self.books.lost += 1;
                self.parts.free(part);
                self.schedule_arrival(source, cal);
            }
            WhenFull::Block => {
                self.sources[s].held = part;
                self.buffers[buffer as usize].wait(Waiter::Source(source), class);
            }
        }
    }
}
