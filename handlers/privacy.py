"""/privacy: who keeps which personal data here, why, for how long, and how to have it deleted."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.settings import Settings
from handlers.render import quote
from services.access import Permission
from services.privacy import CONSENT_VERSION, Operator


def _operator_fields(settings: Settings) -> dict[str, str]:
    operator = Operator.from_settings(settings.operator_name, settings.operator_contacts)
    unknown = _("privacy.operator.unknown")
    return {
        "operator": quote(operator.name) if operator.name else unknown,
        "contacts": quote(operator.contacts) if operator.contacts else unknown,
        "version": CONSENT_VERSION,
    }


def notice_text(settings: Settings) -> str:
    return _("privacy.notice").format(**_operator_fields(settings))


def consent_text(settings: Settings) -> str:
    """The notice in brief and the consent question, shown before an invite links anyone."""
    return _("privacy.consent.question").format(**_operator_fields(settings))


async def privacy_command(message: Message, settings: Settings) -> None:
    """The privacy notice, for anyone: linked or not."""
    await message.answer(notice_text(settings))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(
        privacy_command, Command("privacy"), flags={"permission": Permission.ANYONE}
    )
    return router
