"""Lists bound as SQL parameters, cut into pieces every driver accepts.

asyncpg refuses a statement with more than 32,767 parameters and SQLite (as Debian builds it)
more than 32,766; an ``IN (...)`` over every task of a municipal roadmap, or a multi-row
``VALUES`` of every reminder, passes that. Code in ``storage/`` that binds a caller's list
goes through these helpers, so the limit is handled in one place.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

# Below both drivers' limits, with room for the statement's own parameters.
MAX_PARAMETERS = 30_000
# Ids in one ``IN (...)``: small enough that SQLite plans it as a lookup, large enough that
# a 25,000-task roadmap needs a handful of statements, not thousands.
IN_CHUNK = 5_000


def chunked(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most ``size`` items (nothing for an empty list)."""
    if size < 1:
        raise ValueError("size must be positive")
    for start in range(0, len(items), size):
        yield items[start : start + size]


def rows_per_statement(columns: int) -> int:
    """How many rows of ``columns`` bound values fit in one multi-row statement."""
    return max(1, MAX_PARAMETERS // max(1, columns))
