//! The simulation loop: a model handles events popped from its calendar.

use crate::EventCalendar;

/// A discrete-event model: owns its state and reacts to its own events.
///
/// The loop in [`Simulation::run_until`] is generic over the model, so `handle`
/// is a static call that the compiler can inline.
pub trait Model {
    /// The model's event type: small and `Copy` (no allocation per event).
    type Event: Copy;

    /// Handles `event` at time `now`, scheduling follow-up events on `calendar`.
    fn handle(&mut self, now: f64, event: Self::Event, calendar: &mut EventCalendar<Self::Event>);
}

/// A model together with its event calendar.
#[derive(Debug)]
pub struct Simulation<M: Model> {
    /// The model being simulated.
    pub model: M,
    /// Its pending events.
    pub calendar: EventCalendar<M::Event>,
}

impl<M: Model> Simulation<M> {
    /// Wraps `model` with an empty calendar at time 0.
    pub fn new(model: M) -> Self {
        Self {
            model,
            calendar: EventCalendar::new(),
        }
    }

    /// Handles every event with time `<= horizon`, then sets the clock to `horizon`.
    ///
    /// Returns the number of events handled. Cost: `O(log n)` per event for the
    /// calendar plus the model's own work.
    pub fn run_until(&mut self, horizon: f64) -> u64 {
        let mut handled = 0;
        while let Some(time) = self.calendar.peek_time() {
            if time > horizon {
                break;
            }
            let (now, event) = self.calendar.pop().expect("peeked event exists");
            self.model.handle(now, event, &mut self.calendar);
            handled += 1;
        }
        self.calendar.advance_to(horizon);
        handled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A clock that ticks every `period` and counts its ticks.
    struct Ticker {
        period: f64,
        ticks: u32,
    }

    impl Model for Ticker {
        type Event = ();
        fn handle(&mut self, _now: f64, _event: (), calendar: &mut EventCalendar<()>) {
            self.ticks += 1;
            calendar.schedule(self.period, ());
        }
    }

    #[test]
    fn run_until_handles_events_up_to_and_including_horizon() {
        let mut sim = Simulation::new(Ticker {
            period: 0.5,
            ticks: 0,
        });
        sim.calendar.schedule(0.5, ());
        let handled = sim.run_until(10.0);
        assert_eq!(handled, 20);
        assert_eq!(sim.model.ticks, 20);
        assert_eq!(sim.calendar.now(), 10.0);
    }
}
