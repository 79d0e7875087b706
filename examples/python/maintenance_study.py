"""Maintenance study: what does predictive maintenance buy on the pump line?

The bundled pump line (scenarios/library/pump_line.toml) has three pumps in
series whose impellers wear through four health states, seen through a noisy
vibration sensor, and one fitter who takes 15 minutes to come. Its
[experiment] section runs the line to failure (`corrective`), with age-based
preventive work (`preventive`), condition-based work at a vibration threshold
(`condition`) and predictive work when a trend of the readings is due to reach
the failure level (`predictive`), each with one and with two fitters, on common
random numbers. This script prints, per policy, unplanned downtime,
availability, maintenance cost per good batch and throughput with 95% CIs, and
the paired changes against running to failure.

Then the data-science loop: it records a run-to-failure dataset of an impeller
(linetwin.pdm_dataset), fits a small remaining-useful-life model on it (the
10th percentile of the remaining life per vibration band of the mean of the
last two readings), plugs that model into the twin as a Python maintenance
policy, and compares it with the built-in policies on the same random numbers.

Run it from anywhere after `pip install ./py-bindings`:

    python examples/python/maintenance_study.py
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import linetwin

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "library" / "pump_line.toml"

#: The KPIs of the study, by dotted path, with the name printed for each.
KPIS = {
    "line.iso.unplanned_downtime": "unplanned downtime (server-min)",
    "stations.pump-2.maintenance.availability": "availability of pump-2",
    "line.maintenance.cost_per_good_part": "maintenance cost per good batch",
    "line.throughput": "throughput (batches/min)",
}

#: Lead time of the Python policy: act when the model expects less remaining
#: life than this, in busy minutes.
LEAD_TIME = 100.0


def band(value: float) -> int:
    """The vibration band of a reading, in steps of 1 mm/s."""
    return max(0, min(12, round(value)))


def fit_rul_model(scenario: linetwin.Scenario) -> dict[int, float]:
    """The 10th percentile of the remaining useful life per vibration band of
    the mean of two consecutive readings, from 2 000 impellers run to failure."""
    data = linetwin.pdm_dataset(scenario, 2000, station="pump-1", mode="impeller", seed=99)
    readings = data[data["rul"] > 0].copy()
    smoothed = readings.groupby("unit")["signal"].transform(lambda s: s.rolling(2, 1).mean())
    readings["band"] = smoothed.map(band)
    quantiles = readings.groupby("band")["rul"].quantile(0.1)
    return {int(b): float(q) for b, q in zip(quantiles.index.to_list(), quantiles.to_list())}


def main() -> None:
    """Runs the experiment, then the policy fitted on a run-to-failure dataset."""
    scenario = linetwin.Scenario.from_toml(SCENARIO)
    result = linetwin.Experiment(scenario).run()
    summary = result.summary()
    one_fitter = summary[summary["crews.fitters.technicians"] == 1]
    for kpi, title in KPIS.items():
        print(f"{title}, one fitter:")
        for _, row in one_fitter[one_fitter["kpi"] == kpi].iterrows():
            print(f"  {row['variant']:<11} {row['mean']:10.4f} ± {row['ci95']:.4f}")
    labels = {(p.variant, p.factors["crews.fitters.technicians"]): p.label for p in result.design_points}
    print("\nchange against running to failure (paired, one fitter):")
    for variant in ("preventive", "condition", "predictive"):
        down = result.compare(labels["corrective", 1], labels[variant, 1], "line.iso.unplanned_downtime")
        cost = result.compare(
            labels["corrective", 1], labels[variant, 1], "line.maintenance.cost_per_good_part"
        )
        print(
            f"  {variant:<11} unplanned downtime {down.mean:+9.1f} ± {down.ci95:.1f}, "
            f"cost per batch {cost.mean:+.3f} ± {cost.ci95:.3f}"
        )
    second = result.compare(labels["predictive", 1], labels["predictive", 2], "line.throughput")
    print(f"  a second fitter with predictive work: throughput {second.mean:+.4f} ± {second.ci95:.4f}")

    model = fit_rul_model(scenario)

    def learned(history: list[tuple[float, float]], unit: dict[str, Any]) -> bool:
        """Maintain now when the fitted model expects less than LEAD_TIME left."""
        recent = [value for _, value in history[-2:]]
        expected = model.get(band(sum(recent) / len(recent)), float("inf"))
        return expected < LEAD_TIME

    policies = {f"pump-{i}/impeller": learned for i in (1, 2, 3)}
    replications = result.replications
    costs: list[float] = []
    downtimes: list[float] = []
    for replication in range(replications):
        run = scenario.run(replication=replication, maintenance=policies).kpis
        costs.append(run["line"]["maintenance"]["cost_per_good_part"])
        downtimes.append(run["line"]["iso"]["unplanned_downtime"])
    print(
        f"\nPython RUL policy ({len(model)} bands, lead time {LEAD_TIME:g} busy min), "
        f"{replications} replications: unplanned downtime {sum(downtimes) / replications:.1f}, "
        f"cost per batch {sum(costs) / replications:.3f}"
    )


if __name__ == "__main__":
    main()
