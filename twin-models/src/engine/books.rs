//! The books of one replication: counters and accumulators the engine keeps while
//! it runs, restarted at the end of the warm-up and closed at the horizon. The
//! KPI formulas on the closed books are in `kpi.rs`.

use sim_core::{QuantileSketch, Tally, TimeWeighted};

use super::RunOptions;
use super::buffer::BufferBooks;
use super::build::Line;
use crate::kpi::{self, Kpis};
use crate::line::STATES;

/// What a station has done during the period.
#[derive(Clone, Debug, Default)]
pub(crate) struct StationBooks {
    /// Server time in each state over the period, summed over servers at the horizon.
    pub(crate) state_time: [f64; STATES],
    /// Processing completions (good and scrapped).
    pub(crate) operations: u64,
    pub(crate) scrapped: u64,
    /// Failures that started during the period.
    pub(crate) failures: u64,
    /// Setups that started during the period.
    pub(crate) setups: u64,
    /// Parts taken up by a server during the period, and the time they waited
    /// in the station's queue in all (0 for a part that found a server free).
    /// `starts` is derived at the horizon (operations done, plus those still
    /// running, less those already running at the start of the period), which
    /// spares the hot path a counter.
    pub(crate) starts: u64,
    pub(crate) waiting_time: f64,
    /// Operations running at the start of the period.
    pub(crate) running_at_start: u64,
    /// Planned run time of the operations: the sum of their products' mean times.
    pub(crate) nominal_time: f64,
}

/// What the line as a whole has done during the period.
#[derive(Debug)]
pub(crate) struct Books {
    /// End of the warm-up.
    pub(crate) warmup: f64,
    pub(crate) wip: TimeWeighted,
    pub(crate) in_system: u64,
    pub(crate) in_system_at_start: u64,
    pub(crate) released: u64,
    pub(crate) completed: u64,
    pub(crate) scrapped: u64,
    pub(crate) lost: u64,
    /// Per product; the line's lead-time statistics are their merge.
    pub(crate) products: Vec<ProductBooks>,
}

/// The completed parts of one product during the period.
#[derive(Clone, Debug, Default)]
pub(crate) struct ProductBooks {
    pub(crate) lead_time: Tally,
    pub(crate) lead_time_quantiles: QuantileSketch,
}

impl Books {
    pub(crate) fn new(warmup: f64, products: usize) -> Self {
        Self {
            warmup,
            wip: TimeWeighted::new(0.0, 0.0),
            in_system: 0,
            in_system_at_start: 0,
            released: 0,
            completed: 0,
            scrapped: 0,
            lost: 0,
            products: vec![ProductBooks::default(); products],
        }
    }

    /// A part enters the line.
    #[inline]
    pub(crate) fn release(&mut self, now: f64) {
        self.released += 1;
        self.in_system += 1;
        self.wip.set(now, self.in_system as f64);
    }

    /// A part leaves the line (completed or scrapped).
    #[inline]
    pub(crate) fn leave(&mut self, now: f64) {
        self.in_system -= 1;
        self.wip.set(now, self.in_system as f64);
    }

    /// A good part of `product` reaches its sink after `lead_time`.
    #[inline]
    pub(crate) fn complete(&mut self, product: u32, lead_time: f64) {
        let p = &mut self.products[product as usize];
        p.lead_time.add(lead_time);
        p.lead_time_quantiles.add(lead_time);
        self.completed += 1;
    }
}

impl Line<'_> {
    /// End of warm-up: forget everything measured so far.
    pub(crate) fn on_warmup_end(&mut self, now: f64) {
        self.restart_maintenance_books(now);
        for station in &mut self.stations {
            station.books = StationBooks::default();
        }
        for server in &mut self.servers {
            server.since = now;
            server.state_time = [0.0; STATES];
            if server.runs_an_operation() {
                self.stations[server.station as usize]
                    .books
                    .running_at_start += 1;
            }
        }
        let b = &mut self.books;
        b.wip.reset(now);
        b.in_system_at_start = b.in_system;
        b.released = 0;
        b.completed = 0;
        b.scrapped = 0;
        b.lost = 0;
        for product in &mut b.products {
            *product = ProductBooks::default();
        }
        for buffer in &mut self.buffers {
            // The parts waiting now will count their whole wait when taken out;
            // the part of it before the period is not the period's content.
            let before: f64 = buffer
                .iter(&self.parts)
                .map(|p| now - self.parts[p].queued_at)
                .sum();
            buffer.books = BufferBooks {
                area: -before,
                max: buffer.len(),
                full_time: 0.0,
                full_since: now,
            };
        }
    }

    /// Closes the books at the horizon and computes the KPIs.
    pub(crate) fn finish(mut self, options: &RunOptions) -> Kpis {
        let horizon = options.horizon;
        let maintenance = self.close_maintenance_books(horizon);
        for station in &mut self.stations {
            station.books.starts = station.books.operations;
        }
        for server in &mut self.servers {
            server.state_time[server.state.index()] += horizon - server.since;
            let books = &mut self.stations[server.station as usize].books;
            for (total, t) in books.state_time.iter_mut().zip(server.state_time) {
                *total += t;
            }
            if server.runs_an_operation() {
                books.starts += 1;
            }
        }
        for station in &mut self.stations {
            // Every operation running at the start has ended or is still running.
            station.books.starts -= station.books.running_at_start;
        }
        // A buffer's content over the period: the waits its consumers took out
        // of it, plus the parts still waiting up to the horizon (its books hold
        // the correction for the time before the period).
        let mut taken = vec![0.0; self.buffers.len()];
        for station in &self.stations {
            taken[station.input as usize] += station.books.waiting_time;
        }
        let buffers: Vec<BufferBooks> = self
            .buffers
            .iter()
            .zip(taken)
            .map(|(b, taken)| {
                let mut books = b.books.clone();
                books.area += taken;
                for part in b.iter(&self.parts) {
                    books.area += horizon - self.parts[part].queued_at;
                }
                if b.len() == b.capacity {
                    books.full_time += horizon - books.full_since;
                }
                books
            })
            .collect();
        let stations: Vec<StationBooks> = self.stations.into_iter().map(|s| s.books).collect();
        kpi::close(
            &self.c.spec,
            options,
            &stations,
            &buffers,
            &self.orders,
            &self.books,
            &maintenance,
        )
    }
}
