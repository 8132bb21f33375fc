"""Adding an organisation in a few taps: the name typed, then its kind, then where it belongs."""

from __future__ import annotations

from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.settings import Settings
from core.models import OrganisationKind
from core.organisation_names import NAME_MAX_LENGTH, NAME_MIN_LENGTH, clean_name, name_fits
from handlers.callbacks import OrgKindCallback, OrgParentCallback
from handlers.organisations.common import OrganisationFlow, kinds_to_add, parent_choices
from handlers.organisations.views import kind_keyboard, line, parent_keyboard
from handlers.render import quote
from services.access import AccessDenied, Actor
from services.organisations import sibling_named
from services.people import PeopleService, may_contain
from storage.records import Organisation


async def on_add(
    callback: CallbackQuery, actor: Actor, people: PeopleService, state: FSMContext
) -> None:
    """➕ Добавить организацию: asks for the name."""
    if not kinds_to_add(actor, await people.organisations(actor)):
        raise AccessDenied("orgs.add.nowhere")
    await state.set_state(OrganisationFlow.name)
    await state.set_data({})
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.answer(_("orgs.add.ask_name"))


async def on_name(
    message: Message, actor: Actor, people: PeopleService, state: FSMContext
) -> None:
    """The name typed: checked, then the kind is asked with buttons."""
    name = clean_name(message.text or "")
    if not name_fits(name):
        await message.answer(
            _("orgs.add.name_invalid").format(min=NAME_MIN_LENGTH, max=NAME_MAX_LENGTH)
        )
        return
    kinds = kinds_to_add(actor, await people.organisations(actor))
    if not kinds:
        await state.clear()
        raise AccessDenied("orgs.add.nowhere")
    question = await message.answer(
        _("orgs.add.ask_kind").format(name=quote(name)), reply_markup=kind_keyboard(kinds)
    )
    await state.set_state(OrganisationFlow.kind)
    # The question's buttons are the only ones that count: those of an older one are stale.
    await state.set_data({"name": name, "question": question.message_id})


async def on_name_not_text(message: Message) -> None:
    """A photo, a sticker or a file where the name was expected."""
    await message.answer(_("orgs.add.name_as_text"))


async def on_kind(
    callback: CallbackQuery,
    callback_data: OrgKindCallback,
    actor: Actor,
    people: PeopleService,
    state: FSMContext,
    settings: Settings,
) -> None:
    """Регион / Муниципалитет / Школа: then where it belongs, unless only the top level fits."""
    data = await state.get_data()
    name = data.get("name")
    if not isinstance(name, str) or not _is_the_question(callback, data):
        await on_stale_button(callback)
        return
    kind = callback_data.kind
    organisations = await people.organisations(actor)
    if kind not in kinds_to_add(actor, organisations):
        raise AccessDenied("access.denied")
    choices = parent_choices(organisations, kind)
    if not choices:
        # Only administrators get here (kinds_to_add): a region, or a first organisation.
        await _create(callback, actor, people, state, settings, name, kind, None)
        return
    await state.set_state(OrganisationFlow.parent)
    await state.set_data({**data, "kind": kind.value})
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.edit_text(
            _("orgs.add.ask_parent").format(name=quote(name)),
            reply_markup=parent_keyboard(choices, top_level=actor.is_admin),
        )


async def on_parent(
    callback: CallbackQuery,
    callback_data: OrgParentCallback,
    actor: Actor,
    people: PeopleService,
    state: FSMContext,
    settings: Settings,
) -> None:
    """The parent pressed: checked again now (the data carry an id, never a right)."""
    data = await state.get_data()
    name, kind = data.get("name"), data.get("kind")
    if (
        not isinstance(name, str)
        or not isinstance(kind, str)
        or not _is_the_question(callback, data)
    ):
        await on_stale_button(callback)
        return
    await _create(
        callback,
        actor,
        people,
        state,
        settings,
        name,
        OrganisationKind(kind),
        callback_data.parent_id,
    )


async def _create(
    callback: CallbackQuery,
    actor: Actor,
    people: PeopleService,
    state: FSMContext,
    settings: Settings,
    name: str,
    kind: OrganisationKind,
    parent_id: int | None,
) -> None:
    organisations = await people.organisations(actor)
    parent: Organisation | None = None
    if parent_id is None:
        if not actor.is_admin:
            raise AccessDenied("access.denied")
    else:
        parent = next((o for o in organisations if o.id == parent_id), None)
        if parent is None:
            raise AccessDenied("access.denied")
        if not may_contain(parent.kind, kind):
            raise AccessDenied("orgs.add.wrong_parent")
    await state.clear()
    existing = sibling_named(organisations, name, parent_id)
    if existing is not None:
        text = _("orgs.add.exists").format(name=quote(existing.name))
    else:
        created = await people.add_organisation(
            actor,
            name=name,
            kind=kind,
            timezone=parent.timezone if parent is not None else settings.timezone,
            parent_id=parent_id,
        )
        place = (
            _("orgs.add.under").format(parent=quote(parent.name))
            if parent is not None
            else _("orgs.add.top")
        )
        text = _("orgs.add.done").format(line=line(created), place=place)
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.edit_text(text)


def _is_the_question(callback: CallbackQuery, data: dict[str, Any]) -> bool:
    return callback.message is not None and callback.message.message_id == data.get("question")


async def on_stale_button(callback: CallbackQuery) -> None:
    """A kind or parent button from an addition that is over (finished or cancelled)."""
    await callback.answer(_("orgs.add.stale"), show_alert=True)


async def on_not_a_button(message: Message) -> None:
    """Typing where a button was expected."""
    await message.answer(_("orgs.add.use_buttons"))
