"""What the command-line subcommands share: how they print and how they refuse."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from core.i18n import Translators, translating

Print = Callable[[str], None]
EXIT_OK = 0


class CliRefusal(Exception):
    """A line for stderr and the exit code that goes with it."""

    def __init__(self, line: str, code: int) -> None:
        super().__init__(line)
        self.line = line
        self.code = code


def run_refusable(
    work: Callable[[], Coroutine[Any, Any, None]],
    catalogs: Translators,
    locale: str,
    err: Print,
) -> int:
    """Runs a subcommand in the terminal's language: 0, or the code of its refusal (its line
    goes to `err`)."""
    with translating(catalogs.translator(locale)):
        try:
            asyncio.run(work())
        except CliRefusal as refusal:
            err(refusal.line)
            return refusal.code
    return EXIT_OK
