"""The review before «Отправить»: every answer once more."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import AnswerAction
from handlers.render import fit, quote, short
from handlers.survey_answering.buttons import button, keyboard
from surveys import answering as flow
from surveys.answering import Draft, ReviewItem
from surveys.model import (
    OTHER,
    QuestionKind,
    SurveyDefinition,
)

_REVIEW_QUESTION = 70
_REVIEW_ANSWER = 120


def _answer_words(item: ReviewItem) -> str:
    answer, question = item.answer, item.question
    if answer is None:
        return _("survey.answer.review.skipped")
    if question.kind is QuestionKind.SCALE and question.scale is not None:
        return _("survey.answer.review.scale").format(
            number=answer.number, high=question.scale.high
        )
    if question.kind is QuestionKind.TEXT:
        return f"«{quote(short(answer.text or '', _REVIEW_ANSWER))}»"
    parts = list(item.labels())
    if OTHER in answer.choices:
        parts.append(_("survey.answer.review.other").format(text=answer.text or ""))
    return quote(short("; ".join(parts), _REVIEW_ANSWER))


def review_view(definition: SurveyDefinition, draft: Draft) -> tuple[str, InlineKeyboardMarkup]:
    lines = [_("survey.answer.review.title")]
    steps = flow.segment_steps(definition)
    segment = draft.segment
    if flow.ROLE in steps and segment.role is not None:
        lines.append(_(f"survey.answer.review.{segment.role.value}"))
    if flow.CLASS in steps:
        lines.append(
            _("survey.answer.review.class").format(name=quote(segment.class_name))
            if segment.class_name is not None
            else _("survey.answer.review.no_class")
        )
    for item in flow.review(definition, draft):
        lines.append("")
        lines.append(
            _("survey.answer.review.item").format(
                number=item.position,
                question=quote(short(item.question.text, _REVIEW_QUESTION)),
                answer=_answer_words(item),
            )
        )
    lines += ["", _("survey.answer.review.hint")]
    step = draft.step_number
    rows = [
        [button(_("survey.answer.button.submit"), step, AnswerAction.SUBMIT)],
        [
            button(_("survey.answer.button.back"), step, AnswerAction.BACK),
            button(_("survey.answer.button.cancel"), step, AnswerAction.CANCEL),
        ],
    ]
    return fit(lines), keyboard(rows)
