"""What the published report says, in order, as blocks the DOCX and PDF writers only draw.

One layout for both files, so they cannot drift apart. The rules of a report a school puts on
its website as it is:

- the heading names the organisation, the survey and its period;
- each question's title appears once (the heading; charts for a page carry no title), then its
  chart, its table (the mean and median there, once), its breakdowns without the total column
  (the table above has it), and a sentence under any table with a hidden cell or mean;
- a segment table whose every group is hidden is a sentence, not a column of «скрыто»;
- free texts are the published ones: those the coordinator hid never reach the results.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from core.dates import format_day
from surveys.model import QuestionKind
from surveys.report.labels import ReportMeta, Translate, period_text, question_heading
from surveys.report.tables import (
    Table,
    breakdown_table,
    question_table,
    segment_hidden_text,
    segment_table,
)
from surveys.results import QuestionResult, SurveyResults


@dataclass(frozen=True)
class Heading:
    text: str
    level: int  # 1: a section, 2: a question, 3: a table's or a list's caption


@dataclass(frozen=True)
class Text:
    text: str
    note: bool = False  # an explanation in smaller type


@dataclass(frozen=True)
class Chart:
    png: bytes


@dataclass(frozen=True)
class TableBlock:
    table: Table


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


Block = Heading | Text | Chart | TableBlock | Bullets


@dataclass(frozen=True)
class Layout:
    organisation: str | None
    title: str  # «Отчёт по результатам опроса»
    survey: str
    facts: tuple[str, ...]  # the period and how many answered, under the titles
    blocks: tuple[Block, ...]


def _table(table: Table) -> list[Block]:
    """A table with its sentences under it."""
    return [TableBlock(table), *(Text(note, note=True) for note in table.notes)]


def _texts(result: QuestionResult, translate: Translate) -> list[Block]:
    if not result.texts:
        return []
    words = tuple(" ".join(text.split()) for text in result.texts)
    if result.question.kind is QuestionKind.TEXT:
        return [Bullets(words)]
    return [Heading(translate("report.other_texts"), 3), Bullets(words)]


def _question(
    result: QuestionResult, results: SurveyResults, chart: bytes | None, translate: Translate
) -> list[Block]:
    blocks: list[Block] = [Heading(question_heading(result.number, result.question), 2)]
    if result.withheld:
        return [*blocks, Text(translate("report.question.withheld_here").format(k=results.k))]
    if result.question.kind is QuestionKind.TEXT:
        answered = translate("report.chart.answered").format(count=result.answered.count)
        return [*blocks, Text(answered), *_texts(result, translate)]
    if chart is not None:
        blocks.append(Chart(chart))
    blocks += _table(question_table(result, results, translate))
    if result.question.kind is QuestionKind.MULTIPLE:
        blocks.append(Text(translate("report.multiple_note"), note=True))
    for breakdown in result.breakdowns:
        table = breakdown_table(breakdown, result, results, translate, with_total=False)
        blocks += [Heading(table.title, 3), *_table(table)]
    return blocks + _texts(result, translate)


def _respondents(results: SurveyResults, translate: Translate) -> list[Block]:
    blocks: list[Block] = []
    for segment in results.segments:
        table = segment_table(segment, results, translate)
        if table.all_hidden:
            blocks.append(Text(segment_hidden_text(segment, results, translate)))
        else:
            blocks += [Heading(table.title, 3), *_table(table)]
    return [Heading(translate("report.section.respondents"), 1), *blocks] if blocks else []


def layout(
    results: SurveyResults,
    meta: ReportMeta,
    charts: Mapping[str, bytes],
    translate: Translate,
) -> Layout:
    """The report; `charts` maps question ids to PNGs (`charts_for` with `PAGE`)."""
    facts = [
        period_text(meta, translate),
        translate("report.respondents").format(count=results.respondents),
    ]
    blocks = _respondents(results, translate)
    if results.withheld:
        blocks.append(Text(translate("report.withheld").format(k=results.k)))
    else:
        blocks.append(Heading(translate("report.section.questions"), 1))
        for result in results.questions:
            blocks += _question(result, results, charts.get(result.question.id), translate)
    blocks += [
        Heading(translate("report.section.notes"), 1),
        Text(translate("report.anonymity").format(k=results.k), note=True),
        Text(translate("report.generated").format(day=format_day(meta.generated_on)), note=True),
    ]
    return Layout(
        organisation=meta.organisation,
        title=translate("report.title"),
        survey=meta.title,
        facts=tuple(fact for fact in facts if fact),
        blocks=tuple(blocks),
    )
