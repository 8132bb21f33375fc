"""`python -m bot import|org|person|survey` start without the messenger: aiogram alone takes
seconds to import.

Only a fresh interpreter shows honestly what a start imports, so these run one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import Settings

PROJECT = Path(__file__).resolve().parents[2]
# Every variable the settings read, so the developer's own never reach the commands run here.
SETTINGS_VARIABLES = frozenset(name.upper() for name in Settings.model_fields)

_MESSENGER = (
    "print(sorted(m for m in sys.modules if m.split('.')[0] in ('aiogram', 'handlers')))\n"
)


def _fresh_interpreter(code: str, cwd: Path) -> str:
    """What `code` printed, run by a new interpreter that finds the project wherever it runs."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in SETTINGS_VARIABLES | {"LC_ALL", "LANG", "PYTHONPATH"}
    }
    environment.update(LANG="ru_RU.UTF-8", PYTHONPATH=str(PROJECT))
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    "module",
    [
        "bot.cli_import",  # python -m bot import
        "bot.cli_org",  # python -m bot org …, person …
        "bot.cli_survey",  # python -m bot survey …
        "bot.cli_report",  # python -m bot roadmap list, report …
    ],
)
def test_the_command_line_and_its_commands_do_not_import_the_messenger(module: str) -> None:
    code = f"import sys, bot.__main__, {module}\n" + _MESSENGER
    assert _fresh_interpreter(code, PROJECT) == "[]"


def test_org_person_and_survey_commands_run_without_the_messenger(tmp_path: Path) -> None:
    """Run, not only imported: an import inside a function shows here."""
    code = (
        "import sys\n"
        "from bot.__main__ import main\n"
        "codes = [\n"
        "    main(['org', 'add', 'Приморский край', '--kind', 'region']),\n"
        "    main(['org', 'list']),\n"
        "    main(['person', 'add', 'Шабанова Н.С.', '--org', 'Приморский край']),\n"
        "    main(['person', 'add', 'Шабанова Н.С.', '--org', 'Нет такой']),\n"
        "    main(['survey', 'list']),\n"
        "    main(['roadmap', 'list']),\n"
        "    main(['report', '99', '--out', 'r.docx']),\n"
        "    main(['report', '99', '--period', '2022-13-01:2022-12-31', '--out', 'r.docx']),\n"
        "]\n"
        "assert codes == [0, 0, 0, 1, 0, 0, 1, 2], codes\n" + _MESSENGER
    )
    assert _fresh_interpreter(code, tmp_path) == "[]"
