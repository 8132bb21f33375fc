"""/start and /help: the first conversation."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram import Router
from aiogram.filters import Command, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.text_decorations import html_decoration

from core.models import Role
from handlers.filters import PRIVATE
from services.access import Actor, Permission, allows

_HELP_FOOTERS = {
    Role.ADMIN: "help.footer.coordinator",
    Role.COORDINATOR: "help.footer.coordinator",
    Role.EXECUTOR: "help.footer.executor",
    Role.OBSERVER: "help.footer.observer",
}


@dataclass(frozen=True)
class MenuCommands:
    """The menu's commands, in menu order, each with the permission its handler needs."""

    commands: tuple[tuple[str, Permission], ...]

    def usable_by(self, actor: Actor) -> list[str]:
        return [name for name, permission in self.commands if allows(permission, actor)]


def _greeting_name(message: Message, actor: Actor) -> str:
    if actor.person is not None:
        return html_decoration.quote(actor.person.full_name)
    user = message.from_user
    return html_decoration.quote(user.first_name if user is not None else "")


async def start_with_unknown_link(message: Message) -> None:
    """A link no feature recognised: old, mistyped or not ours."""
    await message.answer(_("start.unknown_link"))


async def start(message: Message, actor: Actor) -> None:
    """Welcome that fits who is writing."""
    name = _greeting_name(message, actor)
    if actor.is_admin:
        text = _("start.admin").format(name=name)
    elif actor.role is Role.COORDINATOR:
        text = _("start.coordinator").format(name=name)
    elif actor.role in (Role.EXECUTOR, Role.OBSERVER):
        text = _("start.executor").format(name=name)
    else:
        text = _("start.stranger").format(name=name)
    await message.answer(text)


async def help_command(message: Message, actor: Actor, menu: MenuCommands) -> None:
    """Exactly the commands this person may use, and what else they can do here."""
    role = actor.role
    if role is None:
        await message.answer(_("help.stranger"))
        return
    lines = [_("help.title")]
    lines += [f"/{name} — {_(f'help.command.{name}')}" for name in menu.usable_by(actor)]
    await message.answer("\n".join(lines) + "\n\n" + _(_HELP_FOOTERS[role]))


async def cancel_command(message: Message, state: FSMContext) -> None:
    """/cancel: leaves whatever flow this chat was in."""
    if await state.get_state() is None:
        await message.answer(_("cancel.nothing"))
        return
    await state.clear()
    await message.answer(_("cancel.done"))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(PRIVATE)
    anyone = {"permission": Permission.ANYONE}
    router.message.register(start_with_unknown_link, CommandStart(deep_link=True), flags=anyone)
    router.message.register(start, CommandStart(), flags=anyone)
    router.message.register(help_command, Command("help"), flags=anyone)
    router.message.register(cancel_command, Command("cancel"), flags=anyone)
    return router
