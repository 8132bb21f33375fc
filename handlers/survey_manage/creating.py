"""Creating a survey: a template or a file (YAML or Excel), then the class list."""

from __future__ import annotations

import asyncio
import io
import logging
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    Message,
)
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import (
    SurveyTemplateCallback,
)
from handlers.render import quote
from handlers.states import SurveyFlow
from handlers.survey_manage.views import (
    card_keyboard,
    card_text,
    classes_keyboard,
    edit,
    error_text,
)
from services.access import Actor
from services.surveys import SurveyOverview, SurveyService
from surveys import loading
from surveys.model import (
    SurveyDefinition,
    definition_from_json,
    definition_to_json,
)

logger = logging.getLogger(__name__)

MAX_DEFINITION_BYTES = 1024 * 1024
DEFINITION_SUFFIXES = (".yaml", ".yml", ".xlsx")
# Roadmaps are never YAML, so a YAML file sent at any time is a survey definition.
YAML_SUFFIXES = (".yaml", ".yml")


async def on_template(
    callback: CallbackQuery, callback_data: SurveyTemplateCallback, state: FSMContext
) -> None:
    """A built-in template chosen: the class list is asked next."""
    template = loading.builtin_template(callback_data.key)
    if template is None:
        await callback.answer(_("survey.manage.new.template_gone"), show_alert=True)
        return
    await callback.answer()
    await ask_classes(state, template.definition)
    await edit(
        callback,
        _("survey.manage.new.chosen").format(title=quote(template.title))
        + "\n\n"
        + _("survey.manage.classes.ask"),
        classes_keyboard(),
    )


async def ask_for_file(callback: CallbackQuery, state: FSMContext) -> None:
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


async def ask_classes(state: FSMContext, definition: SurveyDefinition) -> None:
    await state.set_state(SurveyFlow.classes)
    await state.set_data({"definition": definition_to_json(definition)})


def suffix(file_name: str) -> str:
    return Path(file_name.lower()).suffix


async def on_definition_file(
    message: Message, actor: Actor, surveys: SurveyService, state: FSMContext, bot: Bot
) -> None:
    """A survey file (.yaml, .yml, .xlsx): read, checked, then the class list is asked."""
    document = message.document
    assert document is not None
    file_name = document.file_name or ""
    if suffix(file_name) not in DEFINITION_SUFFIXES:
        await message.answer(_("survey.manage.file.wrong_type"))
        return
    if document.file_size is not None and document.file_size > MAX_DEFINITION_BYTES:
        await message.answer(_("survey.manage.file.too_large"))
        return
    await read_definition(message, actor, surveys, state, file_name, await download(bot, message))


async def on_excel_file(
    message: Message, actor: Actor, surveys: SurveyService, state: FSMContext, bot: Bot
) -> None:
    """An .xlsx sent outside the survey flow: the survey template is ours, a roadmap is not."""
    document = message.document
    assert document is not None
    if document.file_size is not None and document.file_size > MAX_DEFINITION_BYTES:
        raise SkipHandler  # larger than any survey template: a roadmap for the importer
    data = await download(bot, message)
    if not await asyncio.to_thread(loading.is_survey_workbook, data):
        raise SkipHandler  # the roadmap importer reads it (and downloads it again)
    await read_definition(message, actor, surveys, state, document.file_name or "", data)


async def download(bot: Bot, message: Message) -> bytes:
    assert message.document is not None
    buffer = io.BytesIO()
    await bot.download(message.document.file_id, destination=buffer)
    return buffer.getvalue()


async def read_definition(
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
        await message.answer(error_text(error) + "\n\n" + _("survey.manage.file.not_created"))
        return
    if definition.segments.classes:
        # The file already lists the classes: nothing more to ask.
        await state.clear()
        await create(message, actor, surveys, definition)
        return
    await ask_classes(state, definition)
    await message.answer(
        _("survey.manage.file.read").format(
            title=quote(definition.title), questions=len(definition.questions)
        )
        + "\n\n"
        + _("survey.manage.classes.ask"),
        reply_markup=classes_keyboard(),
    )


async def on_file_expected(message: Message) -> None:
    """Text, a photo or a sticker where the survey file was expected."""
    await message.answer(_("survey.manage.file.expected"))


async def on_classes(
    message: Message, actor: Actor, surveys: SurveyService, state: FSMContext
) -> None:
    """The class list typed ("5а, 5б, 10 «а»") or "-" for none: then the draft is created."""
    text = (message.text or "").strip()
    definition = await pending_definition(state)
    if definition is None:
        await state.clear()
        await message.answer(_("survey.manage.new.lost"))
        return
    try:
        # "-" or "нет" is an empty list: the class is not asked (as the button under it does).
        definition = loading.with_classes(definition, loading.parse_class_list(text))
    except loading.DefinitionError as error:
        await message.answer(error_text(error) + "\n\n" + _("survey.manage.classes.again"))
        return
    await state.clear()
    await create(message, actor, surveys, definition)


async def on_classes_not_text(message: Message) -> None:
    """A file or a sticker where the class list was expected."""
    await message.answer(_("survey.manage.classes.as_text"))


async def create_without_classes(
    callback: CallbackQuery, actor: Actor, surveys: SurveyService, state: FSMContext
) -> None:
    definition = (
        await pending_definition(state)
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
        await create(callback.message, actor, surveys, definition)


async def pending_definition(state: FSMContext) -> SurveyDefinition | None:
    data: dict[str, Any] = await state.get_data()
    stored = data.get("definition")
    return definition_from_json(stored) if isinstance(stored, dict) else None


async def create(
    message: Message, actor: Actor, surveys: SurveyService, definition: SurveyDefinition
) -> None:
    survey = await surveys.create(actor, definition)
    logger.info("user %s created survey %s", actor.telegram_user_id, survey.id)
    await message.answer(
        card_text(SurveyOverview(survey, 0), _("survey.manage.new.created")),
        reply_markup=card_keyboard(survey, 0),
    )


async def is_xlsx(message: Message) -> bool:
    document = message.document
    return document is not None and suffix(document.file_name or "") == ".xlsx"


async def is_yaml(message: Message) -> bool:
    document = message.document
    return document is not None and suffix(document.file_name or "") in YAML_SUFFIXES
