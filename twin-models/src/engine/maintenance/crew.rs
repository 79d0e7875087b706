//! Maintenance crews: technicians shared by wear modes, the queue of jobs
//! waiting for one, the rule that picks the next, and the crew's books.

use sim_core::{Distribution, RandomStream, StreamKey};

use super::Kind;
use crate::line::{CrewRule, CrewSpec};

/// A crew's fixed description.
#[derive(Debug)]
pub(crate) struct CrewTable {
    pub(crate) technicians: u32,
    pub(crate) response: Option<Distribution>,
    pub(crate) rule: CrewRule,
    pub(crate) key: StreamKey,
}

impl CrewTable {
    pub(crate) fn new(spec: &CrewSpec) -> Self {
        Self {
            technicians: spec.technicians,
            response: spec.response.clone(),
            rule: spec.rule,
            key: StreamKey::new("crew-response", &spec.name, 0),
        }
    }
}

/// What a crew did during the period.
#[derive(Clone, Debug, Default)]
pub(crate) struct CrewBooks {
    /// Technician time assigned to jobs (travel included).
    pub(crate) busy_time: f64,
    /// Jobs a technician took.
    pub(crate) jobs: u64,
}

/// A crew's state in one replication.
#[derive(Debug)]
pub(crate) struct Crew {
    pub(crate) free: u32,
    technicians: u32,
    /// Units waiting for a technician, in request order.
    pub(crate) queue: Vec<u32>,
    pub(crate) response_stream: RandomStream,
    /// When the number of busy technicians last changed.
    pub(crate) since: f64,
    pub(crate) books: CrewBooks,
}

impl Crew {
    pub(crate) fn new(table: &CrewTable, response_stream: RandomStream) -> Self {
        Self {
            free: table.technicians,
            technicians: table.technicians,
            queue: Vec::new(),
            response_stream,
            since: 0.0,
            books: CrewBooks::default(),
        }
    }

    fn account(&mut self, now: f64) {
        self.books.busy_time += f64::from(self.technicians - self.free) * (now - self.since);
        self.since = now;
    }

    /// A technician takes a job.
    pub(crate) fn take(&mut self, now: f64) {
        self.account(now);
        self.free -= 1;
        self.books.jobs += 1;
    }

    /// A technician is free again.
    pub(crate) fn give_back(&mut self, now: f64) {
        self.account(now);
        self.free += 1;
    }

    /// Closes the books at the horizon.
    pub(crate) fn close(&mut self, horizon: f64) {
        self.account(horizon);
    }
}

/// The position of the job `rule` takes among waiting jobs given by
/// `(priority, kind, request time)` in request order; ties go to the earliest
/// request.
pub(crate) fn pick(rule: CrewRule, jobs: impl Iterator<Item = (f64, Kind, f64)>) -> Option<usize> {
    let rank = |kind: Kind| match kind {
        Kind::Repair => 0,
        Kind::Preventive | Kind::Inspection => 1,
    };
    let mut best: Option<(usize, (f64, i32, f64))> = None;
    for (i, (priority, kind, requested)) in jobs.enumerate() {
        // Smaller is first.
        let key = match rule {
            CrewRule::Fifo => (0.0, 0, requested),
            CrewRule::CorrectiveFirst => (0.0, rank(kind), requested),
            CrewRule::Priority => (-priority, rank(kind), requested),
        };
        if best.is_none_or(|(_, b)| key.partial_cmp(&b) == Some(std::cmp::Ordering::Less)) {
            best = Some((i, key));
        }
    }
    best.map(|(i, _)| i)
}
