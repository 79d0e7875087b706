"""The compiled core of linetwin (Rust, pyo3). Use the public package instead."""

import os
from typing import Any, final

__all__ = ["CoreScenario", "ScenarioError"]

class ScenarioError(ValueError):
    """A scenario that cannot be used: the message is the CLI's, naming the
    file, the line where known, the field and the value."""

@final
class CoreScenario:
    """A validated scenario: the file as written and the line it describes."""

    @staticmethod
    def from_path(path: str | os.PathLike[str]) -> CoreScenario:
        """Reads and validates the scenario TOML file at `path`."""

    @staticmethod
    def from_toml(text: str, origin: str) -> CoreScenario:
        """Parses and validates scenario TOML `text`; `origin` names it in errors."""

    @staticmethod
    def from_dict(spec: Any, origin: str) -> CoreScenario:
        """Validates a scenario given as nested dicts and lists shaped like the TOML file."""

    def to_toml(self) -> str:
        """The scenario as TOML, in the format it is read from."""

    @property
    def name(self) -> str:
        """The scenario name."""

    @property
    def origin(self) -> str:
        """Where the scenario came from: a path, or a label such as `<python>`."""

    @property
    def warnings(self) -> list[str]:
        """Structural oddities that do not stop a run."""

    def run(
        self,
        seed: int | None = None,
        horizon: float | None = None,
        warmup: float | None = None,
    ) -> tuple[str, str]:
        """Runs one replication with the GIL released; returns the KPIs as the
        CLI's `--json` text and as its text table."""
