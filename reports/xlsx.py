"""The execution report as a workbook to filter and sort.

«Выполнение»: one row per occurrence (a roadmap row without any is one row with no status),
the roadmap's columns then the occurrence's, an autofilter, the header frozen, the status cell
filled with its colour. «Сводка»: the same totals as the DOCX. «Школы» (when occurrences
belong to schools): the schools × activities matrix of `reports.matrix`, furthest behind first.

Written with XlsxWriter, in memory: each cell is written by its type (`write_string`, never
`write`, so people's words are never taken for formulas or links), empty ones not at all, and
every look is one `Format` made once per workbook (`_Looks`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from core.dates import format_day
from reports.labels import (
    STATUS_FILL,
    STATUS_SYMBOL,
    Translate,
    evidence_lines,
    period_label,
    period_note,
    period_phrase,
    share_note,
    status_word,
    summary_lines,
)
from reports.matrix import Matrix, school_matrix
from reports.model import SEVERITY, ExecutionReport, Occurrence, Status

DATE_FORMAT = "DD.MM.YYYY"
# Named: a font without a name is the reader's default (LibreOffice takes a serif one).
_FONT = "Calibri"
# Excel refuses sheet names over 31 characters or with any of these.
_SHEET_NAME_BAD = str.maketrans(dict.fromkeys("[]:*?/\\", " "))
# Control characters a phone keyboard can produce: XML 1.0 has no place for them.
_ILLEGAL_CHARACTERS = re.compile(r"[\000-\010\013\014\016-\037]")
# Widths are in characters of Calibri 11, whose digits are 7 pixels wide: a width set in
# pixels (7 per character) is stored as that many characters exactly.
_PIXELS_PER_CHARACTER = 7
# «Выполнение»'s columns after the roadmap's six: (catalog key, width); the school's column
# only in a municipal report.
_ROADMAP_COLUMNS = (
    ("execution.column.number", 7),
    ("execution.column.section", 24),
    ("execution.column.title", 50),
    ("execution.column.result", 32),
    ("execution.column.deadline_text", 20),
    ("execution.column.responsible", 26),
)
_SCHOOL_COLUMN = ("execution.column.school", 30)
_TASK_COLUMNS = (
    ("execution.column.executors", 26),
    ("execution.column.due", 12),
    ("execution.column.postponed_from", 12),
    ("execution.column.status", 26),
    ("execution.column.done_on", 12),
    ("execution.column.timeliness", 14),
    ("execution.column.late_days", 15),
    ("execution.column.evidence", 48),
    ("execution.column.confirmed_by", 24),
    ("execution.column.reason", 30),
)
_STATUS_COLUMN = 3  # in _TASK_COLUMNS
# «Школы»: the title, a legend line per status, two lines of rules, then the header.
_MATRIX_HEADER_ROW = 1 + len(SEVERITY) + 2 + 1

Value = str | int | float | date | None


def _clean(text: str | None) -> str:
    return _ILLEGAL_CHARACTERS.sub("", text) if text else ""


class _Looks:
    """Every look of the workbook, made once: XlsxWriter keeps a `Format` per workbook and
    a cell refers to it."""

    def __init__(self, book: Workbook) -> None:
        def look(**properties: Any) -> Format:
            return book.add_format({"font_name": _FONT, **properties})

        def fill(colour: str, **properties: Any) -> Format:
            return look(pattern=1, bg_color=f"#{colour}", **properties)

        self.bold = look(bold=True)
        self.title = look(bold=True, font_size=14)
        self.header = fill("D9D9D9", bold=True, text_wrap=True, valign="top")
        self.rotated = fill(
            "D9D9D9", bold=True, rotation=90, align="center", valign="bottom", text_wrap=True
        )
        self.right = look(align="right")
        self.date = look(num_format=DATE_FORMAT)
        self.percent = look(num_format="0%")
        self.status = {status: fill(colour) for status, colour in STATUS_FILL.items()}
        self.centred = {
            status: fill(colour, align="center") for status, colour in STATUS_FILL.items()
        }


def _sheet_name(key: str, translate: Translate) -> str:
    return translate(key).translate(_SHEET_NAME_BAD)[:31]


def _widths(sheet: Worksheet, widths: Sequence[int]) -> None:
    for index, width in enumerate(widths):
        sheet.set_column_pixels(index, index, width * _PIXELS_PER_CHARACTER)


def _write(
    sheet: Worksheet, line: int, column: int, value: Value, look: Format | None = None
) -> None:
    """One cell by its value's type; nothing for None or an empty text."""
    if value is None or value == "":
        return
    if isinstance(value, str):
        sheet.write_string(line, column, value, look)
    elif isinstance(value, date):
        sheet.write_datetime(line, column, value, look)
    else:
        sheet.write_number(line, column, value, look)


def _text(value: Value) -> Value:
    return _clean(value) if isinstance(value, str) else value


class _Lines:
    """A sheet written a line at a time from the top, each line's cells from the left."""

    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self.line = 0

    def __call__(self, *cells: Value | tuple[Value, Format]) -> None:
        for column, cell in enumerate(cells):
            if isinstance(cell, tuple):
                _write(self.sheet, self.line, column, _text(cell[0]), cell[1])
            else:
                _write(self.sheet, self.line, column, _text(cell))
        self.line += 1


class _TaskCells:
    """Writes «Выполнение»'s occurrences: the words every row repeats, the looks."""

    def __init__(self, sheet: Worksheet, looks: _Looks, at: date, translate: Translate) -> None:
        self.sheet = sheet
        self.looks = looks
        self.at = at
        self.translate = translate
        self.words = {status: status_word(status, translate) for status in Status}
        self.on_time = translate("execution.mark.on_time")
        self.late = translate("execution.timeliness.late")

    def __call__(self, line: int, column: int, occurrence: Occurrence) -> None:
        status = occurrence.status
        timeliness = None
        days: int | None = None
        if status is Status.DONE:
            timeliness = self.on_time if occurrence.on_time else self.late
            days = occurrence.late_days
        elif status is Status.OVERDUE:
            days = occurrence.overdue_days(self.at)
        evidence = "\n".join(str(text) for text in evidence_lines(occurrence, self.translate))
        sheet, dated = self.sheet, self.looks.date
        _write(sheet, line, column, _clean(", ".join(occurrence.executors)))
        _write(sheet, line, column + 1, occurrence.due, dated)
        _write(sheet, line, column + 2, occurrence.postponed_from, dated)
        _write(sheet, line, column + _STATUS_COLUMN, self.words[status], self.looks.status[status])
        _write(sheet, line, column + 4, occurrence.done_on, dated)
        _write(sheet, line, column + 5, timeliness)
        _write(sheet, line, column + 6, days)
        _write(sheet, line, column + 7, _clean(evidence))
        _write(sheet, line, column + 8, _clean(occurrence.confirmed_by))
        _write(sheet, line, column + 9, _clean(occurrence.reason))


def _tasks_sheet(
    book: Workbook, looks: _Looks, report: ExecutionReport, translate: Translate
) -> None:
    """The header, then one row per occurrence; a roadmap row without any is one row saying
    so."""
    sheet = book.add_worksheet(_sheet_name("execution.sheet.tasks", translate))
    municipal = report.municipal
    school = [_SCHOOL_COLUMN] if municipal else []
    columns = [*_ROADMAP_COLUMNS, *school, *_TASK_COLUMNS]
    _widths(sheet, [width for _key, width in columns])
    # The header's longest words take three lines in their columns.
    sheet.set_row(0, 45)
    for column, (key, _width) in enumerate(columns):
        _write(sheet, 0, column, _clean(translate(key)), looks.header)
    sheet.freeze_panes(1, 0)
    first_task = len(_ROADMAP_COLUMNS) + municipal
    no_status = status_word(None, translate)
    occurrence_cells = _TaskCells(sheet, looks, report.at, translate)
    line = 0
    for row in report.rows:
        texts = (row.number, row.section, row.title, row.result, row.deadline_text)
        head = [_clean(text) for text in (*texts, row.responsible)]
        for occurrence in row.occurrences or (None,):
            line += 1
            for column, text in enumerate(head):
                _write(sheet, line, column, text)
            if occurrence is None:
                _write(sheet, line, first_task + _STATUS_COLUMN, no_status)
                continue
            if municipal:
                _write(sheet, line, len(head), _clean(occurrence.school))
            occurrence_cells(line, first_task, occurrence)
    sheet.autofilter(0, 0, line, len(columns) - 1)
    sheet.repeat_rows(0)


def _summary_sheet(
    book: Workbook, looks: _Looks, report: ExecutionReport, translate: Translate
) -> None:
    sheet = book.add_worksheet(_sheet_name("execution.sheet.summary", translate))
    _widths(sheet, [34, 14])
    title = translate("execution.title").format(title=report.roadmap_title)
    at = translate("execution.title.at").format(date=format_day(report.at))
    when = f"{period_phrase(report.period, translate)} ({at})" if report.period else at
    line = _Lines(sheet)
    line((report.organisation, looks.bold))
    line((title, looks.title))
    line(when)
    if report.roadmap_period is not None:
        period = period_label(report.roadmap_period, translate)
        line(translate("execution.roadmap_period").format(period=period))
    line()
    for label, value in summary_lines(report.summary, len(report.rows), translate):
        line(label, (int(value) if value.isdigit() else value, looks.right))
    line()
    line(share_note(report.summary, translate))
    if report.period is not None:
        line(period_note(report.period, translate))
    line(translate("execution.summary.task_note"))
    if report.executor:
        line()
        line(translate("execution.sign.executor").format(name=report.executor))


def _schools_sheet(
    book: Workbook, looks: _Looks, report: ExecutionReport, matrix: Matrix, translate: Translate
) -> None:
    """Title, legend, the rules, then a header row and one row per school."""
    sheet = book.add_worksheet(_sheet_name("execution.sheet.schools", translate))
    fixed = [
        ("execution.matrix.school", 34),
        ("execution.matrix.total", 9),
        ("execution.matrix.done", 13),
        ("execution.matrix.overdue", 13),
        ("execution.matrix.done_share", 13),
    ]
    _widths(sheet, [width for _key, width in fixed] + [6] * len(matrix.columns))
    header_line = _MATRIX_HEADER_ROW - 1
    sheet.freeze_panes(_MATRIX_HEADER_ROW, len(fixed))
    sheet.set_row(header_line, 160)
    line = _Lines(sheet)
    line((translate("execution.matrix.title").format(date=format_day(report.at)), looks.title))
    for status in SEVERITY:
        line((f"{STATUS_SYMBOL[status]} {status_word(status, translate)}", looks.status[status]))
    line(translate("execution.matrix.order"))
    line(translate("execution.matrix.cell_rule"))
    line(
        *[(translate(key), looks.header) for key, _width in fixed],
        *[(f"{column.label} {column.title}", looks.rotated) for column in matrix.columns],
    )
    for school in matrix.schools:
        summary = school.summary
        line(
            school.school,
            summary.total,
            summary.done,
            summary.overdue,
            (summary.share_done, looks.percent),
            *[
                None if cell.status is None else (cell.symbol, looks.centred[cell.status])
                for cell in school.cells
            ],
        )
    last_column = len(fixed) + len(matrix.columns) - 1
    sheet.autofilter(header_line, 0, header_line + len(matrix.schools), last_column)


def build_xlsx(report: ExecutionReport, translate: Translate) -> bytes:
    """The workbook as .xlsx bytes, in the language of `translate`."""
    buffer = io.BytesIO()
    # Cells are written by type (`write_string`): these two only make sure of it.
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    book = Workbook(buffer, options)
    looks = _Looks(book)
    _tasks_sheet(book, looks, report, translate)
    _summary_sheet(book, looks, report, translate)
    if report.municipal:
        _schools_sheet(book, looks, report, school_matrix(report), translate)
    title = translate("execution.title").format(title=report.roadmap_title)
    book.set_properties({"title": title, "author": report.executor or report.organisation})
    book.close()
    return buffer.getvalue()
