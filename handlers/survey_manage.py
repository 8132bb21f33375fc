"""/surveys: a coordinator creates a survey (template or file), opens, extends and closes it.

Every button carries a survey id only; the service checks, at each press, that this person
may manage that survey (AccessDenied otherwise). A definition being created lives in FSM state
until the class list is given; nothing is stored before that.
"""

from __future__ import annotations

import asyncio
import io
import logging
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from aiogram import Bot, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from core.dates import add_months, parse_day
from core.errors import UserFacingError
from core.qr import qr_png
from handlers.callbacks import (
    ResultsAction,
    ResultsCallback,
    SurveyAction,
    SurveyCallback,
    SurveyClosingCallback,
    SurveyTemplateCallback,
)
from handlers.filters import DOCUMENT, NOT_A_COMMAND, PRIVATE, TEXT
from handlers.render import day, finish_paged_keyboard, fit, page_of, quote, short
from handlers.states import SurveyFlow
from handlers.survey_post import post_keyboard, post_text, survey_link
from services.access import AccessDenied, Actor, Permission
from services.surveys import SurveyOverview, SurveyService
from storage.records import Survey
from surveys import loading
from surveys.model import (
    Audience,
    SurveyDefinition,
    SurveyStatus,
    definition_from_json,
    definition_to_json,
)

logger = logging.getLogger(__name__)

PAGE_SIZE = 8
# A survey definition is a few kilobytes; anything this large is not one.
MAX_DEFINITION_BYTES = 1024 * 1024
DEFINITION_SUFFIXES = (".yaml", ".yml", ".xlsx")
# Roadmaps are never YAML, so a YAML file sent at any time is a survey definition.
YAML_SUFFIXES = (".yaml", ".yml")
_CARD_QUESTIONS = 40

_STATUS_ICON = {SurveyStatus.DRAFT: "📝", SurveyStatus.OPEN: "🟢", SurveyStatus.CLOSED: "⏹"}


def _status_text(status: SurveyStatus) -> str:
    return _STATUS_ICON[status] + " " + _(f"survey.manage.status.{status.value}")


def _audience_text(audience: Audience) -> str:
    return _(f"survey.manage.audience.{audience.value}")


def _closing_text(survey: Survey) -> str:
    if survey.status is SurveyStatus.CLOSED and survey.closed_on is not None:
        return _("survey.manage.closed_on").format(date=day(survey.closed_on))
    if survey.closes_on is None:
        return _("survey.manage.no_date")
    return _("survey.manage.until").format(date=day(survey.closes_on))


# ----------------------------------------------------------------------------- views


def _list_view(overviews: list[SurveyOverview], page: int) -> tuple[str, InlineKeyboardMarkup]:
    shown, page, pages = page_of(overviews, page, PAGE_SIZE)
    lines = [_("survey.manage.list.title").format(page=page + 1, pages=pages), ""]
    builder = InlineKeyboardBuilder()
    for overview in shown:
        survey = overview.survey
        lines.append(
            _("survey.manage.list.line").format(
                icon=_STATUS_ICON[survey.status],
                title=quote(short(survey.title, 80)),
                status=_(f"survey.manage.status.{survey.status.value}"),
                count=overview.responses,
                closes=_closing_text(survey),
            )
        )
        builder.button(
            text=f"{_STATUS_ICON[survey.status]} {short(survey.title, 30)}",
            callback_data=SurveyCallback(action=SurveyAction.CARD, survey_id=survey.id, page=page),
        )
    if not overviews:
        lines.append(_("survey.manage.list.empty"))
    builder.button(
        text=_("survey.manage.button.new"),
        callback_data=SurveyCallback(action=SurveyAction.NEW, page=page),
    )
    keyboard = finish_paged_keyboard(
        builder,
        [1] * (len(shown) + 1),
        page,
        pages,
        lambda target: SurveyCallback(action=SurveyAction.LIST, page=target),
    )
    return fit(lines), keyboard


def _card_text(overview: SurveyOverview, note: str | None = None) -> str:
    survey = overview.survey
    definition = survey.definition
    classes = definition.segments.classes
    lines = [
        f"<b>{quote(survey.title)}</b>",
        _("survey.manage.card.status").format(status=_status_text(survey.status)),
        _("survey.manage.card.audience").format(audience=_audience_text(definition.audience)),
        _("survey.manage.card.classes").format(classes=quote(", ".join(classes)))
        if classes
        else _("survey.manage.card.no_classes"),
    ]
    if survey.opened_on is not None:
        lines.append(_("survey.manage.card.opened").format(date=day(survey.opened_on)))
    if survey.status is SurveyStatus.CLOSED and survey.closed_on is not None:
        lines.append(_("survey.manage.card.closed").format(date=day(survey.closed_on)))
    elif survey.closes_on is not None:
        lines.append(_("survey.manage.card.closes").format(date=day(survey.closes_on)))
    lines.append(_("survey.manage.card.responses").format(count=overview.responses))
    lines.append("")
    lines.append(_("survey.manage.card.questions").format(count=len(definition.questions)))
    for number, question in enumerate(definition.questions[:_CARD_QUESTIONS], start=1):
        lines.append(f"{number}. {quote(short(question.text, 80))}")
    if note:
        lines += ["", note]
    return fit(lines)


def _card_keyboard(survey: Survey, page: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()

    def button(key: str, action: SurveyAction) -> None:
        builder.button(
            text=_(key),
            callback_data=SurveyCallback(action=action, survey_id=survey.id, page=page),
        )

    if survey.status is SurveyStatus.DRAFT:
        button("survey.manage.button.open", SurveyAction.OPEN)
    if survey.status is SurveyStatus.OPEN:
        button("survey.manage.button.link", SurveyAction.LINK)
        button("survey.manage.button.post", SurveyAction.POST)
        button("survey.manage.button.extend", SurveyAction.EXTEND)
        button("survey.manage.button.close", SurveyAction.CLOSE)
    if survey.status is not SurveyStatus.DRAFT:
        builder.button(
            text=_("survey.manage.button.results"),
            callback_data=ResultsCallback(survey_id=survey.id, action=ResultsAction.SUMMARY),
        )
    button("survey.manage.button.refresh", SurveyAction.REFRESH)
    button("survey.manage.button.back", SurveyAction.LIST)
    builder.adjust(1)
    return builder.as_markup()


def _templates_view(page: int) -> tuple[str, InlineKeyboardMarkup]:
    lines = [_("survey.manage.new.title"), ""]
    builder = InlineKeyboardBuilder()
    for template in loading.builtin_templates():
        lines.append(
            _("survey.manage.new.template_line").format(
                title=quote(template.title),
                season=_(f"survey.manage.season.{template.season}"),
                questions=len(template.definition.questions),
            )
        )
        builder.button(
            text=short(template.title, 60), callback_data=SurveyTemplateCallback(key=template.key)
        )
    lines += ["", _("survey.manage.new.file_hint")]
    builder.button(
        text=_("survey.manage.button.from_file"),
        callback_data=SurveyCallback(action=SurveyAction.FROM_FILE, page=page),
    )
    builder.button(
        text=_("survey.manage.button.back"),
        callback_data=SurveyCallback(action=SurveyAction.LIST, page=page),
    )
    builder.adjust(1)
    return "\n".join(lines), builder.as_markup()


def _classes_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("survey.manage.button.no_classes"),
        callback_data=SurveyCallback(action=SurveyAction.NO_CLASSES),
    )
    return builder.as_markup()


@dataclass(frozen=True)
class _QuickDay:
    key: str
    day: date


def quick_closing_days(today: date, base: date) -> list[_QuickDay]:
    """The offered closing dates: a week, two weeks and a month after `base` (not before today).

    Opening counts from today; extending counts from the current closing date, so "ещё неделя"
    never shortens a survey.
    """
    start = max(today, base)
    return [
        _QuickDay("week", start + timedelta(days=7)),
        _QuickDay("two_weeks", start + timedelta(days=14)),
        _QuickDay("month", add_months(start, 1)),
    ]


def _date_question(
    survey: Survey, today: date, page: int, extending: bool
) -> tuple[str, InlineKeyboardMarkup]:
    base = survey.closes_on if extending and survey.closes_on is not None else today
    prefix = "survey.manage.extend" if extending else "survey.manage.open"
    builder = InlineKeyboardBuilder()
    for option in quick_closing_days(today, base):
        builder.button(
            text=_(f"{prefix}.quick_{option.key}").format(date=day(option.day)),
            callback_data=SurveyClosingCallback(
                survey_id=survey.id, closes_on=option.day.isoformat(), page=page
            ),
        )
    builder.button(
        text=_("survey.manage.button.cancel"),
        callback_data=SurveyCallback(action=SurveyAction.CARD, survey_id=survey.id, page=page),
    )
    builder.adjust(1)
    text = _(f"{prefix}.ask_date").format(
        title=quote(survey.title),
        current=day(survey.closes_on) if survey.closes_on is not None else "—",
    )
    return text, builder.as_markup()


def _close_question(survey: Survey, page: int) -> tuple[str, InlineKeyboardMarkup]:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("survey.manage.button.close_confirm"),
        callback_data=SurveyCallback(
            action=SurveyAction.CLOSE_CONFIRM, survey_id=survey.id, page=page
        ),
    )
    builder.button(
        text=_("survey.manage.button.close_keep"),
        callback_data=SurveyCallback(action=SurveyAction.CARD, survey_id=survey.id, page=page),
    )
    builder.adjust(1)
    return _("survey.manage.close.question").format(title=quote(survey.title)), (
        builder.as_markup()
    )


# ----------------------------------------------------------------------------- helpers


async def _edit(callback: CallbackQuery, text: str, keyboard: InlineKeyboardMarkup) -> None:
    if isinstance(callback.message, Message):
        try:
            await callback.message.edit_text(text, reply_markup=keyboard)
        except TelegramBadRequest as error:
            # «Обновить» with nothing new: the card already shows the latest.
            if "message is not modified" not in error.message:
                raise


async def _show_card(
    callback: CallbackQuery, overview: SurveyOverview, page: int, note: str | None = None
) -> None:
    await _edit(callback, _card_text(overview, note), _card_keyboard(overview.survey, page))


async def _leave_date_question(state: FSMContext) -> None:
    if await state.get_state() == SurveyFlow.closing_date.state:
        await state.clear()


def _error_text(error: UserFacingError) -> str:
    return _(error.key).format(**error.params)


# ----------------------------------------------------------------------------- the list and card


async def surveys_command(
    message: Message, actor: Actor, surveys: SurveyService, state: FSMContext
) -> None:
    """The list, first page; a creation left half-way is dropped."""
    if (await state.get_state() or "").startswith(f"{SurveyFlow.__name__}:"):
        await state.clear()
    text, keyboard = _list_view(await surveys.list_for(actor), 0)
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
        await _leave_date_question(state)
        await callback.answer()
        await _edit(callback, *_list_view(await surveys.list_for(actor), page))
    elif action is SurveyAction.NEW:
        await callback.answer()
        await _edit(callback, *_templates_view(page))
    elif action is SurveyAction.FROM_FILE:
        await _ask_for_file(callback, state)
    elif action is SurveyAction.NO_CLASSES:
        await _create_without_classes(callback, actor, surveys, state)
    else:
        await _on_survey_action(callback, callback_data, actor, surveys, state, bot)


async def _on_survey_action(
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
        await _show_card(
            callback,
            SurveyOverview(closed, overview.responses),
            page,
            _("survey.manage.close.done"),
        )
        return
    if action in (SurveyAction.CARD, SurveyAction.REFRESH):
        await _leave_date_question(state)
        await callback.answer(
            _("survey.manage.refreshed") if action is SurveyAction.REFRESH else None
        )
        await _show_card(callback, overview, page)
        return
    needed = SurveyStatus.DRAFT if action is SurveyAction.OPEN else SurveyStatus.OPEN
    if survey.status is not needed:
        # Someone else (or the closing job) changed it since this card was drawn.
        await callback.answer(_("survey.manage.status_changed"), show_alert=True)
        await _show_card(callback, overview, page)
        return
    if action in (SurveyAction.OPEN, SurveyAction.EXTEND):
        await callback.answer()
        await state.set_state(SurveyFlow.closing_date)
        question = callback.message.message_id if callback.message is not None else None
        await state.set_data({"survey_id": survey.id, "page": page, "question": question})
        extending = action is SurveyAction.EXTEND
        today = await surveys.today_of(survey)
        await _edit(callback, *_date_question(survey, today, page, extending))
    elif action is SurveyAction.CLOSE:
        await callback.answer()
        await _edit(callback, *_close_question(survey, page))
    elif action is SurveyAction.LINK:
        await _send_link(callback, survey, bot)
    elif action is SurveyAction.POST:
        await _send_post(callback, survey, bot)


async def _send_link(callback: CallbackQuery, survey: Survey, bot: Bot) -> None:
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


async def _send_post(callback: CallbackQuery, survey: Survey, bot: Bot) -> None:
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
    await _leave_date_question(state)
    note = _opened_note(before.survey, survey)
    await callback.answer()
    await _show_card(callback, SurveyOverview(survey, before.responses), callback_data.page, note)


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
        await _drop_keyboard(bot, message.chat.id, data.get("question"))
        await message.answer(
            _card_text(before, _("survey.manage.status_changed")),
            reply_markup=_card_keyboard(before.survey, int(data.get("page", 0))),
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
        await message.answer(_error_text(error))
        return
    await state.clear()
    await _drop_keyboard(bot, message.chat.id, data.get("question"))
    page = int(data.get("page", 0))
    await message.answer(
        _card_text(SurveyOverview(survey, before.responses), _opened_note(before.survey, survey)),
        reply_markup=_card_keyboard(survey, page),
    )


def _opened_note(before: Survey, after: Survey) -> str:
    closes = day(after.closes_on) if after.closes_on is not None else "—"
    if before.status is SurveyStatus.OPEN:
        return _("survey.manage.extend.done").format(date=closes)
    return _("survey.manage.open.done").format(date=closes)


# ----------------------------------------------------------------------------- creating


async def on_template(
    callback: CallbackQuery, callback_data: SurveyTemplateCallback, state: FSMContext
) -> None:
    """A built-in template chosen: the class list is asked next."""
    template = loading.builtin_template(callback_data.key)
    if template is None:
        await callback.answer(_("survey.manage.new.template_gone"), show_alert=True)
        return
    await callback.answer()
    await _ask_classes(state, template.definition)
    await _edit(
        callback,
        _("survey.manage.new.chosen").format(title=quote(template.title))
        + "\n\n"
        + _("survey.manage.classes.ask"),
        _classes_keyboard(),
    )


async def _ask_for_file(callback: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(SurveyFlow.definition_file)
    await state.set_data({})
    await callback.answer()
    if not isinstance(callback.message, Message):
        return
    await callback.message.answer(_("survey.manage.file.howto"))
    for name, content in loading.sample_files():
        await callback.message.answer_document(
            BufferedInputFile(content, filename=f"obrazec-oprosa{Path(name).suffix}")
        )


async def _ask_classes(state: FSMContext, definition: SurveyDefinition) -> None:
    await state.set_state(SurveyFlow.classes)
    await state.set_data({"definition": definition_to_json(definition)})


def _suffix(file_name: str) -> str:
    return Path(file_name.lower()).suffix


async def on_definition_file(
    message: Message, actor: Actor, surveys: SurveyService, state: FSMContext, bot: Bot
) -> None:
    """A survey file (.yaml, .yml, .xlsx): read, checked, then the class list is asked."""
    document = message.document
    assert document is not None
    file_name = document.file_name or ""
    if _suffix(file_name) not in DEFINITION_SUFFIXES:
        await message.answer(_("survey.manage.file.wrong_type"))
        return
    if document.file_size is not None and document.file_size > MAX_DEFINITION_BYTES:
        await message.answer(_("survey.manage.file.too_large"))
        return
    await _read_definition(
        message, actor, surveys, state, file_name, await _download(bot, message)
    )


async def on_excel_file(
    message: Message, actor: Actor, surveys: SurveyService, state: FSMContext, bot: Bot
) -> None:
    """An .xlsx sent outside the survey flow: the survey template is ours, a roadmap is not."""
    document = message.document
    assert document is not None
    if document.file_size is not None and document.file_size > MAX_DEFINITION_BYTES:
        raise SkipHandler  # larger than any survey template: a roadmap for the importer
    data = await _download(bot, message)
    if not await asyncio.to_thread(loading.is_survey_workbook, data):
        raise SkipHandler  # the roadmap importer reads it (and downloads it again)
    await _read_definition(message, actor, surveys, state, document.file_name or "", data)


async def _download(bot: Bot, message: Message) -> bytes:
    assert message.document is not None
    buffer = io.BytesIO()
    await bot.download(message.document.file_id, destination=buffer)
    return buffer.getvalue()


async def _read_definition(
    message: Message,
    actor: Actor,
    surveys: SurveyService,
    state: FSMContext,
    file_name: str,
    data: bytes,
) -> None:
    try:
        # Excel parsing is CPU work: off the event loop, so other chats keep answering.
        definition = await asyncio.to_thread(loading.load_definition, file_name, data)
    except loading.DefinitionError as error:
        await message.answer(_error_text(error) + "\n\n" + _("survey.manage.file.not_created"))
        return
    if definition.segments.classes:
        # The file already lists the classes: nothing more to ask.
        await state.clear()
        await _create(message, actor, surveys, definition)
        return
    await _ask_classes(state, definition)
    await message.answer(
        _("survey.manage.file.read").format(
            title=quote(definition.title), questions=len(definition.questions)
        )
        + "\n\n"
        + _("survey.manage.classes.ask"),
        reply_markup=_classes_keyboard(),
    )


async def on_file_expected(message: Message) -> None:
    """Text, a photo or a sticker where the survey file was expected."""
    await message.answer(_("survey.manage.file.expected"))


async def on_classes(
    message: Message, actor: Actor, surveys: SurveyService, state: FSMContext
) -> None:
    """The class list typed ("5а, 5б, 10 «а»") or "-" for none: then the draft is created."""
    text = (message.text or "").strip()
    definition = await _pending_definition(state)
    if definition is None:
        await state.clear()
        await message.answer(_("survey.manage.new.lost"))
        return
    try:
        # "-" or "нет" is an empty list: the class is not asked (as the button under it does).
        definition = loading.with_classes(definition, loading.parse_class_list(text))
    except loading.DefinitionError as error:
        await message.answer(_error_text(error) + "\n\n" + _("survey.manage.classes.again"))
        return
    await state.clear()
    await _create(message, actor, surveys, definition)


async def on_classes_not_text(message: Message) -> None:
    """A file or a sticker where the class list was expected."""
    await message.answer(_("survey.manage.classes.as_text"))


async def _create_without_classes(
    callback: CallbackQuery, actor: Actor, surveys: SurveyService, state: FSMContext
) -> None:
    definition = (
        await _pending_definition(state)
        if await state.get_state() == SurveyFlow.classes.state
        else None
    )
    if definition is None:
        await callback.answer(_("survey.manage.new.stale"), show_alert=True)
        return
    await state.clear()
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.edit_reply_markup(reply_markup=None)
        await _create(callback.message, actor, surveys, definition)


async def _pending_definition(state: FSMContext) -> SurveyDefinition | None:
    data: dict[str, Any] = await state.get_data()
    stored = data.get("definition")
    return definition_from_json(stored) if isinstance(stored, dict) else None


async def _create(
    message: Message, actor: Actor, surveys: SurveyService, definition: SurveyDefinition
) -> None:
    survey = await surveys.create(actor, definition)
    logger.info("user %s created survey %s", actor.telegram_user_id, survey.id)
    await message.answer(
        _card_text(SurveyOverview(survey, 0), _("survey.manage.new.created")),
        reply_markup=_card_keyboard(survey, 0),
    )


async def _is_xlsx(message: Message) -> bool:
    document = message.document
    return document is not None and _suffix(document.file_name or "") == ".xlsx"


async def _is_yaml(message: Message) -> bool:
    document = message.document
    return document is not None and _suffix(document.file_name or "") in YAML_SUFFIXES


async def _drop_keyboard(bot: Bot, chat_id: int, message_id: object) -> None:
    """Best effort: the date question's buttons go once a typed date has been taken."""
    if not isinstance(message_id, int):
        return
    try:
        await bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id)
    except TelegramAPIError:
        logger.debug("could not clear a keyboard in chat %s", chat_id)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(PRIVATE)
    manage = {"permission": Permission.MANAGE}
    not_a_command = NOT_A_COMMAND
    router.message.register(surveys_command, Command("surveys"), flags=manage)
    router.message.register(
        on_definition_file, StateFilter(SurveyFlow.definition_file), DOCUMENT, flags=manage
    )
    router.message.register(on_definition_file, DOCUMENT, _is_yaml, flags=manage)
    router.message.register(on_excel_file, DOCUMENT, _is_xlsx, flags=manage)
    router.message.register(
        on_file_expected, StateFilter(SurveyFlow.definition_file), not_a_command, flags=manage
    )
    router.message.register(
        on_classes, StateFilter(SurveyFlow.classes), TEXT, not_a_command, flags=manage
    )
    router.message.register(
        on_classes_not_text, StateFilter(SurveyFlow.classes), not_a_command, flags=manage
    )
    router.message.register(
        on_closing_date_text,
        StateFilter(SurveyFlow.closing_date),
        TEXT,
        not_a_command,
        flags=manage,
    )
    router.callback_query.register(on_survey_button, SurveyCallback.filter(), flags=manage)
    router.callback_query.register(on_template, SurveyTemplateCallback.filter(), flags=manage)
    router.callback_query.register(on_closing_day, SurveyClosingCallback.filter(), flags=manage)
    return router
