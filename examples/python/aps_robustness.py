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

Then the same question on a line's order book: the mixed-model body line
(scenarios/library/mixed_model_line.toml, 90 orders of 20-60 parts, die changes at the
press). CP-SAT sequences the orders at the press (total weighted tardiness, started from the
campaign plan); the twin executes that sequence under the scenario's own disturbances
(processing times, weld-gun and paint-booth failures), kept as planned, against the campaign
plan kept, and the rules campaign, ATCS, EDD and FIFO dispatching online at the press.
Rescheduling is not available on an order book; the rules are its online alternative.

Usage: python aps_robustness.py [INSTANCE] [--replications N] [--time-limit SECONDS]
       [--no-line]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from linetwin import Scenario, sched

LINE = Path(__file__).resolve().parents[2] / "scenarios" / "library" / "mixed_model_line.toml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instance", nargs="?", default="ft10")
    parser.add_argument("--replications", type=int, default=200)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--no-line", action="store_true", help="skip the mixed-model line")
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

    if not args.no_line:
        line_study(args.replications, args.time_limit)


def line_study(replications: int, time_limit: float) -> None:
    """The mixed-model body line's order book: the press sequenced by CP-SAT, kept as
    planned, against a recorded campaign plan and online dispatching at the press."""
    line = Scenario.from_toml(LINE)
    campaign = sched.plan_orders(line, rule="campaign")
    plan = sched.cpsat_orders(line, time_limit=time_limit, workers=2, seed=1, hint=campaign)
    print(
        f"\n{line.name}: CP-SAT press sequence of {len(plan.plan['press'])} orders, "
        f"weighted tardiness {plan.objective:.0f} in its model "
        f"({'optimal' if plan.optimal else f'bound {plan.bound:.0f}'}, {plan.seconds:.1f} s)"
    )
    result = sched.robust(
        line,
        plan.plan,
        ["keep", "redispatch:campaign", "redispatch:atcs", "redispatch:edd", "redispatch:fifo"],
        replications=replications,
    )
    kept_campaign = sched.robust(line, campaign, "keep", replications=replications)
    print(
        "the scenario's own disturbances (processing cv 0.3-0.4, weld-gun and paint-booth "
        "failures, die changes):"
    )
    table = result.policies.set_index("policy")
    rows = [("keep (CP-SAT plan)", table.loc["keep"])]
    rows += [(str(name), row) for name, row in table.iterrows() if name != "keep"]
    rows.append(("keep (campaign plan)", kept_campaign.policies.iloc[0]))
    for name, row in rows:
        line_text = (
            f"  {name:<22} makespan {row.makespan_mean:7.1f} ± {row.makespan_ci95:5.1f}"
            f"  p95 {row.makespan_p95:7.1f}  on time {100 * row.on_time_rate:5.1f}%"
            f"  tardiness {row.tardiness_mean:8.0f} ± {row.tardiness_ci95:6.0f}"
        )
        vs = row.vs_first_mean
        if vs is not None and vs == vs:  # neither None nor NaN: paired against the CP-SAT plan
            line_text += f"  vs keep {vs:+7.1f} ± {row.vs_first_paired_ci95:5.1f}"
        print(line_text)
    best_mean = result.best["mean_makespan"]
    best_p95 = result.best["p95_makespan"]
    print(
        f"  best on expected makespan: {best_mean}; on the 95th percentile: {best_p95};"
        f" on mean tardiness: {result.best['mean_tardiness']}"
    )


if __name__ == "__main__":
    main()
