"""The simulation releases the GIL: other Python threads run meanwhile."""

from __future__ import annotations

import threading
import time

import linetwin as lt
from conftest import library


def test_other_threads_progress_while_a_long_simulation_runs() -> None:
    scenario = lt.Scenario.from_toml(library("serial_line.toml"))
    results: list[lt.RunResult] = []
    started = threading.Event()
    finished = threading.Event()

    def simulate() -> None:
        started.set()
        results.append(scenario.run(horizon=600_000))
        finished.set()

    worker = threading.Thread(target=simulate)
    worker.start()
    started.wait()
    begin = time.perf_counter()
    ticks = 0
    while not finished.is_set():
        ticks += 1
        time.sleep(0.001)
    elapsed = time.perf_counter() - begin
    worker.join()
    assert results[0].kpis["line"]["parts_completed"] > 100_000
    # Holding the GIL, the run would have kept this thread asleep until it
    # ended (one or two ticks); released, this thread ticks all along.
    assert elapsed > 0.1, "the simulation was too short to tell"
    assert ticks >= 10, f"only {ticks} ticks in {elapsed:.2f} s"


def test_concurrent_runs_give_the_same_results_as_sequential_ones() -> None:
    scenario = lt.Scenario.from_toml(library("assembly_line.toml"))
    seeds = [1, 2, 3, 4]
    sequential = {s: scenario.run(seed=s, horizon=8000).kpis for s in seeds}
    concurrent: dict[int, dict[str, object]] = {}

    def simulate(seed: int) -> None:
        concurrent[seed] = scenario.run(seed=seed, horizon=8000).kpis

    threads = [threading.Thread(target=simulate, args=(s,)) for s in seeds]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert concurrent == sequential
