"""The words and numbers every report prints, in one place so XLSX, CSV, DOCX and charts agree."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from core.dates import format_day
from surveys.model import OTHER, Answer, Question, QuestionKind
from surveys.results import Cell, Dimension, Group, GroupKind, Line, LineKind

# A catalog lookup in the reader's language (the bot passes aiogram's gettext for the user).
Translate = Callable[[str], str]

DASH = "—"


@dataclass(frozen=True)
class ReportMeta:
    """What a report says about the survey besides its numbers."""

    title: str
    generated_on: date
    opened_on: date | None = None
    closed_on: date | None = None
    closes_on: date | None = None  # the planned last day, while the survey is still open
    organisation: str | None = None


def period_text(meta: ReportMeta, translate: Translate) -> str | None:
    if meta.opened_on is None:
        return None
    start = format_day(meta.opened_on)
    if meta.closed_on is not None:
        return translate("report.period.closed").format(
            start=start, end=format_day(meta.closed_on)
        )
    if meta.closes_on is not None:
        return translate("report.period.open").format(start=start, end=format_day(meta.closes_on))
    return translate("report.period.started").format(start=start)


def hidden_text(k: int, translate: Translate) -> str:
    return translate("report.hidden").format(k=k)


def count_value(cell: Cell, k: int, translate: Translate) -> int | str:
    """The count for a table, or "менее 5" where it is hidden."""
    return hidden_text(k, translate) if cell.count is None else cell.count


def percent_value(cell: Cell) -> float | str:
    """A percentage rounded for a table; empty where the count is hidden or has no base."""
    return "" if cell.percent is None else round(cell.percent, 1)


def decimal(value: float, translate: Translate, digits: int = 1) -> str:
    """4,2 in Russian, 4.2 in English."""
    return f"{value:.{digits}f}".replace(".", translate("report.number.decimal"))


def median_text(value: float, translate: Translate) -> str:
    """A median is often whole: «3», and «3,5» when it falls between two answers."""
    return str(int(value)) if value.is_integer() else decimal(value, translate)


def percent_text(percent: float | None) -> str:
    return "" if percent is None else f"{percent:.0f}%"


def cell_text(cell: Cell, k: int, translate: Translate, *, with_percent: bool = True) -> str:
    """«12 (40%)», «12» or «менее 5», for charts and documents."""
    if cell.count is None:
        return hidden_text(k, translate)
    if with_percent and cell.percent is not None:
        return f"{cell.count} ({percent_text(cell.percent)})"
    return str(cell.count)


def group_label(group: Group, dimension: Dimension, translate: Translate) -> str:
    if group.kind is GroupKind.UNSTATED:
        return translate("report.group.unstated")
    if group.kind is GroupKind.OTHERS:
        return translate(f"report.group.others_{dimension.value}")
    if dimension is Dimension.ROLE:
        return translate(f"report.role.{group.value}")
    return group.value


def line_label(line: Line, question: Question, translate: Translate) -> str:
    """The option's label, «Другое», or a scale point with its end label: «1 — совсем нет»."""
    if line.kind is LineKind.OTHER:
        return translate("report.other")
    scale = question.scale
    if line.kind is LineKind.VALUE and scale is not None:
        value = int(line.key)
        end = scale.low_label if value == scale.low else scale.high_label
        if value in (scale.low, scale.high) and end:
            return f"{value} — {end}"
    return line.label


def question_heading(number: int, question: Question) -> str:
    return f"{number}. {question.text}"


def answer_value(question: Question, answer: Answer | None, translate: Translate) -> int | str:
    """One respondent's answer as a cell of the raw-answers sheet."""
    if answer is None:
        return ""
    if question.kind is QuestionKind.SCALE:
        return answer.number if answer.number is not None else ""
    if question.kind is QuestionKind.TEXT:
        return answer.text or ""
    parts = []
    for key in answer.choices:
        if key == OTHER:
            other = translate("report.other")
            parts.append(f"{other}: {answer.text}" if answer.text else other)
        else:
            option = question.option(key)
            parts.append(option.label if option is not None else key)
    return "; ".join(parts)
