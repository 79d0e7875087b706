//! The compiled core of the Python package `linetwin` (`linetwin._linetwin`).
//!
//! It is deliberately thin: it turns Python input into `scenarios` types,
//! runs the simulation with the GIL released, and hands back the KPIs as the
//! exact `linetwin.kpi/2` JSON text the CLI prints. The public Python API
//! (`linetwin/__init__.py`) wraps it.
//!
//! Guarantees: every Rust error becomes `linetwin.ScenarioError` with the
//! CLI's message; a Python value that has no TOML equivalent becomes a
//! `TypeError` naming the field; a panic never reaches Python (it becomes a
//! `RuntimeError` asking for a bug report).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use pyo3::create_exception;
use pyo3::exceptions::{PyKeyboardInterrupt, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use scenarios::assess::{Assessment, Improved};
use scenarios::experiment::{
    Experiment, ExperimentError, ExperimentOptions, ExperimentResult, Stopping,
};
use scenarios::{ExperimentDef, Overrides, ScenarioError as CoreError, ScenarioFile, report};

mod sched;

create_exception!(
    linetwin,
    ScenarioError,
    PyValueError,
    "A scenario that cannot be used: the message is the CLI's, naming the file, the line where known, the field and the value."
);

/// Deepest nesting accepted in a scenario built from Python values (the real
/// format nests four levels; the limit only stops runaway recursion).
const MAX_DEPTH: usize = 32;

fn scenario_error(e: CoreError) -> PyErr {
    ScenarioError::new_err(e.to_string())
}

/// Runs `f`, turning a panic into a `RuntimeError` instead of a `PanicException`.
fn no_panic<T>(f: impl FnOnce() -> T) -> PyResult<T> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let reason = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        PyRuntimeError::new_err(format!(
            "linetwin internal error (please report it): {reason}"
        ))
    })
}

/// A validated scenario: the file as written and the line it describes.
#[pyclass(frozen, module = "linetwin._linetwin", name = "CoreScenario")]
struct CoreScenario {
    inner: scenarios::Scenario,
}

#[pymethods]
impl CoreScenario {
    /// Reads and validates the scenario TOML file at `path`.
    #[staticmethod]
    fn from_path(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let result = py.detach(|| no_panic(|| scenarios::Scenario::from_path(&path)))?;
        let inner = result.map_err(scenario_error)?;
        Ok(Self { inner })
    }

    /// Parses and validates scenario TOML `text`; `origin` names it in errors,
    /// and the files it names are relative to `dir` (None: none may be named).
    #[staticmethod]
    #[pyo3(signature = (text, origin, dir=None))]
    fn from_toml(
        py: Python<'_>,
        text: String,
        origin: String,
        dir: Option<PathBuf>,
    ) -> PyResult<Self> {
        let result = py.detach(|| {
            no_panic(|| match &dir {
                Some(dir) => scenarios::Scenario::from_toml_in(&text, &origin, dir),
                None => scenarios::Scenario::from_toml(&text, &origin),
            })
        })?;
        let inner = result.map_err(scenario_error)?;
        Ok(Self { inner })
    }

    /// Validates a scenario given as nested dicts and lists shaped like the TOML file.
    #[staticmethod]
    fn from_dict(py: Python<'_>, spec: &Bound<'_, PyAny>, origin: String) -> PyResult<Self> {
        let mut path = Vec::new();
        let value = to_toml_value(spec, &mut path)?.ok_or_else(|| {
            PyTypeError::new_err("the scenario must be a dict, not None".to_owned())
        })?;
        if !value.is_table() {
            return Err(PyTypeError::new_err(format!(
                "the scenario must be a dict, not {}",
                spec.get_type().name()?
            )));
        }
        let result = py.detach(|| {
            no_panic(|| {
                let file: ScenarioFile = serde_path_to_error::deserialize(value).map_err(|e| {
                    let field = e.path().to_string();
                    let message = e.into_inner().message().trim().to_owned();
                    if field == "." {
                        // The document itself, e.g. a missing `scenario` table.
                        format!("{origin}: {message}")
                    } else {
                        let error = CoreError::Invalid {
                            origin: origin.clone(),
                            line: None,
                            field,
                            message,
                        };
                        error.to_string()
                    }
                })?;
                scenarios::Scenario::from_file(file, &origin).map_err(|e| e.to_string())
            })
        })?;
        let inner = result.map_err(ScenarioError::new_err)?;
        Ok(Self { inner })
    }

    /// The scenario as TOML, in the format it is read from.
    fn to_toml(&self) -> String {
        self.inner.to_toml()
    }

    /// The same scenario with its `[experiment]` section replaced by `spec`
    /// (nested dicts and lists shaped like the TOML table; None removes it).
    /// Paths inside it stay relative to this scenario's file.
    fn with_experiment(&self, py: Python<'_>, spec: &Bound<'_, PyAny>) -> PyResult<Self> {
        let mut path = vec!["experiment".to_owned()];
        let value = to_toml_value(spec, &mut path)?;
        if let Some(value) = &value
            && !value.is_table()
        {
            return Err(PyTypeError::new_err(format!(
                "the experiment must be a dict, not {}",
                spec.get_type().name()?
            )));
        }
        let origin = self.inner.origin().to_owned();
        let result = py.detach(|| {
            no_panic(|| {
                let def = match value {
                    None => None,
                    Some(value) => Some(
                        serde_path_to_error::deserialize::<_, ExperimentDef>(value).map_err(
                            |e| {
                                let field = match e.path().to_string().as_str() {
                                    "." => "experiment".to_owned(),
                                    inner => format!("experiment.{inner}"),
                                };
                                let message = e.into_inner().message().trim().to_owned();
                                CoreError::Invalid {
                                    origin,
                                    line: None,
                                    field,
                                    message,
                                }
                            },
                        )?,
                    ),
                };
                let mut inner = self.inner.clone();
                inner.file.experiment = def;
                Ok::<_, CoreError>(inner)
            })
        })?;
        let inner = result.map_err(scenario_error)?;
        Ok(Self { inner })
    }

    /// The scenario name.
    #[getter]
    fn name(&self) -> &str {
        &self.inner.file.scenario.name
    }

    /// Where the scenario came from: a path, or a label such as `<python>`.
    #[getter]
    fn origin(&self) -> &str {
        self.inner.origin()
    }

    /// The directory the files the scenario names are relative to, if any.
    #[getter]
    fn dir(&self) -> Option<PathBuf> {
        // Absolute, so that a pickled scenario finds its files from any directory.
        self.inner
            .dir()
            .map(|d| std::path::absolute(d).unwrap_or_else(|_| d.to_path_buf()))
    }

    /// Structural oddities that do not stop a run.
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.inner.warnings.clone()
    }

    /// Runs one replication with the GIL released; returns the KPIs as the
    /// CLI's `--json` text and as its text table. `rules` are `(station,
    /// callable)` pairs: Python dispatching rules, which run with the GIL held;
    /// `maintenance` are `("station/mode", callable)` pairs: Python
    /// maintenance policies, likewise.
    #[pyo3(signature = (seed=None, horizon=None, warmup=None, rules=None, replication=None, maintenance=None))]
    #[allow(clippy::too_many_arguments)]
    fn run(
        &self,
        py: Python<'_>,
        seed: Option<u64>,
        horizon: Option<f64>,
        warmup: Option<f64>,
        rules: Option<Vec<(String, Py<PyAny>)>>,
        replication: Option<u64>,
        maintenance: Option<Vec<(String, Py<PyAny>)>>,
    ) -> PyResult<(String, String)> {
        let overrides = Overrides {
            seed,
            horizon,
            warmup,
            replication,
        };
        let rules = rules.unwrap_or_default();
        let maintenance = maintenance.unwrap_or_default();
        if rules.is_empty() && maintenance.is_empty() {
            return run_interruptibly(py, &self.inner, overrides);
        }
        let deciders: Vec<(String, PyMaintenance)> = maintenance
            .into_iter()
            .map(|(mode, callable)| {
                (
                    mode,
                    PyMaintenance {
                        callable,
                        error: std::sync::Mutex::new(None),
                    },
                )
            })
            .collect();
        let names = Names::of(self.inner.line());
        let policies: Vec<(String, PyRule)> = rules
            .into_iter()
            .map(|(station, callable)| {
                let rule = PyRule {
                    callable,
                    names: names.clone(),
                    error: std::sync::Mutex::new(None),
                };
                (station, rule)
            })
            .collect();
        let result = py.detach(|| {
            no_panic(|| {
                let refs: Vec<(&str, &dyn twin_models::DispatchPolicy)> = policies
                    .iter()
                    .map(|(s, r)| (s.as_str(), r as &dyn twin_models::DispatchPolicy))
                    .collect();
                let decider_refs: Vec<(&str, &dyn twin_models::MaintenancePolicy)> = deciders
                    .iter()
                    .map(|(m, p)| (m.as_str(), p as &dyn twin_models::MaintenancePolicy))
                    .collect();
                self.inner
                    .run_with_plugins(&overrides, &refs, &decider_refs)
                    .map(|kpis| (report::to_json(&kpis), report::to_table(&kpis)))
            })
        })?;
        result.map_err(|e| match e {
            scenarios::RulesError::Invalid(e) => scenario_error(e),
            scenarios::RulesError::Rule(failure) => {
                // The Python exception the rule raised, as it was raised.
                let raised = policies
                    .iter()
                    .find_map(|(_, r)| r.error.lock().ok().and_then(|mut e| e.take()));
                raised.unwrap_or_else(|| {
                    ScenarioError::new_err(format!("dispatching rule failed: {failure}"))
                })
            }
            scenarios::RulesError::Maintenance(failure) => {
                let raised = deciders
                    .iter()
                    .find_map(|(_, p)| p.error.lock().ok().and_then(|mut e| e.take()));
                raised.unwrap_or_else(|| ScenarioError::new_err(failure.to_string()))
            }
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "CoreScenario({:?}, origin={:?})",
            self.inner.file.scenario.name,
            self.inner.origin()
        )
    }
}

/// A Python callable as a maintenance policy: `policy(history, unit) -> bool`,
/// `history` the readings since the last renewal as `(age, value)` tuples,
/// `unit` a dict of `station, mode, server, now, age`; called with the GIL
/// held. The first exception it raises is kept to be raised again.
struct PyMaintenance {
    callable: Py<PyAny>,
    error: std::sync::Mutex<Option<PyErr>>,
}

impl twin_models::MaintenancePolicy for PyMaintenance {
    fn maintain(
        &self,
        unit: &twin_models::UnitView<'_>,
        history: &[(f64, f64)],
    ) -> Result<bool, String> {
        Python::attach(|py| {
            let outcome = (|| -> PyResult<bool> {
                let state = PyDict::new(py);
                state.set_item("station", unit.station)?;
                state.set_item("mode", unit.mode)?;
                state.set_item("server", unit.server)?;
                state.set_item("now", unit.now)?;
                state.set_item("age", unit.age)?;
                let decision = self.callable.bind(py).call1((history.to_vec(), state))?;
                if !decision.is_instance_of::<PyBool>() {
                    return Err(PyTypeError::new_err(format!(
                        "a maintenance policy must return True (maintain now) or False, not {}",
                        decision.get_type().name()?
                    )));
                }
                decision.extract::<bool>()
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

/// A run-to-failure dataset of a wear mode of `scenario`: the columns `unit,
/// age, signal, state, state_index, rul`.
#[pyfunction]
#[pyo3(signature = (scenario, units, station=None, mode=None, every=None, seed=None))]
#[allow(clippy::type_complexity)]
fn pdm_dataset(
    py: Python<'_>,
    scenario: &CoreScenario,
    units: u32,
    station: Option<String>,
    mode: Option<String>,
    every: Option<f64>,
    seed: Option<u64>,
) -> PyResult<(
    String,
    String,
    Vec<u32>,
    Vec<f64>,
    Vec<f64>,
    Vec<String>,
    Vec<usize>,
    Vec<f64>,
)> {
    let request = scenarios::dataset::Request {
        station: station.as_deref(),
        mode: mode.as_deref(),
        units,
        every,
        seed,
    };
    let dataset = py
        .detach(|| no_panic(|| scenarios::dataset::Dataset::new(&scenario.inner, &request)))?
        .map_err(scenario_error)?;
    let rows = &dataset.rows;
    Ok((
        dataset.station.clone(),
        dataset.mode.clone(),
        rows.iter().map(|r| r.unit).collect(),
        rows.iter().map(|r| r.age).collect(),
        rows.iter().map(|r| r.value).collect(),
        rows.iter()
            .map(|r| dataset.states[r.state].clone())
            .collect(),
        rows.iter().map(|r| r.state).collect(),
        rows.iter().map(|r| r.rul).collect(),
    ))
}

/// Names of the entities a Python rule sees, by index.
#[derive(Clone)]
struct Names {
    products: std::sync::Arc<Vec<String>>,
    families: std::sync::Arc<Vec<String>>,
    orders: std::sync::Arc<Vec<String>>,
    stations: std::sync::Arc<Vec<String>>,
}

impl Names {
    fn of(line: &twin_models::LineSpec) -> Self {
        Self {
            products: std::sync::Arc::new(line.products.iter().map(|p| p.name.clone()).collect()),
            families: std::sync::Arc::new(line.families.clone()),
            orders: std::sync::Arc::new(line.orders.iter().map(|o| o.id.clone()).collect()),
            stations: std::sync::Arc::new(line.stations.iter().map(|s| s.name.clone()).collect()),
        }
    }
}

/// A Python callable as a dispatching rule: `rule(candidates, state) -> int`,
/// called with the GIL held. The first exception it raises is kept to be
/// re-raised when the run has stopped.
struct PyRule {
    callable: Py<PyAny>,
    names: Names,
    error: std::sync::Mutex<Option<PyErr>>,
}

impl twin_models::DispatchPolicy for PyRule {
    fn choose(
        &self,
        decision: &twin_models::Decision,
        candidates: &[twin_models::Candidate],
    ) -> Result<usize, String> {
        Python::attach(|py| {
            let outcome = (|| -> PyResult<usize> {
                let n = &self.names;
                let time = |t: f64| t.is_finite().then_some(t);
                let list = PyList::empty(py);
                for c in candidates {
                    let d = PyDict::new(py);
                    d.set_item("position", c.position)?;
                    d.set_item("product", &n.products[c.product])?;
                    d.set_item("family", &n.families[c.family])?;
                    d.set_item("order", c.order.map(|o| n.orders[o].clone()))?;
                    d.set_item("due", time(c.due))?;
                    d.set_item("weight", c.weight)?;
                    d.set_item("priority", c.priority)?;
                    d.set_item("processing_time", c.processing_time)?;
                    d.set_item("remaining_work", c.remaining_work)?;
                    d.set_item("remaining_operations", c.remaining_operations)?;
                    d.set_item("waiting_since", c.waiting_since)?;
                    d.set_item("setup_time", c.setup_time)?;
                    list.append(d)?;
                }
                let state = PyDict::new(py);
                state.set_item("now", decision.now)?;
                state.set_item("station", &n.stations[decision.station])?;
                state.set_item("server", decision.server)?;
                state.set_item(
                    "configured_family",
                    decision.configured_family.map(|f| n.families[f].clone()),
                )?;
                let chosen = self.callable.bind(py).call1((list, state))?;
                if chosen.is_instance_of::<PyBool>() || !chosen.is_instance_of::<PyInt>() {
                    return Err(PyTypeError::new_err(format!(
                        "a dispatching rule must return the index of a candidate (an int), not {}",
                        chosen.get_type().name()?
                    )));
                }
                chosen.extract::<usize>().map_err(|_| {
                    PyValueError::new_err(format!(
                        "a dispatching rule must return an index from 0 to {}, got {chosen}",
                        candidates.len() - 1
                    ))
                })
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

/// Runs one replication of `scenario` on a thread of its own while this one,
/// with the GIL released between polls, checks for signals: Ctrl-C raises
/// `KeyboardInterrupt` within [`POLL`]. The engine cannot be stopped inside a
/// replication, so an interrupted run finishes in the background and its
/// result is dropped.
fn run_interruptibly(
    py: Python<'_>,
    scenario: &scenarios::Scenario,
    overrides: Overrides,
) -> PyResult<(String, String)> {
    // Cheap: the compiled line is shared, not copied.
    let scenario = scenario.clone();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("linetwin-run".to_owned())
        .spawn(move || {
            let outcome = no_panic(|| {
                let kpis: twin_models::Kpis = scenario.run(&overrides)?;
                Ok::<_, CoreError>((report::to_json(&kpis), report::to_table(&kpis)))
            });
            // The receiver is gone after an interrupt: nothing to report then.
            let _ = sender.send(outcome);
        })
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start the run thread: {e}")))?;
    match wait_for(py, receiver) {
        Ok(outcome) => outcome?.map_err(scenario_error),
        // The run goes on in the background; its result is dropped.
        Err((interrupt, _)) => Err(interrupt),
    }
}

/// Waits for the outcome a job thread sends on `receiver`, with the GIL
/// released between polls, checking for signals every [`POLL`]. On a signal
/// returns its error and the receiver (the job still runs).
#[allow(clippy::type_complexity)]
fn wait_for<T: Send>(
    py: Python<'_>,
    mut receiver: std::sync::mpsc::Receiver<PyResult<T>>,
) -> Result<PyResult<T>, (PyErr, std::sync::mpsc::Receiver<PyResult<T>>)> {
    use std::sync::mpsc::RecvTimeoutError;
    loop {
        // The receiver is not Sync: it moves into the GIL-free closure and back.
        let (received, back) = py.detach(move || (receiver.recv_timeout(POLL), receiver));
        receiver = back;
        match received {
            Ok(outcome) => return Ok(outcome),
            Err(RecvTimeoutError::Timeout) => {
                if let Err(interrupt) = py.check_signals() {
                    return Err((interrupt, receiver));
                }
            }
            Err(RecvTimeoutError::Disconnected) => {
                return Ok(Err(PyRuntimeError::new_err(
                    "linetwin internal error (please report it): the job thread stopped",
                )));
            }
        }
    }
}

/// Runs `job` on a thread of its own while this one, with the GIL released
/// between polls, checks for signals every [`POLL`]: on Ctrl-C it sets `stop`
/// (which the job checks between replications), waits for the job to wind
/// down and raises `KeyboardInterrupt`.
fn interruptible<T: Send>(
    py: Python<'_>,
    stop: &AtomicBool,
    job: impl FnOnce() -> T + Send,
) -> PyResult<T> {
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("linetwin-job".to_owned())
            .spawn_scoped(scope, move || {
                let outcome = no_panic(job);
                let _ = sender.send(outcome);
            })
            .map_err(|e| PyRuntimeError::new_err(format!("cannot start the job thread: {e}")))?;
        match wait_for(py, receiver) {
            Ok(outcome) => outcome,
            Err((interrupt, receiver)) => {
                stop.store(true, Ordering::Relaxed);
                // The job ends at its next replication; the scope joins it.
                let _ = py.detach(move || receiver.recv());
                Err(interrupt)
            }
        }
    })
}

/// How often the polling thread looks at the run counter, signals and the worker.
const POLL: Duration = Duration::from_millis(100);

/// Sets the flag when dropped: stops an experiment whatever way its poller leaves.
struct StopOnDrop<'a>(&'a AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// A validated experiment: design points × replications, ready to run.
#[pyclass(frozen, module = "linetwin._linetwin", name = "CoreExperiment")]
struct CoreExperiment {
    inner: Experiment,
}

#[pymethods]
impl CoreExperiment {
    /// Validates the experiment of `scenario`'s `[experiment]` section (a
    /// scenario without one is a single design point); `seed` overrides it.
    #[new]
    #[pyo3(signature = (scenario, seed=None))]
    fn new(
        py: Python<'_>,
        scenario: &Bound<'_, CoreScenario>,
        seed: Option<u64>,
    ) -> PyResult<Self> {
        let scenario = &scenario.get().inner;
        let options = ExperimentOptions {
            replications: None,
            seed,
            ..ExperimentOptions::default()
        };
        let result = py.detach(|| no_panic(|| Experiment::new(scenario, &options)))?;
        let inner = result.map_err(scenario_error)?;
        Ok(Self { inner })
    }

    /// The two-point experiment of `linetwin assess`: `baseline` against
    /// `improved` (a scenario) or its `variant`, on common random numbers.
    #[staticmethod]
    #[pyo3(signature = (baseline, improved=None, variant=None, replications=None, seed=None, horizon=None, warmup=None))]
    #[allow(clippy::too_many_arguments)]
    fn assessment(
        py: Python<'_>,
        baseline: &Bound<'_, CoreScenario>,
        improved: Option<&Bound<'_, CoreScenario>>,
        variant: Option<String>,
        replications: Option<u64>,
        seed: Option<u64>,
        horizon: Option<f64>,
        warmup: Option<f64>,
    ) -> PyResult<Self> {
        let baseline = &baseline.get().inner;
        let improved = match (improved, variant.as_deref()) {
            (Some(scenario), None) => Improved::Scenario(&scenario.get().inner),
            (None, Some(name)) => Improved::Variant(name),
            _ => {
                return Err(PyTypeError::new_err(
                    "assess(): give the improved scenario or variant=, not both or neither",
                ));
            }
        };
        let options = ExperimentOptions {
            replications,
            seed,
            horizon,
            warmup,
            allow_outside: false,
        };
        let result =
            py.detach(|| no_panic(|| Assessment::experiment(baseline, improved, &options)))?;
        let inner = result.map_err(scenario_error)?;
        Ok(Self { inner })
    }

    /// The most runs the experiment can make: design points × replications.
    #[getter]
    fn planned_runs(&self) -> u64 {
        self.inner.planned_runs()
    }

    /// The design points in order: label, variant and factor values (JSON text).
    #[getter]
    fn design_points(&self) -> Vec<(String, String, String)> {
        self.inner
            .design_points
            .iter()
            .map(|p| {
                let factors = serde_json::to_string(&p.factors).unwrap_or_else(|_| "{}".into());
                (p.label.clone(), p.variant.clone(), factors)
            })
            .collect()
    }

    /// Runs every design point × replication on `threads` worker threads (None:
    /// one per core) while this thread, with the GIL released between polls,
    /// calls `progress(done, planned)` when the count of finished runs changed
    /// and checks for signals. Ctrl-C (or an exception from `progress`) stops
    /// the runs in flight and is raised once the workers have stopped.
    #[pyo3(signature = (threads=None, progress=None))]
    fn run(
        &self,
        py: Python<'_>,
        threads: Option<usize>,
        progress: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<CoreExperimentResult> {
        if threads == Some(0) {
            return Err(ScenarioError::new_err(
                "threads: must be at least 1, got 0".to_owned(),
            ));
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads.unwrap_or(0))
            .build()
            .map_err(|e| PyRuntimeError::new_err(format!("cannot start worker threads: {e}")))?;
        let experiment = &self.inner;
        let planned = experiment.planned_runs();
        let done = AtomicU64::new(0);
        let cancel = AtomicBool::new(false);
        let finished = AtomicBool::new(false);
        let poller = std::thread::current();
        let mut failure: Option<PyErr> = None;
        // A panic on this thread (none is expected) must still stop the workers
        // before the scope waits for them, and must not reach Python.
        let joined = no_panic(|| {
            std::thread::scope(|scope| {
                let _stop_on_exit = StopOnDrop(&cancel);
                let worker = scope.spawn(|| {
                    let count = |runs: u64, _planned: u64| {
                        done.fetch_max(runs, Ordering::Relaxed);
                    };
                    let outcome = no_panic(|| pool.install(|| experiment.run(&count, &cancel)));
                    finished.store(true, Ordering::Release);
                    poller.unpark();
                    outcome
                });
                let mut reported = 0;
                loop {
                    let stopped = py.detach(|| {
                        if !finished.load(Ordering::Acquire) {
                            std::thread::park_timeout(POLL);
                        }
                        finished.load(Ordering::Acquire)
                    });
                    if failure.is_none()
                        && let Err(e) = py.check_signals()
                    {
                        cancel.store(true, Ordering::Relaxed);
                        failure = Some(e);
                    }
                    let now = done.load(Ordering::Relaxed);
                    if let Some(callback) = progress
                        && failure.is_none()
                        && now != reported
                    {
                        reported = now;
                        if let Err(e) = callback.call1((now, planned)) {
                            cancel.store(true, Ordering::Relaxed);
                            failure = Some(e);
                        }
                    }
                    if stopped {
                        break;
                    }
                }
                worker.join()
            })
        })?;
        if let Some(e) = failure {
            return Err(e);
        }
        let outcome = joined.map_err(|_| {
            PyRuntimeError::new_err(
                "linetwin internal error (please report it): the experiment thread failed",
            )
        })??;
        match outcome {
            Ok(inner) => Ok(CoreExperimentResult { inner }),
            Err(ExperimentError::Invalid(e)) => Err(scenario_error(e)),
            Err(e @ ExperimentError::Interrupted(_)) => {
                Err(PyKeyboardInterrupt::new_err(e.to_string()))
            }
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "CoreExperiment({:?}, {} design points)",
            self.inner.name,
            self.inner.design_points.len()
        )
    }
}

/// The result of an experiment: statistics per design point and KPI.
#[pyclass(frozen, module = "linetwin._linetwin", name = "CoreExperimentResult")]
struct CoreExperimentResult {
    inner: ExperimentResult,
}

#[pymethods]
impl CoreExperimentResult {
    /// The result as `linetwin.kpi/2` JSON, byte for byte the CLI's `--json` output.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// The CLI's text table.
    fn to_table(&self) -> String {
        self.inner.to_table()
    }

    /// The `linetwin.assess/1` JSON of this result of `experiment` (made by
    /// `CoreExperiment.assessment`), the scenarios named `baseline` and `improved`.
    fn assessment_json(
        &self,
        experiment: &CoreExperiment,
        baseline: &str,
        improved: &str,
    ) -> String {
        Assessment::from_result(&experiment.inner, &self.inner, baseline, improved).to_json()
    }

    /// Replications run per design point.
    #[getter]
    fn replications(&self) -> u64 {
        self.inner.replications
    }

    /// Why the experiment stopped, in the words of the JSON's `stopping.rule`.
    #[getter]
    fn stopping(&self) -> &'static str {
        match self.inner.stopping {
            Stopping::Fixed => "fixed replications",
            Stopping::PrecisionReached => "precision reached",
            Stopping::MaxReplications => "maximum replications reached before the precision target",
        }
    }

    /// Every numeric KPI of every design point: (point, kpi path, mean, sd,
    /// 95% CI half-width, n), in report order.
    fn summary(&self) -> Vec<(usize, String, f64, f64, f64, u64)> {
        self.inner
            .points
            .iter()
            .enumerate()
            .flat_map(|(i, point)| {
                point.kpis().map(move |(kpi, tally)| {
                    let ci = tally.ci95();
                    (i, kpi, ci.mean, tally.sd(), ci.half_width, ci.n)
                })
            })
            .collect()
    }

    /// The whole result as text, for pickling ([`CoreExperimentResult::from_state`]).
    fn state(&self) -> String {
        self.inner.to_state()
    }

    /// A result from [`CoreExperimentResult::state`]'s text.
    #[staticmethod]
    fn from_state(text: &str) -> PyResult<Self> {
        ExperimentResult::from_state(text)
            .map(|inner| Self { inner })
            .map_err(PyValueError::new_err)
    }

    /// The paired difference `kpi(b) - kpi(a)`: (mean, 95% CI half-width, n).
    fn compare(&self, a: usize, b: usize, kpi: &str) -> PyResult<(f64, f64, u64)> {
        let ci = self
            .inner
            .compare(a, b, kpi)
            .map_err(PyValueError::new_err)?;
        Ok((ci.mean, ci.half_width, ci.n))
    }

    fn __repr__(&self) -> String {
        format!(
            "CoreExperimentResult({} design points, {} replications)",
            self.inner.points.len(),
            self.inner.replications
        )
    }
}

fn describe(path: &[String]) -> String {
    if path.is_empty() {
        "the scenario".to_owned()
    } else {
        format!("`{}`", path.concat())
    }
}

fn key_segment(path: &[String], key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!(".{key}")
    }
}

/// Converts Python values into the TOML value model, field by field.
///
/// `None` means "absent" (`Ok(None)`), so builders can pass optional fields
/// through. Values TOML cannot hold raise `TypeError` naming the field;
/// integers outside i64 raise `ScenarioError`, as the TOML parser would.
fn to_toml_value(obj: &Bound<'_, PyAny>, path: &mut Vec<String>) -> PyResult<Option<toml::Value>> {
    if path.len() > MAX_DEPTH {
        return Err(PyTypeError::new_err(format!(
            "{} is nested more than {MAX_DEPTH} levels deep",
            describe(path)
        )));
    }
    if obj.is_none() {
        return Ok(None);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Some(toml::Value::Boolean(b.is_true())));
    }
    if obj.is_instance_of::<PyInt>() {
        // A seed above TOML's integer range is written as a string of digits,
        // which scenario files accept for seeds (up to 2^64 - 1).
        let is_seed = matches!(
            path.as_slice(),
            [section, key] if key == ".seed" && (section == "scenario" || section == "experiment")
        );
        if is_seed
            && obj.extract::<i64>().is_err()
            && let Ok(seed) = obj.extract::<u64>()
        {
            return Ok(Some(toml::Value::String(seed.to_string())));
        }
        return match obj.extract::<i64>() {
            Ok(i) => Ok(Some(toml::Value::Integer(i))),
            Err(_) => Err(ScenarioError::new_err(format!(
                "{}: integer {} is out of range (TOML integers are 64-bit)",
                describe(path),
                obj.str()?
            ))),
        };
    }
    if obj.is_instance_of::<PyFloat>() {
        return Ok(Some(toml::Value::Float(obj.extract::<f64>()?)));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Some(toml::Value::String(s.to_str()?.to_owned())));
    }
    if let Ok(dict) = obj.cast::<PyDict>() {
        let mut table = toml::Table::new();
        for (key, value) in dict.iter() {
            let Ok(key) = key.cast::<PyString>() else {
                return Err(PyTypeError::new_err(format!(
                    "keys of {} must be str, not {}",
                    describe(path),
                    key.get_type().name()?
                )));
            };
            let key = key.to_str()?.to_owned();
            path.push(key_segment(path, &key));
            let converted = to_toml_value(&value, path)?;
            path.pop();
            if let Some(v) = converted {
                table.insert(key, v);
            }
        }
        return Ok(Some(toml::Value::Table(table)));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let mut array = Vec::new();
        for (i, item) in obj.try_iter()?.enumerate() {
            let item = item?;
            path.push(format!("[{i}]"));
            let converted = to_toml_value(&item, path)?;
            let described = describe(path);
            path.pop();
            match converted {
                Some(v) => array.push(v),
                None => {
                    return Err(PyTypeError::new_err(format!(
                        "{described} must not be None (a list cannot have holes)"
                    )));
                }
            }
        }
        return Ok(Some(toml::Value::Array(array)));
    }
    Err(PyTypeError::new_err(format!(
        "{} must be a dict, list, tuple, str, int, float or bool, not {}",
        describe(path),
        obj.get_type().name()?
    )))
}

/// The KPI catalogue (`linetwin kpis --json`) and the JSON Schemas of a run's and
/// an experiment's KPI documents (`linetwin kpis --schema [experiment]`).
#[pyfunction]
fn kpi_catalogue() -> (String, String, String) {
    (
        scenarios::catalogue::Catalogue::bundled().to_json(),
        scenarios::catalogue::RUN_SCHEMA.to_owned(),
        scenarios::catalogue::EXPERIMENT_SCHEMA.to_owned(),
    )
}

/// A KPI document (`run --json`'s, or `experiment --json`'s when `experiment`)
/// as the CLI's `--csv`.
#[pyfunction]
fn kpis_csv(document: &str, experiment: bool) -> PyResult<String> {
    let value: serde_json::Value = serde_json::from_str(document)
        .map_err(|e| PyValueError::new_err(format!("not a KPI document: {e}")))?;
    Ok(if experiment {
        scenarios::export::experiment_csv(&value)
    } else {
        scenarios::export::run_csv(&value)
    })
}

/// The compiled core of `linetwin`; use the public package instead.
#[pymodule]
mod _linetwin {
    #[pymodule_export]
    use super::CoreExperiment;
    #[pymodule_export]
    use super::CoreExperimentResult;
    #[pymodule_export]
    use super::CoreScenario;
    #[pymodule_export]
    use super::ScenarioError;
    #[pymodule_export]
    use super::kpi_catalogue;
    #[pymodule_export]
    use super::kpis_csv;
    #[pymodule_export]
    use super::pdm_dataset;
    #[pymodule_export]
    use super::sched::CoreInstance;
    #[pymodule_export]
    use super::sched::ScheduleError;
    #[pymodule_export]
    use super::sched::book_data;
    #[pymodule_export]
    use super::sched::book_plan;
    #[pymodule_export]
    use super::sched::book_robust;
    #[pymodule_export]
    use super::sched::sched_bench;
}
