"""/people: who is in the coordinator's organisations, and inviting, unlinking, switching off."""

from __future__ import annotations

from collections.abc import Mapping

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from core.deeplinks import DeepLink, DeepLinkKind
from core.messengers import Messenger
from core.models import Role
from core.qr import qr_png
from handlers.callbacks import PeopleAction, PeopleCallback
from handlers.filters import PRIVATE
from handlers.links import deep_link, other_links
from handlers.render import day, finish_paged_keyboard, fit, page_of, quote, short
from services.access import Actor, Permission
from services.people import LinkStatus, PeopleService, PersonEntry
from services.personal_data import PrivacyService
from storage.records import Person

PAGE_SIZE = 8

_STATUS_ICON = {
    LinkStatus.LINKED: "✅",
    LinkStatus.INVITED: "✉️",
    LinkStatus.NOT_INVITED: "⚪",
    LinkStatus.UNREACHABLE: "⚠️",
    LinkStatus.INACTIVE: "⛔",
}


def _status_text(status: LinkStatus) -> str:
    return _STATUS_ICON[status] + " " + _(f"people.status.{status.value}")


def _list_view(entries: list[PersonEntry], page: int) -> tuple[str, InlineKeyboardMarkup]:
    shown, page, pages = page_of(entries, page, PAGE_SIZE)
    counts = dict.fromkeys(LinkStatus, 0)
    for entry in entries:
        counts[entry.status] += 1
    lines = [
        _("people.title").format(page=page + 1, pages=pages),
        _("people.summary").format(
            total=len(entries),
            linked=counts[LinkStatus.LINKED],
            invited=counts[LinkStatus.INVITED],
            not_invited=counts[LinkStatus.NOT_INVITED],
        ),
        "",
    ]
    builder = InlineKeyboardBuilder()
    several = len({entry.person.organisation_id for entry in entries}) > 1
    heading: str | None = None
    for entry in shown:
        person = entry.person
        name = entry.organisation.name if entry.organisation else "—"
        if several and name != heading:
            heading = name
            lines.append(f"🏢 <i>{quote(short(name, 80))}</i>")
        position = f", {quote(short(person.position, 50))}" if person.position else ""
        lines.append(f"{_STATUS_ICON[entry.status]} <b>{quote(person.full_name)}</b>{position}")
        builder.button(
            text=f"{_STATUS_ICON[entry.status]} {short(person.full_name, 30)}",
            callback_data=PeopleCallback(action=PeopleAction.OPEN, person_id=person.id, page=page),
        )
    if not entries:
        lines.append(_("people.none"))
    keyboard = finish_paged_keyboard(
        builder,
        [2] * ((len(shown) + 1) // 2),
        page,
        pages,
        lambda target: PeopleCallback(action=PeopleAction.PAGE, page=target),
    )
    return fit(lines), keyboard


def _card_view(
    entry: PersonEntry, actor: Actor, page: int, has_duplicates: bool, erased_name: str
) -> tuple[str, InlineKeyboardMarkup]:
    person = entry.person
    lines = [
        f"<b>{quote(person.full_name)}</b>",
        quote(person.position) if person.position else "",
        _("people.card.organisation").format(
            name=quote(entry.organisation.name if entry.organisation else "—")
        ),
        _("people.card.role").format(role=_(f"role.{person.role.value}")),
        _("people.card.status").format(status=_status_text(entry.status)),
    ]
    if person.is_head:
        lines.append(_("people.card.head"))
    builder = InlineKeyboardBuilder()

    def button(key: str, action: PeopleAction) -> None:
        builder.button(
            text=_(key),
            callback_data=PeopleCallback(action=action, person_id=person.id, page=page),
        )

    if person.is_active:
        # A linked person too: to link their other messenger (Telegram and MAX), or a new phone.
        button("people.button.invite", PeopleAction.INVITE)
    if person.is_linked:
        button("people.button.unlink", PeopleAction.UNLINK)
    if person.is_active:
        button("people.button.deactivate", PeopleAction.DEACTIVATE)
    else:
        button("people.button.activate", PeopleAction.ACTIVATE)
    if not person.is_head and person.organisation_id is not None:
        button("people.button.head", PeopleAction.MAKE_HEAD)
    if has_duplicates:
        button("people.button.merge", PeopleAction.MERGE_PICK)
    if person.full_name != erased_name and not person.has_account(actor.telegram_user_id):
        button("people.button.erase", PeopleAction.ERASE_ASK)
    if actor.is_admin:
        if person.role is Role.COORDINATOR:
            button("people.button.executor", PeopleAction.MAKE_EXECUTOR)
        else:
            button("people.button.coordinator", PeopleAction.MAKE_COORDINATOR)
    button("people.button.back", PeopleAction.PAGE)
    builder.adjust(1)
    return "\n".join(line for line in lines if line), builder.as_markup()


async def people_command(message: Message, actor: Actor, people: PeopleService) -> None:
    """The list, first page."""
    text, keyboard = _list_view(await people.people(actor), 0)
    await message.answer(text, reply_markup=keyboard)


async def _edit(callback: CallbackQuery, text: str, keyboard: InlineKeyboardMarkup) -> None:
    if isinstance(callback.message, Message):
        await callback.message.edit_text(text, reply_markup=keyboard)


async def on_people_button(
    callback: CallbackQuery,
    callback_data: PeopleCallback,
    actor: Actor,
    people: PeopleService,
    privacy: PrivacyService,
    bot: Bot,
    messengers: Mapping[Messenger, Bot] | None = None,
) -> None:
    """Every button of the list and the card; each re-checks access at press time."""
    action, person_id, page = callback_data.action, callback_data.person_id, callback_data.page
    if action is PeopleAction.PAGE:
        await callback.answer()
        await _edit(callback, *_list_view(await people.people(actor), page))
        return
    if action is PeopleAction.INVITE:
        await _send_invite(callback, actor, people, bot, person_id, messengers)
        return
    if action is PeopleAction.MERGE_PICK:
        await callback.answer()
        await _edit(
            callback,
            *_merge_view(
                await people.entry(actor, person_id),
                await people.duplicates_of(actor, person_id),
                page,
            ),
        )
        return
    if action is PeopleAction.ERASE_ASK:
        await callback.answer()
        await _edit(callback, *_erase_view(await people.entry(actor, person_id), page))
        return
    if action is PeopleAction.ERASE:
        await privacy.erase(actor, person_id)
    if action is PeopleAction.MERGE:
        await people.merge(actor, person_id, callback_data.other_id)
    if action is PeopleAction.UNLINK:
        await people.unlink(actor, person_id)
    elif action in (PeopleAction.DEACTIVATE, PeopleAction.ACTIVATE):
        await people.set_active(actor, person_id, action is PeopleAction.ACTIVATE)
    elif action is PeopleAction.MAKE_HEAD:
        await people.make_head(actor, person_id)
    elif action is PeopleAction.MAKE_COORDINATOR:
        await people.set_role(actor, person_id, Role.COORDINATOR)
    elif action is PeopleAction.MAKE_EXECUTOR:
        await people.set_role(actor, person_id, Role.EXECUTOR)
    entry = await people.entry(actor, person_id)
    duplicates = await people.duplicates_of(actor, person_id)
    await callback.answer(_("people.saved") if action is not PeopleAction.OPEN else None)
    await _edit(callback, *_card_view(entry, actor, page, bool(duplicates), privacy.erased_name))


def _erase_view(entry: PersonEntry, page: int) -> tuple[str, InlineKeyboardMarkup]:
    """Asked before erasing: it cannot be undone."""
    person = entry.person
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("people.button.erase_confirm"),
        callback_data=PeopleCallback(action=PeopleAction.ERASE, person_id=person.id, page=page),
    )
    builder.button(
        text=_("people.button.back"),
        callback_data=PeopleCallback(action=PeopleAction.OPEN, person_id=person.id, page=page),
    )
    builder.adjust(1)
    return _("people.erase.question").format(name=quote(person.full_name)), builder.as_markup()


def _merge_view(
    entry: PersonEntry, duplicates: list[Person], page: int
) -> tuple[str, InlineKeyboardMarkup]:
    person = entry.person
    builder = InlineKeyboardBuilder()
    for other in duplicates:
        position = f", {short(other.position, 30)}" if other.position else ""
        builder.button(
            text=f"🔀 {short(other.full_name, 30)}{position}",
            callback_data=PeopleCallback(
                action=PeopleAction.MERGE, person_id=person.id, other_id=other.id, page=page
            ),
        )
    builder.button(
        text=_("people.button.back"),
        callback_data=PeopleCallback(action=PeopleAction.OPEN, person_id=person.id, page=page),
    )
    builder.adjust(1)
    return _("people.merge.question").format(name=quote(person.full_name)), builder.as_markup()


async def _send_invite(
    callback: CallbackQuery,
    actor: Actor,
    people: PeopleService,
    bot: Bot,
    person_id: int,
    messengers: Mapping[Messenger, Bot] | None,
) -> None:
    issued = await people.issue_invite(actor, person_id)
    payload = DeepLink(DeepLinkKind.INVITE, issued.code).payload()
    link = await deep_link(bot, payload)
    text = _("people.invite.text").format(
        name=quote(issued.person.full_name),
        link=quote(link),
        until=day(issued.invite.expires_at),
    )
    for name, other in await other_links(bot, messengers, payload):
        text += "\n" + _("people.invite.also").format(messenger=name, link=quote(other))
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.answer(text)
        await callback.message.answer_photo(
            BufferedInputFile(qr_png(link), filename="invite.png"),
            caption=_("people.invite.qr").format(name=quote(issued.person.full_name)),
        )


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(PRIVATE)
    manage = {"permission": Permission.MANAGE}
    router.message.register(people_command, Command("people"), flags=manage)
    router.callback_query.register(on_people_button, PeopleCallback.filter(), flags=manage)
    return router
