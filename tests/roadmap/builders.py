"""Build small roadmap files (.docx, .xlsx, .csv, text) from a header and rows, for tests.

A row is a sequence of cell texts ("\\n" separates paragraphs of one cell), a ``Section``
(one cell across the whole table), or holds ``MERGED`` in a cell that continues the merged
cell above it, as Word and Excel do for № and activity over the steps of one activity.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import docx
import openpyxl
from docx.enum.section import WD_ORIENT
from docx.table import Table


class _Merged:
    def __repr__(self) -> str:
        return "MERGED"


MERGED: Final = _Merged()


@dataclass(frozen=True)
class Section:
    text: str


Cell = str | _Merged
Row = Section | Sequence[Cell]


def _plain(cell: Cell) -> str:
    return "" if isinstance(cell, _Merged) else cell


def docx_bytes(header: Sequence[str], rows: Sequence[Row], *, title: Sequence[str] = ()) -> bytes:
    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    for line in title:
        document.add_paragraph(line)
    if title:
        document.add_paragraph("")
    width = len(header)
    table = document.add_table(rows=1 + len(rows), cols=width)
    table.style = "Table Grid"
    for column, text in enumerate(header):
        _fill(table, 0, column, text)
    for index, row in enumerate(rows, start=1):
        if isinstance(row, Section):
            merged = table.cell(index, 0).merge(table.cell(index, width - 1))
            merged.text = row.text
            continue
        for column, cell in enumerate(row):
            if not isinstance(cell, _Merged):
                _fill(table, index, column, cell)
    for column in range(width):
        for top, bottom in _merged_runs(rows, column):
            table.cell(top, column).merge(table.cell(bottom, column))
    document.add_paragraph("")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _fill(table: Table, row: int, column: int, text: str) -> None:
    cell = table.cell(row, column)
    paragraphs = text.split("\n")
    cell.paragraphs[0].text = paragraphs[0]
    for paragraph in paragraphs[1:]:
        cell.add_paragraph(paragraph)


def _merged_runs(rows: Sequence[Row], column: int) -> list[tuple[int, int]]:
    """(top, bottom) table row indices of each vertical merge in ``column`` (header is row 0)."""
    runs: list[tuple[int, int]] = []
    for index, row in enumerate(rows, start=1):
        merged = not isinstance(row, Section) and isinstance(row[column], _Merged)
        if not merged:
            continue
        if runs and runs[-1][1] == index - 1:
            runs[-1] = (runs[-1][0], index)
        else:
            runs.append((index - 1, index))
    return runs


def xlsx_bytes(header: Sequence[str], rows: Sequence[Row], *, title: Sequence[str] = ()) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Дорожная карта"
    width = len(header)
    for number, line in enumerate(title, start=1):
        sheet.cell(row=number, column=1, value=line)
    header_row = len(title) + 2 if title else 1  # a blank row between the title and the table
    for column, text in enumerate(header, start=1):
        sheet.cell(row=header_row, column=column, value=text)
    for index, row in enumerate(rows, start=1):
        excel_row = header_row + index
        if isinstance(row, Section):
            sheet.cell(row=excel_row, column=1, value=row.text)
            sheet.merge_cells(
                start_row=excel_row, start_column=1, end_row=excel_row, end_column=width
            )
            continue
        for column, cell in enumerate(row, start=1):
            if _plain(cell):
                sheet.cell(row=excel_row, column=column, value=_plain(cell))
    for column in range(width):
        for top, bottom in _merged_runs(rows, column):
            sheet.merge_cells(
                start_row=header_row + top,
                start_column=column + 1,
                end_row=header_row + bottom,
                end_column=column + 1,
            )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(
    header: Sequence[str],
    rows: Sequence[Row],
    *,
    title: Sequence[str] = (),
    delimiter: str = ";",
    encoding: str = "cp1251",
) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for line in title:
        writer.writerow([line])
    width = len(header)
    writer.writerow(header)
    for row in rows:
        if isinstance(row, Section):
            writer.writerow([row.text] + [""] * (width - 1))
        else:
            writer.writerow([_plain(cell) for cell in row])
    return out.getvalue().encode(encoding)


def text_of(header: Sequence[str], rows: Sequence[Row], *, title: Sequence[str] = ()) -> str:
    """A tab-separated text export; a multi-paragraph cell is joined with a space."""
    lines = [*title, ""] if title else []
    lines.append("\t".join(header))
    for row in rows:
        if isinstance(row, Section):
            lines.append(row.text)
        else:
            lines.append("\t".join(_plain(cell).replace("\n", " ") for cell in row))
    return "\n".join(lines) + "\n"
