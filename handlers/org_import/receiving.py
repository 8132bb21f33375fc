"""The list arriving, asked for from /orgs or sent unasked: read, then placed or previewed."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import PurePath

from aiogram import Bot
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from handlers.org_import.common import SchoolsFlow, download, preview
from handlers.org_import.views import parent_keyboard
from schools import SchoolsReadError, is_schools_list, read_schools
from services.access import AccessDenied, Actor
from services.org_import import OrgImportService
from texts.organisations import schools_error_text

# Telegram lets bots download files up to 20 MB (as the roadmap importer says).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# What a list sent unasked may be called ("" : a phone may drop the extension).
_LIST_SUFFIXES = frozenset({"", ".csv", ".xlsx", ".xlsm", ".txt", ".tsv"})


async def on_start(
    callback: CallbackQuery, actor: Actor, org_import: OrgImportService, state: FSMContext
) -> None:
    """📥 Загрузить список школ: asks for the file."""
    if not await org_import.parents(actor):
        raise AccessDenied("orgs.import.nowhere")
    await state.set_state(SchoolsFlow.waiting_file)
    await state.set_data({})
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.answer(_("orgs.import.ask_file"))


async def on_document(
    message: Message,
    bot: Bot,
    actor: Actor,
    org_import: OrgImportService,
    state: FSMContext,
) -> None:
    """A file: a schools list is previewed; anything else goes on to the other importers."""
    document = message.document
    assert document is not None
    asked = await state.get_state() == SchoolsFlow.waiting_file.state
    if document.file_size is not None and document.file_size > MAX_UPLOAD_BYTES:
        if not asked:
            raise SkipHandler  # the roadmap importer explains the limit
        await message.answer(_("orgs.import.too_large"))
        return
    file_name = document.file_name or ""
    if not asked and PurePath(file_name).suffix.lower() not in _LIST_SUFFIXES:
        raise SkipHandler  # a Word file, a picture, a survey: not worth downloading here
    content = await download(bot, document.file_id)
    # Parsing is CPU work: off the event loop, so other chats keep answering.
    if not asked and not await asyncio.to_thread(is_schools_list, content, file_name):
        raise SkipHandler  # a roadmap or a survey: the next routers read it (and download it)
    try:
        table = await asyncio.to_thread(read_schools, content, file_name)
    except SchoolsReadError as error:
        await message.answer(schools_error_text(error))
        return
    parents = await org_import.parents(actor)
    if not parents:
        await state.clear()
        raise AccessDenied("orgs.import.nowhere")
    source = {"file_id": document.file_id, "file_name": file_name}
    if len(parents) == 1:
        await preview(message, state, org_import, actor, table, source, parents[0].id)
        return
    nonce = secrets.token_urlsafe(6)
    await state.set_state(SchoolsFlow.parent)
    await state.set_data({**source, "nonce": nonce})
    await message.answer(
        _("orgs.import.ask_parent").format(count=len(table.rows)),
        reply_markup=parent_keyboard(parents, nonce),
    )


async def on_file_expected(message: Message) -> None:
    """Text, a photo or a sticker where the list's file was expected."""
    await message.answer(_("orgs.import.file_expected"))
