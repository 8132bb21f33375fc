"""Organisations found by name and laid out as a tree, the same for the chat and the terminal."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.organisation_names import clean_name
from storage.records import Organisation


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
