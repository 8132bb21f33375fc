"""Messages the scheduler sends about surveys, in the recipient's language (set by the caller)."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.callbacks import ResultsAction, ResultsCallback
from handlers.render import day, quote
from storage.records import Survey


def closed_by_date(survey: Survey, responses: int) -> tuple[str, InlineKeyboardMarkup]:
    text = _("survey.notice.closed_by_date").format(
        title=quote(survey.title),
        closes_on=day(survey.closes_on) if survey.closes_on else "—",
        responses=responses,
    )
    keyboard = InlineKeyboardBuilder()
    keyboard.button(
        text=_("survey.notice.results_button"),
        callback_data=ResultsCallback(survey_id=survey.id, action=ResultsAction.SUMMARY),
    )
    return text, keyboard.as_markup()
