"""How does an optimised schedule hold up on the shop floor?

An APS schedule is computed on nominal times. This script solves a job shop with OR-Tools
CP-SAT (``pip install linetwin[cpsat]``), then executes that schedule in the twin with
random processing times (cv 0.1 and 0.3) and machine breakdowns, under five policies that
see the same disturbances replication by replication:

- keep: every machine keeps the CP-SAT sequence, waiting for its next planned operation;
- redispatch/edd: machines keep their operations, but take them by the plan's due dates;
- reschedule/mwkr: the rest is replanned by MWKR every 10% of the plan and at each failure;
- the online rules spt and mwkr, which ignore the plan's order altogether.

It prints, per noise level, which policy wins on the expected makespan and on the 95th
percentile, with 95% confidence intervals, and the paired differences against keeping the
plan.

Usage: python aps_robustness.py [INSTANCE] [--replications N] [--time-limit SECONDS]
"""

from __future__ import annotations

import argparse

from linetwin import sched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instance", nargs="?", default="ft10")
    parser.add_argument("--replications", type=int, default=200)
    parser.add_argument("--time-limit", type=float, default=10.0)
    args = parser.parse_args()

    plan = sched.cpsat(args.instance, time_limit=args.time_limit, workers=2, seed=1)
    status = "optimal" if plan.optimal else f"best found, bound {plan.bound}"
    print(f"{args.instance}: CP-SAT makespan {plan.makespan} ({status}, {plan.seconds:.1f} s)")
    # Breakdowns: each machine fails after about 2.5 plans' worth of its own work on average
    # (MTBF counts busy time) and is repaired in about 5% of the plan.
    mtbf = 2.5 * plan.makespan / 2
    mttr = 0.05 * plan.makespan
    for cv in (0.1, 0.3):
        result = sched.robust(
            args.instance,
            plan,
            ["keep", "redispatch:edd", "reschedule:mwkr", "redispatch:spt", "redispatch:mwkr"],
            period=round(plan.makespan / 10),
            on_failure=True,
            noise_cv=cv,
            mtbf=mtbf,
            mttr=mttr,
            replications=args.replications,
            seed=7,
        )
        table = result.policies.set_index("policy")
        print(f"\nprocessing-time cv {cv}, breakdowns MTBF {mtbf:.0f} MTTR {mttr:.0f}:")
        for policy, row in table.iterrows():
            line = (
                f"  {policy:<42} makespan {row.makespan_mean:7.1f} ± {row.makespan_ci95:5.1f}"
                f"  p95 {row.makespan_p95:7.1f}  ({row.makespan_ratio:.2f} × plan)"
            )
            if row.vs_first_mean == row.vs_first_mean:  # not NaN: a policy after the first
                line += (
                    f"  vs keep {row.vs_first_mean:+6.1f} ± {row.vs_first_paired_ci95:4.1f}"
                )
            print(line)
        best_mean = result.best["mean_makespan"]
        best_p95 = result.best["p95_makespan"]
        print(
            f"  best on expected makespan: {best_mean} "
            f"({table.loc[best_mean].makespan_mean:.1f} ± {table.loc[best_mean].makespan_ci95:.1f});"
            f" on the 95th percentile: {best_p95} ({table.loc[best_p95].makespan_p95:.1f})"
        )


if __name__ == "__main__":
    main()
