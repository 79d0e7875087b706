"""Exact scheduling with Google OR-Tools CP-SAT: :func:`cpsat` and :class:`CpSatSchedule`.

Both are re-exported by :mod:`linetwin.sched`; OR-Tools is optional
(``pip install linetwin[cpsat]``) and imported only when :func:`cpsat` runs::

    from linetwin import sched

    schedule = sched.cpsat("ft06", time_limit=5.0, workers=1)
    schedule.makespan, schedule.optimal, schedule.bound   # 55, True, 55

The model is the textbook one: an interval per operation (for a flexible operation, an
optional interval per eligible machine, exactly one of them present), each operation
starting after its job's previous one ends, no two intervals overlapping on a machine, and
the makespan, the latest job end, minimised. Times are the instance's integers.

CP-SAT's answer is not trusted: its machine sequences and start times are checked by
linetwin's evaluator (:func:`linetwin.sched.evaluate`), which raises
:class:`linetwin.ScheduleError` on any violation, and the schedule returned is the
evaluator's semi-active schedule of those sequences (every operation as early as its job and
machine allow), so ``makespan`` is never above CP-SAT's objective.
"""

from __future__ import annotations

import math
import os
import time
from numbers import Real
from typing import Any

from linetwin.sched import Instance, InstanceLike, Schedule, evaluate

__all__ = ["CpSatSchedule", "cpsat"]

MISSING_ORTOOLS = "linetwin.sched.cpsat needs OR-Tools: pip install linetwin[cpsat]"
"""The message of the ImportError :func:`cpsat` raises when OR-Tools is not installed."""

_SEED_MAX = 2**31 - 1  # CP-SAT's random_seed is a 32-bit integer


class CpSatSchedule(Schedule):
    """A schedule found by CP-SAT and checked by linetwin's evaluator, with the solver's
    status.

    A :class:`linetwin.sched.Schedule` in every way (``makespan``, ``machines``,
    ``to_frame()``, ``to_csv()``, ``plot()``); ``scheduler`` is ``"cpsat"``. The extra
    attributes say how good it is: ``status``, ``objective``, ``bound``, ``seconds`` and the
    property ``optimal``.
    """

    def __init__(
        self,
        instance: Instance,
        makespan: int,
        rows: list[tuple[int, int, int, int, int, int]],
        *,
        status: str,
        objective: int,
        bound: int,
        seconds: float,
    ) -> None:
        super().__init__(instance, makespan, rows, scheduler="cpsat")
        self.status = status
        """CP-SAT's status: ``"OPTIMAL"`` (proven) or ``"FEASIBLE"`` (stopped by the time
        limit with a solution)."""
        self.objective = objective
        """The makespan of CP-SAT's own start times (checked); ``makespan``, the semi-active
        schedule of the same sequences, is at most this."""
        self.bound = bound
        """CP-SAT's proven lower bound on the instance's makespan: no schedule is shorter."""
        self.seconds = seconds
        """Wall-clock seconds of the solve (model building, search and checking)."""

    @property
    def optimal(self) -> bool:
        """Whether the schedule is proven optimal: CP-SAT proved it, or ``makespan`` reaches
        the proven ``bound``."""
        return self.status == "OPTIMAL" or self.makespan <= self.bound

    def __repr__(self) -> str:
        return (
            f"CpSatSchedule({self.instance.name!r}, makespan={self.makespan}, "
            f"optimal={self.optimal}, bound={self.bound})"
        )


def _check_arguments(time_limit: float, workers: int | None, seed: int) -> None:
    """Raises ValueError naming the first argument of :func:`cpsat` that cannot be used."""
    if (
        not isinstance(time_limit, Real)
        or isinstance(time_limit, bool)
        or math.isnan(time_limit)
        or time_limit <= 0
    ):
        raise ValueError(f"time_limit must be a positive number of seconds, got {time_limit!r}")
    if workers is not None and (
        not isinstance(workers, int) or isinstance(workers, bool) or workers < 1
    ):
        raise ValueError(f"workers must be an integer >= 1, got {workers!r}")
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= _SEED_MAX:
        raise ValueError(f"seed must be an integer from 0 to {_SEED_MAX}, got {seed!r}")


def _default_workers() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def cpsat(
    instance: InstanceLike,
    time_limit: float = 10.0,
    workers: int | None = None,
    seed: int = 0,
) -> CpSatSchedule:
    """Minimises the makespan of a job shop, flow shop or flexible job shop with CP-SAT.

    Determinism: with ``workers=1`` and the same ``seed`` the search is the same every run,
    so a solve that ends before the time limit (proving optimality) gives the same schedule
    every time. A wall-clock limit that cuts the search short stops it wherever it got to,
    and with several workers the workers race each other, so such runs may return different
    schedules (of possibly different makespans) from run to run.

    Args:
        instance: An :class:`~linetwin.sched.Instance`, or a bundled name or file path as
            :meth:`Instance.load <linetwin.sched.Instance.load>` takes.
        time_limit: Wall-clock seconds CP-SAT may search (``max_time_in_seconds``); a
            positive number, ``math.inf`` for no limit. When it runs out the best schedule
            so far is returned, with ``optimal`` false unless it reaches the bound.
        workers: CP-SAT's parallel search workers (``num_workers``), at least 1; by default
            one per CPU this process may use.
        seed: CP-SAT's ``random_seed``, 0 to 2**31 - 1.

    Returns:
        The checked :class:`CpSatSchedule` (``scheduler="cpsat"``) with CP-SAT's
        ``status``, ``objective``, ``bound`` and whether it is ``optimal``.

    Raises:
        ValueError: ``time_limit`` is not a positive number (or is NaN), ``workers`` is not
            an integer >= 1, or ``seed`` is out of range; the message names the argument
            and its value.
        ImportError: OR-Tools is not installed: ``pip install linetwin[cpsat]``.
        RuntimeError: CP-SAT found no schedule within ``time_limit``.
        linetwin.ScheduleError: The instance cannot be loaded, or (a bug) CP-SAT's answer
            fails linetwin's check.
    """
    _check_arguments(time_limit, workers, seed)
    inst = instance if isinstance(instance, Instance) else Instance.load(instance)
    try:
        from ortools.sat.python import cp_model
    except ImportError as e:
        raise ImportError(MISSING_ORTOOLS) from e

    started = time.perf_counter()
    # (job, operation) -> [(machine, time), ...], in job then operation order.
    alternatives: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for job, operation, machine, duration in inst._core.operations():
        alternatives.setdefault((job, operation), []).append((machine, duration))
    horizon = sum(max(d for _, d in alts) for alts in alternatives.values())

    model = cp_model.CpModel()
    starts: dict[tuple[int, int], Any] = {}
    ends: dict[tuple[int, int], Any] = {}
    # Per operation, (machine, duration, presence literal or None when it has one machine).
    choices: dict[tuple[int, int], list[tuple[int, int, Any]]] = {}
    on_machine: list[list[Any]] = [[] for _ in range(inst.machines)]
    for (job, operation), alts in alternatives.items():
        name = f"j{job}o{operation}"
        start = model.new_int_var(0, horizon, f"start_{name}")
        starts[job, operation] = start
        if len(alts) == 1:
            machine, duration = alts[0]
            on_machine[machine].append(
                model.new_fixed_size_interval_var(start, duration, f"{name}_m{machine}")
            )
            ends[job, operation] = start + duration
            choices[job, operation] = [(machine, duration, None)]
            continue
        options = []
        for machine, duration in alts:
            present = model.new_bool_var(f"{name}_on_m{machine}")
            on_machine[machine].append(
                model.new_optional_fixed_size_interval_var(
                    start, duration, present, f"{name}_m{machine}"
                )
            )
            options.append((machine, duration, present))
        model.add_exactly_one(p for _, _, p in options)
        ends[job, operation] = start + sum(d * p for _, d, p in options)
        choices[job, operation] = options
    last: dict[int, tuple[int, int]] = {}
    for job, operation in alternatives:
        if operation > 0:
            model.add(starts[job, operation] >= ends[job, operation - 1])
        last[job] = (job, operation)
    for intervals in on_machine:
        model.add_no_overlap(intervals)
    makespan = model.new_int_var(0, horizon, "makespan")
    model.add_max_equality(makespan, [ends[op] for op in last.values()])
    model.minimize(makespan)

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit)
    solver.parameters.num_workers = _default_workers() if workers is None else workers
    solver.parameters.random_seed = seed
    # CP-SAT's own Ctrl-C handler replaces Python's and, once the solve is over, leaves
    # SIGINT to kill the interpreter: keep Python's, so that Ctrl-C raises KeyboardInterrupt
    # (when the solve returns, at the latest after time_limit).
    solver.parameters.catch_sigint_signal = False
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise RuntimeError(
            f"CP-SAT found no schedule of {inst.name} within time_limit={time_limit} s "
            f"(status {solver.status_name(status)})"
        )

    # Per machine, (start, end, job, operation) of the operations CP-SAT put there.
    placed: list[list[tuple[int, int, int, int]]] = [[] for _ in range(inst.machines)]
    for (job, operation), options in choices.items():
        for machine, duration, present in options:
            if present is None or solver.boolean_value(present):
                begin = solver.value(starts[job, operation])
                placed[machine].append((begin, begin + duration, job, operation))
                break
    for ops in placed:
        ops.sort()
    sequences = [[(j, o) for _, _, j, o in ops] for ops in placed]
    # The evaluator checks CP-SAT's own times, then gives the semi-active schedule.
    solved = evaluate(inst, sequences, [[s for s, _, _, _ in ops] for ops in placed])
    checked = evaluate(inst, sequences)
    return CpSatSchedule(
        inst,
        checked.makespan,
        checked._rows,
        status=solver.status_name(status),
        objective=solved.makespan,
        bound=round(solver.best_objective_bound),
        seconds=time.perf_counter() - started,
    )
