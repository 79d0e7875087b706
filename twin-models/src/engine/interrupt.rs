//! Interruptions of a server: a failure or maintenance stops whatever it is
//! doing (an operation is paused, a blocked part stops waiting) and the end of
//! the repair or the work resumes it (or restarts the operation).

use sim_core::EventCalendar;

use super::buffer::Waiter;
use super::build::Line;
use super::event::Event;
use super::failure::Owner;
use super::part::NONE;
use super::server::HOLD_FAILURE;
use crate::line::ServerState;

impl Line<'_> {
    /// A clock ran out: a failure mode's failure (its server goes down until
    /// the repair), or a wear unit's event.
    pub(crate) fn on_failure(
        &mut self,
        clock: u32,
        generation: u32,
        cal: &mut EventCalendar<Event>,
    ) {
        let c = &self.clocks[clock as usize];
        if c.generation != generation {
            return;
        }
        let server = c.server;
        let table = &self.c.clocks[clock as usize];
        let Owner::Mode { ttf, ttr, .. } = &table.owner else {
            let Owner::Unit(unit) = table.owner else {
                unreachable!()
            };
            self.on_unit_clock(clock, unit, cal);
            return;
        };
        self.interrupt(server, None, cal.now());
        self.servers[server as usize].hold = HOLD_FAILURE;
        let station = self.servers[server as usize].station as usize;
        self.stations[station].books.failures += 1;
        self.set_state(server, ServerState::Down, cal);
        let c = &mut self.clocks[clock as usize];
        c.remaining = ttf.sample(&mut c.ttf_stream);
        cal.schedule(ttr.sample(&mut c.ttr_stream), Event::Repair { clock });
        self.on_failure_replan(cal);
    }

    /// Stops what `server` is doing before it goes down or under work (the
    /// caller sets the new state): an operation or a setup is paused, a
    /// blocked part stops waiting. With `restart`, the unit whose stop this is
    /// will have the operation start over.
    pub(crate) fn interrupt(&mut self, server: u32, restart: Option<u32>, now: f64) {
        let s = &mut self.servers[server as usize];
        s.resume = s.state;
        match s.state {
            ServerState::Busy | ServerState::Setup => {
                s.remaining = s.due - now;
                s.generation = s.generation.wrapping_add(1);
                if s.state == ServerState::Busy
                    && s.part != NONE
                    && let Some(unit) = restart
                {
                    s.restart = unit;
                }
            }
            ServerState::Blocked => {
                let p = self.parts[s.part];
                let buffer = self.routes[p.product as usize][p.step as usize].buffer;
                self.buffers[buffer as usize].unwait(Waiter::Server(server));
            }
            _ => {}
        }
    }

    /// A repair is done: the server resumes what the failure interrupted
    /// (unless a technician waits on site to work on it).
    pub(crate) fn on_repair(&mut self, clock: u32, cal: &mut EventCalendar<Event>) {
        let server = self.clocks[clock as usize].server;
        if self.servers[server as usize].units.0 == self.servers[server as usize].units.1 {
            self.servers[server as usize].hold = NONE;
            self.resume(server, cal);
        } else {
            self.release_server(server, cal);
        }
    }

    /// The server goes back to what it did when it was stopped.
    pub(crate) fn resume(&mut self, server: u32, cal: &mut EventCalendar<Event>) {
        if self.servers[server as usize].restart != NONE {
            self.redraw_operation(server);
        }
        let s = &mut self.servers[server as usize];
        match s.resume {
            ServerState::Busy => {
                s.due = cal.now() + s.remaining;
                cal.schedule(
                    s.remaining,
                    Event::Completion {
                        server,
                        generation: s.generation,
                    },
                );
                self.set_state(server, ServerState::Busy, cal);
            }
            ServerState::Setup => {
                // The setup resumes where the failure stopped it.
                s.due = cal.now() + s.remaining;
                cal.schedule(
                    s.remaining,
                    Event::SetupEnd {
                        server,
                        generation: s.generation,
                    },
                );
                self.set_state(server, ServerState::Setup, cal);
            }
            ServerState::Blocked => {
                // Back up, it tries again to hand its part on (at the back of the line).
                self.set_state(server, ServerState::Starved, cal);
                self.push_finished(server, cal);
            }
            _ => {
                self.set_state(server, ServerState::Starved, cal);
                self.try_pull(server, cal);
            }
        }
    }

    /// The mean time a stopped server needs to be back: the longest mean
    /// repair of its failure modes, or the mean duration of its unit's work.
    pub(crate) fn mean_repair(&self, server: u32) -> f64 {
        let s = &self.servers[server as usize];
        let modes = (s.clocks.0..s.clocks.1)
            .filter_map(|c| match &self.c.clocks[c as usize].owner {
                Owner::Mode { ttr, .. } => Some(ttr.mean()),
                Owner::Unit(_) => None,
            })
            .fold(0.0, f64::max);
        if s.hold == HOLD_FAILURE || s.hold == NONE {
            return modes;
        }
        self.mean_work(s.hold)
    }

    /// The interrupted operation on `server` starts over: a new processing
    /// time, drawn from the stream of the unit that interrupted it.
    #[cold]
    fn redraw_operation(&mut self, server: u32) {
        let s = &self.servers[server as usize];
        let (unit, part, station) = (s.restart, s.part, s.station as usize);
        let p = self.parts[part];
        let product = p.product as usize;
        let distribution = self.routes[product][p.step as usize]
            .processing
            .as_ref()
            .map(|(d, _)| d)
            .or(self.stations[station].processing[product].as_ref());
        let stream = &mut self.units[unit as usize].restart_stream;
        let duration = distribution.map_or(0.0, |d| d.sample(stream));
        let s = &mut self.servers[server as usize];
        s.remaining = duration;
        s.restart = NONE;
    }
}
