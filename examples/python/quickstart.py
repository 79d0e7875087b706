"""Quickstart: what does a second server on the bottleneck buy us?

Loads the bundled two-model assembly line, finds its bottleneck, builds a
variant with one more server there, runs both with the same seeds (common
random numbers: both lines see the same arrivals and failures where they
share stations) and compares the line KPIs. Orders arrive at a fixed rate,
so throughput hardly moves; the gain shows in WIP and lead time.

Run it from anywhere after `pip install ./py-bindings`:

    python examples/python/quickstart.py
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import linetwin

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "library" / "assembly_line.toml"
SEEDS = [1, 2, 3]


def mean(values: list[float]) -> float:
    """The arithmetic mean."""
    return sum(values) / len(values)


def main() -> None:
    """Runs baseline and variant and prints the comparison."""
    baseline = linetwin.Scenario.from_toml(SCENARIO)
    first = baseline.run(seed=SEEDS[0])
    print(first)  # the same table as `linetwin run assembly_line.toml --seed 1`

    # Change one thing: a second server on the bottleneck station.
    bottleneck = first.bottleneck
    servers = first.kpis["stations"][bottleneck]["servers"]
    variant = (
        linetwin.Line.from_scenario(baseline)
        .update_station(bottleneck, servers=servers + 1)
        .set(name=f"{baseline.name}, {servers + 1} servers at {bottleneck}")
        .build()
    )

    runs = {
        "baseline": [baseline.run(seed=s) for s in SEEDS],
        "variant": [variant.run(seed=s) for s in SEEDS],
    }
    for label, results in runs.items():
        print(f"{label:>8}: {results[0]!r}")

    rows: list[tuple[str, Callable[[dict[str, Any]], float]]] = [
        ("throughput per hour", lambda k: k["line"]["throughput_per_hour"]),
        ("WIP (time average)", lambda k: k["line"]["wip_mean"]),
        ("lead time mean (min)", lambda k: k["line"]["lead_time"]["mean"]),
        ("lead time p90 (min)", lambda k: k["line"]["lead_time"]["p90"]),
    ]
    print(f"\nMean over seeds {SEEDS}; `{bottleneck}` with {servers} vs {servers + 1} servers\n")
    print(f"{'KPI':<24}{'baseline':>12}{'variant':>12}{'change':>10}")
    for label, kpi in rows:
        before = mean([kpi(r.kpis) for r in runs["baseline"]])
        after = mean([kpi(r.kpis) for r in runs["variant"]])
        change = (after - before) / before if before else float("nan")
        print(f"{label:<24}{before:>12.3f}{after:>12.3f}{change:>+10.1%}")
    print(f"\nnew bottleneck: {runs['variant'][0].bottleneck}")


if __name__ == "__main__":
    main()
