"""Talking to the chat: the attempt a button belongs to, one press applied, the message
shown, edited or ended."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TypeVar

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import AnswerAction, AnswerCallback
from handlers.states import SurveyAnswering
from handlers.survey_answering.attempt import Attempt
from handlers.survey_answering.screens import ROLES
from services.survey_definitions import SurveyDefinitions
from services.surveys import SurveyService
from storage.records import Survey
from surveys import answering as flow
from surveys.answering import AnswerError, Draft
from surveys.model import (
    OTHER,
    SurveyDefinition,
    SurveyStatus,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")


async def show(
    bot: Bot, chat_id: int, message_id: int, text: str, markup: InlineKeyboardMarkup | None
) -> int:
    """Edits the survey message; when it is gone (or too old to edit), sends a fresh one.
    Returns the id of the message that now shows the step."""
    try:
        await bot.edit_message_text(
            text=text, chat_id=chat_id, message_id=message_id, reply_markup=markup
        )
    except TelegramBadRequest as error:
        if "message is not modified" in error.message:
            return message_id
        logger.info("survey message could not be edited (%s); sending a fresh one", error)
        sent = await bot.send_message(chat_id, text, reply_markup=markup)
        return sent.message_id
    return message_id


async def delete_messages(bot: Bot, chat_id: int, message_ids: Iterable[int]) -> None:
    """Best effort: a message already deleted (or too old) is no reason to stop."""
    for message_id in message_ids:
        with contextlib.suppress(TelegramAPIError):
            await bot.delete_message(chat_id, message_id)


async def refusal_key(surveys: SurveyService, survey: Survey | None, user_id: int) -> str | None:
    """Why this survey cannot be answered by this person now, as a catalog key."""
    if survey is None or survey.status is SurveyStatus.DRAFT:
        return "survey.answer.not_found"
    if not await surveys.accepts_answers(survey):
        return "survey.answer.closed"
    if await surveys.has_answered(survey.id, user_id):
        return "survey.answer.already"
    return None


async def attempt_for(
    callback: CallbackQuery, data: AnswerCallback, state: FSMContext, raw_state: str | None
) -> Attempt | None:
    """The attempt this button belongs to, or None for a button of another message, attempt,
    survey or step (an old message, a restarted survey, a double tap).

    `raw_state` is what aiogram's FSM middleware read for this update: not asked again."""
    if raw_state != SurveyAnswering.answering.state:
        return None
    attempt = Attempt.from_state(await state.get_data())
    message = callback.message
    if (
        attempt is None
        or message is None
        or attempt.message_id != message.message_id
        or attempt.step_number != data.step
    ):
        return None
    return attempt


async def definition_for(
    attempt: Attempt, survey_definitions: SurveyDefinitions
) -> tuple[Attempt, SurveyDefinition] | None:
    """The survey this attempt answers, as it was when the attempt began (and the attempt with
    its fingerprint, which an older state lacks); None when the survey is gone or is no longer
    that survey: the respondent is asked to start again."""
    known = await survey_definitions.get(attempt.survey_id)
    if known is None or attempt.fingerprint not in (None, known.fingerprint):
        return None
    return replace(attempt, fingerprint=known.fingerprint), known.definition


def _nth(items: Sequence[T], index: int) -> T:
    """The button's item; a forged index (negative, past the end) is refused, not wrapped."""
    if not 0 <= index < len(items):
        raise AnswerError("no such button")
    return items[index]


def apply_press(definition: SurveyDefinition, draft: Draft, data: AnswerCallback) -> Draft:
    """One button press on the current step; AnswerError when it does not fit."""
    action, value = data.action, data.value
    if action is AnswerAction.ROLE:
        return flow.choose_role(definition, draft, _nth(ROLES, value))
    if action is AnswerAction.CLASS:
        return flow.choose_class(definition, draft, _nth(definition.segments.classes, value))
    if action is AnswerAction.NO_CLASS:
        return flow.choose_class(definition, draft, None)
    if action is AnswerAction.BACK:
        return flow.back(draft)
    question = flow.current_question(definition, draft)
    if action is AnswerAction.CHOOSE:
        return flow.choose(definition, draft, _nth(question.options, value).key)
    if action is AnswerAction.TOGGLE:
        key = OTHER if value == -1 else _nth(question.options, value).key
        return flow.toggle(definition, draft, key)
    if action is AnswerAction.RATE:
        return flow.rate(definition, draft, value)
    operations = {
        AnswerAction.OTHER: flow.ask_other,
        AnswerAction.DONE: flow.finish_multiple,
        AnswerAction.SKIP: flow.skip,
        AnswerAction.KEEP: flow.keep,
    }
    if action in operations:
        return operations[action](definition, draft)
    raise AnswerError(f"{action} is not a step action")


async def stale(callback: CallbackQuery) -> None:
    await callback.answer(_("survey.answer.stale"))


async def end(
    callback: CallbackQuery, state: FSMContext, key: str, *, forgotten: bool = False
) -> None:
    """A terminal message in place of the survey message; the attempt is forgotten (unless
    the caller already cleared it: `forgotten`)."""
    if not forgotten:
        await state.clear()
    await callback.answer()
    if isinstance(callback.message, Message):
        with contextlib.suppress(TelegramBadRequest):
            await callback.message.edit_text(_(key))
