"""linetwin.sched: instances, rules, the evaluator, user schedulers and the benchmark."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import linetwin
from conftest import run_cli
from linetwin import sched

# Two jobs, two machines: job 0 runs 3 on M0 then 2 on M1; job 1 runs 4 on M1 then 1 on M0.
TINY = "2 2\n0 3 1 2\n1 4 0 1\n"

# A schedule of ft06 with makespan 55, the proven optimum (found and checked independently
# by benches/ft06_optimal_search.py): jobs per machine, in order.
FT06_OPTIMAL = [
    [0, 3, 2, 5, 1, 4],
    [1, 3, 5, 0, 4, 2],
    [0, 2, 1, 4, 3, 5],
    [2, 5, 0, 3, 1, 4],
    [1, 4, 2, 3, 5, 0],
    [2, 5, 1, 4, 0, 3],
]


def test_bundled_instances_carry_their_published_bounds() -> None:
    ft10 = sched.Instance.load("ft10")
    assert (ft10.jobs, ft10.machines, ft10.kind) == (10, 10, "job shop")
    assert (ft10.lower_bound, ft10.best_known, ft10.optimal) == (930, 930, True)
    flow = sched.Instance.load("ta001")
    assert (flow.name, flow.best_known, flow.lower_bound, flow.optimal) == (
        "tfs001",
        1278,
        None,
        False,
    )


def test_evaluate_a_hand_worked_sequence() -> None:
    tiny = sched.Instance.from_text(TINY, format="jobshop", name="tiny")
    # M0: (0,0) 0-3 then (1,1) 4-5; M1: (1,0) 0-4 then (0,1) 4-6. Makespan 6.
    schedule = sched.evaluate(tiny, [[(0, 0), (1, 1)], [(1, 0), (0, 1)]])
    assert schedule.makespan == 6
    frame = schedule.to_frame()
    assert list(frame.start) == [0, 4, 0, 4]
    assert list(frame.end) == [3, 5, 4, 6]


def test_infeasible_schedules_name_the_violation() -> None:
    tiny = sched.Instance.from_text(TINY, format="jobshop", name="tiny")
    with pytest.raises(linetwin.ScheduleError, match="job 1 operation 1 is missing"):
        sched.evaluate(tiny, [[(0, 0)], [(1, 0), (0, 1)]])
    # (1,1) at 3 on M0: M0 is free (job 0 ends there at 3), but its job's (1,0) ends at 4.
    with pytest.raises(
        linetwin.ScheduleError,
        match=r"^tiny: the schedule is infeasible: precedence: job 1 operation 1 starts at 3, "
        r"before operation 0 of the job ends at 4$",
    ):
        sched.evaluate(tiny, [[(0, 0), (1, 1)], [(1, 0), (0, 1)]], starts=[[0, 3], [0, 4]])


def test_parse_errors_name_line_and_token() -> None:
    with pytest.raises(linetwin.ScheduleError, match=r"line 3: expected .* got `x`"):
        sched.Instance.from_text("2 2\n0 3 1 2\n1 x 0 1\n", format="jobshop")


def test_ft06_optimal_schedule_is_55() -> None:
    ft06 = sched.Instance.load("ft06")
    ops = ft06.operations()
    on = {(r.job, r.machine): r.operation for r in ops.itertuples()}
    machines = [[(j, on[(j, k)]) for j in jobs] for k, jobs in enumerate(FT06_OPTIMAL)]
    assert sched.evaluate(ft06, machines).makespan == 55


def test_solve_matches_the_cli(cli: Path, tmp_path: Path) -> None:
    schedule = sched.solve("ft06", rule="mwkr", scheme="non-delay")
    out = tmp_path / "s.csv"
    result = run_cli(cli, "sched", "solve", "ft06", "--rule", "mwkr", "--scheme", "non-delay",
                     "--out", str(out))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert out.read_text() == schedule.to_csv()


def test_user_scheduler_callable_in_the_bench() -> None:
    def one_order(instance: sched.Instance) -> list[list[tuple[int, int]]]:
        """Every machine takes the jobs in index order."""
        ops = instance.operations()
        machines: list[list[tuple[int, int]]] = [[] for _ in range(instance.machines)]
        for row in ops.sort_values(["job", "operation"]).itertuples():
            machines[row.machine].append((row.job, row.operation))
        for seq in machines:
            seq.sort()
        return machines

    table = sched.bench("ft06,la01", rules=["spt", one_order], scheme="both")
    assert set(table.scheduler) == {"spt", "one_order"}
    assert len(table) == 2 * 2 + 2
    assert (table.makespan >= table.lower_bound).all()
    mine = table[table.scheduler == "one_order"]
    assert mine.scheme.isna().all()


def test_bench_is_the_cli_json(cli: Path) -> None:
    table = sched.bench("la01-la03", rules=["lpt"])
    result = run_cli(cli, "sched", "bench", "--instances", "la01-la03", "--rules", "lpt", "--json")
    rows = json.loads(result.stdout)["results"]
    assert list(table.makespan) == [r["makespan"] for r in rows]
    assert list(table.gap_pct) == [r["gap_pct"] for r in rows]


def test_plot_draws_one_bar_per_operation() -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    ax = sched.solve("ft06").plot()
    assert len(ax.patches) == 36
