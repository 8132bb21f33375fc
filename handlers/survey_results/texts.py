"""Free-text answers checked before publishing: read a page at a time, hide one, show it again.

A hidden answer stays stored but leaves every report, export and the chat's results. Each
press asks the service again, which checks at that moment that this person manages the
survey's organisation; any refusal reads like a stale button and changes nothing.
"""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import TextReviewAction, TextReviewCallback
from handlers.survey_results.texts_view import review_keyboard, review_text
from services.access import AccessDenied, Actor
from services.surveys import SurveyService

_DONE = {
    TextReviewAction.HIDE: "survey.texts.hidden",
    TextReviewAction.SHOW: "survey.texts.shown",
}


async def on_texts(
    callback: CallbackQuery,
    callback_data: TextReviewCallback,
    actor: Actor,
    surveys: SurveyService,
) -> None:
    """A page of free-text answers; «Скрыть» / «Вернуть» change one and redraw the page."""
    action = callback_data.action
    try:
        if action in _DONE and not await surveys.hide_text(
            actor,
            callback_data.survey_id,
            callback_data.answer,
            hidden=action is TextReviewAction.HIDE,
        ):
            await callback.answer(_("fallback.stale_button"), show_alert=True)
            return
        review = await surveys.texts_for_review(actor, callback_data.survey_id)
    except AccessDenied:
        await callback.answer(_("fallback.stale_button"), show_alert=True)
        return
    await callback.answer(_(_DONE[action]) if action in _DONE else None)
    text, page = review_text(review, callback_data.page)
    markup = review_keyboard(review, page)
    message = callback.message
    if not isinstance(message, Message):
        return
    if action is TextReviewAction.OPEN:
        await message.answer(text, reply_markup=markup)
    else:
        await message.edit_text(text, reply_markup=markup)
