//! Dispatching rules with the active (Giffler–Thompson) and the non-delay schedule-generation
//! schemes, and the machine-assignment rules of the flexible job shop.

use std::fmt;
use std::str::FromStr;

use sim_core::{RandomStream, StreamKey};

use super::instance::Instance;
use super::schedule::{OperationRef, Schedule};

/// A priority rule: which of the operations competing for a machine goes first.
///
/// Remaining work and processing times of a flexible operation count its smallest time over
/// its machines; the processing time the SPT and LPT rules compare is the time on the machine
/// the assignment rule chose. **Ties** go to the lowest job index, for every rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rule {
    /// Shortest processing time first.
    Spt,
    /// Longest processing time first.
    Lpt,
    /// Most work remaining in the job (this operation included) first.
    Mwkr,
    /// Least work remaining in the job (this operation included) first.
    Lwkr,
    /// Most operations remaining in the job (this one included) first.
    Mopnr,
    /// First in, first out: the operation that became ready (its job's previous operation
    /// ended) earliest goes first.
    Fifo,
    /// A uniformly random choice, reproducible from the seed (Xoshiro256++ from sim-core).
    Random {
        /// The seed.
        seed: u64,
    },
}

impl Rule {
    /// Every deterministic rule, in the order the harness reports them.
    pub const DETERMINISTIC: [Rule; 6] = [
        Rule::Spt,
        Rule::Lpt,
        Rule::Mwkr,
        Rule::Lwkr,
        Rule::Mopnr,
        Rule::Fifo,
    ];
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Spt => f.write_str("spt"),
            Rule::Lpt => f.write_str("lpt"),
            Rule::Mwkr => f.write_str("mwkr"),
            Rule::Lwkr => f.write_str("lwkr"),
            Rule::Mopnr => f.write_str("mopnr"),
            Rule::Fifo => f.write_str("fifo"),
            Rule::Random { seed: 0 } => f.write_str("random"),
            Rule::Random { seed } => write!(f, "random:{seed}"),
        }
    }
}

/// A name that is not a rule.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown rule `{0}`: expected spt, lpt, mwkr, lwkr, mopnr, fifo, random or random:SEED")]
pub struct UnknownRule(pub String);

impl FromStr for Rule {
    type Err = UnknownRule;

    /// Reads `spt`, `lpt`, `mwkr`, `lwkr`, `mopnr`, `fifo` (also `fcfs`), `random` (seed 0)
    /// or `random:SEED`, case-insensitive.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        Ok(match lower.as_str() {
            "spt" => Rule::Spt,
            "lpt" => Rule::Lpt,
            "mwkr" => Rule::Mwkr,
            "lwkr" => Rule::Lwkr,
            "mopnr" => Rule::Mopnr,
            "fifo" | "fcfs" => Rule::Fifo,
            "random" => Rule::Random { seed: 0 },
            other => match other.strip_prefix("random:").map(str::parse) {
                Some(Ok(seed)) => Rule::Random { seed },
                _ => return Err(UnknownRule(s.to_owned())),
            },
        })
    }
}

/// The schedule-generation scheme: which operations compete at each step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Giffler–Thompson: find the schedulable operation with the earliest possible end `c*`
    /// (ties: the lowest job) and its machine `m*`; the operations on `m*` that can start
    /// before `c*` compete. Every active schedule can be built this way.
    #[default]
    Active,
    /// Find the earliest possible start `s*`; the operations that can start at `s*` compete
    /// (no machine is left idle while an operation could run on it).
    NonDelay,
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Scheme::Active => "active",
            Scheme::NonDelay => "non-delay",
        })
    }
}

impl FromStr for Scheme {
    type Err = String;

    /// Reads `active` (also `gt`) or `non-delay` (also `nondelay`, `non_delay`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "active" | "gt" => Ok(Scheme::Active),
            "non-delay" | "nondelay" | "non_delay" => Ok(Scheme::NonDelay),
            _ => Err(format!(
                "unknown scheme `{s}`: expected active or non-delay"
            )),
        }
    }
}

/// How a flexible operation picks its machine when it becomes a candidate (job shops have
/// one machine per operation and ignore this).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Assignment {
    /// The machine where the operation would end earliest (ties: the lowest machine).
    #[default]
    EarliestFinish,
    /// The machine with the least processing time assigned so far (ties: earliest end, then
    /// the lowest machine).
    LeastLoaded,
}

impl fmt::Display for Assignment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Assignment::EarliestFinish => "earliest-finish",
            Assignment::LeastLoaded => "least-loaded",
        })
    }
}

impl FromStr for Assignment {
    type Err = String;

    /// Reads `earliest-finish` (also `eft`) or `least-loaded` (also `ll`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "earliest-finish" | "eft" => Ok(Assignment::EarliestFinish),
            "least-loaded" | "ll" => Ok(Assignment::LeastLoaded),
            _ => Err(format!(
                "unknown assignment `{s}`: expected earliest-finish or least-loaded"
            )),
        }
    }
}

/// A dispatching scheduler: a [`Rule`] in a [`Scheme`], with an [`Assignment`] for flexible
/// operations.
///
/// # Complexity
///
/// O(operations × jobs × alternatives per operation) time per schedule: each of the
/// `operations` steps looks at the next operation of every unfinished job. Memory O(jobs +
/// machines) besides the schedule.
///
/// # Examples
///
/// ```
/// use twin_models::scheduling::{Dispatcher, Evaluator, Instance, Rule, Scheme};
///
/// let shop = Instance::job_shop("tiny", 2, &[vec![(0, 3), (1, 2)], vec![(1, 4), (0, 1)]])?;
/// // At time 0 job 0 takes machine 0 (ends 3); then machine 1 is wanted by job 1 (0..4) and
/// // job 0 (3..5). MWKR gives it to job 1 (5 left against 2): makespan 6. SPT would give it
/// // to job 0 (2 against 4), and job 1 would end at 10.
/// let mwkr = Dispatcher::new(Rule::Mwkr, Scheme::Active).build(&shop);
/// assert_eq!(Evaluator::new(&shop).evaluate(&mwkr), Ok(6));
/// let spt = Dispatcher::new(Rule::Spt, Scheme::Active).build(&shop);
/// assert_eq!(Evaluator::new(&shop).evaluate(&spt), Ok(10));
/// # Ok::<(), twin_models::scheduling::InstanceError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Dispatcher {
    /// The priority rule.
    pub rule: Rule,
    /// The generation scheme.
    pub scheme: Scheme,
    /// The machine assignment of flexible operations.
    pub assignment: Assignment,
}

/// One schedulable operation: its job's next one, on the machine chosen for it.
#[derive(Clone, Copy, Debug)]
struct Candidate {
    job: usize,
    op: usize,
    machine: usize,
    time: u64,
    start: u64,
    end: u64,
}

impl Dispatcher {
    /// `rule` in `scheme`, flexible operations assigned by earliest finish.
    pub fn new(rule: Rule, scheme: Scheme) -> Self {
        Self {
            rule,
            scheme,
            assignment: Assignment::default(),
        }
    }

    /// The same dispatcher with another machine assignment.
    pub fn with_assignment(mut self, assignment: Assignment) -> Self {
        self.assignment = assignment;
        self
    }

    /// The name the harness reports, e.g. `spt`, or `spt/least-loaded` when the assignment is
    /// not the default.
    pub fn name(&self) -> String {
        match self.assignment {
            Assignment::EarliestFinish => self.rule.to_string(),
            other => format!("{}/{other}", self.rule),
        }
    }

    /// Builds the schedule of `instance`. Always feasible: operations are taken in job order
    /// and each machine's sequence is the order of their starts.
    pub fn build(&self, instance: &Instance) -> Schedule {
        self.build_from(instance, &PartialState::start(instance))
    }

    /// Builds the schedule of the operations `state` leaves to do: each job from its next
    /// operation on, ready at its ready time, each machine free from its ready time (the state
    /// of a shop in the middle of a schedule, when the rest is planned anew).
    ///
    /// # Panics
    ///
    /// If `state`'s vectors do not have one entry per job and per machine, or a job's next
    /// operation lies outside the job.
    pub fn build_from(&self, instance: &Instance, state: &PartialState) -> Schedule {
        let jobs = instance.jobs();
        assert_eq!(state.next.len(), jobs, "one next operation per job");
        assert_eq!(state.job_ready.len(), jobs, "one ready time per job");
        assert_eq!(
            state.machine_ready.len(),
            instance.machines(),
            "one ready time per machine"
        );
        let mut schedule = Schedule::with_machines(instance.machines());
        for sequence in &mut schedule.machines {
            sequence.reserve(instance.operations() / instance.machines().max(1) + 1);
        }
        // Work from each operation to the end of its job (smallest times), for MWKR/LWKR.
        let mut work_from = vec![0u64; instance.operations()];
        for job in 0..jobs {
            let mut work = 0;
            for op in instance.job_operations(job).rev() {
                work += instance.min_time(op);
                work_from[op] = work;
            }
        }
        let mut next = state.next.clone();
        for (job, &op) in next.iter().enumerate() {
            let ops = instance.job_operations(job);
            assert!(
                ops.start <= op && op <= ops.end,
                "job {job}'s next operation {op} lies outside it"
            );
        }
        let mut job_ready = state.job_ready.clone();
        let mut machine_ready = state.machine_ready.clone();
        let mut machine_load = vec![0u64; instance.machines()];
        let mut unfinished: Vec<usize> = (0..jobs)
            .filter(|&j| next[j] < instance.job_operations(j).end)
            .collect();
        let mut candidates: Vec<Candidate> = Vec::with_capacity(jobs);
        let mut conflict: Vec<usize> = Vec::with_capacity(jobs);
        let mut random = match self.rule {
            Rule::Random { seed } => Some(RandomStream::new(
                seed,
                0,
                StreamKey::new("dispatch", "random", 0),
            )),
            _ => None,
        };
        while !unfinished.is_empty() {
            candidates.clear();
            for &job in &unfinished {
                let op = next[job];
                let ready = job_ready[job];
                let mut best: Option<Candidate> = None;
                for alternative in instance.alternatives(op) {
                    let start = ready.max(machine_ready[alternative.machine]);
                    let candidate = Candidate {
                        job,
                        op,
                        machine: alternative.machine,
                        time: alternative.time,
                        start,
                        end: start + alternative.time,
                    };
                    let better = match best {
                        None => true,
                        Some(b) => match self.assignment {
                            Assignment::EarliestFinish => {
                                (candidate.end, candidate.machine) < (b.end, b.machine)
                            }
                            Assignment::LeastLoaded => {
                                (
                                    machine_load[candidate.machine],
                                    candidate.end,
                                    candidate.machine,
                                ) < (machine_load[b.machine], b.end, b.machine)
                            }
                        },
                    };
                    if better {
                        best = Some(candidate);
                    }
                }
                if let Some(candidate) = best {
                    candidates.push(candidate);
                }
            }
            // `unfinished` is in job order, so the first minimum is the lowest job.
            conflict.clear();
            match self.scheme {
                Scheme::Active => {
                    let Some(first) = candidates.iter().min_by_key(|c| c.end) else {
                        break;
                    };
                    let (machine, end) = (first.machine, first.end);
                    conflict.extend((0..candidates.len()).filter(|&i| {
                        candidates[i].machine == machine && candidates[i].start < end
                    }));
                    // A zero-length operation that cannot start before it ends competes alone.
                    if conflict.is_empty() {
                        conflict.extend((0..candidates.len()).filter(|&i| {
                            candidates[i].machine == machine && candidates[i].end == end
                        }));
                    }
                }
                Scheme::NonDelay => {
                    let Some(start) = candidates.iter().map(|c| c.start).min() else {
                        break;
                    };
                    conflict
                        .extend((0..candidates.len()).filter(|&i| candidates[i].start == start));
                }
            }
            let chosen = match random.as_mut() {
                Some(stream) => {
                    let pick = (stream.uniform01() * conflict.len() as f64) as usize;
                    conflict[pick.min(conflict.len() - 1)]
                }
                None => {
                    let key = |c: &Candidate| -> u64 {
                        let ops_left = (instance.job_operations(c.job).end - c.op) as u64;
                        match self.rule {
                            Rule::Spt => c.time,
                            Rule::Lpt => u64::MAX - c.time,
                            Rule::Mwkr => u64::MAX - work_from[c.op],
                            Rule::Lwkr => work_from[c.op],
                            Rule::Mopnr => u64::MAX - ops_left,
                            Rule::Fifo => job_ready[c.job],
                            Rule::Random { .. } => 0,
                        }
                    };
                    let mut best = conflict[0];
                    let mut best_key = key(&candidates[best]);
                    for &i in &conflict[1..] {
                        let k = key(&candidates[i]);
                        if k < best_key {
                            best = i;
                            best_key = k;
                        }
                    }
                    best
                }
            };
            let c = candidates[chosen];
            machine_ready[c.machine] = c.end;
            machine_load[c.machine] += c.time;
            job_ready[c.job] = c.end;
            schedule.machines[c.machine].push(OperationRef {
                job: c.job,
                operation: c.op - instance.job_operations(c.job).start,
            });
            next[c.job] += 1;
            if next[c.job] == instance.job_operations(c.job).end {
                // `chosen` indexes `candidates`, which is parallel to `unfinished`.
                unfinished.remove(chosen);
            }
        }
        schedule
    }
}

/// Where a shop stands when the rest of its schedule is built: see [`Dispatcher::build_from`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartialState {
    /// Per job, the index (as in [`Instance::alternatives`]) of its first operation not yet
    /// started: the end of its [`Instance::job_operations`] when every one has.
    pub next: Vec<usize>,
    /// Per job, when its next operation can start.
    pub job_ready: Vec<u64>,
    /// Per machine, when it is free.
    pub machine_ready: Vec<u64>,
}

impl PartialState {
    /// The start of a schedule: every job at its first operation, everything ready at 0.
    pub fn start(instance: &Instance) -> Self {
        Self {
            next: (0..instance.jobs())
                .map(|j| instance.job_operations(j).start)
                .collect(),
            job_ready: vec![0; instance.jobs()],
            machine_ready: vec![0; instance.machines()],
        }
    }
}
