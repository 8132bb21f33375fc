"""What the readers that see merged cells (Word, PDF) decide the same way about a row."""

from __future__ import annotations

from collections.abc import Sequence

from roadmap.table import Paragraphs, is_number

# A cell placed on a row: its first grid column, how many columns it spans, its text.
Placed = tuple[int, int, Paragraphs]


def spans_table(placed: Sequence[Placed], continued: set[int], width: int) -> bool:
    """One cell across the table (a section row), perhaps after its own № cell."""
    filled = [(start, span, paragraphs) for start, span, paragraphs in placed if paragraphs]
    if continued or not filled or len(filled) > 2:
        return False
    if len(filled) == 2:
        number_start, number_span, number = filled[0]
        if number_start != 0 or number_span != 1 or not is_number(" ".join(number)):
            return False
    start, span, _ = filled[-1]
    return span >= 2 and start <= 1 and start + span >= width
