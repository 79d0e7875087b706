#!/usr/bin/env python3
"""Compare linetwin and SimPy on the reference serial line.

Invoked by benches/simpy/compare.sh with the venv python (which has simpy).
Runs each tool --repeats times (default 3), takes the median wall time, and
prints throughput, station operations, wall seconds and station operations per
second, plus the speed ratio linetwin/SimPy.

Wall time:
  * SimPy: time.perf_counter() around env.run() inside the model (excludes
    interpreter start-up and model construction);
  * linetwin: time.perf_counter() around the whole `linetwin run ... --json`
    subprocess (includes process start, scenario parsing and JSON output), so
    the comparison is conservative for linetwin.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))


def die(msg):
    print(f"compare.py: error: {msg}", file=sys.stderr)
    sys.exit(1)


def num(x):
    """A KPI value: a plain number, or an object such as {"value": ..} / {"mean": ..}."""
    if isinstance(x, (int, float)):
        return float(x)
    if isinstance(x, dict):
        for k in ("value", "mean"):
            if isinstance(x.get(k), (int, float)):
                return float(x[k])
    raise ValueError(f"not a number: {x!r}")


def parse_json(text, what):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        i = text.find("{")  # tolerate a stray line before the JSON document
        if i >= 0:
            try:
                return json.loads(text[i:])
            except json.JSONDecodeError:
                pass
    die(f"could not parse JSON from {what}:\n{text[:2000]}")


def run_simpy(args):
    cmd = [sys.executable, os.path.join(HERE, "serial_line_simpy.py"), "--json", "--seed", str(args.seed)]
    if args.horizon is not None:
        cmd += ["--horizon", str(args.horizon)]
    runs = []
    for _ in range(args.repeats):
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            die(f"SimPy model failed ({p.returncode}):\n{p.stderr}")
        r = parse_json(p.stdout, "the SimPy model")
        runs.append(r)
    wall = statistics.median(r["wall_seconds"] for r in runs)
    r = runs[0]
    return {
        "tool": f"SimPy {r['simpy_version']}",
        "horizon": r["horizon"],
        "throughput": r["throughput"],
        "parts": r["parts_completed"],
        "ops": r["station_operations"],
        "wall": wall,
        "walls": [x["wall_seconds"] for x in runs],
    }


def run_linetwin(args):
    cmd = [args.linetwin, "run", args.scenario, "--json"]
    if args.horizon is not None:
        cmd += ["--horizon", str(args.horizon)]
    walls, out = [], None
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        walls.append(time.perf_counter() - t0)
        if p.returncode != 0:
            die(f"`{' '.join(cmd)}` failed ({p.returncode}):\n{p.stderr}")
        out = parse_json(p.stdout, "linetwin")
    schema = out.get("schema")
    if schema is not None and schema != "linetwin.kpi/2":
        print(f"warning: unexpected linetwin schema {schema!r}", file=sys.stderr)
    try:
        line = out["line"]
        throughput = num(line["throughput"])
        parts = num(line["parts_completed"])
        stations = out["stations"]
        items = stations.values() if isinstance(stations, dict) else stations
        ops = sum(num(s["operations"]) for s in items)
    except (KeyError, TypeError, ValueError) as e:
        die(f"unexpected linetwin JSON ({e!r}); expected line.throughput, "
            f"line.parts_completed and stations.<name>.operations")
    return {
        "tool": "linetwin",
        "horizon": parts / throughput if throughput > 0 else None,
        "throughput": throughput,
        "parts": int(parts),
        "ops": int(ops),
        "wall": statistics.median(walls),
        "walls": walls,
    }


def main():
    ap = argparse.ArgumentParser(description="linetwin vs SimPy on the reference serial line")
    ap.add_argument("--horizon", type=float, default=None,
                    help="override the horizon of both tools (default: scenario / model default, 100000)")
    ap.add_argument("--repeats", type=int, default=int(os.environ.get("REPEATS", "3")))
    ap.add_argument("--seed", type=int, default=1, help="SimPy seed")
    ap.add_argument("--linetwin", default=os.path.join(ROOT, "target", "release", "linetwin"))
    ap.add_argument("--scenario", default="scenarios/library/serial_line.toml")
    args = ap.parse_args()
    if args.repeats < 1:
        ap.error("--repeats must be >= 1")

    print(f"running SimPy model {args.repeats}x ...", file=sys.stderr)
    s = run_simpy(args)
    print(f"running linetwin {args.repeats}x ...", file=sys.stderr)
    l = run_linetwin(args)

    rows = [l, s]
    for r in rows:
        r["ops_s"] = r["ops"] / r["wall"] if r["wall"] > 0 else float("inf")
    hdr = f"{'tool':<14} {'throughput/min':>14} {'station ops':>12} {'wall s':>9} {'ops/s':>14}"
    print()
    print(f"serial line, horizon {s['horizon']:g} min, median of {args.repeats} runs")
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        print(f"{r['tool']:<14} {r['throughput']:>14.4f} {r['ops']:>12,} {r['wall']:>9.3f} {r['ops_s']:>14,.0f}")
    print()
    print(f"speed ratio linetwin/SimPy (station ops per second): {l['ops_s'] / s['ops_s']:.1f}x")

    rel = abs(l["throughput"] - s["throughput"]) / s["throughput"]
    print(f"throughput difference: {100 * rel:.2f}% (one replication each, different random streams)")
    if rel > 0.05:
        print("WARNING: throughputs differ by more than 5%: the two models may not be the same line",
              file=sys.stderr)
    if l["horizon"] is not None and abs(l["horizon"] - s["horizon"]) > 1e-6 * s["horizon"] + 1:
        print(f"WARNING: linetwin horizon looks like {l['horizon']:g}, SimPy ran {s['horizon']:g}",
              file=sys.stderr)


if __name__ == "__main__":
    main()
