"""/here: someone linked on both Telegram and MAX gets their messages where they send it."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from core.messengers import messenger_of
from handlers.filters import PRIVATE
from handlers.links import NAMES
from services.access import Actor, Permission
from services.people import PeopleService


async def here_command(message: Message, actor: Actor, people: PeopleService) -> None:
    person = await people.deliver_here(actor)
    others = [NAMES[messenger_of(a)] for a in person.accounts if a != actor.telegram_user_id]
    if not others:
        await message.answer(_("here.only_one"))
        return
    await message.answer(
        _("here.done").format(messenger=NAMES[messenger_of(actor.telegram_user_id)])
    )


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(PRIVATE)
    router.message.register(here_command, Command("here"), flags={"permission": Permission.STAFF})
    return router
