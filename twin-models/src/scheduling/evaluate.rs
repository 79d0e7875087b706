//! The deterministic evaluator (semi-active schedule of a sequence) and the feasibility
//! checker of a timed schedule.

use super::instance::Instance;
use super::schedule::{OperationRef, Schedule, ScheduleTimes};

/// What makes a schedule infeasible, naming the operations and machines involved (all
/// 0-based).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Violation {
    /// The schedule has more machines than the instance.
    #[error("the schedule has {schedule} machines, the instance {instance}")]
    MachineCount {
        /// Machines in the schedule.
        schedule: usize,
        /// Machines in the instance.
        instance: usize,
    },
    /// An operation the instance does not have.
    #[error("job {} operation {} does not exist in the instance (machine {machine})", .op.job, .op.operation)]
    UnknownOperation {
        /// The operation as written.
        op: OperationRef,
        /// The machine it was listed under.
        machine: usize,
    },
    /// An operation the schedule does not list.
    #[error("job {} operation {} is missing from the schedule", .op.job, .op.operation)]
    Missing {
        /// The operation.
        op: OperationRef,
    },
    /// An operation listed more than once.
    #[error("job {} operation {} is scheduled twice (machines {first} and {second})", .op.job, .op.operation)]
    Duplicated {
        /// The operation.
        op: OperationRef,
        /// The machine of its first appearance.
        first: usize,
        /// The machine of its second appearance.
        second: usize,
    },
    /// An operation on a machine it cannot run on.
    #[error("job {} operation {} cannot run on machine {machine}", .op.job, .op.operation)]
    NotEligible {
        /// The operation.
        op: OperationRef,
        /// The machine it was put on.
        machine: usize,
    },
    /// The machine sequences contradict the job orders: operations wait on each other in a
    /// cycle, so no start times exist.
    #[error(
        "the machine sequences contradict the job orders: job {} operation {} (machine {machine}) waits in a cycle",
        .op.job, .op.operation
    )]
    Cycle {
        /// An operation on the cycle or behind it.
        op: OperationRef,
        /// Its machine.
        machine: usize,
    },
    /// An operation that starts before its job's previous operation ends.
    #[error(
        "precedence: job {} operation {} starts at {start}, before operation {} of the job ends at {previous_end}",
        .op.job, .op.operation, .op.operation - 1
    )]
    Precedence {
        /// The operation that starts too early.
        op: OperationRef,
        /// Its start.
        start: u64,
        /// The end of the job's previous operation.
        previous_end: u64,
    },
    /// Two operations that overlap on a machine (in sequence order).
    #[error(
        "machine overlap on machine {machine}: job {} operation {} starts at {start}, before job {} operation {} ends at {previous_end}",
        .op.job, .op.operation, .previous.job, .previous.operation
    )]
    Overlap {
        /// The machine.
        machine: usize,
        /// The operation that runs earlier in the sequence.
        previous: OperationRef,
        /// Its end.
        previous_end: u64,
        /// The operation that starts too early.
        op: OperationRef,
        /// Its start.
        start: u64,
    },
}

const NONE: u32 = u32::MAX;

/// The semi-active schedule of a sequence: every operation starts as soon as its job's
/// previous operation and its machine's previous operation have ended.
///
/// The evaluator keeps its work vectors between calls, so evaluating many schedules of one
/// instance (as local search does) allocates nothing after the first call.
///
/// # Complexity
///
/// O(operations + alternatives looked at): the precedence graph (job arcs and machine arcs)
/// is traversed once in topological order (Kahn's algorithm).
///
/// # Examples
///
/// ```
/// use twin_models::scheduling::{Evaluator, Instance, OperationRef, Schedule};
///
/// let shop = Instance::job_shop("tiny", 2, &[vec![(0, 3), (1, 2)], vec![(1, 4), (0, 1)]])?;
/// let op = |job, operation| OperationRef { job, operation };
/// let schedule = Schedule { machines: vec![vec![op(0, 0), op(1, 1)], vec![op(1, 0), op(0, 1)]] };
/// let mut evaluator = Evaluator::new(&shop);
/// // Machine 1 runs job 1 (0..4) then job 0 (4..6); machine 0 runs job 0 (0..3) then job 1 (4..5).
/// assert_eq!(evaluator.evaluate(&schedule), Ok(6));
/// # Ok::<(), twin_models::scheduling::InstanceError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Evaluator<'a> {
    instance: &'a Instance,
    start: Vec<u64>,
    end: Vec<u64>,
    duration: Vec<u64>,
    machine: Vec<u32>,
    next_on_machine: Vec<u32>,
    waiting: Vec<u32>,
    ready: Vec<u32>,
}

impl<'a> Evaluator<'a> {
    /// An evaluator for `instance`, with its work vectors allocated.
    pub fn new(instance: &'a Instance) -> Self {
        let n = instance.operations();
        Self {
            instance,
            start: vec![0; n],
            end: vec![0; n],
            duration: vec![0; n],
            machine: vec![NONE; n],
            next_on_machine: vec![NONE; n],
            waiting: vec![0; n],
            ready: Vec::with_capacity(n),
        }
    }

    fn op_ref(&self, op: usize) -> OperationRef {
        let job = self.instance.job_of(op);
        OperationRef {
            job,
            operation: op - self.instance.job_operations(job).start,
        }
    }

    /// Evaluates `schedule` and returns its makespan; [`Evaluator::start`] and
    /// [`Evaluator::end`] then give every operation's times.
    ///
    /// # Errors
    ///
    /// The first [`Violation`] found: an unknown, missing, duplicated or ineligible operation,
    /// or a cycle between the machine sequences and the job orders.
    pub fn evaluate(&mut self, schedule: &Schedule) -> Result<u64, Violation> {
        let instance = self.instance;
        if schedule.machines.len() > instance.machines() {
            return Err(Violation::MachineCount {
                schedule: schedule.machines.len(),
                instance: instance.machines(),
            });
        }
        self.machine.fill(NONE);
        self.next_on_machine.fill(NONE);
        self.waiting.fill(0);
        for (machine, sequence) in schedule.machines.iter().enumerate() {
            let mut previous = NONE;
            for &op_ref in sequence {
                let op = instance.operation_id(op_ref.job, op_ref.operation).ok_or(
                    Violation::UnknownOperation {
                        op: op_ref,
                        machine,
                    },
                )?;
                if self.machine[op] != NONE {
                    return Err(Violation::Duplicated {
                        op: op_ref,
                        first: self.machine[op] as usize,
                        second: machine,
                    });
                }
                self.duration[op] =
                    instance
                        .time_on(op, machine)
                        .ok_or(Violation::NotEligible {
                            op: op_ref,
                            machine,
                        })?;
                self.machine[op] = machine as u32;
                if previous != NONE {
                    self.next_on_machine[previous as usize] = op as u32;
                    self.waiting[op] += 1;
                }
                previous = op as u32;
            }
        }
        self.ready.clear();
        for job in 0..instance.jobs() {
            let ops = instance.job_operations(job);
            for op in ops.clone() {
                if self.machine[op] == NONE {
                    return Err(Violation::Missing {
                        op: self.op_ref(op),
                    });
                }
                if op > ops.start {
                    self.waiting[op] += 1;
                }
                self.start[op] = 0;
                if self.waiting[op] == 0 {
                    self.ready.push(op as u32);
                }
            }
        }
        let mut done = 0;
        let mut makespan = 0;
        while let Some(op) = self.ready.pop() {
            let op = op as usize;
            done += 1;
            let end = self.start[op] + self.duration[op];
            self.end[op] = end;
            makespan = makespan.max(end);
            let job_next = op + 1;
            if job_next < instance.operations() && instance.job_of(job_next) == instance.job_of(op)
            {
                self.release(job_next, end);
            }
            let machine_next = self.next_on_machine[op];
            if machine_next != NONE {
                self.release(machine_next as usize, end);
            }
        }
        if done < instance.operations() {
            let op = (0..instance.operations())
                .find(|&o| self.waiting[o] > 0)
                .unwrap_or(0);
            return Err(Violation::Cycle {
                op: self.op_ref(op),
                machine: self.machine[op] as usize,
            });
        }
        Ok(makespan)
    }

    #[inline]
    fn release(&mut self, op: usize, at: u64) {
        self.start[op] = self.start[op].max(at);
        self.waiting[op] -= 1;
        if self.waiting[op] == 0 {
            self.ready.push(op as u32);
        }
    }

    /// The start of every operation (by global id) in the last schedule evaluated.
    pub fn start(&self) -> &[u64] {
        &self.start
    }

    /// The end of every operation (by global id) in the last schedule evaluated.
    pub fn end(&self) -> &[u64] {
        &self.end
    }

    /// The machine of every operation (by global id) in the last schedule evaluated.
    pub fn machine_of(&self, op: usize) -> usize {
        self.machine[op] as usize
    }

    /// `(start, end)` per machine and position of `schedule` (the last one evaluated), as
    /// [`Schedule::to_csv`] writes them.
    pub fn times_by_machine(&self, schedule: &Schedule) -> Vec<Vec<(u64, u64)>> {
        schedule
            .machines
            .iter()
            .map(|sequence| {
                sequence
                    .iter()
                    .map(|o| {
                        let op = self.instance.operation_id(o.job, o.operation).unwrap_or(0);
                        (self.start[op], self.end[op])
                    })
                    .collect()
            })
            .collect()
    }
}

/// Checks a schedule with given start times and returns every violation found (empty: the
/// schedule is feasible), and its makespan if it is feasible.
///
/// Checked: every operation listed exactly once on an eligible machine, each operation
/// starting no earlier than its job's previous operation ends (precedence), and on each
/// machine each operation starting no earlier than the one before it in the sequence ends
/// (no overlap; the sequence is the order of the starts).
///
/// # Complexity
///
/// O(operations).
pub fn check(
    instance: &Instance,
    schedule: &Schedule,
    times: &ScheduleTimes,
) -> Result<u64, Vec<Violation>> {
    let mut violations = Vec::new();
    if schedule.machines.len() > instance.machines() {
        violations.push(Violation::MachineCount {
            schedule: schedule.machines.len(),
            instance: instance.machines(),
        });
        return Err(violations);
    }
    let n = instance.operations();
    let mut placed: Vec<Option<(usize, u64, u64)>> = vec![None; n];
    for (machine, sequence) in schedule.machines.iter().enumerate() {
        let starts = times.start.get(machine).map_or(&[][..], Vec::as_slice);
        let mut previous: Option<(OperationRef, u64)> = None;
        for (position, &op_ref) in sequence.iter().enumerate() {
            let start = starts.get(position).copied().unwrap_or(0);
            let Some(op) = instance.operation_id(op_ref.job, op_ref.operation) else {
                violations.push(Violation::UnknownOperation {
                    op: op_ref,
                    machine,
                });
                continue;
            };
            let Some(duration) = instance.time_on(op, machine) else {
                violations.push(Violation::NotEligible {
                    op: op_ref,
                    machine,
                });
                continue;
            };
            if let Some((first, _, _)) = placed[op] {
                violations.push(Violation::Duplicated {
                    op: op_ref,
                    first,
                    second: machine,
                });
                continue;
            }
            let end = start + duration;
            placed[op] = Some((machine, start, end));
            if let Some((prev, prev_end)) = previous.filter(|p| start < p.1) {
                violations.push(Violation::Overlap {
                    machine,
                    previous: prev,
                    previous_end: prev_end,
                    op: op_ref,
                    start,
                });
            }
            previous = Some((op_ref, end));
        }
    }
    let mut makespan = 0;
    for job in 0..instance.jobs() {
        let mut previous_end = None;
        for (index, op) in instance.job_operations(job).enumerate() {
            let op_ref = OperationRef {
                job,
                operation: index,
            };
            match placed[op] {
                None => {
                    violations.push(Violation::Missing { op: op_ref });
                    previous_end = None;
                }
                Some((_, start, end)) => {
                    if let Some(previous_end) = previous_end.filter(|&e| start < e) {
                        violations.push(Violation::Precedence {
                            op: op_ref,
                            start,
                            previous_end,
                        });
                    }
                    makespan = makespan.max(end);
                    previous_end = Some(end);
                }
            }
        }
    }
    if violations.is_empty() {
        Ok(makespan)
    } else {
        Err(violations)
    }
}
