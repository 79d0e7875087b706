"""Errors: ScenarioError with the CLI's message, TypeError naming the argument,
and never a PanicException, whatever the input."""

from __future__ import annotations

import math
import random
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

import linetwin as lt
from conftest import LIBRARY, library, run_cli

GOOD = (LIBRARY / "serial_line.toml").read_text(encoding="utf-8")

BAD_FILES = {
    "not_toml": "this is [not toml\n",
    "unknown_field": GOOD.replace('kind = "saturated"', 'kind = "saturated"\nspeed = 3'),
    "wrong_type": GOOD.replace("capacity = 5", 'capacity = "five"', 1),
    "nan_mean": GOOD.replace("mean = 1.0", "mean = nan", 1),
    "unknown_station": GOOD.replace('"S10"]', '"S11"]'),
    "negative_capacity": GOOD.replace("capacity = 5", "capacity = -1", 1),
    "bad_time_unit": GOOD.replace('time_unit = "min"', 'time_unit = "days"'),
    "missing_section": GOOD.split("[[products]]", 1)[1].join(["[[products]]", ""]),
    "warmup_beyond_horizon": GOOD.replace("warmup = 0", "warmup = 200000"),
    "empty": "",
    "binary": "\x00\x01\x02",
}


def cli_message(cli: Path, *args: str) -> str:
    output = run_cli(cli, *args)
    assert output.returncode == 2
    assert output.stdout == ""
    assert output.stderr.startswith("error: ")
    return output.stderr.removeprefix("error: ").rstrip("\n")


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_invalid_file_raises_the_cli_message(cli: Path, tmp_path: Path, case: str) -> None:
    path = tmp_path / f"{case}.toml"
    path.write_text(BAD_FILES[case], encoding="utf-8")
    with pytest.raises(lt.ScenarioError) as raised:
        lt.Scenario.from_toml(str(path))
    assert str(raised.value) == cli_message(cli, "validate", str(path))


def test_missing_file_raises_the_cli_message(cli: Path, tmp_path: Path) -> None:
    path = str(tmp_path / "nowhere.toml")
    with pytest.raises(lt.ScenarioError) as raised:
        lt.Scenario.from_toml(path)
    assert str(raised.value) == cli_message(cli, "run", path)
    assert "cannot read the file" in str(raised.value)


def test_directory_raises_the_cli_message(cli: Path, tmp_path: Path) -> None:
    with pytest.raises(lt.ScenarioError) as raised:
        lt.Scenario.from_toml(tmp_path)
    assert str(raised.value) == cli_message(cli, "run", str(tmp_path))


@pytest.mark.parametrize(
    ("kwargs", "flags"),
    [
        ({"horizon": -5.0}, ["--horizon", "-5"]),
        ({"horizon": math.nan}, ["--horizon", "nan"]),
        ({"warmup": 1e9}, ["--warmup", "1000000000"]),
        ({"horizon": 100, "warmup": 100}, ["--horizon", "100", "--warmup", "100"]),
    ],
)
def test_invalid_overrides_raise_the_cli_message(
    cli: Path, kwargs: dict[str, Any], flags: list[str]
) -> None:
    path = library("serial_line.toml")
    with pytest.raises(lt.ScenarioError) as raised:
        lt.Scenario.from_toml(path).run(**kwargs)
    assert str(raised.value) == cli_message(cli, "run", path, "--json", *flags)


def test_scenario_error_is_a_value_error() -> None:
    assert issubclass(lt.ScenarioError, ValueError)
    assert lt.ScenarioError.__name__ == "ScenarioError"
    with pytest.raises(ValueError, match="at least one `\\[\\[products\\]\\]` entry is required"):
        lt.Scenario.from_toml_string("[scenario]\nname='x'\ntime_unit='min'\nhorizon=1\n")


def test_errors_in_a_python_built_line_carry_the_field_path() -> None:
    line = (
        lt.Line("Bad", horizon=100)
        .product("part", ["m"])
        .source("release")
        .sink("out")
        .station("m", lt.exponential(mean=1.0), scrap=1.5)
    )
    with pytest.raises(lt.ScenarioError) as raised:
        line.build()
    assert (
        str(raised.value) == "<python>: stations[0].scrap: must be a probability in [0, 1], got 1.5"
    )


def test_errors_in_a_dict_carry_the_field_path() -> None:
    spec = lt.Scenario.from_toml(library("serial_line.toml")).to_dict()
    spec["stations"][2]["processing"]["mean"] = "fast"
    with pytest.raises(lt.ScenarioError, match=r"^<python>: stations\[2\]\.processing\.mean: "):
        lt.Scenario.from_dict(spec)
    spec = lt.Scenario.from_toml(library("serial_line.toml")).to_dict()
    spec["stations"][0]["speed"] = 3
    with pytest.raises(
        lt.ScenarioError,
        match=r"^<python>: stations\[0\]\.speed: unknown field `speed`, expected one of `name`",
    ):
        lt.Scenario.from_dict(spec)
    spec = lt.Scenario.from_toml(library("serial_line.toml")).to_dict()
    del spec["scenario"]["horizon"]
    with pytest.raises(lt.ScenarioError, match=r"^<python>: scenario: missing field `horizon`"):
        lt.Scenario.from_dict(spec)
    spec = lt.Scenario.from_toml(library("serial_line.toml")).to_dict()
    spec["scenario"]["seed"] = 2**70
    with pytest.raises(
        lt.ScenarioError, match=r"`scenario\.seed`: integer 1180591620717411303424 is out of range"
    ):
        lt.Scenario.from_dict(spec)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: lt.Scenario.from_toml(123), r"from_toml\(\): argument 'path' must be str or os.PathLike, not int"),  # type: ignore[arg-type]
        (lambda: lt.Scenario.from_toml(b"x.toml"), r"argument 'path' must be str or os.PathLike, not bytes"),  # type: ignore[arg-type]
        (lambda: lt.Scenario.from_toml_string(None), r"argument 'text' must be str, not NoneType"),  # type: ignore[arg-type]
        (lambda: lt.Scenario.from_dict([]), r"from_dict\(\): argument 'spec' must be a dict, not list"),  # type: ignore[arg-type]
        (lambda: lt.Scenario.from_dict({"scenario": object()}), r"`scenario` must be a dict, list, tuple, str, int, float or bool, not object"),
        (lambda: lt.Scenario.from_dict({1: 2}), r"keys of the scenario must be str, not int"),  # type: ignore[dict-item]
        (lambda: lt.Scenario.from_dict({"products": [None]}), r"`products\[0\]` must not be None"),
        (lambda: serial().run(seed="1"), r"run\(\): argument 'seed' must be an int or None, not str"),  # type: ignore[arg-type]
        (lambda: serial().run(seed=True), r"argument 'seed' must be an int or None, not bool"),
        (lambda: serial().run(seed=1.0), r"argument 'seed' must be an int or None, not float"),  # type: ignore[arg-type]
        (lambda: serial().run(horizon="10"), r"argument 'horizon' must be a number or None, not str"),  # type: ignore[arg-type]
        (lambda: serial().run(warmup=[1]), r"argument 'warmup' must be a number or None, not list"),  # type: ignore[arg-type]
        (lambda: lt.Line(1, horizon=10), r"Line\(\): argument 'name' must be str, not int"),  # type: ignore[arg-type]
        (lambda: lt.Line("x", horizon="10"), r"Line\(\): argument 'horizon' must be a number, not str"),  # type: ignore[arg-type]
        (lambda: lt.Line("x", horizon=10).station("m", 3.0), r"station\(\): argument 'processing' must be a Distribution"),  # type: ignore[arg-type]
        (lambda: lt.Line("x", horizon=10).station("m", servers=2.5), r"argument 'servers' must be an int, not float"),  # type: ignore[arg-type]
        (lambda: lt.Line("x", horizon=10).station("m", failures=[1]), r"argument 'failures\[0\]' must be a Failure, not int"),  # type: ignore[list-item]
        (lambda: lt.Line("x", horizon=10).product("p", route="m"), r"argument 'route' must be a sequence of station names, not str"),
        (lambda: lt.Line("x", horizon=10).product("p", route=["m", 3]), r"argument 'route\[1\]' must be a station name"),  # type: ignore[list-item]
        (lambda: lt.Line("x", horizon=10).source("s", mix={"a": "1"}), r"argument 'mix\['a'\]' must be a number, not str"),  # type: ignore[dict-item]
        (lambda: lt.Line("x", horizon=10).buffer("b", capacity="5"), r"argument 'capacity' must be an int, not str"),  # type: ignore[arg-type]
        (lambda: lt.exponential(mean="1"), r"exponential\(\): argument 'mean' must be a number, not str"),  # type: ignore[arg-type]
        (lambda: lt.erlang(k=2.0, mean=1), r"erlang\(\): argument 'k' must be an int, not float"),  # type: ignore[arg-type]
        (lambda: lt.discrete([1, "2"], [1, 1]), r"argument 'values\[1\]' must be a number, not str"),  # type: ignore[list-item]
        (lambda: lt.piecewise_linear([(0, 0, 1)]), r"argument 'points\[0\]' must be an \(x, y\) pair"),  # type: ignore[list-item]
        (lambda: lt.Distribution("gamma", speed=1), r"unexpected parameter 'speed'"),
        (lambda: lt.Failure(1, lt.constant(1)), r"Failure\(\): argument 'ttf' must be a Distribution"),  # type: ignore[arg-type]
        (lambda: lt.Line.from_scenario("x"), r"argument 'scenario' must be a Scenario, not str"),  # type: ignore[arg-type]
    ],
)  # fmt: skip
def test_wrong_python_types_raise_type_error_naming_the_argument(call: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        call()


def serial() -> lt.Scenario:
    return lt.Scenario.from_toml(library("serial_line.toml"))


@pytest.mark.parametrize("seed", [-1, 2**64])
def test_seed_out_of_range_is_a_value_error(seed: int) -> None:
    with pytest.raises(
        ValueError, match="argument 'seed' must be an integer from 0 to 18446744073709551615"
    ):
        serial().run(seed=seed)


def test_largest_seed_runs() -> None:
    assert serial().run(seed=2**64 - 1, horizon=100).kpis["seed"] == 2**64 - 1


HOSTILE_VALUES: list[Any] = [
    None, True, 0, -1, 2**63 - 1, -(2**63), 2**64, 0.0, -0.0, -1.5, 1e308, -1e308,
    math.inf, -math.inf, math.nan, "", "x", "\x00", "é" * 3, "S1", [], [None], ["S1", []],
    {}, {"dist": "exponential"}, {"dist": "nope", "mean": 1}, [[0, 0], [1]], (1, 2),
]  # fmt: skip


def mutations(spec: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value in a nested spec."""
    found = [path]
    if isinstance(spec, dict):
        for key, value in spec.items():
            found += mutations(value, (*path, key))
    elif isinstance(spec, list):
        for i, value in enumerate(spec):
            found += mutations(value, (*path, i))
    return found


def mutated(spec: Any, path: tuple[Any, ...], value: Any) -> Any:
    """A copy of ``spec`` with the value at ``path`` replaced."""
    if not path:
        return value
    copy = list(spec) if isinstance(spec, list) else dict(spec)
    copy[path[0]] = mutated(spec[path[0]], path[1:], value)
    return copy


def renamed(spec: Any, path: tuple[Any, ...], key: str) -> Any:
    """A copy of ``spec`` with the dict key at ``path`` renamed to ``key``."""
    if len(path) == 1:
        copy = dict(spec)
        copy[key] = copy.pop(path[0])
        return copy
    copy = list(spec) if isinstance(spec, list) else dict(spec)
    copy[path[0]] = renamed(spec[path[0]], path[1:], key)
    return copy


def test_hostile_specs_never_panic() -> None:
    """Random single-field mutations of both bundled lines (values replaced by
    hostile ones, or keys renamed): each is valid or raises ScenarioError,
    TypeError or ValueError; no panic, no RuntimeError, no crash."""
    rng = random.Random(20261123)
    outcomes = {"ok": 0, "rejected": 0}
    for name in ("serial_line.toml", "assembly_line.toml"):
        spec = lt.Scenario.from_toml(library(name)).to_dict()
        paths = mutations(spec)[1:]
        for _ in range(1000):
            path = rng.choice(paths)
            if isinstance(path[-1], str) and rng.random() < 0.15:
                candidate = renamed(spec, path, rng.choice(["", "nme", "é", "dist", "name"]))
            else:
                candidate = mutated(spec, path, rng.choice(HOSTILE_VALUES))
            try:
                scenario = lt.Scenario.from_dict(candidate)
            except (lt.ScenarioError, TypeError, ValueError):
                outcomes["rejected"] += 1
                continue
            # Short runs: a mutation may have made times huge.
            try:
                scenario.run(horizon=50, warmup=0)
                outcomes["ok"] += 1
            except lt.ScenarioError:
                outcomes["rejected"] += 1
    assert outcomes["rejected"] > 500, outcomes
    assert outcomes["ok"] > 50, outcomes


@pytest.mark.parametrize(
    "text",
    [
        "a = " + "[" * 5000,
        "a = " + "{b = " * 5000,
        "[" + "a." * 5000 + "b]",
        "x" * 1_000_000,
        '[scenario]\nname = "' + "n" * 100_000 + '"\ntime_unit = "min"\nhorizon = 1\n',
        GOOD.replace("capacity = 5", "capacity = 99999999999999999999", 1),
        GOOD.replace("horizon = 100000", "horizon = inf"),
        GOOD.replace("mean = 1.0", "mean = 1e-320", 1),
        GOOD.replace("mean = 1.0", "mean = -0.0", 1),
        GOOD.replace("seed = 1", "seed = -1"),
        GOOD.replace('"S1", "S2"', '[], "S2"'),
        GOOD.replace('"S1", "S2"', '["S1", "S1"], "S2"'),
        GOOD.replace("[[stations]]", "[[stations]]\nservers = 0", 1),
        GOOD.replace("[[stations]]", "[[stations]]\nservers = 100001", 1),
        GOOD.replace("[[stations]]", "[[stations]]\nscrap = 1.0", 1),
    ],
    ids=lambda t: t[:30] if len(t) < 200 else f"{len(t)} chars",
)
def test_hostile_toml_never_panics(text: str) -> None:
    try:
        scenario = lt.Scenario.from_toml_string(text)
    except lt.ScenarioError:
        return
    scenario.run(horizon=100)


def test_deeply_nested_dict_is_rejected_without_crashing() -> None:
    deep: Any = {"dist": "exponential", "mean": 1.0}
    for _ in range(100_000):
        deep = [deep]
    spec = lt.Scenario.from_toml(library("serial_line.toml")).to_dict()
    spec["stations"][0]["processing"] = deep
    with pytest.raises(TypeError, match="nested more than 32 levels deep"):
        lt.Scenario.from_dict(spec)


def test_a_dict_without_the_scenario_table_names_it() -> None:
    with pytest.raises(lt.ScenarioError) as raised:
        lt.Scenario.from_dict({"products": []})
    assert str(raised.value) == "<python>: missing field `scenario`"


def _set(spec: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    target: Any = spec
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return spec


@pytest.mark.parametrize(
    ("toml_edit", "path", "value"),
    [
        (("mean = 1.0", "mean = nan"), ("stations", 0, "processing", "mean"), math.nan),
        (("mean = 1.0", "mean = -2"), ("stations", 0, "processing", "mean"), -2),
        (("capacity = 5", "capacity = -1"), ("buffers", 0, "capacity"), -1),
        (('"S10"]', '"S11"]'), ("products", 0, "route", 9), "S11"),
        (('time_unit = "min"', 'time_unit = "days"'), ("scenario", "time_unit"), "days"),
        (('kind = "saturated"', 'kind = "push"'), ("sources", 0, "kind"), "push"),
        (
            ('dist = "exponential"', 'dist = "poisson"'),
            ("stations", 0, "processing", "dist"),
            "poisson",
        ),
        (('name = "B2"', 'name = "B3"'), ("buffers", 0, "name"), "B3"),
    ],
)
def test_python_built_errors_have_the_cli_message_without_the_line(
    cli: Path, tmp_path: Path, toml_edit: tuple[str, str], path: tuple[Any, ...], value: Any
) -> None:
    file = tmp_path / "bad.toml"
    file.write_text(GOOD.replace(*toml_edit, 1), encoding="utf-8")
    expected = cli_message(cli, "validate", str(file)).replace(f"{file}:", "<python>:", 1)
    expected = re.sub(r"^<python>:\d+: ", "<python>: ", expected)
    spec = _set(lt.Scenario.from_toml(library("serial_line.toml")).to_dict(), path, value)
    with pytest.raises(lt.ScenarioError) as raised:
        lt.Scenario.from_dict(spec)
    assert str(raised.value) == expected


def test_numbers_beyond_float_saturate_like_the_cli(cli: Path) -> None:
    path = library("serial_line.toml")
    with pytest.raises(lt.ScenarioError) as raised:
        serial().run(horizon=10**400)
    assert str(raised.value) == cli_message(cli, "run", path, "--horizon", "1e400")
    line = lt.Line("x", horizon=Fraction(10**400, 3)).product("p", ["m"]).source("s").sink("o")
    with pytest.raises(lt.ScenarioError, match="horizon: must be positive and finite, got inf"):
        line.station("m", lt.constant(1)).build()
