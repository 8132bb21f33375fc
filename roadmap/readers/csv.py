"""CSV: usually an Excel export, so ``;``-separated and Windows-1251 in Russian locales.

The delimiter is whichever of ``;`` ``,`` and tab makes a roadmap header appear, tried from
the most to the least frequent in the file; quoted cells may hold line breaks.
"""

from __future__ import annotations

import csv
import io

from roadmap.readers.text import decode_text
from roadmap.table import (
    MAX_ROWS,
    GridRow,
    RawRoadmap,
    RoadmapReadError,
    build_roadmap,
    cell_paragraphs,
    find_header,
    preamble_lines,
    too_many_rows,
)

_DELIMITERS = (";", ",", "\t")
_HEADER_SEARCH_ROWS = 30


def read_csv(data: bytes) -> RawRoadmap:
    text = decode_text(data).lstrip("\ufeff")
    if not text.strip():
        raise RoadmapReadError("empty")
    sample = text[:20000]
    best: RoadmapReadError | None = None
    for delimiter in sorted(_DELIMITERS, key=sample.count, reverse=True):
        try:
            records = _records(text, delimiter)
        except csv.Error as error:
            raise RoadmapReadError("corrupt", format="csv") from error
        found = find_header([cells for _, cells in records[:_HEADER_SEARCH_ROWS]])
        if found is None:
            continue
        header_at, _ = found
        rows = [
            GridRow(tuple(cell_paragraphs(cell) for cell in cells), f"таблица, строка {line}")
            for line, cells in records[header_at:]
        ]
        preamble = preamble_lines(
            " ".join(c for c in cells if c) for _, cells in records[:header_at]
        )
        try:
            return build_roadmap(preamble, rows)
        except RoadmapReadError as error:
            best = best or error  # "no deadline column" beats "not a table" if nothing better
    raise best or RoadmapReadError("not_a_table")


def _records(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """Rows with the number of the record they came from (what a spreadsheet would show).

    Empty records past MAX_ROWS (an export of formatted but empty rows) are dropped; a record
    with text there refuses the file at once, before the rest is read.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out: list[tuple[int, list[str]]] = []
    for number, cells in enumerate(reader, start=1):
        if number > MAX_ROWS:
            if any(cell.strip() for cell in cells):
                raise too_many_rows()
            continue
        out.append((number, cells))
    return out
