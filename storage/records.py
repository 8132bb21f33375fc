"""Plain data the repositories return: no rows, no sessions, nothing lazy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.models import OrganisationKind, Role


@dataclass(frozen=True)
class Organisation:
    id: int
    name: str
    kind: OrganisationKind
    parent_id: int | None
    timezone: str
    created_at: datetime


@dataclass(frozen=True)
class Person:
    id: int
    organisation_id: int | None
    full_name: str
    name_key: str
    position: str | None
    role: Role
    telegram_user_id: int | None
    language_code: str | None
    is_reachable: bool
    is_active: bool
    is_admin: bool
    created_at: datetime

    @property
    def is_linked(self) -> bool:
        return self.telegram_user_id is not None
