//! Scheduling instances: jobs, their operations in order, and the machines each may run on.

use std::ops::Range;

/// The shop an instance describes; it decides which schedulers apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ShopKind {
    /// Every operation has exactly one machine; each job has its own route.
    JobShop,
    /// Every job visits the same machines in the same order (permutation flow shop).
    FlowShop,
    /// An operation may run on any of several machines, each with its own time.
    FlexibleJobShop,
}

impl ShopKind {
    /// The kind's name as the CLI and the JSON output spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::JobShop => "job shop",
            Self::FlowShop => "flow shop",
            Self::FlexibleJobShop => "flexible job shop",
        }
    }
}

/// One way to run an operation: a machine (0-based) and the processing time there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Alternative {
    /// The machine, 0-based.
    pub machine: usize,
    /// The processing time on that machine, in the instance's time units.
    pub time: u64,
}

/// Errors of [`Instance::new`]: the numbers cannot describe a shop.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InstanceError {
    /// An instance without machines.
    #[error("an instance needs at least one machine")]
    NoMachines,
    /// A job without operations.
    #[error("job {job} has no operations")]
    EmptyJob {
        /// The job, 0-based.
        job: usize,
    },
    /// An operation without a machine to run on.
    #[error("job {job} operation {operation} has no machine to run on")]
    NoAlternative {
        /// The job, 0-based.
        job: usize,
        /// The operation within the job, 0-based.
        operation: usize,
    },
    /// A machine number outside `0..machines`.
    #[error(
        "job {job} operation {operation} names machine {machine}, but the instance has {machines} machines (0-based)"
    )]
    UnknownMachine {
        /// The job, 0-based.
        job: usize,
        /// The operation within the job, 0-based.
        operation: usize,
        /// The offending machine.
        machine: usize,
        /// The number of machines.
        machines: usize,
    },
    /// The same machine listed twice for one operation.
    #[error("job {job} operation {operation} lists machine {machine} twice")]
    RepeatedMachine {
        /// The job, 0-based.
        job: usize,
        /// The operation within the job, 0-based.
        operation: usize,
        /// The repeated machine.
        machine: usize,
    },
    /// A job whose route differs from job 0's in a flow shop.
    #[error("job {job} does not visit the machines in the order of job 0, as a flow shop requires")]
    NotAFlowShop {
        /// The first job whose route differs.
        job: usize,
    },
}

/// A scheduling instance: `jobs` jobs, each a chain of operations that must run in order,
/// each operation on one of its eligible machines, one operation at a time per machine,
/// without preemption. The objective the harness reports is the makespan.
///
/// Operations have global ids `0..operations()`, job by job: job `j`'s operations are
/// [`Instance::job_operations`]`(j)`. The data are flat vectors (offsets into arrays), so
/// evaluators and rules index instead of chasing pointers.
///
/// # Examples
///
/// ```
/// use twin_models::scheduling::{Alternative, Instance, ShopKind};
///
/// // Two jobs on two machines: job 0 runs 3 on machine 0 then 2 on machine 1.
/// let shop = Instance::job_shop("tiny", 2, &[vec![(0, 3), (1, 2)], vec![(1, 4), (0, 1)]])?;
/// assert_eq!(shop.jobs(), 2);
/// assert_eq!(shop.operations(), 4);
/// assert_eq!(shop.alternatives(1), &[Alternative { machine: 1, time: 2 }]);
/// assert_eq!(shop.kind(), ShopKind::JobShop);
/// # Ok::<(), twin_models::scheduling::InstanceError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instance {
    name: String,
    kind: ShopKind,
    machines: usize,
    /// `job_start[j]..job_start[j + 1]` are job `j`'s operation ids.
    job_start: Vec<usize>,
    /// The job of each operation.
    job_of: Vec<usize>,
    /// `alt_start[o]..alt_start[o + 1]` index `alternatives` for operation `o`.
    alt_start: Vec<usize>,
    alternatives: Vec<Alternative>,
}

impl Instance {
    /// An instance of `kind` from `jobs[j][o]` = the alternatives of job `j`'s operation `o`.
    ///
    /// # Errors
    ///
    /// [`InstanceError`] when there is no machine, a job or an operation is empty, a machine is
    /// out of range or repeated within an operation, or (for [`ShopKind::FlowShop`]) the jobs'
    /// routes differ.
    pub fn new(
        name: impl Into<String>,
        kind: ShopKind,
        machines: usize,
        jobs: &[Vec<Vec<Alternative>>],
    ) -> Result<Self, InstanceError> {
        if machines == 0 {
            return Err(InstanceError::NoMachines);
        }
        let operations: usize = jobs.iter().map(Vec::len).sum();
        let mut instance = Self {
            name: name.into(),
            kind,
            machines,
            job_start: Vec::with_capacity(jobs.len() + 1),
            job_of: Vec::with_capacity(operations),
            alt_start: Vec::with_capacity(operations + 1),
            alternatives: Vec::new(),
        };
        instance.job_start.push(0);
        instance.alt_start.push(0);
        let mut seen = vec![usize::MAX; machines];
        for (job, ops) in jobs.iter().enumerate() {
            if ops.is_empty() {
                return Err(InstanceError::EmptyJob { job });
            }
            for (operation, alternatives) in ops.iter().enumerate() {
                if alternatives.is_empty() {
                    return Err(InstanceError::NoAlternative { job, operation });
                }
                let id = instance.job_of.len();
                for alternative in alternatives {
                    let machine = alternative.machine;
                    if machine >= machines {
                        return Err(InstanceError::UnknownMachine {
                            job,
                            operation,
                            machine,
                            machines,
                        });
                    }
                    if seen[machine] == id {
                        return Err(InstanceError::RepeatedMachine {
                            job,
                            operation,
                            machine,
                        });
                    }
                    seen[machine] = id;
                    instance.alternatives.push(*alternative);
                }
                instance.job_of.push(job);
                instance.alt_start.push(instance.alternatives.len());
            }
            instance.job_start.push(instance.job_of.len());
        }
        if kind == ShopKind::FlowShop {
            let route = |j: usize| {
                instance
                    .job_operations(j)
                    .map(|o| instance.alternatives(o).iter().map(|a| a.machine))
            };
            for job in 1..instance.jobs() {
                let same = instance.job_operations(job).len() == instance.job_operations(0).len()
                    && route(job).zip(route(0)).all(|(a, b)| a.eq(b));
                if !same {
                    return Err(InstanceError::NotAFlowShop { job });
                }
            }
        }
        Ok(instance)
    }

    /// A job shop from `jobs[j]` = job `j`'s `(machine, time)` pairs in operation order.
    ///
    /// # Errors
    ///
    /// As [`Instance::new`].
    pub fn job_shop(
        name: impl Into<String>,
        machines: usize,
        jobs: &[Vec<(usize, u64)>],
    ) -> Result<Self, InstanceError> {
        let jobs: Vec<Vec<Vec<Alternative>>> = jobs
            .iter()
            .map(|ops| {
                ops.iter()
                    .map(|&(machine, time)| vec![Alternative { machine, time }])
                    .collect()
            })
            .collect();
        Self::new(name, ShopKind::JobShop, machines, &jobs)
    }

    /// A permutation flow shop from `times[j][k]` = job `j`'s time on machine `k`; every job
    /// visits machines `0, 1, …` in order.
    ///
    /// # Errors
    ///
    /// As [`Instance::new`]; also when the jobs have different numbers of machines.
    pub fn flow_shop(name: impl Into<String>, times: &[Vec<u64>]) -> Result<Self, InstanceError> {
        let machines = times.first().map_or(0, Vec::len);
        let jobs: Vec<Vec<Vec<Alternative>>> = times
            .iter()
            .map(|row| {
                row.iter()
                    .enumerate()
                    .map(|(machine, &time)| vec![Alternative { machine, time }])
                    .collect()
            })
            .collect();
        Self::new(name, ShopKind::FlowShop, machines, &jobs)
    }

    /// The same data seen as a permutation flow shop, if every job has the route of job 0.
    ///
    /// # Errors
    ///
    /// [`InstanceError::NotAFlowShop`] naming the first job whose route differs (flexible
    /// operations never form a flow shop here).
    pub fn into_flow_shop(mut self) -> Result<Self, InstanceError> {
        if self.alternatives.len() != self.operations() {
            return Err(InstanceError::NotAFlowShop { job: 0 });
        }
        for job in 1..self.jobs() {
            let ops = self.job_operations(job);
            let first = self.job_operations(0);
            if ops.len() != first.len()
                || ops
                    .zip(first)
                    .any(|(a, b)| self.alternatives[a].machine != self.alternatives[b].machine)
            {
                return Err(InstanceError::NotAFlowShop { job });
            }
        }
        self.kind = ShopKind::FlowShop;
        Ok(self)
    }

    /// The instance renamed (parsers leave the name empty when the text has none).
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The instance's name (e.g. `ft06`), empty if it has none.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The kind of shop.
    pub fn kind(&self) -> ShopKind {
        self.kind
    }

    /// The number of jobs.
    pub fn jobs(&self) -> usize {
        self.job_start.len() - 1
    }

    /// The number of machines.
    pub fn machines(&self) -> usize {
        self.machines
    }

    /// The number of operations of all jobs.
    pub fn operations(&self) -> usize {
        self.job_of.len()
    }

    /// The global ids of job `job`'s operations, in order.
    ///
    /// # Panics
    ///
    /// If `job >= self.jobs()`.
    pub fn job_operations(&self, job: usize) -> Range<usize> {
        self.job_start[job]..self.job_start[job + 1]
    }

    /// The job of operation `op` (a global id).
    pub fn job_of(&self, op: usize) -> usize {
        self.job_of[op]
    }

    /// The global id of job `job`'s operation `index`, if both exist.
    pub fn operation_id(&self, job: usize, index: usize) -> Option<usize> {
        let range = self.job_start.get(job..=job + 1)?;
        let id = range[0].checked_add(index)?;
        (id < range[1]).then_some(id)
    }

    /// The machines operation `op` may run on, with their times.
    pub fn alternatives(&self, op: usize) -> &[Alternative] {
        &self.alternatives[self.alt_start[op]..self.alt_start[op + 1]]
    }

    /// Operation `op`'s time on `machine`, or `None` if it cannot run there.
    pub fn time_on(&self, op: usize, machine: usize) -> Option<u64> {
        self.alternatives(op)
            .iter()
            .find(|a| a.machine == machine)
            .map(|a| a.time)
    }

    /// The smallest processing time of operation `op` over its machines.
    pub fn min_time(&self, op: usize) -> u64 {
        self.alternatives(op)
            .iter()
            .map(|a| a.time)
            .min()
            .unwrap_or(0)
    }

    /// The most operations a job has.
    pub fn max_operations_per_job(&self) -> usize {
        (0..self.jobs())
            .map(|j| self.job_operations(j).len())
            .max()
            .unwrap_or(0)
    }

    /// The instance in its standard text format: the job-shop text format (`n m`, then per
    /// job `machine time` pairs, 0-based) for job and flow shops; the Brandimarte format
    /// (`n m`, then per job the operation count and per operation `k` then `k` pairs, machines
    /// 1-based) for flexible job shops. The readers read it back to an equal instance (the
    /// name aside); the job-shop format needs every job to have one operation per machine.
    pub fn to_text(&self) -> String {
        let mut out = format!("{} {}\n", self.jobs(), self.machines);
        for job in 0..self.jobs() {
            let mut fields: Vec<String> = Vec::new();
            if self.kind == ShopKind::FlexibleJobShop {
                fields.push(self.job_operations(job).len().to_string());
            }
            for op in self.job_operations(job) {
                let alternatives = self.alternatives(op);
                if self.kind == ShopKind::FlexibleJobShop {
                    fields.push(alternatives.len().to_string());
                    for a in alternatives {
                        fields.push((a.machine + 1).to_string());
                        fields.push(a.time.to_string());
                    }
                } else {
                    for a in alternatives {
                        fields.push(a.machine.to_string());
                        fields.push(a.time.to_string());
                    }
                }
            }
            out.push_str(&fields.join(" "));
            out.push('\n');
        }
        out
    }

    /// `"jobs x machines"`, as benchmark tables print an instance's size.
    pub fn size(&self) -> String {
        format!("{} x {}", self.jobs(), self.machines)
    }
}
