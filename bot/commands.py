"""The command menu Telegram shows next to the message field, in each catalog language."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BotCommand

from bot.i18n import DEFAULT_LOCALE, CatalogI18n

MENU = (
    "start",
    "tasks",
    "status",
    "roadmap",
    "surveys",
    "results",
    "people",
    "orgs",
    "help",
    "cancel",
)


def menu_for(i18n: CatalogI18n, locale: str) -> list[BotCommand]:
    return [
        BotCommand(command=name, description=i18n.gettext(f"command.{name}", locale=locale))
        for name in MENU
    ]


async def register_commands(bot: Bot, i18n: CatalogI18n) -> None:
    await bot.set_my_commands(menu_for(i18n, DEFAULT_LOCALE))
    for locale in i18n.available_locales:
        await bot.set_my_commands(menu_for(i18n, locale), language_code=locale)
