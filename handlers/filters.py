"""Filters shared by feature routers."""

from __future__ import annotations

from typing import Any

from aiogram.filters import CommandObject, Filter
from aiogram.types import Message

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
