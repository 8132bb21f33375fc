"""The summary as CSV the way Russian Excel opens it: UTF-8 with a BOM, `;`, decimal commas."""

from __future__ import annotations

import csv
import io

from core.dates import format_day
from surveys.report.labels import ReportMeta, Translate, decimal, period_text
from surveys.report.tables import Value, summary_notes, summary_tables
from surveys.results import SurveyResults

# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: Value, translate: Translate) -> str:
    if isinstance(value, float):
        return decimal(value, translate)
    if isinstance(value, int):
        return str(value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def build_csv(results: SurveyResults, meta: ReportMeta, translate: Translate) -> bytes:
    """Title lines, then each summary table with a blank line after it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([translate("report.title")])
    writer.writerow([_text(meta.title, translate)])
    if meta.organisation:
        writer.writerow([_text(meta.organisation, translate)])
    period = period_text(meta, translate)
    if period:
        writer.writerow([period])
    writer.writerow([translate("report.respondents").format(count=results.respondents)])
    writer.writerow([translate("report.generated").format(day=format_day(meta.generated_on))])
    writer.writerow([])
    for table in summary_tables(results, translate):
        writer.writerow([_text(table.title, translate)])
        writer.writerow([_text(cell, translate) for cell in table.header])
        for row in table.rows:
            writer.writerow([_text(cell, translate) for cell in row])
        for note in table.notes:
            writer.writerow([note])
        writer.writerow([])
    for note in summary_notes(results, translate):
        writer.writerow([note])
    return buffer.getvalue().encode("utf-8-sig")
