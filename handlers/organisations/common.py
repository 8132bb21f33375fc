"""What /orgs and the other organisation screens share: the states, the kinds one may add."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.fsm.state import State, StatesGroup

from core.models import OrganisationKind
from services.access import Actor
from services.organisations import tree
from services.people import may_contain
from storage.records import Organisation


class OrganisationFlow(StatesGroup):
    name = State()
    kind = State()
    parent = State()
    reminders = State()  # the days and time of reminders, typed
    rename = State()  # a new name, typed
    reports = State()  # how often the execution report comes, typed


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


def can_import_schools(organisations: Sequence[Organisation]) -> bool:
    """Whether any of these organisations may hold schools (a list loads under one of them)."""
    return any(may_contain(o.kind, OrganisationKind.SCHOOL) for o in organisations)
