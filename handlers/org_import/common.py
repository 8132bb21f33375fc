"""What receiving the list and its buttons share: the states, the file read again, the preview."""

from __future__ import annotations

import asyncio
import io
import logging
import secrets
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from handlers.org_import.views import preview_keyboard, preview_text
from schools import SchoolsReadError, SchoolsTable, read_schools
from services.access import Actor
from services.org_import import OrgImportService

logger = logging.getLogger(__name__)


class SchoolsFlow(StatesGroup):
    waiting_file = State()
    parent = State()
    preview = State()


async def download(bot: Bot, file_id: str) -> bytes:
    buffer = io.BytesIO()
    await bot.download(file_id, destination=buffer)
    return buffer.getvalue()


async def _read(bot: Bot, data: dict[str, Any]) -> SchoolsTable:
    """The list again from the file kept in FSM state (the state holds ids, not the rows)."""
    content = await download(bot, data["file_id"])
    return await asyncio.to_thread(read_schools, content, data["file_name"])


async def preview(
    message: Message,
    state: FSMContext,
    org_import: OrgImportService,
    actor: Actor,
    table: SchoolsTable,
    source: dict[str, Any],
    parent_id: int,
    *,
    edit: bool = False,
) -> None:
    plan = await org_import.preview(parent_id, table, actor)
    nonce = secrets.token_urlsafe(6)
    await state.set_state(SchoolsFlow.preview)
    await state.set_data(
        {
            "file_id": source["file_id"],
            "file_name": source["file_name"],
            "parent_id": parent_id,
            "nonce": nonce,
        }
    )
    text, keyboard = preview_text(plan), preview_keyboard(nonce)
    if edit:
        await message.edit_text(text, reply_markup=keyboard)
    else:
        await message.answer(text, reply_markup=keyboard)


async def read_again(
    bot: Bot, data: dict[str, Any], callback: CallbackQuery, state: FSMContext, actor: Actor
) -> SchoolsTable | None:
    """The list read again for a button press; None (and the person told) if it is gone."""
    try:
        return await _read(bot, data)
    except (SchoolsReadError, TelegramAPIError):
        logger.warning("schools list vanished for user %s", actor.telegram_user_id)
        await state.clear()
        if isinstance(callback.message, Message):
            await callback.message.edit_text(_("orgs.import.source_gone"))
        return None
