"""Whatever no feature took: a hint instead of silence."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from handlers.filters import PRIVATE
from services.access import Permission


async def unrecognised_message(message: Message) -> None:
    """Text, files or stickers the bot has no use for here."""
    await message.answer(_("fallback.message"))


async def stale_button(callback: CallbackQuery) -> None:
    """A button from an old message, or one this bot version no longer knows."""
    await callback.answer(_("fallback.stale_button"), show_alert=True)


def create_router() -> Router:
    router = Router(name=__name__)
    anyone = {"permission": Permission.ANYONE}
    router.message.register(unrecognised_message, PRIVATE, flags=anyone)
    router.callback_query.register(stale_button, flags=anyone)
    return router
