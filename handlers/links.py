"""Deep links into the bot (invites, surveys): https://t.me/<bot>?start=… on Telegram,
https://max.ru/<bot>?start=… on MAX; which one a bot is, its own id says (core.messengers)."""

from __future__ import annotations

from collections.abc import Mapping

from aiogram import Bot

from core.messengers import Messenger, messenger_of

_BASES = {Messenger.TELEGRAM: "https://t.me/", Messenger.MAX: "https://max.ru/"}
NAMES = {Messenger.TELEGRAM: "Telegram", Messenger.MAX: "MAX"}


async def deep_link(bot: Bot, payload: str) -> str:
    me = await bot.me()
    return f"{_BASES[messenger_of(me.id)]}{me.username}?start={payload}"


async def other_links(
    bot: Bot, messengers: Mapping[Messenger, Bot] | None, payload: str
) -> list[tuple[str, str]]:
    """(messenger's name, link) in the messengers this instance runs besides ``bot``'s: the
    same code works in either."""
    if not messengers:
        return []
    me = await bot.me()
    own = messenger_of(me.id)
    return [
        (NAMES[messenger], await deep_link(other, payload))
        for messenger, other in messengers.items()
        if messenger is not own
    ]
