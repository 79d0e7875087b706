//! The scheduling harness for Python: instances, rules, the evaluator and the benchmark, over
//! `scenarios::scheduling` and `twin_models::scheduling`. Results cross as plain tuples and
//! the CLI's JSON text; `linetwin/sched.py` builds the DataFrames and the plots.

use pyo3::create_exception;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use scenarios::scheduling::library::{self, Bounds};
use scenarios::scheduling::{self as harness, BenchScheduler, InstanceFormat, SchedError, bench};
use twin_models::scheduling::{
    Assignment, Evaluator, Instance, OperationRef, Replanner, Schedule, ScheduleTimes, Scheme,
    check,
};
use twin_models::{PlannedOp, Rescheduler, ShopState};

use crate::no_panic;

create_exception!(
    linetwin,
    ScheduleError,
    PyValueError,
    "An instance, schedule or scheduler name that cannot be used, or an infeasible schedule: the message is the CLI's, naming the line and token or every violation."
);

fn sched_error(e: SchedError) -> PyErr {
    ScheduleError::new_err(e.to_string())
}

fn parse<T: std::str::FromStr>(text: &str, what: &str) -> PyResult<T>
where
    T::Err: std::fmt::Display,
{
    text.parse::<T>()
        .map_err(|e| ScheduleError::new_err(format!("{what}: {e}")))
}

/// A scheduling instance with its best-known bounds.
#[pyclass(frozen, module = "linetwin._linetwin", name = "CoreInstance")]
pub(crate) struct CoreInstance {
    inner: Instance,
    bounds: Option<Bounds>,
}

#[pymethods]
impl CoreInstance {
    /// A bundled instance by name (`ft06`, `ta01`, `mk01`) or an instance file.
    #[staticmethod]
    #[pyo3(signature = (name_or_path, format="auto"))]
    fn load(name_or_path: &str, format: &str) -> PyResult<Self> {
        let format: InstanceFormat = format.parse().map_err(sched_error)?;
        let (inner, bounds) = harness::load_instance(name_or_path, format).map_err(sched_error)?;
        Ok(Self { inner, bounds })
    }

    /// An instance from text in `format`, named `name`.
    #[staticmethod]
    #[pyo3(signature = (text, format="auto", name="instance"))]
    fn from_text(text: &str, format: &str, name: &str) -> PyResult<Self> {
        let format: InstanceFormat = format.parse().map_err(sched_error)?;
        let inner = harness::read_instance(text, format, 0)
            .map_err(|e| ScheduleError::new_err(format!("{name}: {e}")))?
            .with_name(name);
        Ok(Self {
            bounds: library::bounds(name),
            inner,
        })
    }

    /// The names of the instances a list of names and ranges (`la01-la40`) means.
    #[staticmethod]
    fn resolve(spec: &str) -> PyResult<Vec<String>> {
        let files = library::resolve(spec).map_err(|e| sched_error(e.into()))?;
        Ok(files.iter().map(|f| f.name.to_owned()).collect())
    }

    /// Every bundled instance: (name, kind, collection).
    #[staticmethod]
    fn bundled() -> Vec<(String, String, String)> {
        library::all()
            .iter()
            .map(|f| {
                (
                    f.name.to_owned(),
                    f.kind.as_str().to_owned(),
                    f.collection.to_owned(),
                )
            })
            .collect()
    }

    #[getter]
    fn name(&self) -> String {
        self.inner.name().to_owned()
    }

    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.kind().as_str()
    }

    #[getter]
    fn jobs(&self) -> usize {
        self.inner.jobs()
    }

    #[getter]
    fn machines(&self) -> usize {
        self.inner.machines()
    }

    /// (lower bound, best known, proven optimal), each None where unknown.
    #[getter]
    fn bounds(&self) -> (Option<u64>, Option<u64>, bool) {
        match self.bounds {
            Some(b) => (b.lower, b.upper, b.optimal),
            None => (None, None, false),
        }
    }

    /// Every way to run every operation: (job, operation, machine, time).
    fn operations(&self) -> Vec<(usize, usize, usize, u64)> {
        let mut rows = Vec::new();
        for job in 0..self.inner.jobs() {
            let ops = self.inner.job_operations(job);
            for op in ops.clone() {
                for a in self.inner.alternatives(op) {
                    rows.push((job, op - ops.start, a.machine, a.time));
                }
            }
        }
        rows
    }

    /// A built-in scheduler's schedule: (makespan, rows (machine, position, job, operation,
    /// start, end)). Runs with the GIL released.
    #[pyo3(signature = (rule="spt", scheme="active", assignment="earliest-finish"))]
    fn solve(
        &self,
        py: Python<'_>,
        rule: &str,
        scheme: &str,
        assignment: &str,
    ) -> PyResult<(u64, Vec<Row>)> {
        let scheme: Scheme = parse(scheme, "scheme")?;
        let assignment: Assignment = parse(assignment, "assignment")?;
        let mut scheduler =
            BenchScheduler::built_in(rule, scheme, assignment).map_err(sched_error)?;
        let result = py.detach(|| {
            no_panic(|| {
                let (schedule, makespan) = harness::solve(&self.inner, &mut scheduler)?;
                let mut evaluator = Evaluator::new(&self.inner);
                let _ = evaluator.evaluate(&schedule);
                Ok::<_, SchedError>((
                    makespan,
                    rows(&schedule, &evaluator.times_by_machine(&schedule)),
                ))
            })
        })?;
        result.map_err(sched_error)
    }

    /// Evaluates machine sequences `machines[k] = [(job, operation), …]`: the semi-active
    /// schedule, or with `starts[k][i]` the given start times, checked.
    #[pyo3(signature = (machines, starts=None))]
    fn evaluate(
        &self,
        machines: Vec<Vec<(usize, usize)>>,
        starts: Option<Vec<Vec<u64>>>,
    ) -> PyResult<(u64, Vec<Row>)> {
        let schedule = sequences(machines);
        let name = self.inner.name().to_owned();
        let origin = std::path::Path::new(&name);
        let file = twin_models::scheduling::ScheduleFile {
            schedule,
            times: starts.map(|start| ScheduleTimes { start }),
        };
        if let Some(times) = &file.times {
            if times.start.len() != file.schedule.machines.len()
                || times
                    .start
                    .iter()
                    .zip(&file.schedule.machines)
                    .any(|(s, m)| s.len() != m.len())
            {
                return Err(ScheduleError::new_err(
                    "starts must have one start per operation of every machine",
                ));
            }
            // `check` reports every violation; `timing` below then gives the times.
            check(&self.inner, &file.schedule, times).map_err(|violations| {
                sched_error(SchedError::Infeasible {
                    origin: name.clone(),
                    violations,
                })
            })?;
        }
        let timing =
            no_panic(|| harness::timing(&self.inner, &file, origin))?.map_err(sched_error)?;
        Ok((timing.makespan, rows(&file.schedule, &timing.times)))
    }

    /// The schedule's CSV text (the CLI's format).
    fn schedule_csv(
        &self,
        machines: Vec<Vec<(usize, usize)>>,
        times: Vec<Vec<(u64, u64)>>,
    ) -> String {
        let schedule = sequences(machines);
        schedule.to_csv(Some(&times))
    }

    /// Executes the schedule `machines` in the instance's twin under disturbances and returns
    /// `linetwin sched robust --json`'s text. Runs with the GIL released.
    #[pyo3(signature = (
        machines, policies, rule, reschedule_rule, period, on_failure, noise, noise_cv, mtbf,
        mttr, failure_clock, buffer, due_slack, replications, seed, users
    ))]
    #[allow(clippy::too_many_arguments)]
    fn robust(
        &self,
        py: Python<'_>,
        machines: Vec<Vec<(usize, usize)>>,
        policies: Vec<String>,
        rule: String,
        reschedule_rule: String,
        period: Option<f64>,
        on_failure: bool,
        noise: String,
        noise_cv: f64,
        mtbf: Option<f64>,
        mttr: Option<f64>,
        failure_clock: String,
        buffer: Option<u32>,
        due_slack: Option<f64>,
        replications: u64,
        seed: u64,
        users: Vec<(String, Py<PyAny>)>,
    ) -> PyResult<String> {
        let schedule = sequences(machines);
        let reschedulers: Vec<Arc<PyRescheduler>> = users
            .into_iter()
            .map(|(name, callable)| {
                Arc::new(PyRescheduler {
                    name,
                    callable,
                    error: Mutex::new(None),
                })
            })
            .collect();
        let args = harness::robust::RobustArgs {
            policies,
            dispatch_rule: rule,
            reschedule_rule,
            period,
            on_failure,
            noise,
            noise_cv,
            mtbf,
            mttr,
            failure_clock,
            buffer,
            due_slack,
            replications,
            seed,
            users: reschedulers
                .iter()
                .map(|r| Replanner::User {
                    name: r.name.clone(),
                    by: Arc::clone(r) as Arc<dyn Rescheduler + Send>,
                })
                .collect(),
            python_names: true,
            book: None,
            stop: Some(Arc::new(AtomicBool::new(false))),
        };
        let stop = Arc::clone(args.stop.as_ref().expect("set above"));
        // Ctrl-C: the replications under way end, the others are not started.
        let result = crate::interruptible(py, &stop, || {
            harness::robust::run(&self.inner, &schedule, &args)
        })?;
        // A user rescheduler's own exception, as it raised it.
        for r in &reschedulers {
            if let Some(error) = r.error.lock().ok().and_then(|mut e| e.take()) {
                return Err(error);
            }
        }
        result
            .map(|report| harness::robust::to_json(&report, &args))
            .map_err(sched_error)
    }

    fn __repr__(&self) -> String {
        format!(
            "CoreInstance({:?}, {})",
            self.inner.name(),
            self.inner.size()
        )
    }
}

/// A Python rescheduler: `callable(state)` with `state` a dict (`now`; `machines`, each with
/// `available` and `down`; `jobs`, each with `next_operation`, `ready` and `done`) returns the
/// machine sequences of the operations not yet started. Its first exception is kept and
/// re-raised once the run has stopped.
struct PyRescheduler {
    name: String,
    callable: Py<PyAny>,
    error: Mutex<Option<PyErr>>,
}

impl Rescheduler for PyRescheduler {
    fn reschedule(&self, state: &ShopState) -> Result<Vec<Vec<PlannedOp>>, String> {
        Python::attach(|py| {
            let outcome = (|| -> PyResult<Vec<Vec<PlannedOp>>> {
                let time = |t: f64| t.is_finite().then_some(t);
                let machines = PyList::empty(py);
                for m in &state.stations {
                    let d = PyDict::new(py);
                    d.set_item("available", time(m.available))?;
                    d.set_item("down", m.down)?;
                    machines.append(d)?;
                }
                let jobs = PyList::empty(py);
                for o in &state.orders {
                    let d = PyDict::new(py);
                    d.set_item("next_operation", o.next_step)?;
                    d.set_item("ready", time(o.ready))?;
                    d.set_item("done", o.done)?;
                    jobs.append(d)?;
                }
                let arg = PyDict::new(py);
                arg.set_item("now", state.now)?;
                arg.set_item("machines", machines)?;
                arg.set_item("jobs", jobs)?;
                let answer = self.callable.bind(py).call1((arg,))?;
                let sequences: Vec<Vec<(usize, usize)>> = answer.extract().map_err(|_| {
                    PyTypeError::new_err(format!(
                        "rescheduler `{}` must return, per machine, a list of (job, operation) \
                         pairs of ints",
                        self.name
                    ))
                })?;
                Ok(sequences
                    .into_iter()
                    .map(|seq| {
                        seq.into_iter()
                            .map(|(order, step)| PlannedOp { order, step })
                            .collect()
                    })
                    .collect())
            })();
            outcome.map_err(|e| {
                let message = e.to_string();
                if let Ok(mut slot) = self.error.lock()
                    && slot.is_none()
                {
                    *slot = Some(e);
                }
                message
            })
        })
    }
}

/// Machine sequences of `(job, operation)` pairs as a [`Schedule`].
fn sequences(machines: Vec<Vec<(usize, usize)>>) -> Schedule {
    Schedule {
        machines: machines
            .into_iter()
            .map(|seq| {
                seq.into_iter()
                    .map(|(job, operation)| OperationRef { job, operation })
                    .collect()
            })
            .collect(),
    }
}

/// (machine, position, job, operation, start, end)
type Row = (usize, usize, usize, usize, u64, u64);

fn rows(schedule: &Schedule, times: &[Vec<(u64, u64)>]) -> Vec<Row> {
    let mut out = Vec::new();
    for (k, seq) in schedule.machines.iter().enumerate() {
        for (i, op) in seq.iter().enumerate() {
            let (s, e) = times
                .get(k)
                .and_then(|t| t.get(i))
                .copied()
                .unwrap_or((0, 0));
            out.push((k, i, op.job, op.operation, s, e));
        }
    }
    out
}

/// Runs the built-in schedulers on the instances of `spec` (names, ranges) and returns the
/// CLI's `linetwin.sched-bench/1` JSON. Runs with the GIL released.
#[pyfunction]
#[pyo3(signature = (spec, rules, scheme="active", assignment="earliest-finish"))]
pub(crate) fn sched_bench(
    py: Python<'_>,
    spec: &str,
    rules: Vec<String>,
    scheme: &str,
    assignment: &str,
) -> PyResult<String> {
    let schemes = if scheme.trim().eq_ignore_ascii_case("both") {
        vec![Scheme::Active, Scheme::NonDelay]
    } else {
        vec![parse::<Scheme>(scheme, "scheme")?]
    };
    let assignment: Assignment = parse(assignment, "assignment")?;
    let mut schedulers = Vec::new();
    for rule in &rules {
        if rule.trim().eq_ignore_ascii_case("neh") {
            schedulers.push(
                BenchScheduler::built_in(rule, Scheme::Active, assignment).map_err(sched_error)?,
            );
            continue;
        }
        for &s in &schemes {
            schedulers.push(BenchScheduler::built_in(rule, s, assignment).map_err(sched_error)?);
        }
    }
    let mut instances = Vec::new();
    for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if std::path::Path::new(item).is_file() {
            instances
                .push(harness::load_instance(item, InstanceFormat::Auto).map_err(sched_error)?);
        } else {
            for file in library::resolve(item).map_err(|e| sched_error(e.into()))? {
                instances.push(
                    harness::load_instance(file.name, InstanceFormat::Auto).map_err(sched_error)?,
                );
            }
        }
    }
    let result = py.detach(|| no_panic(|| bench::run(&instances, &mut schedulers)))?;
    result.map(|r| r.to_json()).map_err(sched_error)
}

/// The seed an order-book experiment uses: `seed`, else the scenario's own.
fn book_seed(scenario: &scenarios::Scenario, seed: Option<u64>) -> PyResult<u64> {
    match seed {
        Some(seed) => Ok(seed),
        None => Ok(scenario
            .options(&scenarios::Overrides::default())
            .map_err(crate::scenario_error)?
            .seed),
    }
}

/// The plan of `scenario`'s order book at the `planned` stations (default: those with
/// setups), recorded at nominal times under `rule` (None: the stations' own rules), as
/// plan CSV (`station,order,step`).
#[pyfunction]
#[pyo3(signature = (scenario, rule, planned, seed))]
pub(crate) fn book_plan(
    py: Python<'_>,
    scenario: &Bound<'_, crate::CoreScenario>,
    rule: Option<String>,
    planned: Vec<String>,
    seed: Option<u64>,
) -> PyResult<String> {
    let scenario = &scenario.get().inner;
    let seed = book_seed(scenario, seed)?;
    let line = scenario.line();
    let plan = py
        .detach(|| {
            no_panic(|| {
                harness::book::plan(
                    line,
                    &harness::book::PlanSource::Rule(rule),
                    &planned,
                    seed,
                    ("planned", "schedule"),
                )
            })
        })?
        .map_err(sched_error)?;
    Ok(harness::book::write_plan(line, &plan))
}

/// Executes `scenario`'s order book planned by `plan` (plan CSV text; None: recorded under
/// `rule` at the `planned` stations) under the scenario's own disturbances and returns
/// `linetwin sched robust --json`'s text with the plan executed (CSV). Runs with the GIL
/// released.
#[pyfunction]
#[pyo3(signature = (
    scenario, plan, rule, planned, policies, dispatch_rule, due_slack, replications, seed
))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn book_robust(
    py: Python<'_>,
    scenario: &Bound<'_, crate::CoreScenario>,
    plan: Option<String>,
    rule: Option<String>,
    planned: Vec<String>,
    policies: Vec<String>,
    dispatch_rule: String,
    due_slack: Option<f64>,
    replications: u64,
    seed: Option<u64>,
) -> PyResult<(String, String)> {
    let scenario = &scenario.get().inner;
    let seed = book_seed(scenario, seed)?;
    let line = scenario.line();
    let source = match plan {
        Some(text) => harness::book::PlanSource::File {
            origin: "schedule".into(),
            text,
        },
        None => harness::book::PlanSource::Rule(rule),
    };
    let mut args = harness::robust::RobustArgs {
        policies,
        dispatch_rule,
        reschedule_rule: "mwkr".into(),
        period: None,
        on_failure: false,
        noise: "lognormal".into(),
        noise_cv: 0.0,
        mtbf: None,
        mttr: None,
        failure_clock: "busy".into(),
        buffer: None,
        due_slack,
        replications,
        seed,
        users: Vec::new(),
        python_names: true,
        book: None,
        stop: None,
    };
    let stop = Arc::new(AtomicBool::new(false));
    args.stop = Some(Arc::clone(&stop));
    let result = crate::interruptible(py, &stop, || {
        let (report, plan) = harness::book::plan_and_run(
            line,
            &source,
            &planned,
            &mut args,
            ("planned", "schedule"),
        )?;
        Ok::<_, SchedError>((
            harness::robust::to_json(&report, &args),
            harness::book::write_plan(line, &plan),
        ))
    })?;
    result.map_err(sched_error)
}

/// What a sequencing model of `scenario`'s order book at `station` (default: the one
/// station with setups) needs, as a dict: `station`; `families` (names); `initial` (the
/// family the station starts configured for, or None); `setups[a][b]` (mean setup time from
/// family a to b, 0 on the diagonal); `orders`, each a tuple (id, ready, due, weight,
/// family, work, tail): ready = release plus one part's mean time before the station, work =
/// quantity × mean time at the station, tail = one part's mean time after it.
#[pyfunction]
#[pyo3(signature = (scenario, station=None))]
pub(crate) fn book_data<'py>(
    py: Python<'py>,
    scenario: &Bound<'py, crate::CoreScenario>,
    station: Option<String>,
) -> PyResult<Bound<'py, PyDict>> {
    let line = scenario.get().inner.line();
    let bad = |m: String| ScheduleError::new_err(format!("station: {m}"));
    let s = match &station {
        Some(name) => line
            .stations
            .iter()
            .position(|s| s.name == *name)
            .ok_or_else(|| bad(format!("line `{}` has no station `{name}`", line.name)))?,
        None => {
            let with: Vec<usize> = (0..line.stations.len())
                .filter(|&s| line.stations[s].setup.is_some())
                .collect();
            match with[..] {
                [s] => s,
                _ => {
                    return Err(bad(format!(
                        "line `{}` has {} stations with setups; name the one to sequence",
                        line.name,
                        with.len()
                    )));
                }
            }
        }
    };
    let st = &line.stations[s];
    if st.servers != 1 {
        return Err(bad(format!(
            "`{}` has {} servers; the sequencing model is of one machine",
            st.name, st.servers
        )));
    }
    let mean_time = |p: usize, k: usize, at: usize| -> f64 {
        line.products[p]
            .step_time(k)
            .or(line.stations[at].processing[p].as_ref())
            .map_or(0.0, sim_core::Distribution::mean)
    };
    // One part's mean time over steps: the average over a step's alternatives.
    let step_mean = |p: usize, k: usize| -> f64 {
        let step = &line.products[p].route[k];
        step.iter().map(|&at| mean_time(p, k, at)).sum::<f64>() / step.len() as f64
    };
    let orders = PyList::empty(py);
    for order in &line.orders {
        let route = &line.products[order.product].route;
        let visits: Vec<usize> = (0..route.len())
            .filter(|&k| route[k].contains(&s))
            .collect();
        let [k] = visits[..] else {
            return Err(bad(format!(
                "order `{}` visits `{}` {} times; the sequencing model needs exactly once",
                order.id,
                st.name,
                visits.len()
            )));
        };
        if route[k].len() != 1 {
            return Err(bad(format!(
                "order `{}` may go to `{}` or another station at step {k}",
                order.id, st.name
            )));
        }
        let head: f64 = (0..k).map(|i| step_mean(order.product, i)).sum();
        let tail: f64 = (k + 1..route.len())
            .map(|i| step_mean(order.product, i))
            .sum();
        orders.append((
            order.id.as_str(),
            order.release + head,
            order.due,
            order.weight,
            line.products[order.product].family,
            f64::from(order.quantity) * mean_time(order.product, k, s),
            tail,
        ))?;
    }
    let n = line.families.len();
    let mut setups = vec![vec![0.0; n]; n];
    if let Some(setup) = &st.setup {
        let default = setup
            .default
            .as_ref()
            .map_or(0.0, sim_core::Distribution::mean);
        for (a, row) in setups.iter_mut().enumerate() {
            for (b, cell) in row.iter_mut().enumerate() {
                if a != b {
                    *cell = default;
                }
            }
        }
        for (a, b, d) in &setup.pairs {
            setups[*a][*b] = d.mean();
        }
    }
    let out = PyDict::new(py);
    out.set_item("station", st.name.as_str())?;
    out.set_item("families", line.families.clone())?;
    out.set_item("initial", st.setup.as_ref().and_then(|s| s.initial))?;
    out.set_item("setups", setups)?;
    out.set_item("orders", orders)?;
    Ok(out)
}
