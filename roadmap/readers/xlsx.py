"""Excel .xlsx: the first visible sheet with a recognisable header.

The workbook is opened read-only (values as last computed by Excel). Read-only mode does
not expose merged ranges, so they are read from the sheet XML: a range merged down over
several rows is what Word's vertical merge is (№ and activity over the steps of one
activity), and a range across the whole row is a section heading.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

import openpyxl
from openpyxl.utils.cell import range_boundaries

from roadmap.readers.archive import declared_sizes_checked, markup_checked, unreadable
from roadmap.table import (
    MAX_ROWS,
    Column,
    GridRow,
    Paragraphs,
    RawRoadmap,
    RoadmapReadError,
    build_roadmap,
    cell_paragraphs,
    find_header,
    preamble_lines,
    too_many_rows,
)

_MAX_COLUMNS = 40
_HEADER_SEARCH_ROWS = 30
_LAST_ROW_LOOKED_AT = 2 * MAX_ROWS
_MERGE_TAG = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}mergeCell"
# openpyxl reads worksheets row by row in read-only mode (and so do the merges below): their
# XML costs little memory, so the markup limit counts them half (see core.archives).
_STREAMED = ("xl/worksheets/",)


@dataclass(frozen=True)
class _Merge:
    first_col: int  # zero-based
    first_row: int  # one-based, as Excel numbers rows
    last_col: int
    last_row: int


def read_xlsx(data: bytes) -> RawRoadmap:
    declared_sizes_checked(data, "xlsx")
    markup_checked(data, "xlsx", _STREAMED)
    with warnings.catch_warnings():
        # openpyxl warns about features it drops (data validation, styles); none matter here.
        warnings.simplefilter("ignore")
        try:
            workbook: Any = openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=True
            )
        except Exception as error:  # a damaged workbook fails in many ways: all "corrupt"
            raise unreadable(error, "xlsx") from error
        try:
            return _read_workbook(workbook, data)
        except RoadmapReadError:
            raise
        except Exception as error:  # read-only sheets are parsed lazily, so damage shows here
            raise unreadable(error, "xlsx") from error
        finally:
            workbook.close()


def _read_workbook(workbook: Any, data: bytes) -> RawRoadmap:
    no_deadline: RoadmapReadError | None = None
    for sheet in workbook.worksheets:
        if getattr(sheet, "sheet_state", "visible") != "visible":
            continue
        rows_of = _sheet_rows(sheet)
        values = [row for _, row in zip(range(_HEADER_SEARCH_ROWS), rows_of, strict=False)]
        found = find_header(values)
        if found is None:
            continue  # another sheet (a list of pupils, say): its length does not matter
        values += _rest_of_sheet(rows_of, len(values))
        header_at, mapping = found
        if Column.DEADLINE not in mapping:
            no_deadline = no_deadline or _no_deadline(values[header_at])
            continue
        merges = _merges(data, getattr(sheet, "_worksheet_path", None))
        width = max(i for i, text in enumerate(values[header_at]) if text.strip()) + 1
        rows = list(_grid_rows(values, merges, width))
        preamble = preamble_lines(" ".join(t for t in row if t) for row in values[:header_at])
        return build_roadmap(preamble, rows[header_at:])
    if no_deadline is not None:
        raise no_deadline
    raise RoadmapReadError("not_a_table")


def _no_deadline(header: Sequence[str]) -> RoadmapReadError:
    names = ", ".join(text for text in header if text.strip())
    return RoadmapReadError("no_deadline_column", columns=names)


def _sheet_rows(sheet: Any) -> Iterator[list[str]]:
    for values in sheet.iter_rows(min_row=1, max_col=_MAX_COLUMNS, values_only=True):
        yield [_cell_text(value) for value in values]


def _rest_of_sheet(rows: Iterator[list[str]], read: int) -> list[list[str]]:
    """Rows up to MAX_ROWS without the empty ones at the end (formatted, never filled).

    A row with text in the next MAX_ROWS refuses the sheet; further down nothing is read: a
    table does not go on after thousands of empty rows, and openpyxl's read-only parser keeps
    a few hundred bytes of every row it has passed: 1.3 million formatted empty rows cost
    540 MB and 40 s before this stop.
    """
    out: list[list[str]] = []
    filled = 0
    for number, row in enumerate(rows, start=read + 1):
        if number > _LAST_ROW_LOOKED_AT:
            break
        has_text = any(text.strip() for text in row)
        if number > MAX_ROWS:
            if has_text:
                raise too_many_rows()
            continue
        out.append(row)
        if has_text:
            filled = len(out)
    del out[filled:]
    return out


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.strftime("%d.%m.%Y")
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _merges(data: bytes, path: object) -> list[_Merge]:
    if not isinstance(path, str):
        return []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(path.lstrip("/")) as xml:
            return _parse_merges(xml)
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, ValueError):
        return []


class _MergeTarget:
    """Parser target seeing only start tags: no tree is built, whatever the sheet's size
    (iterparse keeps every cleared row attached to the sheet, ~100 bytes each)."""

    def __init__(self) -> None:
        self.merges: list[_Merge] = []

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if tag != _MERGE_TAG:
            return
        ref = attrib.get("ref")
        if ref:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
            if None not in (min_col, min_row, max_col, max_row):
                self.merges.append(
                    _Merge(int(min_col) - 1, int(min_row), int(max_col) - 1, int(max_row))
                )

    def close(self) -> None:
        return None


def _parse_merges(xml: Any) -> list[_Merge]:
    target = _MergeTarget()
    parser = ElementTree.XMLParser(target=target)
    while chunk := xml.read(1024 * 1024):
        parser.feed(chunk)
    parser.close()
    return target.merges


def _grid_rows(
    values: Sequence[Sequence[str]], merges: list[_Merge], width: int
) -> Iterator[GridRow]:
    continued: dict[int, set[int]] = {}  # row -> columns that continue a merge from above
    spread: dict[tuple[int, int], str] = {}  # (row, column) -> the merged range's value
    across: set[int] = set()
    for merge in merges:
        top = values[merge.first_row - 1] if merge.first_row - 1 < len(values) else []
        value = top[merge.first_col] if merge.first_col < len(top) else ""
        if merge.first_row == merge.last_row:
            if (
                merge.first_col <= 1
                and merge.last_col + 1 >= width
                and merge.last_col > merge.first_col
            ):
                across.add(merge.first_row)
            continue
        # A range may claim a million rows; only those read (at most MAX_ROWS) matter.
        for row in range(merge.first_row + 1, min(merge.last_row, len(values)) + 1):
            continued.setdefault(row, set()).add(merge.first_col)
            spread[(row, merge.first_col)] = value
    for index, texts in enumerate(values):
        number = index + 1
        cells: list[Paragraphs] = []
        for column, text in enumerate(texts):
            cells.append(cell_paragraphs(spread.get((number, column), text)))
        yield GridRow(
            cells=tuple(cells),
            source_ref=f"таблица, строка {number}",
            merged_above=frozenset(continued.get(number, set())),
            full_width=number in across and sum(bool(cell) for cell in cells) == 1,
        )


def visible_sheet_values(data: bytes, max_rows: int = MAX_ROWS) -> list[list[list[str]]]:
    """Cell text of each visible sheet, up to ``max_rows`` rows: for tables other than roadmaps.

    Checked and opened as ``read_xlsx`` does: a zip bomb is refused before anything inflates,
    a damaged workbook is "corrupt".
    """
    declared_sizes_checked(data, "xlsx")
    markup_checked(data, "xlsx", _STREAMED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            workbook: Any = openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=True
            )
        except Exception as error:
            raise RoadmapReadError("corrupt", format="xlsx") from error
        try:
            return [
                [
                    [_cell_text(value) for value in values]
                    for values in sheet.iter_rows(
                        min_row=1, max_row=max_rows, max_col=_MAX_COLUMNS, values_only=True
                    )
                ]
                for sheet in workbook.worksheets
                if getattr(sheet, "sheet_state", "visible") == "visible"
            ]
        except Exception as error:
            raise RoadmapReadError("corrupt", format="xlsx") from error
        finally:
            workbook.close()
