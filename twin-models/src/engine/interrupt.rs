//! Interruptions of a server: a failure stops whatever it is doing (an operation
//! is paused, a blocked part stops waiting) and the repair resumes it.

use sim_core::EventCalendar;

use super::buffer::Waiter;
use super::build::Line;
use super::event::Event;
use crate::line::ServerState;

impl Line<'_> {
    /// A failure clock ran out: its server goes down until the repair. An
    /// operation or a setup is paused, a blocked part stops waiting.
    pub(crate) fn on_failure(
        &mut self,
        clock: u32,
        generation: u32,
        cal: &mut EventCalendar<Event>,
    ) {
        let now = cal.now();
        let c = &self.clocks[clock as usize];
        if c.generation != generation {
            return;
        }
        let server = c.server;
        let s = &mut self.servers[server as usize];
        s.resume = s.state;
        match s.state {
            ServerState::Busy | ServerState::Setup => {
                s.remaining = s.due - now;
                s.generation = s.generation.wrapping_add(1);
            }
            ServerState::Blocked => {
                let p = self.parts[s.part];
                let buffer = self.routes[p.product as usize][p.step as usize].buffer;
                self.buffers[buffer as usize].unwait(Waiter::Server(server));
            }
            _ => {}
        }
        let station = self.servers[server as usize].station as usize;
        self.stations[station].books.failures += 1;
        self.set_state(server, ServerState::Down, cal);
        let table = &self.c.clocks[clock as usize];
        let c = &mut self.clocks[clock as usize];
        c.remaining = table.ttf.sample(&mut c.ttf_stream);
        cal.schedule(table.ttr.sample(&mut c.ttr_stream), Event::Repair { clock });
        self.on_failure_replan(cal);
    }

    /// A repair is done: the server resumes what the failure interrupted.
    pub(crate) fn on_repair(&mut self, clock: u32, cal: &mut EventCalendar<Event>) {
        let server = self.clocks[clock as usize].server;
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
}
