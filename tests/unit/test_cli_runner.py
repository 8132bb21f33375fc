"""tests/cli.py: `python -m bot` in this process answers as the process would, leaves no trace."""

from __future__ import annotations

import logging
import os
import threading
import warnings
from pathlib import Path

import pytest

from tests.cli import run_cli

THREAD_END_CEILING = 60


def test_exit_codes_streams_and_process_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOG_LEVEL", "ERROR")  # the developer's own: cleared for the command
    root = logging.getLogger()
    before = (root.handlers[:], root.level, warnings.showwarning, os.getcwd())
    threads = set(threading.enumerate())  # threads of earlier tests may end meanwhile

    usage = run_cli(tmp_path, "import")  # argparse: FILE missing
    assert usage.returncode == 2
    assert "the following arguments are required: file" in usage.stderr
    helped = run_cli(tmp_path, "--help")
    assert helped.returncode == 0
    assert "usage: roadmap-bot" in helped.stdout and helped.stderr == ""
    migrated = run_cli(tmp_path, "migrate", env={"LOG_LEVEL": "DEBUG"})
    assert migrated.returncode == 0, migrated.stderr
    assert "База данных обновлена до версии" in migrated.stdout
    assert "DEBUG" in migrated.stderr  # the log goes to stderr, at the level asked for
    english = run_cli(tmp_path, "import", str(tmp_path / "nope.docx"), env={"LANG": "en_US.UTF-8"})
    assert english.returncode == 1
    assert "nope.docx" in english.stderr and "Не удаётся" not in english.stderr

    assert (root.handlers, root.level, warnings.showwarning, os.getcwd()) == before
    assert os.environ["LOG_LEVEL"] == "ERROR"
    # aiosqlite's thread (one per connection) answers the close and only then returns: on a busy
    # machine it can still be alive just after. Waited for; the ceiling only catches a leak.
    started = [thread for thread in threading.enumerate() if thread not in threads]
    for thread in started:
        thread.join(timeout=THREAD_END_CEILING)
    assert [thread for thread in started if thread.is_alive()] == []


async def test_refused_inside_an_event_loop(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="sync tests"):
        run_cli(tmp_path, "--help")
