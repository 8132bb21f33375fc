"""Whom to tell: the people a notification about a roadmap goes to."""

from __future__ import annotations

from core.models import Role
from storage.records import Roadmap
from storage.repositories import Repositories


async def coordinator_chats(repositories: Repositories, roadmap: Roadmap) -> list[int]:
    """Linked coordinators of the roadmap's organisation and those above; else its importer."""
    chain = await repositories.organisations.ancestor_ids(roadmap.organisation_id)
    people = await repositories.people.in_organisations(chain)
    ids = [
        p.telegram_user_id
        for p in people
        if p.role is Role.COORDINATOR
        and p.is_active
        and p.is_reachable
        and p.telegram_user_id is not None
    ]
    if not ids and roadmap.imported_by_telegram_id is not None:
        ids = [roadmap.imported_by_telegram_id]
    return ids
