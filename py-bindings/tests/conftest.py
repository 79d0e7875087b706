"""Shared fixtures: where the repository, the scenario library and the CLI are."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LIBRARY = REPO / "scenarios" / "library"
EXAMPLES = REPO / "examples" / "python"


def library(name: str) -> str:
    """Path of a bundled scenario, as a string (the CLI and errors print it)."""
    return str(LIBRARY / name)


@pytest.fixture(scope="session")
def cli() -> Path:
    """The `linetwin` CLI binary (scripts/test-python builds it and sets LINETWIN_CLI)."""
    given = os.environ.get("LINETWIN_CLI")
    path = Path(given) if given else REPO / "target" / "release" / "linetwin"
    if not path.is_file():
        if given:
            pytest.fail(f"LINETWIN_CLI={given} does not exist")
        pytest.skip(
            "the linetwin CLI is not built: cargo build --release -p scenarios --bin linetwin"
        )
    return path


def run_cli(cli: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Runs the CLI and returns its exit code, stdout and stderr."""
    return subprocess.run(
        [str(cli), *args], capture_output=True, text=True, check=False, timeout=300
    )
