"""Results laid out as plain tables, which the XLSX, CSV and DOCX writers only have to draw.

Hidden counts arrive as `Cell(None)` and leave here as «менее 5»: no writer sees a number
it could print by mistake.
"""

from __future__ import annotations

from dataclasses import dataclass

from surveys.model import QuestionKind
from surveys.report.labels import (
    DASH,
    Translate,
    count_value,
    group_label,
    line_label,
    percent_value,
    question_heading,
)
from surveys.results import Breakdown, QuestionResult, SegmentTable, SurveyResults

Value = int | float | str


@dataclass(frozen=True)
class Table:
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]
    # Rows from here on are totals and averages (drawn bold where a format allows).
    footer_from: int | None = None
    # Sentences printed under the table: why a cell says «скрыто» or a mean is blank.
    notes: tuple[str, ...] = ()
    # Every group's count is hidden: a document says so in words instead of the table.
    all_hidden: bool = False


def hidden_note(k: int, translate: Translate) -> str:
    return translate("report.note.hidden").format(k=k)


def segment_table(table: SegmentTable, results: SurveyResults, translate: Translate) -> Table:
    dimension = table.dimension.value
    rows: list[tuple[Value, ...]] = [
        (
            group_label(group, table.dimension, translate),
            count_value(cell, results.k, translate),
            percent_value(cell),
        )
        for group, cell in zip(table.groups, table.cells, strict=True)
    ]
    footer = len(rows)
    rows.append((translate("report.row.total"), results.respondents, 100.0))
    hidden = [cell.hidden for cell in table.cells]
    return Table(
        translate(f"report.dimension.{dimension}"),
        (
            translate(f"report.column.group_{dimension}"),
            translate("report.column.respondents"),
            translate("report.column.percent"),
        ),
        tuple(rows),
        footer,
        (hidden_note(results.k, translate),) if any(hidden) else (),
        bool(hidden) and all(hidden),
    )


def segment_hidden_text(table: SegmentTable, results: SurveyResults, translate: Translate) -> str:
    """Said instead of a segment table whose every group is hidden: never «скрыто / скрыто»."""
    return translate(f"report.segment.all_hidden_{table.dimension.value}").format(
        count=results.respondents, k=results.k
    )


def _mean_rows(result: QuestionResult, translate: Translate) -> list[tuple[Value, ...]]:
    rows: list[tuple[Value, ...]] = []
    if result.mean is not None:
        rows.append((translate("report.row.mean"), round(result.mean, 2), ""))
    if result.median is not None:
        rows.append((translate("report.row.median"), result.median, ""))
    return rows


def question_table(result: QuestionResult, results: SurveyResults, translate: Translate) -> Table:
    """Counts and shares of one choice or scale question (callers skip free-text ones)."""
    k = results.k
    rows: list[tuple[Value, ...]] = [
        (
            line_label(line, result.question, translate),
            count_value(line.cell, k, translate),
            percent_value(line.cell),
        )
        for line in result.lines
    ]
    footer = len(rows)
    rows.append((translate("report.row.answered"), count_value(result.answered, k, translate), ""))
    rows += _mean_rows(result, translate)
    return Table(
        question_heading(result.number, result.question),
        (
            translate("report.column.option"),
            translate("report.column.count"),
            translate("report.column.percent"),
        ),
        tuple(rows),
        footer,
    )


def breakdown_table(
    breakdown: Breakdown,
    result: QuestionResult,
    results: SurveyResults,
    translate: Translate,
    *,
    with_total: bool = True,
) -> Table:
    """A question's counts by group, then (`with_total`) the overall count; a document leaves
    that column out, since the question's own table just above has it."""
    k = results.k

    def total(value: Value) -> tuple[Value, ...]:
        return (value,) if with_total else ()

    header: tuple[str, ...] = (
        translate("report.column.option"),
        *(group_label(group, breakdown.dimension, translate) for group in breakdown.groups),
        *((translate("report.column.total"),) if with_total else ()),
    )

    rows: list[tuple[Value, ...]] = []
    for line, cells in zip(result.lines, breakdown.cells, strict=True):
        rows.append(
            (
                line_label(line, result.question, translate),
                *(count_value(cell, k, translate) for cell in cells),
                *total(count_value(line.cell, k, translate)),
            )
        )
    footer = len(rows)
    rows.append(
        (
            translate("report.row.answered"),
            *(count_value(cell, k, translate) for cell in breakdown.answered),
            *total(count_value(result.answered, k, translate)),
        )
    )
    if breakdown.means:
        rows.append(
            (
                translate("report.row.mean"),
                *(DASH if mean is None else round(mean, 2) for mean in breakdown.means),
                *total(DASH if result.mean is None else round(result.mean, 2)),
            )
        )
    return Table(
        translate(f"report.breakdown.{breakdown.dimension.value}"),
        header,
        tuple(rows),
        footer,
        _breakdown_notes(breakdown, results, translate),
    )


def _breakdown_notes(
    breakdown: Breakdown, results: SurveyResults, translate: Translate
) -> tuple[str, ...]:
    cells = [cell for row in breakdown.cells for cell in row] + list(breakdown.answered)
    notes = []
    if any(cell.hidden for cell in cells):
        notes.append(hidden_note(results.k, translate))
    if any(mean is None for mean in breakdown.means):
        notes.append(translate("report.note.mean_hidden"))
    return tuple(notes)


def counted(result: QuestionResult) -> bool:
    """Has a table of counts: a choice or scale question with its numbers shown."""
    return result.question.kind is not QuestionKind.TEXT and not result.withheld


def summary_tables(results: SurveyResults, translate: Translate) -> list[Table]:
    """Respondents by segment, then each question with its breakdowns: the "Сводка"."""
    tables = [segment_table(table, results, translate) for table in results.segments]
    for result in results.questions:
        if not counted(result):
            continue
        tables.append(question_table(result, results, translate))
        tables += [
            breakdown_table(breakdown, result, results, translate)
            for breakdown in result.breakdowns
        ]
    return tables


def summary_notes(results: SurveyResults, translate: Translate) -> list[str]:
    """Sentences under a summary: why some cells say «менее 5», and what was withheld."""
    notes = [translate("report.anonymity").format(k=results.k)]
    if results.withheld:
        notes.append(translate("report.withheld").format(k=results.k))
        return notes
    for result in results.questions:
        if result.withheld:
            notes.append(
                translate("report.question.withheld").format(
                    question=question_heading(result.number, result.question), k=results.k
                )
            )
    return notes
