"""linetwin: fast discrete-event simulation of production lines.

Load a TOML scenario or build the same line in Python, run it, and compare
the KPIs::

    import linetwin

    baseline = linetwin.Scenario.from_toml("scenarios/library/assembly_line.toml")
    result = baseline.run(seed=1)
    print(result)                      # the CLI's table
    result.kpis["line"]["throughput"]  # linetwin.kpi/2 as a plain dict
    frames = result.to_pandas()        # tidy DataFrames (needs pandas)

    variant = linetwin.Line.from_scenario(baseline).update_station("paint", servers=2).build()

Monte-Carlo experiments (design points × replications, in parallel, with
common random numbers) use the scenario's ``[experiment]`` section or
keyword arguments::

    experiment = linetwin.Experiment(baseline, replications=20,
                                     variants={"2 painters": {"stations.paint.servers": 2}})
    result = experiment.run()
    result.summary()                                   # mean, sd, ci95, n per KPI
    result.compare("base", "2 painters", "line.throughput")

Every KPI is defined in a bilingual catalogue (ISO 22400-2 where the standard
has a definition), and the KPI dicts follow a JSON Schema::

    linetwin.kpi_catalogue(lang="zh")     # a DataFrame, one row per KPI
    linetwin.kpi_schema("run")            # the JSON Schema of result.kpis
    linetwin.assess(baseline, variant)    # improvement indicators with paired CIs

Scheduler benchmarks on standard job-shop, flow-shop and flexible job-shop
instances (bundled, with best-known bounds) live in :mod:`linetwin.sched`::

    linetwin.sched.bench("ft06,la01-la10", rules=["spt", "mwkr"])   # a DataFrame
    linetwin.sched.solve("ft06", rule="mwkr").plot()                # a Gantt chart

The simulation itself is Rust (``linetwin._linetwin``); it runs with the GIL
released. Invalid scenarios raise :class:`ScenarioError`, a ValueError whose
message is the one the ``linetwin`` CLI prints.
"""

from importlib.metadata import PackageNotFoundError, version

from linetwin._builder import (
    Distribution,
    Failure,
    Line,
    Operation,
    Setup,
    constant,
    discrete,
    erlang,
    exponential,
    gamma,
    lognormal,
    normal,
    piecewise_linear,
    triangular,
    uniform,
    weibull,
)
from linetwin._experiment import (
    Comparison,
    DesignPoint,
    Experiment,
    ExperimentResult,
    Stopping,
    tqdm_progress,
)
from linetwin import sched
from linetwin._kpis import assess, kpi_catalogue, kpi_schema
from linetwin._linetwin import ScenarioError, ScheduleError
from linetwin._maintenance import pdm_dataset
from linetwin._scenario import KpiFrames, RunResult, Scenario

try:
    __version__ = version("linetwin")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "Comparison",
    "DesignPoint",
    "Distribution",
    "Experiment",
    "ExperimentResult",
    "Failure",
    "KpiFrames",
    "Line",
    "Operation",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "ScheduleError",
    "Setup",
    "Stopping",
    "__version__",
    "assess",
    "constant",
    "discrete",
    "erlang",
    "exponential",
    "gamma",
    "kpi_catalogue",
    "kpi_schema",
    "lognormal",
    "normal",
    "pdm_dataset",
    "piecewise_linear",
    "sched",
    "tqdm_progress",
    "triangular",
    "uniform",
    "weibull",
]
