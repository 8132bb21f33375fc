"""An organisation's name: its spacing tidied, its length bounded.

One rule for a name typed in the chat, given to `python -m bot org add` and read from a
schools list, so a name one of them accepts the others accept too.
"""

from __future__ import annotations

NAME_MIN_LENGTH = 3
NAME_MAX_LENGTH = 300


def clean_name(text: str) -> str:
    """The name on one line, single-spaced."""
    return " ".join(text.split())


def name_fits(name: str) -> bool:
    return NAME_MIN_LENGTH <= len(name) <= NAME_MAX_LENGTH
