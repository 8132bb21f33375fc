"""What /results shows: the summary text, the buttons, file names and album sizes."""

from __future__ import annotations

from datetime import date

from aiogram.types import (
    InlineKeyboardMarkup,
)
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.callbacks import (
    ResultsAction,
    ResultsCallback,
    TextReviewAction,
    TextReviewCallback,
)
from handlers.render import day, fit, quote, short
from storage.records import Survey
from surveys.model import QuestionKind, SurveyStatus
from surveys.report import (
    Translate,
)
from surveys.report.labels import (
    decimal,
    group_label,
    line_label,
    median_text,
    percent_text,
)
from surveys.report.tables import segment_hidden_text
from surveys.results import Cell, QuestionResult, SurveyResults, top_lines

# Telegram shows 2 to 10 photos as one album.
MEDIA_GROUP_LIMIT = 10
LIST_LIMIT = 20
TOP_LINES = 3


def _count(cell: Cell, *, with_percent: bool = True) -> str:
    if cell.count is None:
        return _("survey.results.hidden")
    if cell.percent is None or not with_percent:
        return str(cell.count)
    return f"{cell.count} ({percent_text(cell.percent)})"


def _status_line(survey: Survey) -> str:
    if survey.status is SurveyStatus.CLOSED and survey.closed_on is not None:
        return _("survey.results.status.closed").format(day=day(survey.closed_on))
    if survey.status is SurveyStatus.OPEN and survey.closes_on is not None:
        return _("survey.results.status.open").format(day=day(survey.closes_on))
    return _("survey.results.status.draft")


def _question_lines(
    result: QuestionResult, results: SurveyResults, translate: Translate
) -> list[str]:
    lines = [f"<b>{quote(short(f'{result.number}. {result.question.text}', 200))}</b>"]
    if result.withheld:
        lines.append(_("survey.results.question_withheld").format(k=results.k))
        return lines
    if result.question.kind is QuestionKind.TEXT:
        lines.append(_("survey.results.texts").format(count=len(result.texts)))
        return lines
    if result.mean is not None and result.median is not None:
        lines.append(
            _("survey.results.scale").format(
                mean=decimal(result.mean, translate),
                median=median_text(result.median, translate),
            )
        )
    if result.question.kind is QuestionKind.SCALE:
        # Every point, in order, on one line: the shape matters more than the leader.
        lines.append(
            " · ".join(
                f"{line.key}: {_count(line.cell, with_percent=False)}" for line in result.lines
            )
        )
    else:
        top = top_lines(result, TOP_LINES)
        for line in top:
            label = quote(short(line_label(line, result.question, translate), 60))
            lines.append(f"• {label} — {_count(line.cell)}")
        chosen = sum(1 for line in result.lines if line.cell.count)
        if chosen > len(top):
            lines.append(_("survey.results.more").format(count=chosen - len(top)))
    answered = _count(result.answered, with_percent=False)
    lines.append(_("survey.results.answered").format(count=answered))
    return lines


def summary_text(survey: Survey, results: SurveyResults, translate: Translate) -> str:
    """What fits on a phone screen: who answered, and each question's top answers."""
    lines = [
        _("survey.results.title").format(title=quote(short(survey.title, 200))),
        _status_line(survey),
        _("survey.results.respondents").format(count=results.respondents),
    ]
    if results.withheld:
        lines += ["", _("survey.results.withheld").format(k=results.k)]
        return "\n".join(lines)
    hidden = False
    for table in results.segments:
        lines += ["", _(f"survey.results.by_{table.dimension.value}")]
        if all(cell.hidden for cell in table.cells):
            # Never a column of bare «скрыто»: say why in words.
            lines.append(segment_hidden_text(table, results, translate))
            continue
        for group, cell in zip(table.groups, table.cells, strict=True):
            hidden = hidden or cell.hidden
            label = quote(group_label(group, table.dimension, translate))
            lines.append(f"• {label} — {_count(cell)}")
    for result in results.questions:
        lines.append("")
        lines += _question_lines(result, results, translate)
    if hidden or any(b for q in results.questions for b in q.breakdowns):
        lines += ["", _("survey.results.hidden_note").format(k=results.k)]
    lines += ["", _("survey.results.files")]
    return fit(lines)


def results_keyboard(survey: Survey) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for action, key in (
        (ResultsAction.CHARTS, "survey.results.button.charts"),
        (ResultsAction.XLSX, "survey.results.button.xlsx"),
        (ResultsAction.CSV, "survey.results.button.csv"),
        (ResultsAction.DOCX, "survey.results.button.docx"),
        (ResultsAction.PDF, "survey.results.button.pdf"),
    ):
        builder.button(
            text=_(key), callback_data=ResultsCallback(survey_id=survey.id, action=action)
        )
    widths = [1, 2, 2]
    if has_free_text(survey):
        builder.button(
            text=_("survey.results.button.texts"),
            callback_data=TextReviewCallback(action=TextReviewAction.OPEN, survey_id=survey.id),
        )
        widths.append(1)
    builder.adjust(*widths)
    return builder.as_markup()


def has_free_text(survey: Survey) -> bool:
    """Whether respondents could type anything: a free-text question or «Другое»."""
    return any(
        question.kind is QuestionKind.TEXT or question.other
        for question in survey.definition.questions
    )


def file_name(survey: Survey, today: date, extension: str) -> str:
    return f"opros-{survey.code}-{today.isoformat()}.{extension}"


def album_sizes(count: int) -> list[int]:
    """Albums of at most ten, as even as possible, so none is left with a single photo."""
    if count <= 0:
        return []
    albums = -(-count // MEDIA_GROUP_LIMIT)
    base, extra = divmod(count, albums)
    return [base + 1] * extra + [base] * (albums - extra)
