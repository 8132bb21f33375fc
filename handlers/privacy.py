"""/privacy: who keeps which personal data here, why, for how long, and how to have it deleted."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.settings import Settings
from handlers.callbacks import ConsentAgainCallback
from handlers.render import quote
from services.access import Actor, Permission
from services.people import PeopleService
from services.privacy import CONSENT_VERSION, Operator, needs_consent


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


def consent_keyboard(agree: CallbackData, refuse: CallbackData) -> InlineKeyboardMarkup:
    """«Да, согласен» and «Нет», in one row: at an invite and for a person linked without."""
    builder = InlineKeyboardBuilder()
    builder.button(text=_("invite.consent.yes"), callback_data=agree)
    builder.button(text=_("invite.consent.no"), callback_data=refuse)
    builder.adjust(2)
    return builder.as_markup()


async def ask_consent(event: Message | CallbackQuery, settings: Settings) -> None:
    """Instead of what a linked person with no consent on record asked for: the question."""
    text = _("privacy.consent.again").format(**_operator_fields(settings))
    if isinstance(event, CallbackQuery):
        await event.answer(_("privacy.consent.again.first"), show_alert=True)
        if event.message is not None:
            await event.message.answer(text, reply_markup=_consent_again_keyboard())
        return
    await event.answer(text, reply_markup=_consent_again_keyboard())


def _consent_again_keyboard() -> InlineKeyboardMarkup:
    return consent_keyboard(ConsentAgainCallback(agree=True), ConsentAgainCallback(agree=False))


async def on_consent_again(
    callback: CallbackQuery,
    callback_data: ConsentAgainCallback,
    actor: Actor | None,
    people: PeopleService,
) -> None:
    """Да keeps the consent's version and date; Нет unlinks the account."""
    if not needs_consent(actor) or actor is None:
        await callback.answer(_("privacy.consent.again.done"), show_alert=True)
        return
    if callback_data.agree:
        await people.record_consent(actor, CONSENT_VERSION)
        answer = _("privacy.consent.again.thanks")
    else:
        await people.refuse_consent(actor)
        answer = _("privacy.consent.again.refused")
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.edit_text(answer)


async def privacy_command(message: Message, settings: Settings) -> None:
    """The privacy notice, for anyone: linked or not."""
    await message.answer(notice_text(settings))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(
        privacy_command, Command("privacy"), flags={"permission": Permission.ANYONE}
    )
    router.callback_query.register(
        on_consent_again,
        ConsentAgainCallback.filter(),
        flags={"permission": Permission.ANYONE},
    )
    return router
