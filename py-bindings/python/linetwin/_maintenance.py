"""Run-to-failure datasets of a scenario's wear modes, as pandas DataFrames."""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING

from linetwin._linetwin import pdm_dataset as _pdm_dataset
from linetwin._scenario import Scenario

if TYPE_CHECKING:
    import pandas


def pdm_dataset(
    scenario: Scenario,
    units: int,
    *,
    station: str | None = None,
    mode: str | None = None,
    every: float | None = None,
    seed: int | None = None,
) -> pandas.DataFrame:
    """Runs ``units`` units of a wear mode of ``scenario`` from new to failure
    and returns every reading of its condition signal, as ``linetwin
    pdm-dataset`` writes them: one row per reading with the columns ``unit,
    age, signal, state, state_index, rul`` (the true health state and the
    remaining useful life), each unit's last row at its failure (``rul`` 0).

    ``station`` and ``mode`` pick the wear mode (default: the first with a
    signal); ``every`` is the age between readings (default: the signal's
    period); ``seed`` the master seed (default: the scenario's). The frame's
    ``attrs`` hold ``station`` and ``mode``. Train a remaining-useful-life model
    on it, then plug its decision into :meth:`Scenario.run` as a
    ``maintenance`` policy.

    Raises ScenarioError for an unknown station or mode, one without a signal,
    or a bad period; TypeError for arguments of the wrong type.
    """
    import pandas

    func = "pdm_dataset()"
    if not isinstance(scenario, Scenario):
        raise TypeError(f"{func}: scenario must be a linetwin.Scenario, not {type(scenario).__name__}")
    if isinstance(units, bool) or not isinstance(units, numbers.Integral) or not 1 <= units < 2**32:
        raise TypeError(f"{func}: units must be an int from 1 to 2**32 - 1, got {units!r}")
    for name, value in (("station", station), ("mode", mode)):
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{func}: {name} must be a str, not {type(value).__name__}")
    if every is not None and (isinstance(every, bool) or not isinstance(every, numbers.Real)):
        raise TypeError(f"{func}: every must be a number, not {type(every).__name__}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed < 2**64):
        raise TypeError(f"{func}: seed must be an int from 0 to 2**64 - 1, got {seed!r}")
    station_, mode_, unit, age, signal, state, index, rul = _pdm_dataset(
        scenario._core,
        int(units),
        station,
        mode,
        None if every is None else float(every),
        None if seed is None else int(seed),
    )
    frame = pandas.DataFrame(
        {
            "unit": unit,
            "age": age,
            "signal": signal,
            "state": state,
            "state_index": index,
            "rul": rul,
        }
    )
    frame.attrs["station"] = station_
    frame.attrs["mode"] = mode_
    return frame
