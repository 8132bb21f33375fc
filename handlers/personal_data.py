"""/mydata: everything kept about the person, as a file; /forgetme: asking to be erased."""

from __future__ import annotations

import json
from typing import Any

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, Message
from aiogram.utils.i18n import gettext as _

from handlers.filters import PRIVATE
from services.access import Actor, Permission
from services.personal_data import PrivacyService


def _document(data: dict[str, Any]) -> bytes:
    document = {
        "about": _("mydata.about"),
        **data,
        "survey_answers": _("mydata.surveys"),
    }
    return json.dumps(document, ensure_ascii=False, indent=2, default=str).encode()


async def mydata_command(message: Message, actor: Actor, privacy: PrivacyService) -> None:
    """The person's data as a JSON file."""
    data = await privacy.export(actor)
    await message.answer_document(
        BufferedInputFile(_document(data), filename="mydata.json"),
        caption=_("mydata.caption"),
    )


async def forgetme_command(message: Message, actor: Actor, privacy: PrivacyService) -> None:
    """The request goes to the organisation's coordinators, who erase."""
    request = await privacy.request_forget(actor)
    await message.answer(_("forgetme.sent") if request.told else _("forgetme.nobody"))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(PRIVATE)
    staff = {"permission": Permission.STAFF}
    router.message.register(mydata_command, Command("mydata"), flags=staff)
    router.message.register(forgetme_command, Command("forgetme"), flags=staff)
    return router
