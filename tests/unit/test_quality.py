"""ruff, mypy and the import contracts are part of the test run, so one command checks all."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@pytest.mark.parametrize(
    "command",
    [
        pytest.param([str(BIN / "ruff"), "check", "."], id="ruff"),
        # Twenty seconds over a fresh checkout (no .mypy_cache yet): started first.
        pytest.param([sys.executable, "-m", "mypy"], id="mypy", marks=pytest.mark.slow),
        pytest.param([str(BIN / "lint-imports")], id="import-contracts"),
    ],
)
def test_tool_is_clean(command: list[str]) -> None:
    result = subprocess.run(
        command, cwd=PROJECT, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
