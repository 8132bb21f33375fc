"""/orgs: the organisations a coordinator looks after, and adding one in a few taps."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.settings import Settings
from core.models import OrganisationKind
from handlers.callbacks import (
    OrgAction,
    OrgCallback,
    OrgImportAction,
    OrgImportCallback,
    OrgKindCallback,
    OrgParentCallback,
)
from handlers.filters import NOT_A_COMMAND, PRIVATE, TEXT
from handlers.render import fit, quote, short
from services.access import AccessDenied, Actor, Permission
from services.people import PeopleService, may_contain
from storage.records import Organisation

NAME_MIN_LENGTH = 3
NAME_MAX_LENGTH = 300
# Telegram shows at most 100 buttons under a message; regions and municipalities stay far below.
_MAX_PARENT_BUTTONS = 90

# Higher first: a school belongs to a municipality or a region, a municipality to a region.


class OrganisationFlow(StatesGroup):
    name = State()
    kind = State()
    parent = State()


def clean_name(text: str) -> str:
    return " ".join(text.split())


def name_fits(name: str) -> bool:
    return NAME_MIN_LENGTH <= len(name) <= NAME_MAX_LENGTH


def _name_key(name: str) -> str:
    return clean_name(name).casefold()


def named(organisations: Sequence[Organisation], name: str) -> list[Organisation]:
    """Organisations with this name, ignoring case and spacing."""
    key = _name_key(name)
    return [organisation for organisation in organisations if _name_key(organisation.name) == key]


def sibling_named(
    organisations: Sequence[Organisation], name: str, parent_id: int | None
) -> Organisation | None:
    """The organisation of this name already under this parent (one list must not repeat)."""
    for organisation in named(organisations, name):
        if organisation.parent_id == parent_id:
            return organisation
    return None


@dataclass(frozen=True)
class TreeRow:
    organisation: Organisation
    depth: int


def tree(organisations: Sequence[Organisation]) -> list[TreeRow]:
    """Depth first, each level in the given order; one whose parent is not listed is a root."""
    listed = {organisation.id for organisation in organisations}
    children: dict[int | None, list[Organisation]] = {}
    for organisation in organisations:
        parent = organisation.parent_id if organisation.parent_id in listed else None
        children.setdefault(parent, []).append(organisation)
    rows: list[TreeRow] = []

    def walk(parent: int | None, depth: int) -> None:
        for organisation in children.get(parent, []):
            rows.append(TreeRow(organisation, depth))
            walk(organisation.id, depth + 1)

    walk(None, 0)
    return rows


def indent(depth: int) -> str:
    return "    " * depth


def kind_label(kind: OrganisationKind) -> str:
    if kind is OrganisationKind.REGION:
        return _("orgs.kind.region")
    if kind is OrganisationKind.MUNICIPALITY:
        return _("orgs.kind.municipality")
    return _("orgs.kind.school")


def _kind_button(kind: OrganisationKind) -> str:
    if kind is OrganisationKind.REGION:
        return _("orgs.button.region")
    if kind is OrganisationKind.MUNICIPALITY:
        return _("orgs.button.municipality")
    return _("orgs.button.school")


def _line(organisation: Organisation) -> str:
    return _("orgs.line").format(
        name=quote(organisation.name),
        kind=kind_label(organisation.kind),
        timezone=quote(organisation.timezone),
    )


def parent_choices(
    organisations: Sequence[Organisation], kind: OrganisationKind
) -> list[Organisation]:
    """Where an organisation of this kind may go, in tree order."""
    return [
        row.organisation for row in tree(organisations) if may_contain(row.organisation.kind, kind)
    ]


def kinds_to_add(actor: Actor, organisations: Sequence[Organisation]) -> list[OrganisationKind]:
    """Kinds this person can place somewhere: administrators also at the top level."""
    return [
        kind for kind in OrganisationKind if actor.is_admin or parent_choices(organisations, kind)
    ]


def _tree_text(organisations: Sequence[Organisation]) -> str:
    lines = [_("orgs.title"), ""]
    rows = tree(organisations)
    if not rows:
        lines.append(_("orgs.empty"))
    lines.extend(indent(row.depth) + _line(row.organisation) for row in rows)
    return fit(lines)


def _tree_keyboard(can_add: bool, can_import: bool = False) -> InlineKeyboardMarkup | None:
    if not can_add and not can_import:
        return None
    builder = InlineKeyboardBuilder()
    if can_add:
        builder.button(text=_("orgs.button.add"), callback_data=OrgCallback(action=OrgAction.ADD))
    if can_import:
        builder.button(
            text=_("orgs.button.import_schools"),
            callback_data=OrgImportCallback(action=OrgImportAction.START),
        )
    builder.adjust(1)
    return builder.as_markup()


def can_import_schools(organisations: Sequence[Organisation]) -> bool:
    """Whether any of these organisations may hold schools (a list loads under one of them)."""
    return any(may_contain(o.kind, OrganisationKind.SCHOOL) for o in organisations)


def _kind_keyboard(kinds: Sequence[OrganisationKind]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for kind in kinds:
        builder.button(text=_kind_button(kind), callback_data=OrgKindCallback(kind=kind))
    builder.adjust(len(kinds))
    return builder.as_markup()


def _parent_keyboard(choices: Sequence[Organisation], top_level: bool) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for organisation in choices[:_MAX_PARENT_BUTTONS]:
        builder.button(
            text=_("orgs.button.parent").format(
                name=short(organisation.name, 40), kind=kind_label(organisation.kind)
            ),
            callback_data=OrgParentCallback(parent_id=organisation.id),
        )
    if top_level:
        builder.button(text=_("orgs.button.top_level"), callback_data=OrgParentCallback())
    builder.adjust(1)
    return builder.as_markup()


async def orgs_command(message: Message, actor: Actor, people: PeopleService) -> None:
    """The organisations this person looks after, as a tree."""
    organisations = await people.organisations(actor)
    await message.answer(
        _tree_text(organisations),
        reply_markup=_tree_keyboard(
            bool(kinds_to_add(actor, organisations)), can_import_schools(organisations)
        ),
    )


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
        _("orgs.add.ask_kind").format(name=quote(name)), reply_markup=_kind_keyboard(kinds)
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
            reply_markup=_parent_keyboard(choices, top_level=actor.is_admin),
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
        text = _("orgs.add.done").format(line=_line(created), place=place)
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


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(PRIVATE)
    manage = {"permission": Permission.MANAGE}
    not_a_command = NOT_A_COMMAND
    router.message.register(orgs_command, Command("orgs"), flags=manage)
    router.message.register(
        on_name, StateFilter(OrganisationFlow.name), TEXT, not_a_command, flags=manage
    )
    router.message.register(
        on_name_not_text, StateFilter(OrganisationFlow.name), not_a_command, flags=manage
    )
    router.message.register(
        on_not_a_button,
        StateFilter(OrganisationFlow.kind, OrganisationFlow.parent),
        not_a_command,
        flags=manage,
    )
    router.callback_query.register(
        on_add, OrgCallback.filter(F.action == OrgAction.ADD), flags=manage
    )
    router.callback_query.register(
        on_kind, StateFilter(OrganisationFlow.kind), OrgKindCallback.filter(), flags=manage
    )
    router.callback_query.register(
        on_parent, StateFilter(OrganisationFlow.parent), OrgParentCallback.filter(), flags=manage
    )
    router.callback_query.register(on_stale_button, OrgKindCallback.filter(), flags=manage)
    router.callback_query.register(on_stale_button, OrgParentCallback.filter(), flags=manage)
    return router
