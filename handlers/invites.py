"""Opening an invite link: "Вы — Шабанова Н.С.?" Да asks for consent to the processing of
personal data, and only «Да» to that links the account; Нет (not me) warns the inviter."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.filters import CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.settings import Settings
from core.deeplinks import DeepLink, DeepLinkKind
from handlers.callbacks import ConsentCallback, InviteAnswerCallback
from handlers.filters import PRIVATE, StartLink
from handlers.privacy import consent_keyboard, consent_text
from handlers.render import quote
from services.access import Actor, Permission
from services.people import AcceptOutcome, InviteState, PeopleService
from services.privacy import CONSENT_VERSION

logger = logging.getLogger(__name__)
_STATE_KEY = "invite_id"
# Set once the person said "это я": only then do the consent buttons of this invite work.
_CONSENT_KEY = "consent_for"


async def open_invite(
    message: Message, link: DeepLink, actor: Actor, people: PeopleService, state: FSMContext
) -> None:
    """The link's person is named and asked to confirm; a dead link is explained."""
    check = await people.check_invite(link.code)
    if check.state is not InviteState.VALID or check.invite is None or check.person is None:
        await message.answer(_(f"invite.{check.state.value}"))
        return
    person = check.person
    if actor.person is not None and actor.person.id == person.id:
        await message.answer(_("invite.already_you"))
        return
    description = ", ".join(
        part
        for part in (
            person.full_name,
            person.position,
            check.organisation.name if check.organisation else None,
        )
        if part
    )
    await state.set_data({_STATE_KEY: check.invite.id})
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("invite.button.yes"),
        callback_data=InviteAnswerCallback(invite_id=check.invite.id, accept=True),
    )
    builder.button(
        text=_("invite.button.no"),
        callback_data=InviteAnswerCallback(invite_id=check.invite.id, accept=False),
    )
    await message.answer(
        _("invite.question").format(description=quote(description)),
        reply_markup=builder.as_markup(),
    )


async def on_answer(
    callback: CallbackQuery,
    callback_data: InviteAnswerCallback,
    state: FSMContext,
    people: PeopleService,
    settings: Settings,
) -> None:
    """Да (it is me) leads to the consent question; Нет warns whoever made the invite. Only
    from the chat that opened this very link."""
    data = await state.get_data()
    if data.get(_STATE_KEY) != callback_data.invite_id or _CONSENT_KEY in data:
        await callback.answer(_("invite.not_yours"), show_alert=True)
        return
    user = callback.from_user
    if not callback_data.accept:
        await state.clear()
        await people.decline_invite(callback_data.invite_id, user.full_name)
        await callback.answer()
        if isinstance(callback.message, Message):
            await callback.message.edit_text(_("invite.declined"))
        return
    await state.update_data({_CONSENT_KEY: callback_data.invite_id})
    keyboard = consent_keyboard(
        ConsentCallback(invite_id=callback_data.invite_id, agree=True),
        ConsentCallback(invite_id=callback_data.invite_id, agree=False),
    )
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.edit_text(consent_text(settings), reply_markup=keyboard)


async def on_consent(
    callback: CallbackQuery,
    callback_data: ConsentCallback,
    state: FSMContext,
    people: PeopleService,
) -> None:
    """Да links the account and keeps the consent's version and date; Нет leaves the person
    unlinked, the invite still usable until it expires."""
    data = await state.get_data()
    if (
        data.get(_STATE_KEY) != callback_data.invite_id
        or data.get(_CONSENT_KEY) != callback_data.invite_id
    ):
        await callback.answer(_("invite.not_yours"), show_alert=True)
        return
    await state.clear()
    await callback.answer()
    if not callback_data.agree:
        if isinstance(callback.message, Message):
            await callback.message.edit_text(_("invite.consent.refused"))
        return
    user = callback.from_user
    result = await people.accept_invite(
        callback_data.invite_id, user.id, user.language_code, CONSENT_VERSION
    )
    if result.outcome is AcceptOutcome.LINKED and result.person is not None:
        text = _("invite.linked").format(name=quote(result.person.full_name))
        if len(result.person.accounts) > 1:
            # Linked on both messengers now: messages come here, the last linked.
            text += "\n\n" + _("invite.linked_both")
    elif result.outcome is AcceptOutcome.ACCOUNT_TAKEN and result.person is not None:
        text = _("invite.account_taken").format(name=quote(result.person.full_name))
    else:
        text = _("invite.used")
    if isinstance(callback.message, Message):
        await callback.message.edit_text(text)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(PRIVATE)
    anyone = {"permission": Permission.ANYONE}
    router.message.register(
        open_invite, CommandStart(deep_link=True), StartLink(DeepLinkKind.INVITE), flags=anyone
    )
    router.callback_query.register(on_answer, InviteAnswerCallback.filter(), flags=anyone)
    router.callback_query.register(on_consent, ConsentCallback.filter(), flags=anyone)
    return router
