"""Loading, running and writing scenarios; the KPI contract with the CLI."""

from __future__ import annotations

import json
import math
import pickle
from pathlib import Path

import pandas as pd
import pytest

import linetwin
from conftest import library, run_cli

BUNDLED = ["serial_line.toml", "assembly_line.toml"]


@pytest.mark.parametrize("name", BUNDLED)
@pytest.mark.parametrize("seed", [None, 7])
def test_kpis_equal_the_cli_json(cli: Path, name: str, seed: int | None) -> None:
    args = ["run", library(name), "--json"]
    if seed is not None:
        args += ["--seed", str(seed)]
    output = run_cli(cli, *args)
    assert output.returncode == 0, output.stderr
    result = linetwin.Scenario.from_toml(library(name)).run(seed=seed)
    assert result.kpis == json.loads(output.stdout)
    assert result.to_json() == output.stdout


def test_overrides_equal_the_cli_overrides(cli: Path) -> None:
    output = run_cli(
        cli,
        "run",
        library("assembly_line.toml"),
        "--json",
        "--seed",
        "11",
        "--horizon",
        "5000",
        "--warmup",
        "500",
    )
    assert output.returncode == 0, output.stderr
    result = linetwin.Scenario.from_toml(library("assembly_line.toml")).run(
        seed=11, horizon=5000, warmup=500
    )
    assert result.kpis == json.loads(output.stdout)
    assert result.kpis["horizon"] == 5000
    assert result.kpis["warmup"] == 500


def test_replication_equals_the_cli_replication(cli: Path) -> None:
    file = library("serial_line.toml")
    output = run_cli(cli, "run", file, "--json", "--horizon", "3000", "--replication", "2")
    assert output.returncode == 0, output.stderr
    scenario = linetwin.Scenario.from_toml(file)
    result = scenario.run(horizon=3000, replication=2)
    assert result.kpis == json.loads(output.stdout)
    assert result.kpis["replication"] == 2
    assert result.kpis != scenario.run(horizon=3000).kpis
    with pytest.raises(ValueError, match="argument 'replication' must be an integer from 0"):
        scenario.run(replication=-1)


def test_str_is_the_cli_table(cli: Path) -> None:
    output = run_cli(cli, "run", library("assembly_line.toml"), "--seed", "3")
    assert output.returncode == 0, output.stderr
    result = linetwin.Scenario.from_toml(library("assembly_line.toml")).run(seed=3)
    assert str(result) == output.stdout


def test_same_seed_same_kpis_other_seed_other_kpis() -> None:
    scenario = linetwin.Scenario.from_toml(library("assembly_line.toml"))
    a = scenario.run(seed=5, horizon=5000)
    b = scenario.run(seed=5, horizon=5000)
    c = scenario.run(seed=6, horizon=5000)
    assert a.kpis == b.kpis
    assert a.kpis != c.kpis


def test_kpis_is_a_plain_dict_and_a_fresh_copy() -> None:
    result = linetwin.Scenario.from_toml(library("serial_line.toml")).run(horizon=2000)
    kpis = result.kpis
    assert type(kpis) is dict
    assert kpis["schema"] == "linetwin.kpi/2"
    kpis["line"] = None
    assert result.kpis["line"] is not None


def test_scenario_properties_and_repr() -> None:
    path = library("assembly_line.toml")
    scenario = linetwin.Scenario.from_toml(Path(path))
    assert scenario.name == "Two-model assembly line"
    assert scenario.origin == path
    assert isinstance(scenario.warnings, list)
    assert repr(scenario) == f"Scenario('Two-model assembly line', origin={path!r})"


def test_to_toml_round_trips(tmp_path: Path) -> None:
    original = linetwin.Scenario.from_toml(library("assembly_line.toml"))
    target = tmp_path / "copy.toml"
    text = original.to_toml(target)
    assert target.read_text(encoding="utf-8") == text
    reread = linetwin.Scenario.from_toml(target)
    assert reread == original
    assert reread.to_toml() == text
    assert reread.run(seed=9, horizon=5000).kpis == original.run(seed=9, horizon=5000).kpis
    from_string = linetwin.Scenario.from_toml_string(text)
    assert from_string.origin == "<string>"
    assert from_string == original


def test_to_dict_from_dict_round_trips() -> None:
    original = linetwin.Scenario.from_toml(library("assembly_line.toml"))
    spec = original.to_dict()
    assert spec["scenario"]["name"] == "Two-model assembly line"
    assert spec["products"][0]["route"][1] == ["weld-1", "weld-2"]
    rebuilt = linetwin.Scenario.from_dict(spec)
    assert rebuilt.origin == "<python>"
    assert rebuilt == original
    assert rebuilt.run(seed=2, horizon=4000).kpis == original.run(seed=2, horizon=4000).kpis


def test_run_result_repr_reads_well() -> None:
    result = linetwin.Scenario.from_toml(library("assembly_line.toml")).run(seed=1, horizon=5000)
    text = repr(result)
    k = result.kpis
    assert text.startswith("<RunResult 'Two-model assembly line' seed=1: ")
    assert f"{k['line']['parts_completed']} parts completed" in text
    assert f"bottleneck {k['bottleneck']!r}" in text
    assert "/min" in text and "OEE " in text
    assert result.bottleneck == k["bottleneck"]
    assert result.throughput == k["line"]["throughput"]


def test_to_pandas_gives_tidy_frames() -> None:
    result = linetwin.Scenario.from_toml(library("assembly_line.toml")).run(seed=4, horizon=6000)
    k = result.kpis
    frames = result.to_pandas()
    assert isinstance(frames, linetwin.KpiFrames)

    line = frames.line
    assert list(line.columns) == ["scenario", "seed", "kpi", "value"]
    values = dict(zip(line["kpi"], line["value"], strict=True))
    assert values["throughput"] == k["line"]["throughput"]
    assert values["parts_completed"] == k["line"]["parts_completed"]
    assert values["lead_time.p90"] == k["line"]["lead_time"]["p90"]
    assert values["oee.availability"] == k["line"]["oee"]["availability"]
    assert set(line["scenario"]) == {"Two-model assembly line"}
    assert set(line["seed"]) == {4}

    stations = frames.stations
    assert list(stations["station"]) == list(k["stations"])
    assert stations.set_index("station").loc["assembly", "servers"] == 2
    assert stations["bottleneck"].sum() == 1
    assert stations.loc[stations["bottleneck"], "station"].item() == k["bottleneck"]

    states = frames.states
    assert list(states.columns) == ["scenario", "seed", "station", "state", "fraction"]
    assert len(states) == 7 * len(k["stations"])
    totals = states.groupby("station")["fraction"].sum()
    assert all(math.isclose(t, 1.0, abs_tol=1e-9) for t in totals)

    both = pd.concat([frames.line, result.to_pandas().line])
    assert len(both) == 2 * len(line)

    products = frames.products.set_index("product")
    assert list(products.index) == list(k["products"])
    assert products["parts_completed"].sum() == k["line"]["parts_completed"]
    assert products.loc["model-A", "lead_time_p90"] == k["products"]["model-A"]["lead_time"]["p90"]

    buffers = frames.buffers.set_index("buffer")
    assert list(buffers.index) == list(k["buffers"])
    assert buffers.loc["weld-queue", "capacity"] == 6
    assert (buffers["content_mean"] <= buffers["content_max"]).all()


def test_undefined_ratios_are_none_in_kpis_and_nan_in_frames() -> None:
    # Nothing completes within a horizon shorter than one processing time.
    line = (
        linetwin.Line("Slow", horizon=10)
        .product("part", route=["oven"])
        .source("release")
        .sink("out")
        .station("oven", linetwin.constant(100))
    )
    result = line.build().run()
    k = result.kpis
    assert k["line"]["parts_completed"] == 0
    assert k["line"]["oee"]["quality"] is None
    assert "OEE n/a" in repr(result)
    values = dict(
        zip(result.to_pandas().line["kpi"], result.to_pandas().line["value"], strict=True)
    )
    assert math.isnan(values["oee.quality"])


def test_scenarios_and_results_pickle() -> None:
    scenario = linetwin.Scenario.from_toml(library("assembly_line.toml"))
    copy = pickle.loads(pickle.dumps(scenario))
    assert copy == scenario
    assert copy.origin == scenario.origin
    result = scenario.run(seed=8, horizon=3000)
    again = pickle.loads(pickle.dumps(result))
    assert again.kpis == result.kpis
    assert str(again) == str(result)
    assert copy.run(seed=8, horizon=3000).kpis == result.kpis


def test_a_scenario_with_an_orders_file_pickles_with_its_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = linetwin.Scenario.from_toml(library("mixed_model_line.toml"))
    expected = scenario.run(horizon=600).kpis
    # Unpickled elsewhere, it still finds mixed_model_orders.csv next to its file.
    monkeypatch.chdir(tmp_path)
    copy = pickle.loads(pickle.dumps(scenario))
    assert copy == scenario
    assert copy.run(horizon=600).kpis == expected
    experiment = linetwin.Experiment(scenario, replications=2, seed=4, horizon=600)
    again = pickle.loads(pickle.dumps(experiment))
    assert again.design_points == experiment.design_points
    assert again.run().to_json() == experiment.run().to_json()


def test_experiment_results_pickle_with_every_tally() -> None:
    study = linetwin.Scenario.from_toml(library("serial_line.toml"))
    experiment = linetwin.Experiment(
        study, replications=5, seed=3, horizon=2000, factors={"stations.S3.servers": [1, 2]}
    )
    result = experiment.run()
    again = pickle.loads(pickle.dumps(result))
    assert again.to_json() == result.to_json()
    assert str(again) == str(result)
    assert again.kpis == result.kpis
    # The paired differences need every tally, not only the printed summaries.
    assert again.compare(0, 1, "line.throughput") == result.compare(0, 1, "line.throughput")
    assert again.summary().equals(result.summary())
    with pytest.raises(ValueError, match="^not an experiment result's state: "):
        linetwin._linetwin.CoreExperimentResult.from_state("{}")


def test_orders_from_python_and_their_frame() -> None:
    # Three A (2 min each) due at 5, then two B (3 min) released at 1, due at 20:
    # A done at 2, 4, 6 (order late by 1), B at 9, 12.
    spec = {
        "scenario": {"name": "orders", "time_unit": "min", "horizon": 100},
        "products": [{"name": "A", "route": ["M"]}, {"name": "B", "route": ["M"]}],
        "sources": [{"name": "book", "kind": "orders"}],
        "sinks": [{"name": "out"}],
        "stations": [
            {
                "name": "M",
                "processing": {"dist": "constant", "value": 2},
                "processing_by_product": {"B": {"dist": "constant", "value": 3}},
            }
        ],
        "orders": [
            {"id": "o1", "product": "A", "quantity": 3, "due": 5},
            {"id": "o2", "product": "B", "quantity": 2, "release": 1, "due": 20, "weight": 2},
        ],
    }
    result = linetwin.Scenario.from_dict(spec).run()
    orders = result.to_pandas().orders.set_index("id")
    assert list(orders["completion"]) == [6.0, 12.0]
    assert list(orders["tardiness"]) == [1.0, 0.0]
    assert result.kpis["orders"]["on_time_rate"] == 0.5
    assert result.kpis["orders"]["makespan"] == 12.0
    # A line without orders has an empty orders frame and no `orders` KPIs.
    plain = linetwin.Scenario.from_toml(library("serial_line.toml")).run(horizon=100)
    assert "orders" not in plain.kpis
    assert plain.to_pandas().orders.empty


def _three_products(rule: str | None = None) -> dict[str, object]:
    station: dict[str, object] = {
        "name": "M",
        "processing": {"dist": "exponential", "mean": 1.0},
        "processing_by_product": {
            "B": {"dist": "exponential", "mean": 0.5},
            "C": {"dist": "exponential", "mean": 1.4},
        },
    }
    if rule is not None:
        station["rule"] = rule
    return {
        "scenario": {"name": "rules", "time_unit": "min", "horizon": 5000, "seed": 3},
        "products": [{"name": p, "route": ["M"]} for p in "ABC"],
        "sources": [
            {
                "name": "in",
                "kind": "arrivals",
                "interarrival": {"dist": "exponential", "mean": 1.05},
                "mix": {"A": 1, "B": 1, "C": 1},
            }
        ],
        "sinks": [{"name": "out"}],
        "stations": [station],
    }


def test_a_python_rule_like_spt_gives_the_built_in_run() -> None:
    def spt(candidates: list[dict[str, object]], state: dict[str, object]) -> int:
        assert state["station"] == "M"
        return min(range(len(candidates)), key=lambda i: candidates[i]["processing_time"])  # type: ignore[return-value, arg-type]

    python = linetwin.Scenario.from_dict(_three_products()).run(rules={"M": spt})
    built_in = linetwin.Scenario.from_dict(_three_products("spt")).run()
    assert python.kpis == built_in.kpis
    assert python.kpis != linetwin.Scenario.from_dict(_three_products()).run().kpis


def test_an_exception_in_a_python_rule_is_raised_as_it_was() -> None:
    def broken(candidates: list[dict[str, object]], state: dict[str, object]) -> int:
        raise ZeroDivisionError("no rule today")

    with pytest.raises(ZeroDivisionError, match="no rule today"):
        linetwin.Scenario.from_dict(_three_products()).run(rules={"M": broken})


def test_bad_python_rules() -> None:
    scenario = linetwin.Scenario.from_dict(_three_products())
    with pytest.raises(TypeError, match="must return the index of a candidate"):
        scenario.run(rules={"M": lambda candidates, state: "first"})
    with pytest.raises(ValueError, match="must return an index from 0 to"):
        scenario.run(rules={"M": lambda candidates, state: -1})
    with pytest.raises(
        linetwin.ScenarioError, match=r"station `M` at time [0-9.]+: the user rule chose candidate (\d+) of \1$"
    ):
        scenario.run(rules={"M": lambda candidates, state: len(candidates)})
    with pytest.raises(linetwin.ScenarioError, match="rules: unknown station `X`"):
        scenario.run(rules={"X": lambda candidates, state: 0})
    with pytest.raises(TypeError, match="must map station names to callables"):
        scenario.run(rules={"M": 3})  # type: ignore[dict-item]
