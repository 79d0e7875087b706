"""Scenarios and their results: load, run, compare."""

from __future__ import annotations

import json
import math
import numbers
import operator
import os
import tomllib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from linetwin._linetwin import CoreScenario, kpis_csv

if TYPE_CHECKING:
    import pandas

__all__ = ["KpiFrames", "RunResult", "Scenario"]

_U64_MAX = 2**64 - 1
#: As in the compiled core: the format nests four levels; this stops runaway recursion.
_MAX_DEPTH = 32


def _type_name(value: object) -> str:
    return type(value).__name__


def _optional_seed(func: str, value: object, arg: str = "seed") -> int | None:
    """An unsigned 64-bit integer argument (a seed, a replication index), or None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{func}: argument '{arg}' must be an int or None, not {_type_name(value)}")
    seed = operator.index(value)
    if not 0 <= seed <= _U64_MAX:
        raise ValueError(
            f"{func}: argument '{arg}' must be an integer from 0 to {_U64_MAX}, got {seed}"
        )
    return seed


def _optional_time(func: str, arg: str, value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{func}: argument '{arg}' must be a number or None, not {_type_name(value)}"
        )
    return to_float(value)


def to_float(value: Any) -> float:
    """``float(value)``, saturating at infinity like the CLI's number parser
    (the validator then names the field and the value)."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _path(func: str, arg: str, value: object) -> str:
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(
            f"{func}: argument '{arg}' must be str or os.PathLike, not {_type_name(value)}"
        )
    path = os.fspath(value)
    if not isinstance(path, str):
        raise TypeError(f"{func}: argument '{arg}' must be a text path, not {_type_name(path)}")
    return path


def _text(func: str, arg: str, value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{func}: argument '{arg}' must be str, not {_type_name(value)}")
    return value


#: A Python dispatching rule: ``rule(candidates, state) -> index``.
Rule = Callable[[list[dict[str, Any]], dict[str, Any]], int]
MaintenancePolicy = Callable[[list[tuple[float, float]], dict[str, Any]], bool]

def _callables(
    func: str, arg: str, keys: str, value: Mapping[str, Any] | None
) -> list[tuple[str, Any]] | None:
    """``value``, a mapping of names to callables (rules, policies), as pairs."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise TypeError(
            f"{func}: argument '{arg}' must be a mapping of {keys} to callables, "
            f"not {type(value).__name__}"
        )
    pairs = []
    for name, item in value.items():
        if not isinstance(name, str) or not callable(item):
            raise TypeError(
                f"{func}: argument '{arg}' must map {keys} to callables, "
                f"got {name!r}: {type(item).__name__}"
            )
        pairs.append((name, item))
    return pairs


class Scenario:
    """A validated production-line scenario, ready to run.

    Create one with :meth:`from_toml` (a scenario file), :meth:`from_dict`
    (nested dicts shaped like the file) or :meth:`linetwin.Line.build` (a line
    built in Python). All three validate into the same Rust spec, so a line
    built in Python and the same line read from TOML give identical results
    for the same seed.

    Invalid input raises :class:`linetwin.ScenarioError` with the CLI's message.
    """

    __slots__ = ("_core",)

    _core: CoreScenario

    def __init__(self, core: CoreScenario) -> None:
        """Wraps a compiled scenario; use the ``from_*`` constructors instead."""
        if not isinstance(core, CoreScenario):
            raise TypeError(
                "Scenario() takes a compiled scenario; use Scenario.from_toml, "
                "Scenario.from_dict or Line.build"
            )
        self._core = core

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> Scenario:
        """Reads and validates the scenario TOML file at ``path``.

        Raises ScenarioError (the CLI's message, naming the file, line and
        field) if the file cannot be read or describes no valid line.
        """
        path = _path("Scenario.from_toml()", "path", path)
        return cls(CoreScenario.from_path(path))

    @classmethod
    def from_toml_string(
        cls,
        text: str,
        origin: str = "<string>",
        directory: str | os.PathLike[str] | None = None,
    ) -> Scenario:
        """Parses and validates scenario TOML ``text``; ``origin`` names it in
        errors. Files it names (an orders CSV, variant scenarios) are relative
        to ``directory``, as if the text had been read from a file there."""
        func = "Scenario.from_toml_string()"
        text = _text(func, "text", text)
        origin = _text(func, "origin", origin)
        dir_ = None if directory is None else str(_path(func, "directory", directory))
        return cls(CoreScenario.from_toml(text, origin, dir_))

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any], origin: str = "<python>") -> Scenario:
        """Validates a scenario given as nested dicts and lists shaped like the
        TOML file (``{"scenario": {...}, "products": [...], ...}``).

        ``None`` values count as absent. Values TOML cannot hold raise
        TypeError naming the field; everything else the CLI would reject
        raises ScenarioError with its message (without a line number).
        """
        if not isinstance(spec, Mapping):
            raise TypeError(
                f"Scenario.from_dict(): argument 'spec' must be a dict, not {_type_name(spec)}"
            )
        origin = _text("Scenario.from_dict()", "origin", origin)
        return cls(CoreScenario.from_dict(_plain(spec), origin))

    @property
    def name(self) -> str:
        """The scenario name (``scenario.name``)."""
        return self._core.name

    @property
    def origin(self) -> str:
        """Where the scenario came from: its path, or ``<python>`` / ``<string>``."""
        return self._core.origin

    @property
    def warnings(self) -> list[str]:
        """Structural oddities of the line that do not stop a run."""
        return self._core.warnings

    def to_toml(self, path: str | os.PathLike[str] | None = None) -> str:
        """The scenario as TOML text, in the format :meth:`from_toml` reads.

        With ``path``, also writes the text to that file (UTF-8).
        """
        text = self._core.to_toml()
        if path is not None:
            target = _path("Scenario.to_toml()", "path", path)
            with open(target, "w", encoding="utf-8") as f:
                f.write(text)
        return text

    def to_dict(self) -> dict[str, Any]:
        """The scenario as plain nested dicts and lists, as in the TOML file.

        Edit it and pass it to :meth:`from_dict` to make a variant.
        """
        return tomllib.loads(self._core.to_toml())

    def run(
        self,
        seed: int | None = None,
        horizon: float | None = None,
        warmup: float | None = None,
        rules: Mapping[str, Rule] | None = None,
        replication: int | None = None,
        maintenance: Mapping[str, MaintenancePolicy] | None = None,
    ) -> RunResult:
        """Runs one replication and returns its KPIs.

        ``seed``, ``horizon`` and ``warmup`` override the scenario's
        ``[scenario]`` settings, like the CLI's ``--seed``, ``--horizon`` and
        ``--warmup``; ``replication`` (default 0) picks replication i's random
        streams, like ``--replication``: with an experiment's seed, horizon and
        warm-up it replays replication i of the experiment's first design
        point. The simulation runs with the GIL released, so other
        Python threads go on meanwhile, and Ctrl-C raises KeyboardInterrupt
        within a fraction of a second (the engine cannot stop inside a
        replication: an interrupted one finishes in the background and its
        result is dropped).

        ``rules`` maps station names to Python dispatching rules, which replace
        those stations' rules: ``rule(candidates, state) -> int`` returns the
        index in ``candidates`` (a list of dicts with ``position, product,
        family, order, due, weight, priority, processing_time,
        remaining_work, remaining_operations, waiting_since, setup_time``) of
        the part to take; ``state`` has ``now, station, server,
        configured_family``. Python rules run with the GIL held, once per
        decision, so they are far slower than the built-in ones. An exception
        in a rule stops the run and is raised here as it was raised.

        ``maintenance`` maps wear modes, as ``"station/mode"``, to Python
        maintenance policies that replace their policies from the file:
        ``policy(history, unit) -> bool`` is called at every reading of the
        mode's condition signal with ``history``, the readings since the last
        renewal as ``(age, value)`` tuples (the last is the one just taken), and
        ``unit``, a dict of ``station, mode, server, now, age``; True calls for
        preventive work now. A fitted RUL model plugs in here. Policies run with
        the GIL held, once per reading; an exception stops the run and is
        raised here as it was raised.

        Raises ScenarioError for unusable overrides (e.g. a warm-up beyond the
        horizon), a rule for an unknown station or a policy for an unknown wear
        mode (or one without a signal), TypeError for arguments of the wrong
        type (or a rule that returns something else than an int, a policy
        something else than a bool).
        """
        func = "Scenario.run()"
        seed_ = _optional_seed(func, seed)
        horizon_ = _optional_time(func, "horizon", horizon)
        warmup_ = _optional_time(func, "warmup", warmup)
        rules_ = _callables(func, "rules", "station names", rules)
        maintenance_ = _callables(func, "maintenance", "'station/mode' names", maintenance)
        replication_ = _optional_seed(func, replication, "replication")
        text, table = self._core.run(
            seed_, horizon_, warmup_, rules_, replication_, maintenance_
        )
        return RunResult(text, table)

    def __reduce__(self) -> tuple[Any, tuple[str, str, str | None]]:
        """Pickles as its TOML text, origin and directory (for multiprocessing,
        Dask, ...): the files it names are found again where they were."""
        return (Scenario.from_toml_string, (self._core.to_toml(), self.origin, self._core.dir))

    def __eq__(self, other: object) -> bool:
        """Two scenarios are equal when they describe the same file (origin aside)."""
        if not isinstance(other, Scenario):
            return NotImplemented
        return self._core.to_toml() == other._core.to_toml()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        """``Scenario(name, origin=...)``."""
        return f"Scenario({self.name!r}, origin={self.origin!r})"


def _plain(value: Any, depth: int = 0) -> Any:
    """Turns the builder's objects and any mappings and sequences into the
    dicts and lists the compiled core accepts; leaves everything else to it."""
    from linetwin._builder import Distribution, Failure

    if depth > _MAX_DEPTH:
        raise TypeError(f"the scenario is nested more than {_MAX_DEPTH} levels deep")
    if isinstance(value, (Distribution, Failure)):
        return value.to_dict()
    if isinstance(value, Mapping):
        return {k: _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, depth + 1) for v in value]
    return value


class KpiFrames(NamedTuple):
    """The KPIs of one run as tidy pandas DataFrames."""

    line: pandas.DataFrame
    """One row per line KPI: ``scenario, seed, kpi, value``
    (nested KPIs are dotted, e.g. ``lead_time.p90``, ``oee.availability``)."""
    stations: pandas.DataFrame
    """One row per station: ``scenario, seed, station, servers, utilization,
    operations, scrapped, failures, setups, setup_time, waiting_time_mean,
    availability, performance, quality, oee, bottleneck``."""
    states: pandas.DataFrame
    """One row per station and server state: ``scenario, seed, station, state,
    fraction`` (fractions of each station sum to 1)."""
    products: pandas.DataFrame
    """One row per product: ``scenario, seed, product, parts_completed,
    throughput, throughput_per_hour, lead_time_mean, lead_time_p50,
    lead_time_p90, lead_time_p95, lead_time_max``."""
    buffers: pandas.DataFrame
    """One row per named buffer: ``scenario, seed, buffer, capacity`` (None:
    unlimited), ``content_mean, content_max, full_fraction``."""
    orders: pandas.DataFrame
    """One row per order (empty without orders): ``scenario, seed, id, product,
    quantity, completed, release, due, completion, lateness, tardiness`` (times
    NaN where undefined: no due date, not done by the horizon)."""


_ORDER_TIMES = frozenset({"release", "due", "completion", "lateness", "tardiness"})


def _flatten(prefix: str, value: Any, out: list[tuple[str, float]]) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            _flatten(f"{prefix}.{key}" if prefix else key, item, out)
    else:
        out.append((prefix, math.nan if value is None else float(value)))


def _number(value: Any) -> float:
    return math.nan if value is None else float(value)


class RunResult:
    """The KPIs of one replication.

    ``kpis`` is a plain dict equal to ``json.loads`` of the CLI's ``--json``
    output for the same scenario and seed (undefined ratios are ``None``);
    ``str(result)`` is the CLI's text table.
    """

    __slots__ = ("_json", "_kpis", "_table")

    def __init__(self, json_text: str, table: str) -> None:
        """Wraps the CLI's JSON and table; results come from :meth:`Scenario.run`."""
        self._json = json_text
        self._kpis: dict[str, Any] = json.loads(json_text)
        self._table = table

    def __reduce__(self) -> tuple[Any, tuple[str, str]]:
        """Pickles as the CLI's JSON and table."""
        return (RunResult, (self._json, self._table))

    @property
    def kpis(self) -> dict[str, Any]:
        """The ``linetwin.kpi/2`` KPIs as a plain dict (a fresh copy each time)."""
        result: dict[str, Any] = json.loads(self._json)
        return result

    @property
    def throughput(self) -> float:
        """Completed parts per model time unit."""
        return _number(self._kpis["line"]["throughput"])

    @property
    def bottleneck(self) -> str:
        """The bottleneck station's name (active-period method)."""
        name: str = self._kpis["bottleneck"]
        return name

    def to_json(self) -> str:
        """The KPIs as ``linetwin.kpi/2`` JSON, byte for byte the CLI's ``--json`` output."""
        return self._json

    def to_csv(self, path: str | os.PathLike[str] | None = None) -> str:
        """The KPIs as CSV, byte for byte the CLI's ``--csv`` output: one row per
        KPI value (``kpi, scope, entity, value, ci95, n, unit``; ``kpi`` is the
        catalogue's id, see :func:`linetwin.kpi_catalogue`). Also written to
        ``path`` if given."""
        text = kpis_csv(self._json, False)
        if path is not None:
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(text)
        return text

    def to_pandas(self) -> KpiFrames:
        """The KPIs as tidy DataFrames: line, stations, station states, products, buffers.

        Each frame carries ``scenario`` and ``seed`` columns, so frames of
        several runs can be concatenated and compared. Needs pandas.
        """
        try:
            import pandas as pd
        except ImportError as e:  # pragma: no cover - pandas is a test dependency
            raise ImportError("RunResult.to_pandas() needs pandas: pip install pandas") from e
        k = self._kpis
        ident = {"scenario": k["scenario"], "seed": k["seed"]}
        flat: list[tuple[str, float]] = []
        _flatten("", k["line"], flat)
        line = pd.DataFrame(
            [{**ident, "kpi": name, "value": value} for name, value in flat],
            columns=["scenario", "seed", "kpi", "value"],
        )
        stations = pd.DataFrame(
            [
                {
                    **ident,
                    "station": name,
                    "servers": s["servers"],
                    "utilization": _number(s["utilization"]),
                    "operations": s["operations"],
                    "scrapped": s["scrapped"],
                    "failures": s["failures"],
                    "setups": s["setups"],
                    "setup_time": _number(s["setup_time"]),
                    "waiting_time_mean": _number(s["waiting_time_mean"]),
                    "availability": _number(s["oee"]["availability"]),
                    "performance": _number(s["oee"]["performance"]),
                    "quality": _number(s["oee"]["quality"]),
                    "oee": _number(s["oee"]["oee"]),
                    "bottleneck": name == k["bottleneck"],
                }
                for name, s in k["stations"].items()
            ],
            columns=[
                "scenario",
                "seed",
                "station",
                "servers",
                "utilization",
                "operations",
                "scrapped",
                "failures",
                "setups",
                "setup_time",
                "waiting_time_mean",
                "availability",
                "performance",
                "quality",
                "oee",
                "bottleneck",
            ],
        )
        states = pd.DataFrame(
            [
                {**ident, "station": name, "state": state, "fraction": _number(x)}
                for name, s in k["stations"].items()
                for state, x in s["states"].items()
            ],
            columns=["scenario", "seed", "station", "state", "fraction"],
        )
        products = pd.DataFrame(
            [
                {
                    **ident,
                    "product": name,
                    "parts_completed": p["parts_completed"],
                    "throughput": _number(p["throughput"]),
                    "throughput_per_hour": _number(p["throughput_per_hour"]),
                    **{
                        f"lead_time_{q}": _number(x) for q, x in p["lead_time"].items()
                    },
                }
                for name, p in k["products"].items()
            ],
            columns=[
                "scenario",
                "seed",
                "product",
                "parts_completed",
                "throughput",
                "throughput_per_hour",
                "lead_time_mean",
                "lead_time_p50",
                "lead_time_p90",
                "lead_time_p95",
                "lead_time_max",
            ],
        )
        buffers = pd.DataFrame(
            [
                {
                    **ident,
                    "buffer": name,
                    "capacity": b["capacity"],
                    "content_mean": _number(b["content_mean"]),
                    "content_max": b["content_max"],
                    "full_fraction": _number(b["full_fraction"]),
                }
                for name, b in k["buffers"].items()
            ],
            columns=[
                "scenario",
                "seed",
                "buffer",
                "capacity",
                "content_mean",
                "content_max",
                "full_fraction",
            ],
        )
        order_columns = [
            "id",
            "product",
            "quantity",
            "completed",
            "release",
            "due",
            "completion",
            "lateness",
            "tardiness",
        ]
        orders = pd.DataFrame(
            [
                {
                    **ident,
                    **{c: (_number(o[c]) if c in _ORDER_TIMES else o[c]) for c in order_columns},
                }
                for o in (k.get("orders") or {}).get("table", [])
            ],
            columns=["scenario", "seed", *order_columns],
        )
        return KpiFrames(
            line=line,
            stations=stations,
            states=states,
            products=products,
            buffers=buffers,
            orders=orders,
        )

    def __str__(self) -> str:
        """The CLI's text table."""
        return self._table

    def __repr__(self) -> str:
        """One line: scenario, seed, parts completed, throughput, OEE, bottleneck."""
        k = self._kpis
        line = k["line"]
        oee = line["oee"]["oee"]
        oee_text = "n/a" if oee is None else f"{100 * oee:.1f}%"
        return (
            f"<RunResult {k['scenario']!r} seed={k['seed']}: "
            f"{line['parts_completed']} parts completed, "
            f"throughput {_number(line['throughput']):.4g}/{k['time_unit']}, "
            f"OEE {oee_text}, bottleneck {k['bottleneck']!r}>"
        )
