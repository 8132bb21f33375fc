"""The handlers: a survey link, a button, «Отправить», «Отменить», a typed answer."""

from __future__ import annotations

import logging
from dataclasses import replace

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from core.deeplinks import DeepLink
from handlers.callbacks import AnswerAction, AnswerCallback
from handlers.states import SurveyAnswering
from handlers.survey_answering.attempt import Attempt
from handlers.survey_answering.chat import (
    apply_press,
    attempt_for,
    definition_for,
    delete_messages,
    end,
    refusal_key,
    show,
    stale,
)
from handlers.survey_answering.screens import intro_keyboard, intro_text, step_view
from services.survey_definitions import SurveyDefinitions
from services.surveys import SubmitOutcome, SurveyService
from surveys import answering as flow
from surveys.answering import AnswerError, NothingChosen
from surveys.model import (
    SurveyStatus,
)

logger = logging.getLogger(__name__)
_OUTCOME_KEYS = {
    SubmitOutcome.ACCEPTED: "survey.answer.thanks",
    SubmitOutcome.ALREADY_ANSWERED: "survey.answer.already",
    SubmitOutcome.CLOSED: "survey.answer.closed",
    SubmitOutcome.NOT_FOUND: "survey.answer.not_found",
}


async def open_survey(
    message: Message,
    link: DeepLink,
    state: FSMContext,
    surveys: SurveyService,
    survey_definitions: SurveyDefinitions,
) -> None:
    """A survey link: the intro with an honest word on anonymity, or why it cannot be answered."""
    user = message.from_user
    assert user is not None
    survey = await surveys.by_code(link.code)
    refusal = await refusal_key(surveys, survey, user.id)
    if refusal is not None or survey is None:
        await message.answer(_(refusal or "survey.answer.not_found"))
        return
    attempt = Attempt(
        survey_id=survey.id,
        code=survey.code,
        fingerprint=survey_definitions.remember(survey).fingerprint,
        message_id=0,
        draft=None,
    )
    sent = await message.answer(intro_text(survey), reply_markup=intro_keyboard())
    await state.set_state(SurveyAnswering.answering)
    await state.set_data(replace(attempt, message_id=sent.message_id).as_state())


async def on_button(
    callback: CallbackQuery,
    callback_data: AnswerCallback,
    state: FSMContext,
    raw_state: str | None,
    surveys: SurveyService,
    survey_definitions: SurveyDefinitions,
    bot: Bot,
) -> None:
    """«Начать», a choice, «Готово», «Пропустить», «Назад»: the message moves to the next step."""
    attempt = await attempt_for(callback, callback_data, state, raw_state)
    if attempt is None:
        await stale(callback)
        return
    found = await definition_for(attempt, survey_definitions)
    if found is None:
        await end(callback, state, "survey.answer.restart")
        return
    attempt, definition = found
    if attempt.draft is None:
        if callback_data.action is not AnswerAction.START:
            await stale(callback)
            return
        # The survey may have closed since the link was opened: better said before ten
        # questions than after. (Answered meanwhile it cannot be: that takes this attempt.)
        survey = await surveys.by_code(attempt.code)
        if survey is None or survey.status is SurveyStatus.DRAFT:
            await end(callback, state, "survey.answer.not_found")
            return
        if not await surveys.accepts_answers(survey):
            await end(callback, state, "survey.answer.closed")
            return
        draft = flow.start(definition)
    else:
        try:
            draft = apply_press(definition, attempt.draft, callback_data)
        except NothingChosen:
            await callback.answer(_("survey.answer.pick_one"))
            return
        except AnswerError:
            await stale(callback)
            return
    litter = attempt.litter
    attempt = replace(attempt, draft=draft, litter=())
    await state.set_data(attempt.as_state())
    await callback.answer()
    chat_id = callback.from_user.id
    text, markup = step_view(attempt, definition)
    message_id = await show(bot, chat_id, attempt.message_id, text, markup)
    if message_id != attempt.message_id:
        await state.set_data(replace(attempt, message_id=message_id).as_state())
    if litter:
        await delete_messages(bot, chat_id, litter)


async def on_submit(
    callback: CallbackQuery,
    callback_data: AnswerCallback,
    state: FSMContext,
    raw_state: str | None,
    surveys: SurveyService,
    survey_definitions: SurveyDefinitions,
) -> None:
    """«Отправить»: one anonymous transaction; whatever the outcome, the attempt ends."""
    attempt = await attempt_for(callback, callback_data, state, raw_state)
    if raw_state is None:
        # Nothing in hand for this chat: the answers were sent already, or never reached the
        # database (the bot restarted and its memory went). Say both, so nobody is left
        # believing answers were counted that were not.
        await callback.answer(_("survey.answer.submit_lost"), show_alert=True)
        return
    if attempt is None or attempt.draft is None:
        await stale(callback)
        return
    found = await definition_for(attempt, survey_definitions)
    if found is None:
        await end(callback, state, "survey.answer.restart")
        return
    try:
        answers = flow.final_answers(found[1], attempt.draft)
    except AnswerError:
        await stale(callback)
        return
    # Cleared before anything slow, so a second tap finds nothing and cannot submit twice.
    await state.clear()
    try:
        outcome = await surveys.submit(
            attempt.survey_id, callback.from_user.id, attempt.draft.segment, answers
        )
    except Exception:
        # A failed transaction stored nothing: the answers stay, so «Отправить» can be retried.
        await state.set_state(SurveyAnswering.answering)
        await state.set_data(attempt.as_state())
        raise
    await end(callback, state, _OUTCOME_KEYS[outcome], forgotten=True)


async def on_cancel(
    callback: CallbackQuery,
    callback_data: AnswerCallback,
    state: FSMContext,
    raw_state: str | None,
) -> None:
    """«Отменить» on the review: nothing is stored."""
    attempt = await attempt_for(callback, callback_data, state, raw_state)
    if attempt is None:
        await stale(callback)
        return
    await end(callback, state, "survey.answer.cancelled")


async def on_text(
    message: Message, state: FSMContext, survey_definitions: SurveyDefinitions, bot: Bot
) -> None:
    """A typed answer (free text or «Другое»), checked against the limit; else a hint."""
    read = Attempt.from_state(await state.get_data())
    found = None if read is None else await definition_for(read, survey_definitions)
    if found is None:
        # State this version cannot read, or a survey that is gone: start again from the link.
        await state.clear()
        await message.answer(_("survey.answer.restart"))
        return
    attempt, definition = found
    draft = attempt.draft
    text = message.text or ""
    if draft is None or not flow.expects_text(definition, draft):
        await _refuse(message, state, attempt, _("survey.answer.use_buttons"))
        return
    question = flow.current_question(definition, draft)
    problem = flow.text_problem(question, text)
    if problem is flow.TextProblem.TOO_LONG:
        refusal = _("survey.answer.too_long").format(
            length=len(flow.clean_text(text)), limit=question.max_length
        )
        await _refuse(message, state, attempt, refusal)
        return
    if problem is flow.TextProblem.EMPTY:
        await _refuse(message, state, attempt, _("survey.answer.text_empty"))
        return
    litter = attempt.litter
    attempt = replace(attempt, draft=flow.give_text(definition, draft, text), litter=())
    await state.set_data(attempt.as_state())
    chat_id = message.chat.id
    await delete_messages(bot, chat_id, [message.message_id, *litter])
    view_text, markup = step_view(attempt, definition)
    message_id = await show(bot, chat_id, attempt.message_id, view_text, markup)
    if message_id != attempt.message_id:
        await state.set_data(replace(attempt, message_id=message_id).as_state())


async def _refuse(message: Message, state: FSMContext, attempt: Attempt, text: str) -> None:
    """A refusal as a reply, the respondent's message kept (they may want to copy it); both go
    away once the survey moves on."""
    reply = await message.reply(text)
    litter = (*attempt.litter, message.message_id, reply.message_id)
    await state.set_data(replace(attempt, litter=litter).as_state())
