"""linetwin.sched.cpsat: exact schedules from OR-Tools CP-SAT, checked by linetwin's evaluator."""

from __future__ import annotations

import importlib.util
import math
import re
import subprocess
import sys

import pytest

import linetwin
from linetwin import sched

needs_ortools = pytest.mark.skipif(
    importlib.util.find_spec("ortools") is None, reason="OR-Tools is not installed"
)

# A flexible job shop in the Brandimarte format (machines 1-based; M1, M2 below), 2 machines:
#   job 0: op 0 on M1 (2), then op 1 on M1 or M2 (3 either way)
#   job 1: op 0 on M2 (2), then op 1 on M1 or M2 (3 either way)
#   job 2: op 0 on M1 or M2 (2 either way)
# Each machine has 2 of fixed work; the flexible 3, 3 and 2 split as {} | {3, 3, 2},
# {2} | {3, 3} or {3} | {3, 2}, so the busier machine has at least 2 + 5 = 7 and so has the
# makespan. Reached: M1 runs job 0 op 0 [0, 2], job 0 op 1 [2, 5], job 2 [5, 7]; M2 runs
# job 1 op 0 [0, 2], job 1 op 1 [2, 5]. The optimum is 7.
FJSP = "3 2\n2 1 1 2 2 1 3 2 3\n2 1 2 2 2 1 3 2 3\n1 2 1 2 2 2\n"

# A two-machine flow shop (job-shop text format, 0-based machines), jobs (time on M0, on M1):
# (3, 6), (5, 2), (1, 2), (6, 6), (7, 5). M0 works 22 in all and the last job to leave it
# still needs at least 2 on M1, so the makespan is at least 24. Johnson's rule reaches it:
# order 2, 0, 3, 4, 1 ends on M0 at 1, 4, 10, 17, 22 and on M1 at 3, 10, 16, 22, 24.
FLOW = "5 2\n0 3 1 6\n0 5 1 2\n0 1 1 2\n0 6 1 6\n0 7 1 5\n"


def machine_load_bound(instance: sched.Instance) -> int:
    """The longest job or busiest machine (flow and job shops: one machine per operation)."""
    frame = instance.operations()
    longest_job = frame.groupby("job").time.sum().max()
    busiest_machine = frame.groupby("machine").time.sum().max()
    return int(max(longest_job, busiest_machine))


@needs_ortools
def test_ft06_is_solved_to_its_proven_optimum() -> None:
    ft06 = sched.Instance.load("ft06")
    schedule = sched.cpsat(ft06, time_limit=5.0, workers=1, seed=0)
    assert isinstance(schedule, sched.CpSatSchedule)
    assert isinstance(schedule, sched.Schedule)
    assert schedule.makespan == 55 == ft06.best_known
    assert (schedule.optimal, schedule.status, schedule.objective, schedule.bound) == (
        True,
        "OPTIMAL",
        55,
        55,
    )
    assert schedule.scheduler == "cpsat"
    assert 0 < schedule.seconds < 5.0
    # linetwin's own evaluator agrees, on the sequences and on the times.
    again = sched.evaluate(ft06, schedule.machines)
    assert again.makespan == schedule.makespan
    assert again.to_frame().equals(schedule.to_frame())
    frame = schedule.to_frame()
    assert len(frame) == 36 and frame.end.max() == 55
    assert schedule.to_csv().startswith("machine,position,job,operation,start,end\n")
    assert repr(schedule) == "CpSatSchedule('ft06', makespan=55, optimal=True, bound=55)"


@needs_ortools
def test_one_worker_and_a_seed_give_the_same_schedule() -> None:
    first = sched.cpsat("ft06", time_limit=5.0, workers=1, seed=7)
    second = sched.cpsat("ft06", time_limit=5.0, workers=1, seed=7)
    assert first.optimal and second.optimal
    assert first.machines == second.machines
    assert first.to_frame().equals(second.to_frame())


@needs_ortools
def test_a_hand_worked_flexible_job_shop() -> None:
    tiny = sched.Instance.from_text(FJSP, format="fjsp", name="tiny-fjsp")
    assert tiny.kind == "flexible job shop"
    schedule = sched.cpsat(tiny, time_limit=2.0)
    assert (schedule.makespan, schedule.optimal, schedule.bound) == (7, True, 7)
    assert sched.evaluate(tiny, schedule.machines).makespan == 7


@needs_ortools
def test_brandimarte_mk01_is_feasible_and_above_the_bound() -> None:
    mk01 = sched.Instance.load("mk01")
    assert (mk01.lower_bound, mk01.best_known, mk01.optimal) == (40, 40, True)
    schedule = sched.cpsat(mk01, time_limit=3.0, workers=2)
    assert schedule.makespan >= 40
    assert schedule.bound <= 40 and schedule.bound <= schedule.makespan <= schedule.objective
    assert schedule.optimal == (schedule.makespan == 40)
    assert sched.evaluate(mk01, schedule.machines).makespan == schedule.makespan
    # Every operation is placed once, on one of its machines (the evaluator checked it too).
    eligible = {(j, o, m) for j, o, m, _ in mk01.operations().itertuples(index=False)}
    frame = schedule.to_frame()
    assert len(frame) == mk01.operations()[["job", "operation"]].drop_duplicates().shape[0]
    placed = zip(frame.job, frame.operation, frame.machine, strict=True)
    assert all(row in eligible for row in placed)


@needs_ortools
def test_a_hand_worked_flow_shop() -> None:
    flow = sched.Instance.from_text(FLOW, format="flowshop", name="johnson")
    assert flow.kind == "flow shop"
    schedule = sched.cpsat(flow, time_limit=2.0, workers=1)
    assert (schedule.makespan, schedule.optimal, schedule.bound) == (24, True, 24)


@needs_ortools
def test_a_taillard_flow_shop_under_a_short_limit() -> None:
    ta001 = sched.Instance.load("ta001")
    schedule = sched.cpsat(ta001, time_limit=1.0, workers=2)
    assert schedule.status in ("OPTIMAL", "FEASIBLE")
    assert schedule.makespan >= max(machine_load_bound(ta001), schedule.bound)
    assert schedule.makespan <= schedule.objective
    assert sched.evaluate(ta001, schedule.machines).makespan == schedule.makespan


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"time_limit": 0}, "time_limit must be a positive number of seconds, got 0"),
        ({"time_limit": -1.5}, "time_limit must be a positive number of seconds, got -1.5"),
        ({"time_limit": math.nan}, "time_limit must be a positive number of seconds, got nan"),
        ({"time_limit": "5"}, "time_limit must be a positive number of seconds, got '5'"),
        ({"workers": 0}, "workers must be an integer >= 1, got 0"),
        ({"workers": -2}, "workers must be an integer >= 1, got -2"),
        ({"workers": 1.5}, "workers must be an integer >= 1, got 1.5"),
        ({"seed": -1}, "seed must be an integer from 0 to 2147483647, got -1"),
        ({"seed": 2**31}, "seed must be an integer from 0 to 2147483647, got 2147483648"),
    ],
)
def test_bad_arguments_are_named_with_their_value(
    arguments: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        sched.cpsat("ft06", **arguments)  # type: ignore[arg-type]


def test_missing_ortools_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ortools", "ortools.sat", "ortools.sat.python", "ortools.sat.python.cp_model"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError) as caught:
        sched.cpsat("ft06", time_limit=1.0)
    assert str(caught.value) == "linetwin.sched.cpsat needs OR-Tools: pip install linetwin[cpsat]"


@needs_ortools
def test_no_solution_within_the_limit_is_a_runtime_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from ortools.sat.python import cp_model

    # As if the limit ran out before the first solution (too rare to provoke reliably).
    def unknown(self: object, model: object, callback: object = None) -> object:
        return cp_model.UNKNOWN

    monkeypatch.setattr(cp_model.CpSolver, "solve", unknown)
    with pytest.raises(RuntimeError) as caught:
        sched.cpsat("ft06", time_limit=0.5, workers=1)
    assert str(caught.value) == (
        "CP-SAT found no schedule of ft06 within time_limit=0.5 s (status UNKNOWN)"
    )


def test_cpsat_is_exported_and_documented() -> None:
    assert {"cpsat", "CpSatSchedule"} <= set(sched.__all__)
    assert sched.cpsat is linetwin.sched.cpsat
    for item in (sched.cpsat, sched.CpSatSchedule, sched.CpSatSchedule.optimal):
        assert (item.__doc__ or "").strip()


def test_ctrl_c_still_raises_keyboard_interrupt_after_a_solve() -> None:
    # CP-SAT's own SIGINT handler, left in place, made a later Ctrl-C kill the interpreter.
    # In a child process, so that a regression cannot take pytest down with it.
    script = (
        "import signal, time\n"
        "from linetwin import sched\n"
        "sched.cpsat('ft06', time_limit=5, workers=1)\n"
        "try:\n"
        "    signal.raise_signal(signal.SIGINT)\n"
        "    time.sleep(0.5)\n"
        "except KeyboardInterrupt:\n"
        "    print('KeyboardInterrupt')\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert (out.returncode, out.stdout) == (0, "KeyboardInterrupt\n"), out.stderr
