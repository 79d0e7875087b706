"""Building lines in Python: the same spec as the TOML file, the same results."""

from __future__ import annotations

import pytest

import linetwin as lt
from conftest import library


def serial_line() -> lt.Line:
    """scenarios/library/serial_line.toml, written with the builder."""
    names = [f"S{i}" for i in range(1, 11)]
    line = (
        lt.Line("Ten-station serial line", time_unit="min", horizon=100_000, warmup=0, seed=1)
        .product("part", route=names)
        .source("release", kind="saturated")
        .sink("out")
    )
    for name in names[1:]:
        line.buffer(f"B{name[1:]}", capacity=5)
    breakdown = lt.Failure(
        ttf=lt.exponential(mean=500), ttr=lt.exponential(mean=20), name="breakdown", clock="busy"
    )
    for name in names:
        line.station(
            name,
            processing=lt.exponential(mean=1.0),
            input=None if name == "S1" else f"B{name[1:]}",
            failures=[breakdown],
        )
    return line


def assembly_line() -> lt.Line:
    """scenarios/library/assembly_line.toml, written with the builder."""
    route = ["cut", ["weld-1", "weld-2"], "paint", "assembly", "test"]
    torch = lt.Failure(
        lt.weibull(mean=400, cv=0.6), lt.lognormal(mean=15, cv=0.8), name="torch", clock="busy"
    )
    return (
        lt.Line(
            "Two-model assembly line",
            description="Cut, weld (two parallel cells), paint, assemble and test; model mix 70/30",
            time_unit="min",
            horizon=48000,
            warmup=2400,
            seed=2026,
        )
        .product("model-A", route)
        .product("model-B", route)
        .source(
            "orders",
            lt.exponential(mean=2.2),
            when_full="block",
            mix={"model-A": 0.7, "model-B": 0.3},
        )
        .sink("shipping")
        .buffer("weld-queue", 6)
        .buffer("paint-queue", 4)
        .buffer("assembly-queue", 4)
        .buffer("test-queue", 3)
        .station("cut", lt.lognormal(mean=1.6, cv=0.25))
        .station("weld-1", lt.gamma(mean=3.2, cv=0.3), input="weld-queue", failures=[torch])
        .station("weld-2", lt.gamma(mean=3.6, cv=0.3), input="weld-queue", failures=[torch])
        .station(
            "paint",
            lt.triangular(1.2, 1.6, 2.4),
            input="paint-queue",
            processing_by_product={"model-B": lt.triangular(1.8, 2.2, 3.0)},
            failures=[
                lt.Failure(
                    lt.exponential(mean=600), lt.uniform(5, 25), name="clog", clock="calendar"
                )
            ],
        )
        .station("assembly", lt.normal(mean=3.4, sd=0.5), input="assembly-queue", servers=2)
        .station("test", lt.constant(1.5), input="test-queue", scrap=0.02)
    )


@pytest.mark.parametrize(
    ("name", "build"),
    [("serial_line.toml", serial_line), ("assembly_line.toml", assembly_line)],
)
def test_line_built_in_python_equals_the_toml_file(name: str, build: object) -> None:
    from_file = lt.Scenario.from_toml(library(name))
    assert callable(build)
    built = build().build()
    assert built.origin == "<python>"
    assert built == from_file
    assert built.to_toml() == from_file.to_toml()
    assert built.to_dict() == from_file.to_dict()


def test_serial_line_both_ways_gives_identical_results() -> None:
    from_file = lt.Scenario.from_toml(library("serial_line.toml"))
    built = serial_line().build()
    for seed in (1, 42):
        assert (
            built.run(seed=seed, horizon=20_000).kpis
            == from_file.run(seed=seed, horizon=20_000).kpis
        )


def test_assembly_line_both_ways_gives_identical_results() -> None:
    from_file = lt.Scenario.from_toml(library("assembly_line.toml"))
    built = assembly_line().build()
    assert built.run(seed=3).kpis == from_file.run(seed=3).kpis


def test_from_scenario_then_change_one_thing() -> None:
    baseline = lt.Scenario.from_toml(library("assembly_line.toml"))
    line = lt.Line.from_scenario(baseline)
    assert line.build() == baseline
    variant = line.update_station("paint", servers=2).update_buffer("test-queue", 10).build()
    spec = variant.to_dict()
    paint = next(s for s in spec["stations"] if s["name"] == "paint")
    assert paint["servers"] == 2
    assert next(b for b in spec["buffers"] if b["name"] == "test-queue")["capacity"] == 10
    assert variant != baseline
    # Unchanged elsewhere.
    assert (
        lt.Line.from_scenario(variant)
        .update_station("paint", servers=None)
        .update_buffer("test-queue", 3)
        .build()
        == baseline
    )


def test_update_of_an_unknown_entity_names_the_known_ones() -> None:
    line = lt.Line.from_scenario(lt.Scenario.from_toml(library("assembly_line.toml")))
    with pytest.raises(KeyError, match="no station named 'welder'.*'weld-1'"):
        line.update_station("welder", servers=2)
    with pytest.raises(TypeError, match="unexpected keyword argument 'speed'"):
        line.update_station("paint", speed=2)


def test_set_changes_run_settings() -> None:
    scenario = serial_line().set(horizon=5000, warmup=100, seed=9, name="short").build()
    section = scenario.to_dict()["scenario"]
    assert (section["horizon"], section["warmup"], section["seed"], section["name"]) == (
        5000,
        100,
        9,
        "short",
    )


def test_distribution_helpers_write_the_toml_fields() -> None:
    assert lt.exponential(mean=2.2).to_dict() == {"dist": "exponential", "mean": 2.2}
    assert lt.exponential(rate=0.5).to_dict() == {"dist": "exponential", "rate": 0.5}
    assert lt.gamma(mean=3.2, cv=0.3).to_dict() == {"dist": "gamma", "mean": 3.2, "cv": 0.3}
    assert lt.triangular(1, 2, 4).to_dict() == {"dist": "triangular", "min": 1, "mode": 2, "max": 4}
    assert lt.erlang(3, 1.5).to_dict() == {"dist": "erlang", "k": 3, "mean": 1.5}
    assert lt.discrete([1, 2], [0.5, 0.5]).to_dict() == {
        "dist": "discrete",
        "values": [1, 2],
        "weights": [0.5, 0.5],
    }
    assert lt.piecewise_linear([(0, 0), (1, 1)]).to_dict() == {
        "dist": "piecewise_linear",
        "points": [[0, 0], [1, 1]],
    }
    assert repr(lt.gamma(mean=3.2, cv=0.3)) == "gamma(mean=3.2, cv=0.3)"
    assert lt.Distribution("gamma", mean=3.2, cv=0.3) == lt.gamma(mean=3.2, cv=0.3)
    assert lt.Distribution.from_dict({"dist": "uniform", "min": 1, "max": 2}) == lt.uniform(1, 2)
    assert repr(lt.Failure(lt.constant(5), lt.constant(1), name="jam")) == (
        "Failure(constant(value=5), constant(value=1), name='jam')"
    )


EVERY_FAMILY = [
    lt.constant(1.0),
    lt.constant(mean=1.0, cv=0.0),
    lt.exponential(mean=1.0),
    lt.exponential(rate=1.0),
    lt.exponential(mean=1.0, cv=1.0),
    lt.uniform(0.5, 1.5),
    lt.uniform(mean=1.0, cv=0.2),
    lt.triangular(0.5, 1.0, 1.5),
    lt.triangular(mean=1.0, cv=0.2),
    lt.normal(1.0, 0.2),
    lt.normal(mean=1.0, cv=0.2),
    lt.lognormal(mu=0.0, sigma=0.3),
    lt.lognormal(mean=1.0, cv=0.3),
    lt.gamma(shape=4, scale=0.25),
    lt.gamma(mean=1.0, cv=0.5),
    lt.erlang(4, 1.0),
    lt.erlang(mean=1.0, cv=0.5),
    lt.weibull(shape=2, scale=1.1),
    lt.weibull(mean=1.0, cv=0.5),
    lt.discrete([0.5, 1.5], [1, 1]),
    lt.piecewise_linear([(0.5, 0.0), (1.5, 1.0)]),
]


@pytest.mark.parametrize("dist", EVERY_FAMILY, ids=repr)
def test_every_distribution_form_builds_and_runs(dist: lt.Distribution) -> None:
    result = (
        lt.Line("One station", horizon=500)
        .product("part", ["m"])
        .source("release")
        .sink("out")
        .station("m", dist)
        .build()
        .run(seed=1)
    )
    assert result.kpis["line"]["parts_completed"] > 100


def test_arrivals_scrap_and_several_sinks() -> None:
    line = (
        lt.Line("Two products", horizon=2000, time_unit="h")
        .product("a", ["m", "n"], sink="good-a")
        .product("b", [("m",), "n"], sink="good-b")
        .source("orders", lt.exponential(mean=0.3), when_full="lose", mix={"a": 1, "b": 3})
        .sink("good-a")
        .sink("good-b")
        .buffer("m-queue", capacity=1)
        .buffer("n-queue", capacity=2)
        .station("m", lt.constant(0.5), input="m-queue", scrap=0.1)
        .station("n", lt.exponential(mean=0.6), input="n-queue")
    )
    k = line.build().run(seed=5).kpis
    assert k["time_unit"] == "h"
    assert k["stations"]["m"]["scrapped"] > 0
    assert k["line"]["parts_lost"] > 0


def test_line_repr_counts_entities() -> None:
    assert repr(serial_line()) == (
        "Line('Ten-station serial line': 1 product, 10 stations, 9 buffers, 1 source, 1 sink)"
    )


MIXED_TOML = """
[scenario]
name = "Press and oven"
time_unit = "min"
horizon = 400
seed = 5
rule = "edd"

[[products]]
name = "A"
family = "light"
route = ["press", { station = "oven", processing = { dist = "constant", value = 2.0 } }]

[[products]]
name = "B"
family = "heavy"
route = ["press", "oven"]

[[sources]]
name = "book"
kind = "orders"

[[sources]]
name = "wheel"
kind = "arrivals"
interarrival = { dist = "exponential", mean = 9.0 }
sequence = [{ product = "A", count = 2 }, "B"]

[[sinks]]
name = "out"

[[stations]]
name = "press"
processing = { dist = "gamma", mean = 1.5, cv = 0.5 }
rule = { name = "atcs", k1 = 2.0, k2 = 0.5 }

[stations.setup]
initial = "light"
default = { dist = "constant", value = 4.0 }

[stations.setup.times.light]
heavy = { dist = "uniform", min = 6.0, max = 10.0 }

[[stations]]
name = "oven"
processing = { dist = "constant", value = 3.0 }

[[orders]]
id = "o1"
product = "A"
quantity = 6
due = 60.0
source = "book"

[[orders]]
id = "o2"
product = "B"
quantity = 4
release = 10.0
due = 80.0
weight = 2.0
priority = 1.0
source = "book"
"""


def mixed_line() -> lt.Line:
    """MIXED_TOML, written with the builder: families, setups, rules, a model
    sequence, a step with its own time and orders."""
    return (
        lt.Line("Press and oven", time_unit="min", horizon=400, seed=5, rule="edd")
        .product(
            "A", ["press", lt.Operation("oven", processing=lt.constant(2.0))], family="light"
        )
        .product("B", ["press", "oven"], family="heavy")
        .source("book", kind="orders")
        .source("wheel", lt.exponential(mean=9.0), sequence=[("A", 2), "B"])
        .sink("out")
        .station(
            "press",
            lt.gamma(mean=1.5, cv=0.5),
            rule={"name": "atcs", "k1": 2.0, "k2": 0.5},
            setup=lt.Setup(
                {("light", "heavy"): lt.uniform(6.0, 10.0)},
                default=lt.constant(4.0),
                initial="light",
            ),
        )
        .station("oven", lt.constant(3.0))
        .order("o1", "A", 6, due=60.0, source="book")
        .order("o2", "B", 4, release=10.0, due=80.0, weight=2.0, priority=1.0, source="book")
    )


def test_flexible_production_built_in_python_equals_the_toml() -> None:
    from_text = lt.Scenario.from_toml_string(MIXED_TOML)
    built = mixed_line().build()
    assert built.to_dict() == from_text.to_dict()
    assert built.run(seed=2).kpis == from_text.run(seed=2).kpis
    # from_scenario keeps every part of it, orders and rules included.
    again = lt.Line.from_scenario(built).build()
    assert again.to_dict() == built.to_dict()
    kpis = built.run(seed=2).kpis
    assert kpis["orders"]["done"] == 2
    assert kpis["stations"]["press"]["setups"] >= 1


def test_setup_accepts_nested_times_and_says_what_it_is() -> None:
    pairs = lt.Setup({("a", "b"): lt.constant(2)}, initial="a")
    nested = lt.Setup({"a": {"b": lt.constant(2)}}, initial="a")
    assert pairs == nested
    assert repr(pairs) == "Setup({('a', 'b'): constant(value=2)}, initial='a')"
    assert repr(lt.Operation("m", processing=lt.constant(1))) == (
        "Operation('m', processing=constant(value=1))"
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: lt.Setup({("a",): lt.constant(1)}),
            "Setup(): argument 'times' key ('a',) must be a (from, to) pair",
        ),
        (
            lambda: lt.Line("x", horizon=1).station("m", setup={"default": 1}),  # type: ignore[arg-type]
            "Line.station(): argument 'setup' must be a Setup, not dict",
        ),
        (
            lambda: lt.Line("x", horizon=1, rule={"k1": 2}),
            "Line(): argument 'rule' must have a 'name'",
        ),
        (
            lambda: lt.Line("x", horizon=1).station("m", rule={"name": "atc", "kk": 1}),
            "Line.station(): argument 'rule' has an unexpected key 'kk' (known: name, k, k1, k2)",
        ),
        (
            lambda: lt.Line("x", horizon=1).source("s", sequence=[("A", "5")]),  # type: ignore[list-item]
            "Line.source(): argument 'sequence[0][1]' must be an int, not str",
        ),
        (
            lambda: lt.Line("x", horizon=1).order("o", "A", 1.5),  # type: ignore[arg-type]
            "Line.order(): argument 'quantity' must be an int, not float",
        ),
        (
            lambda: lt.Line("x", horizon=1).product("A", [3]),  # type: ignore[list-item]
            "Line.product(): argument 'route[0]' must be a station name, a list of "
            "alternative station names or an Operation, not int",
        ),
    ],
)
def test_flexible_builder_type_errors_name_the_argument(call: object, message: str) -> None:
    assert callable(call)
    with pytest.raises(TypeError) as error:
        call()
    assert str(error.value) == message


def test_a_bad_rule_from_the_builder_gets_the_validator_message() -> None:
    line = mixed_line().update_station("press", rule="fastest")
    with pytest.raises(lt.ScenarioError, match="fastest"):
        line.build()


@pytest.mark.parametrize("seed", [0, 2**63 - 1, 2**63, 2**64 - 1])
def test_seeds_up_to_2_to_the_64_round_trip_through_to_toml(seed: int) -> None:
    scenario = (
        lt.Line("One station", horizon=200, seed=seed)
        .product("part", ["m"])
        .source("release")
        .sink("out")
        .station("m", lt.exponential(1.0))
        .build()
    )
    text = scenario.to_toml()
    # TOML's integers stop at 2**63 - 1: a larger seed is written as a string.
    assert (f'seed = "{seed}"' if seed > 2**63 - 1 else f"seed = {seed}\n") in text
    again = lt.Scenario.from_toml_string(text)
    assert again.run().kpis["seed"] == seed
    assert again.run().kpis == scenario.run().kpis
    experiment = lt.Experiment(scenario, replications=2, seed=seed)
    written = experiment.scenario.to_toml()
    assert lt.Experiment(lt.Scenario.from_toml_string(written)).run().kpis["seed"] == seed
