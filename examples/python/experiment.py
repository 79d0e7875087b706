"""Experiment: where does buffer space pay on the ten-station serial line?

Runs a small Monte-Carlo experiment on the bundled serial line: the buffer in
front of S6 at capacity 1, 5 or 20, crossed with a variant whose S6 repairs
twice as fast. Every design point sees the same random numbers in replication
i (common random numbers), so paired differences are far more precise than
the difference of two independent means. The runs go to every core, with the
GIL released.

Run it from anywhere after `pip install ./py-bindings`:

    python examples/python/experiment.py
"""

from __future__ import annotations

from pathlib import Path

import linetwin

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "library" / "serial_line.toml"


def main() -> None:
    """Runs the experiment and prints the CLI's table, a pivot and one comparison."""
    scenario = linetwin.Scenario.from_toml(SCENARIO)
    experiment = linetwin.Experiment(
        scenario,
        replications=10,
        seed=1,
        horizon=5_000,
        warmup=500,
        factors={"buffers.B6.capacity": [1, 5, 20]},
        variants={"fast repair at S6": {"stations.S6.failures.breakdown.ttr.mean": 10.0}},
    )
    print(repr(experiment))
    finished: list[int] = []
    result = experiment.run(progress=lambda done, total: finished.append(done))
    print(f"{finished[-1]} of {experiment.planned_runs} runs done\n")
    print(result)  # the same table as `linetwin experiment FILE`

    summary = result.summary()
    throughput = summary[summary["kpi"] == "line.throughput"]
    print("Throughput (parts/min) by variant and capacity of B6:")
    print(throughput.pivot(index="buffers.B6.capacity", columns="variant", values="mean"))

    gain = result.compare(
        "base: buffers.B6.capacity=1", "base: buffers.B6.capacity=20", "line.throughput"
    )
    print(
        f"\nB6 from 1 to 20 places: {gain.mean:+.4f} parts/min "
        f"(95% CI {gain.low:+.4f} to {gain.high:+.4f}, {gain.n} paired replications)"
    )


if __name__ == "__main__":
    main()
