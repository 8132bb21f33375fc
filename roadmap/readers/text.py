"""Plain text: an exported .txt, or a table pasted into a chat message.

Rows are lines with tab-separated cells (Word's "copy table"), or markdown pipes, or
semicolons. Some exports instead put one cell on each line, each cell starting with a tab;
that layout is recognised by its header (one header word per line) and regrouped into rows.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from roadmap.table import (
    MAX_ROWS,
    Column,
    GridRow,
    RawRoadmap,
    RoadmapReadError,
    build_roadmap,
    cell_paragraphs,
    column_not_ours,
    detect_columns,
    find_header,
    header_cell_column,
    is_column_numbers,
    is_number,
    preamble_lines,
    starts_lower,
    too_many_rows,
)

Splitter = Callable[[str], list[str]]

_CELL_START = re.compile(r"^ *\t")
_WIDE_GAP = re.compile(r"\s{2,}")
_MAX_HEADER_CELLS = 15
# Lines a table of MAX_ROWS rows can take even with one cell per line and wrapped cells:
# more is refused before any header is looked for.
_MAX_LINES = MAX_ROWS * 20


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1251 as Russian Windows saves."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1251", errors="replace")


def _split_tabs(line: str) -> list[str]:
    return line.split("\t")


def _split_pipes(line: str) -> list[str]:
    stripped = line.strip()
    if not stripped.startswith("|"):
        return [line]
    return stripped.strip("|").split("|")


def _split_semicolons(line: str) -> list[str]:
    return line.split(";")


def _split_wide_gaps(line: str) -> list[str]:
    return _WIDE_GAP.split(line.strip())


# Tried in this order: the first that reveals a header wins; wide gaps are the last resort
# (a message whose tabs a chat client turned into spaces).
_SPLITTERS: tuple[tuple[str, Splitter], ...] = (
    ("\t", _split_tabs),
    ("|", _split_pipes),
    (";", _split_semicolons),
    ("  ", _split_wide_gaps),
)


def read_text(text: str) -> RawRoadmap:
    """The roadmap in plain text; raises RoadmapReadError if there is none."""
    text = text.lstrip("\ufeff")
    if not text.replace("\ufeff", "").replace("\u200b", "").strip():
        raise RoadmapReadError("empty")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if len(lines) > _MAX_LINES and sum(1 for line in lines if line.strip()) > _MAX_LINES:
        raise too_many_rows()
    found = _delimited_header(lines)
    if found is not None and found[2]:
        return _read_delimited(lines, found[0], found[1])
    try:
        return _read_cell_per_line(lines)
    except RoadmapReadError:
        if found is None:
            raise
    # A header without a deadline column: reading it says so, naming the columns it has.
    return _read_delimited(lines, found[0], found[1])


def _delimited_header(lines: Sequence[str]) -> tuple[int, Splitter, bool] | None:
    """Line and splitter of the header; the flag says whether it has a deadline column."""
    fallback: tuple[int, Splitter, bool] | None = None
    for index, line in enumerate(lines):
        for mark, splitter in _SPLITTERS:
            if mark not in line:
                continue
            mapping = detect_columns([_cell_text(cell) for cell in splitter(line)])
            if mapping is None:
                continue
            if Column.DEADLINE in mapping:
                return index, splitter, True
            if fallback is None:
                fallback = index, splitter, False
    return fallback


def _cell_text(raw: str) -> str:
    return " ".join(cell_paragraphs(raw))


def _read_delimited(lines: Sequence[str], header_at: int, splitter: Splitter) -> RawRoadmap:
    first = header_at
    if header_at > 0:
        # A merged top header ("Мероприятия" over "наименование | срок") is the line above;
        # whether it belongs to the header is the table's rule, as for every other format.
        above, header = ([_cell_text(c) for c in splitter(lines[i])] for i in (first - 1, first))
        found = find_header([above, header])
        if found is not None and found[0] == 0:
            first -= 1
    rows: list[GridRow] = []
    for index in range(first, len(lines)):
        line = lines[index]
        if not line.strip():
            continue
        if len(rows) >= MAX_ROWS:
            raise too_many_rows()
        rows.append(
            GridRow(tuple(cell_paragraphs(c) for c in splitter(line)), f"строка {index + 1}")
        )
    return build_roadmap(preamble_lines(lines[:first]), rows)


@dataclass
class _LineCell:
    fragments: list[str]
    line_index: int
    paragraphs: tuple[str, ...] = field(default=())

    def text(self) -> str:
        return " ".join(self.paragraphs)


def _line_cells(lines: Sequence[str]) -> list[_LineCell]:
    """Cells of the one-cell-per-line layout: a tab opens a cell, other lines continue it."""
    tabbed = any(_CELL_START.match(line) for line in lines)
    cells: list[_LineCell] = []
    for index, line in enumerate(lines):
        opening = _CELL_START.match(line)
        if not tabbed:
            if line.strip():
                cells.append(_LineCell([line], index))
        elif opening:
            cells.append(_LineCell([line[opening.end() :].replace("\t", " ")], index))
        elif line.strip() and cells:
            cells[-1].fragments.append(line)
    for cell in cells:
        cell.paragraphs = tuple(
            p for fragment in cell.fragments for p in cell_paragraphs(fragment)
        )
    return cells


def _header_run(cells: Sequence[_LineCell], start: int, tabbed: bool) -> list[str]:
    """Consecutive cells that each name a different column (or one not ours: participants,
    place, note…), starting at ``start``."""
    run: list[str] = []
    seen: set[Column] = set()
    for cell in cells[start : start + _MAX_HEADER_CELLS]:
        text = cell.text()
        if run and column_not_ours(text):
            run.append(text)
            continue
        hit = header_cell_column(text)
        if hit is None and run and not tabbed and (starts_lower(text) or text.lower() == "п/п"):
            run[-1] = f"{run[-1]} {text}"  # a header word wrapped onto its own line
            continue
        if hit is None or hit[0] in seen:
            break
        seen.add(hit[0])
        run.append(text)
    return run


def _read_cell_per_line(lines: Sequence[str]) -> RawRoadmap:
    cells = _line_cells(lines)
    tabbed = any(_CELL_START.match(line) for line in lines)
    fallback: tuple[int, list[str]] | None = None
    chosen: tuple[int, list[str]] | None = None
    for start in range(len(cells)):
        run = _header_run(cells, start, tabbed)
        mapping = detect_columns(run) if len(run) >= 2 else None
        if mapping is None:
            continue
        if Column.DEADLINE in mapping:
            chosen = start, run
            break
        if fallback is None:
            fallback = start, run
    chosen = chosen or fallback
    if chosen is None:
        raise RoadmapReadError("not_a_table")
    start, header = chosen
    consumed = _consumed(cells, start, len(header), tabbed)
    if is_column_numbers([cell.text() for cell in cells[consumed : consumed + len(header)]]):
        consumed += len(header)  # "1 | 2 | 3 | 4" under the header, one number a line
    mapping = detect_columns(header) or {}
    rows = [GridRow(tuple((text,) for text in header), f"строка {cells[start].line_index + 1}")]
    rows.extend(_regroup(cells[consumed:], len(header), mapping.get(Column.NUMBER) == 0))
    return build_roadmap(preamble_lines(lines[: cells[start].line_index]), rows)


def _consumed(cells: Sequence[_LineCell], start: int, width: int, tabbed: bool) -> int:
    """Index of the first data cell: the header cells plus, untabbed, their wrapped words."""
    if tabbed:
        return start + width
    index, named = start, 0
    while index < len(cells) and named <= width:
        text = cells[index].text()
        if header_cell_column(text) is not None or column_not_ours(text):
            if named == width:
                break
            named += 1
        index += 1
    return index


def _regroup(cells: Sequence[_LineCell], width: int, numbered: bool) -> list[GridRow]:
    """Cells back into rows: a № cell opens a row; a cell after a full row stands alone."""
    groups: list[list[_LineCell]] = []
    current: list[_LineCell] | None = None
    for cell in cells:
        if len(groups) > MAX_ROWS:
            raise too_many_rows()
        opens_row = numbered and is_number(cell.text())
        if opens_row and (current is None or len(current) >= 2):
            current = [cell]
            groups.append(current)
        elif current is not None and len(current) < width:
            current.append(cell)
        elif numbered:
            current = None
            groups.append([cell])  # a section heading, or a stray line
        else:
            current = [cell]
            groups.append(current)
    return [
        GridRow(tuple(cell.paragraphs for cell in group), f"строка {group[0].line_index + 1}")
        for group in groups
        if any(cell.paragraphs for cell in group)
    ]
