"""Build a line in Python: products and routes, stations, buffers, sources,
sinks, distributions and failures.

The builder writes the same document a TOML scenario holds (see
``scenarios/library/*.toml``), so :meth:`Line.build` and
:meth:`linetwin.Scenario.from_toml` meet in the same Rust spec. It checks
Python types (raising TypeError naming the argument); everything about values
(unknown names, negative times, impossible mean/cv, ...) is checked by the
Rust validator, which raises :class:`linetwin.ScenarioError` with the CLI's
message.
"""

from __future__ import annotations

import copy
import numbers
import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from linetwin._experiment import experiment_section
from linetwin._scenario import Scenario, to_float

__all__ = [
    "Distribution",
    "Failure",
    "Line",
    "Operation",
    "Setup",
    "constant",
    "discrete",
    "erlang",
    "exponential",
    "gamma",
    "lognormal",
    "normal",
    "piecewise_linear",
    "triangular",
    "uniform",
    "weibull",
]

Number = int | float


def _type_name(value: object) -> str:
    return type(value).__name__


def _number(func: str, arg: str, value: object) -> Number:
    """A real number, kept as int when it is one (so written TOML stays as typed)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{func}: argument '{arg}' must be a number, not {_type_name(value)}")
    if isinstance(value, numbers.Integral):
        return operator.index(value)
    return to_float(value)


def _integer(func: str, arg: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{func}: argument '{arg}' must be an int, not {_type_name(value)}")
    return operator.index(value)


def _string(func: str, arg: str, value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{func}: argument '{arg}' must be str, not {_type_name(value)}")
    return value


def _numbers(func: str, arg: str, value: object) -> list[Number]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(
            f"{func}: argument '{arg}' must be a sequence of numbers, not {_type_name(value)}"
        )
    return [_number(func, f"{arg}[{i}]", x) for i, x in enumerate(value)]


def _points(func: str, arg: str, value: object) -> list[list[Number]]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(
            f"{func}: argument '{arg}' must be a sequence of (x, y) pairs, not {_type_name(value)}"
        )
    points = []
    for i, pair in enumerate(value):
        coords = _numbers(func, f"{arg}[{i}]", pair)
        if len(coords) != 2:
            raise TypeError(
                f"{func}: argument '{arg}[{i}]' must be an (x, y) pair, got {len(coords)} numbers"
            )
        points.append(coords)
    return points


#: How each distribution parameter is checked.
_PARAMETERS: dict[str, Callable[[str, str, object], Any]] = {
    "value": _number,
    "mean": _number,
    "cv": _number,
    "rate": _number,
    "min": _number,
    "mode": _number,
    "max": _number,
    "sd": _number,
    "mu": _number,
    "sigma": _number,
    "shape": _number,
    "scale": _number,
    "k": _integer,
    "values": _numbers,
    "weights": _numbers,
    "points": _points,
}


class Distribution:
    """A probability distribution of a duration: a family and its parameters.

    Families and the parameter sets they take (the same as in TOML):
    ``constant`` (value), ``exponential`` (mean | rate), ``uniform``
    (min, max), ``triangular`` (min, mode, max), ``normal`` (mean, sd),
    ``lognormal`` (mu, sigma), ``gamma`` and ``weibull`` (shape, scale),
    ``erlang`` (k, mean), ``discrete`` (values, weights),
    ``piecewise_linear`` (points); every family but the empirical ones also
    takes ``mean`` and ``cv`` (coefficient of variation).

    Prefer the helpers: ``exponential(mean=2.2)``, ``gamma(mean=3.2, cv=0.3)``,
    ``triangular(1.2, 1.6, 2.4)``...
    """

    __slots__ = ("_dist", "_params")

    def __init__(self, dist: str, **params: object) -> None:
        """A ``dist`` distribution with the given parameters (None: not given)."""
        func = "Distribution()"
        self._dist = _string(func, "dist", dist)
        self._params: dict[str, Any] = {}
        for name, value in params.items():
            check = _PARAMETERS.get(name)
            if check is None:
                known = ", ".join(_PARAMETERS)
                raise TypeError(f"{func} got an unexpected parameter '{name}' (known: {known})")
            if value is not None:
                self._params[name] = check(f"{dist}()", name, value)

    @property
    def family(self) -> str:
        """The family name, e.g. ``gamma``."""
        return self._dist

    @property
    def params(self) -> dict[str, Any]:
        """The parameters given (a copy)."""
        return copy.deepcopy(self._params)

    def to_dict(self) -> dict[str, Any]:
        """The distribution as in TOML: ``{"dist": family, **params}``."""
        return {"dist": self._dist, **copy.deepcopy(self._params)}

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> Distribution:
        """The distribution a TOML-shaped dict describes."""
        if not isinstance(spec, Mapping):
            raise TypeError(
                f"Distribution.from_dict(): argument 'spec' must be a dict, not {_type_name(spec)}"
            )
        params = dict(spec)
        dist = params.pop("dist", None)
        if dist is None:
            raise TypeError("Distribution.from_dict(): the dict has no 'dist' key")
        return cls(dist, **params)

    def __eq__(self, other: object) -> bool:
        """Distributions are equal when family and parameters are."""
        if not isinstance(other, Distribution):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        """The helper call that makes it, e.g. ``gamma(mean=3.2, cv=0.3)``."""
        args = ", ".join(f"{k}={v!r}" for k, v in self._params.items())
        return f"{self._dist}({args})"


def constant(
    value: Number | None = None, *, mean: Number | None = None, cv: Number | None = None
) -> Distribution:
    """Always ``value``."""
    return Distribution("constant", value=value, mean=mean, cv=cv)


def exponential(
    mean: Number | None = None, *, rate: Number | None = None, cv: Number | None = None
) -> Distribution:
    """Exponential, by ``mean`` or by ``rate`` (1 / mean)."""
    return Distribution("exponential", mean=mean, rate=rate, cv=cv)


def uniform(
    min: Number | None = None,
    max: Number | None = None,
    *,
    mean: Number | None = None,
    cv: Number | None = None,
) -> Distribution:
    """Uniform on ``[min, max]``, or by ``mean`` and ``cv``."""
    return Distribution("uniform", min=min, max=max, mean=mean, cv=cv)


def triangular(
    min: Number | None = None,
    mode: Number | None = None,
    max: Number | None = None,
    *,
    mean: Number | None = None,
    cv: Number | None = None,
) -> Distribution:
    """Triangular with ``min``, ``mode`` and ``max``, or by ``mean`` and ``cv``."""
    return Distribution("triangular", min=min, mode=mode, max=max, mean=mean, cv=cv)


def normal(
    mean: Number | None = None, sd: Number | None = None, *, cv: Number | None = None
) -> Distribution:
    """Normal (truncated at 0) with ``mean`` and ``sd``, or ``mean`` and ``cv``."""
    return Distribution("normal", mean=mean, sd=sd, cv=cv)


def lognormal(
    *,
    mean: Number | None = None,
    cv: Number | None = None,
    mu: Number | None = None,
    sigma: Number | None = None,
) -> Distribution:
    """Lognormal by ``mean`` and ``cv``, or by the log's ``mu`` and ``sigma``."""
    return Distribution("lognormal", mean=mean, cv=cv, mu=mu, sigma=sigma)


def gamma(
    *,
    mean: Number | None = None,
    cv: Number | None = None,
    shape: Number | None = None,
    scale: Number | None = None,
) -> Distribution:
    """Gamma by ``mean`` and ``cv``, or by ``shape`` and ``scale``."""
    return Distribution("gamma", mean=mean, cv=cv, shape=shape, scale=scale)


def weibull(
    *,
    mean: Number | None = None,
    cv: Number | None = None,
    shape: Number | None = None,
    scale: Number | None = None,
) -> Distribution:
    """Weibull by ``mean`` and ``cv``, or by ``shape`` and ``scale``."""
    return Distribution("weibull", mean=mean, cv=cv, shape=shape, scale=scale)


def erlang(
    k: int | None = None, mean: Number | None = None, *, cv: Number | None = None
) -> Distribution:
    """Erlang with ``k`` phases and total ``mean``, or by ``mean`` and ``cv``."""
    return Distribution("erlang", k=k, mean=mean, cv=cv)


def discrete(values: Sequence[Number], weights: Sequence[Number]) -> Distribution:
    """One of ``values``, drawn with the given ``weights``."""
    return Distribution("discrete", values=values, weights=weights)


def piecewise_linear(points: Sequence[tuple[Number, Number]]) -> Distribution:
    """Empirical continuous distribution: ``points`` are (value, cumulative probability)."""
    return Distribution("piecewise_linear", points=points)


def _distribution(func: str, arg: str, value: object) -> dict[str, Any]:
    if isinstance(value, Distribution):
        return value.to_dict()
    if isinstance(value, Mapping):
        return Distribution.from_dict(value).to_dict()
    raise TypeError(
        f"{func}: argument '{arg}' must be a Distribution "
        f"(e.g. linetwin.exponential(mean=1.0)), not {_type_name(value)}"
    )


class Failure:
    """A failure mode of a station: time to failure and time to repair.

    ``clock`` is ``"busy"`` (the failure clock runs only while the station
    works; the default) or ``"calendar"`` (it runs all the time).
    """

    __slots__ = ("_spec",)

    def __init__(
        self,
        ttf: Distribution,
        ttr: Distribution,
        *,
        name: str | None = None,
        clock: str | None = None,
    ) -> None:
        """A failure mode failing after ``ttf`` and repaired after ``ttr``."""
        func = "Failure()"
        self._spec: dict[str, Any] = {}
        if name is not None:
            self._spec["name"] = _string(func, "name", name)
        if clock is not None:
            self._spec["clock"] = _string(func, "clock", clock)
        self._spec["ttf"] = _distribution(func, "ttf", ttf)
        self._spec["ttr"] = _distribution(func, "ttr", ttr)

    def to_dict(self) -> dict[str, Any]:
        """The failure mode as in TOML."""
        return copy.deepcopy(self._spec)

    def __eq__(self, other: object) -> bool:
        """Failure modes are equal when all their fields are."""
        if not isinstance(other, Failure):
            return NotImplemented
        return self._spec == other._spec

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        """A readable constructor call."""
        parts = [
            repr(Distribution.from_dict(self._spec["ttf"])),
            repr(Distribution.from_dict(self._spec["ttr"])),
        ]
        parts += [f"{k}={self._spec[k]!r}" for k in ("name", "clock") if k in self._spec]
        return f"Failure({', '.join(parts)})"


def _failures(func: str, arg: str, value: object) -> list[dict[str, Any]]:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
        raise TypeError(
            f"{func}: argument '{arg}' must be a sequence of Failure, not {_type_name(value)}"
        )
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, Failure):
            raise TypeError(
                f"{func}: argument '{arg}[{i}]' must be a Failure, not {_type_name(item)}"
            )
        out.append(item.to_dict())
    return out


def _toml_value(func: str, arg: str, value: object) -> Any:
    """A nested TOML value in plain types: Distributions become their tables."""
    if isinstance(value, Distribution):
        return value.to_dict()
    if isinstance(value, Mapping):
        return {
            _string(func, f"{arg} key", k): _toml_value(func, f"{arg}[{k!r}]", v)
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [_toml_value(func, f"{arg}[{i}]", v) for i, v in enumerate(value)]
    if isinstance(value, (str, bool, numbers.Real)):
        return value
    raise TypeError(
        f"{func}: argument '{arg}' must hold tables, lists, strings, numbers and "
        f"Distributions, not {_type_name(value)}"
    )


def _wear(func: str, arg: str, value: object) -> list[dict[str, Any]]:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
        raise TypeError(
            f"{func}: argument '{arg}' must be a sequence of wear-mode dicts (the "
            f"[[stations.wear]] tables of a scenario file), not {_type_name(value)}"
        )
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise TypeError(
                f"{func}: argument '{arg}[{i}]' must be a dict, not {_type_name(item)}"
            )
        out.append(_toml_value(func, f"{arg}[{i}]", item))
    return out


def _by_product(func: str, arg: str, value: object) -> dict[str, dict[str, Any]]:
    if not isinstance(value, Mapping):
        raise TypeError(
            f"{func}: argument '{arg}' must be a dict of product name to Distribution, "
            f"not {_type_name(value)}"
        )
    return {
        _string(func, f"{arg} key", k): _distribution(func, f"{arg}[{k!r}]", v)
        for k, v in value.items()
    }


def _run_time(func: str, arg: str, value: object) -> Number | dict[str, Number]:
    if isinstance(value, Mapping):
        return {
            _string(func, f"{arg} key", k): _number(func, f"{arg}[{k!r}]", v)
            for k, v in value.items()
        }
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    raise TypeError(
        f"{func}: argument '{arg}' must be a number or a dict of product name to number, "
        f"not {_type_name(value)}"
    )


_POWER_STATES = ("busy", "setup", "idle", "starved", "blocked", "down", "maintenance", "waiting")


def _power(func: str, arg: str, value: object) -> dict[str, Number]:
    if not isinstance(value, Mapping):
        raise TypeError(
            f"{func}: argument '{arg}' must be a dict of server state to kW, "
            f"not {_type_name(value)}"
        )
    out: dict[str, Number] = {}
    for k, v in value.items():
        state = _string(func, f"{arg} key", k)
        if state not in _POWER_STATES:
            raise ValueError(
                f"{func}: argument '{arg}' has an unknown state {state!r}; "
                f"the states are {', '.join(_POWER_STATES)}"
            )
        out[state] = _number(func, f"{arg}[{k!r}]", v)
    return out


def _mix(func: str, arg: str, value: object) -> dict[str, Number]:
    if not isinstance(value, Mapping):
        raise TypeError(
            f"{func}: argument '{arg}' must be a dict of product name to weight, "
            f"not {_type_name(value)}"
        )
    return {
        _string(func, f"{arg} key", k): _number(func, f"{arg}[{k!r}]", v) for k, v in value.items()
    }


def _route(func: str, arg: str, value: object) -> list[Any]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(
            f"{func}: argument '{arg}' must be a sequence of station names, not {_type_name(value)}"
        )
    route: list[Any] = []
    for i, step in enumerate(value):
        if isinstance(step, str):
            route.append(step)
        elif isinstance(step, (list, tuple)):
            route.append([_string(func, f"{arg}[{i}][{j}]", s) for j, s in enumerate(step)])
        elif isinstance(step, Operation):
            route.append(step.to_dict())
        else:
            raise TypeError(
                f"{func}: argument '{arg}[{i}]' must be a station name, a list of "
                f"alternative station names or an Operation, not {_type_name(step)}"
            )
    return route


class Setup:
    """A station's sequence-dependent changeovers, as ``[stations.setup]`` in TOML.

    ``times`` maps a pair ``(from, to)`` of product families (or products) to
    the setup-time distribution of that changeover; a nested dict
    ``{from: {to: Distribution}}`` is accepted too. ``default`` is the time of
    a changeover between different families not in ``times`` (omitted: those
    cost nothing); ``initial`` the family the station is configured for at
    time 0 (omitted: the first part sets it up for free).
    """

    __slots__ = ("_spec",)

    def __init__(
        self,
        times: Mapping[Any, Any] | None = None,
        *,
        default: Distribution | None = None,
        initial: str | None = None,
    ) -> None:
        """A setup matrix with the given changeover ``times``."""
        func = "Setup()"
        self._spec: dict[str, Any] = {}
        if initial is not None:
            self._spec["initial"] = _string(func, "initial", initial)
        if default is not None:
            self._spec["default"] = _distribution(func, "default", default)
        if times is not None:
            self._spec["times"] = _setup_times(func, "times", times)

    def to_dict(self) -> dict[str, Any]:
        """The setup matrix as in TOML."""
        return copy.deepcopy(self._spec)

    def __eq__(self, other: object) -> bool:
        """Setups are equal when all their fields are."""
        if not isinstance(other, Setup):
            return NotImplemented
        return self._spec == other._spec

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        """A readable constructor call."""
        times = {
            (a, b): Distribution.from_dict(d)
            for a, row in self._spec.get("times", {}).items()
            for b, d in row.items()
        }
        parts = [repr(times)] if times else []
        if "default" in self._spec:
            parts.append(f"default={Distribution.from_dict(self._spec['default'])!r}")
        if "initial" in self._spec:
            parts.append(f"initial={self._spec['initial']!r}")
        return f"Setup({', '.join(parts)})"


def _setup_times(func: str, arg: str, value: object) -> dict[str, dict[str, Any]]:
    if not isinstance(value, Mapping):
        raise TypeError(
            f"{func}: argument '{arg}' must be a dict of (from, to) pairs to Distribution, "
            f"not {_type_name(value)}"
        )
    times: dict[str, dict[str, Any]] = {}
    for key, dist in value.items():
        if isinstance(key, tuple):
            if len(key) != 2:
                raise TypeError(
                    f"{func}: argument '{arg}' key {key!r} must be a (from, to) pair"
                )
            frm = _string(func, f"{arg} key {key!r}", key[0])
            to = _string(func, f"{arg} key {key!r}", key[1])
            times.setdefault(frm, {})[to] = _distribution(func, f"{arg}[{key!r}]", dist)
        elif isinstance(key, str) and isinstance(dist, Mapping) and "dist" not in dist:
            row = times.setdefault(key, {})
            for to, d in dist.items():
                row[_string(func, f"{arg}[{key!r}] key", to)] = _distribution(
                    func, f"{arg}[{key!r}][{to!r}]", d
                )
        else:
            raise TypeError(
                f"{func}: argument '{arg}' key {key!r} must be a (from, to) pair "
                "(or a family name mapping to a dict of families)"
            )
    return times


class Operation:
    """A route step with its own processing time, e.g. a job that revisits a
    station with a different time: ``Operation("mill", processing=constant(3))``.

    ``station`` is a station name, or a list of alternative stations sharing
    one named input buffer. Without ``processing`` the stations' own times
    apply.
    """

    __slots__ = ("_spec",)

    def __init__(
        self, station: str | Sequence[str], *, processing: Distribution | None = None
    ) -> None:
        """The step at ``station`` taking ``processing``."""
        func = "Operation()"
        if isinstance(station, str):
            self._spec: dict[str, Any] = {"station": station}
        elif isinstance(station, (list, tuple)):
            self._spec = {
                "stations": [_string(func, f"station[{i}]", s) for i, s in enumerate(station)]
            }
        else:
            raise TypeError(
                f"{func}: argument 'station' must be a station name or a list of "
                f"station names, not {_type_name(station)}"
            )
        if processing is not None:
            self._spec["processing"] = _distribution(func, "processing", processing)

    def to_dict(self) -> dict[str, Any]:
        """The step as in TOML."""
        return copy.deepcopy(self._spec)

    def __eq__(self, other: object) -> bool:
        """Operations are equal when all their fields are."""
        if not isinstance(other, Operation):
            return NotImplemented
        return self._spec == other._spec

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        """A readable constructor call."""
        station = self._spec.get("station", self._spec.get("stations"))
        if "processing" in self._spec:
            processing = Distribution.from_dict(self._spec["processing"])
            return f"Operation({station!r}, processing={processing!r})"
        return f"Operation({station!r})"


def _setup(func: str, arg: str, value: object) -> dict[str, Any]:
    if isinstance(value, Setup):
        return value.to_dict()
    raise TypeError(f"{func}: argument '{arg}' must be a Setup, not {_type_name(value)}")


def _rule(func: str, arg: str, value: object) -> str | dict[str, Any]:
    """A dispatching rule: its name, or a dict with ``name`` and parameters."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        rule: dict[str, Any] = {}
        for key, v in value.items():
            if key == "name":
                rule["name"] = _string(func, f"{arg}['name']", v)
            elif key in ("k", "k1", "k2"):
                rule[key] = _number(func, f"{arg}[{key!r}]", v)
            else:
                raise TypeError(
                    f"{func}: argument '{arg}' has an unexpected key {key!r} "
                    "(known: name, k, k1, k2)"
                )
        if "name" not in rule:
            raise TypeError(f"{func}: argument '{arg}' must have a 'name'")
        return rule
    raise TypeError(
        f"{func}: argument '{arg}' must be a rule name (e.g. 'spt') or a dict "
        f"(e.g. {{'name': 'atcs', 'k1': 2, 'k2': 0.5}}), not {_type_name(value)}"
    )


def _sequence(func: str, arg: str, value: object) -> list[str | dict[str, Any]]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(
            f"{func}: argument '{arg}' must be a sequence of product names or "
            f"(product, count) pairs, not {_type_name(value)}"
        )
    out: list[str | dict[str, Any]] = []
    for i, item in enumerate(value):
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, tuple) and len(item) == 2:
            product = _string(func, f"{arg}[{i}][0]", item[0])
            out.append({"product": product, "count": _integer(func, f"{arg}[{i}][1]", item[1])})
        else:
            raise TypeError(
                f"{func}: argument '{arg}[{i}]' must be a product name or a "
                f"(product, count) pair, not {_type_name(item)}"
            )
    return out


#: Fields of each kind of entity, and how each is checked.
_FIELDS: dict[str, dict[str, Callable[[str, str, object], Any]]] = {
    "products": {"name": _string, "route": _route, "sink": _string, "family": _string},
    "stations": {
        "name": _string,
        "servers": _integer,
        "input": _string,
        "processing": _distribution,
        "processing_by_product": _by_product,
        "scrap": _number,
        "failures": _failures,
        "setup": _setup,
        "rule": _rule,
        "planned_run_time": _run_time,
        "power": _power,
        "wear": _wear,
    },
    "crews": {
        "name": _string,
        "technicians": _integer,
        "response": _distribution,
        "rule": _string,
    },
    "buffers": {"name": _string, "capacity": _integer},
    "sources": {
        "name": _string,
        "kind": _string,
        "interarrival": _distribution,
        "when_full": _string,
        "mix": _mix,
        "sequence": _sequence,
        "file": _string,
    },
    "sinks": {"name": _string},
    "orders": {
        "id": _string,
        "product": _string,
        "quantity": _integer,
        "release": _number,
        "due": _number,
        "weight": _number,
        "priority": _number,
        "source": _string,
    },
}


def _entry(kind: str, func: str, fields: Mapping[str, object]) -> dict[str, Any]:
    checks = _FIELDS[kind]
    entry: dict[str, Any] = {}
    for name, value in fields.items():
        check = checks.get(name)
        if check is None:
            raise TypeError(f"{func} got an unexpected keyword argument '{name}'")
        if value is not None:
            entry[name] = check(func, name, value)
    return entry


class Line:
    """A production line built in Python; :meth:`build` validates it into a
    :class:`linetwin.Scenario`.

    Every method returns the line, so calls chain::

        line = (
            Line("Two stations", horizon=10_000)
            .product("part", route=["press", "drill"])
            .source("release", kind="saturated")
            .sink("out")
            .buffer("drill-queue", capacity=5)
            .station("press", processing=exponential(mean=1.0))
            .station("drill", input="drill-queue", processing=gamma(mean=0.9, cv=0.5))
        )
        result = line.build().run(seed=7)

    Names link things, exactly as in a TOML scenario file.
    """

    __slots__ = ("_spec",)

    def __init__(
        self,
        name: str,
        *,
        horizon: Number,
        time_unit: str = "min",
        warmup: Number = 0,
        seed: int = 1,
        description: str | None = None,
        rule: str | Mapping[str, Any] | None = None,
    ) -> None:
        """A line called ``name`` simulated from 0 to ``horizon`` (in ``time_unit``:
        ``s``, ``min`` or ``h``), with statistics from ``warmup`` on.

        ``rule`` is the dispatching rule of every station without its own
        (default ``"fifo"``): a name such as ``"spt"``, or a dict with
        parameters such as ``{"name": "atcs", "k1": 2, "k2": 0.5}``."""
        func = "Line()"
        section: dict[str, Any] = {"name": _string(func, "name", name)}
        if description is not None:
            section["description"] = _string(func, "description", description)
        section["time_unit"] = _string(func, "time_unit", time_unit)
        section["horizon"] = _number(func, "horizon", horizon)
        section["warmup"] = _number(func, "warmup", warmup)
        section["seed"] = _integer(func, "seed", seed)
        if rule is not None:
            section["rule"] = _rule(func, "rule", rule)
        self._spec: dict[str, Any] = {
            "scenario": section,
            "products": [],
            "stations": [],
            "buffers": [],
            "sources": [],
            "sinks": [],
            "orders": [],
            "crews": [],
        }

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> Line:
        """A builder holding ``scenario``'s line, to change and :meth:`build` again."""
        if not isinstance(scenario, Scenario):
            raise TypeError(
                "Line.from_scenario(): argument 'scenario' must be a Scenario, "
                f"not {_type_name(scenario)}"
            )
        spec = scenario.to_dict()
        section = spec["scenario"]
        line = cls(
            section["name"],
            horizon=section["horizon"],
            time_unit=section["time_unit"],
            warmup=section.get("warmup", 0),
            seed=section.get("seed", 1),
            description=section.get("description"),
            rule=section.get("rule"),
        )
        for kind in _FIELDS:
            line._spec[kind] = spec.get(kind, [])
        for section_name in ("energy", "experiment"):
            if section_name in spec:
                line._spec[section_name] = spec[section_name]
        return line

    def product(
        self,
        name: str,
        route: Sequence[str | Sequence[str] | Operation],
        *,
        sink: str | None = None,
        family: str | None = None,
    ) -> Line:
        """Adds a product visiting the stations of ``route`` in order.

        A step is a station name, a list of alternative stations (which must
        share one named input buffer), or an :class:`Operation` with its own
        processing time. ``sink`` may be omitted when the line has one sink.
        ``family`` names the product family for changeovers (default: a family
        of its own, named after the product).
        """
        fields = {"name": name, "route": route, "sink": sink, "family": family}
        self._spec["products"].append(_entry("products", "Line.product()", fields))
        return self

    def station(
        self,
        name: str,
        processing: Distribution | None = None,
        *,
        servers: int | None = None,
        input: str | None = None,
        processing_by_product: Mapping[str, Distribution] | None = None,
        scrap: float | None = None,
        failures: Sequence[Failure] | None = None,
        setup: Setup | None = None,
        rule: str | Mapping[str, Any] | None = None,
        planned_run_time: Number | Mapping[str, Number] | None = None,
        power: Mapping[str, Number] | None = None,
        wear: Sequence[Mapping[str, Any]] | None = None,
    ) -> Line:
        """Adds a station with ``servers`` parallel servers (default 1).

        ``processing`` is the processing time of every product without an
        entry in ``processing_by_product``; ``input`` names its input buffer
        (omitted: an unlimited buffer of its own); ``scrap`` is the scrap
        probability; ``failures`` its failure modes; ``setup`` its
        changeovers (a :class:`Setup`); ``rule`` the dispatching rule that
        picks the next part from its queue (as in :class:`Line`).
        ``planned_run_time`` is the ISO 22400-2 planned run time per item for
        the station's effectiveness (a number for every product, or a dict by
        product; default the mean processing time); ``power`` the kW a server
        draws per state (``busy`` required; ``setup``, ``idle`` for both
        ``starved`` and ``blocked``, ``starved``, ``blocked``, ``down``,
        ``maintenance``, ``waiting`` (default: ``down``'s); a state not given
        draws nothing). ``wear`` lists its wear modes as the
        ``[[stations.wear]]`` tables of a scenario file (dicts, in which
        Distributions may stand for distribution tables): a degradation model,
        a condition signal, a maintenance policy, repair and preventive work,
        a crew added with :meth:`crew`.
        """
        fields = {
            "name": name,
            "servers": servers,
            "input": input,
            "processing": processing,
            "processing_by_product": processing_by_product,
            "scrap": scrap,
            "failures": failures,
            "setup": setup,
            "rule": rule,
            "planned_run_time": planned_run_time,
            "power": power,
            "wear": wear,
        }
        self._spec["stations"].append(_entry("stations", "Line.station()", fields))
        return self

    def crew(
        self,
        name: str,
        technicians: int | None = None,
        *,
        response: Distribution | None = None,
        rule: str | None = None,
    ) -> Line:
        """Adds a maintenance crew of ``technicians`` (default 1) that the
        stations' wear modes name: ``response`` is a technician's time to come
        once assigned, ``rule`` which waiting job a free technician takes
        (``corrective-first``, the default; ``priority``; ``fifo``)."""
        fields = {"name": name, "technicians": technicians, "response": response, "rule": rule}
        self._spec["crews"].append(_entry("crews", "Line.crew()", fields))
        return self

    def buffer(self, name: str, capacity: int | None = None) -> Line:
        """Adds a named buffer holding ``capacity`` waiting parts (None: unlimited)."""
        self._spec["buffers"].append(
            _entry("buffers", "Line.buffer()", {"name": name, "capacity": capacity})
        )
        return self

    def source(
        self,
        name: str,
        interarrival: Distribution | None = None,
        *,
        kind: str | None = None,
        when_full: str | None = None,
        mix: Mapping[str, float] | None = None,
        sequence: Sequence[str | tuple[str, int]] | None = None,
        file: str | None = None,
    ) -> Line:
        """Adds a source of parts.

        With ``interarrival`` it releases parts at random times (kind
        ``arrivals``; ``when_full`` is ``"block"``, the default, or ``"lose"``);
        without, the first station never starves (kind ``saturated``); kind
        ``"orders"`` releases the parts of the orders added with
        :meth:`order` (or read from the CSV ``file``, relative to the scenario
        file) at their release times.
        ``mix`` maps product names to weights; it may be omitted when the line
        has one product. ``sequence`` releases products in this cyclic order
        instead of drawing them by mix: product names and ``(product, count)``
        runs, e.g. ``[("A", 5), ("B", 5)]`` or ``["A", "A", "B", "A", "C"]``.
        """
        if kind is None:
            kind = "saturated" if interarrival is None else "arrivals"
        fields = {
            "name": name,
            "kind": kind,
            "interarrival": interarrival,
            "when_full": when_full,
            "mix": mix,
            "sequence": sequence,
            "file": file,
        }
        self._spec["sources"].append(_entry("sources", "Line.source()", fields))
        return self

    def sink(self, name: str) -> Line:
        """Adds a sink, where finished parts leave the line."""
        self._spec["sinks"].append(_entry("sinks", "Line.sink()", {"name": name}))
        return self

    def order(
        self,
        id: str,
        product: str,
        quantity: int | None = None,
        *,
        release: Number | None = None,
        due: Number | None = None,
        weight: Number | None = None,
        priority: Number | None = None,
        source: str | None = None,
    ) -> Line:
        """Adds an order of ``quantity`` parts (default 1) of ``product``,
        released at ``release`` (default 0) by the source of kind ``"orders"``
        named ``source`` (may be omitted when there is one) and due at ``due``
        (default: none). ``weight`` (default 1) weighs its tardiness and the
        WSPT, ATC and ATCS rules; ``priority`` (default 0, higher first) is
        what the ``priority`` rule goes by."""
        fields = {
            "id": id,
            "product": product,
            "quantity": quantity,
            "release": release,
            "due": due,
            "weight": weight,
            "priority": priority,
            "source": source,
        }
        self._spec["orders"].append(_entry("orders", "Line.order()", fields))
        return self

    def _update(self, kind: str, func: str, name: object, changes: Mapping[str, object]) -> Line:
        name = _string(func, "name", name)
        for entry in self._spec[kind]:
            if entry.get("name") == name:
                for field, value in _entry(kind, func, changes).items():
                    entry[field] = value
                for field, value in changes.items():
                    if value is None:
                        entry.pop(field, None)
                return self
        known = ", ".join(repr(e.get("name")) for e in self._spec[kind])
        raise KeyError(f"{func}: no {kind[:-1]} named {name!r} (known: {known})")

    def update_station(self, name: str, **changes: Any) -> Line:
        """Changes fields of station ``name`` (same keywords as :meth:`station`;
        None removes a field). E.g. ``line.update_station("paint", servers=2)``."""
        return self._update("stations", "Line.update_station()", name, changes)

    def update_buffer(self, name: str, capacity: int | None) -> Line:
        """Sets the capacity of buffer ``name`` (None: unlimited)."""
        return self._update("buffers", "Line.update_buffer()", name, {"capacity": capacity})

    def update_source(self, name: str, **changes: Any) -> Line:
        """Changes fields of source ``name`` (same keywords as :meth:`source`)."""
        return self._update("sources", "Line.update_source()", name, changes)

    def set(
        self,
        *,
        horizon: Number | None = None,
        warmup: Number | None = None,
        seed: int | None = None,
        name: str | None = None,
        rule: str | Mapping[str, Any] | None = None,
    ) -> Line:
        """Changes run settings of the ``[scenario]`` section (``rule``: the
        line-wide dispatching rule)."""
        func = "Line.set()"
        section = self._spec["scenario"]
        if horizon is not None:
            section["horizon"] = _number(func, "horizon", horizon)
        if warmup is not None:
            section["warmup"] = _number(func, "warmup", warmup)
        if seed is not None:
            section["seed"] = _integer(func, "seed", seed)
        if name is not None:
            section["name"] = _string(func, "name", name)
        if rule is not None:
            section["rule"] = _rule(func, "rule", rule)
        return self

    def energy(
        self, *, line_load_kw: Number | None = None, emission_factor: Number | None = None
    ) -> Line:
        """Meters the line: ``line_load_kw`` is the power the line draws
        whatever its stations do (lighting, ventilation, compressed air;
        default 0) and ``emission_factor`` the kg CO2 per kWh (default 0.5366,
        China's 2022 national average). With stations' ``power`` the KPIs then
        have energy and CO2 per station, product and line."""
        func = "Line.energy()"
        section: dict[str, Any] = {}
        if line_load_kw is not None:
            section["line_load_kw"] = _number(func, "line_load_kw", line_load_kw)
        if emission_factor is not None:
            section["emission_factor"] = _number(func, "emission_factor", emission_factor)
        self._spec["energy"] = section
        return self

    def experiment(
        self,
        *,
        replications: int | None = None,
        seed: int | None = None,
        horizon: Number | None = None,
        warmup: Number | None = None,
        factors: Mapping[str, Sequence[Any]] | Sequence[Any] | None = None,
        variants: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
        precision: Mapping[str, Any] | None = None,
    ) -> Line:
        """Sets fields of the ``[experiment]`` section, which
        :class:`linetwin.Experiment` uses and :meth:`Scenario.to_toml` writes.

        The arguments are those of :class:`linetwin.Experiment` (without
        ``threads``), e.g. ``line.experiment(replications=20,
        factors={"buffers.B2.capacity": [1, 5]})``; None leaves a field as it is.
        The values are checked when the experiment is made.
        """
        section = experiment_section(
            "Line.experiment()",
            self._spec.get("experiment"),
            replications=replications,
            seed=seed,
            horizon=horizon,
            warmup=warmup,
            factors=factors,
            variants=variants,
            precision=precision,
        )
        if section is None:
            self._spec.pop("experiment", None)
        else:
            self._spec["experiment"] = section
        return self

    def to_dict(self) -> dict[str, Any]:
        """The line as the nested dicts and lists of a TOML scenario file."""
        spec = copy.deepcopy(self._spec)
        for kind in ("buffers", "orders"):
            if not spec[kind]:
                del spec[kind]
        return spec

    def build(self, origin: str = "<python>") -> Scenario:
        """Validates the line into a runnable :class:`linetwin.Scenario`.

        Raises ScenarioError, with the CLI's message (no line number; the
        origin is ``<python>``), if the line is not valid.
        """
        return Scenario.from_dict(self.to_dict(), origin)

    def __repr__(self) -> str:
        """The line name and how many entities of each kind it has."""
        counts = ", ".join(
            f"{len(self._spec[k])} {k if len(self._spec[k]) != 1 else k[:-1]}"
            for k in _FIELDS
            if k not in ("orders", "crews") or self._spec[k]
        )
        return f"Line({self._spec['scenario']['name']!r}: {counts})"
