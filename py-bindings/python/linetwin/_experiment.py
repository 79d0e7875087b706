"""Monte-Carlo experiments: design points × replications, run in Rust."""

from __future__ import annotations

import importlib
import json
import numbers
import operator
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NamedTuple

from linetwin._linetwin import CoreExperiment, CoreExperimentResult, ScenarioError, kpis_csv
from linetwin._scenario import Scenario, _optional_seed, _optional_time, _plain, _type_name

if TYPE_CHECKING:
    import pandas

__all__ = [
    "Comparison",
    "DesignPoint",
    "Experiment",
    "ExperimentResult",
    "Stopping",
    "tqdm_progress",
]


#: The most worker threads an experiment may ask for (the CLI's --threads limit).
_MAX_THREADS = 1024

#: A progress callback: ``progress(done, total)`` runs.
Progress = Callable[[int, int], object]


class Stopping(StrEnum):
    """Why an experiment stopped; the values are the JSON's ``stopping.rule``."""

    FIXED = "fixed replications"
    """The fixed number of replications was run."""
    PRECISION_REACHED = "precision reached"
    """Every design point reached the precision target."""
    MAX_REPLICATIONS = "maximum replications reached before the precision target"
    """``max_replications`` was reached first."""


@dataclass(frozen=True)
class DesignPoint:
    """One design point: a variant with one combination of factor values."""

    index: int
    """Position in the experiment, from 0 (the scenario itself, first factor values)."""
    label: str
    """``variant: parameter=value, ...``, as in the CLI's table and JSON."""
    variant: str
    """The variant's name (``base`` for the scenario itself)."""
    factors: dict[str, Any]
    """Factor values of this point, by parameter."""


class Comparison(NamedTuple):
    """The paired difference ``kpi(b) − kpi(a)`` over common replications
    (common random numbers), with its 95% confidence interval."""

    a: str
    """Label of the first design point."""
    b: str
    """Label of the second design point."""
    kpi: str
    """The KPI path, e.g. ``line.throughput``."""
    mean: float
    """Mean difference ``b − a``."""
    ci95: float
    """Half-width of the 95% confidence interval (Student t); NaN when n < 2."""
    n: int
    """Replications paired."""

    @property
    def low(self) -> float:
        """Lower end of the 95% confidence interval."""
        return self.mean - self.ci95

    @property
    def high(self) -> float:
        """Upper end of the 95% confidence interval."""
        return self.mean + self.ci95


def _optional_count(func: str, arg: str, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{func}: argument '{arg}' must be an int or None, not {_type_name(value)}")
    return operator.index(value)


def _values(func: str, arg: str, value: object) -> list[Any]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(
            f"{func}: argument '{arg}' must be a list of values, not {_type_name(value)}"
        )
    return [_plain(v) for v in value]


def _parameter(func: str, arg: str, value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(
            f"{func}: argument '{arg}' must be a parameter name (str), not {_type_name(value)}"
        )
    return value


def _factors(func: str, value: object) -> list[dict[str, Any]]:
    """``{parameter: values}``, ``[(parameter, values), ...]`` or the TOML shape
    ``[{"parameter": ..., "values": [...]}, ...]``."""
    shape = "a dict of parameter: values or a list of (parameter, values)"
    if isinstance(value, Mapping):
        return [
            {
                "parameter": _parameter(func, "factors", parameter),
                "values": _values(func, f"factors[{parameter!r}]", values),
            }
            for parameter, values in value.items()
        ]
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(f"{func}: argument 'factors' must be {shape}, not {_type_name(value)}")
    factors = []
    for i, item in enumerate(value):
        if isinstance(item, Mapping):
            factors.append(_plain(item))
        elif isinstance(item, (list, tuple)) and len(item) == 2:
            factors.append(
                {
                    "parameter": _parameter(func, f"factors[{i}][0]", item[0]),
                    "values": _values(func, f"factors[{i}][1]", item[1]),
                }
            )
        else:
            raise TypeError(
                f"{func}: argument 'factors[{i}]' must be a (parameter, values) pair, "
                f"not {_type_name(item)}"
            )
    return factors


def _variant(func: str, name: object, value: object) -> dict[str, Any]:
    if not isinstance(name, str):
        raise TypeError(f"{func}: argument 'variants' must have str names, not {_type_name(name)}")
    if isinstance(value, (str, os.PathLike)):
        path = os.fspath(value)
        if not isinstance(path, str):
            raise TypeError(f"{func}: argument 'variants[{name!r}]' must be a text path")
        return {"name": name, "scenario": path}
    if not isinstance(value, Mapping):
        raise TypeError(
            f"{func}: argument 'variants[{name!r}]' must be a dict of parameter: value "
            f"or a scenario path, not {_type_name(value)}"
        )
    if "scenario" in value or "set" in value:
        # The TOML shape: {"scenario": path, "set": {parameter: value}}.
        variant: dict[str, Any] = {"name": name}
        if value.get("scenario") is not None:
            variant["scenario"] = os.fspath(value["scenario"])
        if value.get("set") is not None:
            variant["set"] = _plain(value["set"])
        return variant
    return {"name": name, "set": _plain(value)}


def _variants(func: str, value: object) -> list[dict[str, Any]]:
    """``{name: {parameter: value}}``, ``{name: scenario_path}`` or the TOML shape
    ``[{"name": ..., "scenario": ..., "set": {...}}, ...]``."""
    if isinstance(value, Mapping):
        return [_variant(func, name, v) for name, v in value.items()]
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(
            f"{func}: argument 'variants' must be a dict of name: changes, not {_type_name(value)}"
        )
    variants = []
    for i, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise TypeError(
                f"{func}: argument 'variants[{i}]' must be a dict with a name, "
                f"not {_type_name(item)}"
            )
        variants.append(_plain(item))
    return variants


def experiment_section(
    func: str,
    base: Mapping[str, Any] | None,
    *,
    replications: object = None,
    seed: object = None,
    horizon: object = None,
    warmup: object = None,
    factors: object = None,
    variants: object = None,
    precision: object = None,
) -> dict[str, Any] | None:
    """``base`` (an ``[experiment]`` table, or None) with the given fields
    replaced; None when there is nothing to say. Checks types only: the
    values are checked by the Rust core, with the CLI's messages."""
    section = dict(base or {})
    count = _optional_count(func, "replications", replications)
    if count is not None:
        section["replications"] = count
    seed_ = _optional_seed(func, seed)
    if seed_ is not None:
        section["seed"] = seed_
    for arg, value in (("horizon", horizon), ("warmup", warmup)):
        time = _optional_time(func, arg, value)
        if time is not None:
            section[arg] = time
    if factors is not None:
        section["factors"] = _factors(func, factors)
    if variants is not None:
        section["variants"] = _variants(func, variants)
    if precision is not None:
        if not isinstance(precision, Mapping):
            raise TypeError(
                f"{func}: argument 'precision' must be a dict with kpi, relative_half_width "
                f"and max_replications, not {_type_name(precision)}"
            )
        section["precision"] = _plain(precision)
    return section or None


def _design_points(raw: list[tuple[str, str, str]]) -> list[DesignPoint]:
    return [
        DesignPoint(i, label, variant, json.loads(factors))
        for i, (label, variant, factors) in enumerate(raw)
    ]


class Experiment:
    """A Monte-Carlo experiment: every design point × replication, in parallel.

    The options are those of a scenario file's ``[experiment]`` section, which
    a scenario read from such a file brings along; the keyword arguments
    replace its fields (``factors``, ``variants`` and ``precision`` as a
    whole)::

        experiment = linetwin.Experiment(
            scenario,
            replications=20,
            factors={"buffers.B3.capacity": [1, 2, 5], "stations.S2.servers": [1, 2]},
            variants={"fast-repair": {"stations.S4.failures.jam.ttr.mean": 10.0}},
        )
        result = experiment.run(progress=lambda done, total: print(done, "/", total))
        result.summary()           # tidy DataFrame (needs pandas)
        result.compare(0, 1, "line.throughput")

    ``factors`` is ``{parameter: values}`` or a list of ``(parameter, values)``
    (a full-factorial grid, the first factor varying slowest); ``variants`` is
    ``{name: {parameter: value}}``, ``{name: "other.toml"}`` or
    ``{name: {"scenario": "other.toml", "set": {...}}}``; ``precision`` is
    ``{"kpi": ..., "relative_half_width": ..., "max_replications": ...}``: run
    until that KPI's 95% CI is that narrow, relative to its mean, in every
    design point. ``threads`` is the number of worker threads (None: one per
    core); results never depend on it.

    Raises ScenarioError (the CLI's message) for invalid options, TypeError
    for arguments of the wrong type.
    """

    __slots__ = ("_core", "_scenario", "_seed", "_threads")

    def __init__(
        self,
        scenario: Scenario,
        *,
        replications: int | None = None,
        seed: int | None = None,
        threads: int | None = None,
        factors: Mapping[str, Sequence[Any]] | Sequence[Any] | None = None,
        variants: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
        precision: Mapping[str, Any] | None = None,
        horizon: float | None = None,
        warmup: float | None = None,
    ) -> None:
        """Validates the experiment; see the class documentation."""
        func = "Experiment()"
        if not isinstance(scenario, Scenario):
            raise TypeError(
                f"{func}: argument 'scenario' must be a Scenario, not {_type_name(scenario)}"
            )
        threads_ = _optional_count(func, "threads", threads)
        if threads_ is not None and not 1 <= threads_ <= _MAX_THREADS:
            # As the CLI's --threads: more would only spend time spawning threads.
            raise ScenarioError(
                f"threads: must be an integer from 1 to {_MAX_THREADS}, got {threads_}"
            )
        self._threads = threads_
        self._seed = _optional_seed(func, seed)
        section = experiment_section(
            func,
            scenario.to_dict().get("experiment"),
            replications=replications,
            seed=seed,
            horizon=horizon,
            warmup=warmup,
            factors=factors,
            variants=variants,
            precision=precision,
        )
        core = scenario._core.with_experiment(section or None)
        self._scenario = Scenario(core)
        self._core = CoreExperiment(core, self._seed)

    @classmethod
    def _from_core(
        cls, core: CoreExperiment, scenario: Scenario, threads: int | None
    ) -> Experiment:
        """An experiment the core built (e.g. an assessment's two points)."""
        func = "assess()"
        threads_ = _optional_count(func, "threads", threads)
        if threads_ is not None and not 1 <= threads_ <= _MAX_THREADS:
            raise ScenarioError(
                f"threads: must be an integer from 1 to {_MAX_THREADS}, got {threads_}"
            )
        experiment = cls.__new__(cls)
        experiment._core = core
        experiment._scenario = scenario
        experiment._seed = None
        experiment._threads = threads_
        return experiment

    def __reduce__(self) -> tuple[Any, tuple[Scenario, int | None, int | None]]:
        """Pickles as its scenario (which holds the ``[experiment]`` section and
        its directory), seed and thread count."""
        return (_restore_experiment, (self._scenario, self._seed, self._threads))

    @property
    def scenario(self) -> Scenario:
        """The scenario with this experiment as its ``[experiment]`` section:
        ``experiment.scenario.to_toml("study.toml")`` writes a file that
        ``linetwin experiment study.toml`` runs to the same results."""
        return self._scenario

    @property
    def design_points(self) -> list[DesignPoint]:
        """The design points in order: variants (base first), each over the factor grid."""
        return _design_points(self._core.design_points)

    @property
    def planned_runs(self) -> int:
        """The most runs the experiment can make: design points × replications
        (× ``max_replications`` under a precision rule)."""
        return self._core.planned_runs

    @property
    def threads(self) -> int | None:
        """Worker threads (None: one per core)."""
        return self._threads

    def run(self, progress: Progress | None = None) -> ExperimentResult:
        """Runs every design point × replication and returns the statistics.

        The runs go to a pool of ``threads`` worker threads with the GIL
        released: other Python threads go on meanwhile. About every 100 ms the
        calling thread calls ``progress(done, total)`` if the number of
        finished runs changed (``total`` is :attr:`planned_runs`; a precision
        rule may stop earlier). It works with tqdm::

            bar = tqdm.tqdm(total=experiment.planned_runs)
            experiment.run(progress=lambda done, total: bar.update(done - bar.n))

        or, with tqdm installed, ``with linetwin.tqdm_progress() as p:
        experiment.run(progress=p)``.

        Ctrl-C (KeyboardInterrupt), or an exception raised by ``progress``,
        stops the runs in flight and is raised once they have stopped; there
        are no partial results. Raises ScenarioError if a run fails.
        """
        if progress is not None and not callable(progress):
            raise TypeError(
                "Experiment.run(): argument 'progress' must be callable or None, "
                f"not {_type_name(progress)}"
            )
        core = self._core.run(self._threads, progress)
        return ExperimentResult(core)

    def __repr__(self) -> str:
        """Scenario name, design points and planned runs."""
        points = len(self._core.design_points)
        return (
            f"<Experiment {self._scenario.name!r}: {points} design point"
            f"{'s' if points != 1 else ''}, up to {self.planned_runs} runs>"
        )


def _restore_experiment(scenario: Scenario, seed: int | None, threads: int | None) -> Experiment:
    """An unpickled :class:`Experiment`."""
    return Experiment(scenario, seed=seed, threads=threads)


class ExperimentResult:
    """The statistics of an experiment: per design point and numeric KPI,
    mean, sd, 95% CI half-width and n; paired differences between points.

    ``to_json()`` is byte for byte ``linetwin experiment FILE --json``;
    ``str(result)`` is the CLI's table.
    """

    __slots__ = ("_core", "_document")

    def __init__(self, core: CoreExperimentResult) -> None:
        """Wraps the compiled result; results come from :meth:`Experiment.run`."""
        if not isinstance(core, CoreExperimentResult):
            raise TypeError("ExperimentResult() wraps a compiled result; use Experiment.run")
        self._core = core
        self._document: dict[str, Any] = json.loads(core.to_json())

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        """Pickles as its whole state (every tally, so that :meth:`compare` still works
        after unpickling, e.g. in another process of a Dask cluster)."""
        return (_restore_result, (self._core.state(),))

    @property
    def replications(self) -> int:
        """Replications run per design point."""
        return self._core.replications

    @property
    def stopping(self) -> Stopping:
        """Why the experiment stopped (fixed replications, precision reached,
        or the maximum replications reached first)."""
        return Stopping(self._core.stopping)

    @property
    def seed(self) -> int:
        """The master seed."""
        seed: int = self._document["seed"]
        return seed

    @property
    def design_points(self) -> list[DesignPoint]:
        """The design points in order."""
        return [
            DesignPoint(p["index"], p["label"], p["variant"], p["factors"])
            for p in self._document["design_points"]
        ]

    @property
    def kpis(self) -> dict[str, Any]:
        """The whole result as a plain dict: ``json.loads(result.to_json())``."""
        document: dict[str, Any] = json.loads(self._core.to_json())
        return document

    def _index(self, arg: str, point: object) -> int:
        points = self._document["design_points"]
        if isinstance(point, str):
            for p in points:
                if p["label"] == point:
                    index: int = p["index"]
                    return index
            labels = ", ".join(repr(p["label"]) for p in points)
            raise ValueError(f"no design point labelled {point!r} (labels: {labels})")
        if isinstance(point, bool) or not isinstance(point, numbers.Integral):
            raise TypeError(
                f"ExperimentResult.compare(): argument '{arg}' must be a design point index "
                f"or label, not {_type_name(point)}"
            )
        index = operator.index(point)
        if not 0 <= index < len(points):
            raise ValueError(f"design points are numbered 0 to {len(points) - 1}, got {index}")
        return index

    def compare(self, a: int | str, b: int | str, kpi: str = "line.throughput") -> Comparison:
        """The paired difference ``kpi(b) − kpi(a)`` by replication (common
        random numbers), with its 95% CI. ``a`` and ``b`` are design point
        indices or labels; ``kpi`` a dotted path such as ``line.wip_mean``.

        Its mean equals the difference of the two means in :meth:`summary`;
        its CI is usually much narrower than theirs. Raises ValueError for an
        unknown point or KPI.
        """
        if not isinstance(kpi, str):
            raise TypeError(
                f"ExperimentResult.compare(): argument 'kpi' must be str, not {_type_name(kpi)}"
            )
        first, second = self._index("a", a), self._index("b", b)
        mean, ci95, n = self._core.compare(first, second, kpi)
        labels = [p["label"] for p in self._document["design_points"]]
        return Comparison(labels[first], labels[second], kpi, mean, ci95, n)

    def summary(self) -> pandas.DataFrame:
        """A tidy DataFrame: one row per design point and numeric KPI.

        Index ``design_point``; columns ``label, variant``, one column per
        factor (named by its parameter), ``kpi`` (dotted path, e.g.
        ``line.throughput``, ``stations.S1.states.blocked``), ``mean, sd,
        ci95`` (95% CI half-width) and ``n``. Needs pandas.
        """
        try:
            import pandas as pd
        except ImportError as e:  # pragma: no cover - pandas is a test dependency
            raise ImportError("ExperimentResult.summary() needs pandas: pip install pandas") from e
        points = self.design_points
        parameters: list[str] = []
        for p in points:
            parameters.extend(k for k in p.factors if k not in parameters)
        rows = []
        for index, kpi, mean, sd, ci95, n in self._core.summary():
            point = points[index]
            rows.append(
                {
                    "design_point": index,
                    "label": point.label,
                    "variant": point.variant,
                    **{k: point.factors.get(k) for k in parameters},
                    "kpi": kpi,
                    "mean": mean,
                    "sd": sd,
                    "ci95": ci95,
                    "n": n,
                }
            )
        columns = [
            "design_point", "label", "variant", *parameters, "kpi", "mean", "sd", "ci95", "n",
        ]  # fmt: skip
        frame = pd.DataFrame(rows, columns=columns)
        return frame.set_index("design_point")

    def to_json(self) -> str:
        """The result as ``linetwin.kpi/2`` JSON, byte for byte the output of
        ``linetwin experiment FILE --json`` for the same file and seed."""
        return self._core.to_json()

    def to_csv(self, path: str | os.PathLike[str] | None = None) -> str:
        """The result as CSV, byte for byte ``linetwin experiment FILE --csv``:
        one row per design point and KPI (``design_point, kpi, scope, entity,
        mean, ci95, n, unit``; ``kpi`` is the catalogue's id, see
        :func:`linetwin.kpi_catalogue`). Also written to ``path`` if given."""
        text = kpis_csv(self._core.to_json(), True)
        if path is not None:
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(text)
        return text

    def __str__(self) -> str:
        """The CLI's table: main KPIs with 95% CIs, paired differences."""
        return self._core.to_table()

    def __repr__(self) -> str:
        """Scenario, design points, replications, seed and stopping rule."""
        d = self._document
        points = len(d["design_points"])
        return (
            f"<ExperimentResult {d['scenario']!r}: {points} design point"
            f"{'s' if points != 1 else ''} × {d['replications']} replication"
            f"{'s' if d['replications'] != 1 else ''}, "
            f"seed {d['seed']} ({d['stopping']['rule']})>"
        )


class tqdm_progress:  # noqa: N801 - used like a function
    """A progress callback drawing a tqdm bar (``tqdm.auto``: a widget in
    Jupyter, text in a terminal). Needs tqdm, which linetwin does not
    install::

        with linetwin.tqdm_progress(desc="runs") as progress:
            result = experiment.run(progress=progress)

    Keyword arguments go to ``tqdm``. The bar closes when the runs reach the
    total, or at the end of the ``with`` block (a precision rule may stop
    earlier).
    """

    __slots__ = ("_bar", "_kwargs", "_tqdm")

    def __init__(self, **kwargs: Any) -> None:
        """Checks that tqdm is installed; the bar appears at the first call."""
        try:
            module = importlib.import_module("tqdm.auto")
        except ImportError as e:
            raise ImportError("linetwin.tqdm_progress() needs tqdm: pip install tqdm") from e
        self._tqdm: Any = module.tqdm
        self._kwargs = {"unit": "runs", **kwargs}
        self._bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        """Moves the bar to ``done`` of ``total`` runs."""
        if self._bar is None:
            self._bar = self._tqdm(total=total, **self._kwargs)
        self._bar.update(done - self._bar.n)
        if done >= total:
            self.close()

    def close(self) -> None:
        """Closes the bar (idempotent)."""
        if self._bar is not None:
            self._bar.close()

    def __enter__(self) -> tqdm_progress:
        """The callback itself."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Closes the bar."""
        self.close()


def _restore_result(state: str) -> ExperimentResult:
    """Unpickles an :class:`ExperimentResult`."""
    return ExperimentResult(CoreExperimentResult.from_state(state))
