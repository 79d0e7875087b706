"""The compiled core of linetwin (Rust, pyo3). Use the public package instead."""

import os
from collections.abc import Callable, Sequence
from typing import Any, final

__all__ = [
    "CoreExperiment",
    "CoreExperimentResult",
    "CoreInstance",
    "CoreScenario",
    "ScenarioError",
    "ScheduleError",
    "book_data",
    "book_plan",
    "book_robust",
    "kpi_catalogue",
    "kpis_csv",
    "pdm_dataset",
    "sched_bench",
]

class ScenarioError(ValueError):
    """A scenario that cannot be used: the message is the CLI's, naming the
    file, the line where known, the field and the value."""

@final
class CoreScenario:
    """A validated scenario: the file as written and the line it describes."""

    @staticmethod
    def from_path(path: str | os.PathLike[str]) -> CoreScenario:
        """Reads and validates the scenario TOML file at `path`."""

    @staticmethod
    def from_toml(text: str, origin: str, dir: str | None = None) -> CoreScenario:
        """Parses and validates scenario TOML `text`; `origin` names it in errors,
        and the files it names are relative to `dir`."""

    @staticmethod
    def from_dict(spec: Any, origin: str) -> CoreScenario:
        """Validates a scenario given as nested dicts and lists shaped like the TOML file."""

    def to_toml(self) -> str:
        """The scenario as TOML, in the format it is read from."""

    def with_experiment(self, spec: Any) -> CoreScenario:
        """The same scenario with its `[experiment]` section replaced by `spec`
        (nested dicts and lists shaped like the TOML table; None removes it).
        Paths inside it stay relative to this scenario's file."""

    @property
    def name(self) -> str:
        """The scenario name."""

    @property
    def origin(self) -> str:
        """Where the scenario came from: a path, or a label such as `<python>`."""

    @property
    def dir(self) -> str | None:
        """The directory the files the scenario names are relative to, if any."""

    @property
    def warnings(self) -> list[str]:
        """Structural oddities that do not stop a run."""

    def run(
        self,
        seed: int | None = None,
        horizon: float | None = None,
        warmup: float | None = None,
        rules: Sequence[tuple[str, Callable[[list[dict[str, Any]], dict[str, Any]], object]]]
        | None = None,
        replication: int | None = None,
        maintenance: Sequence[
            tuple[str, Callable[[list[tuple[float, float]], dict[str, Any]], object]]
        ]
        | None = None,
    ) -> tuple[str, str]:
        """Runs one replication with the GIL released; returns the KPIs as the
        CLI's `--json` text and as its text table."""

@final
class CoreExperiment:
    """A validated experiment: design points × replications, ready to run."""

    def __new__(cls, scenario: CoreScenario, seed: int | None = None) -> CoreExperiment:
        """Validates the experiment of `scenario`'s `[experiment]` section (a
        scenario without one is a single design point); `seed` overrides it."""

    @staticmethod
    def assessment(
        baseline: CoreScenario,
        improved: CoreScenario | None = None,
        variant: str | None = None,
        replications: int | None = None,
        seed: int | None = None,
        horizon: float | None = None,
        warmup: float | None = None,
    ) -> CoreExperiment:
        """The two-point experiment of `linetwin assess`: `baseline` against `improved`
        or its `variant`, on common random numbers."""
    @property
    def planned_runs(self) -> int:
        """The most runs the experiment can make: design points × replications."""

    @property
    def design_points(self) -> list[tuple[str, str, str]]:
        """The design points in order: label, variant and factor values (JSON text)."""

    def run(
        self,
        threads: int | None = None,
        progress: Callable[[int, int], object] | None = None,
    ) -> CoreExperimentResult:
        """Runs every design point × replication on `threads` worker threads (None:
        one per core) while this thread, with the GIL released between polls,
        calls `progress(done, planned)` when the count of finished runs changed
        and checks for signals. Ctrl-C (or an exception from `progress`) stops
        the runs in flight and is raised once the workers have stopped."""

@final
class CoreExperimentResult:
    """The result of an experiment: statistics per design point and KPI."""

    def to_json(self) -> str:
        """The result as `linetwin.kpi/2` JSON, byte for byte the CLI's `--json` output."""

    def to_table(self) -> str:
        """The CLI's text table."""

    def assessment_json(self, experiment: CoreExperiment, baseline: str, improved: str) -> str:
        """The `linetwin.assess/1` JSON of this result of `experiment` (made by
        `CoreExperiment.assessment`)."""

    @property
    def replications(self) -> int:
        """Replications run per design point."""

    @property
    def stopping(self) -> str:
        """Why the experiment stopped, in the words of the JSON's `stopping.rule`."""

    def summary(self) -> list[tuple[int, str, float, float, float, int]]:
        """Every numeric KPI of every design point: (point, kpi path, mean, sd,
        95% CI half-width, n), in report order."""

    def compare(self, a: int, b: int, kpi: str) -> tuple[float, float, int]:
        """The paired difference `kpi(b) - kpi(a)`: (mean, 95% CI half-width, n)."""

    def state(self) -> str:
        """The whole result as text, for pickling (`CoreExperimentResult::from_state`)."""

    @staticmethod
    def from_state(text: str) -> CoreExperimentResult:
        """A result from `CoreExperimentResult::state`'s text."""

class ScheduleError(ValueError):
    """An instance, schedule or scheduler name that cannot be used, or an
    infeasible schedule: the message is the CLI's, naming the line and token
    or every violation."""

_Row = tuple[int, int, int, int, int, int]

@final
class CoreInstance:
    """A scheduling instance with its best-known bounds."""

    @staticmethod
    def load(name_or_path: str, format: str = "auto") -> CoreInstance:
        """A bundled instance by name (`ft06`, `ta01`, `mk01`) or an instance file."""

    @staticmethod
    def from_text(text: str, format: str = "auto", name: str = "instance") -> CoreInstance:
        """An instance from text in `format`, named `name`."""

    @staticmethod
    def resolve(spec: str) -> list[str]:
        """The names of the instances a list of names and ranges (`la01-la40`) means."""

    @staticmethod
    def bundled() -> list[tuple[str, str, str]]:
        """Every bundled instance: (name, kind, collection)."""

    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def jobs(self) -> int: ...
    @property
    def machines(self) -> int: ...
    @property
    def bounds(self) -> tuple[int | None, int | None, bool]:
        """(lower bound, best known, proven optimal), each None where unknown."""

    def operations(self) -> list[tuple[int, int, int, int]]:
        """Every way to run every operation: (job, operation, machine, time)."""

    def solve(
        self, rule: str = "spt", scheme: str = "active", assignment: str = "earliest-finish"
    ) -> tuple[int, list[_Row]]:
        """A built-in scheduler's schedule: (makespan, rows (machine, position, job,
        operation, start, end)). Runs with the GIL released."""

    def evaluate(
        self,
        machines: Sequence[Sequence[tuple[int, int]]],
        starts: Sequence[Sequence[int]] | None = None,
    ) -> tuple[int, list[_Row]]:
        """Evaluates machine sequences: the semi-active schedule, or the given start
        times, checked."""

    def schedule_csv(
        self,
        machines: Sequence[Sequence[tuple[int, int]]],
        times: Sequence[Sequence[tuple[int, int]]],
    ) -> str:
        """The schedule's CSV text (the CLI's format)."""

    def robust(
        self,
        machines: Sequence[Sequence[tuple[int, int]]],
        policies: Sequence[str],
        rule: str,
        reschedule_rule: str,
        period: float | None,
        on_failure: bool,
        noise: str,
        noise_cv: float,
        mtbf: float | None,
        mttr: float | None,
        failure_clock: str,
        buffer: int | None,
        due_slack: float | None,
        replications: int,
        seed: int,
        users: Sequence[tuple[str, Callable[[dict[str, Any]], Any]]],
    ) -> str:
        """Executes the schedule `machines` in the instance's twin under disturbances and
        returns `linetwin sched robust --json`'s text. Runs with the GIL released."""

def book_data(scenario: CoreScenario, station: str | None = None) -> dict[str, Any]:
    """What a sequencing model of the scenario's order book at `station` (default: the one
    with setups) needs: `station`, `families`, `initial`, `setups[a][b]` and `orders` as
    (id, ready, due, weight, family, work, tail) tuples."""

def book_plan(
    scenario: CoreScenario, rule: str | None, planned: Sequence[str], seed: int | None
) -> str:
    """The plan of the scenario's order book at the `planned` stations, recorded at nominal
    times under `rule`, as plan CSV (`station,order,step`)."""

def book_robust(
    scenario: CoreScenario,
    plan: str | None,
    rule: str | None,
    planned: Sequence[str],
    policies: Sequence[str],
    dispatch_rule: str,
    due_slack: float | None,
    replications: int,
    seed: int | None,
) -> tuple[str, str]:
    """Executes the scenario's order book planned by `plan` (plan CSV; None: recorded under
    `rule`) under its own disturbances; returns `linetwin sched robust --json`'s text and the
    plan executed (CSV). Runs with the GIL released."""

def kpi_catalogue() -> tuple[str, str, str]:
    """The KPI catalogue as `linetwin kpis --json` prints it, and the JSON Schemas of a
    run's and of an experiment's KPI documents."""

def pdm_dataset(
    scenario: CoreScenario,
    units: int,
    station: str | None = None,
    mode: str | None = None,
    every: float | None = None,
    seed: int | None = None,
) -> tuple[
    str, str, list[int], list[float], list[float], list[str], list[int], list[float]
]:
    """A run-to-failure dataset of a wear mode: its station and mode names, then the
    columns unit, age, signal, state, state_index, rul."""

def kpis_csv(document: str, experiment: bool) -> str:
    """A KPI document (a run's JSON, or an experiment's when `experiment`) as the CLI's
    `--csv` text: one row per KPI value."""

def sched_bench(
    spec: str, rules: Sequence[str], scheme: str = "active", assignment: str = "earliest-finish"
) -> str:
    """Runs the built-in schedulers on the instances of `spec` and returns the CLI's
    `linetwin.sched-bench/1` JSON. Runs with the GIL released."""
