"""Repositories grouped in one holder, bound to one connection (and its transaction)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from storage.repositories.organisations import OrganisationRepository
from storage.repositories.people import PersonRepository


class Repositories:
    def __init__(self, connection: AsyncConnection) -> None:
        self.organisations = OrganisationRepository(connection)
        self.people = PersonRepository(connection)


__all__ = ["OrganisationRepository", "PersonRepository", "Repositories"]
