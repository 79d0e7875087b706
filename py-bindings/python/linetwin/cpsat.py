"""Exact scheduling with Google OR-Tools CP-SAT: :func:`cpsat` (instances) and
:func:`cpsat_orders` (a line's order book at its setup station).

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

from linetwin._linetwin import book_data
from linetwin._scenario import Scenario
from linetwin.sched import Instance, InstanceLike, OrderPlan, Schedule, evaluate

__all__ = ["CpSatOrderPlan", "CpSatSchedule", "cpsat", "cpsat_orders"]

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


class CpSatOrderPlan:
    """A sequence of a line's orders at one station found by CP-SAT: ``plan`` (an
    :data:`~linetwin.sched.OrderPlan` for :func:`linetwin.sched.robust`), with the solver's
    ``status``, ``objective`` and ``bound`` (the model's total weighted tardiness, in the
    scenario's time unit), and ``seconds``."""

    def __init__(
        self, plan: OrderPlan, *, status: str, objective: float, bound: float, seconds: float
    ) -> None:
        self.plan = plan
        """Per station (the one sequenced), its orders' ids in sequence."""
        self.status = status
        """CP-SAT's status on the weighted tardiness: ``"OPTIMAL"`` or ``"FEASIBLE"``."""
        self.objective = objective
        """The model's total weighted tardiness of ``plan`` at nominal times."""
        self.bound = bound
        """CP-SAT's proven lower bound on the model's total weighted tardiness."""
        self.seconds = seconds
        """Wall-clock seconds of the solve."""

    @property
    def optimal(self) -> bool:
        """Whether CP-SAT proved the sequence optimal for its model."""
        return self.status == "OPTIMAL"

    def __repr__(self) -> str:
        station, orders = next(iter(self.plan.items()))
        return (
            f"CpSatOrderPlan({station!r}, {len(orders)} orders, weighted tardiness "
            f"{self.objective:g}, bound {self.bound:g}, {self.status})"
        )


_SCALE = 100  # times in hundredths of the scenario's unit


def cpsat_orders(
    scenario: Scenario,
    station: str | None = None,
    time_limit: float = 10.0,
    workers: int | None = None,
    seed: int = 0,
    hint: OrderPlan | None = None,
) -> CpSatOrderPlan:
    """Sequences a line's order book at one station (by default the one with setups, e.g. a
    press with die changes) with CP-SAT, minimising the total weighted tardiness.

    The model is the single-machine problem with release dates and sequence-dependent setups
    an APS solves at a bottleneck: each order is one block of ``quantity`` × the station's
    mean time per part, ready at its release plus one part's mean time upstream, and late by
    how much its end plus one part's mean time downstream passes its due date; between two
    orders of different families the mean setup time of the station's matrix (from the
    station's initial family before the first). Orders are sequenced with a circuit
    constraint. The objective is lexicographic: the least weighted tardiness (half the time
    limit), then, keeping it, the least weighted completion time (which keeps die changes
    and idle time down among the many sequences that are on time). Times are rounded to
    hundredths of the scenario's time unit. The rest of the line is not in the model:
    execute the plan in the twin to see how it holds up (:func:`linetwin.sched.robust`).

    Args:
        scenario: A :class:`linetwin.Scenario` with an order book.
        station: The station to sequence; by default the one station with setups.
        time_limit: Wall-clock seconds CP-SAT may search.
        workers: CP-SAT's parallel workers; by default one per CPU this process may use.
        seed: CP-SAT's ``random_seed``, 0 to 2**31 - 1.
        hint: A plan to start the search from (e.g. :func:`linetwin.sched.plan_orders` under
            ``campaign``).

    Raises:
        ValueError: a bad ``time_limit``, ``workers`` or ``seed``, naming it.
        ImportError: OR-Tools is not installed: ``pip install linetwin[cpsat]``.
        linetwin.ScheduleError: the station cannot be sequenced this way (several servers,
            alternatives, an order that visits it twice), naming it.
        RuntimeError: CP-SAT found no sequence within ``time_limit``.
    """
    _check_arguments(time_limit, workers, seed)
    data = book_data(scenario._core, station)
    try:
        from ortools.sat.python import cp_model
    except ImportError as e:
        raise ImportError(MISSING_ORTOOLS) from e

    started = time.perf_counter()
    name = data["station"]
    orders = data["orders"]
    setups = [[round(t * _SCALE) for t in row] for row in data["setups"]]
    initial = data["initial"]
    ready = [math.ceil(o[1] * _SCALE) for o in orders]
    work = [round(o[5] * _SCALE) for o in orders]
    due = [math.floor((o[2] - o[6]) * _SCALE) if math.isfinite(o[2]) else None for o in orders]
    weight = [o[3] for o in orders]
    family = [o[4] for o in orders]
    longest = max((max(row) for row in setups), default=0)
    horizon = max(ready, default=0) + sum(work) + longest * len(orders)

    model = cp_model.CpModel()
    n = len(orders)
    start = [model.new_int_var(ready[j], horizon, f"start_{j}") for j in range(n)]
    # Node 0 is the start and end of the circuit; order j is node j + 1.
    arc: dict[tuple[int, int], Any] = {}
    for j in range(n):
        arc[0, j + 1] = model.new_bool_var(f"first_{j}")
        if initial is not None:
            model.add(start[j] >= setups[initial][family[j]]).only_enforce_if(arc[0, j + 1])
        arc[j + 1, 0] = model.new_bool_var(f"last_{j}")
        for i in range(n):
            if i != j:
                arc[i + 1, j + 1] = model.new_bool_var(f"{i}_then_{j}")
                model.add(
                    start[j] >= start[i] + work[i] + setups[family[i]][family[j]]
                ).only_enforce_if(arc[i + 1, j + 1])
    model.add_circuit([(a, b, literal) for (a, b), literal in arc.items()])
    # Redundant, for propagation: the orders' blocks do not overlap.
    model.add_no_overlap(
        [model.new_fixed_size_interval_var(start[j], work[j], f"block_{j}") for j in range(n)]
    )
    # Weights as integers: hundredths.
    terms = []
    late: dict[int, Any] = {}
    for j in range(n):
        if due[j] is None:
            continue
        late[j] = model.new_int_var(0, horizon, f"late_{j}")
        model.add(late[j] >= start[j] + work[j] - due[j])
        terms.append(round(weight[j] * 100) * late[j])
    model.minimize(sum(terms))
    if hint is not None:
        ids = [o[0] for o in orders]
        sequence = [ids.index(o) for o in hint.get(name, []) if o in ids]
        if sorted(sequence) == list(range(n)):
            # A complete hint: every start, arc and lateness.
            t, previous, node = 0, initial, 0
            for j in sequence:
                setup = 0 if previous is None else setups[previous][family[j]]
                t = max(t + setup, ready[j])
                model.add_hint(start[j], t)
                d = due[j]
                if d is not None:
                    model.add_hint(late[j], max(0, t + work[j] - d))
                model.add_hint(arc[node, j + 1], 1)
                t += work[j]
                previous, node = family[j], j + 1
            model.add_hint(arc[node, 0], 1)
            nodes = [j + 1 for j in sequence]
            chosen = set(zip([0, *nodes], [*nodes, 0]))
            for key, literal in arc.items():
                if key not in chosen:
                    model.add_hint(literal, 0)

    def solve(seconds: float) -> tuple[Any, Any]:
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = seconds
        solver.parameters.num_workers = workers if workers is not None else _default_workers()
        solver.parameters.random_seed = seed
        # The caller's Ctrl-C stays the caller's: CP-SAT must not install its own handler.
        solver.parameters.catch_sigint_signal = False
        # Probing the 8 000 arc literals of a 90-order circuit takes longer than it pays.
        solver.parameters.cp_model_probing_level = 0
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise RuntimeError(
                f"CP-SAT found no sequence of station `{name}` in {time_limit} s "
                f"(status {solver.status_name(status)})"
            )
        return solver, status

    # Lexicographic: the least weighted tardiness in half the time, then, keeping it, the
    # least weighted completion time (which also keeps die changes and idle time down).
    first, status = solve(time_limit / 2)
    tardiness = round(first.objective_value)
    bound = first.best_objective_bound
    model.clear_hints()  # type: ignore[no-untyped-call]  # untyped in OR-Tools' stubs
    for j in range(n):
        model.add_hint(start[j], first.value(start[j]))
    for literal in arc.values():
        model.add_hint(literal, first.value(literal))
    model.add(sum(terms) <= tardiness)
    model.minimize(sum(round(weight[j] * 100) * (start[j] + work[j]) for j in range(n)))
    elapsed = time.perf_counter() - started
    second, _ = solve(max(time_limit - elapsed, 0.1))
    sequence = sorted(range(n), key=lambda j: (second.value(start[j]), j))
    scale = 100 * _SCALE
    return CpSatOrderPlan(
        {name: [orders[j][0] for j in sequence]},
        status=first.status_name(status),
        objective=sum(
            weight[j] * max(0, second.value(start[j]) + work[j] - d)
            for j, d in enumerate(due)
            if d is not None
        )
        / _SCALE,
        bound=bound / scale,
        seconds=time.perf_counter() - started,
    )
