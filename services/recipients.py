"""Whom to tell: the people a notification about a roadmap or a survey goes to."""

from __future__ import annotations

from core.models import Role
from storage.records import Person, Roadmap
from storage.repositories import Repositories


async def organisation_coordinators(
    repositories: Repositories, organisation_id: int
) -> list[Person]:
    """Linked, reachable coordinators of the organisation and of those above it."""
    chain = await repositories.organisations.ancestor_ids(organisation_id)
    people = await repositories.people.in_organisations(chain)
    return [
        p
        for p in people
        if p.role is Role.COORDINATOR and p.is_active and p.is_reachable and p.account is not None
    ]


async def coordinator_chats(repositories: Repositories, roadmap: Roadmap) -> list[int]:
    """Coordinators of the roadmap's organisation and those above; else its importer."""
    people = await organisation_coordinators(repositories, roadmap.organisation_id)
    ids = [p.account for p in people if p.account is not None]
    if not ids and roadmap.imported_by_telegram_id is not None:
        ids = [roadmap.imported_by_telegram_id]
    return ids
