"""/orgs: the organisations a coordinator looks after, and adding one in a few taps."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.types import Message

from handlers.callbacks import (
    OrgAction,
    OrgCallback,
    OrgChoiceCallback,
    OrgKindCallback,
    OrgParentCallback,
)
from handlers.filters import PRIVATE, STRAY, TYPED_ANSWER
from handlers.organisations.adding import (
    on_add,
    on_kind,
    on_name,
    on_name_not_text,
    on_not_a_button,
    on_parent,
    on_stale_button,
)
from handlers.organisations.common import OrganisationFlow, can_import_schools, kinds_to_add
from handlers.organisations.settings import (
    on_new_name,
    on_report_cadence,
    on_schedule,
    on_setting,
    on_setting_for,
)
from handlers.organisations.views import tree_keyboard, tree_text
from services.access import Actor, Permission
from services.people import PeopleService


async def orgs_command(message: Message, actor: Actor, people: PeopleService) -> None:
    """The organisations this person looks after, as a tree."""
    organisations = await people.organisations(actor)
    await message.answer(
        tree_text(organisations),
        reply_markup=tree_keyboard(
            bool(kinds_to_add(actor, organisations)), can_import_schools(organisations)
        ),
    )


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(PRIVATE)
    manage = {"permission": Permission.MANAGE}
    router.message.register(orgs_command, Command("orgs"), flags=manage)
    router.message.register(
        on_name, StateFilter(OrganisationFlow.name), TYPED_ANSWER, flags=manage
    )
    router.message.register(
        on_name_not_text, StateFilter(OrganisationFlow.name), STRAY, flags=manage
    )
    router.message.register(
        on_not_a_button,
        StateFilter(OrganisationFlow.kind, OrganisationFlow.parent),
        STRAY,
        flags=manage,
    )
    router.callback_query.register(
        on_add, OrgCallback.filter(F.action == OrgAction.ADD), flags=manage
    )
    # One registration per setting's button; the setting is in the button's data.
    for action in (OrgAction.REMINDERS, OrgAction.RENAME, OrgAction.REPORTS):
        router.callback_query.register(
            on_setting, OrgCallback.filter(F.action == action), flags=manage
        )
        router.callback_query.register(
            on_setting_for, OrgChoiceCallback.filter(F.action == action), flags=manage
        )
    router.message.register(
        on_schedule, StateFilter(OrganisationFlow.reminders), TYPED_ANSWER, flags=manage
    )
    router.message.register(
        on_new_name, StateFilter(OrganisationFlow.rename), TYPED_ANSWER, flags=manage
    )
    router.message.register(
        on_report_cadence, StateFilter(OrganisationFlow.reports), TYPED_ANSWER, flags=manage
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
