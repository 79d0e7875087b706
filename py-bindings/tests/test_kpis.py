"""ISO 22400 KPIs, energy and carbon from Python; the KPI catalogue and the
JSON Schemas, checked with a JSON Schema validator."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import linetwin as lt
from conftest import library


def metered_line() -> lt.Line:
    """Parts every 5 min from time 5; 2 min at `A` (planned 2.5), which draws
    10 kW busy and 2 kW idle; the hall draws 6 kW; 0.5 kg CO2 per kWh."""
    return (
        lt.Line("hand-worked", horizon=1000)
        .energy(line_load_kw=6, emission_factor=0.5)
        .product("p", route=["A"])
        .source("src", lt.constant(5))
        .sink("out")
        .station("A", lt.constant(2), planned_run_time=2.5, power={"busy": 10, "idle": 2})
    )


def test_a_metered_line_built_in_python_draws_the_hand_worked_energy() -> None:
    kpis = metered_line().build().run().kpis
    # 199 parts done in 1000 min, 398 min busy and 602 idle.
    busy, idle, load = 10 * 398 / 60, 2 * 602 / 60, 6 * 1000 / 60
    energy = kpis["line"]["energy"]
    assert energy["kwh"] == pytest.approx(busy + idle + load, rel=1e-12)
    assert energy["co2_kg"] == pytest.approx((busy + idle + load) * 0.5, rel=1e-12)
    assert energy["good_parts_per_kwh"] == pytest.approx(199 / (busy + idle + load), rel=1e-12)
    iso = kpis["stations"]["A"]["iso"]
    assert (iso["pq"], iso["apt"], iso["adot"]) == (199, pytest.approx(398), pytest.approx(602))
    assert iso["effectiveness"] == pytest.approx(1.25)
    assert iso["mtbf"] is None  # no failure: undefined


def test_metering_round_trips_through_toml() -> None:
    scenario = metered_line().build()
    again = lt.Scenario.from_toml_string(scenario.to_toml())
    assert again.run().kpis == scenario.run().kpis
    rebuilt = lt.Line.from_scenario(scenario).build()
    assert rebuilt.run().kpis == scenario.run().kpis


def test_bad_metering_arguments_name_the_argument() -> None:
    with pytest.raises(ValueError, match="unknown state 'offshift'"):
        lt.Line("x", horizon=10).station("A", lt.constant(1), power={"busy": 1, "offshift": 2})
    with pytest.raises(TypeError, match="argument 'power' must be a dict"):
        lt.Line("x", horizon=10).station("A", lt.constant(1), power=5)  # type: ignore[arg-type]
    line = (
        lt.Line("x", horizon=10)
        .product("p", route=["A"])
        .source("s", kind="saturated")
        .sink("out")
        .station("A", lt.constant(1), power={"idle": 2})
    )
    with pytest.raises(
        lt.ScenarioError,
        match=r"stations\[0\]\.power\.busy: is required: the power drawn while processing, in kW",
    ):
        line.build()


def _ids(value: Any, path: str, out: set[str]) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _ids(child, f"{path}.{key}", out)
    elif isinstance(value, list):
        for row in value:
            out.update(f"order.{k}" for k, v in row.items() if not isinstance(v, str))
    elif not isinstance(value, str):
        out.add(path)


def test_the_catalogue_names_every_kpi_of_a_run_in_both_languages() -> None:
    kpis = lt.Scenario.from_toml(library("mixed_model_line.toml")).run().kpis
    emitted: set[str] = set()
    for section in ("line", "orders"):
        _ids(kpis[section], section, emitted)
    for section in ("products", "stations", "buffers"):
        for entity in kpis[section].values():
            _ids(entity, f"{section}.*", emitted)
    english = lt.kpi_catalogue()
    chinese = lt.kpi_catalogue(lang="zh")
    assert emitted <= set(english["id"])
    row = chinese.set_index("id").loc["stations.*.iso.availability"]
    assert (row["name"], row["name_en"], row["formula"]) == ("可用率", "Availability", "APT / PBT")
    assert "19 设备运维" in row["domains"]
    assert list(english["name"]) == list(chinese["name_en"])
    with pytest.raises(ValueError, match="lang must be 'en' or 'zh', got 'fr'"):
        lt.kpi_catalogue(lang="fr")


def test_the_catalogue_is_the_clis(cli: Path) -> None:
    printed = subprocess.run([cli, "kpis", "--json"], capture_output=True, check=True).stdout
    ids = [k["id"] for k in json.loads(printed)["kpis"]]
    assert ids == list(lt.kpi_catalogue()["id"])


@pytest.mark.parametrize("name", ["serial_line.toml", "assembly_line.toml", "mixed_model_line.toml"])
def test_run_kpis_validate_against_the_schema(name: str) -> None:
    kpis = lt.Scenario.from_toml(library(name)).run(horizon=3000).kpis
    jsonschema.Draft202012Validator(lt.kpi_schema("run")).validate(kpis)


def test_experiment_json_validates_and_a_wrong_document_does_not() -> None:
    scenario = lt.Scenario.from_toml(library("mixed_model_line.toml"))
    result = lt.Experiment(scenario, replications=2, horizon=3000).run()
    validator = jsonschema.Draft202012Validator(lt.kpi_schema("experiment"))
    document = json.loads(result.to_json())
    validator.validate(document)
    document["design_points"][0]["kpis"]["line"]["iso"]["invented"] = 1
    with pytest.raises(jsonschema.ValidationError, match="invented"):
        validator.validate(document)
    with pytest.raises(ValueError, match="document must be 'run' or 'experiment'"):
        lt.kpi_schema("table")


def test_csv_is_the_clis_and_reads_back_into_pandas(cli: Path, tmp_path: Path) -> None:
    import pandas as pd

    result = lt.Scenario.from_toml(library("mixed_model_line.toml")).run(seed=3)
    printed = subprocess.run(
        [cli, "run", library("mixed_model_line.toml"), "--csv", "--seed", "3"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    out = tmp_path / "kpis.csv"
    assert result.to_csv(out) == printed
    frame = pd.read_csv(out, keep_default_na=False)
    assert list(frame.columns) == ["kpi", "scope", "entity", "value", "ci95", "n", "unit"]
    row = frame[(frame["kpi"] == "stations.*.iso.apt") & (frame["entity"] == "press")]
    assert float(row["value"].iloc[0]) == result.kpis["stations"]["press"]["iso"]["apt"]
    assert row["unit"].iloc[0] == "min"
    assert set(frame["kpi"]) <= set(lt.kpi_catalogue()["id"])


def test_an_experiments_csv_has_its_statistics(cli: Path) -> None:
    scenario = lt.Scenario.from_toml(library("serial_line.toml"))
    result = lt.Experiment(scenario, replications=3, horizon=2000).run()
    printed = subprocess.run(
        [cli, "experiment", library("serial_line.toml"), "--csv", "--replications", "3",
         "--horizon", "2000"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout  # fmt: skip
    assert result.to_csv() == printed
    header, first = printed.splitlines()[:2]
    assert header == "design_point,kpi,scope,entity,mean,ci95,n,unit"
    assert first.startswith("base,line.parts_released,line,,")


def test_assess_reports_the_clis_indicators(cli: Path) -> None:
    scenario = lt.Scenario.from_toml(library("mixed_model_line.toml"))
    frame = lt.assess(scenario, variant="smed", replications=5, lang="zh")
    printed = subprocess.run(
        [cli, "assess", library("mixed_model_line.toml"), "--variant", "smed",
         "--replications", "5", "--json"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout  # fmt: skip
    assert frame.attrs["json"] == printed
    productivity = frame.loc["productivity"]
    assert productivity["name"] == "小时产出"
    assert productivity["verdict"] == "better"
    assert productivity["relative"] == pytest.approx(
        productivity["improved"] / productivity["baseline"] - 1, rel=1e-12
    )
    assert frame.loc["lead_time", "unit"] == "min"
    with pytest.raises(TypeError, match="give the improved scenario or variant=, not both"):
        lt.assess(scenario, scenario, variant="smed")
    with pytest.raises(lt.ScenarioError, match="has no variant `nope` \\(known: `campaign`"):
        lt.assess(scenario, variant="nope")
