"""What the command-line subcommands share: how they print and how they refuse."""

from __future__ import annotations

from collections.abc import Callable

Print = Callable[[str], None]


class CliRefusal(Exception):
    """A line for stderr and the exit code that goes with it."""

    def __init__(self, line: str, code: int) -> None:
        super().__init__(line)
        self.line = line
        self.code = code
