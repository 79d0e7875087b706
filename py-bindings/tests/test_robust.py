"""sched.robust: a schedule executed in its twin under disturbances, the same numbers as the
CLI, the plan reproduced without noise, clear errors naming the argument."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from typing import Any

import pytest

from conftest import EXAMPLES
from linetwin import sched


def test_zero_noise_realises_the_plan() -> None:
    plan = sched.solve("ft06", rule="mwkr")
    result = sched.robust("ft06", plan, noise_cv=0.0, replications=3)
    assert result.planned["makespan"] == plan.makespan
    row = result.policies.iloc[0]
    assert row.policy == "keep"
    assert row.makespan_mean == plan.makespan
    assert row.makespan_ci95 == 0.0
    assert row.on_time_rate == 1.0
    assert (result.orders.on_time == 1.0).all()


def test_policies_orders_and_paired_comparison() -> None:
    plan = sched.solve("ft10", rule="mwkr")
    result = sched.robust(
        "ft10",
        plan,
        ["keep", "redispatch:spt", "reschedule:mwkr"],
        period=100,
        on_failure=True,
        noise_cv=0.3,
        mtbf=500,
        mttr=50,
        replications=100,
        seed=3,
    )
    table = result.policies
    assert list(table.policy) == ["keep", "redispatch/spt", "reschedule/mwkr every 100 and on failure"]
    keep = table.iloc[0]
    # Jensen with breakdowns on top: the realised mean exceeds the plan.
    assert keep.makespan_mean - keep.makespan_ci95 > plan.makespan
    assert keep.makespan_p50 <= keep.makespan_p90 <= keep.makespan_p95
    assert math.isnan(keep.vs_first_mean)
    for _, row in table.iloc[1:].iterrows():
        assert row.vs_first_paired_ci95 < row.vs_first_unpaired_ci95
    assert table.iloc[2].reschedules_mean > 1
    orders = result.orders
    assert len(orders) == 3 * 10
    assert ((orders.on_time_low <= orders.on_time) & (orders.on_time <= orders.on_time_high)).all()
    assert result.best["mean_makespan"] in set(table.policy)


def test_same_numbers_as_the_cli(tmp_path: os.PathLike[str]) -> None:
    cli = os.environ.get("LINETWIN_CLI")
    if not cli:
        pytest.skip("LINETWIN_CLI is not set")
    plan = sched.solve("ft06", rule="spt")
    path = os.path.join(tmp_path, "plan.csv")
    plan.to_csv(path)
    args = ["--noise-cv", "0.25", "--mtbf", "80", "--mttr", "8", "--replications", "50"]
    out = subprocess.run(
        [cli, "sched", "robust", "ft06", "--schedule", path, "--policy", "keep,redispatch:edd",
         *args, "--json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    python = sched.robust(
        "ft06", plan, "keep,redispatch:edd", noise_cv=0.25, mtbf=80, mttr=8, replications=50
    )
    assert python.json == json.loads(out.stdout)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"policies": "wait"}, "policies: unknown policy `wait` (known: keep, redispatch[:RULE], reschedule[:RULE])"),
        ({"policies": "reschedule"}, "policies: `reschedule` needs period, on_failure or both"),
        ({"noise_cv": -0.5}, "noise_cv: must be finite and non-negative, got -0.5"),
        ({"mtbf": 10.0}, "mtbf: give mttr with it"),
        ({"replications": 0}, "replications: must be from 1 to 10000000, got 0"),
        ({"failure_clock": "wall"}, "failure_clock: unknown clock `wall` (known: busy, calendar, operating)"),
        ({"buffer": 0}, "buffer: must be at least 1 (leave it out for unlimited buffers)"),
    ],
)  # fmt: skip
def test_bad_settings_name_the_argument(kwargs: dict[str, object], message: str) -> None:
    plan = sched.solve("ft06")
    with pytest.raises(sched.ScheduleError) as error:
        sched.robust("ft06", plan, **kwargs)  # type: ignore[arg-type]
    assert str(error.value) == message


def test_an_infeasible_schedule_is_refused() -> None:
    plan = sched.solve("ft06")
    machines = plan.machines
    machines[0] = machines[0][1:]
    with pytest.raises(sched.ScheduleError, match="ft06: the schedule is infeasible"):
        sched.robust("ft06", machines)


def test_wrong_types_raise_type_errors_naming_the_argument() -> None:
    plan = sched.solve("ft06")
    with pytest.raises(TypeError, match="noise_cv"):
        sched.robust("ft06", plan, noise_cv="high")  # type: ignore[arg-type]


def test_the_aps_example_runs_on_a_small_instance() -> None:
    pytest.importorskip("ortools")
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / "aps_robustness.py"), "ft06", "--replications", "20",
         "--time-limit", "5"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "ft06: CP-SAT makespan 55 (optimal" in out.stdout
    # Two noise levels on ft06, then the mixed-model line's order book.
    assert out.stdout.count("best on expected makespan:") == 3
    assert "redispatch/edd" in out.stdout
    assert "Mixed-model body line: CP-SAT press sequence of 90 orders" in out.stdout
    assert "keep (campaign plan)" in out.stdout
    assert "on mean tardiness: " in out.stdout


def _same_plan(plan: sched.Schedule) -> sched.UserRescheduler:
    def same_plan(instance: sched.Instance, state: dict[str, Any]) -> list[list[tuple[int, int]]]:
        assert instance.name == "ft06"
        jobs = state["jobs"]
        return [
            [(j, o) for j, o in machine if o >= jobs[j]["next_operation"]]
            for machine in plan.machines
        ]

    return same_plan


def test_a_python_rescheduler_that_keeps_the_plan_ties_with_keep() -> None:
    plan = sched.solve("ft06", rule="mwkr")
    result = sched.robust(
        "ft06",
        plan,
        ["keep", _same_plan(plan)],
        period=5,
        on_failure=True,
        noise_cv=0.3,
        mtbf=60,
        mttr=5,
        replications=30,
    )
    rows = result.policies
    assert list(rows.policy) == ["keep", "reschedule/same_plan every 5 and on failure"]
    assert rows.iloc[1].vs_first_mean == 0.0
    assert rows.iloc[1].vs_first_paired_ci95 == 0.0
    assert rows.iloc[1].reschedules_mean > 5


def test_a_python_reschedulers_exception_is_re_raised_as_it_was() -> None:
    def broken(instance: sched.Instance, state: dict[str, Any]) -> list[list[tuple[int, int]]]:
        raise LookupError(f"no plan at t = {state['now']}")

    plan = sched.solve("ft06")
    with pytest.raises(LookupError, match="no plan at t = 10"):
        sched.robust("ft06", plan, ["keep", broken], period=10, replications=4)


def test_a_python_reschedulers_bad_answers_are_named() -> None:
    def garbage(instance: sched.Instance, state: dict[str, Any]) -> Any:
        return "everything"

    def partial(instance: sched.Instance, state: dict[str, Any]) -> list[list[tuple[int, int]]]:
        return [[] for _ in range(instance.machines)]

    plan = sched.solve("ft06")
    with pytest.raises(
        TypeError,
        match=r"rescheduler `garbage` must return, per machine, a list of \(job, operation\) "
        r"pairs of ints",
    ):
        sched.robust("ft06", plan, ["keep", garbage], period=10, replications=2)
    # SPT's plan of ft06 starts job 0's steps at 0, 1, 8 and 21: at t = 10 step 3 is the first
    # one not started, and the empty plan misses it.
    with pytest.raises(sched.ScheduleError) as error:
        sched.robust("ft06", plan, ["keep", partial], period=10, replications=1, noise_cv=0.0)
    assert str(error.value) == (
        "policy `reschedule/partial every 10`, replication 0: rescheduling at t = 10 failed: the "
        "rescheduler's plan is not valid: order `J0` step 3 is not planned at any station"
    )


def test_ctrl_c_stops_sched_robust_within_a_second() -> None:
    import signal
    import threading
    import time

    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals reach the main thread only")
    plan = sched.solve("ta41", rule="mwkr")
    timer = threading.Timer(0.3, signal.raise_signal, args=(signal.SIGINT,))
    begin = time.perf_counter()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        # About 10 s of work on two threads.
        sched.robust("ta41", plan, mtbf=5000, mttr=100, replications=100_000)
    elapsed = time.perf_counter() - begin
    timer.join()
    assert elapsed < 1.5, f"took {elapsed:.1f} s to stop"
