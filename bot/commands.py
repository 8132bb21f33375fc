"""The command menu Telegram shows next to the message field, in each catalog language, and
which menu commands each permission reaches (read from the registrations themselves)."""

from __future__ import annotations

from collections.abc import Iterator

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import BotCommand

from bot.i18n import DEFAULT_LOCALE, CatalogI18n
from handlers.start import MenuCommands
from services.access import Permission

MENU = (
    "start",
    "tasks",
    "status",
    "report",
    "roadmap",
    "surveys",
    "results",
    "people",
    "orgs",
    "mydata",
    "forgetme",
    "help",
    "privacy",
    "cancel",
)


def menu_for(i18n: CatalogI18n, locale: str) -> list[BotCommand]:
    return [
        BotCommand(command=name, description=i18n.gettext(f"command.{name}", locale=locale))
        for name in MENU
    ]


def menu_permissions(root: Router) -> MenuCommands:
    """Each menu command with the permission its handler is registered with, in menu order:
    /help lists what the reader may use from the same registrations that let them use it."""
    found: dict[str, Permission] = {}
    for router in _routers(root):
        for handler in router.message.handlers:
            permission = handler.flags.get("permission")
            for filter_ in handler.filters or ():
                if isinstance(filter_.callback, Command) and permission is not None:
                    for name in filter_.callback.commands:
                        if isinstance(name, str) and name in MENU:
                            found.setdefault(name, Permission(permission))
    return MenuCommands(tuple((name, found[name]) for name in MENU if name in found))


def _routers(router: Router) -> Iterator[Router]:
    yield router
    for child in router.sub_routers:
        yield from _routers(child)


async def register_commands(bot: Bot, i18n: CatalogI18n) -> None:
    await bot.set_my_commands(menu_for(i18n, DEFAULT_LOCALE))
    for locale in i18n.available_locales:
        await bot.set_my_commands(menu_for(i18n, locale), language_code=locale)
