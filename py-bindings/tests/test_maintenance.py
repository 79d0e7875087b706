"""Wear and maintenance from Python: run-to-failure datasets (the same rows as
the CLI writes, as CSV and as Parquet), Python maintenance policies that
decide from a unit's signal history, and their errors."""

from __future__ import annotations

import math
from pathlib import Path

import pandas
import pytest

import linetwin as lt
from conftest import library, run_cli

# One pump whose impeller wears through four health states at rates per minute
# (mean time to failure 20 + 25 + 50 = 95 min); a vibration signal reads the
# state's level plus noise (sd 0.2) every 2 min.
PUMP = """
[scenario]
name = "one pump"
time_unit = "min"
horizon = 20000
seed = 3

[[products]]
name = "water"
route = ["pump"]

[[sources]]
name = "supply"
kind = "saturated"

[[sinks]]
name = "out"

[[stations]]
name = "pump"
processing = { dist = "constant", value = 1 }

[[stations.wear]]
name = "impeller"
model = { kind = "chain", clock = "calendar", states = ["new", "worn", "very-worn", "failed"],
          transitions = [ { from = "new", to = "worn", rate = 0.05 },
                          { from = "worn", to = "very-worn", rate = 0.04 },
                          { from = "very-worn", to = "failed", rate = 0.02 } ] }
signal = { levels = [0.0, 1.0, 2.0, 3.0], noise = 0.2, every = 2 }
policy = { kind = "condition", threshold = 1.5 }
repair = { duration = { dist = "exponential", mean = 10 }, cost = 500 }
preventive = { duration = { dist = "exponential", mean = 2 }, cost = 100 }
"""


@pytest.fixture(scope="module")
def pump(tmp_path_factory: pytest.TempPathFactory) -> tuple[lt.Scenario, Path]:
    path = tmp_path_factory.mktemp("pump") / "pump.toml"
    path.write_text(PUMP)
    return lt.Scenario.from_toml(str(path)), path


def test_a_dataset_has_a_row_per_reading_and_ends_each_unit_at_its_failure(
    pump: tuple[lt.Scenario, Path],
) -> None:
    scenario, _ = pump
    frame = lt.pdm_dataset(scenario, 2000, seed=5)
    assert list(frame.columns) == ["unit", "age", "signal", "state", "state_index", "rul"]
    assert frame.attrs == {"station": "pump", "mode": "impeller"}
    last = frame.groupby("unit").tail(1)
    assert len(last) == 2000
    assert (last["rul"] == 0).all() and (last["state"] == "failed").all()
    readings = frame[frame["rul"] > 0]
    assert (readings["age"] % 2 == 0).all()
    # Each unit's life is its last age; the mean of 2000 lives of a chain with
    # mean 95 and sd about 59 is within 4 standard errors of 95.
    lives = last["age"]
    assert abs(lives.mean() - 95.0) < 4 * lives.std() / math.sqrt(len(lives))
    assert set(frame["state"]) == {"new", "worn", "very-worn", "failed"}


def test_the_cli_writes_the_same_rows_as_csv_and_as_parquet(
    pump: tuple[lt.Scenario, Path], cli: Path, tmp_path: Path
) -> None:
    scenario, path = pump
    frame = lt.pdm_dataset(scenario, 50, seed=5)
    for name in ("rtf.csv", "rtf.parquet"):
        out = tmp_path / name
        run = run_cli(cli, "pdm-dataset", str(path), "--units", "50", "--seed", "5", "--out", str(out))
        assert run.returncode == 0, run.stderr
        assert run.stdout.startswith(f"{out}: {len(frame)} readings of 50 units of pump/impeller")
        read = pandas.read_csv(out) if name.endswith(".csv") else pandas.read_parquet(out)
        pandas.testing.assert_frame_equal(read, frame, check_dtype=False)
    bad = run_cli(cli, "pdm-dataset", str(path), "--units", "5", "--out", str(tmp_path / "x.json"))
    assert bad.returncode == 2
    assert bad.stderr.strip() == (
        f"error: command line: --out: the file's name must end in .csv or .parquet, "
        f"got `{tmp_path / 'x.json'}`"
    )
    assert not (tmp_path / "x.json").exists()


def test_a_python_policy_decides_as_the_built_in_one_it_mirrors(
    pump: tuple[lt.Scenario, Path],
) -> None:
    scenario, _ = pump
    built_in = scenario.run(seed=8).kpis["stations"]["pump"]
    seen: list[dict[str, object]] = []

    def threshold(history: list[tuple[float, float]], unit: dict[str, object]) -> bool:
        seen.append(unit)
        return history[-1][1] >= 1.5

    by_python = scenario.run(seed=8, maintenance={"pump/impeller": threshold}).kpis
    assert by_python["stations"]["pump"] == built_in
    assert built_in["maintenance"]["preventive_actions"] > 50
    assert {(u["station"], u["mode"], u["server"]) for u in seen} == {("pump", "impeller", 0)}


def test_a_python_policys_errors_reach_the_caller(pump: tuple[lt.Scenario, Path]) -> None:
    scenario, _ = pump

    class NoModel(Exception):
        pass

    def failing(history: list[tuple[float, float]], unit: dict[str, object]) -> bool:
        raise NoModel(f"{len(history)} readings")

    with pytest.raises(NoModel, match="^1 readings$"):
        scenario.run(maintenance={"pump/impeller": failing})
    with pytest.raises(TypeError, match="must return True .* or False, not int"):
        scenario.run(maintenance={"pump/impeller": lambda h, u: 1})  # type: ignore[dict-item, return-value]
    with pytest.raises(lt.ScenarioError, match="station `pump` has no wear mode `seal`"):
        scenario.run(maintenance={"pump/seal": lambda h, u: False})
    with pytest.raises(lt.ScenarioError, match="`pump` must name a wear mode as `station/mode`"):
        scenario.run(maintenance={"pump": lambda h, u: False})
    with pytest.raises(TypeError, match="must map 'station/mode' names to callables"):
        scenario.run(maintenance={"pump/impeller": 3})  # type: ignore[dict-item]
    with pytest.raises(lt.ScenarioError, match="no station is named `press`"):
        lt.pdm_dataset(scenario, 3, station="press")
    with pytest.raises(TypeError, match="units must be an int from 1"):
        lt.pdm_dataset(scenario, 0)


def test_a_maintained_line_built_in_python_is_the_scenario_file(
    pump: tuple[lt.Scenario, Path],
) -> None:
    scenario, _ = pump
    impeller = {
        "name": "impeller",
        "model": {
            "kind": "chain",
            "clock": "calendar",
            "states": ["new", "worn", "very-worn", "failed"],
            "transitions": [
                {"from": "new", "to": "worn", "rate": 0.05},
                {"from": "worn", "to": "very-worn", "rate": 0.04},
                {"from": "very-worn", "to": "failed", "rate": 0.02},
            ],
        },
        "signal": {"levels": [0.0, 1.0, 2.0, 3.0], "noise": 0.2, "every": 2},
        "policy": {"kind": "condition", "threshold": 1.5},
        "repair": {"duration": lt.exponential(10), "cost": 500},
        "preventive": {"duration": lt.exponential(2), "cost": 100},
    }
    built = (
        lt.Line("one pump", horizon=20000, seed=3)
        .product("water", route=["pump"])
        .source("supply", kind="saturated")
        .sink("out")
        .station("pump", lt.constant(1), wear=[impeller])
        .build()
    )
    assert built.run().kpis["stations"] == scenario.run().kpis["stations"]
    # With a crew: the pump line rebuilt from its file keeps its fitters.
    pump_line = lt.Scenario.from_toml(library("pump_line.toml"))
    rebuilt = lt.Line.from_scenario(pump_line).build()
    assert rebuilt.run().kpis == pump_line.run().kpis
    crewed = (
        lt.Line("one pump, one fitter", horizon=20000, seed=3)
        .crew("fitter", 1, response=lt.constant(5))
        .product("water", route=["pump"])
        .source("supply", kind="saturated")
        .sink("out")
        .station("pump", lt.constant(1), wear=[{**impeller, "crew": "fitter"}])
        .build()
    )
    kpis = crewed.run().kpis
    assert kpis["crews"]["fitter"]["jobs"] > 0
    assert kpis["stations"]["pump"]["states"]["waiting"] > 0
    with pytest.raises(TypeError, match="argument 'wear' must be a sequence of wear-mode dicts"):
        lt.Line("x", horizon=1).station("pump", lt.constant(1), wear={"name": "w"})  # type: ignore[arg-type]
