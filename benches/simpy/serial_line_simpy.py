#!/usr/bin/env python3
"""SimPy model of the linetwin reference serial line (scenarios/library/serial_line.toml).

Line: saturated source -> S1 -> B1 -> S2 -> ... -> B9 -> S10 -> sink.
  * one server per station, processing time ~ Exp(mean 1.0 min)
  * buffers of capacity 5 between consecutive stations (parts WAITING only;
    a part on a station is not in a buffer)
  * blocking after service: a finished part stays on its station until the
    downstream buffer has room (``yield out.put(part)``)
  * operation-dependent failures: time to failure ~ Exp(mean 500) counted in
    busy (processing) time only; repair ~ Exp(mean 20); the interrupted part
    resumes its remaining processing after repair
  * station 1 is never starved; the sink after the last station is unlimited.

The model is written the way a SimPy user would write it: one process per
station, ``simpy.Store`` buffers, failures handled inline in the station loop
(busy-time failure clocks need no separate failure process / interrupts).

Output: parts completed, throughput (parts/min), station operations (processing
completions summed over all stations), wall time of ``env.run`` and station
operations per second of wall time.
"""

import argparse
import json
import platform
import random
import sys
import time

import simpy


def station(env, idx, inp, out, rng_proc, rng_fail, p, stats):
    """One station: take a part, process it (with busy-time failures), pass it on."""
    proc_rate = 1.0 / p.proc_mean
    fail_rate = 1.0 / p.mttf if p.failures else 0.0
    repair_rate = 1.0 / p.mttr
    # remaining busy time until the next failure of this station
    ttf = rng_fail.expovariate(fail_rate) if p.failures else float("inf")
    ops = stats["ops"]
    part = 0
    while True:
        if inp is None:
            part += 1  # saturated source: station 1 always has a new part
        else:
            part = yield inp.get()

        remaining = rng_proc.expovariate(proc_rate)
        # failures that fall inside this operation: run up to the failure,
        # repair, then resume the remaining processing
        while ttf < remaining:
            yield env.timeout(ttf)
            remaining -= ttf
            yield env.timeout(rng_fail.expovariate(repair_rate))
            ttf = rng_fail.expovariate(fail_rate)
        yield env.timeout(remaining)
        ttf -= remaining
        ops[idx] += 1

        if out is None:
            stats["completed"] += 1  # unlimited sink
        else:
            yield out.put(part)  # blocking after service


def build_and_run(p):
    env = simpy.Environment()
    n = p.stations
    cap = float("inf") if p.buffer <= 0 else p.buffer
    buffers = [simpy.Store(env, capacity=cap) for _ in range(n - 1)]
    stats = {"ops": [0] * n, "completed": 0}
    for i in range(n):
        inp = buffers[i - 1] if i > 0 else None
        out = buffers[i] if i < n - 1 else None
        # independent, reproducible streams per station and purpose
        rng_proc = random.Random(f"{p.seed}:S{i + 1}:processing")
        rng_fail = random.Random(f"{p.seed}:S{i + 1}:failures")
        env.process(station(env, i, inp, out, rng_proc, rng_fail, p, stats))

    t0 = time.perf_counter()
    env.run(until=p.horizon)
    wall = time.perf_counter() - t0
    return stats, wall


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--horizon", type=float, default=100000.0, help="simulated minutes (default 100000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--stations", type=int, default=10)
    ap.add_argument("--buffer", type=int, default=5, help="buffer capacity between stations; <=0 means unlimited")
    ap.add_argument("--proc-mean", type=float, default=1.0, help="mean processing time (exponential)")
    ap.add_argument("--mttf", type=float, default=500.0, help="mean busy time to failure (exponential)")
    ap.add_argument("--mttr", type=float, default=20.0, help="mean repair time (exponential)")
    ap.add_argument("--no-failures", dest="failures", action="store_false", help="disable failures")
    ap.add_argument("--json", action="store_true", help="print results as JSON")
    p = ap.parse_args(argv)
    if p.stations < 1:
        ap.error("--stations must be >= 1")
    if p.horizon <= 0:
        ap.error("--horizon must be > 0")

    stats, wall = build_and_run(p)
    ops_total = sum(stats["ops"])
    res = {
        "tool": "simpy",
        "simpy_version": simpy.__version__,
        "python": platform.python_version(),
        "horizon": p.horizon,
        "seed": p.seed,
        "stations": p.stations,
        "buffer": p.buffer,
        "failures": p.failures,
        "parts_completed": stats["completed"],
        "throughput": stats["completed"] / p.horizon,
        "station_operations": ops_total,
        "operations_per_station": {f"S{i + 1}": c for i, c in enumerate(stats["ops"])},
        "wall_seconds": wall,
        "ops_per_second": ops_total / wall if wall > 0 else float("inf"),
    }
    if p.json:
        json.dump(res, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(f"SimPy {res['simpy_version']} (Python {res['python']}), "
              f"{p.stations} stations, buffer {p.buffer if p.buffer > 0 else 'inf'}, "
              f"failures {'on' if p.failures else 'off'}, horizon {p.horizon:g}, seed {p.seed}")
        print(f"parts completed     {res['parts_completed']}")
        print(f"throughput          {res['throughput']:.4f} parts/min")
        print(f"station operations  {ops_total}")
        print(f"wall time           {wall:.3f} s")
        print(f"operations/second   {res['ops_per_second']:,.0f}")


if __name__ == "__main__":
    main()
