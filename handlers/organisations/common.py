"""What /orgs and the other organisation screens share: the states, names, the tree, kinds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aiogram.fsm.state import State, StatesGroup

from core.models import OrganisationKind
from services.access import Actor
from services.people import may_contain
from storage.records import Organisation

NAME_MIN_LENGTH = 3
NAME_MAX_LENGTH = 300

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
