"""The stubs match the compiled module, the package and the examples type-check
under mypy --strict, and the example scripts run as-is."""

from __future__ import annotations

import importlib.resources
import subprocess
import sys

import pytest

import linetwin
from conftest import EXAMPLES, REPO

PACKAGE_SOURCE = REPO / "py-bindings" / "python" / "linetwin"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, check=False, timeout=600
    )


def test_stubs_and_marker_ship_with_the_package() -> None:
    files = importlib.resources.files("linetwin")
    assert files.joinpath("py.typed").is_file()
    assert files.joinpath("_linetwin.pyi").is_file()


def test_every_public_item_has_a_docstring() -> None:
    missing = []
    for name in linetwin.__all__:
        item = getattr(linetwin, name)
        if name == "__version__":
            continue
        if not (getattr(item, "__doc__", None) or "").strip():
            missing.append(name)
        for attr, member in vars(item).items() if isinstance(item, type) else []:
            if attr.startswith("_") or not callable(member) and not isinstance(member, property):
                continue
            if not (getattr(member, "__doc__", None) or "").strip():
                missing.append(f"{name}.{attr}")
    assert not missing


def test_stubs_match_the_compiled_module() -> None:
    pytest.importorskip("mypy")
    output = run("-m", "mypy.stubtest", "linetwin._linetwin")
    assert output.returncode == 0, output.stdout + output.stderr


def test_package_and_examples_pass_mypy_strict() -> None:
    pytest.importorskip("mypy")
    examples = sorted(str(p) for p in EXAMPLES.glob("*.py"))
    output = run(
        "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", "/dev/null",
        str(PACKAGE_SOURCE), *examples,
    )  # fmt: skip
    assert output.returncode == 0, output.stdout + output.stderr


@pytest.mark.parametrize("script", sorted(p.name for p in EXAMPLES.glob("*.py")))
def test_example_runs_as_is(script: str) -> None:
    output = run(str(EXAMPLES / script))
    assert output.returncode == 0, output.stderr
    assert output.stdout.strip()
    assert output.stderr == ""


def test_readme_examples_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = (REPO / "py-bindings" / "README.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in readme.split("```python\n")[1:]]
    assert len(blocks) >= 2
    monkeypatch.chdir(REPO)
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    assert "RunResult" in capsys.readouterr().out
    assert isinstance(namespace["frames"], linetwin.KpiFrames)
