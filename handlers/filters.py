"""Filters shared by feature routers."""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.filters import CommandObject, Filter
from aiogram.types import Message, TelegramObject
from aiogram.utils.magic_filter import MagicFilter

from core.deeplinks import DeepLinkKind, parse_start_payload


class StartLink(Filter):
    """`/start <payload>` whose payload is a link of this kind; hands the handler `link`."""

    def __init__(self, kind: DeepLinkKind) -> None:
        self.kind = kind

    async def __call__(
        self, message: Message, command: CommandObject | None = None
    ) -> bool | dict[str, Any]:
        if command is None or not command.args:
            return False
        link = parse_start_payload(command.args)
        if link is None or link.kind is not self.kind:
            return False
        return {"link": link}


class Magic(Filter):
    """A magic filter (`F.text`, `F.chat.type == "private"`) checked on the event loop.

    Given bare, aiogram treats a magic filter as a plain function and runs every check in a
    worker thread (`asyncio.to_thread`): a thread round trip per filter per update, ten or
    more for a message that walks the routers. Wrapped, it is one attribute lookup.
    `tests/unit/test_filters_on_loop.py` keeps every filter this way.
    """

    def __init__(self, magic: MagicFilter) -> None:
        self.magic = magic

    async def __call__(self, event: TelegramObject) -> Any:
        return self.magic.resolve(event)


PRIVATE = Magic(F.chat.type == "private")
TEXT = Magic(F.text)
NOT_A_COMMAND = Magic(~F.text.startswith("/"))
DOCUMENT = Magic(F.document)
PHOTO = Magic(F.photo)
