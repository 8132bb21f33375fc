"""The workbook: "Сводка" (the summary tables) and "Ответы" (anonymous raw answers)."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from core.dates import format_day
from surveys.report.labels import (
    DASH,
    ReportMeta,
    Translate,
    answer_value,
    period_text,
    question_heading,
)
from surveys.report.tables import Table, Value, summary_notes, summary_tables
from surveys.results import Dimension, SurveyResults

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_NOTE = Font(italic=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
_WRAP = Alignment(wrap_text=True, vertical="top")


def _put(sheet: Any, row: int, column: int, value: Value) -> Any:
    if isinstance(value, str):
        # Control characters a phone keyboard can produce make openpyxl refuse the cell.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith("="):
        # openpyxl would store it as a formula: respondents' words are never formulas.
        cell.data_type = "s"
    return cell


def _write_table(sheet: Any, row: int, table: Table) -> int:
    """Draws the table from `row`; returns the first free row after a blank one."""
    _put(sheet, row, 1, table.title).font = _BOLD
    row += 1
    for column, title in enumerate(table.header, 1):
        cell = _put(sheet, row, column, title)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = _WRAP
    for index, values in enumerate(table.rows):
        row += 1
        for column, value in enumerate(values, 1):
            cell = _put(sheet, row, column, value)
            if column == 1:
                cell.alignment = _WRAP
            if table.footer_from is not None and index >= table.footer_from:
                cell.font = _BOLD
    for note in table.notes:
        row += 1
        _put(sheet, row, 1, note).font = _NOTE
    return row + 2


def _summary_sheet(
    sheet: Any, results: SurveyResults, meta: ReportMeta, translate: Translate
) -> None:
    sheet.title = translate("report.sheet.summary")
    _put(sheet, 1, 1, translate("report.title")).font = _TITLE
    lines = [meta.title, meta.organisation, period_text(meta, translate)]
    lines.append(translate("report.respondents").format(count=results.respondents))
    lines.append(translate("report.generated").format(day=format_day(meta.generated_on)))
    row = 2
    for line in lines:
        if line:
            _put(sheet, row, 1, line)
            row += 1
    row += 1
    for table in summary_tables(results, translate):
        row = _write_table(sheet, row, table)
    for note in summary_notes(results, translate):
        _put(sheet, row, 1, note)
        row += 1
    sheet.column_dimensions["A"].width = 60
    for column in range(2, 12):
        sheet.column_dimensions[get_column_letter(column)].width = 16


def _answers_sheet(sheet: Any, results: SurveyResults, translate: Translate) -> None:
    """One row per response, shuffled, with no day; a group only where it is shown."""
    sheet.title = translate("report.sheet.answers")
    dimensions = {table.dimension for table in results.segments}
    header: list[str] = []
    if Dimension.ROLE in dimensions:
        header.append(translate("report.column.role"))
    if Dimension.CLASS in dimensions:
        header.append(translate("report.column.class"))
    questions = results.definition.questions
    header += [question_heading(number, q) for number, q in enumerate(questions, 1)]
    for column, title in enumerate(header, 1):
        cell = _put(sheet, 1, column, title)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = _WRAP
        sheet.column_dimensions[get_column_letter(column)].width = 28
    for row, found in enumerate(results.rows, 2):
        values: list[Value] = []
        if Dimension.ROLE in dimensions:
            role = found.role
            values.append(DASH if role is None else translate(f"report.role_one.{role.value}"))
        if Dimension.CLASS in dimensions:
            values.append(found.class_name or DASH)
        values += [answer_value(q, found.answers.get(q.id), translate) for q in questions]
        for column, value in enumerate(values, 1):
            _put(sheet, row, column, value).alignment = _WRAP
    sheet.freeze_panes = "A2"


def build_xlsx(results: SurveyResults, meta: ReportMeta, translate: Translate) -> bytes:
    workbook = Workbook()
    _summary_sheet(workbook.active, results, meta, translate)
    _answers_sheet(workbook.create_sheet(), results, translate)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
