"""`python -m bot import` starts without the messenger: aiogram alone takes seconds to import.

Only a fresh interpreter shows honestly what a start imports, so this runs one.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]

_CHECK = (
    "import sys, bot.__main__, bot.cli_import\n"
    "print(sorted(m for m in sys.modules if m.split('.')[0] in ('aiogram', 'handlers')))\n"
)


def test_the_command_line_and_the_roadmap_import_do_not_import_the_messenger() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _CHECK],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
