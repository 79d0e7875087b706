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
