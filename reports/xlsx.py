"""The execution report as a workbook to filter and sort.

«Выполнение»: one row per occurrence (a roadmap row without any is one row with no status),
the roadmap's columns then the occurrence's, an autofilter, the header frozen, the status cell
filled with its colour. «Сводка»: the same totals as the DOCX. «Школы» (when occurrences
belong to schools): the schools × activities matrix of `reports.matrix`, furthest behind first.

Written in openpyxl's write-only mode: rows stream to the file instead of living as cell
objects; only cells that need a look (header, dates, the status) are built as cells, and
their looks are made once (`_Styled`).
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from copy import copy
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

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
_BOLD = Font(name=_FONT, bold=True)
_TITLE = Font(name=_FONT, bold=True, size=14)
_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
_WRAP = Alignment(wrap_text=True, vertical="top")
_ROTATED = Alignment(text_rotation=90, horizontal="center", vertical="bottom", wrap_text=True)
_CENTRE = Alignment(horizontal="center")
_RIGHT = Alignment(horizontal="right")
_FILLS = {status: PatternFill("solid", fgColor=colour) for status, colour in STATUS_FILL.items()}
# Excel refuses sheet names over 31 characters or with any of these.
_SHEET_NAME_BAD = str.maketrans(dict.fromkeys("[]:*?/\\", " "))
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


def _clean(value: Value) -> Value:
    if isinstance(value, str):
        # Control characters a phone keyboard can produce make openpyxl refuse the cell.
        return str(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def _value(sheet: Any, value: Value) -> Any:
    """A plain value for the row (None for an empty text: openpyxl skips it), or a cell when
    openpyxl would take the text for a formula (people's words are never formulas)."""
    value = _clean(value)
    if value == "":
        return None
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


class _Styled:
    """Cells of one look. openpyxl hashes every part of a look each time one is set on a cell,
    which at 15,000 rows was most of the work; the look is set once on a model cell and its
    style ids are copied to the others."""

    def __init__(
        self,
        sheet: Any,
        *,
        font: Font | None = None,
        fill: PatternFill | None = None,
        alignment: Alignment | None = None,
        number_format: str | None = None,
    ) -> None:
        self._sheet = sheet
        model = WriteOnlyCell(sheet)
        if font is not None:
            model.font = font
        if fill is not None:
            model.fill = fill
        if alignment is not None:
            model.alignment = alignment
        if number_format is not None:
            model.number_format = number_format
        self._style = model._style

    def __call__(self, value: Value) -> Any:
        value = _clean(value)
        if value is None or value == "":
            return None
        cell = WriteOnlyCell(self._sheet, value=value)
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"
        cell._style = copy(self._style)
        return cell


def _sheet_name(key: str, translate: Translate) -> str:
    return translate(key).translate(_SHEET_NAME_BAD)[:31]


def _widths(sheet: Any, widths: Sequence[float]) -> None:
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width


class _TaskCells:
    """The looks of «Выполнение»'s cells, and the words every row repeats."""

    def __init__(self, sheet: Any, translate: Translate) -> None:
        self.date = _Styled(sheet, number_format=DATE_FORMAT)
        self.status = {status: _Styled(sheet, fill=_FILLS[status]) for status in Status}
        self.words = {status: status_word(status, translate) for status in Status}
        self.on_time = translate("execution.mark.on_time")
        self.late = translate("execution.timeliness.late")


def _occurrence_values(
    sheet: Any, cells: _TaskCells, occurrence: Occurrence, at: date, translate: Translate
) -> list[Any]:
    status = occurrence.status
    timeliness = None
    days: int | None = None
    if status is Status.DONE:
        timeliness = cells.on_time if occurrence.on_time else cells.late
        days = occurrence.late_days
    elif status is Status.OVERDUE:
        days = occurrence.overdue_days(at)
    evidence = "\n".join(str(line) for line in evidence_lines(occurrence, translate))
    return [
        _value(sheet, ", ".join(occurrence.executors)),
        cells.date(occurrence.due),
        cells.date(occurrence.postponed_from),
        cells.status[status](cells.words[status]),
        cells.date(occurrence.done_on),
        timeliness,
        days,
        _value(sheet, evidence),
        _value(sheet, occurrence.confirmed_by),
        _value(sheet, occurrence.reason),
    ]


def _task_rows(sheet: Any, report: ExecutionReport, translate: Translate) -> Iterator[list[Any]]:
    """One row per occurrence; a roadmap row without any is one row saying so."""
    cells = _TaskCells(sheet, translate)
    municipal = report.municipal
    for row in report.rows:
        texts = (row.number, row.section, row.title, row.result, row.deadline_text)
        head = [_value(sheet, text) for text in (*texts, row.responsible)]
        if not row.occurrences:
            rest: list[Any] = [None] * (len(_TASK_COLUMNS) + municipal)
            rest[_STATUS_COLUMN + municipal] = status_word(None, translate)
            yield head + rest
            continue
        for occurrence in row.occurrences:
            school = [_value(sheet, occurrence.school)] if municipal else []
            values = _occurrence_values(sheet, cells, occurrence, report.at, translate)
            yield head + school + values


def _tasks_sheet(book: Workbook, report: ExecutionReport, translate: Translate) -> None:
    sheet = book.create_sheet(_sheet_name("execution.sheet.tasks", translate))
    school = [_SCHOOL_COLUMN] if report.municipal else []
    columns = [*_ROADMAP_COLUMNS, *school, *_TASK_COLUMNS]
    _widths(sheet, [width for _key, width in columns])
    # Written with the first row in write-only mode: set before it. The header's longest
    # words take three lines in their columns.
    sheet.freeze_panes = "A2"
    sheet.row_dimensions[1].height = 45
    header = _Styled(sheet, font=_BOLD, fill=_HEADER_FILL, alignment=_WRAP)
    sheet.append([header(translate(key)) for key, _width in columns])
    count = 1
    for values in _task_rows(sheet, report, translate):
        sheet.append(values)
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count}"
    sheet.print_title_rows = "1:1"


def _summary_sheet(book: Workbook, report: ExecutionReport, translate: Translate) -> None:
    sheet = book.create_sheet(_sheet_name("execution.sheet.summary", translate))
    _widths(sheet, [34, 14])
    title = translate("execution.title").format(title=report.roadmap_title)
    at = translate("execution.title.at").format(date=format_day(report.at))
    when = f"{period_phrase(report.period, translate)} ({at})" if report.period else at
    sheet.append([_Styled(sheet, font=_BOLD)(report.organisation)])
    sheet.append([_Styled(sheet, font=_TITLE)(title)])
    sheet.append([_value(sheet, when)])
    if report.roadmap_period is not None:
        period = period_label(report.roadmap_period, translate)
        sheet.append([translate("execution.roadmap_period").format(period=period)])
    sheet.append([])
    right = _Styled(sheet, alignment=_RIGHT)
    for label, value in summary_lines(report.summary, len(report.rows), translate):
        sheet.append([label, right(int(value) if value.isdigit() else value)])
    sheet.append([])
    sheet.append([share_note(report.summary, translate)])
    if report.period is not None:
        sheet.append([period_note(report.period, translate)])
    sheet.append([translate("execution.summary.task_note")])
    if report.executor:
        sheet.append([])
        sheet.append([translate("execution.sign.executor").format(name=report.executor)])


def _schools_sheet(
    book: Workbook, report: ExecutionReport, matrix: Matrix, translate: Translate
) -> None:
    """Title, legend, the rules, then a header row and one row per school."""
    sheet = book.create_sheet(_sheet_name("execution.sheet.schools", translate))
    fixed = [
        ("execution.matrix.school", 34),
        ("execution.matrix.total", 9),
        ("execution.matrix.done", 13),
        ("execution.matrix.overdue", 13),
        ("execution.matrix.done_share", 13),
    ]
    _widths(sheet, [width for _key, width in fixed] + [6] * len(matrix.columns))
    # Written with the sheet's first row in write-only mode: set before any row.
    sheet.freeze_panes = f"{get_column_letter(len(fixed) + 1)}{_MATRIX_HEADER_ROW + 1}"
    sheet.row_dimensions[_MATRIX_HEADER_ROW].height = 160
    title = translate("execution.matrix.title").format(date=format_day(report.at))
    sheet.append([_Styled(sheet, font=_TITLE)(title)])
    for status in SEVERITY:
        word = f"{STATUS_SYMBOL[status]} {status_word(status, translate)}"
        sheet.append([_Styled(sheet, fill=_FILLS[status])(word)])
    sheet.append([translate("execution.matrix.order")])
    sheet.append([translate("execution.matrix.cell_rule")])
    header = _Styled(sheet, font=_BOLD, fill=_HEADER_FILL, alignment=_WRAP)
    rotated = _Styled(sheet, font=_BOLD, fill=_HEADER_FILL, alignment=_ROTATED)
    sheet.append(
        [header(translate(key)) for key, _width in fixed]
        + [rotated(f"{column.label} {column.title}") for column in matrix.columns]
    )
    percent = _Styled(sheet, number_format="0%")
    cells = {status: _Styled(sheet, fill=_FILLS[status], alignment=_CENTRE) for status in Status}
    for line in matrix.schools:
        summary = line.summary
        values: list[Any] = [
            _value(sheet, line.school),
            summary.total,
            summary.done,
            summary.overdue,
            percent(summary.share_done),
        ]
        values += [
            None if cell.status is None else cells[cell.status](cell.symbol) for cell in line.cells
        ]
        sheet.append(values)
    last = get_column_letter(len(fixed) + len(matrix.columns))
    end = _MATRIX_HEADER_ROW + len(matrix.schools)
    sheet.auto_filter.ref = f"A{_MATRIX_HEADER_ROW}:{last}{end}"


def build_xlsx(report: ExecutionReport, translate: Translate) -> bytes:
    """The workbook as .xlsx bytes, in the language of `translate`."""
    book = Workbook(write_only=True)
    _tasks_sheet(book, report, translate)
    _summary_sheet(book, report, translate)
    if report.municipal:
        _schools_sheet(book, report, school_matrix(report), translate)
    book.properties.title = translate("execution.title").format(title=report.roadmap_title)
    book.properties.creator = report.executor or report.organisation
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
