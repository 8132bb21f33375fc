"""The free-text review: a page of typed answers, each with a button to hide or show it."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.callbacks import (
    ResultsAction,
    ResultsCallback,
    TextReviewAction,
    TextReviewCallback,
)
from handlers.render import finish_paged_keyboard, fit, page_of, quote, short
from services.surveys import TextReview

PAGE_SIZE = 5
_TEXT_LIMIT = 500
_BUTTONS_PER_ROW = 3


def review_text(review: TextReview, page: int) -> tuple[str, int]:
    """The page's text (clamped into range) and the page shown."""
    survey = review.survey
    lines = [_("survey.texts.title").format(title=quote(short(survey.title, 200)))]
    if review.withheld:
        return "\n".join([*lines, "", _("survey.texts.withheld").format(k=review.k)]), 0
    if not review.texts:
        return "\n".join([*lines, "", _("survey.texts.none")]), 0
    shown, page, pages = page_of(review.texts, page, PAGE_SIZE)
    hidden = sum(text.hidden for text in review.texts)
    lines += [
        _("survey.texts.intro"),
        "",
        _("survey.texts.counts").format(
            count=len(review.texts), hidden=hidden, page=page + 1, pages=pages
        ),
    ]
    numbers = {question.id: n for n, question in enumerate(survey.definition.questions, 1)}
    for index, text in enumerate(shown, page * PAGE_SIZE + 1):
        words = quote(short(" ".join(text.text.split()), _TEXT_LIMIT))
        question = _("survey.texts.question").format(number=numbers.get(text.question_id, "?"))
        if text.hidden:
            lines += ["", f"{index}. <i>{question}</i> 🙈 <s>{words}</s>"]
        else:
            lines += ["", f"{index}. <i>{question}</i> {words}"]
    return fit(lines), page


def review_keyboard(review: TextReview, page: int) -> InlineKeyboardMarkup:
    """Скрыть N / Вернуть N for each answer on the page, pages, and back to the results."""
    builder = InlineKeyboardBuilder()
    survey_id = review.survey.id
    widths: list[int] = []
    if not review.withheld and review.texts:
        shown, page, pages = page_of(review.texts, page, PAGE_SIZE)
        for index, text in enumerate(shown, page * PAGE_SIZE + 1):
            key, action = (
                ("survey.texts.button.show", TextReviewAction.SHOW)
                if text.hidden
                else ("survey.texts.button.hide", TextReviewAction.HIDE)
            )
            builder.button(
                text=_(key).format(number=index),
                callback_data=TextReviewCallback(
                    action=action, survey_id=survey_id, page=page, answer=text.id
                ),
            )
        widths = [_BUTTONS_PER_ROW] * -(-len(shown) // _BUTTONS_PER_ROW)
    else:
        page, pages = 0, 1
    builder.button(
        text=_("survey.texts.button.results"),
        callback_data=ResultsCallback(survey_id=survey_id, action=ResultsAction.SUMMARY),
    )
    widths.append(1)
    return finish_paged_keyboard(
        builder,
        widths,
        page,
        pages,
        lambda target: TextReviewCallback(
            action=TextReviewAction.PAGE, survey_id=survey_id, page=target
        ),
    )
