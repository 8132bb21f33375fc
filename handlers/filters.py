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


def is_pasted_table(text: str) -> bool:
    """Rows copied from Word or Excel: cells apart by tabs, over several lines."""
    return "\t" in text and text.count("\n") >= 2


class PastedTable(Filter):
    """A table pasted into a message (a roadmap, most likely)."""

    async def __call__(self, message: Message) -> bool:
        return is_pasted_table(message.text or "")


class TypedAnswer(Filter):
    """Words typed in answer to a question: not a command (a command leaves the wait), not a
    pasted table (that is a table, whatever was asked), not a file."""

    async def __call__(self, message: Message) -> bool:
        text = message.text or ""
        return bool(text) and not text.startswith("/") and not is_pasted_table(text)


class Stray(Filter):
    """Neither words nor a file: a sticker, a voice note, a location. What a question that
    wants words or a button may answer with a hint; a command, a file or a pasted table goes
    on to whatever takes it."""

    async def __call__(self, message: Message) -> bool:
        text = message.text or ""
        if text.startswith("/") or is_pasted_table(text):
            return False
        return message.document is None and not message.photo


PRIVATE = Magic(F.chat.type == "private")
TEXT = Magic(F.text)
NOT_A_COMMAND = Magic(~F.text.startswith("/"))
TABLE = PastedTable()
TYPED_ANSWER = TypedAnswer()
STRAY = Stray()
DOCUMENT = Magic(F.document)
PHOTO = Magic(F.photo)
