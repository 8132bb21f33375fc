"""`python -m bot …` run in this process: the same `main`, without a new interpreter each time.

A subprocess start imports all of aiogram again (seconds); `run_cli` calls `bot.__main__.main`
with the arguments, in the given directory, with the settings variables cleared, and returns
what a subprocess would: the exit code and both streams. Whatever the command line changes for
the whole process (the root logger, warnings capture, the environment, the working directory)
is put back afterwards. For sync tests only: commands run their own `asyncio.run`.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.settings import Settings

# Every variable the settings read, so the developer's own never leak into a test.
SETTINGS_VARIABLES = frozenset(name.upper() for name in Settings.model_fields)
DEFAULT_ENVIRONMENT = {"LANG": "ru_RU.UTF-8"}


@dataclass(frozen=True)
class CliResult:
    """What `subprocess.run(..., capture_output=True, text=True)` would have returned."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


@contextlib.contextmanager
def _process_state_kept() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    showwarning = warnings.showwarning
    policy = asyncio.get_event_loop_policy()
    try:
        yield
    finally:
        # `configure_logging` replaced (and closed) the root handlers: put them back as they were.
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
                handler.close()
        root.handlers[:] = handlers
        root.setLevel(level)
        logging.captureWarnings(False)
        warnings.showwarning = showwarning
        asyncio.set_event_loop_policy(policy)


def _exit_code(code: object) -> tuple[int, str]:
    """The exit status and stderr line the interpreter makes of `SystemExit(code)`."""
    if code is None:
        return 0, ""
    if isinstance(code, int):
        return code, ""
    return 1, f"{code}\n"


def run_cli(cwd: Path, *args: str, env: Mapping[str, str] | None = None) -> CliResult:
    """`python -m bot *args` in `cwd`, with `env` over a clean environment (LANG: Russian)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        raise RuntimeError("run_cli is for sync tests: the commands start their own event loop")
    stdout, stderr = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch, _process_state_kept():
        patch.chdir(cwd)  # pydantic-settings reads `.env` from here; data/ is made here
        for name in SETTINGS_VARIABLES | {"LC_ALL", "LANG"}:
            patch.delenv(name, raising=False)
        for name, value in {**DEFAULT_ENVIRONMENT, **(env or {})}.items():
            patch.setenv(name, value)
        # As `python -m bot` does before `main`: warnings go to the log (stderr).
        logging.captureWarnings(True)
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                returncode = main(list(args))
            except SystemExit as exit_:  # argparse: --help (0), usage errors (2)
                returncode, line = _exit_code(exit_.code)
                stderr.write(line)
    return CliResult(args, returncode, stdout.getvalue(), stderr.getvalue())
