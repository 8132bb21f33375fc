"""The list and a survey's card: open, extend, close, link, post; the closing date."""

from __future__ import annotations

import logging
from datetime import date

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    Message,
)
from aiogram.utils.i18n import gettext as _

from core.dates import parse_day
from core.errors import UserFacingError
from core.qr import qr_png
from handlers.callbacks import (
    SurveyAction,
    SurveyCallback,
    SurveyClosingCallback,
)
from handlers.render import day, quote, short
from handlers.states import SurveyFlow
from handlers.survey_manage.creating import ask_for_file, create_without_classes
from handlers.survey_manage.views import (
    card_keyboard,
    card_text,
    close_question,
    date_question,
    drop_keyboard,
    edit,
    error_text,
    list_view,
    templates_view,
)
from handlers.survey_post import post_keyboard, post_text, survey_link
from services.access import AccessDenied, Actor
from services.surveys import SurveyOverview, SurveyService
from storage.records import Survey
from surveys.model import (
    SurveyStatus,
)

logger = logging.getLogger(__name__)


async def show_card(
    callback: CallbackQuery, overview: SurveyOverview, page: int, note: str | None = None
) -> None:
    await edit(callback, card_text(overview, note), card_keyboard(overview.survey, page))


async def leave_date_question(state: FSMContext) -> None:
    if await state.get_state() == SurveyFlow.closing_date.state:
        await state.clear()


# ----------------------------------------------------------------------------- the list and card


async def surveys_command(
    message: Message, actor: Actor, surveys: SurveyService, state: FSMContext
) -> None:
    """The list, first page; a creation left half-way is dropped."""
    if (await state.get_state() or "").startswith(f"{SurveyFlow.__name__}:"):
        await state.clear()
    text, keyboard = list_view(await surveys.list_for(actor), 0)
    await message.answer(text, reply_markup=keyboard)


async def on_survey_button(
    callback: CallbackQuery,
    callback_data: SurveyCallback,
    actor: Actor,
    surveys: SurveyService,
    state: FSMContext,
    bot: Bot,
) -> None:
    """Every button of the list and the card; the service re-checks access on each press."""
    action, page = callback_data.action, callback_data.page
    if action is SurveyAction.LIST:
        await leave_date_question(state)
        await callback.answer()
        await edit(callback, *list_view(await surveys.list_for(actor), page))
    elif action is SurveyAction.NEW:
        await callback.answer()
        await edit(callback, *templates_view(page))
    elif action is SurveyAction.FROM_FILE:
        await ask_for_file(callback, state)
    elif action is SurveyAction.NO_CLASSES:
        await create_without_classes(callback, actor, surveys, state)
    else:
        await on_survey_action(callback, callback_data, actor, surveys, state, bot)


async def on_survey_action(
    callback: CallbackQuery,
    callback_data: SurveyCallback,
    actor: Actor,
    surveys: SurveyService,
    state: FSMContext,
    bot: Bot,
) -> None:
    action, page = callback_data.action, callback_data.page
    overview = await surveys.get_for_manager(actor, callback_data.survey_id)
    survey = overview.survey
    if action is SurveyAction.CLOSE_CONFIRM and survey.status is SurveyStatus.OPEN:
        closed = await surveys.close(actor, survey.id)
        await callback.answer(_("survey.manage.close.done_short"))
        await show_card(
            callback,
            SurveyOverview(closed, overview.responses),
            page,
            _("survey.manage.close.done"),
        )
        return
    if action in (SurveyAction.CARD, SurveyAction.REFRESH):
        await leave_date_question(state)
        await callback.answer(
            _("survey.manage.refreshed") if action is SurveyAction.REFRESH else None
        )
        await show_card(callback, overview, page)
        return
    needed = SurveyStatus.DRAFT if action is SurveyAction.OPEN else SurveyStatus.OPEN
    if survey.status is not needed:
        # Someone else (or the closing job) changed it since this card was drawn.
        await callback.answer(_("survey.manage.status_changed"), show_alert=True)
        await show_card(callback, overview, page)
        return
    if action in (SurveyAction.OPEN, SurveyAction.EXTEND):
        await callback.answer()
        await state.set_state(SurveyFlow.closing_date)
        question = callback.message.message_id if callback.message is not None else None
        await state.set_data({"survey_id": survey.id, "page": page, "question": question})
        extending = action is SurveyAction.EXTEND
        today = await surveys.today_of(survey)
        await edit(callback, *date_question(survey, today, page, extending))
    elif action is SurveyAction.CLOSE:
        await callback.answer()
        await edit(callback, *close_question(survey, page))
    elif action is SurveyAction.LINK:
        await send_link(callback, survey, bot)
    elif action is SurveyAction.POST:
        await send_post(callback, survey, bot)


async def send_link(callback: CallbackQuery, survey: Survey, bot: Bot) -> None:
    link = await survey_link(bot, survey)
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.answer(
            _("survey.manage.link.text").format(title=quote(survey.title), link=quote(link))
        )
        await callback.message.answer_photo(
            BufferedInputFile(qr_png(link), filename=f"opros-{survey.code}.png"),
            caption=_("survey.manage.link.caption").format(
                title=quote(short(survey.title, 200)), link=quote(link)
            ),
        )


async def send_post(callback: CallbackQuery, survey: Survey, bot: Bot) -> None:
    link = await survey_link(bot, survey)
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.answer(post_text(survey), reply_markup=post_keyboard(link))
        await callback.message.answer(_("survey.manage.post.hint"))


# ----------------------------------------------------------------------------- the closing date


async def on_closing_day(
    callback: CallbackQuery,
    callback_data: SurveyClosingCallback,
    actor: Actor,
    surveys: SurveyService,
    state: FSMContext,
) -> None:
    """A quick date pressed: the survey opens (or gets the new date) at once."""
    try:
        closes_on = date.fromisoformat(callback_data.closes_on)
    except ValueError:
        await callback.answer(_("fallback.stale_button"), show_alert=True)
        return
    before = await surveys.get_for_manager(actor, callback_data.survey_id)
    survey = await surveys.open(actor, before.survey.id, closes_on)
    await leave_date_question(state)
    note = opened_note(before.survey, survey)
    await callback.answer()
    await show_card(callback, SurveyOverview(survey, before.responses), callback_data.page, note)


async def on_closing_date_text(
    message: Message,
    actor: Actor,
    surveys: SurveyService,
    state: FSMContext,
    bot: Bot,
) -> None:
    """The closing date typed: "30.09", "через 10 дней", "в пятницу"; wrong ones asked again."""
    data = await state.get_data()
    try:
        before = await surveys.get_for_manager(actor, int(data["survey_id"]))
    except AccessDenied:
        await state.clear()
        raise
    if before.survey.status is SurveyStatus.CLOSED:
        # Closed meanwhile (by hand or at its date): no date can apply any more.
        await state.clear()
        await drop_keyboard(bot, message.chat.id, data.get("question"))
        await message.answer(
            card_text(before, _("survey.manage.status_changed")),
            reply_markup=card_keyboard(before.survey, int(data.get("page", 0))),
        )
        return
    # Counted from today where the school is, as the service checks it.
    closes_on = parse_day(message.text or "", await surveys.today_of(before.survey))
    if closes_on is None:
        await message.answer(_("survey.manage.date_invalid"))
        return
    try:
        survey = await surveys.open(actor, before.survey.id, closes_on)
    except AccessDenied:
        await state.clear()
        raise
    except UserFacingError as error:
        await message.answer(error_text(error))
        return
    await state.clear()
    await drop_keyboard(bot, message.chat.id, data.get("question"))
    page = int(data.get("page", 0))
    await message.answer(
        card_text(SurveyOverview(survey, before.responses), opened_note(before.survey, survey)),
        reply_markup=card_keyboard(survey, page),
    )


def opened_note(before: Survey, after: Survey) -> str:
    closes = day(after.closes_on) if after.closes_on is not None else "—"
    if before.status is SurveyStatus.OPEN:
        return _("survey.manage.extend.done").format(date=closes)
    return _("survey.manage.open.done").format(date=closes)
